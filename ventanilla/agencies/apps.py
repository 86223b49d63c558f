from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "ventanilla.agencies"
    label = "agencies"
    verbose_name = _("Border agencies")

    def ready(self) -> None:
        from ventanilla.agencies.visibility import routed_to_agencies
        from ventanilla.declarations.selectors import register_agency_visibility

        # An agency sees the declarations routed to it (TFA 8, 10.4).
        register_agency_visibility(routed_to_agencies)
