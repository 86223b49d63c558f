"""One declaration, as the trader, its broker and its carrier see it: the timeline, where
each agency stands, the duties before payment, questions to answer and what changed.

The trader's side never sees the channel, the risk profiles or an officer's own words:
it sees the agency, its decision and the category of its reason (TFA 4, 5.2).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ventanilla.accounts.selectors import acting_organisation_ids
from ventanilla.agencies import services as agencies
from ventanilla.agencies.choices import InformationRequestStatus, ReviewStatus
from ventanilla.agencies.selectors import (
    information_requests_for,
    inspection_latest,
    reviews_current,
    trader_sample_qs_for,
)
from ventanilla.clearance import services as clearance
from ventanilla.clearance.selectors import declaration_timeline
from ventanilla.clearance.views._common import trade_declaration, user_of
from ventanilla.core.errors import BusinessError, ErrorItem
from ventanilla.declarations import forms as f
from ventanilla.declarations.choices import AMENDABLE, Status
from ventanilla.declarations.drafts import draft_qs_for, lodging_organisation_ids
from ventanilla.declarations.models import Declaration
from ventanilla.duties.selectors import acts_for_trader_side, assessment_latest, assessment_view
from ventanilla.notifications.rendering import render_notice
from ventanilla.notifications.selectors import notice_qs_for
from ventanilla.notifications.services import notice_mark_all_read
from ventanilla.payments import services as payments
from ventanilla.payments.choices import PaymentStatus
from ventanilla.payments.selectors import financial_state, guarantee_account_for, payment_qs_for

USE_GUARANTEE = "payments.use_guarantee"
PAY = "payments.pay_duties"
SANDBOX = "sandbox"


def _may(request: HttpRequest, declaration: Declaration, perm: str) -> bool:
    """The user acts for the trader or the declarant with ``perm``."""
    ids = set(acting_organisation_ids(user=request.user))
    return any(
        org.pk in ids and request.user.has_perm(perm, org)
        for org in (declaration.trader, declaration.declarant)
    )


def _lodged_by_me(request: HttpRequest, declaration: Declaration) -> bool:
    return declaration.declarant_id in lodging_organisation_ids(user=request.user)


def _context(request: HttpRequest, declaration: Declaration) -> dict[str, Any]:
    user = user_of(request)
    trade_side = acts_for_trader_side(user=user, declaration=declaration)
    notices = list(
        notice_qs_for(user=user)
        .filter(declaration_id=declaration.pk)
        .order_by("-created_at", "-pk")
    )
    unread = [n for n in notices if not getattr(n, "is_read", True)]
    context: dict[str, Any] = {
        "declaration": declaration,
        "trade_side": trade_side,
        "items": list(declaration.items.all()),
        "documents": list(declaration.documents.prefetch_related("items")),
        "parties": list(declaration.parties.all()),
        "reviews": [
            r
            for r in reviews_current(declaration=declaration)
            if r.status != ReviewStatus.SUPERSEDED
        ],
        "inspection": inspection_latest(declaration=declaration),
        "timeline": declaration_timeline(declaration=declaration, user=user, trader_side=True),
        "notices": notices,
        "unread": unread,
        # The banner takes the most pressing colour among what changed; the words say it.
        "banner_severity": next(
            (
                sev
                for sev in ("warning", "success")
                if sev in {render_notice(n).severity for n in unread}
            ),
            "info",
        ),
        "language_next": reverse("declarations:detail", args=[declaration.pk]),
        "errors": {},
        "error": None,
    }
    if not trade_side:  # the carrier: movement and release, not money nor questions
        return context
    open_requests = list(
        information_requests_for(user=user)
        .filter(review__declaration=declaration)
        .order_by("-requested_at", "-pk")
    )
    for r in open_requests:
        r.answer_form = f.AnswerForm(prefix=f"r{r.pk}")  # type: ignore[attr-defined]
    assessment = assessment_latest(declaration=declaration)
    money = financial_state(declaration=declaration)
    lodged_by_me = _lodged_by_me(request, declaration)
    open_status = declaration.status in AMENDABLE and declaration.status != Status.DRAFT
    context.update(
        {
            "requests": open_requests,
            "open_requests": [
                r for r in open_requests if r.status == InformationRequestStatus.OPEN
            ],
            "assessment": assessment_view(assessment=assessment) if assessment else None,
            "money": money,
            "payments": list(payment_qs_for(user=user).filter(declaration=declaration)),
            "can_pay": (
                money.outstanding > 0
                and money.guaranteed < money.outstanding
                and _may(request, declaration, PAY)
                and money.payment_status not in (PaymentStatus.INITIATED, PaymentStatus.PENDING)
            ),
            "can_guarantee": (
                money.outstanding > 0
                and money.guaranteed < money.outstanding
                and _may(request, declaration, USE_GUARANTEE)
                and guarantee_account_for(declaration=declaration) is not None
            ),
            "payment_key": uuid.uuid4().hex,
            "can_amend": lodged_by_me and open_status,
            "can_cancel": lodged_by_me and (open_status or declaration.status == Status.LODGED),
            "amendment_draft": draft_qs_for(user=user).filter(amends=declaration).first(),
            "samples": list(
                trader_sample_qs_for(user=user)
                .filter(participant__inspection__declaration=declaration, adverse=True)
                .select_related("second_test")
            ),
            "second_test_form": f.SecondTestForm(),
        }
    )
    return context


@login_required
@require_GET
def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = trade_declaration(request, pk)
    return render(request, "declarations/detail.html", _context(request, declaration))


def _refused(
    request: HttpRequest,
    declaration: Declaration,
    error: BusinessError,
    form_key: str = "",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """The declaration page again, with the problem at the top and beside the form."""
    context = _context(request, declaration)
    extra = extra or {}
    if "answer_form" in extra:  # keep what the user typed
        request_pk, form = extra["answer_form"]
        for r in context.get("requests", []):
            if r.pk == request_pk:
                r.answer_form = form
    context["error"] = error
    context["errors"] = {form_key: [i.message for i in error.items]}
    status = error.http_status if error.http_status < 500 else 400
    return render(request, "declarations/detail.html", context, status=status)


# --- money (TFA 7.2, 7.3) ---------------------------------------------------------------------


@login_required
@require_POST
def pay(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = trade_declaration(request, pk)
    if not acts_for_trader_side(user=request.user, declaration=declaration):
        raise Http404
    try:
        payment = payments.payment_start(
            declaration=declaration, by=request.user, idempotency_key=request.POST.get("key", "")
        )
    except BusinessError as error:
        return _refused(request, declaration, error, "pay")
    if payment.redirect_url and payment.provider_code != SANDBOX:
        return redirect(payment.redirect_url)  # the provider's payment page
    payment.refresh_from_db()
    if payment.status == PaymentStatus.CONFIRMED:
        messages.success(
            request, _("Payment %(reference)s is confirmed.") % {"reference": payment.reference}
        )
    else:
        messages.info(
            request,
            _(
                "Payment %(reference)s is started; the page shows its "
                "confirmation as soon as the provider sends it."
            )
            % {"reference": payment.reference},
        )
    return redirect("declarations:detail", pk=declaration.pk)


@login_required
@require_POST
def use_guarantee(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = trade_declaration(request, pk)
    if not _may(request, declaration, USE_GUARANTEE):
        raise Http404
    try:
        amount = financial_state(declaration=declaration).outstanding
        payments.guarantee_reserve(declaration=declaration, amount=amount, by=request.user)
    except BusinessError as error:
        return _refused(request, declaration, error, "guarantee")
    messages.success(
        request,
        _(
            "The duties are covered by your guarantee: the goods can be "
            "released before payment (TFA 7.3)."
        ),
    )
    return redirect("declarations:detail", pk=declaration.pk)


# --- questions from agencies, second tests ------------------------------------------------------


@login_required
@require_POST
def answer(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    declaration = trade_declaration(request, pk)
    found = (
        information_requests_for(user=request.user)
        .filter(review__declaration=declaration, pk=request_pk)
        .first()
    )
    if found is None:
        raise Http404
    form = f.AnswerForm(request.POST, prefix=f"r{found.pk}")
    try:
        if not form.is_valid():
            raise BusinessError(
                [ErrorItem("answer_required", str(_("Write the answer to the agency.")), "answer")]
            )
        agencies.information_answer(
            request=found, answer=form.cleaned_data["answer"], by=request.user
        )
    except BusinessError as error:
        return _refused(
            request, declaration, error, f"answer-{found.pk}", {"answer_form": (found.pk, form)}
        )
    messages.success(
        request, _("Your answer is sent to %(agency)s.") % {"agency": found.review.agency.label}
    )
    return redirect("declarations:detail", pk=declaration.pk)


@login_required
@require_POST
def second_test(request: HttpRequest, pk: int, sample_pk: int) -> HttpResponse:
    declaration = trade_declaration(request, pk)
    sample = (
        trader_sample_qs_for(user=request.user)
        .filter(participant__inspection__declaration=declaration, pk=sample_pk)
        .first()
    )
    if sample is None:
        raise Http404
    form = f.SecondTestForm(request.POST)
    form.is_valid()
    try:
        agencies.second_test_request(
            sample=sample,
            lab=form.cleaned_data.get("lab", ""),
            reason=form.cleaned_data.get("reason", ""),
            by=request.user,
        )
    except BusinessError as error:
        return _refused(request, declaration, error, f"second-test-{sample.pk}")
    messages.success(request, _("Your request for a second test is sent (TFA 5.3)."))
    return redirect("declarations:detail", pk=declaration.pk)


# --- cancel, notices --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = trade_declaration(request, pk)
    if not _lodged_by_me(request, declaration):
        raise Http404
    form = f.ReasonForm(
        request.POST if request.method == "POST" else None,
        label=_("Why do you cancel this declaration?"),
        help_text=_("The agencies see the reason."),
    )
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            clearance.declaration_cancel_and_close(
                declaration=declaration,
                reason=form.cleaned_data["reason"],
                by=request.user,
                organisation=declaration.declarant,
            )
        except BusinessError as refused:
            error = refused
        else:
            messages.success(request, _("Declaration %(mrn)s is cancelled.") % {"mrn": declaration})
            return redirect("declarations:detail", pk=declaration.pk)
    return render(
        request,
        "declarations/cancel.html",
        {
            "declaration": declaration,
            "form": form,
            "error": error,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def notices_read(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = trade_declaration(request, pk)
    notice_mark_all_read(by=user_of(request), declaration_id=declaration.pk)
    return redirect("declarations:detail", pk=declaration.pk)
