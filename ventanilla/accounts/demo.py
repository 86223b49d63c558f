"""Demo organisations and sign-ins for ``make demo``: one user per role, so every screen
can be seen as each of its users. Idempotent: a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from ventanilla.accounts import services
from ventanilla.accounts.choices import AgencyFunction as F
from ventanilla.accounts.choices import MandateKind
from ventanilla.accounts.choices import OrganisationKind as K
from ventanilla.accounts.models import Mandate, Organisation, User

DEMO_PASSWORD = "demo-Ventanilla-2026"  # noqa: S105 - published demo credential

ORGANISATIONS = (
    # code, kind, name, agency function
    ("20100000001", K.TRADER, "Andes Fresh Produce S.A.C.", ""),
    ("20100000002", K.TRADER, "Pacific Copper Traders S.A.", ""),
    ("20100000003", K.BROKER, "Callao Customs Brokers S.A.C.", ""),
    ("20100000004", K.CARRIER, "Pacific Lines Shipping S.A.", ""),
    ("20100000005", K.CARRIER, "Callao Container Terminal S.A.", ""),
    ("AG-CUSTOMS", K.AGENCY, "National Customs Service", F.CUSTOMS),
    ("AG-PLANT", K.AGENCY, "National Plant Health Service", F.PLANT_HEALTH),
    ("AG-FOOD", K.AGENCY, "National Food Safety Authority", F.FOOD_SAFETY),
    ("NTFC", K.MINISTRY, "National Trade Facilitation Committee", ""),
)
# Public bodies have an official name in each language; companies keep their legal name.
SPANISH_NAMES = {
    "AG-CUSTOMS": "Servicio Nacional de Aduanas",
    "AG-PLANT": "Servicio Nacional de Sanidad Vegetal",
    "AG-FOOD": "Autoridad Nacional de Inocuidad Alimentaria",
    "NTFC": "Comité Nacional de Facilitación del Comercio",
}


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    organisation: str | None
    roles: tuple[str, ...]
    label: str


USERS = (
    DemoUser(
        "trader@demo.ventanilla",
        "Rosa Quispe",
        "20100000001",
        ("trader_admin", "trader_declarant"),
        "Trader A (importer of fresh produce)",
    ),
    DemoUser(
        "trader-b@demo.ventanilla",
        "Diego Soto",
        "20100000002",
        ("trader_admin", "trader_declarant"),
        "Trader B (copper exporter)",
    ),
    DemoUser(
        "broker@demo.ventanilla",
        "Lucía Fernández",
        "20100000003",
        ("broker_admin", "broker_declarant"),
        "Customs broker",
    ),
    DemoUser(
        "carrier@demo.ventanilla",
        "Carlos Mendoza",
        "20100000004",
        ("carrier_operator",),
        "Carrier (shipping line)",
    ),
    DemoUser(
        "terminal@demo.ventanilla",
        "Luis Paredes",
        "20100000005",
        ("carrier_operator",),
        "Terminal operator (where the goods are held)",
    ),
    DemoUser(
        "customs@demo.ventanilla",
        "Ana Torres",
        "AG-CUSTOMS",
        ("agency_officer",),
        "Customs officer",
    ),
    DemoUser(
        "customs-supervisor@demo.ventanilla",
        "Jorge Ramírez",
        "AG-CUSTOMS",
        ("agency_supervisor",),
        "Customs supervisor",
    ),
    DemoUser(
        "plant@demo.ventanilla",
        "María Huamán",
        "AG-PLANT",
        ("agency_officer",),
        "Plant health officer",
    ),
    DemoUser(
        "plant-supervisor@demo.ventanilla",
        "Carmen Flores",
        "AG-PLANT",
        ("agency_supervisor",),
        "Plant health supervisor",
    ),
    DemoUser(
        "food@demo.ventanilla",
        "Pedro Castillo",
        "AG-FOOD",
        ("agency_officer",),
        "Food safety officer",
    ),
    DemoUser(
        "food-supervisor@demo.ventanilla",
        "Raúl Chávez",
        "AG-FOOD",
        ("agency_supervisor",),
        "Food safety supervisor",
    ),
    DemoUser(
        "committee@demo.ventanilla",
        "Elena Vargas",
        "NTFC",
        ("committee_member",),
        "Trade facilitation committee",
    ),
    DemoUser("admin@demo.ventanilla", "Platform Administrator", None, (), "Administrator"),
)

# The demo broker lodges for both demo traders: each has given it a mandate (TFA 10.6),
# granted by the trader's administrator. (trader code, kind, administrator's e-mail)
MANDATE_BROKER = "20100000003"
MANDATES = (
    ("20100000001", MandateKind.DIRECT, "trader@demo.ventanilla"),
    ("20100000002", MandateKind.INDIRECT, "trader-b@demo.ventanilla"),
)
MANDATES_FROM = dt.date(2020, 1, 1)


@transaction.atomic
def load_demo_accounts() -> dict[str, int]:
    created = {"organisations": 0, "users": 0, "memberships": 0, "mandates": 0}
    orgs: dict[str, Organisation] = {}
    for code, kind, name, function in ORGANISATIONS:
        names = {"en": name, "es": SPANISH_NAMES[code]} if code in SPANISH_NAMES else {}
        org = Organisation.objects.filter(code=code).first()
        if org is None:
            org = services.organisation_create(
                kind=kind, name=name, code=code, agency_function=function, names=names, by=None
            )
            created["organisations"] += 1
        orgs[code] = org
    for spec in USERS:
        user = User.objects.filter(email=spec.email).first()
        if user is None:
            user = services.user_create(
                email=spec.email,
                password=DEMO_PASSWORD,
                full_name=spec.full_name,
                is_superuser=spec.organisation is None,
                by=None,
            )
            created["users"] += 1
        if spec.organisation:
            for role in spec.roles:
                before = user.memberships.count()
                services.membership_add(
                    user=user, organisation=orgs[spec.organisation], role_code=role, by=None
                )
                created["memberships"] += user.memberships.count() - before
    broker = orgs[MANDATE_BROKER]
    for trader_code, representation, admin in MANDATES:
        trader = orgs[trader_code]
        if Mandate.objects.filter(trader=trader, broker=broker, revoked_at__isnull=True).exists():
            continue
        services.mandate_grant(
            trader=trader,
            broker=broker,
            kind=representation,
            valid_from=MANDATES_FROM,
            by=User.objects.get(email=admin),
        )
        created["mandates"] += 1
    return created
