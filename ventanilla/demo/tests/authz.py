"""The machinery of the authorization matrix (``test_authorization_*.py``).

The world is the demo data set (``load_demo``: organisations, one user per role and eight
declarations in every state), loaded once per test module inside a transaction that is
rolled back at the end of the module; every test runs in a savepoint of its own, so each
(row, role) pair starts from the same data whatever ran before it. Targets that a call
changes (a token to revoke, a payment, a sample...) are made fresh in each test, through
the same services the product uses.

A row is one call (endpoint, method, target, body) with the status every role must get.
For each pair the test checks the status; the error shape of every refusal; that a
refused call, and any read, changed nothing in the database (row counts of every table,
content of every table that holds state); that nothing a trader, broker or carrier
receives shows the channel, a risk profile or an officer's internal words; and that an
officer is not shown another agency's internal words.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from ventanilla.accounts.models import Organisation, User
from ventanilla.demo.declarations import BROKER, CARRIER, TERMINAL, TRADER_A, TRADER_B
from ventanilla.demo.steps import STEPS, resolve

ROLES = [
    "anonymous",
    "trader_a",
    "trader_b",
    "broker",
    "carrier",
    "terminal",
    "customs",
    "plant",
    "food",
    "customs_supervisor",
    "committee",
    "admin",
]
EMAILS = {
    "trader_a": "trader@demo.ventanilla",
    "trader_b": "trader-b@demo.ventanilla",
    "broker": "broker@demo.ventanilla",
    "carrier": "carrier@demo.ventanilla",
    "terminal": "terminal@demo.ventanilla",
    "customs": "customs@demo.ventanilla",
    "plant": "plant@demo.ventanilla",
    "food": "food@demo.ventanilla",
    "customs_supervisor": "customs-supervisor@demo.ventanilla",
    "committee": "committee@demo.ventanilla",
    "admin": "admin@demo.ventanilla",
}
# Whoever acts for a trader, broker, carrier or terminal: never the channel, risk or
# officers' words.
TRADE_SIDE = ("trader_a", "trader_b", "broker", "carrier", "terminal")
CODES = {
    "trader_a": TRADER_A,
    "trader_b": TRADER_B,
    "broker": BROKER,
    "carrier": CARRIER,
    "terminal": TERMINAL,
    "customs": "AG-CUSTOMS",
    "plant": "AG-PLANT",
    "food": "AG-FOOD",
    "committee": "NTFC",
}

# The demo declarations used as targets (see ventanilla/demo/declarations.py).
AVO = "DEMO-AVO-0001"  # under control: customs inspection, plant health pending, food waiting
COF = "DEMO-COF-0001"  # plant health only, information requested
GRA = "DEMO-GRA-0001"  # released: plant health and food safety approved (customs no review)

TEST_SETTINGS = {
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "LANGUAGE_CODE": "en",
}


def load_world() -> None:
    """What ``load_demo`` loads, step by step, with one difference: random selection is
    retired by the committee before the declarations are lodged. Its draw is keyed on
    the declaration's id and the secret key, which differ between databases (PostgreSQL
    sequences are not rolled back) and settings; the matrix needs the same routing
    everywhere (customs then reviews DEMO-AVO-0001 only, for the fruit-fly alert)."""
    from ventanilla.risk.models import RiskProfile
    from ventanilla.risk.services import risk_profile_retire

    call_command("load_reference_demo", verbosity=0)
    for _label, target in STEPS:
        if target.endswith(":load_demo_declarations"):
            committee = User.objects.get(email=EMAILS["committee"])
            for profile in RiskProfile.objects.filter(kind="random", status="active"):
                risk_profile_retire(profile=profile, by=committee, reason="Authorization matrix")
        resolve(target)()


def demo_world_fixture() -> Any:
    """A module-scoped fixture: the demo world loaded once, in a transaction rolled back
    after the module (each test then runs in a savepoint). Assign it in a test module as
    ``demo_world = demo_world_fixture()`` and mark the tests ``usefixtures("demo_world")``
    and ``django_db``."""

    @pytest.fixture(scope="module", name="demo_world")
    def _demo_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            try:
                with override_settings(**TEST_SETTINGS):
                    load_world()
            except BaseException:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
                raise
        yield
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)

    return _demo_world


# --- the world ------------------------------------------------------------------------


class Demo:
    """Looks the demo objects up by their natural keys (ids differ between databases)
    and makes fresh targets through the services, once per test."""

    def __init__(self) -> None:
        by_email = {u.email: u for u in User.objects.filter(email__in=EMAILS.values())}
        self.users: dict[str, User | None] = {"anonymous": None}
        self.users.update({role: by_email[email] for role, email in EMAILS.items()})
        self._made: dict[str, Any] = {}

    def user(self, role: str) -> User:
        user = self.users[role]
        assert user is not None
        return user

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        """The same fresh object for the path, the body and the headers of one call."""
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]

    def org(self, code: str) -> Organisation:
        return Organisation.objects.get(code=CODES.get(code, code))

    def declaration(self, lrn: str) -> Any:
        from ventanilla.declarations.models import Declaration

        return Declaration.objects.get(lrn=lrn)

    def review(self, lrn: str, agency: str) -> Any:
        from ventanilla.agencies.models import AgencyReview

        return (
            AgencyReview.objects.filter(declaration__lrn=lrn, agency__code=CODES[agency])
            .order_by("-round", "-pk")
            .first()
        )


# --- rows -----------------------------------------------------------------------------

Value = Callable[[Demo], Any]


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    target: str  # what is called, for the test id and the report
    path: Value
    expected: dict[str, int]
    body: Value | None = None
    headers: Callable[[Demo, str], dict[str, str]] | None = None
    raw: bool = False  # the body is bytes, sent as is (a provider's signed callback)
    why: str = ""  # the rule behind a surprising expectation

    @property
    def id(self) -> str:
        return f"{self.name}:{self.method}:{self.target}"


def expect(default: int, anonymous: int = 401, **overrides: int) -> dict[str, int]:
    unknown = set(overrides) - set(ROLES)
    assert not unknown, unknown
    table = dict.fromkeys(ROLES, default)
    table["anonymous"] = anonymous
    table.update(overrides)
    return table


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def url(name: str, *args: Any, query: str | Callable[[Demo], str] = "") -> Value:
    """A path whose arguments may be functions of the world (looked up per test)."""

    def build(d: Demo) -> str:
        values = [a(d) if callable(a) else a for a in args]
        path = reverse(name, args=values)
        return f"{path}?{query(d) if callable(query) else query}" if query else path

    return build


def pk_of(lookup: Value) -> Value:
    return lambda d: lookup(d).pk


def params(rows: Iterable[Row]) -> list[Any]:
    return [pytest.param(row, role, id=f"{row.id}:{role}") for row in rows for role in ROLES]


# --- checks ---------------------------------------------------------------------------

STATIC_APPS = {"auth", "contenttypes", "reference", "sessions", "admin"}


def _tables() -> tuple[list[tuple[str, str, Any]], list[tuple[str, str]]]:
    """(label, table, pk column) of the tables that hold state; (label, table) of the
    static ones, which are only counted."""
    state, static = [], []
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        opts = model._meta
        if opts.app_label in STATIC_APPS:
            static.append((opts.label, opts.db_table))
        else:
            state.append((opts.label, opts.db_table, opts.pk.column))
    return state, static


def snapshot() -> dict[str, Any]:
    """Row counts of every table, and the content of every table that holds state (the
    static reference data is counted only): a refused call must leave all as it was."""
    qn = connection.ops.quote_name
    state, static = _tables()
    result: dict[str, Any] = {}
    with connection.cursor() as cursor:
        # Table names come from the models, never from input.
        counts = ", ".join(f"(SELECT COUNT(*) FROM {qn(t)})" for _label, t in static)  # noqa: S608
        cursor.execute(f"SELECT {counts}")
        result.update(zip([label for label, _t in static], cursor.fetchone(), strict=True))
        for label, table, pk in state:
            cursor.execute(f"SELECT * FROM {qn(table)} ORDER BY {qn(pk)}")  # noqa: S608
            rows = cursor.fetchall()
            result[label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return result


def changed_tables(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))


_CLIENT: APIClient | None = None


def client_for(user: User | None) -> APIClient:
    """One client for the whole run: each new client loads the middleware again, and
    WhiteNoise then walks every static file."""
    global _CLIENT
    if _CLIENT is None:
        _CLIENT = APIClient()
    _CLIENT.cookies.clear()
    _CLIENT.force_authenticate(user)
    return _CLIENT


AGENCY_OF = {
    "customs": "AG-CUSTOMS",
    "customs_supervisor": "AG-CUSTOMS",
    "plant": "AG-PLANT",
    "food": "AG-FOOD",
}


def internal_words(role: str) -> set[str]:
    """What ``role`` may not read. The trade side: officers' reasons and inspection
    notes, risk profile codes and rationales, outcome notes. An officer: another
    agency's reasons and notes (the agencies share statuses, results and reason
    categories, never their officers' words — TFA 8)."""
    from ventanilla.agencies.models import AgencyReview, InspectionParticipant
    from ventanilla.risk.models import RiskOutcome, RiskProfile

    reviews = AgencyReview.objects.exclude(reason="")
    notes = InspectionParticipant.objects.exclude(notes="")
    words: set[str] = set()
    if role in AGENCY_OF:
        own = AGENCY_OF[role]
        words.update(reviews.exclude(agency__code=own).values_list("reason", flat=True))
        words.update(notes.exclude(agency__code=own).values_list("notes", flat=True))
    elif role in TRADE_SIDE:
        words.update(reviews.values_list("reason", flat=True))
        words.update(notes.values_list("notes", flat=True))
        words.update(RiskProfile.objects.values_list("code", flat=True))
        words.update(RiskProfile.objects.exclude(rationale="").values_list("rationale", flat=True))
        words.update(RiskOutcome.objects.exclude(notes="").values_list("notes", flat=True))
    return {w for w in words if len(w.strip()) >= 6}


def leaks(payload: Any, words: set[str], channel: bool, path: str = "") -> list[str]:
    """Where ``payload`` shows one of ``words`` (or, when ``channel``, a channel)."""
    found: list[str] = []
    if isinstance(payload, dict):
        for key, value in payload.items():
            here = f"{path}.{key}" if path else str(key)
            if channel and key == "channel" and value not in (None, ""):
                found.append(f"{here}={value!r}")
            found += leaks(value, words, channel, here)
    elif isinstance(payload, list):
        for index, value in enumerate(payload):
            found += leaks(value, words, channel, f"{path}.{index}" if path else str(index))
    elif isinstance(payload, str):
        found += [f"{path} contains {w!r}" for w in sorted(words) if w in payload]
    return found


def call(row: Row, role: str, d: Demo) -> Any:
    path = row.path(d)
    body = row.body(d) if row.body is not None else None
    headers = row.headers(d, role) if row.headers is not None else {}
    client = client_for(d.users[role])
    if row.raw:
        extra: dict[str, Any] = dict(headers)
        return client.generic(
            row.method.upper(), path, body or b"", content_type="application/json", **extra
        )
    if row.method in ("get", "delete") and body is None:
        return getattr(client, row.method)(path, **headers)
    return getattr(client, row.method)(path, body or {}, format="json", **headers)


def check(row: Row, role: str) -> list[str]:
    """Everything wrong with one call by one role (empty when all is right)."""
    d = Demo()
    row.path(d)  # make the fresh targets before the snapshot
    if row.body is not None:
        row.body(d)
    if row.headers is not None:
        row.headers(d, role)
    before = snapshot()
    response = call(row, role, d)
    wanted = row.expected[role]
    where = f"{role}: {row.method.upper()} {row.name} [{row.target}]"
    problems = []
    content = response.content[:400].decode("utf-8", "replace")
    if response.status_code != wanted:
        problems.append(f"{where}: expected {wanted}, got {response.status_code} {content}")
    if response.status_code >= 400:
        data = _json(response)
        rows = data.get("errors") if isinstance(data, dict) else None
        if (
            set(data or {}) != {"errors"}
            or not rows
            or not all(isinstance(r, dict) and {"code", "field", "message"} <= set(r) for r in rows)
        ):
            problems.append(f"{where}: refusal without the error shape: {content}")
        moved = changed_tables(before, snapshot())
        if moved:
            problems.append(f"{where}: refused ({response.status_code}) but changed {moved}")
    else:
        if row.method == "get":
            moved = changed_tables(before, snapshot())
            if moved:
                problems.append(f"{where}: a read changed {moved}")
        if response.content and (role in TRADE_SIDE or role in AGENCY_OF):
            found = leaks(_json(response), internal_words(role), channel=role in TRADE_SIDE)
            if found:
                problems.append(f"{where}: shows what {role} may not read: {found[:3]}")
    return problems


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


# --- the endpoints ----------------------------------------------------------------------

METHODS = ("get", "post", "put", "patch", "delete")
UNLISTED = ("api-schema", "api-docs")  # the OpenAPI document, public by design


def walk(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, str, Any]]:
    """(name, route, callback) of every named URL."""
    found: list[tuple[str, str, Any]] = []
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            found += walk(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            found.append((p.name, prefix + str(p.pattern), p.callback))
    return found


def view_methods(callback: Any) -> list[str]:
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return [m for m in METHODS if view is not None and hasattr(view, m)]


def api_endpoints() -> dict[tuple[str, str], str]:
    """Every (URL name, method) the API serves, with its route."""
    return {
        (name, method): route
        for name, route, callback in walk()
        if route.startswith("api/") and name not in UNLISTED
        for method in view_methods(callback)
    }
