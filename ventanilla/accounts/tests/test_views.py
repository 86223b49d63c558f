"""Account pages: sign in and out, language, password reset, My account and API tokens."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from ventanilla.accounts import services
from ventanilla.accounts.models import ApiToken
from ventanilla.accounts.tests.factories import UserFactory, member
from ventanilla.core.errors import BusinessError

pytestmark = pytest.mark.django_db

PASSWORD = "pass-Word-123"  # the factories' password


@pytest.mark.parametrize(
    "name",
    ["accounts:me"],
)
def test_account_pages_need_sign_in(client, name) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_token_actions_need_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    for url in (
        reverse("accounts:token_create", args=[1]),
        reverse("accounts:token_revoke", args=[1]),
    ):
        response = client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_sign_in_page(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "E-mail address" in html
    assert 'autocomplete="email"' in html
    assert 'class="usa-input"' in html or "usa-input" in html


def test_sign_in_sets_the_users_language(client) -> None:  # type: ignore[no-untyped-def]
    user = member("trader_declarant", preferred_language="es")
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    home = client.get(reverse("core:home"))
    assert '<html lang="es">' in home.content.decode()


def test_sign_in_failure_shows_an_error_summary_and_keeps_the_email(client) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory()
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'value="{user.email}"' in html
    assert "<title>Error: Sign in — Ventanilla</title>" in html


def test_sign_out_is_post_only(client) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:me")).status_code == 302


def test_language_switch_anonymous(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        reverse("accounts:language"), {"language": "es", "next": "/reference/hs/?q=palta"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/reference/hs/?q=palta"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_language_switch_ignores_foreign_next(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        reverse("accounts:language"), {"language": "es", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_language_switch_is_kept_on_the_user(client) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(preferred_language="en")
    client.force_login(user)
    response = client.post(reverse("accounts:language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    user.refresh_from_db()
    assert user.preferred_language == "es"


def test_language_switch_needs_post(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get(reverse("accounts:language")).status_code == 405


def test_password_reset_sends_the_link_in_the_users_language(client) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(preferred_language="en", email="rosa@example.test")
    response = client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your Ventanilla password"
    link = re.search(r"https?://testserver(/accounts/password-reset/\S+/)", message.body)
    assert link is not None
    confirm = client.get(link.group(1), follow=True)
    assert confirm.status_code == 200
    assert "Choose a new password" in confirm.content.decode()
    done = client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": "a-New-passw0rd-2026", "new_password2": "a-New-passw0rd-2026"},
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("a-New-passw0rd-2026")


def test_password_reset_pages_render(client) -> None:  # type: ignore[no-untyped-def]
    for name in (
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_complete",
    ):
        assert client.get(reverse(name)).status_code == 200
    bad = client.get(reverse("accounts:password_reset_confirm", args=["xx", "yy"]))
    assert bad.status_code == 200
    assert "This link no longer works" in bad.content.decode()


# --- My account -----------------------------------------------------------------------


def test_my_account_lists_organisations_and_roles(client) -> None:  # type: ignore[no-untyped-def]
    user = member("carrier_operator")
    org = user.memberships.get().organisation
    client.force_login(user)
    response = client.get(reverse("accounts:me"))
    assert response.status_code == 200
    html = response.content.decode()
    assert org.name in html
    assert "Carrier or terminal operator" in html
    # A carrier operator may not manage the organisation: no members, no tokens.
    assert "API tokens" not in html


def test_my_account_for_a_manager_shows_members_and_tokens(client) -> None:  # type: ignore[no-untyped-def]
    admin = member("trader_admin")
    org = admin.memberships.get().organisation
    colleague = member("trader_declarant", organisation=org)
    client.force_login(admin)
    html = client.get(reverse("accounts:me")).content.decode()
    assert colleague.email in html
    assert "API tokens" in html
    assert "Create the token" in html


def test_create_and_revoke_a_token(client) -> None:  # type: ignore[no-untyped-def]
    admin = member("trader_admin")
    org = admin.memberships.get().organisation
    client.force_login(admin)
    response = client.post(
        reverse("accounts:token_create", args=[org.pk]),
        {f"org{org.pk}-name": "ERP", f"org{org.pk}-user": str(admin.pk)},
    )
    assert response.status_code == 200
    html = response.content.decode()
    token = ApiToken.objects.get(organisation=org)
    secret = re.search(r'id="new-token-secret"[^>]*value="(vt_[^"]+)"', html)
    assert secret is not None and secret.group(1).startswith(f"vt_{token.prefix}_")
    # Shown once: the account page does not show it again.
    assert secret.group(1) not in client.get(reverse("accounts:me")).content.decode()

    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_form_errors_are_summarised_and_keep_the_input(client) -> None:  # type: ignore[no-untyped-def]
    admin = member("trader_admin")
    org = admin.memberships.get().organisation
    client.force_login(admin)
    response = client.post(
        reverse("accounts:token_create", args=[org.pk]),
        {
            f"org{org.pk}-name": "",
            f"org{org.pk}-user": str(admin.pk),
            f"org{org.pk}-expires_at": "2001-01-01",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'href="#id_org{org.pk}-name"' in html
    assert "The date must be today or later." in html
    assert ApiToken.objects.count() == 0


def test_business_error_is_shown_as_an_error_summary(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    admin = member("trader_admin")
    org = admin.memberships.get().organisation
    client.force_login(admin)

    def refuse(**kwargs):  # type: ignore[no-untyped-def]
        raise BusinessError.single(
            "token_user_not_member", "The token's user must be a member.", "user"
        )

    monkeypatch.setattr(services, "api_token_create", refuse)
    response = client.post(
        reverse("accounts:token_create", args=[org.pk]),
        {f"org{org.pk}-name": "ERP", f"org{org.pk}-user": str(admin.pk)},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'<a href="#id_org{org.pk}-user">The token&#x27;s user must be a member.</a>' in html
    assert 'value="ERP"' in html  # the page keeps what the user typed
    assert ApiToken.objects.count() == 0


def test_other_organisations_tokens_are_out_of_reach(client) -> None:  # type: ignore[no-untyped-def]
    admin_a = member("trader_admin")
    admin_b = member("trader_admin")
    org_b = admin_b.memberships.get().organisation
    client.force_login(admin_a)
    response = client.post(
        reverse("accounts:token_create", args=[org_b.pk]),
        {f"org{org_b.pk}-name": "x", f"org{org_b.pk}-user": str(admin_a.pk)},
    )
    assert response.status_code == 404
    client.force_login(admin_b)
    client.post(
        reverse("accounts:token_create", args=[org_b.pk]),
        {f"org{org_b.pk}-name": "b", f"org{org_b.pk}-user": str(admin_b.pk)},
    )
    token = ApiToken.objects.get(organisation=org_b)
    client.force_login(admin_a)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_declarant_cannot_create_tokens(client) -> None:  # type: ignore[no-untyped-def]
    user = member("trader_declarant")
    org = user.memberships.get().organisation
    client.force_login(user)
    response = client.post(
        reverse("accounts:token_create", args=[org.pk]),
        {f"org{org.pk}-name": "x", f"org{org.pk}-user": str(user.pk)},
    )
    assert response.status_code == 404
    assert ApiToken.objects.count() == 0


# --- The home page's "You act for" panel --------------------------------------------


def test_home_shows_who_the_user_acts_for(client) -> None:  # type: ignore[no-untyped-def]
    user = member("broker_declarant")
    org = user.memberships.get().organisation
    client.force_login(user)
    html = client.get(reverse("core:home")).content.decode()
    assert "You act for" in html
    assert org.name in html
    assert "Customs broker declarant" in html
    assert 'href="/accounts/me/"' in html
    assert "Sign out" in html


def test_home_anonymous_has_no_panel(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get(reverse("core:home")).content.decode()
    assert "You act for" not in html
    assert 'href="/accounts/login/"' in html


def test_language_switcher_on_a_page_answering_a_post_returns_to_my_account(client) -> None:  # type: ignore[no-untyped-def]
    admin = member("trader_admin")
    org = admin.memberships.get().organisation
    client.force_login(admin)
    html = client.post(
        reverse("accounts:token_create", args=[org.pk]), {f"org{org.pk}-name": ""}
    ).content.decode()
    assert 'name="next" value="/accounts/me/"' in html
