"""The home page and the base template every page shares."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_page(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Find the HS code for your product" in html
    assert 'action="/reference/hs/"' in html
    assert 'name="q"' in html
    for url in ("/reference/hs/", "/reference/countries/", "/reference/locations/"):
        assert f'href="{url}"' in html


def test_base_template_landmarks_and_assets(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get(reverse("core:home")).content.decode()
    assert '<html lang="en">' in html
    assert 'class="usa-skipnav" href="#main-content"' in html
    assert '<main id="main-content"' in html
    assert "<header" in html and "<footer" in html and "<nav" in html
    assert "— Ventanilla</title>" in html
    assert 'aria-current="page"' in html  # the nav marks where the user is
    # Assets come from this site only.
    for asset in (
        "/static/vendor/uswds/css/uswds.min.css",
        "/static/vendor/uswds/js/uswds-init.min.js",
        "/static/vendor/uswds/js/uswds.min.js",
        "/static/vendor/htmx/htmx.min.js",
    ):
        assert asset in html
    assert "https://" not in html.replace("https://evil", "")


def test_language_switcher_works_without_javascript(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get(reverse("reference:hs") + "?q=x").content.decode()
    assert 'method="post" action="/accounts/language/"' in html
    assert 'name="next" value="/reference/hs/?q=x"' in html
    assert 'lang="es"' in html and "Español" in html
    assert 'lang="en"' in html and "English" in html


def test_spanish_by_cookie(client) -> None:  # type: ignore[no-untyped-def]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    html = client.get(reverse("core:home")).content.decode()
    assert '<html lang="es">' in html
    # The current language is pressed in the switcher.
    assert (
        'value="es"\n                  lang="es"' in html or 'aria-pressed="true">Español' in html
    )


def test_spanish_by_accept_language(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get(reverse("core:home"), headers={"Accept-Language": "es"}).content.decode()
    assert '<html lang="es">' in html


def test_not_found_page(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
