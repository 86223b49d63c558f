"""The officer's pages: the queue ordered by urgency, the whole case on one screen with
a decision in one action, the joint inspection booked or joined, and the result
recorded on site (a light page for a tablet).

A review, inspection, sample or second test of another agency answers 404; someone who
works no agency's reviews gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ventanilla.agencies import selectors, services
from ventanilla.agencies.choices import (
    OPEN_INSPECTION,
    InspectionResult,
    ReviewStatus,
    SecondTestStatus,
)
from ventanilla.agencies.forms import (
    REQUEST_INFORMATION,
    BookForm,
    DecisionForm,
    LabResultForm,
    QueueFilterForm,
    ResultForm,
    SampleForm,
)
from ventanilla.agencies.models import AgencyReview, Inspection
from ventanilla.agencies.slots import inspection_next_slot
from ventanilla.core.errors import BusinessError
from ventanilla.declarations.choices import Channel
from ventanilla.risk.engine import explain
from ventanilla.risk.selectors import assessment_for

PER_PAGE = 25


def _officer(request: HttpRequest) -> Any:
    if not request.user.has_perm(selectors.DECIDE):
        raise PermissionDenied
    return request.user


def _review(request: HttpRequest, pk: int) -> AgencyReview:
    review = (
        selectors.review_qs_for(user=request.user)
        .select_related("agency", "declaration", "assigned_to")
        .filter(pk=pk)
        .first()
    )
    if review is None:
        raise Http404
    return review


def _inspection(request: HttpRequest, pk: int) -> Inspection:
    inspection = (
        selectors.inspection_qs_for(user=request.user)
        .select_related("declaration")
        .filter(pk=pk)
        .first()
    )
    if inspection is None:
        raise Http404
    return inspection


# --- the queue --------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Perishables first (TFA 7.9), then breached service levels, then by due time."""
    user = _officer(request)
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}

    def yes_no(value: str | None) -> bool | None:
        return {"yes": True, "no": False}.get(value or "")

    rows = selectors.review_queue_for(
        user=user,
        status=filters.get("status") or None,
        perishable=yes_no(filters.get("perishable")),
        breached=yes_no(filters.get("breached")),
    )
    paginator = Paginator(rows, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    now = timezone.now()
    for review in page.object_list:
        review.left = review.time_left(now)  # type: ignore[attr-defined]
    return render(
        request,
        "agencies/queue.html",
        {
            "form": form,
            "page_obj": page,
            "page_range": list(
                paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
            ),
            "several_agencies": len(selectors.officer_agency_ids(user=user)) > 1,
            "filtered": bool(
                filters.get("status") or filters.get("perishable") or filters.get("breached")
            ),
        },
    )


# --- the whole case ---------------------------------------------------------------------------


def _case_context(request: HttpRequest, review: AgencyReview, **forms: Any) -> dict[str, Any]:
    user = request.user
    case = selectors.review_case(review=review)
    declaration = case.declaration
    present = {d.type_code for d in declaration.documents.all()}
    assessment = assessment_for(user=user, declaration_id=declaration.pk)
    channels = dict(Channel.choices)
    matches = [
        {
            **m,
            "explanation": explain(m.get("conditions", []), m.get("draw"), m.get("rate")),
            "channel_label": channels.get(m.get("channel", ""), m.get("channel", "")),
        }
        for m in (assessment.matches if assessment else [])
    ]
    inspection = case.inspection
    mine = set(selectors.officer_agency_ids(user=user))
    my_participant = None
    if inspection is not None:
        my_participant = next(
            (p for p in inspection.participants.all() if p.agency_id in mine), None
        )
    location = declaration.discharge_location or declaration.loading_location
    waiting_inspection = review.status == ReviewStatus.INSPECTION_REQUIRED
    open_inspection = inspection is not None and inspection.status in OPEN_INSPECTION
    return {
        "review": review,
        "case": case,
        "declaration": declaration,
        "items": list(declaration.items.all()),
        "documents": list(declaration.documents.all()),
        "parties": list(declaration.parties.all()),
        "required": [{"code": c, "present": c in present} for c in review.required_documents],
        "assessment": assessment,
        "matches": matches,
        "inspection": inspection,
        "my_participant": my_participant,
        "requests": list(review.information_requests.order_by("-requested_at", "-pk")),
        "left": review.time_left(),
        "can_decide": review.status
        in (ReviewStatus.PENDING, ReviewStatus.IN_PROGRESS, ReviewStatus.REJECTED),
        "can_book": waiting_inspection and not open_inspection,
        "can_join": waiting_inspection and open_inspection and my_participant is None,
        "next_slot": inspection_next_slot(location=location, perishable=declaration.is_perishable)
        if waiting_inspection and location and not open_inspection
        else None,
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "book_form": forms.get("book_form")
        or BookForm(initial={"location": location, "when": "next"}),
        "error": forms.get("error"),
        "language_next": reverse("agencies:case", args=[review.pk]),
    }


@login_required
@require_GET
def case(request: HttpRequest, pk: int) -> HttpResponse:
    _officer(request)
    review = _review(request, pk)
    return render(request, "agencies/case.html", _case_context(request, review))


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve, reject, inspect or ask the trader, in one action, with the reason."""
    user = _officer(request)
    review = _review(request, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == REQUEST_INFORMATION:
                services.information_request(review=review, message=data["message"], by=user)
                messages.success(
                    request,
                    _("Your question is sent to the trader. The clock stops until the answer."),
                )
            else:
                services.review_decide(
                    review=review,
                    decision=data["decision"],
                    reason=data["reason"],
                    reason_category=data["reason_category"],
                    by=user,
                )
                messages.success(request, _("Your decision is recorded."))
        except BusinessError as error:
            form.add_business_error(error)
        else:
            target = reverse("agencies:case", args=[review.pk])
            return redirect(target + ("#inspection" if data["decision"] == "inspect" else ""))
    return render(
        request,
        "agencies/case.html",
        _case_context(request, _review(request, pk), decision_form=form),
        status=400,
    )


@login_required
@require_POST
def book(request: HttpRequest, pk: int) -> HttpResponse:
    """Book the joint inspection (first free slot, perishables first) or join the one
    already booked for the declaration (TFA 8: the goods are presented once)."""
    user = _officer(request)
    review = _review(request, pk)
    if request.POST.get("join") == "1":
        try:
            services.inspection_book(declaration=review.declaration, location="", by=user)
        except BusinessError as error:
            return render(
                request,
                "agencies/case.html",
                _case_context(request, review, error=error),
                status=400,
            )
        messages.success(request, _("Your agency joins the joint inspection."))
        return redirect(reverse("agencies:case", args=[review.pk]) + "#inspection")
    form = BookForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_book(
                declaration=review.declaration,
                location=data["location"],
                by=user,
                scheduled_at=data["scheduled_at"] if data["when"] == "at" else None,
                place=data["place"],
            )
        except BusinessError as error:
            form.add_business_error(error)
        else:
            messages.success(
                request,
                _("Joint inspection on %(when)s at %(where)s.")
                % {
                    "when": formats.date_format(
                        timezone.localtime(inspection.scheduled_at), "DATETIME_FORMAT"
                    ),
                    "where": inspection.location,
                },
            )
            return redirect(reverse("agencies:case", args=[review.pk]) + "#inspection")
    return render(
        request,
        "agencies/case.html",
        _case_context(request, _review(request, pk), book_form=form),
        status=400,
    )


# --- on site ----------------------------------------------------------------------------------


def _site_context(request: HttpRequest, inspection: Inspection, **forms: Any) -> dict[str, Any]:
    mine = set(selectors.officer_agency_ids(user=request.user))
    participants = list(
        inspection.participants.select_related("agency", "review").prefetch_related(
            "samples__second_test"
        )
    )
    own = [p for p in participants if p.agency_id in mine]
    declaration = inspection.declaration
    samples = [s for p in own for s in p.samples.all()]
    for s in samples:
        s.lab_form = LabResultForm(prefix=f"s{s.pk}")  # type: ignore[attr-defined]
    second_tests = []
    for s in samples:
        test = getattr(s, "second_test", None)
        if test is not None and test.status == SecondTestStatus.REQUESTED:
            test.lab_form = LabResultForm(prefix=f"t{test.pk}")
            second_tests.append(test)
    return {
        "inspection": inspection,
        "declaration": declaration,
        "items": list(declaration.items.all()),
        "participants": participants,
        "own": own,
        "open": inspection.status in OPEN_INSPECTION,
        "result_form": forms.get("result_form") or ResultForm(),
        "sample_form": forms.get("sample_form") or SampleForm(),
        "samples": samples,
        "second_tests": second_tests,
        "error": forms.get("error"),
        "review_pk": own[0].review_id if own else None,
        "sample_taken": InspectionResult.SAMPLE_TAKEN,
        "language_next": reverse("agencies:inspection", args=[inspection.pk]),
    }


@login_required
@require_GET
def inspection(request: HttpRequest, pk: int) -> HttpResponse:
    _officer(request)
    found = _inspection(request, pk)
    return render(request, "agencies/inspection.html", _site_context(request, found))


def _own_participant(request: HttpRequest, found: Inspection) -> Any:
    mine = selectors.officer_agency_ids(user=request.user)
    participant = (
        found.participants.filter(agency_id__in=mine)
        .select_related("agency")
        .order_by("result", "pk")
        .first()
    )
    if participant is None:
        raise Http404
    return participant


@login_required
@require_POST
def inspection_start(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    found = _inspection(request, pk)
    try:
        services.inspection_start(inspection=found, by=user)
    except BusinessError as error:
        return render(
            request,
            "agencies/inspection.html",
            _site_context(request, found, error=error),
            status=error.http_status,
        )
    messages.success(request, _("The inspection has started."))
    return redirect("agencies:inspection", pk=found.pk)


@login_required
@require_POST
def inspection_result(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    found = _inspection(request, pk)
    participant = _own_participant(request, found)
    form = ResultForm(request.POST)
    if form.is_valid():
        try:
            services.inspection_record_result(
                participant=participant,
                result=form.cleaned_data["result"],
                notes=form.cleaned_data["notes"],
                by=user,
            )
        except BusinessError as error:
            form.add_business_error(error)
        else:
            messages.success(request, _("Your agency's result is recorded."))
            return redirect("agencies:inspection", pk=found.pk)
    return render(
        request,
        "agencies/inspection.html",
        _site_context(request, _inspection(request, pk), result_form=form),
        status=400,
    )


@login_required
@require_POST
def sample(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    found = _inspection(request, pk)
    participant = _own_participant(request, found)
    form = SampleForm(request.POST)
    if form.is_valid():
        try:
            services.sample_record(participant=participant, by=user, **form.cleaned_data)
        except BusinessError as error:
            form.add_business_error(error)
        else:
            messages.success(request, _("The sample is recorded."))
            return redirect("agencies:inspection", pk=found.pk)
    return render(
        request,
        "agencies/inspection.html",
        _site_context(request, found, sample_form=form),
        status=400,
    )


def _record_lab_result(
    request: HttpRequest,
    *,
    inspection_pk: int,
    prefix: str,
    record: Callable[[str, bool], Any],
    done: str,
) -> HttpResponse:
    """A laboratory result (first or second test, TFA 5.3) typed on the inspection page."""
    form = LabResultForm(request.POST, prefix=prefix)
    try:
        if not form.is_valid():
            raise BusinessError.single(
                "result_required", _("Write the laboratory's result."), "result"
            )
        record(form.cleaned_data["result"], form.cleaned_data["adverse"])
    except BusinessError as error:
        return render(
            request,
            "agencies/inspection.html",
            _site_context(request, _inspection(request, inspection_pk), error=error),
            status=400,
        )
    messages.success(request, done)
    return redirect("agencies:inspection", pk=inspection_pk)


@login_required
@require_POST
def sample_result(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    found = selectors.sample_qs_for(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return _record_lab_result(
        request,
        inspection_pk=found.participant.inspection_id,
        prefix=f"s{found.pk}",
        record=lambda result, adverse: services.sample_result_record(
            sample=found, result=result, adverse=adverse, by=user
        ),
        done=_("The laboratory result is recorded."),
    )


@login_required
@require_POST
def second_test_result(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    found = selectors.second_test_qs_for(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return _record_lab_result(
        request,
        inspection_pk=found.sample.participant.inspection_id,
        prefix=f"t{found.pk}",
        record=lambda result, adverse: services.second_test_result_record(
            request=found, result=result, adverse=adverse, by=user
        ),
        done=_("The second test result is recorded (TFA 5.3)."),
    )
