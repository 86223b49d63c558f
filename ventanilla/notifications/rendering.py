"""Render a notice's title and body in one language from its kind and params.

Pages and the API render in the active language (the reader's); e-mails render inside
``translation.override(recipient.preferred_language)``. Nothing rendered is stored on
the notice itself (TFA 1.2: both languages everywhere).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_date, parse_datetime

from ventanilla.notifications.kinds import AMOUNT_PARAMS, DATETIME_PARAMS, KINDS, Severity


@dataclass(frozen=True)
class RenderedNotice:
    title: str
    body: str
    severity: str


class _Missing(dict[str, str]):
    # A stored notice whose kind gained a param later still renders.
    def __missing__(self, key: str) -> str:
        return "—"


def _pick_language(value: Mapping[str, Any], language: str) -> str:
    for code in (language, settings.LANGUAGE_CODE, "en", "es"):
        if value.get(code):
            return str(value[code])
    return next((str(v) for v in value.values() if v), "")


def _format_moment(value: Any) -> str:
    if isinstance(value, str):
        parsed: dt.datetime | dt.date | None = parse_datetime(value) or parse_date(value)
        if parsed is None:
            return value
        value = parsed
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)


def _format_amount(value: Any) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return formats.number_format(number, decimal_pos=2, use_l10n=True, force_grouping=True)


def format_param(name: str, value: Any, language: str) -> str:
    """One param as text for a reader of ``language`` (active language must match)."""
    if isinstance(value, Mapping):
        return _pick_language(value, language)
    if value is None:
        return "—"
    if name in DATETIME_PARAMS:
        return _format_moment(value)
    if name in AMOUNT_PARAMS:
        return _format_amount(value)
    return str(value)


def render(
    kind_code: str, params: Mapping[str, Any], language: str | None = None
) -> RenderedNotice:
    """Title, body and severity of ``kind_code`` with ``params`` in ``language`` (the
    active language when omitted)."""
    kind = KINDS.get(kind_code)
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        values = _Missing({name: format_param(name, v, language) for name, v in params.items()})
        if kind is None:  # a kind withdrawn from the registry: show what is known
            return RenderedNotice(kind_code, values.get("reference", ""), Severity.INFO)
        return RenderedNotice(
            title=str(kind.title) % values,
            body=str(kind.body) % values,
            severity=kind.severity,
        )


def render_notice(notice: Any, language: str | None = None) -> RenderedNotice:
    """Render a stored ``Notice`` in ``language`` or the active language."""
    return render(notice.kind, notice.params, language)


def titles(kind_code: str, params: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Title and body in every platform language (the webhook payload carries both)."""
    out: dict[str, dict[str, str]] = {"title": {}, "body": {}}
    for code, _name in settings.LANGUAGES:
        rendered = render(kind_code, params, code)
        out["title"][code] = rendered.title
        out["body"][code] = rendered.body
    return out
