from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ventanilla.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from ventanilla.core.logging import configure_structlog

        configure_structlog()
