"""Account pages: sign in and out, password reset, language, and "My account".

Thin views: selectors read, services write, and a ``BusinessError`` from a service is
shown as the page's error summary.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from ventanilla.accounts import selectors, services
from ventanilla.accounts.forms import (
    ApiTokenCreateForm,
    MandateGrantForm,
    PasswordResetForm,
    SetPasswordForm,
    SignInForm,
)
from ventanilla.accounts.models import ApiToken, Mandate, Membership, Organisation, User
from ventanilla.core.errors import BusinessError

MANAGE_ORG = "accounts.manage_organisation"


def _set_language_cookie(response: HttpResponseBase, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


# --- Sign in, sign out, password reset ------------------------------------------------


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        user = form.get_user()
        language = user.preferred_language or settings.LANGUAGE_CODE
        translation.activate(language)
        _set_language_cookie(response, language)
        messages.success(
            self.request,
            _("You are signed in as %(name)s.") % {"name": user.get_full_name() or user},
        )
        return response


class SignOutView(auth_views.LogoutView):
    """POST only (Django's own rule): a link cannot sign anyone out."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have signed out."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = PasswordResetForm
    email_template_name = "accounts/email/password_reset_email.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- Language -------------------------------------------------------------------------


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (cookie and redirect to ``next``), and for a signed-in
    user the choice is also kept on their account, so it follows them to other devices."""
    code = request.POST.get("language", "")
    user = request.user
    if isinstance(user, User) and code in dict(settings.LANGUAGES):
        services.user_set_language(user=user, language=code, by=user)
    return set_language(request)


# --- My account -----------------------------------------------------------------------


@dataclass
class OrganisationPanel:
    organisation: Organisation
    roles: list[Any]
    can_manage: bool = False
    members: list[Membership] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    tokens: list[ApiToken] = field(default_factory=list)
    token_form: ApiTokenCreateForm | None = None
    error: BusinessError | None = None
    issued_secret: str = ""
    issued_name: str = ""


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required has refused anyone else
    return request.user


def _people(members: list[Membership]) -> list[dict[str, Any]]:
    """One row per person, with all their roles in the organisation."""
    people: dict[int, dict[str, Any]] = {}
    for m in members:
        row = people.setdefault(m.user_id, {"user": m.user, "memberships": [], "active": False})
        row["memberships"].append(m)
        row["active"] = row["active"] or m.is_active
    return list(people.values())


def _panels(user: User) -> list[OrganisationPanel]:
    """One panel per organisation the user acts for, with members and tokens where the
    user may manage the organisation."""
    panels: dict[int, OrganisationPanel] = {}
    for m in selectors.my_memberships(user=user):
        if not m.organisation.is_active:
            continue
        panel = panels.setdefault(m.organisation_id, OrganisationPanel(m.organisation, []))
        panel.roles.append(m.role)
    managed = [p for p in panels.values() if user.has_perm(MANAGE_ORG, p.organisation)]
    if managed:
        ids = [p.organisation.pk for p in managed]
        members: dict[int, list[Membership]] = defaultdict(list)
        for m in selectors.membership_qs_for(user=user).filter(organisation_id__in=ids):
            members[m.organisation_id].append(m)
        tokens: dict[int, list[ApiToken]] = defaultdict(list)
        for t in selectors.api_token_qs_for(user=user).filter(organisation_id__in=ids):
            tokens[t.organisation_id].append(t)
        for p in managed:
            p.can_manage = True
            p.members = members[p.organisation.pk]
            p.people = _people(p.members)
            p.tokens = tokens[p.organisation.pk]
            p.token_form = ApiTokenCreateForm(
                members=p.members,
                prefix=f"org{p.organisation.pk}",
                initial={"user": user.pk},
            )
    return list(panels.values())


def _render_me(request: HttpRequest, panels: list[OrganisationPanel], status: int = 200) -> Any:
    return render(
        request,
        "accounts/me.html",
        {
            # Pages rendered in answer to a POST: the language switcher comes back here.
            "language_next": reverse("accounts:me"),
            "panels": panels,
            "has_mandates": any(p.organisation.kind in ("trader", "broker") for p in panels),
            "has_errors": any(p.error or (p.token_form and p.token_form.errors) for p in panels),
        },
        status=status,
    )


@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    return _render_me(request, _panels(_user(request)))


def _managed_panel(user: User, pk: int) -> tuple[list[OrganisationPanel], OrganisationPanel]:
    panels = _panels(user)
    panel = next((p for p in panels if p.organisation.pk == pk and p.can_manage), None)
    if panel is None:
        raise Http404
    return panels, panel


@login_required
@require_POST
def token_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Create a token and show its secret once, in this response only: it is never
    stored, so reloading the page cannot show it again."""
    user = _user(request)
    panels, panel = _managed_panel(user, pk)
    form = ApiTokenCreateForm(request.POST, members=panel.members, prefix=f"org{pk}")
    panel.token_form = form
    if not form.is_valid():
        return _render_me(request, panels, status=400)
    member = next(m for m in panel.members if str(m.user_id) == form.cleaned_data["user"])
    try:
        issued = services.api_token_create(
            organisation=panel.organisation,
            user=member.user,
            name=form.cleaned_data["name"],
            expires_at=form.expires_at_datetime(),
            by=user,
        )
    except BusinessError as error:
        panel.error = error
        return _render_me(request, panels, status=error.http_status)
    panels, panel = _managed_panel(user, pk)
    panel.issued_secret = issued.secret
    panel.issued_name = issued.token.name
    return _render_me(request, panels)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    token = (
        selectors.api_token_qs_for(user=user).filter(pk=pk).select_related("organisation").first()
    )
    if token is None:
        raise Http404
    try:
        services.api_token_revoke(token=token, by=user)
    except BusinessError as error:
        for item in error.items:
            messages.error(request, item.message)
    else:
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:me")


# --- Representation mandates (TFA 10.6) ---------------------------------------------------


@dataclass
class MandatePanel:
    """One trader the user acts for (the mandates it gave) or one broker (those it holds)."""

    organisation: Organisation
    mandates: list[Mandate]
    can_manage: bool = False
    form: MandateGrantForm | None = None
    error: BusinessError | None = None

    @property
    def is_trader(self) -> bool:
        return self.organisation.kind == "trader"


def _mandate_panels(user: User) -> list[MandatePanel]:
    orgs: dict[int, Organisation] = {}
    for m in selectors.my_memberships(user=user):
        if m.organisation.is_active and m.organisation.kind in ("trader", "broker"):
            orgs[m.organisation_id] = m.organisation
    by_org: dict[int, list[Mandate]] = defaultdict(list)
    for mandate in selectors.mandate_qs_for(user=user):
        key = mandate.trader_id if mandate.trader_id in orgs else mandate.broker_id
        by_org[key].append(mandate)
    panels = []
    for org in orgs.values():
        panel = MandatePanel(org, by_org[org.pk])
        if org.kind == "trader" and user.has_perm(MANAGE_ORG, org):
            panel.can_manage = True
            panel.form = MandateGrantForm(
                prefix=f"org{org.pk}", initial={"valid_from": timezone.localdate()}
            )
        panels.append(panel)
    return panels


def _render_mandates(request: HttpRequest, panels: list[MandatePanel], status: int = 200) -> Any:
    return render(
        request,
        "accounts/mandates.html",
        {
            "language_next": reverse("accounts:mandates"),
            "panels": panels,
            "today": timezone.localdate(),
            "has_errors": any(p.error or (p.form and p.form.errors) for p in panels),
        },
        status=status,
    )


@login_required
@require_GET
def mandates(request: HttpRequest) -> HttpResponse:
    return _render_mandates(request, _mandate_panels(_user(request)))


@login_required
@require_POST
def mandate_grant(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    panels = _mandate_panels(user)
    panel = next((p for p in panels if p.organisation.pk == pk and p.can_manage), None)
    if panel is None:
        raise Http404
    form = MandateGrantForm(request.POST, prefix=f"org{pk}")
    panel.form = form
    if not form.is_valid():
        return _render_mandates(request, panels, status=400)
    data = form.cleaned_data
    try:
        mandate = services.mandate_grant(
            trader=panel.organisation,
            broker=selectors.broker_by_code(code=data["broker"]),
            kind=data["kind"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            by=user,
        )
    except BusinessError as error:
        panel.error = error
        return _render_mandates(request, panels, status=error.http_status)
    messages.success(
        request,
        _("%(broker)s may now lodge declarations in the name of %(trader)s.")
        % {"broker": mandate.broker.label, "trader": mandate.trader.label},
    )
    return redirect("accounts:mandates")


@login_required
@require_POST
def mandate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    mandate = selectors.mandate_qs_for(user=user).filter(pk=pk).first()
    if mandate is None:
        raise Http404
    try:
        services.mandate_revoke(
            mandate=mandate, by=user, reason=request.POST.get("reason", "")[:500]
        )
    except BusinessError as error:
        for item in error.items:
            messages.error(request, item.message)
    else:
        messages.success(
            request,
            _("The mandate given to %(broker)s is revoked.") % {"broker": mandate.broker.label},
        )
    return redirect("accounts:mandates")
