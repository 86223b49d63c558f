"""Who may lodge, amend and cancel for whom (TFA 10.6, WCO Agent 05A): a trader acts
for itself, a customs broker for the traders whose representation mandate it holds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Organisation
from ventanilla.accounts.selectors import mandate_withdrawn, mandates_in_force
from ventanilla.core.errors import BusinessError, ErrorItem
from ventanilla.declarations.models import Declaration


def check_representation(
    rows: Sequence[dict[str, Any]],
    declarant: Organisation,
    prefix: str | None,
    orgs: dict[str, Organisation],
) -> None:
    """A trader lodges only its own declarations; a customs broker lodges for the traders
    that gave it a representation mandate in force today (WCO Agent 05A, TFA 10.6): one
    query for the whole batch. Refused as forbidden, before anything else."""
    if declarant.kind == "trader":
        _check_own(rows, declarant, prefix)
    elif declarant.kind == "broker":
        _check_mandates(rows, declarant, prefix, orgs)


def _path(prefix: str | None, n: int, path: str) -> str:
    return f"{prefix}.{n}.{path}" if prefix is not None else path


def _check_own(rows: Sequence[dict[str, Any]], declarant: Organisation, prefix: str | None) -> None:
    errors = []
    for n, data in enumerate(rows):
        for m, party in enumerate(data["parties"]):
            main = party["role"] in ("importer", "exporter")
            if main and party["identifier"] != declarant.code:
                errors.append(
                    ErrorItem(
                        "declarant_not_representative",
                        _(
                            "A trader lodges only its own declarations; "
                            "a customs broker lodges for its clients."
                        ),
                        _path(prefix, n, f"parties.{m}.identifier"),
                    )
                )
    if errors:
        raise BusinessError(errors, http_status=403)


def _represented(
    data: dict[str, Any], declarant: Organisation, orgs: dict[str, Organisation]
) -> tuple[int, Organisation] | None:
    """The declaration's main party when it is a registered trader (the importer of an
    import, the exporter of an export, else the first of them), with its index."""
    wanted = "exporter" if data["declaration_type"] == "EX" else "importer"
    candidates = [
        (m, orgs[p["identifier"]])
        for m, p in enumerate(data["parties"])
        if p["role"] in ("importer", "exporter")
        and p["identifier"] in orgs
        and orgs[p["identifier"]].kind == "trader"
        and p["identifier"] != declarant.code
    ]
    for m, org in candidates:
        if data["parties"][m]["role"] == wanted:
            return m, org
    return candidates[0] if candidates else None


def _check_mandates(
    rows: Sequence[dict[str, Any]],
    declarant: Organisation,
    prefix: str | None,
    orgs: dict[str, Organisation],
) -> None:
    represented = [(n, _represented(data, declarant, orgs)) for n, data in enumerate(rows)]
    wanted = {found[1].pk for _n, found in represented if found is not None}
    held = mandates_in_force(broker=declarant, trader_ids=wanted, day=timezone.localdate())
    errors = [
        ErrorItem(
            "no_representation_mandate",
            _("This customs broker holds no representation mandate in force from this trader."),
            _path(prefix, n, f"parties.{found[0]}.identifier"),
        )
        for n, found in represented
        if found is not None and found[1].pk not in held
    ]
    if errors:
        raise BusinessError(errors, http_status=403)


def check_amendment_representation(
    declaration: Declaration, data: dict[str, Any], orgs: dict[str, Organisation]
) -> None:
    """TFA 10.6. An amendment that names another trader is checked as a lodgement: it
    must not hand a declaration to a trader its declarant cannot act for. One that keeps
    the trader is refused only when that trader withdrew the broker's mandate."""
    declarant = declaration.declarant
    found = _represented(data, declarant, orgs)
    same_trader = found is None or found[1].pk == declaration.trader_id
    if declarant.kind == "trader" or not same_trader:
        check_representation([data], declarant, None, orgs)
    else:
        check_acting_broker(declaration, declarant)


def check_acting_broker(declaration: Declaration, organisation: Organisation | None) -> None:
    """A customs broker keeps acting on the declarations it lodged under a mandate until
    they are finished (its liability as declarant goes on), unless the trader revoked the
    mandate: then the trader or its new broker acts (TFA 10.6)."""
    if organisation is None or organisation.kind != "broker":
        return
    if organisation.pk == declaration.trader_id:
        return
    if mandate_withdrawn(
        broker=organisation, trader_id=declaration.trader_id, day=timezone.localdate()
    ):
        raise BusinessError.single(
            "no_representation_mandate",
            _("This customs broker holds no representation mandate in force from this trader."),
            "organisation",
            http_status=403,
        )
