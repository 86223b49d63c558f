"""The carrier's pages: arrival reported in one action, releases per conveyance; and the
navigation each role sees."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ventanilla.accounts.tests.factories import OrganisationFactory, member
from ventanilla.clearance import services
from ventanilla.clearance.tests.conftest import coffee, valid
from ventanilla.declarations.models import Declaration
from ventanilla.payments.selectors import financial_state
from ventanilla.payments.services.guarantee import guarantee_reserve

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cleared(world: dict[str, Any]) -> Declaration:
    """Green coffee, duties covered by the guarantee: released as soon as it arrives."""
    lodged = services.declaration_submit(
        data=valid(coffee("CAR-1")), declarant=world["broker"], by=world["users"]["broker"]
    )
    declaration = Declaration.objects.get(pk=lodged.declaration.pk)
    guarantee_reserve(
        declaration=declaration,
        amount=financial_state(declaration=declaration).outstanding,
        by=None,
    )
    declaration.refresh_from_db()
    assert declaration.status == "ready_for_release"
    return declaration


def test_arrival_in_one_action_releases_what_is_cleared(world, cleared):
    carrier = client_for(world["users"]["carrier"])
    html = carrier.get(reverse("clearance:arrivals")).content.decode()
    assert "MSC ANDES 123E" in html and cleared.mrn in html
    response = carrier.post(reverse("clearance:arrivals"), {"conveyance_ref": "MSC ANDES 123E"})
    assert response["Location"] == reverse("clearance:releases") + "?conveyance=MSC+ANDES+123E"
    cleared.refresh_from_db()
    assert cleared.status == "released"
    html = carrier.get(response["Location"]).content.decode()
    assert 'data-released="MSC ANDES 123E"' in html and cleared.mrn in html
    assert "Arrival recorded for" in html and "released now" in html


def test_arrival_by_mrn_and_an_empty_report_refused(world, cleared):
    carrier = client_for(world["users"]["carrier"])
    response = carrier.post(reverse("clearance:arrivals"), {})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    carrier.post(reverse("clearance:arrivals"), {"mrns": f"{cleared.mrn.lower()}, XX"})
    cleared.refresh_from_db()
    assert cleared.status == "released"


def test_other_carriers_see_nothing_and_traders_may_not_report(world, cleared):
    stranger = member("carrier_operator", OrganisationFactory(kind="carrier"))
    html = (
        client_for(stranger)
        .get(reverse("clearance:releases"), {"conveyance": "MSC ANDES 123E"})
        .content.decode()
    )
    assert cleared.mrn not in html
    client_for(stranger).post(reverse("clearance:arrivals"), {"mrns": cleared.mrn})
    cleared.refresh_from_db()
    assert cleared.arrived_at is None
    assert (
        client_for(world["users"]["trader"]).get(reverse("clearance:arrivals")).status_code == 403
    )


@pytest.mark.parametrize(
    "name, shown, hidden",
    [
        ("trader", ["nav-declarations", "nav-notices"], ["nav-queue", "nav-arrivals"]),
        ("broker", ["nav-declarations", "nav-notices"], ["nav-queue", "nav-releases"]),
        ("carrier", ["nav-arrivals", "nav-releases", "nav-notices"], ["nav-declarations"]),
        ("customs", ["nav-queue", "nav-notices"], ["nav-declarations", "nav-arrivals"]),
    ],
)
def test_navigation_by_role(world, name, shown, hidden):
    html = client_for(world["users"][name]).get("/").content.decode()
    for link in shown:
        assert f'id="{link}"' in html, link
    for link in hidden:
        assert f'id="{link}"' not in html, link


def test_navigation_counts_unread_notices(world, cleared):
    html = client_for(world["users"]["trader"]).get("/").content.decode()
    assert 'class="vt-nav-count"' in html
    assert 'id="nav-notices"' not in Client().get("/").content.decode()
