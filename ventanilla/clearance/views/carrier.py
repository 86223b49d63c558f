"""The carrier's and terminal's pages: report an arrival in one action, and see per
conveyance what may leave now (TFA 7.1: release on arrival when everything is settled).

The carrier sees the declarations it carries — their status word, never the channel nor
the agencies' reasons."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from ventanilla.accounts.forms import UswdsMixin
from ventanilla.accounts.models import Organisation
from ventanilla.accounts.selectors import organisation_qs_for
from ventanilla.clearance import services
from ventanilla.core.errors import BusinessError
from ventanilla.declarations.choices import Status
from ventanilla.declarations.selectors import declaration_qs_for, moved_or_held_by

AWAITING = (
    Status.ACCEPTED,
    Status.UNDER_CONTROL,
    Status.INFORMATION_REQUESTED,
    Status.READY_FOR_RELEASE,
    Status.LODGED,
)


class ArrivalForm(UswdsMixin, forms.Form):
    conveyance_ref = forms.CharField(
        label=gettext_lazy("Vessel, flight or vehicle"),
        max_length=35,
        required=False,
        help_text=gettext_lazy("Every declaration carried by it arrives at once."),
    )
    mrns = forms.CharField(
        label=gettext_lazy("Or the MRNs that arrived"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One or more, separated by spaces, commas or new lines."),
    )
    location = forms.CharField(
        label=gettext_lazy("Where (UN/LOCODE)"),
        max_length=5,
        required=False,
        widget=forms.TextInput(attrs={"class": "usa-input--md"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def mrn_list(self) -> list[str]:
        text = self.cleaned_data.get("mrns") or ""
        return [m.upper() for m in re.split(r"[\s,;]+", text) if m][:1000]


def _reporting_organisation(request: HttpRequest) -> Organisation:
    """Carriers and terminals report arrivals; customs may record one too."""
    orgs = organisation_qs_for(user=request.user)
    org = (
        orgs.filter(kind="carrier").first()
        or orgs.filter(kind="agency", agency_function="customs").first()
    )
    if org is None:
        raise PermissionDenied
    return org


def _carried(request: HttpRequest, org: Organisation) -> Any:
    qs = declaration_qs_for(user=request.user)
    if org.kind == "carrier":  # a carrier or a terminal: the goods it moves or holds
        qs = qs.filter(moved_or_held_by(org))
    return qs


@login_required
@require_http_methods(["GET", "POST"])
def arrivals(request: HttpRequest) -> HttpResponse:
    org = _reporting_organisation(request)
    form = ArrivalForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            arrived = services.arrival_report(
                organisation=org,
                by=request.user,
                conveyance_ref=form.cleaned_data["conveyance_ref"].strip(),
                mrns=form.mrn_list(),
                location=form.cleaned_data["location"].strip().upper(),
            )
        except BusinessError as refused:
            error = refused
            for item in refused.items:
                form.add_error(item.field if item.field in form.fields else None, str(item.message))
        else:
            released = [d for d in arrived if d.status == Status.RELEASED]
            if not arrived:
                messages.warning(request, _("No declaration awaiting arrival matches."))
            else:
                messages.success(
                    request,
                    ngettext(
                        "Arrival recorded for %(n)s declaration; %(r)s released now.",
                        "Arrival recorded for %(n)s declarations; %(r)s released now.",
                        len(arrived),
                    )
                    % {"n": len(arrived), "r": len(released)},
                )
            conveyance = form.cleaned_data["conveyance_ref"].strip()
            url = reverse("clearance:releases")
            return redirect(f"{url}?{urlencode({'conveyance': conveyance})}" if conveyance else url)
    expected: dict[str, list[Any]] = defaultdict(list)
    for d in (
        _carried(request, org)
        .filter(arrived_at__isnull=True, status__in=AWAITING)
        .order_by("estimated_arrival", "pk")[:200]
    ):
        expected[d.conveyance_ref or "—"].append(d)
    return render(
        request,
        "clearance/arrivals.html",
        {
            "form": form,
            "error": error,
            "organisation": org,
            "expected": sorted(
                expected.items(),
                key=lambda kv: (
                    kv[1][0].estimated_arrival is None,
                    kv[1][0].estimated_arrival or 0,
                    kv[0],
                ),
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def releases(request: HttpRequest) -> HttpResponse:
    """Per conveyance: what may leave now, and what is still held."""
    org = _reporting_organisation(request)
    conveyance = request.GET.get("conveyance", "").strip()[:35]
    qs = _carried(request, org).exclude(status__in=[Status.DRAFT, Status.CANCELLED])
    qs = qs.filter(conveyance_ref=conveyance) if conveyance else qs.filter(arrived_at__isnull=False)
    groups: dict[str, dict[str, list[Any]]] = defaultdict(lambda: {"released": [], "held": []})
    for d in qs.select_related("trader").order_by("-released_at", "pk")[:500]:
        key = "released" if d.status in (Status.RELEASED, Status.CLEARED) else "held"
        groups[d.conveyance_ref or "—"][key].append(d)
    conveyances = sorted(
        _carried(request, org)
        .exclude(conveyance_ref="")
        .values_list("conveyance_ref", flat=True)
        .distinct()
    )
    return render(
        request,
        "clearance/releases.html",
        {
            "groups": sorted(groups.items()),
            "conveyance": conveyance,
            "conveyances": conveyances[:200],
            "organisation": org,
        },
    )
