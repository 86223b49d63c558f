"""``{% load clearance_tags %}``: status words with their badges, the perishable badge,
time left before a service level is breached — for the declarations, queue, arrival and
notice pages. Every badge is a word: colour only repeats it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

GROUPS = {
    "draft": "neutral",
    "lodged": "neutral",
    "accepted": "neutral",
    "cancelled": "neutral",
    "under_control": "waiting",
    "information_requested": "waiting",
    "inspection_required": "waiting",
    "pending": "neutral",
    "waiting": "neutral",
    "in_progress": "waiting",
    "superseded": "neutral",
    "booked": "waiting",
    "ready_for_release": "ready",
    "released": "done",
    "cleared": "done",
    "approved": "done",
    "completed": "done",
    "confirmed": "done",
    "done": "done",
    "missing": "refused",
    "rejected": "refused",
    "failed": "refused",
    "expired": "neutral",
}


@register.simple_tag
def status_tag(code: str, label: Any) -> SafeString:
    """``<span class="usa-tag vt-status vt-status--done">Released</span>``."""
    group = GROUPS.get(str(code), "neutral")
    return format_html(
        '<span class="usa-tag vt-status vt-status--{}" data-status="{}">{}</span>',
        group,
        code,
        label,
    )


@register.simple_tag
def perishable_tag() -> SafeString:
    return format_html(
        '<span class="usa-tag vt-tag--perishable" title="{}">{}</span>',
        _("Perishable goods are examined and released first (TFA 7.9)."),
        _("Perishable"),
    )


@register.filter
def duration(value: dt.timedelta | None) -> str:
    """A length of time in words: "2 h 05 min", "3 days 4 h", "12 min"."""
    if value is None:
        return ""
    seconds = abs(int(value.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return ngettext("%(d)s day %(h)s h", "%(d)s days %(h)s h", days) % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)02d min") % {"h": hours, "m": minutes}
    return _("%(m)s min") % {"m": minutes}


@register.filter
def is_late(value: dt.timedelta | None) -> bool:
    return value is not None and value.total_seconds() < 0


@register.simple_tag
def time_left(review: Any) -> dt.timedelta | None:
    return review.time_left() if hasattr(review, "time_left") else None
