"""The home page: the first page a newcomer sees."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # The "You act for" panel comes from the accounts app's template tag: core
    # imports no domain app.
    return render(request, "core/home.html")
