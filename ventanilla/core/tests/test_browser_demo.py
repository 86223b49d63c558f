"""The demo, driven through a real Chromium (Playwright, sync API), in English and Spanish.

Uses Debian's chromium at /usr/bin/chromium (never Playwright's own download) against
pytest-django's live server, with the data of ``ventanilla load_demo``.

Set ``VENTANILLA_SCREENSHOTS=/some/dir`` to keep a screenshot of every step.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect, sync_playwright

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
DEMO_PASSWORD = "demo-Ventanilla-2026"
# Every demo sign-in and the organisation its "My account" page must show, by language
# (None: the platform administrator, who acts for no organisation). Companies keep their
# legal name; public bodies show their official name in the page's language.
DEMO_USERS = [
    ("trader@demo.ventanilla", "Andes Fresh Produce S.A.C."),
    ("broker@demo.ventanilla", "Callao Customs Brokers S.A.C."),
    ("carrier@demo.ventanilla", "Pacific Lines Shipping S.A."),
    ("terminal@demo.ventanilla", "Callao Container Terminal S.A."),
    (
        "customs@demo.ventanilla",
        {"en": "National Customs Service", "es": "Servicio Nacional de Aduanas"},
    ),
    (
        "plant@demo.ventanilla",
        {"en": "National Plant Health Service", "es": "Servicio Nacional de Sanidad Vegetal"},
    ),
    (
        "food@demo.ventanilla",
        {
            "en": "National Food Safety Authority",
            "es": "Autoridad Nacional de Inocuidad Alimentaria",
        },
    ),
    (
        "committee@demo.ventanilla",
        {
            "en": "National Trade Facilitation Committee",
            "es": "Comité Nacional de Facilitación del Comercio",
        },
    ),
    ("admin@demo.ventanilla", None),
]
SEARCH_WORD = {"en": "avocado", "es": "aguacate"}
AVOCADO = {"en": re.compile("avocado", re.I), "es": re.compile("Aguacates \\(paltas\\)")}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


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


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("VENTANILLA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _watch(page: Page, base_url: str) -> list[str]:
    """Collects page errors and any request to another host (no CDN, no web fonts)."""
    problems: list[str] = []
    host = urlsplit(base_url).netloc
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def check(request) -> None:  # type: ignore[no-untyped-def]
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https") and parts.netloc != host:
            problems.append(f"request to another host: {request.url}")

    page.on("request", check)
    return problems


def _html_lang(page: Page, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)


def _sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("#sign-in button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/")
    expect(page.locator("#sign-out")).to_be_visible()


def _sign_out(page: Page) -> None:
    page.locator("#sign-out button").click()
    expect(page.locator("#sign-in-link")).to_be_visible()


@pytest.mark.parametrize("language", ["en", "es"])
def test_demo_walkthrough(live_server, demo, browser: Browser, language: str) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    problems = _watch(page, base)

    # A newcomer arrives in English and switches language with the switcher.
    page.goto(f"{base}/")
    _html_lang(page, "en")
    page.locator(f'.vt-language button[lang="{language}"]').click()
    _html_lang(page, language)
    expect(page.locator(f'.vt-language button[lang="{language}"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    _shot(page, f"{language}-01-home")

    # The home page's search box leads to the HS search.
    page.locator("#home-q").fill(SEARCH_WORD[language])
    page.locator("#home-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/reference/hs/\?q="))
    _html_lang(page, language)
    result = page.locator("#hs-results a", has_text="0804.40")
    expect(result).to_be_visible()
    _shot(page, f"{language}-02-search-word")

    # Search as you type, by code: htmx swaps the results and keeps the address current.
    page.locator("#hs-q").fill("")
    page.locator("#hs-q").press_sequentially("0804", delay=30)
    expect(page).to_have_url(re.compile(r"q=0804$"))
    expect(page.locator("#hs-results a", has_text="0804.40")).to_be_visible()
    expect(page.locator("#hs-results")).to_contain_text("08.04")
    _shot(page, f"{language}-03-search-code")

    # The subheading's page, in the chosen language, with its breadcrumb.
    page.locator("#hs-results a", has_text="0804.40").click()
    expect(page).to_have_url(f"{base}/reference/hs/080440/")
    expect(page.locator("h1")).to_contain_text("0804.40")
    expect(page.locator("h1")).to_contain_text(AVOCADO[language])
    expect(page.locator(".usa-breadcrumb")).to_contain_text("08.04")
    _html_lang(page, language)
    _shot(page, f"{language}-04-subheading")

    # Every demo role signs in, sees its organisation on "My account", and signs out.
    for email, organisation in DEMO_USERS:
        _sign_in(page, base, email)
        if language != "en":
            # The demo users prefer English; switching while signed in is kept on the user.
            _html_lang(page, "en")
            page.locator(f'.vt-language button[lang="{language}"]').click()
        _html_lang(page, language)
        page.locator('.usa-nav a[href="/accounts/me/"]').click()
        expect(page).to_have_url(f"{base}/accounts/me/")
        expect(page.locator("main")).to_contain_text(email)
        if organisation:
            name = organisation if isinstance(organisation, str) else organisation[language]
            expect(page.locator("#my-organisations")).to_contain_text(name)
        else:
            expect(page.locator('main a[href="/admin/"]')).to_be_visible()
        _shot(page, f"{language}-05-me-{email.split('@')[0]}")
        _sign_out(page)
        _html_lang(page, language)

    # The language chosen while signed in came back with the user's next sign-in.
    _sign_in(page, base, DEMO_USERS[0][0])
    _html_lang(page, language)
    _sign_out(page)

    context.close()
    assert problems == []


@pytest.mark.parametrize("language", ["en", "es"])
def test_phone(live_server, demo, browser: Browser, language: str) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.add_cookies([{"name": "ventanilla_language", "value": language, "url": base}])
    page = context.new_page()
    problems = _watch(page, base)

    page.goto(f"{base}/")
    _html_lang(page, language)
    _shot(page, f"{language}-phone-01-home")
    # The menu opens from its button and leads to the HS browser.
    expect(page.locator(".usa-nav")).to_be_hidden()
    page.locator(".usa-menu-btn").click()
    expect(page.locator(".usa-nav")).to_be_visible()
    _shot(page, f"{language}-phone-02-menu")
    page.locator('.usa-nav a[href="/reference/hs/"]').click()
    page.locator("#hs-q").press_sequentially("palta", delay=30)
    expect(page.locator("#hs-results a", has_text="0804.40")).to_be_visible()
    _shot(page, f"{language}-phone-03-search")
    page.goto(f"{base}/reference/locations/?country=PE")
    expect(page.locator("#location-results table")).to_be_visible()
    _shot(page, f"{language}-phone-04-locations")
    context.close()
    assert problems == []


def test_works_without_javascript(live_server, demo, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/")
    # Without JavaScript the menu is shown in the page, not behind its button.
    expect(page.locator(".usa-menu-btn")).to_be_hidden()
    expect(page.locator('.usa-nav a[href="/reference/hs/"]')).to_be_visible()
    # The switcher is a plain form.
    page.locator('.vt-language button[lang="es"]').click()
    _html_lang(page, "es")
    # The search is a plain GET form.
    page.locator("#home-q").fill("palta")
    page.locator("#home-q").press("Enter")
    expect(page.locator("#hs-results a", has_text="0804.40")).to_be_visible()
    _shot(page, "nojs-search")
    # Signing in and out are plain forms too.
    _sign_in(page, base, DEMO_USERS[0][0])
    _sign_out(page)
    context.close()
