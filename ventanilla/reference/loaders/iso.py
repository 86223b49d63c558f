"""Countries (ISO 3166-1) and currencies (ISO 4217) from the packaged standards: pycountry
for codes and English names, its gettext catalogues for Spanish names, and the
``iso4217`` package for minor units (pycountry does not carry them). Needs no file, so
the demo and a fresh installation get the full lists."""

from __future__ import annotations

import datetime as dt
import gettext
from dataclasses import dataclass, field
from typing import Any

import pycountry
from django.utils.translation import gettext as _
from iso4217 import Currency as Iso4217

from ventanilla.reference.loaders.errors import LoadError, Problem
from ventanilla.reference.loaders.progress import SILENT, Progress
from ventanilla.reference.loaders.report import LoadReport, write_audited
from ventanilla.reference.loaders.versioning import (
    RunDates,
    Spec,
    all_rows,
    apply_plan,
    model_baseline,
    plan_versions,
    raise_conflicts,
)
from ventanilla.reference.models import Country, Currency

COUNTRY_SPEC = Spec(
    model=Country,
    label="ISO 3166-1",
    key=("code",),
    compared=("alpha3", "numeric", "name_en"),
    carried=("name_es",),
)
CURRENCY_SPEC = Spec(
    model=Currency,
    label="ISO 4217",
    key=("code",),
    compared=("numeric", "name_en", "minor_units"),
    carried=("name_es",),
)


@dataclass
class IsoInput:
    countries: list[dict[str, Any]] = field(default_factory=list)
    currencies: list[dict[str, Any]] = field(default_factory=list)


def _spanish(domain: str) -> gettext.NullTranslations:
    try:
        return gettext.translation(domain, pycountry.LOCALES_DIR, languages=["es"])
    except OSError as exc:  # a pycountry build without locales: refuse, do not half-load
        raise LoadError([Problem(domain, None, _("Spanish catalogue not found"))]) from exc


def _es(catalogue: gettext.NullTranslations, english: str) -> str | None:
    """None when the catalogue has nothing different ("Chile"): the column is then left
    to modeltranslation's fallback, and a Spanish name written by hand is kept."""
    spanish = catalogue.gettext(english)
    return spanish if spanish != english else None


def parse_iso() -> IsoInput:
    countries_es = _spanish("iso3166-1")
    currencies_es = _spanish("iso4217")
    result = IsoInput()
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        result.countries.append(
            {
                "code": country.alpha_2,
                "alpha3": country.alpha_3,
                "numeric": country.numeric,
                "name_en": country.name,
                "name_es": _es(countries_es, country.name),
            }
        )
    minor_units = {c.code: c.exponent for c in Iso4217}
    for currency in sorted(pycountry.currencies, key=lambda c: c.alpha_3):
        result.currencies.append(
            {
                "code": currency.alpha_3,
                "numeric": getattr(currency, "numeric", "") or "",
                "name_en": currency.name,
                "name_es": _es(currencies_es, currency.name),
                # None for gold, SDR, testing codes...: "not applicable" in ISO 4217.
                "minor_units": minor_units.get(currency.alpha_3),
            }
        )
    return result


def write_iso(
    data: IsoInput, *, valid_from: dt.date | None, progress: Progress = SILENT
) -> LoadReport:
    report = LoadReport()
    plans = []
    for kind, spec, rows in (
        ("countries", COUNTRY_SPEC, data.countries),
        ("currencies", CURRENCY_SPEC, data.currencies),
    ):
        dates = RunDates.resolve(valid_from, baseline=model_baseline(spec.model))
        plans.append(
            (
                kind,
                plan_versions(spec=spec, scope=all_rows(spec.model), rows=rows, dates=dates),
            )
        )
    raise_conflicts(p for _kind, p in plans)
    for kind, plan in plans:
        report.add(kind, apply_plan(plan, progress=progress))
    progress.line(
        _("ISO: %(countries)d countries, %(currencies)d currencies read")
        % {"countries": len(data.countries), "currencies": len(data.currencies)}
    )
    return report


def iso_load(
    *, valid_from: dt.date | None = None, by: Any | None = None, progress: Progress = SILENT
) -> LoadReport:
    data = parse_iso()
    return write_audited(
        write=lambda: write_iso(data, valid_from=valid_from, progress=progress),
        verb="reference.iso_loaded",
        target=("reference.country", "iso3166-iso4217"),
        by=by,
    )
