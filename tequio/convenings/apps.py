from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConveningsConfig(AppConfig):
    name = "tequio.convenings"
    label = "convenings"
    verbose_name = _("Convenings")
    default_auto_field = "django.db.models.BigAutoField"
