from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tequio.core"
    label = "core"
    verbose_name = _("Communities")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, registry  # noqa: F401  (registers system checks)

        registry.load([(config.label, config.name) for config in apps.get_app_configs() if config.name.startswith("tequio.")])
