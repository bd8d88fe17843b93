from django.conf import settings


def tequio(request):
    return {"TEQUIO_VERSION": __import__("tequio").__version__, "SITE_URL": settings.SITE_URL}
