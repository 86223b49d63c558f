from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClearanceConfig(AppConfig):
    name = "ventanilla.clearance"
    label = "clearance"
    verbose_name = _("Clearance")

    def ready(self) -> None:
        # ADR 0005: lower apps signal a change; the orchestrator recomputes the status.
        from ventanilla.agencies.signals import review_changed
        from ventanilla.clearance import receivers
        from ventanilla.payments.signals import payment_state_changed

        review_changed.connect(receivers.on_review_changed, dispatch_uid="clearance.review")
        payment_state_changed.connect(
            receivers.on_payment_state_changed, dispatch_uid="clearance.payment"
        )
