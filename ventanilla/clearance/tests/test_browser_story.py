"""The single-window story, driven through a real Chromium in English and in Spanish:
lodge once, every agency acts, the goods are released on arrival.

A broker lodges a pre-arrival import of fresh avocados from Mexico on the guided
question pages; customs (the fruit-fly import alert selects it) and plant health meet at
ONE joint inspection and record their results on site; food safety, whose turn comes
once plant health approves, decides; the broker pays the duties through the sandbox
provider; the carrier reports the vessel's arrival and the goods are released at once;
the trader and the carrier read every notice in the test's language.

Debian's chromium (never Playwright's download), pytest-django's live server, the data
of ``ventanilla load_demo``. Screenshots of key steps go to /tmp/story-<lang>-*.png
(``VENTANILLA_STORY_SHOTS`` changes the folder).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from playwright.sync_api import Browser, Page, expect, sync_playwright

from ventanilla.agencies.models import Inspection
from ventanilla.declarations.choices import Status
from ventanilla.declarations.models import Declaration
from ventanilla.notifications.kinds import KINDS
from ventanilla.notifications.models import Notice

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "demo-Ventanilla-2026"
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}
VESSEL = "MSC ANDES 123E"
SEARCH = {"en": "avocado", "es": "palta"}
# Public bodies are named in the reader's language (the demo's official names).
PLANT_HEALTH = {"en": "National Plant Health Service", "es": "Servicio Nacional de Sanidad Vegetal"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; Django would then refuse
    # the test's own database calls, which are not async at all.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("load_demo", verbosity=0)


class Story:
    """One language's run: pages per user, screenshots, problems seen by the browser."""

    def __init__(self, browser: Browser, base: str, language: str) -> None:
        self.browser, self.base, self.language = browser, base, language
        self.problems: list[str] = []
        self.shots = 0
        self.folder = Path(os.environ.get("VENTANILLA_STORY_SHOTS", "/tmp"))

    def page_for(self, email: str, viewport: dict[str, int] = DESKTOP, **kw: object) -> Page:
        context = self.browser.new_context(viewport=viewport, locale="en-GB", **kw)  # type: ignore[arg-type]
        page = context.new_page()
        host = urlsplit(self.base).netloc
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

        def check(request) -> None:  # type: ignore[no-untyped-def]
            parts = urlsplit(request.url)
            if parts.scheme in ("http", "https") and parts.netloc != host:
                self.problems.append(f"request to another host: {request.url}")

        page.on("request", check)
        page.goto(f"{self.base}/accounts/login/")
        page.locator("#id_username").fill(email)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("#sign-in button[type=submit]").click()
        expect(page.locator("#sign-out")).to_be_attached()
        if page.locator("html").get_attribute("lang") != self.language:
            # The choice is kept on the user: the next pages come in this language.
            switch = page.locator(f'.vt-language button[lang="{self.language}"]')
            if not switch.is_visible():
                page.locator(".usa-menu-btn").click()
            switch.click()
        expect(page.locator("html")).to_have_attribute("lang", self.language)
        return page

    def shot(self, page: Page, name: str, full_page: bool = True) -> None:
        self.shots += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"story-{self.language}-{self.shots:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)


def _nav(page: Page, link_id: str) -> None:
    link = page.locator(f"#{link_id}")
    if not link.is_visible():
        page.locator(".usa-menu-btn").click()
    link.click()


def _pick(page: Page, field: str, typed: str, value: str) -> None:
    """Search as you type, then choose the suggestion."""
    box = page.locator(f"#{field}")
    box.fill("")
    box.press_sequentially(typed, delay=40)
    page.locator(f'#{field}-picks button[data-pick-value="{value}"]').click()
    expect(box).to_have_value(value)


def _lodge(story: Story, page: Page, lrn: str) -> str:
    """The broker's question pages, from "New declaration" to the MRN."""
    _nav(page, "nav-declarations")
    page.locator("#new-declaration").click()
    story.shot(page, "broker-start")
    page.locator("#start").click()

    # 1. Type of declaration: leaving the reference out shows the error summary.
    expect(page.locator("#f-declaration_type-IM")).to_be_checked()
    page.locator("#continue").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary.locator('a[href="#f-lrn"]')).to_be_visible()
    expect(page.locator("#f-lrn-error")).to_be_visible()
    story.shot(page, "broker-step1-error")
    page.locator("#f-lrn").fill(lrn)
    page.locator("#continue").click()

    # 2. Who is involved: registered parties by their tax number.
    page.locator("#f-parties-trader-identifier").fill("20100000001")
    page.locator("#f-parties-partner-name").fill("Aguacates del Pacífico S.A. de C.V.")
    page.locator("#f-parties-partner-country").select_option("MX")
    page.locator("#f-parties-carrier-identifier").fill("20100000004")
    page.locator("#f-parties-terminal-identifier").fill("20100000005")
    page.locator("#continue").click()

    # 3. Transport and arrival, with the UN/LOCODE picker.
    page.locator("#f-transport_mode").select_option("1")
    page.locator("#f-conveyance_ref").fill(VESSEL)
    page.locator("#f-transport_document_ref").fill(f"MSCU{lrn[-6:]}")
    _pick(page, "f-loading_location", "Manzan", "MXZLO")
    page.locator("#f-discharge_location").fill("PECLL")
    page.locator("#f-office_code").select_option("PECLL0118")
    eta = timezone.localtime() + dt.timedelta(days=3)
    page.locator("#f-estimated_arrival").fill(eta.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#f-export_country").select_option("MX")
    story.shot(page, "broker-step3-transport")
    page.locator("#continue").click()

    # 4. Goods, with the tariff picker searched in the page's language.
    _pick(page, "f-items-0-tariff_line", SEARCH[story.language], "0804400000")
    page.locator("#f-items-0-description").fill("Fresh Hass avocados, 10 kg cartons")
    page.locator("#f-items-0-origin_country").select_option("MX")
    page.locator("#f-items-0-package_type").select_option("CT")
    page.locator("#f-items-0-package_count").fill("1200")
    page.locator("#f-items-0-gross_mass_kg").fill("12600")
    page.locator("#f-items-0-net_mass_kg").fill("12000")
    page.locator("#f-items-0-customs_value").fill("24000")
    page.locator('label[for="f-items-0-perishable"]').click()
    page.locator("#f-items-0-documents-0-type_code").select_option("N851")
    page.locator("#f-items-0-documents-0-reference").fill(f"MX-PHYTO-{lrn[-6:]}")
    story.shot(page, "broker-step4-goods")
    page.locator("#continue").click()

    # 5. Invoice and documents (the invoice and bill of lading rows are offered).
    page.locator("#f-invoice_currency").select_option("USD")
    page.locator("#f-invoice_amount").fill("24000")
    page.locator("#f-incoterm").select_option("FOB")
    expect(page.locator("#f-documents-0-type_code")).to_have_value("N380")
    page.locator("#f-documents-0-reference").fill(f"INV-{lrn[-6:]}")
    page.locator("#continue").click()

    # 6. Check your answers, then lodge.
    expect(page.locator("#check-lrn")).to_have_text(lrn)
    expect(page.locator("[data-error-summary]")).to_have_count(0)
    story.shot(page, "broker-check")
    page.locator("#lodge").click()
    expect(page.locator("#mrn")).to_be_visible()
    story.shot(page, "broker-confirmation")
    return page.locator("#mrn").inner_text().strip()


def _open_case(page: Page, mrn: str) -> None:
    _nav(page, "nav-queue")
    row = page.locator("#queue tr", has_text=mrn)
    expect(row.locator(".vt-tag--perishable")).to_be_visible()
    row.locator("a").click()


def _decide(page: Page, decision: int, reason: str, category: str = "") -> None:
    page.locator(f'label[for="id_decision_{decision}"]').click()
    if category:
        page.locator("#id_reason_category").select_option(category)
    page.locator("#id_reason").fill(reason)
    page.locator("#record-decision").click()


def _record_result(story: Story, page: Page, name: str) -> None:
    page.locator("#open-inspection").click()
    page.locator('label[for="id_result_0"]').click()  # no irregularity
    story.shot(page, name)
    page.locator("#record-result").click()
    expect(page.locator(".usa-alert--success")).to_be_visible()


def _expect_notices(story: Story, page: Page, mrn: str, kinds: tuple[str, ...]) -> None:
    _nav(page, "nav-notices")
    notices = page.locator("#notices")
    for kind in kinds:
        with translation.override(story.language):
            title = str(KINDS[kind].title) % {"reference": mrn}
        expect(notices.locator(f'[data-kind="{kind}"]', has_text=title).first).to_be_visible()


@pytest.mark.parametrize("language", ["en", "es"])
def test_lodge_once_every_agency_acts_released_on_arrival(  # type: ignore[no-untyped-def]
    live_server, demo, browser: Browser, language: str
) -> None:
    story = Story(browser, live_server.url, language)
    lrn = f"STORY-{language.upper()}-000001"
    internal = "Fruit fly import alert: open 10 % of the cartons at the inspection area."

    # The broker lodges once, before the goods arrive.
    broker = story.page_for("broker@demo.ventanilla")
    mrn = _lodge(story, broker, lrn)
    declaration = Declaration.objects.get(mrn=mrn)
    assert declaration.is_perishable and declaration.arrived_at is None

    # Customs: the import alert selected the goods; the officer sees the channel and the
    # profile on the whole case, and books the joint inspection (first free slot).
    customs = story.page_for("customs@demo.ventanilla")
    _open_case(customs, mrn)
    expect(customs.locator("#risk")).to_contain_text("AL-MEDFLY-0804")
    customs.locator("#book-inspection").click()
    expect(customs.locator("#inspection-facts")).to_be_visible()
    story.shot(customs, "customs-case-booked")

    # Plant health decides to inspect too, in one action with its reason: it joins the
    # appointment already booked — the goods are presented once (TFA 8).
    plant = story.page_for("plant@demo.ventanilla", viewport=TABLET, has_touch=True)
    _open_case(plant, mrn)
    _decide(plant, 2, internal, "phytosanitary_risk")
    expect(plant.locator("#inspection-facts")).to_contain_text(PLANT_HEALTH[language])
    story.shot(plant, "plant-case-joined")
    inspections = Inspection.objects.filter(declaration=declaration)
    assert inspections.count() == 1 and inspections.get().participants.count() == 2

    # Both record their results on site.
    _record_result(story, plant, "plant-onsite-tablet")
    customs.reload()
    _record_result(story, customs, "customs-onsite")
    assert inspections.get().status == "completed"

    # Food safety acts once plant health has approved (sequencing).
    food = story.page_for("food@demo.ventanilla")
    _open_case(food, mrn)
    _decide(food, 0, "Cold chain records in order.")
    story.shot(food, "food-approved")

    # The broker sees the duties before paying and pays through the sandbox provider.
    broker.goto(f"{story.base}/declarations/{declaration.pk}/")
    expect(broker.locator("#duties-total")).to_be_visible()
    story.shot(broker, "broker-duties")
    broker.locator("#pay-now").click()
    expect(broker.locator("#money-settled")).to_be_visible()
    with translation.override(language):
        ready = str(Status.READY_FOR_RELEASE.label)
        released = str(Status.RELEASED.label)
    expect(broker.locator("#declaration-status")).to_contain_text(ready)

    # The carrier reports the vessel's arrival in one action: released at once.
    carrier = story.page_for("carrier@demo.ventanilla")
    _nav(carrier, "nav-arrivals")
    story.shot(carrier, "carrier-arrivals")
    carrier.locator("#id_conveyance_ref").fill(VESSEL)
    carrier.locator("#report-arrival").click()
    expect(carrier.locator(f'[data-released="{VESSEL}"]')).to_contain_text(mrn)
    story.shot(carrier, "carrier-releases")
    declaration.refresh_from_db()
    assert declaration.status == Status.RELEASED and declaration.released_at is not None

    # The trader sees the release and every notice in its language, never the channel,
    # the risk profile nor the officer's words.
    trader = story.page_for(
        "trader@demo.ventanilla", viewport=PHONE, is_mobile=True, has_touch=True
    )
    _nav(trader, "nav-declarations")
    trader.locator("#declarations-table a", has_text=mrn).click()
    expect(trader.locator("#declaration-status")).to_contain_text(released)
    story.shot(trader, "trader-released-phone")
    story.shot(trader, "trader-released-phone-top", full_page=False)
    html = trader.content()
    assert "AL-MEDFLY" not in html and internal not in html and "vt-channel" not in html
    kinds = ("inspection_selected", "inspection_ended", "released")
    _expect_notices(story, trader, mrn, kinds)
    story.shot(trader, "trader-notices-phone")
    _expect_notices(story, carrier, mrn, kinds)
    story.shot(carrier, "carrier-notices")
    # The terminal holding the goods is told at the same moment, and lists them as free
    # to leave (TFA 7.1).
    terminal = story.page_for("terminal@demo.ventanilla")
    _expect_notices(story, terminal, mrn, kinds)
    _nav(terminal, "nav-releases")
    expect(terminal.locator(f'[data-released="{VESSEL}"]')).to_contain_text(mrn)
    story.shot(terminal, "terminal-releases")
    told = Notice.objects.filter(declaration_id=declaration.pk, kind="released")
    assert len({n.created_at for n in told}) == 1
    assert sorted(told.values_list("organisation__code", flat=True)) == sorted(
        ["20100000001", "20100000003", "20100000004", "20100000005"]
    )

    assert story.problems == []


def test_question_pages_work_without_javascript(  # type: ignore[no-untyped-def]
    live_server, demo, browser: Browser
) -> None:
    """Without JavaScript the pickers are plain fields and every button posts."""
    story = Story(browser, live_server.url, "en")
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{story.base}/accounts/login/")
    page.locator("#id_username").fill("broker@demo.ventanilla")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#sign-in button[type=submit]").click()
    page.goto(f"{story.base}/declarations/new/")
    page.locator("#start").click()
    page.locator("#f-lrn").fill("NOJS-000001")
    page.locator("#continue").click()
    page.locator("#f-parties-trader-identifier").fill("20100000001")
    page.locator("#continue").click()
    page.locator("#f-loading_location").fill("MXZLO")
    expect(page.locator("#f-loading_location-picks")).to_be_empty()
    page.locator("#continue").click()
    # Transport is incomplete: the summary links to each field, the typed value stays.
    expect(page.locator("[data-error-summary]")).to_be_visible()
    expect(page.locator("#f-loading_location")).to_have_value("MXZLO")
    page.goto(re.sub(r"/transport/$", "/goods/", page.url))
    page.locator("#add-item").click()
    expect(page.locator("#f-items-1")).to_be_attached()
    page.locator('button[value="remove_item-1"]').click()
    expect(page.locator("#f-items-1")).to_have_count(0)
    context.close()
