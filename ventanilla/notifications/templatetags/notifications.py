"""``{% load notifications %}``: render notices in the active language on any page.

``{% render_notice notice as rn %}`` gives ``rn.title``, ``rn.body``, ``rn.severity``;
``{% include "notifications/_notice_list.html" with notices=... %}`` shows a list.
"""

from __future__ import annotations

from typing import Any

from django import template

from ventanilla.notifications.rendering import RenderedNotice
from ventanilla.notifications.rendering import render_notice as _render_notice

register = template.Library()


@register.simple_tag
def render_notice(notice: Any) -> RenderedNotice:
    return _render_notice(notice)
