"""Demo requirement matrix for ``make demo``: what the demo border agencies (created by
``accounts.demo``: AG-PLANT, AG-FOOD, AG-CUSTOMS) require, by HS code. Idempotent: a
line already in force is not added again. Lines are in force since 2020 so that demo
declarations lodged in the past are routed as well.

The reference story (fresh avocados 0804.40 from Mexico) is routed to plant health
(phytosanitary certificate, 4 h for perishables) and then, in sequence, to food safety
(pesticide residues) — TFA 8: the agencies act in a known order, not on paper.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from ventanilla.accounts.models import Organisation
from ventanilla.agencies.models import RequirementLine
from ventanilla.agencies.services import requirement_line_add

SINCE = dt.date(2020, 1, 1)
PLANT_LAW = "Plant Health Law (demo), art. 12; IPPC ISPM 12 (phytosanitary certificates)"
FOOD_LAW = "Food Safety Law (demo), art. 20; Codex Alimentarius CAC/GL 38"
CUSTOMS_LAW = "Customs Law (demo), art. 45: restricted goods"

# agency, HS prefix, action, document, sequence, SLA h, perishable SLA h, en, es, basis
LINES: tuple[tuple[Any, ...], ...] = (
    (
        "AG-PLANT",
        "07",
        "permit",
        "N851",
        0,
        24,
        4,
        "Phytosanitary certificate for fresh vegetables",
        "Certificado fitosanitario para hortalizas frescas",
        PLANT_LAW,
    ),
    (
        "AG-PLANT",
        "08",
        "permit",
        "N851",
        0,
        24,
        4,
        "Phytosanitary certificate for fresh fruit and nuts",
        "Certificado fitosanitario para frutas frescas y frutos secos",
        PLANT_LAW,
    ),
    (
        "AG-PLANT",
        "0901",
        "permit",
        "N851",
        0,
        48,
        48,
        "Phytosanitary certificate for coffee beans",
        "Certificado fitosanitario para café en grano",
        PLANT_LAW,
    ),
    (
        "AG-PLANT",
        "06",
        "permit",
        "N851",
        0,
        24,
        4,
        "Phytosanitary certificate for live plants and cut flowers",
        "Certificado fitosanitario para plantas vivas y flores cortadas",
        PLANT_LAW,
    ),
    (
        "AG-PLANT",
        "1209",
        "permit",
        "N851",
        0,
        48,
        48,
        "Phytosanitary certificate for seeds for sowing",
        "Certificado fitosanitario para semillas de siembra",
        PLANT_LAW,
    ),
    (
        "AG-FOOD",
        "03",
        "permit",
        "N852",
        0,
        24,
        4,
        "Health certificate for fish and seafood",
        "Certificado sanitario para pescados y mariscos",
        FOOD_LAW,
    ),
    (
        "AG-FOOD",
        "02",
        "permit",
        "N852",
        0,
        24,
        4,
        "Health certificate for meat",
        "Certificado sanitario para carnes",
        FOOD_LAW,
    ),
    (
        "AG-FOOD",
        "04",
        "permit",
        "N852",
        0,
        24,
        6,
        "Health certificate for dairy products, eggs and honey",
        "Certificado sanitario para lácteos, huevos y miel",
        FOOD_LAW,
    ),
    (
        "AG-FOOD",
        "08",
        "review",
        "",
        1,
        12,
        2,
        "Pesticide residue review of fresh fruit, after plant health",
        "Revisión de residuos de plaguicidas en fruta fresca, después de sanidad vegetal",
        FOOD_LAW,
    ),
    (
        "AG-CUSTOMS",
        "9303",
        "permit",
        "N911",
        0,
        48,
        48,
        "Import licence for firearms",
        "Licencia de importación de armas de fuego",
        CUSTOMS_LAW,
    ),
)


@transaction.atomic
def load_demo_agencies() -> dict[str, int]:
    """Add the demo requirement lines; returns how many were added and skipped."""
    counts = {"requirement_lines": 0, "skipped": 0}
    agencies = {
        o.code: o
        for o in Organisation.objects.filter(kind="agency", code__in={spec[0] for spec in LINES})
    }
    for code, prefix, action, document, sequence, sla, perishable_sla, en, es, basis in LINES:
        agency = agencies.get(code)
        if agency is None:  # accounts demo not loaded: nothing to attach the line to
            counts["skipped"] += 1
            continue
        exists = RequirementLine.objects.filter(
            agency=agency,
            hs_prefix=prefix,
            action=action,
            document_type_code=document,
            valid_to__isnull=True,
        ).exists()
        if exists:
            counts["skipped"] += 1
            continue
        requirement_line_add(
            agency=agency,
            hs_prefix=prefix,
            action=action,
            document_type_code=document,
            sequence=sequence,
            sla_hours=sla,
            perishable_sla_hours=perishable_sla,
            description_en=en,
            description_es=es,
            legal_basis=basis,
            valid_from=SINCE,
            by=None,
        )
        counts["requirement_lines"] += 1
    return counts
