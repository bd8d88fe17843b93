"""Start-up checks of the environment-driven settings (ids are stable)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_production_settings(app_configs, **kwargs):
    errors = []
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        errors.append(Error("SECRET_KEY is the development key.", hint="Set SECRET_KEY to a long random value.", id="tequio.E001"))
    if settings.DEBUG:
        errors.append(Error("DEBUG is on in a deployment.", hint="Set TEQUIO_ENV=production and leave DEBUG unset.", id="tequio.E002"))
    if settings.SITE_URL.startswith("http://") and settings.PRODUCTION:
        errors.append(Warning("SITE_URL is not https; links in emails will be insecure.", id="tequio.W001"))
    return errors


@register()
def check_settings(app_configs, **kwargs):
    errors = []
    if settings.TEQUIO_MAX_UPLOAD_BYTES <= 0:
        errors.append(Error("TEQUIO_MAX_UPLOAD_BYTES must be positive.", id="tequio.E003"))
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
        errors.append(Error(f"Unsupported database engine {engine}.", hint="Use SQLite or PostgreSQL.", id="tequio.E004"))
    if settings.PRODUCTION and engine == "django.db.backends.sqlite3":
        errors.append(Warning("Production on SQLite: fine for one small network, use PostgreSQL as it grows.", id="tequio.W002"))
    return errors
