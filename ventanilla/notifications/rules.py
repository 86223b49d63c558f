"""Rules for webhook endpoints: which URLs the platform may POST to.

An organisation's administrator chooses the URL, so the platform refuses addresses
inside its own network (loopback, private, link-local such as cloud metadata) unless
``VENTANILLA_WEBHOOK_ALLOW_PRIVATE_HOSTS`` is set (development and tests). The host is
checked when the endpoint is saved and resolved again before every delivery.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from ventanilla.core.errors import ErrorItem
from ventanilla.notifications.kinds import KINDS

_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain")


def private_hosts_allowed() -> bool:
    return bool(getattr(settings, "VENTANILLA_WEBHOOK_ALLOW_PRIVATE_HOSTS", False))


def _ip_allowed(text: str) -> bool:
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    return address.is_global and not address.is_multicast


def _literal_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def webhook_url_problems(url: str) -> list[ErrorItem]:
    """What is wrong with ``url`` as a webhook target (empty when it is acceptable)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        _port = parts.port  # raises ValueError on a bad port
    except ValueError:
        return [ErrorItem("webhook_url_invalid", _("Enter a valid http or https URL."), "url")]
    if parts.scheme not in ("http", "https") or not host:
        return [ErrorItem("webhook_url_invalid", _("Enter a valid http or https URL."), "url")]
    if parts.username or parts.password:
        return [
            ErrorItem(
                "webhook_url_invalid",
                _(
                    "The URL may not contain a user name or password; the signature proves "
                    "the sender."
                ),
                "url",
            )
        ]
    if not private_hosts_allowed() and (
        host == "localhost"
        or host.endswith(_LOCAL_SUFFIXES)
        or (_literal_ip(host) and not _ip_allowed(host))
    ):
        return [
            ErrorItem(
                "webhook_url_not_allowed",
                _("The URL must point to a public address on the Internet."),
                "url",
            )
        ]
    return []


def host_problem(url: str) -> str:
    """Resolve the URL's host just before delivery; an address inside the platform's
    network is refused (empty string when the delivery may go ahead)."""
    if private_hosts_allowed():
        return ""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        return f"cannot resolve {host}: {exc}"
    addresses = {str(info[4][0]) for info in infos}
    refused = sorted(a for a in addresses if not _ip_allowed(a))
    if refused:
        return f"address not allowed: {', '.join(refused)}"
    return ""


def unknown_kinds(kinds: list[str]) -> list[ErrorItem]:
    return [
        ErrorItem(
            "notice_kind_unknown",
            _("This kind of notice does not exist."),
            f"kinds.{index}",
        )
        for index, code in enumerate(kinds)
        if code not in KINDS
    ]
