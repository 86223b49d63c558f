"""Helpers shared by the trader's and broker's pages."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest

from ventanilla.accounts.models import User
from ventanilla.declarations import selectors
from ventanilla.declarations.models import TRADE_PARTIES, Declaration

PER_PAGE = 25


def user_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required has refused anyone else
    return request.user


def trade_declaration(request: HttpRequest, pk: int) -> Declaration:
    """A declaration the user sees as trader, broker or carrier; 404 otherwise (officers
    work from their queue, and ids of others' declarations are not told apart)."""
    declaration = (
        selectors.declaration_trade_qs_for(user=request.user)
        .select_related(*TRADE_PARTIES)
        .filter(pk=pk)
        .first()
    )
    if declaration is None:
        raise Http404
    return declaration


def page_of(request: HttpRequest, rows: Any, per_page: int = PER_PAGE) -> tuple[Page, list[Any]]:
    paginator = Paginator(rows, per_page)
    page = paginator.get_page(request.GET.get("page"))
    page_range = list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page, page_range


def wants_fragment(request: HttpRequest) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )
