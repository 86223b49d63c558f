"""The LRN guards a lodgement against duplicates (WCO 01A, the declarant's own reference):
a declaration lodged again comes back as it was; an LRN reused for other content, repeated
in one request, or being lodged by a concurrent request is refused, at its field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Organisation
from ventanilla.core import bulk
from ventanilla.core.baked import Baked, Many
from ventanilla.core.errors import BusinessError, ErrorItem
from ventanilla.declarations.content import content_hash
from ventanilla.declarations.models import Declaration

# Compiled once per process and number of LRNs (core.baked).
_BY_LRN: Baked[Declaration] = Baked(
    lambda declarant, lrns: Declaration.objects.filter(declarant_id=declarant, lrn__in=lrns),
    declarant=int,
    lrns=Many(str),
)


def existing(
    declarant: Organisation, rows: Sequence[dict[str, Any]], prefix: str | None
) -> dict[str, Declaration]:
    """The declarant's declarations already lodged under these LRNs, by LRN. An LRN
    lodged before with other content, or given twice in ``rows``, is refused (409)."""
    lrns = [d["lrn"] for d in rows]
    found = {d.lrn: d for d in _BY_LRN.list(declarant=declarant.pk, lrns=lrns)}
    errors = []
    for n, data in enumerate(rows):
        old = found.get(data["lrn"])
        if old is not None and old.content_hash != content_hash(data):
            path = f"{prefix}.{n}.lrn" if prefix is not None else "lrn"
            errors.append(
                ErrorItem(
                    "lrn_already_used",
                    _("This LRN was already used for a different declaration."),
                    path,
                )
            )
    if len(set(lrns)) != len(lrns):
        errors.append(ErrorItem("lrn_repeated", _("The same LRN appears twice."), prefix))
    if errors:
        raise BusinessError(errors, http_status=409)
    return found


def _being_lodged(path: str | None) -> ErrorItem:
    return ErrorItem(
        "lrn_being_lodged",
        _("Another request is lodging this LRN at this moment. Send it again to get its result."),
        path,
    )


def insert_new(
    declarations: list[Declaration],
    declarant: Organisation,
    rows: Sequence[dict[str, Any]],
    prefix: str | None,
) -> None:
    """Insert the new declarations. Only the LRN is unique among their columns: a
    collision means a concurrent request lodged the same LRN after ``existing`` looked.
    Its result is known once it commits; a retry then gets it (created: false) like any
    repeated lodgement."""
    if prefix is None:
        try:
            bulk.insert_instances(Declaration, declarations)
        except IntegrityError as exc:
            raise BusinessError([_being_lodged("lrn")], http_status=409) from exc
        return
    try:
        # In bulk, a savepoint (two round trips for the whole request) keeps the
        # transaction usable after a collision, to say which declaration collided:
        # PostgreSQL reports one once the other request has committed, and a new
        # statement then sees that request's row.
        with transaction.atomic():
            bulk.insert_instances(Declaration, declarations)
    except IntegrityError as exc:
        taken = set(
            Declaration.objects.filter(
                declarant=declarant, lrn__in=[d.lrn for d in declarations]
            ).values_list("lrn", flat=True)
        )
        paths = [f"{prefix}.{n}.lrn" for n, data in enumerate(rows) if data["lrn"] in taken]
        # The other request may have been rolled back since: which one is then unknown.
        raise BusinessError([_being_lodged(p) for p in paths or [prefix]], http_status=409) from exc
