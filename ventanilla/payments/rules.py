"""Business rules of payments and guarantees: each class is named by its code, its
docstring is the message (repeated as a literal for makemessages), with its HTTP status
and the legal basis where there is one."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from ventanilla.core.errors import BusinessError, ErrorItem


class Rule:
    code: ClassVar[str]
    message: ClassVar[Any]
    http_status: ClassVar[int] = 409

    @classmethod
    def refuse(cls, field: str | None = None, **params: Any) -> BusinessError:
        text = str(cls.message) % params if params else str(cls.message)
        return BusinessError([ErrorItem(cls.code, text, field)], cls.http_status)


# --- payments (TFA 7.2) -----------------------------------------------------------------


class Forbidden(Rule):
    """Only the trader or the declarant of this declaration may do this."""

    code = "forbidden"
    message = _("Only the trader or the declarant of this declaration may do this.")
    http_status = 403


class IdempotencyKeyRequired(Rule):
    """An Idempotency-Key header (1 to 100 characters) is required to start a payment."""

    code = "idempotency_key_required"
    message = _("An Idempotency-Key header (1 to 100 characters) is required to start a payment.")
    http_status = 400


class IdempotencyKeyReused(Rule):
    """This Idempotency-Key was already used for another declaration."""

    code = "idempotency_key_reused"
    message = _("This Idempotency-Key was already used for another declaration.")
    http_status = 422


class NotAssessed(Rule):
    """The duties of this declaration have not been assessed yet."""

    code = "not_assessed"
    message = _("The duties of this declaration have not been assessed yet.")


class AlreadyPaid(Rule):
    """The duties of this assessment have already been paid."""

    code = "already_paid"
    message = _("The duties of this assessment have already been paid.")


class NothingDue(Rule):
    """Nothing is due on this declaration."""

    code = "nothing_due"
    message = _("Nothing is due on this declaration.")


class PaymentInProgress(Rule):
    """A payment of this declaration is already in progress; wait for its outcome."""

    code = "payment_in_progress"
    message = _("A payment of this declaration is already in progress; wait for its outcome.")


class ProviderUnavailable(Rule):
    """The payment provider is not available; try again with the same Idempotency-Key."""

    code = "provider_unavailable"
    message = _("The payment provider is not available; try again with the same Idempotency-Key.")
    http_status = 503


class UnknownProvider(Rule):
    """Unknown payment provider."""

    code = "unknown_provider"
    message = _("Unknown payment provider.")
    http_status = 404


class BadSignature(Rule):
    """The callback's signature is missing or invalid."""

    code = "bad_signature"
    message = _("The callback's signature is missing or invalid.")
    http_status = 400


class BadPayload(Rule):
    """The callback's body cannot be read."""

    code = "bad_payload"
    message = _("The callback's body cannot be read.")
    http_status = 400


class UnknownPayment(Rule):
    """No payment has this reference."""

    code = "unknown_payment"
    message = _("No payment has this reference.")
    http_status = 404


class AmountMismatch(Rule):
    """The callback's amount or currency differs from the payment's."""

    code = "amount_mismatch"
    message = _("The callback's amount or currency differs from the payment's.")
    http_status = 400


# --- guarantees (TFA 7.3) ------------------------------------------------------------------


class InvalidAmount(Rule):
    """The amount must be greater than zero."""

    code = "invalid_amount"
    message = _("The amount must be greater than zero.")
    http_status = 400


class GuaranteeExceedsDue(Rule):
    """A guarantee may not exceed the amount due (%(due)s %(currency)s)."""

    # TFA 7.3.3: the guarantee shall not be greater than the amount finally due.
    code = "guarantee_exceeds_due"
    message = _("A guarantee may not exceed the amount due (%(due)s %(currency)s).")
    http_status = 400


class NoGuaranteeAccount(Rule):
    """The trader has no active guarantee account in national currency."""

    code = "no_guarantee_account"
    message = _("The trader has no active guarantee account in national currency.")


class GuaranteeInsufficient(Rule):
    """The guarantee's available balance (%(available)s %(currency)s) is too low."""

    code = "guarantee_insufficient"
    message = _("The guarantee's available balance (%(available)s %(currency)s) is too low.")


class GuaranteeStillNeeded(Rule):
    """The guarantee is still needed: the final assessment is not paid."""

    # TFA 7.3.4: discharged when no longer required — not before.
    code = "guarantee_still_needed"
    message = _("The guarantee is still needed: the final assessment is not paid.")


class NoReservation(Rule):
    """No guarantee is reserved for this declaration."""

    code = "no_reservation"
    message = _("No guarantee is reserved for this declaration.")


class NotFinal(Rule):
    """A guarantee is drawn only for the final assessment."""

    code = "not_final"
    message = _("A guarantee is drawn only for the final assessment.")
