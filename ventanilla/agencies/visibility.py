"""The routing rule registered with ``declarations.selectors`` (ADR 0005)."""

from __future__ import annotations

from django.db.models import Q


def routed_to_agencies(agency_ids: list[int]) -> Q:
    """Declarations for which one of these agencies has, or had, a review."""
    return Q(agency_reviews__agency_id__in=agency_ids)
