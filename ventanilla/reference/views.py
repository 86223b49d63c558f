"""The public reference browser: HS nomenclature, countries and locations.

Anyone may read reference data (TFA 1.1), so no page here asks for a sign-in. Every
page is a plain GET form first; htmx, when present, asks for the results fragment only
(``HX-Request``) and the page swaps it in place.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from ventanilla.core.text import digits, fold
from ventanilla.reference import selectors
from ventanilla.reference.models import HSCode, Location

PER_PAGE = 50
# Searches are capped (the selectors take a limit); the page says so when the cap is hit.
SEARCH_CAP = 2000

LOCATION_FUNCTIONS: list[tuple[str, Any, str]] = [
    # filter value, label, model flag
    ("seaport", _("Seaport"), "is_seaport"),
    ("airport", _("Airport"), "is_airport"),
    ("rail", _("Rail terminal"), "is_rail"),
    ("road", _("Road terminal"), "is_road"),
    ("multimodal", _("Multimodal / inland depot"), "is_multimodal"),
    ("border_crossing", _("Border crossing"), "is_border_crossing"),
]


def _wants_fragment(request: HttpRequest) -> bool:
    """htmx asked for the results only (not a history restore, which needs the page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _page(request: HttpRequest, object_list: Any) -> tuple[Page, list[Any]]:
    paginator = Paginator(object_list, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    page_range = list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page, page_range


# --- HS nomenclature -------------------------------------------------------------------


def _tree() -> list[dict[str, Any]]:
    """Sections with their chapters, in order. Chapters without a known section come
    last, under a plain heading."""
    sections = list(selectors.hs_sections())
    groups: dict[str, dict[str, Any]] = {s.number: {"section": s, "chapters": []} for s in sections}
    loose: list[HSCode] = []
    for chapter in selectors.hs_chapters():
        group = groups.get(chapter.section)
        if group is None:
            loose.append(chapter)
        else:
            group["chapters"].append(chapter)
    tree = [g for g in groups.values() if g["chapters"]]
    if loose:
        tree.append({"section": None, "chapters": loose})
    return tree


@require_GET
@vary_on_headers("HX-Request")
def hs(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    results = list(selectors.hs_search(query=query)) if query else []
    context: dict[str, Any] = {
        "query": query,
        "results": results,
        "edition": selectors.hs_edition_current(),
    }
    if _wants_fragment(request):
        return render(request, "reference/_hs_results.html", context)
    context["tree"] = _tree()
    return render(request, "reference/hs.html", context)


@require_GET
def hs_node(request: HttpRequest, code: str) -> HttpResponse:
    clean = digits(code)
    if clean != code:
        if not clean:
            raise Http404
        return redirect("reference:hs_node", code=clean, permanent=True)
    node = selectors.hs_code_get(code=clean)
    if node is None:
        raise Http404
    context: dict[str, Any] = {
        "node": node,
        "ancestors": selectors.hs_ancestors(node=node),
        "children": list(selectors.hs_children(parent_code=node.code, edition=node.edition)),
        "tariff_lines": (
            list(selectors.tariff_lines_under(hs_code=node.code)) if node.level == 6 else []
        ),
    }
    return render(request, "reference/hs_node.html", context)


# --- Countries -------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def countries(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    if query:
        rows: Any = selectors.country_search(query=query, limit=SEARCH_CAP)
    else:
        rows = selectors.country_qs()
    page, page_range = _page(request, rows)
    context = {
        "query": query,
        "page_obj": page,
        "page_range": page_range,
        "capped": bool(query) and page.paginator.count >= SEARCH_CAP,
        "cap": SEARCH_CAP,
    }
    if _wants_fragment(request):
        return render(request, "reference/_country_results.html", context)
    return render(request, "reference/countries.html", context)


# --- Locations -------------------------------------------------------------------------


def _functions(location: Location) -> list[Any]:
    return [label for _value, label, flag in LOCATION_FUNCTIONS if getattr(location, flag)]


@require_GET
@vary_on_headers("HX-Request")
def locations(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    country = request.GET.get("country", "").strip().upper()[:2]
    function = request.GET.get("function", "")
    if function not in {value for value, _label, _flag in LOCATION_FUNCTIONS}:
        function = ""
    filtered = bool(query or country or function)
    if filtered:
        rows: Any = selectors.location_search(
            query=query, country=country, function=function, limit=SEARCH_CAP
        )
    else:
        rows = selectors.location_qs()
    page, page_range = _page(request, rows)
    country_names = {c.code: c.name for c in selectors.country_qs()}
    table = [
        {
            "location": loc,
            "country_name": country_names.get(loc.country, ""),
            "functions": _functions(loc),
        }
        for loc in page.object_list
    ]
    context = {
        "query": query,
        "country": country,
        "function": function,
        "functions": [(value, label) for value, label, _flag in LOCATION_FUNCTIONS],
        "countries": sorted(country_names.items(), key=lambda item: fold(item[1])),
        "page_obj": page,
        "page_range": page_range,
        "rows": table,
        "capped": filtered and page.paginator.count >= SEARCH_CAP,
        "cap": SEARCH_CAP,
    }
    if _wants_fragment(request):
        return render(request, "reference/_location_results.html", context)
    return render(request, "reference/locations.html", context)
