"""Lodging a declaration on screen: the list, the guided question pages with a draft
saved at each step, "check your answers", and the confirmation with the MRN.

Submitting goes through the orchestrator (``clearance.services.declaration_submit``):
the declaration is lodged, assessed and routed to every agency in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from ventanilla.accounts.selectors import organisation_qs_for
from ventanilla.agencies.choices import ReviewStatus
from ventanilla.agencies.selectors import reviews_current
from ventanilla.clearance.services import declaration_amend_and_assess, declaration_submit
from ventanilla.clearance.views._common import (
    page_of,
    trade_declaration,
    user_of,
    wants_fragment,
)
from ventanilla.core.errors import BusinessError
from ventanilla.core.text import digits
from ventanilla.declarations import forms as f
from ventanilla.declarations import selectors
from ventanilla.declarations.choices import AMENDABLE, Status
from ventanilla.declarations.content import declaration_content
from ventanilla.declarations.drafts import (
    LODGING_KINDS,
    STEPS,
    DeclarationDraft,
    complete,
    draft_discard,
    draft_qs_for,
    draft_save,
    draft_submit,
    empty_content,
    empty_item,
    lodging_organisation_ids,
)
from ventanilla.payments.selectors import financial_state
from ventanilla.reference import selectors as reference

# --- the list -------------------------------------------------------------------------------


@login_required
@require_GET
@vary_on_headers("HX-Request")
def declaration_list(request: HttpRequest) -> HttpResponse:
    """The declarations of the user's trade, sorted, filtered and paged on the server."""
    user = user_of(request)
    form = f.ListFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.declaration_trade_qs_for(user=user).select_related("trader", "declarant")
    query = (filters.get("q") or "").strip()
    if query:
        rows = rows.filter(
            Q(mrn__iexact=query) | Q(lrn__icontains=query) | Q(conveyance_ref__icontains=query)
        )
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    if filters.get("perishable") in ("yes", "no"):
        rows = rows.filter(is_perishable=filters["perishable"] == "yes")
    sort = filters.get("sort") or "-created"
    order = f.SORTS.get(sort, f.SORTS["-created"])[1]
    rows = rows.order_by(order, "-pk")
    page, page_range = page_of(request, rows)
    context = {
        "form": form,
        "page_obj": page,
        "page_range": page_range,
        "filtered": bool(query or filters.get("status") or filters.get("perishable")),
        "sort": sort,
        "sorts": [(k, label) for k, (label, _o) in f.SORTS.items()],
    }
    if wants_fragment(request):
        return render(request, "declarations/_list_results.html", context)
    context["drafts"] = list(draft_qs_for(user=user)[:20])
    context["can_lodge"] = bool(lodging_organisation_ids(user=user))
    return render(request, "declarations/list.html", context)


# --- starting a declaration -------------------------------------------------------------------


def _lodging_orgs(request: HttpRequest) -> list[Any]:
    return list(
        organisation_qs_for(user=request.user).filter(kind__in=LODGING_KINDS).order_by("name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_new(request: HttpRequest) -> HttpResponse:
    """The start page: what is needed, for whom, and copies of earlier declarations."""
    user = user_of(request)
    orgs = _lodging_orgs(request)
    if not orgs:
        raise Http404
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        if len(orgs) == 1:  # one organisation: nothing to choose
            data.setdefault("organisation", str(orgs[0].pk))
    form = f.OrganisationForm(data, organisations=orgs, initial={"organisation": orgs[0].pk})
    if request.method == "POST" and form.is_valid():
        declarant = next(o for o in orgs if o.pk == form.cleaned_data["organisation"])
        draft = draft_save(declarant=declarant, data=empty_content(), step=STEPS[0], by=user)
        return redirect("declarations:step", pk=draft.pk, step=STEPS[0])
    recent = (
        selectors.declaration_trade_qs_for(user=user)
        .filter(declarant__in=orgs)
        .exclude(status=Status.DRAFT)
        .select_related("trader")
        .order_by("-created_at", "-pk")[:10]
    )
    return render(
        request,
        "declarations/new.html",
        {
            "form": form,
            "organisations": orgs,
            "recent": recent,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def draft_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """A new draft with the content of an earlier declaration, to check and change."""
    user = user_of(request)
    declaration = trade_declaration(request, pk)
    if declaration.declarant_id not in lodging_organisation_ids(user=user):
        raise Http404
    data = complete(declaration_content(declaration))
    data["lrn"] = ""
    data["estimated_arrival"] = ""
    draft = draft_save(declarant=declaration.declarant, data=data, step=STEPS[0], by=user)
    messages.info(
        request,
        _("The content of %(mrn)s is copied. Give a new reference, then check every page.")
        % {"mrn": declaration},
    )
    return redirect("declarations:step", pk=draft.pk, step=STEPS[0])


@login_required
@require_POST
def amend_start(request: HttpRequest, pk: int) -> HttpResponse:
    """An amendment is prepared in a draft like a new declaration, then submitted with
    its reason (WCO 06A) before release."""
    user = user_of(request)
    declaration = trade_declaration(request, pk)
    if declaration.declarant_id not in lodging_organisation_ids(user=user) or (
        declaration.status not in AMENDABLE or declaration.status == Status.DRAFT
    ):
        raise Http404
    draft = draft_qs_for(user=user).filter(amends=declaration).first()
    if draft is None:
        draft = draft_save(
            declarant=declaration.declarant,
            data=complete(declaration_content(declaration)),
            step="check",
            by=user,
            amends=declaration,
        )
    return redirect("declarations:check", pk=draft.pk)


def _draft(request: HttpRequest, pk: int) -> DeclarationDraft:
    draft = draft_qs_for(user=request.user).filter(pk=pk).first()
    if draft is None:
        raise Http404
    return draft


@login_required
@require_POST
def draft_delete(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    draft_discard(draft=draft, by=user_of(request))
    messages.info(request, _("The draft is deleted."))
    return redirect("declarations:list")


# --- the question pages -----------------------------------------------------------------------


def _progress(current: str) -> list[dict[str, Any]]:
    index = STEPS.index(current)
    return [
        {
            "key": s,
            "title": f.STEP_TITLES[s],
            "state": ("complete" if n < index else "current" if n == index else ""),
        }
        for n, s in enumerate(STEPS)
    ]


def _render_step(
    request: HttpRequest,
    draft: DeclarationDraft,
    step: str,
    data: dict[str, Any],
    problems: list[f.Problem],
    status: int = 200,
) -> HttpResponse:
    choices = f.Choices()
    page = f.build_page(
        step, data, problems, choices, draft.declarant, amending=draft.amends_id is not None
    )
    back = f.previous_step(step)
    return render(
        request,
        f"declarations/step_{step}.html",
        {
            "draft": draft,
            "data": data,
            "step": step,
            "step_number": STEPS.index(step) + 1,
            "step_count": len(STEPS),
            "title": f.STEP_TITLES[step],
            "progress": _progress(step),
            "page": page,
            "problems": problems,
            "back_url": reverse("declarations:step", args=[draft.pk, back]) if back else None,
            "returning": request.GET.get("return") == "check"
            or request.POST.get("return") == "check",
            "language_next": reverse("declarations:step", args=[draft.pk, step]),
        },
        status=status,
    )


def _apply_action(action: str, step: str, data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Adding or removing an item or a document row; returns the anchor to go back to."""
    if step == "goods" and action == "add_item":
        data["items"] = [*data["items"], empty_item()]
        return data, f"f-items-{len(data['items']) - 1}"
    if step == "goods" and action.startswith("remove_item-"):
        n = int(digits(action) or -1)
        if 0 <= n < len(data["items"]) and len(data["items"]) > 1:
            data["items"] = [i for k, i in enumerate(data["items"]) if k != n]
        return data, "f-items"
    if step == "documents" and action.startswith("remove_document-"):
        n = int(digits(action) or -1)
        data["documents"] = [d for k, d in enumerate(data["documents"]) if k != n]
        return data, "f-documents"
    return data, "f-documents" if step == "documents" else ""


@login_required
@require_http_methods(["GET", "POST"])
def draft_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEPS or step == "check":
        raise Http404
    user = user_of(request)
    draft = _draft(request, pk)
    if request.method == "GET":
        data = complete(draft.data)
        if step == "documents":
            data = f.seed_documents(data)
        problems = f.step_errors(step, data) if request.GET.get("return") == "check" else []
        return _render_step(request, draft, step, data, problems)
    data = f.parse_step(step, request.POST, complete(draft.data), draft.declarant)
    if draft.amends is not None:
        data["lrn"] = draft.amends.lrn
    action = request.POST.get("action", "continue")
    returning = request.POST.get("return") == "check"
    if action in ("continue", "save"):
        problems = f.step_errors(step, data) if action == "continue" else []
        if action == "save" or problems:
            target = step
        else:
            target = "check" if returning else f.next_step(step)
        draft = draft_save(declarant=draft.declarant, data=data, step=target, by=user, draft=draft)
        if action == "save":
            messages.success(
                request, _("Your draft is saved. You can come back to it from your declarations.")
            )
            return redirect("declarations:list")
        if problems:
            return _render_step(request, draft, step, data, problems, status=400)
        if target == "check":
            return redirect("declarations:check", pk=draft.pk)
        return redirect("declarations:step", pk=draft.pk, step=target)
    data, anchor = _apply_action(action, step, data)
    draft = draft_save(declarant=draft.declarant, data=data, step=step, by=user, draft=draft)
    url = reverse("declarations:step", args=[draft.pk, step])
    if returning:
        url += "?return=check"
    return redirect(f"{url}#{anchor}" if anchor else url)


# --- check your answers, submit, confirmation --------------------------------------------------


def _moment(text: Any) -> Any:
    """A date and time as typed (ISO), in the platform's zone, or None."""
    value = parse_datetime(str(text or ""))
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _summary(data: dict[str, Any], choices: f.Choices) -> dict[str, Any]:
    """Codes with their names, for the summary."""
    return {
        "office": choices.label("offices", data.get("office_code", "")),
        "export_country": choices.label("countries", data.get("export_country", "")),
        "destination_country": choices.label("countries", data.get("destination_country", "")),
        "trader": f.party(data, "trader"),
        "partner": f.party(data, "partner"),
        "partner_country": choices.label("countries", f.party(data, "partner").get("country", "")),
        "declarant": f.party(data, "declarant"),
        "carrier": f.party(data, "carrier"),
        "terminal": f.party(data, "terminal"),
        "eta": _moment(data.get("estimated_arrival")),
        "items": [
            {
                **item,
                "anchor": f"f-items-{n}",
                "tariff_anchor": f"f-items-{n}-tariff_line",
                "origin_name": choices.label("countries", item.get("origin_country", "")),
                "package_name": choices.label("package_types", item.get("package_type", "")),
                "cited": [
                    {**d, "type_name": choices.label("document_types", d["type_code"])}
                    for d in item.get("documents") or []
                ],
            }
            for n, item in enumerate(data.get("items") or [])
        ],
        "documents": [
            {**d, "type_name": choices.label("document_types", d.get("type_code", ""))}
            for d in data.get("documents") or []
        ],
    }


def _render_check(
    request: HttpRequest,
    draft: DeclarationDraft,
    problems: list[f.Problem],
    reason_form: f.ReasonForm | None,
    status: int = 200,
) -> HttpResponse:
    data = complete(draft.data)
    return render(
        request,
        "declarations/check.html",
        {
            "draft": draft,
            "data": data,
            "summary": _summary(data, f.Choices()),
            "problems": problems,
            "progress": _progress("check"),
            "step_number": len(STEPS),
            "step_count": len(STEPS),
            "reason_form": reason_form,
            "transport_mode_label": dict(f.TransportMode.choices).get(data["transport_mode"], ""),
            "declaration_type_label": dict(f.DeclarationType.choices).get(
                data["declaration_type"], ""
            ),
            "language_next": reverse("declarations:check", args=[draft.pk]),
        },
        status=status,
    )


def _reason_form(draft: DeclarationDraft, data: Any = None) -> f.ReasonForm | None:
    if draft.amends is None:
        return None
    return f.ReasonForm(
        data,
        label=_("Reason for the amendment"),
        help_text=_("Kept with the earlier version and shown to the agencies."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_check(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    done = draft_qs_for(user=user, submitted=True).filter(pk=pk, declaration__isnull=False).first()
    if done is not None:  # submitted already (the back button, a second click)
        return redirect("declarations:submitted", pk=done.declaration_id)
    draft = _draft(request, pk)
    data = complete(draft.data)
    if request.method == "GET":
        _valid, problems = f.validated(data)
        return _render_check(request, draft, problems, _reason_form(draft))
    reason_form = _reason_form(draft, request.POST)
    valid, problems = f.validated(data)
    reason_ok = reason_form is None or reason_form.is_valid()
    if problems or valid is None or not reason_ok:
        return _render_check(request, draft, problems, reason_form, status=400)
    try:
        declaration = draft_submit(
            draft=draft,
            data=valid,
            by=user,
            lodge=declaration_submit,
            amend=declaration_amend_and_assess,
            reason=reason_form.cleaned_data["reason"] if reason_form is not None else "",
        )
    except BusinessError as error:
        return _render_check(
            request,
            draft,
            f.problems_from(error.items, data),
            reason_form,
            status=400 if error.http_status < 500 else error.http_status,
        )
    return redirect("declarations:submitted", pk=declaration.pk)


@login_required
@require_GET
def submitted(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation: the MRN, and what happens next."""
    declaration = trade_declaration(request, pk)
    reviews = [
        r for r in reviews_current(declaration=declaration) if r.status != ReviewStatus.SUPERSEDED
    ]
    return render(
        request,
        "declarations/submitted.html",
        {
            "declaration": declaration,
            "reviews": reviews,
            "money": financial_state(declaration=declaration),
            "amended": declaration.version > 1,
        },
    )


# --- search-as-you-type pickers (htmx; the fields are plain inputs without them) -----------------


def _picker_query(request: HttpRequest) -> tuple[str, str]:
    target = request.GET.get("for", "")[:60]
    name = target[2:] if target.startswith("f-") else ""
    return target, request.GET.get(name, request.GET.get("q", "")).strip()[:60]


@login_required
@require_GET
def pick_location(request: HttpRequest) -> HttpResponse:
    target, query = _picker_query(request)
    rows = list(reference.location_search(query=query, limit=8)) if len(query) >= 2 else []
    return render(
        request,
        "declarations/_pick.html",
        {
            "target": target,
            "query": query,
            "options": [(r.unlocode, f"{r.unlocode} — {r.name} ({r.country})") for r in rows],
        },
    )


@login_required
@require_GET
def pick_tariff(request: HttpRequest) -> HttpResponse:
    target, query = _picker_query(request)
    options: list[tuple[str, str]] = []
    if len(query) >= 2:
        subheadings = [c.code for c in reference.hs_search(query=query, limit=20) if c.level == 6][
            :5
        ]
        code = digits(query)
        if len(code) >= 6 and code[:6] not in subheadings:
            subheadings.insert(0, code[:6])
        for hs in subheadings:
            for line in reference.tariff_lines_under(hs_code=hs):
                if line.code.startswith(code[:10]) or len(code) < 6:
                    options.append((line.code, f"{line.code} — {line.description}"))
    return render(
        request,
        "declarations/_pick.html",
        {
            "target": target,
            "query": query,
            "options": options[:10],
        },
    )
