"""The notice list partial other apps include, rendered in the active language."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from ventanilla.accounts.choices import OrganisationKind
from ventanilla.accounts.tests.factories import OrganisationFactory, member
from ventanilla.notifications.selectors import notice_qs_for
from ventanilla.notifications.services import notice_mark_read, notify
from ventanilla.notifications.tests.factories import REFERENCE, release_params

pytestmark = pytest.mark.django_db


@pytest.fixture
def user_with_notices():
    trader = OrganisationFactory(kind=OrganisationKind.TRADER)
    user = member("trader_declarant", trader)
    notify(
        organisations=[trader], kind="released", declaration_id=1, params=release_params(), by=None
    )
    (held,) = notify(
        organisations=[trader],
        kind="goods_detained",
        declaration_id=1,
        by=None,
        params={
            "reference": REFERENCE,
            "agency": "SENASA",
            "reason_category": "Lab test",
            "expected_at": "2026-11-28T14:00:00+00:00",
        },
    )
    notice_mark_read(notice=held, by=user)
    return user


def test_partial_renders_uswds_alerts_in_the_active_language(user_with_notices):
    notices = notice_qs_for(user=user_with_notices)
    with translation.override("es"):
        html = render_to_string("notifications/_notice_list.html", {"notices": notices})
    assert html.count('class="usa-alert ') == 2
    assert "usa-alert--success" in html and "usa-alert--warning" in html
    assert f"Levante otorgado: declaración {REFERENCE}" in html
    assert f"Mercancías retenidas: declaración {REFERENCE}" in html
    assert ">Avisos</h2>" in html
    assert html.count(">Nuevo</span>") == 1  # the release is unread, the hold was read
    assert "Advertencia:" in html  # the severity in words, not only by colour


def test_partial_says_when_there_is_nothing(user_with_notices):
    with translation.override("en"):
        html = render_to_string("notifications/_notice_list.html", {"notices": []})
    assert "No notices yet." in html


def test_render_notice_tag(user_with_notices):
    from django.template import Context, Template

    template = Template(
        "{% load notifications %}{% for n in notices %}{% render_notice n as rn %}"
        "{{ rn.severity }}|{{ rn.title }};{% endfor %}"
    )
    with translation.override("en"):
        out = template.render(Context({"notices": notice_qs_for(user=user_with_notices)}))
    assert out == (
        f"warning|Goods held: declaration {REFERENCE};"
        f"success|Goods released: declaration {REFERENCE};"
    )
