"""The notices page: everything the organisations the user acts for were told, rendered
in the reader's language, unread first (TFA 5.1-5.3, 7.1)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ventanilla.accounts.models import User
from ventanilla.notifications import selectors, services

PER_PAGE = 30


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required has refused anyone else
    return request.user


@login_required
@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    unread_only = request.GET.get("show") == "unread"
    rows = selectors.notice_qs_for(user=user)
    if unread_only:
        rows = rows.filter(Q(is_read=False))  # the selector's annotation
    rows = rows.order_by(F("is_read").asc(), "-created_at", "-pk")
    paginator = Paginator(rows, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notices.html",
        {
            "page_obj": page,
            "page_range": list(
                paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
            ),
            "unread_only": unread_only,
            "unread_count": selectors.notice_unread_count(user=user),
        },
    )


@login_required
@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    notice = selectors.notice_qs_for(user=user).filter(pk=pk).first()
    if notice is None:
        raise Http404
    services.notice_mark_read(notice=notice, by=user)
    return redirect("notifications:notices")


@login_required
@require_POST
def notices_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notice_mark_all_read(by=_user(request))
    messages.success(request, _("%(n)s notices marked as read.") % {"n": count})
    return redirect("notifications:notices")
