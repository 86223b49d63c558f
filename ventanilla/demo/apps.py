from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Top of the import graph: knows every app, nothing imports it."""

    name = "ventanilla.demo"
    label = "demo"
    verbose_name = _("Demo data")
