"""The trader's and broker's pages: the list, the question pages with drafts, check your
answers, the confirmation, the declaration page and its actions. Who sees what: a trader
its own declarations only, a broker those it lodged, a carrier those it carries; others'
declarations answer 404; the trader side never sees the channel nor an officer's words."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ventanilla.accounts.tests.factories import OrganisationFactory, member
from ventanilla.agencies.models import AgencyReview, InformationRequest, SecondTestRequest
from ventanilla.agencies.services import (
    information_request,
    inspection_book,
    inspection_record_result,
    review_decide,
    sample_record,
    sample_result_record,
)
from ventanilla.clearance import services
from ventanilla.clearance.tests.conftest import valid
from ventanilla.declarations.drafts import DeclarationDraft
from ventanilla.declarations.models import Declaration
from ventanilla.declarations.tests.conftest import payload
from ventanilla.notifications.selectors import notice_unread_count
from ventanilla.payments.selectors import financial_state
from ventanilla.risk.demo import load_demo_risk

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def submit(world: dict[str, Any], lrn: str, **overrides: Any) -> Declaration:
    lodged = services.declaration_submit(
        data=valid(payload(lrn=lrn, **overrides)),
        declarant=world["broker"],
        by=world["users"]["broker"],
    )
    return Declaration.objects.get(pk=lodged.declaration.pk)


@pytest.fixture
def lodged(world: dict[str, Any]) -> Declaration:
    return submit(world, "VIEW-0001")


@pytest.fixture
def other_trader(world: dict[str, Any]) -> Any:
    return member("trader_declarant", OrganisationFactory(kind="trader"))


def errors_in(html: str) -> list[str]:
    summary = re.search(r"data-error-summary.*?</ul>", html, re.S)
    return re.findall(r'href="([^"]+)"', summary.group(0)) if summary else []


# --- the list -------------------------------------------------------------------------------


def test_list_shows_each_party_its_own_declarations(world, lodged, other_trader):
    users = world["users"]
    for name in ("trader", "broker", "carrier"):
        html = client_for(users[name]).get(reverse("declarations:list")).content.decode()
        assert lodged.mrn in html, name
    html = client_for(other_trader).get(reverse("declarations:list")).content.decode()
    assert lodged.mrn not in html and "No declarations yet." in html
    # An officer works from the queue: no trade declarations here, no lodging either.
    html = client_for(users["customs"]).get(reverse("declarations:list")).content.decode()
    assert lodged.mrn not in html and 'id="new-declaration"' not in html


def test_list_filters_sorts_and_pages_on_the_server(world, lodged):
    submit(world, "VIEW-0002", items=2)
    broker = client_for(world["users"]["broker"])
    url = reverse("declarations:list")
    html = broker.get(url, {"q": "VIEW-0002"}).content.decode()
    assert "VIEW-0002" in html and "VIEW-0001" not in html
    html = broker.get(url, {"status": "released"}).content.decode()
    assert "VIEW-000" not in html and "No declaration matches" in html
    html = broker.get(url, {"sort": "created"}).content.decode()
    assert html.index("VIEW-0001") < html.index("VIEW-0002")
    html = broker.get(url, {"perishable": "yes"}).content.decode()
    assert "Perishable" in html
    # htmx asks for the results only.
    fragment = broker.get(url, {"q": "VIEW"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "declarations-table" in fragment


def test_pages_ask_to_sign_in(db):
    response = Client().get(reverse("declarations:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the question pages ------------------------------------------------------------------------


def start(client: Client) -> DeclarationDraft:
    response = client.post(reverse("declarations:new"), {})
    assert response.status_code == 302
    return DeclarationDraft.objects.order_by("-pk").first()  # type: ignore[return-value]


def step(client: Client, draft: DeclarationDraft, name: str, data: dict[str, Any]) -> Any:
    return client.post(
        reverse("declarations:step", args=[draft.pk, name]), {"action": "continue", **data}
    )


ETA = (timezone.localtime() + dt.timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")
GOODS = {
    "items-0-tariff_line": "0804.40.00.00",
    "items-0-description": "Fresh Hass avocados",
    "items-0-origin_country": "MX",
    "items-0-package_type": "CT",
    "items-0-package_count": "1200",
    "items-0-gross_mass_kg": "12,600.5",
    "items-0-net_mass_kg": "12000",
    "items-0-customs_value": "24000",
    "items-0-perishable": "on",
    "items-0-documents-0-type_code": "N851",
    "items-0-documents-0-reference": "MX-PHYTO-9",
}
TRANSPORT = {
    "transport_mode": "1",
    "conveyance_ref": "MSC ANDES 123E",
    "transport_document_ref": "MSCUBL9",
    "loading_location": "mxzlo",
    "discharge_location": "PECLL",
    "office_code": "PECLL0118",
    "estimated_arrival": ETA,
    "export_country": "MX",
    "destination_country": "PE",
}


def test_lodging_through_the_question_pages(world):
    broker = client_for(world["users"]["broker"])
    draft = start(broker)
    assert draft.declarant == world["broker"]

    # Step 1 with a missing reference: an error summary linking to the field, the
    # message beside it, and what was typed kept.
    response = step(
        broker, draft, "type", {"declaration_type": "IM", "procedure_code": "4000", "lrn": ""}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert errors_in(html) == ["#f-lrn"]
    assert 'id="f-lrn-error"' in html and 'value="4000"' in html
    assert "<title>Error:" in html
    response = step(
        broker,
        draft,
        "type",
        {"declaration_type": "IM", "procedure_code": "4000", "lrn": "WEB-0001"},
    )
    assert response["Location"].endswith(f"/drafts/{draft.pk}/parties/")

    # Step 2: the importer must be a registered trader; its name comes from the register.
    response = step(broker, draft, "parties", {"parties-trader-identifier": "99999999999"})
    assert response.status_code == 400
    assert "#f-parties-trader-identifier" in errors_in(response.content.decode())
    step(
        broker,
        draft,
        "parties",
        {
            "parties-trader-identifier": "20100000001",
            "parties-carrier-identifier": "20100000004",
            "parties-terminal-identifier": "20100000005",
        },
    )
    draft.refresh_from_db()
    roles = {p["role"]: p for p in draft.data["parties"]}
    assert roles["importer"]["name"] == "Andes Fresh Produce S.A.C."
    assert roles["declarant"]["identifier"] == "20100000003"
    assert roles["carrier"]["name"] == "Pacific Lines Shipping S.A."
    assert roles["terminal"]["name"] == "Callao Container Terminal S.A."

    # Step 3: an unknown place is refused beside its field; the draft keeps it.
    response = step(broker, draft, "transport", {**TRANSPORT, "discharge_location": "XXXXX"})
    assert response.status_code == 400
    assert errors_in(response.content.decode()) == ["#f-discharge_location"]
    draft.refresh_from_db()
    assert draft.data["discharge_location"] == "XXXXX" and draft.step == "transport"
    step(broker, draft, "transport", TRANSPORT)

    # Step 4: add and remove items without JavaScript, then the goods.
    response = broker.post(
        reverse("declarations:step", args=[draft.pk, "goods"]), {**GOODS, "action": "add_item"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#f-items-1")
    draft.refresh_from_db()
    assert len(draft.data["items"]) == 2
    broker.post(
        reverse("declarations:step", args=[draft.pk, "goods"]),
        {**GOODS, "items-1-description": "", "action": "remove_item-1"},
    )
    draft.refresh_from_db()
    assert len(draft.data["items"]) == 1
    response = step(broker, draft, "goods", {**GOODS, "items-0-net_mass_kg": "13000"})
    assert response.status_code == 400  # the net mass cannot be above the gross mass
    assert errors_in(response.content.decode()) == ["#f-items-0-net_mass_kg"]
    response = step(broker, draft, "goods", GOODS)
    assert response.status_code == 302

    # Step 5: the invoice and bill of lading rows are offered on the first visit.
    html = broker.get(reverse("declarations:step", args=[draft.pk, "documents"])).content.decode()
    assert 'value="MSCUBL9"' in html
    response = step(
        broker,
        draft,
        "documents",
        {
            "invoice_currency": "USD",
            "invoice_amount": "24.000,00",
            "incoterm": "FOB",
            "documents-0-type_code": "N380",
            "documents-0-reference": "INV-9",
            "documents-0-issued_on": "2026-11-20",
            "documents-1-type_code": "N705",
            "documents-1-reference": "MSCUBL9",
        },
    )
    assert response["Location"].endswith(f"/drafts/{draft.pk}/check/")

    # Check your answers, then lodge: the confirmation has the MRN.
    html = broker.get(reverse("declarations:check", args=[draft.pk])).content.decode()
    assert "WEB-0001" in html and "0804400000" in html and "There is a problem" not in html
    assert f"/drafts/{draft.pk}/goods/?return=check#f-items-0-tariff_line" in html
    assert "Callao Container Terminal S.A." in html
    assert f"/drafts/{draft.pk}/parties/?return=check#f-parties-terminal-identifier" in html
    response = broker.post(reverse("declarations:check", args=[draft.pk]))
    declaration = Declaration.objects.get(lrn="WEB-0001")
    assert declaration.terminal is not None and declaration.terminal.code == "20100000005"
    assert response["Location"] == reverse("declarations:submitted", args=[declaration.pk])
    html = broker.get(response["Location"]).content.decode()
    assert declaration.mrn in html and "What happens next" in html
    assert "National Plant Health Service" in html
    assert declaration.is_perishable and declaration.items.get().gross_mass_kg == Decimal("12600.5")
    draft.refresh_from_db()
    assert draft.declaration == declaration and draft.submitted_at is not None
    # A second submission (back button) finds the first.
    again = broker.post(reverse("declarations:check", args=[draft.pk]))
    assert again["Location"] == reverse("declarations:submitted", args=[declaration.pk])
    assert Declaration.objects.filter(lrn="WEB-0001").count() == 1


def test_check_page_maps_a_refusal_back_to_its_step(world, lodged):
    broker = client_for(world["users"]["broker"])
    draft = start(broker)
    data = {**payload(lrn=lodged.lrn, invoice_amount="1.00"), "estimated_arrival": ETA}
    DeclarationDraft.objects.filter(pk=draft.pk).update(data=data)
    response = broker.post(reverse("declarations:check", args=[draft.pk]))
    assert response.status_code == 400
    links = errors_in(response.content.decode())
    assert links == [f"/declarations/drafts/{draft.pk}/type/?return=check#f-lrn"]


def test_check_page_lists_every_unanswered_question(world):
    broker = client_for(world["users"]["broker"])
    draft = start(broker)
    html = broker.get(reverse("declarations:check", args=[draft.pk])).content.decode()
    links = errors_in(html)
    assert any("/type/" in link and link.endswith("#f-lrn") for link in links)
    assert any("/goods/" in link and "#f-items-0-tariff_line" in link for link in links)
    assert "Item 1, National tariff line" in html


def test_save_and_come_back_later(world, other_trader):
    broker = client_for(world["users"]["broker"])
    draft = start(broker)
    response = broker.post(
        reverse("declarations:step", args=[draft.pk, "type"]),
        {"action": "save", "lrn": "LATER-1", "declaration_type": "IM"},
    )
    assert response["Location"] == reverse("declarations:list")
    html = broker.get(reverse("declarations:list")).content.decode()
    assert "LATER-1" in html and f"/drafts/{draft.pk}/type/" in html
    # Another organisation cannot open the draft.
    stranger = client_for(other_trader)
    assert stranger.get(reverse("declarations:step", args=[draft.pk, "type"])).status_code == 404
    assert stranger.post(reverse("declarations:draft_delete", args=[draft.pk])).status_code == 404
    broker.post(reverse("declarations:draft_delete", args=[draft.pk]))
    assert not DeclarationDraft.objects.filter(pk=draft.pk).exists()


def test_copy_from_a_previous_declaration(world, lodged, other_trader):
    broker = client_for(world["users"]["broker"])
    assert lodged.mrn in broker.get(reverse("declarations:new")).content.decode()
    response = broker.post(reverse("declarations:copy", args=[lodged.pk]))
    draft = DeclarationDraft.objects.order_by("-pk").first()
    assert response["Location"] == reverse("declarations:step", args=[draft.pk, "type"])
    assert draft.data["lrn"] == "" and draft.data["items"][0]["tariff_line"] == "0804400000"
    assert draft.data["conveyance_ref"] == "MSC ANDES 123E"
    assert (
        client_for(other_trader).post(reverse("declarations:copy", args=[lodged.pk])).status_code
        == 404
    )


def test_pickers_search_reference_data(world):
    broker = client_for(world["users"]["broker"])
    html = broker.get(
        reverse("declarations:pick_location"),
        {"for": "f-loading_location", "loading_location": "Manzan"},
    ).content.decode()
    assert 'data-pick-value="MXZLO"' in html and 'data-pick-target="f-loading_location"' in html
    html = broker.get(
        reverse("declarations:pick_tariff"),
        {"for": "f-items-0-tariff_line", "items-0-tariff_line": "palta"},
    ).content.decode()
    assert 'data-pick-value="0804400000"' in html


# --- the declaration page -----------------------------------------------------------------------


def test_declaration_page_for_each_party_and_404_for_others(world, lodged, other_trader):
    users = world["users"]
    url = reverse("declarations:detail", args=[lodged.pk])
    broker_html = client_for(users["broker"]).get(url).content.decode()
    assert lodged.mrn in broker_html and 'id="duties-table"' in broker_html
    assert 'id="pay-now"' in broker_html and 'id="timeline"' in broker_html
    carrier_html = client_for(users["carrier"]).get(url).content.decode()
    assert lodged.mrn in carrier_html and 'id="duties-table"' not in carrier_html
    assert client_for(other_trader).get(url).status_code == 404
    assert client_for(users["customs"]).get(url).status_code == 404  # officers: the queue
    assert (
        client_for(other_trader)
        .post(reverse("declarations:pay", args=[lodged.pk]), {"key": "k"})
        .status_code
        == 404
    )


def test_trader_never_sees_the_channel_nor_an_officers_words(world):
    load_demo_risk()  # fresh avocados from Mexico into Callao: fruit-fly alert, red
    declaration = submit(world, "VIEW-RED")
    assert declaration.channel == "red"
    plant = AgencyReview.objects.get(declaration=declaration, agency=world["plant"])
    secret = "Larvae seen in carton 17 of the previous consignment."
    review_decide(
        review=plant,
        decision="reject",
        reason=secret,
        reason_category="phytosanitary_risk",
        by=world["users"]["plant"],
    )
    for name in ("trader", "broker", "carrier"):
        html = (
            client_for(world["users"][name])
            .get(reverse("declarations:detail", args=[declaration.pk]))
            .content.decode()
        )
        assert secret not in html, name
        assert "AL-MEDFLY" not in html and "vt-channel" not in html, name
        assert ">Red<" not in html and "Channel" not in html, name
    html = (
        client_for(world["users"]["trader"])
        .get(reverse("declarations:detail", args=[declaration.pk]))
        .content.decode()
    )
    assert "Phytosanitary risk" in html and "National Plant Health Service" in html
    # In Spanish the agency is named by its Spanish official name (TFA 1.1).
    spanish = client_for(world["users"]["trader"])
    spanish.cookies["ventanilla_language"] = "es"
    html = spanish.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert 'lang="es"' in html
    assert "Servicio Nacional de Sanidad Vegetal" in html
    assert "National Plant Health Service" not in html


def test_pay_now_through_the_sandbox(world, lodged, django_capture_on_commit_callbacks):
    broker = client_for(world["users"]["broker"])
    url = reverse("declarations:detail", args=[lodged.pk])
    key = re.search(r'name="key" value="(\w+)"', broker.get(url).content.decode()).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = broker.post(reverse("declarations:pay", args=[lodged.pk]), {"key": key})
    assert response["Location"] == url
    assert financial_state(declaration=lodged).settled_for_release
    html = broker.get(url).content.decode()
    assert 'id="money-settled"' in html and 'data-status="confirmed"' in html
    assert 'id="pay-now"' not in html
    # The same key again changes nothing; without one the payment is refused.
    response = broker.post(reverse("declarations:pay", args=[lodged.pk]), {"key": ""})
    assert response.status_code in (400, 409)
    assert "There is a problem" in response.content.decode()


def test_use_guarantee(world, lodged):
    trader = client_for(world["users"]["trader"])
    url = reverse("declarations:detail", args=[lodged.pk])
    assert 'id="use-guarantee"' in trader.get(url).content.decode()
    response = trader.post(reverse("declarations:guarantee", args=[lodged.pk]))
    assert response["Location"] == url
    money = financial_state(declaration=lodged)
    assert money.settled_for_release and money.guaranteed == money.outstanding > 0
    # The broker's organisation holds no guarantee: no button for it.
    html = client_for(world["users"]["broker"]).get(url).content.decode()
    assert 'id="use-guarantee"' not in html


def test_answer_an_information_request(world, lodged):
    plant = AgencyReview.objects.get(declaration=lodged, agency=world["plant"])
    asked = information_request(
        review=plant, message="Send the packing list, please.", by=world["users"]["plant"]
    )
    trader = client_for(world["users"]["trader"])
    url = reverse("declarations:detail", args=[lodged.pk])
    html = trader.get(url).content.decode()
    assert "Send the packing list, please." in html
    answer_url = reverse("declarations:answer", args=[lodged.pk, asked.pk])
    response = trader.post(answer_url, {f"r{asked.pk}-answer": ""})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    response = trader.post(answer_url, {f"r{asked.pk}-answer": "Attached as PL-77."})
    assert response["Location"] == url
    asked.refresh_from_db()
    assert asked.status == "answered" and asked.answer == "Attached as PL-77."
    carrier = client_for(world["users"]["carrier"])
    assert carrier.post(answer_url, {f"r{asked.pk}-answer": "x"}).status_code == 404


def test_second_test_after_an_adverse_result(world):
    load_demo_risk()
    declaration = submit(world, "VIEW-LAB")
    users = world["users"]
    plant = AgencyReview.objects.get(declaration=declaration, agency=world["plant"])
    review_decide(
        review=plant,
        decision="inspect",
        reason="Check for larvae",
        reason_category="phytosanitary_risk",
        by=users["plant"],
    )
    inspection = inspection_book(declaration=declaration, location="PECLL", by=users["plant"])
    participant = inspection.participants.get(agency=world["plant"])
    inspection_record_result(participant=participant, result="sample_taken", by=users["plant"])
    sample = sample_record(participant=participant, reference="S-1", lab="Lab A", by=users["plant"])
    sample_result_record(sample=sample, result="Larvae found", adverse=True, by=users["plant"])
    trader = client_for(users["trader"])
    html = trader.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert "Ask for a second test" in html and "Larvae found" not in html
    response = trader.post(
        reverse("declarations:second_test", args=[declaration.pk, sample.pk]),
        {"lab": "Lab B", "reason": "Accredited elsewhere"},
    )
    assert response.status_code == 302
    assert SecondTestRequest.objects.get(sample=sample).lab == "Lab B"


def test_amend_with_a_reason(world, lodged):
    broker = client_for(world["users"]["broker"])
    response = broker.post(reverse("declarations:amend", args=[lodged.pk]))
    draft = DeclarationDraft.objects.get(amends=lodged)
    assert response["Location"] == reverse("declarations:check", args=[draft.pk])
    html = broker.get(response["Location"]).content.decode()
    assert "Reason for the amendment" in html and "Submit the amendment" in html
    data = dict(draft.data)
    data["items"] = [{**data["items"][0], "package_count": "1300"}]
    data["estimated_arrival"] = ETA
    DeclarationDraft.objects.filter(pk=draft.pk).update(data=data)
    response = broker.post(reverse("declarations:check", args=[draft.pk]), {"reason": ""})
    assert response.status_code == 400
    response = broker.post(
        reverse("declarations:check", args=[draft.pk]), {"reason": "Packages recounted at origin"}
    )
    assert response["Location"] == reverse("declarations:submitted", args=[lodged.pk])
    lodged.refresh_from_db()
    assert lodged.version == 2 and lodged.items.get().package_count == 1300
    # Only the declarant amends: the trader, for whom the broker lodged, cannot.
    trader = client_for(world["users"]["trader"])
    assert trader.post(reverse("declarations:amend", args=[lodged.pk])).status_code == 404


def test_cancel_with_a_reason(world, lodged):
    broker = client_for(world["users"]["broker"])
    url = reverse("declarations:cancel", args=[lodged.pk])
    assert "Why do you cancel" in broker.get(url).content.decode()
    response = broker.post(url, {"reason": ""})
    assert response.status_code == 400 and errors_in(response.content.decode()) == ["#id_reason"]
    response = broker.post(url, {"reason": "Order cancelled by the buyer"})
    lodged.refresh_from_db()
    assert response.status_code == 302 and lodged.status == "cancelled"
    assert client_for(world["users"]["trader"]).get(url).status_code == 404


def test_a_cancelled_declaration_offers_no_payment(world, lodged):
    trader = client_for(world["users"]["trader"])
    page = reverse("declarations:detail", args=[lodged.pk])
    before = trader.get(page).content.decode()
    assert 'id="pay-now"' in before and 'id="money-closed"' not in before
    broker = client_for(world["users"]["broker"])
    broker.post(reverse("declarations:cancel", args=[lodged.pk]), {"reason": "Order cancelled"})
    after = trader.get(page).content.decode()
    assert 'id="pay-now"' not in after and 'id="use-guarantee"' not in after
    assert "Nothing is due: no duties fall due on goods whose declaration was cancelled" in after


def test_banners_for_what_changed_and_mark_as_read(world, lodged):
    trader_user = world["users"]["trader"]
    trader = client_for(trader_user)
    url = reverse("declarations:detail", args=[lodged.pk])
    html = trader.get(url).content.decode()
    assert 'id="changes"' in html
    assert notice_unread_count(user=trader_user, declaration_id=lodged.pk) > 0
    trader.post(reverse("declarations:notices_read", args=[lodged.pk]))
    assert notice_unread_count(user=trader_user, declaration_id=lodged.pk) == 0
    assert 'id="changes"' not in trader.get(url).content.decode()


def test_spanish_pages(world, lodged):
    broker = client_for(world["users"]["broker"])
    broker.cookies["ventanilla_language"] = "es"
    html = broker.get(reverse("declarations:detail", args=[lodged.pk])).content.decode()
    assert '<html lang="es">' in html
    assert InformationRequest.objects.count() == 0
