"""Writes for notifications. Each is one transaction with its audit event; e-mails and
webhooks are persisted inside it and sent by tasks after commit.

``notify`` is the one entry point other apps call (ADR 0005): declarations, agencies,
payments and clearance tell traders, brokers and carriers what happened to a
declaration (TFA 5.1-5.3 holds and inspections, TFA 7.1 release, TFA 7.2 payment).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Membership, Organisation, User
from ventanilla.accounts.roles import MANAGE_ORG
from ventanilla.accounts.selectors import acting_organisation_ids
from ventanilla.audit.services import audit_batch, audit_record
from ventanilla.core import bulk
from ventanilla.core.baked import Baked, Many
from ventanilla.core.errors import BusinessError, ConflictError, ErrorItem
from ventanilla.notifications import tasks
from ventanilla.notifications.kinds import NoticeKind, get_kind, validate_params
from ventanilla.notifications.models import (
    Notice,
    NoticeRead,
    OutboundEmail,
    OutboundWebhook,
    WebhookEndpoint,
    WebhookStatus,
)
from ventanilla.notifications.rendering import titles
from ventanilla.notifications.rules import unknown_kinds, webhook_url_problems
from ventanilla.notifications.selectors import notice_unread_qs_for
from ventanilla.notifications.signing import new_secret

# --- notify -------------------------------------------------------------------------


def _json_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Params as stored and sent: datetimes as ISO 8601, decimals as strings."""
    try:
        clean = json.loads(json.dumps(dict(params), cls=DjangoJSONEncoder))
    except (TypeError, ValueError) as exc:
        raise BusinessError.single(
            "notice_params_invalid",
            _("The notice parameters must be text, numbers, dates or translations."),
            "params",
        ) from exc
    return dict(clean)


def _unique(organisations: Sequence[Organisation]) -> list[Organisation]:
    # The trader often lodges its own declaration: trader and declarant are one.
    seen: set[int] = set()
    out: list[Organisation] = []
    for org in organisations:
        if org.pk not in seen:
            seen.add(org.pk)
            out.append(org)
    return out


def _check_audience(spec: NoticeKind, organisations: list[Organisation]) -> None:
    # Duty amounts and agency decisions go to the declarant side only; the carrier is
    # told what concerns the movement of the goods (TFA 5.2, 7.1).
    refused = [org for org in organisations if org.kind not in spec.audience]
    if refused:
        raise BusinessError(
            [
                ErrorItem(
                    "notice_recipient_not_allowed",
                    _("%(organisation)s may not receive this kind of notice.")
                    % {"organisation": org.label},
                    "organisations",
                )
                for org in refused
            ]
        )


# Compiled once per process and number of organisations (core.baked).
_MEMBERS: Baked[tuple[int, int, str, str]] = Baked(
    lambda organisations: (
        Membership.objects.filter(
            organisation_id__in=organisations, is_active=True, user__is_active=True
        )
        # No model instances and no joins for ordering: only what the e-mail needs.
        .order_by("organisation_id", "user_id")
        .values_list("organisation_id", "user_id", "user__email", "user__preferred_language")
    ),
    organisations=Many(int),
)
_ENDPOINTS: Baked[WebhookEndpoint] = Baked(
    lambda organisations: WebhookEndpoint.objects.filter(
        organisation_id__in=organisations, is_active=True, deleted_at__isnull=True
    ),
    organisations=Many(int),
)


def _email_recipients(
    organisations: Sequence[Organisation],
) -> dict[int, list[tuple[str, int | None, str]]]:
    """(address, user id, language) per organisation: its active members, then its
    contact address, each address once per organisation. One query for every
    organisation told at the same moment."""
    members: dict[int, list[tuple[str, str, int]]] = {org.pk: [] for org in organisations}
    if organisations:
        for org_id, user_id, email, language in _MEMBERS.list(organisations=list(members)):
            members[org_id].append((email, language, user_id))
    out: dict[int, list[tuple[str, int | None, str]]] = {}
    for org in organisations:
        recipients: list[tuple[str, int | None, str]] = []
        seen: set[str] = set()
        for email, language, user_id in members[org.pk]:
            address = email.strip().lower()
            if address and address not in seen:
                seen.add(address)
                recipients.append((address, user_id, language))
        contact = (org.email or "").strip().lower()
        if contact and contact not in seen:
            recipients.append((contact, None, settings.LANGUAGE_CODE))
        out[org.pk] = recipients
    return out


def _emails_for(
    notice: Notice, recipients: list[tuple[str, int | None, str]]
) -> list[OutboundEmail]:
    return [
        OutboundEmail(
            notice=notice,
            user_id=user_id,
            to=address,
            language=language,
            next_attempt_at=notice.created_at,
            idempotency_key=f"notice:{notice.pk}:email:{address}",
        )
        for address, user_id, language in recipients
    ]


def webhook_payload(notice: Notice, event_id: uuid.UUID) -> dict[str, Any]:
    """What a partner's system receives: the facts and the text in both languages."""
    declaration = None
    if notice.declaration_id is not None:
        declaration = {"id": notice.declaration_id, "reference": notice.reference}
    texts = titles(notice.kind, notice.params)
    return {
        "id": str(event_id),
        "notice_id": notice.pk,
        "kind": notice.kind,
        "created_at": notice.created_at.isoformat(),
        "organisation": {"id": notice.organisation.pk, "code": notice.organisation.code},
        "declaration": declaration,
        "params": notice.params,
        "title": texts["title"],
        "body": texts["body"],
    }


def _endpoints(organisations: Sequence[Organisation]) -> dict[int, list[WebhookEndpoint]]:
    """Active endpoints per organisation, in one query."""
    out: dict[int, list[WebhookEndpoint]] = {org.pk: [] for org in organisations}
    if organisations:
        for endpoint in _ENDPOINTS.list(organisations=list(out)):
            out[endpoint.organisation_id].append(endpoint)
    return out


def _webhooks_for(notice: Notice, endpoints: list[WebhookEndpoint]) -> list[OutboundWebhook]:
    hooks = []
    for endpoint in endpoints:
        if not endpoint.wants(notice.kind):
            continue
        event_id = uuid.uuid4()
        hooks.append(
            OutboundWebhook(
                endpoint=endpoint,
                notice=notice,
                event_id=event_id,
                payload=webhook_payload(notice, event_id),
                next_attempt_at=notice.created_at,
                idempotency_key=f"notice:{notice.pk}:endpoint:{endpoint.pk}",
            )
        )
    return hooks


def _send_after_commit(email_ids: list[int], webhook_ids: list[int]) -> None:
    """Once committed, the messages go out through one task per ``DELIVERY_CHUNK``."""
    messages = [(True, pk) for pk in email_ids] + [(False, pk) for pk in webhook_ids]
    for start in range(0, len(messages), tasks.DELIVERY_CHUNK):
        chunk = messages[start : start + tasks.DELIVERY_CHUNK]
        emails = [pk for is_email, pk in chunk if is_email]
        webhooks = [pk for is_email, pk in chunk if not is_email]
        transaction.on_commit(
            partial(tasks.messages_deliver.enqueue, emails, webhooks), robust=True
        )


@dataclass(frozen=True)
class NoticeRequest:
    """One ``notify`` call's worth: the organisations told, the kind, the declaration
    and the parameters (see ``notify``)."""

    organisations: Sequence[Organisation]
    kind: str
    declaration_id: int | None
    params: Mapping[str, Any]


@dataclass(frozen=True)
class _Checked:
    kind: str
    declaration_id: int | None
    params: dict[str, Any]
    organisations: list[Organisation]


def _checked(request: NoticeRequest) -> _Checked:
    spec = get_kind(request.kind)
    validate_params(spec, request.params)
    clean = _json_params(request.params)
    orgs = _unique(request.organisations)
    _check_audience(spec, orgs)
    return _Checked(request.kind, request.declaration_id, clean, orgs)


def notify(
    *,
    organisations: Sequence[Organisation],
    kind: str,
    declaration_id: int | None,
    params: dict[str, Any],
    by: User | None,
) -> list[Notice]:
    """Tell each organisation once, all at the same moment (TFA 5.2, 7.1: trader,
    broker and carrier learn of a hold or a release together).

    ``params["reference"]`` is the declaration's display reference (MRN or LRN). After
    commit, each active member is e-mailed in their own language, and so is the
    organisation's contact address; each active webhook endpoint subscribed to ``kind``
    receives a signed POST. One notice of ``notify_many``.
    """
    request = NoticeRequest(organisations, kind, declaration_id, params)
    return notify_many(notices=[request], by=by)


def notify_many(*, notices: Sequence[NoticeRequest], by: User | None) -> list[Notice]:
    """What the ``notify`` call of each request would store and send, in their order,
    for a fixed number of queries whatever the number of requests (ADR 0006: a batch
    of declarations is assessed at once): the notices, the members, the endpoints, the
    e-mails and the webhooks are each read or written once for the batch.

    Every request is checked before anything is written: an invalid one refuses the
    whole batch (``notify`` would have refused it in turn, failing the caller's
    transaction). Returns the notices, request after request."""
    checked = [_checked(request) for request in notices]
    # Persisted messages are written in the caller's transaction (a notice exists exactly
    # when the change it tells of does). No savepoint: nothing in this block raises an
    # error a caller could catch and carry on from (the input is checked above), so a
    # failure here fails the caller's transaction anyway. The notices' audit events are
    # appended together, one chain-head lock for all of them.
    with audit_batch(savepoint=False):
        now = timezone.now()  # one timestamp for every recipient
        told = [(c, org) for c in checked for org in c.organisations]
        created = bulk.create_many(
            Notice,
            [
                Notice(
                    organisation=org,
                    kind=c.kind,
                    declaration_id=c.declaration_id,
                    reference=str(c.params["reference"])[:70],
                    params=c.params,
                    created_at=now,
                )
                for c, org in told
            ],
        )
        active = list({org.pk: org for _c, org in told if org.is_active}.values())
        recipients = _email_recipients(active)
        endpoints = _endpoints(active)
        emails: list[OutboundEmail] = []
        hooks: list[OutboundWebhook] = []
        for (c, org), notice in zip(told, created, strict=True):
            audit_record(
                verb="notice.created",
                target=notice,
                by=by,
                organisation=org,
                payload={
                    "kind": c.kind,
                    "declaration_id": c.declaration_id,
                    "reference": notice.reference,
                },
            )
            if org.is_active:
                emails += _emails_for(notice, recipients[org.pk])
                hooks += _webhooks_for(notice, endpoints[org.pk])
        if emails:
            bulk.create_many(OutboundEmail, emails)
        if hooks:
            bulk.create_many(OutboundWebhook, hooks)
        _send_after_commit([e.pk for e in emails], [h.pk for h in hooks])
    return created


# --- read state ---------------------------------------------------------------------


def notice_mark_read(*, notice: Notice, by: User) -> Notice:
    if notice.organisation_id not in acting_organisation_ids(user=by):
        raise BusinessError.single("forbidden", _("You may not read this notice."), http_status=403)
    with transaction.atomic():
        now = timezone.now()
        _read, created = NoticeRead.objects.get_or_create(
            user=by, notice=notice, defaults={"read_at": now}
        )
        if not created:
            return notice  # already read: nothing changes, nothing to audit
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=now)
        notice.refresh_from_db(fields=["read_at"])
        audit_record(verb="notice.read", target=notice, by=by, organisation=notice.organisation)
    return notice


def notice_mark_all_read(*, by: User, declaration_id: int | None = None) -> int:
    """Mark every notice the user can see (of one declaration, if given) as read."""
    with transaction.atomic():
        now = timezone.now()
        unread = notice_unread_qs_for(user=by)
        if declaration_id is not None:
            unread = unread.filter(declaration_id=declaration_id)
        ids = list(unread.values_list("pk", flat=True))
        if not ids:
            return 0
        NoticeRead.objects.bulk_create(
            [NoticeRead(user=by, notice_id=pk, read_at=now) for pk in ids],
            ignore_conflicts=True,
        )
        Notice.objects.filter(pk__in=ids, read_at__isnull=True).update(read_at=now)
        audit_record(
            verb="notice.read_all",
            target=("accounts.user", by.pk),
            by=by,
            payload={"count": len(ids), "declaration_id": declaration_id},
        )
    return len(ids)


# --- webhook endpoints -----------------------------------------------------------------


@dataclass(frozen=True)
class IssuedEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown to the caller once


def _require_manager(by: User, organisation: Organisation) -> None:
    if not by.has_perm(MANAGE_ORG, organisation):
        raise BusinessError.single(
            "forbidden", _("You may not manage this organisation."), http_status=403
        )


def webhook_endpoint_create(
    *,
    organisation: Organisation,
    url: str,
    kinds: Sequence[str] = (),
    description: str = "",
    by: User,
) -> IssuedEndpoint:
    _require_manager(by, organisation)
    kinds = list(dict.fromkeys(kinds))
    problems = webhook_url_problems(url) + unknown_kinds(kinds)
    if problems:
        raise BusinessError(problems)
    with transaction.atomic():
        secret = new_secret()
        endpoint = WebhookEndpoint.objects.create(
            organisation=organisation,
            url=url.strip(),
            description=description,
            kinds=kinds,
            secret=secret,
        )
        audit_record(
            verb="webhook_endpoint.created",
            target=endpoint,
            by=by,
            organisation=organisation,
            payload={"url": endpoint.url, "kinds": kinds},
        )
    return IssuedEndpoint(endpoint=endpoint, secret=secret)


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, by: User) -> IssuedEndpoint:
    _require_manager(by, endpoint.organisation)
    if endpoint.deleted_at is not None:
        raise ConflictError("webhook_endpoint_deleted", _("This endpoint was deleted."))
    with transaction.atomic():
        secret = new_secret()
        endpoint.secret = secret
        endpoint.secret_rotated_at = timezone.now()
        endpoint.save(update_fields=["secret", "secret_rotated_at", "updated_at"])
        audit_record(
            verb="webhook_endpoint.secret_rotated",
            target=endpoint,
            by=by,
            organisation=endpoint.organisation,
        )
    return IssuedEndpoint(endpoint=endpoint, secret=secret)


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, by: User) -> WebhookEndpoint:
    """Stop sending to the endpoint. Kept (soft-deleted) with its delivery history;
    deliveries still waiting are given up."""
    _require_manager(by, endpoint.organisation)
    if endpoint.deleted_at is not None:
        return endpoint  # idempotent
    with transaction.atomic():
        now = timezone.now()
        endpoint.deleted_at = now
        endpoint.is_active = False
        endpoint.save(update_fields=["deleted_at", "is_active", "updated_at"])
        given_up = OutboundWebhook.objects.filter(
            endpoint=endpoint, status__in=[WebhookStatus.PENDING, WebhookStatus.FAILED]
        ).update(
            status=WebhookStatus.DEAD,
            next_attempt_at=None,
            last_error="endpoint deleted",
            updated_at=now,
        )
        audit_record(
            verb="webhook_endpoint.deleted",
            target=endpoint,
            by=by,
            organisation=endpoint.organisation,
            payload={"url": endpoint.url, "deliveries_given_up": given_up},
        )
    return endpoint


def webhook_redeliver(*, webhook: OutboundWebhook, by: User) -> OutboundWebhook:
    """Send a failed or dead delivery again now, with the same event id (the receiver
    de-duplicates on it) and a fresh allowance of attempts."""
    endpoint = webhook.endpoint
    _require_manager(by, endpoint.organisation)
    if webhook.status not in (WebhookStatus.FAILED, WebhookStatus.DEAD):
        raise ConflictError("webhook_not_failed", _("Only a failed delivery can be sent again."))
    if endpoint.deleted_at is not None or not endpoint.is_active:
        raise ConflictError(
            "webhook_endpoint_inactive", _("The endpoint of this delivery is not active.")
        )
    with transaction.atomic():
        previous = {"status": webhook.status, "attempts": webhook.attempts}
        webhook.status = WebhookStatus.PENDING
        webhook.attempts = 0
        webhook.next_attempt_at = timezone.now()
        webhook.locked_until = None
        webhook.save(
            update_fields=["status", "attempts", "next_attempt_at", "locked_until", "updated_at"]
        )
        audit_record(
            verb="webhook.redelivery_requested",
            target=webhook,
            by=by,
            organisation=endpoint.organisation,
            payload={"event_id": str(webhook.event_id), "previous": previous},
        )
        transaction.on_commit(partial(tasks.webhook_deliver.enqueue, webhook.pk), robust=True)
    return webhook
