"""The registry of notice kinds: what the platform tells traders, brokers and carriers.

A notice stores its kind and its params, never rendered text: the title and body are
rendered in the reader's language when shown (pages, API) and in the recipient's
language when an e-mail is sent (TFA 1.2, both languages everywhere).

Every kind names the params its text needs. ``reference`` (the MRN, or the LRN before
acceptance) is required by all of them. Param values may be:

- plain text or numbers, shown as given;
- ``{"en": "...", "es": "..."}`` for a label that has a translation (an agency's reason
  category, a decision), shown in the reader's language;
- for ``expected_at`` and ``released_at``: an aware ``datetime`` or an ISO 8601 string,
  shown in the reader's language and the platform's time zone;
- for ``amount``: a ``Decimal``, number or numeric string, shown with the reader's
  decimal separators.

Legal basis: TFA 5.1-5.3 (holds and inspections told at once, and their end), TFA 7.1
(release decision told to trader and carrier), TFA 7.2 (payment), TFA 10.4 (results
notified back through the single window).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.choices import OrganisationKind as K
from ventanilla.core.errors import BusinessError, ErrorItem


class Severity:
    INFO = "info"
    WARNING = "warning"
    SUCCESS = "success"


# Who is told. The declarant (trader or broker) always; the carrier or terminal when
# the physical movement of the goods is concerned (TFA 5.2 "carrier or importer",
# TFA 7.1 release); agencies when the carrier reports an arrival.
DECLARANTS = (K.TRADER, K.BROKER)
MOVEMENT = (K.TRADER, K.BROKER, K.CARRIER)

# Params whose value is a moment or an amount, formatted for the reader.
DATETIME_PARAMS = frozenset({"expected_at", "released_at"})
AMOUNT_PARAMS = frozenset({"amount"})


@dataclass(frozen=True)
class NoticeKind:
    code: str
    title: Promise
    body: Promise
    severity: str
    required: tuple[str, ...]
    audience: tuple[str, ...]
    basis: str  # legal basis, for the record and the API documentation


def _kind(
    code: str,
    title: Promise,
    body: Promise,
    severity: str,
    params: tuple[str, ...],
    audience: tuple[str, ...],
    basis: str,
) -> NoticeKind:
    return NoticeKind(code, title, body, severity, ("reference", *params), audience, basis)


KINDS: dict[str, NoticeKind] = {
    k.code: k
    for k in (
        _kind(
            "declaration_accepted",
            _("Declaration %(reference)s accepted"),
            _(
                "Customs accepted declaration %(reference)s. "
                "The agencies concerned will now review it."
            ),
            Severity.INFO,
            (),
            DECLARANTS,
            "TFA 10.4",
        ),
        _kind(
            "information_requested",
            _("%(agency)s requests information on declaration %(reference)s"),
            _(
                "%(agency)s needs more information to continue with declaration "
                "%(reference)s. Open the declaration to see the request and answer it."
            ),
            Severity.WARNING,
            ("agency",),
            DECLARANTS,
            "TFA 10.4",
        ),
        _kind(
            "inspection_selected",
            _("Goods selected for inspection: declaration %(reference)s"),
            _(
                "%(agency)s selected the goods of declaration %(reference)s for inspection "
                "(reason: %(reason_category)s). Expected: %(expected_at)s at %(location)s."
            ),
            Severity.WARNING,
            ("agency", "reason_category", "expected_at", "location"),
            MOVEMENT,
            "TFA 5.2",
        ),
        _kind(
            "goods_detained",
            _("Goods held: declaration %(reference)s"),
            _(
                "%(agency)s is holding the goods of declaration %(reference)s "
                "(reason: %(reason_category)s; expected end of the hold: %(expected_at)s)."
            ),
            Severity.WARNING,
            ("agency", "reason_category", "expected_at"),
            MOVEMENT,
            "TFA 5.2",
        ),
        _kind(
            "inspection_ended",
            _("Inspection ended: declaration %(reference)s"),
            _("%(agency)s ended the inspection of declaration %(reference)s. Result: %(result)s."),
            Severity.INFO,
            ("agency", "result"),
            MOVEMENT,
            "TFA 5.1, 5.2",
        ),
        _kind(
            "review_decided",
            _("%(agency)s has decided on declaration %(reference)s"),
            _(
                "%(agency)s decided on declaration %(reference)s: %(decision)s. "
                "Open the declaration to read the reasons and how to appeal."
            ),
            Severity.INFO,
            ("agency", "decision"),
            DECLARANTS,
            "TFA 4, 10.4",
        ),
        _kind(
            "second_test_result",
            _("Second test result: declaration %(reference)s"),
            _(
                "%(agency)s recorded the result of the second test for declaration "
                "%(reference)s: %(result)s."
            ),
            Severity.INFO,
            ("agency", "result"),
            DECLARANTS,
            "TFA 5.3",
        ),
        _kind(
            "duties_due",
            _("Duties and taxes due: declaration %(reference)s"),
            _("Duties and taxes of %(amount)s %(currency)s are due for declaration %(reference)s."),
            Severity.WARNING,
            ("amount", "currency"),
            DECLARANTS,
            "TFA 7.2, 7.3",
        ),
        _kind(
            "payment_confirmed",
            _("Payment confirmed: declaration %(reference)s"),
            _("The payment for declaration %(reference)s was confirmed."),
            Severity.SUCCESS,
            (),
            DECLARANTS,
            "TFA 7.2",
        ),
        _kind(
            "payment_failed",
            _("Payment failed: declaration %(reference)s"),
            _(
                "The payment for declaration %(reference)s did not go through. "
                "Try again or choose another payment method."
            ),
            Severity.WARNING,
            (),
            DECLARANTS,
            "TFA 7.2",
        ),
        _kind(
            "released",
            _("Goods released: declaration %(reference)s"),
            _(
                "The goods of declaration %(reference)s were released on %(released_at)s "
                "at %(location)s. They may leave."
            ),
            Severity.SUCCESS,
            ("released_at", "location"),
            MOVEMENT,
            "TFA 7.1",
        ),
        _kind(
            "declaration_rejected",
            _("Declaration %(reference)s rejected"),
            _(
                "%(agency)s rejected declaration %(reference)s (reason: %(reason_category)s). "
                "Open the declaration to read the reasons and how to appeal."
            ),
            Severity.WARNING,
            ("agency", "reason_category"),
            DECLARANTS,
            "TFA 4",
        ),
        _kind(
            "declaration_cancelled",
            _("Declaration %(reference)s cancelled"),
            _("Declaration %(reference)s was cancelled."),
            Severity.INFO,
            (),
            MOVEMENT,
            "TFA 10.4",
        ),
        _kind(
            "arrival_reported",
            _("Arrival reported: declaration %(reference)s"),
            _("The arrival of the goods of declaration %(reference)s was reported."),
            Severity.INFO,
            (),
            (*MOVEMENT, K.AGENCY),
            "TFA 7.1",
        ),
    )
}

KIND_CODES: tuple[str, ...] = tuple(KINDS)


def get_kind(code: str) -> NoticeKind:
    """The kind registered under ``code``; an unknown kind is refused."""
    kind = KINDS.get(code)
    if kind is None:
        raise BusinessError.single(
            "notice_kind_unknown", gettext("This kind of notice does not exist."), "kind"
        )
    return kind


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Mapping):
        return not any(isinstance(v, str) and v.strip() for v in value.values())
    return False


def validate_params(kind: NoticeKind, params: Mapping[str, Any]) -> None:
    """Every name the kind's text needs is present and not blank (all missing at once)."""
    missing = [name for name in kind.required if _is_blank(params.get(name))]
    if missing:
        raise BusinessError(
            [
                ErrorItem(
                    "notice_params_missing",
                    gettext("The notice needs the parameter “%(name)s”.") % {"name": name},
                    f"params.{name}",
                )
                for name in missing
            ]
        )
