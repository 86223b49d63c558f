"""The supervisor's pages of the requirement matrix: which agency acts on which goods and
which permit it needs. Each agency keeps its own lines (TFA 8), as configuration that is
reviewed and dropped when no longer needed (TFA 10.1), and the trade portal publishes
them (TFA 1.1). The pages call the services the API calls: they validate, version (a
change closes the version in force and adds the next one, never an overwrite) and audit.

Whoever maintains no agency's matrix gets 403; another agency's line answers 404.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ventanilla.agencies import selectors, services
from ventanilla.agencies.forms import EndLineForm, RequirementLineForm
from ventanilla.agencies.models import RequirementLine
from ventanilla.agencies.services.requirements import EDITABLE
from ventanilla.core.errors import BusinessError, ConflictError
from ventanilla.core.idempotency import form_token_spend
from ventanilla.reference.selectors import document_type_qs

PER_PAGE = 50
LIST = "agencies:requirements"


def _supervisor(request: HttpRequest) -> Any:
    if not request.user.has_perm(selectors.MANAGE_LINES):
        raise PermissionDenied
    return request.user


def _line(request: HttpRequest, pk: int) -> RequirementLine:
    """A version of one of the user's own agencies' lines, ended or not."""
    found = selectors.requirement_lines_for(user=request.user, history=True).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _blank_none(value: Any) -> Any:
    return "" if value is None else value


def _day(day: Any) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _closed(request: HttpRequest, error: BusinessError | None = None) -> HttpResponse:
    """Only the open version is changed or ended; whoever sent a form for a closed one
    (a second tab, a double submission) sees the matrix as it now is."""
    for item in error.items if error else ():
        messages.warning(request, item.message)
    if error is None:
        messages.warning(request, _("Only the version in force or to come can be changed."))
    return redirect(LIST)


# --- the list ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    line: RequirementLine
    state: str  # in_force, scheduled, ended
    document: str  # the document's name in the reader's language, when known
    open: bool  # the version that may still be changed or ended


def _rows(lines: Any) -> list[Row]:
    today = timezone.localdate()
    names = {d.code: d.name for d in document_type_qs()}
    rows = []
    for line in lines:
        state = "in_force"
        if line.valid_from > today:
            state = "scheduled"
        elif line.valid_to is not None and line.valid_to <= today:
            state = "ended"
        rows.append(Row(line, state, names.get(line.document_type_code, ""), line.valid_to is None))
    return rows


@login_required
@require_GET
def requirements(request: HttpRequest) -> HttpResponse:
    """The lines of the user's agencies in force and to come; ended versions on demand."""
    user = _supervisor(request)
    history = request.GET.get("history") == "1"
    lines = selectors.requirement_lines_for(user=user, history=history, upcoming=True)
    paginator = Paginator(
        lines.order_by("agency__name", "hs_prefix", "key", "valid_from"), PER_PAGE
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "agencies/requirements.html",
        {
            "rows": _rows(page.object_list),
            "page_obj": page,
            "page_range": list(
                paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
            ),
            "history": history,
            "several_agencies": len(selectors.managed_agency_ids(user=user)) > 1,
        },
    )


# --- one-time form tokens: a form sent twice adds one line -------------------------------------

TOKENS = "agencies.requirement_tokens"
OPEN, SENT = "open", "sent"
ADD_SCOPE = "requirement_line.add_form"


def _already_sent(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("This form was already sent: the line is added only once."))
    return redirect(LIST)


def _tokens(request: HttpRequest) -> dict[str, str]:
    return dict(request.session.get(TOKENS, {}))


def _token_set(request: HttpRequest, token: str, state: str) -> None:
    tokens = _tokens(request)
    tokens.pop(token, None)
    tokens[token] = state
    request.session[TOKENS] = dict(list(tokens.items())[-20:])  # the latest forms only
    request.session.save()  # at once: a second click may already be on its way


def _token_issue(request: HttpRequest) -> str:
    token = secrets.token_urlsafe(16)
    _token_set(request, token, OPEN)
    return token


# --- add, change, end ------------------------------------------------------------------------


def _render_form(
    request: HttpRequest, form: Any, status: int = 200, **context: Any
) -> HttpResponse:
    return render(
        request, "agencies/requirement_form.html", {"form": form, **context}, status=status
    )


def _agency(form: RequirementLineForm, agencies: list[Any]) -> Any:
    chosen = form.cleaned_data.pop("agency", None)
    found = [a for a in agencies if chosen is None or a.pk == chosen]
    if len(found) != 1:
        raise BusinessError.single(
            "agency_required", _("Say for which agency this line is."), "agency"
        )
    return found[0]


ALREADY_SENT = object()


def _add(request: HttpRequest, form: RequirementLineForm, token: str, agencies: list[Any]) -> Any:
    """Spend the token, then add, in one transaction; a refusal gives the token back for
    the corrected form. ``ALREADY_SENT`` when a simultaneous submission of the same form
    spent it first."""
    _token_set(request, token, SENT)
    try:
        with transaction.atomic():
            if not form_token_spend(user=request.user, token=token, scope=ADD_SCOPE):
                return ALREADY_SENT
            return services.requirement_line_add(
                agency=_agency(form, agencies), by=request.user, **form.cleaned_data
            )
    except BusinessError as error:
        _token_set(request, token, OPEN)
        form.add_business_error(error)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def requirement_add(request: HttpRequest) -> HttpResponse:
    user = _supervisor(request)
    agencies = selectors.managed_agencies(user=user)
    if request.method == "GET":
        form = RequirementLineForm(agencies=agencies, initial={"valid_from": timezone.localdate()})
        return _render_form(request, form, token=_token_issue(request))
    token = request.POST.get("form_token", "")
    state = _tokens(request).get(token)
    if state not in (None, OPEN):
        return _already_sent(request)
    form = RequirementLineForm(request.POST, agencies=agencies)
    if state is None:  # not issued in this session (it expired, or the form was forged)
        form.full_clean()
        form.add_error(None, _("This form has expired: check the values and send it again."))
        return _render_form(request, form, status=400, token=_token_issue(request))
    line = _add(request, form, token, agencies) if form.is_valid() else None
    if line is ALREADY_SENT:
        return _already_sent(request)
    if line is None:
        return _render_form(request, form, status=400, token=token)
    messages.success(
        request,
        _("Line %(key)s is added: %(description)s, from %(day)s.")
        % {"key": line.key, "description": line.description, "day": _day(line.valid_from)},
    )
    return redirect(LIST)


def _say_changed(request: HttpRequest, line: RequirementLine, new: RequirementLine) -> None:
    if new.pk == line.pk:  # the service adds no version when nothing differs
        messages.info(request, _("Nothing was changed: the line stays as it is."))
        return
    messages.success(
        request,
        _(
            "Line %(key)s is changed from %(day)s. The previous version "
            "applies until the day before and stays on record."
        )
        % {"key": new.key, "day": _day(new.valid_from)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def requirement_change(request: HttpRequest, pk: int) -> HttpResponse:
    """The form holds the version in force; only the fields that differ are sent, and the
    service closes that version and adds the next one (the matrix is never rewritten)."""
    user = _supervisor(request)
    line = _line(request, pk)
    if line.valid_to is not None:
        return _closed(request)
    # None (a translation never filled in) and "" are the same blank to the supervisor.
    values = {name: _blank_none(getattr(line, name)) for name in EDITABLE}
    keep = line.document_type_code
    if request.method == "GET":
        # The next version begins after this one did (a scheduled one: the day after).
        first = max(timezone.localdate(), line.valid_from + dt.timedelta(days=1))
        form = RequirementLineForm(
            initial={**values, "valid_from": first}, keep_code=keep, changing=True
        )
        return _render_form(request, form, line=line)
    form = RequirementLineForm(request.POST, keep_code=keep, changing=True)
    if form.is_valid():
        data = form.cleaned_data
        changes = {k: data[k] for k in EDITABLE if k in data and data[k] != values[k]}
        try:
            new = services.requirement_line_change(
                line=line, changes=changes, valid_from=data["valid_from"], by=user
            )
        except ConflictError as error:
            return _closed(request, error)
        except BusinessError as error:
            form.add_business_error(error)
        else:
            _say_changed(request, line, new)
            return redirect(LIST)
    return _render_form(request, form, status=400, line=line)


@login_required
@require_http_methods(["GET", "POST"])
def requirement_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = _supervisor(request)
    line = _line(request, pk)
    if line.valid_to is not None:
        return _closed(request)
    if request.method == "GET":
        form = EndLineForm(initial={"valid_to": timezone.localdate()})
        return render(request, "agencies/requirement_end.html", {"form": form, "line": line})
    form = EndLineForm(request.POST)
    if form.is_valid():
        try:
            services.requirement_line_end(
                line=line, valid_to=form.cleaned_data["valid_to"], by=user
            )
        except ConflictError as error:
            return _closed(request, error)
        except BusinessError as error:
            form.add_business_error(error)
        else:
            messages.success(
                request,
                _("Line %(key)s ends on %(day)s.")
                % {"key": line.key, "day": _day(form.cleaned_data["valid_to"])},
            )
            return redirect(LIST)
    return render(
        request, "agencies/requirement_end.html", {"form": form, "line": line}, status=400
    )
