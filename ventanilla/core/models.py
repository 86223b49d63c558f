"""Abstract bases shared by every app.

Reference and published data are effective-dated and never overwritten (developers'
guide, habit 7): a change closes the current version (``valid_to``) and opens a new
one, so a declaration lodged last year is always read against last year's data.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class EffectiveDatedQuerySet(QuerySet):
    def as_of(self, day: dt.date | None = None) -> EffectiveDatedQuerySet:
        """Rows in force on ``day`` (today when omitted)."""
        day = day or timezone.localdate()
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gt=day))

    def current(self) -> EffectiveDatedQuerySet:
        return self.as_of(None)


class EffectiveDated(models.Model):
    """``valid_from`` inclusive, ``valid_to`` exclusive; ``None`` means open-ended."""

    valid_from = models.DateField(_("valid from"), default=dt.date(1900, 1, 1), db_index=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True, db_index=True)

    objects = EffectiveDatedQuerySet.as_manager()

    class Meta:
        abstract = True

    def in_force(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.valid_from <= day and (self.valid_to is None or self.valid_to > day)


# Registered here so Django finds it in the core app's models module.
from ventanilla.core.idempotency import IdempotencyRecord  # noqa: E402, F401
