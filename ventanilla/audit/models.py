"""Append-only, hash-chained audit trail.

Every state-changing service writes one ``AuditEvent`` inside its own transaction. Each
event stores the SHA-256 of its canonical content plus the previous event's hash, so
editing, deleting or reordering any row breaks the chain at that point and
``ventanilla audit verify`` names it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events are append-only")


class AuditEvent(models.Model):
    # seq is the chain position; it is assigned under the chain-head lock, never reused.
    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor label"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    verb = models.CharField(_("verb"), max_length=100)
    target_type = models.CharField(_("target type"), max_length=100)
    target_id = models.CharField(_("target id"), max_length=100)
    payload = models.JSONField(_("payload"), default=dict, encoder=DjangoJSONEncoder)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # Every event writes each of these indexes, so there are only those that reads use:
        # the trail is filtered by exact verb, target type and target id (audit API). A
        # target type alone is served by the composite index. Declared here rather than
        # by ``db_index``/``unique`` on the fields, which on PostgreSQL would add a
        # second, ``LIKE``-pattern index to each: the trail is never searched by pattern
        # (ADR 0006, seventh session).
        indexes = [
            models.Index(fields=["target_type", "target_id", "seq"]),
            models.Index(fields=["target_id"], name="audit_event_target_id_idx"),
            models.Index(fields=["verb"], name="audit_event_verb_idx"),
        ]
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_event_hash_unique")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events are append-only")


class AuditChainHead(models.Model):
    """A single row locked (SELECT ... FOR UPDATE) while an event is appended, so two
    concurrent transactions on PostgreSQL cannot both chain onto the same predecessor.
    On SQLite the IMMEDIATE transaction already serialises writers."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"head #{self.last_seq}"
