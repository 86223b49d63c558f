"""Duty arithmetic, exactly (TFA 7.2 duties shown before payment; TFA 7.3 provisional and
final determination). Amounts in PEN (2 minor units) unless stated."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ventanilla.audit.models import AuditEvent
from ventanilla.core.errors import BusinessError
from ventanilla.declarations.tests.factories import GoodsItemFactory, declaration_with_items
from ventanilla.duties import services
from ventanilla.duties.models import DutyAssessment, DutyLine, TariffMeasure
from ventanilla.duties.selectors import assessment_latest, assessment_view
from ventanilla.duties.tests.factories import (
    ExchangeRateFactory,
    TariffMeasureFactory,
    duty_and_vat,
)

pytestmark = pytest.mark.django_db
D = Decimal


def _lines(assessment: DutyAssessment) -> list[tuple]:
    return [
        (
            line.item_sequence,
            line.measure_type,
            line.base_amount,
            line.base_quantity,
            line.amount,
            line.preference_code,
        )
        for line in assessment.lines.order_by("position")
    ]


def _errors(exc: pytest.ExceptionInfo[BusinessError]) -> list[tuple[str, str | None]]:
    return [(e.code, e.field) for e in exc.value.items]


def test_tfa_7_2_ad_valorem_duty_and_vat_cascade_in_national_currency():
    ExchangeRateFactory(currency="USD", rate=D("3.75"))
    duty_and_vat("0804400000", duty="6", vat="18")
    declaration = declaration_with_items(1)  # 24,000.00 USD of avocados

    assessment = services.duties_assess(declaration=declaration, by=None)

    # 24,000 × 3.75 = 90,000.00; duty 6 % = 5,400.00; VAT 18 % × 95,400.00 = 17,172.00
    assert _lines(assessment) == [
        (1, "customs_duty", D("90000.00"), None, D("5400.00"), ""),
        (1, "vat", D("95400.00"), None, D("17172.00"), ""),
    ]
    assert (assessment.total, assessment.currency, assessment.status) == (
        D("22572.00"),
        "PEN",
        "provisional",
    )
    assert assessment.exchange_rates == {"USD": "3.750000"}
    view = assessment_view(assessment=assessment)
    assert [(t.measure_type, t.amount) for t in view.totals] == [
        ("customs_duty", D("5400.00")),
        ("vat", D("17172.00")),
    ]


def test_tfa_7_2_specific_and_compound_duty_on_net_mass_in_foreign_currency():
    ExchangeRateFactory(currency="USD", rate=D("3.75"))
    TariffMeasureFactory(
        tariff_code="0804400000",
        ad_valorem_rate=D("4"),
        specific_rate=D("0.05"),
        specific_unit="KGM",
        specific_currency="USD",
    )
    declaration = declaration_with_items(1)  # net mass 12,000 kg

    assessment = services.duties_assess(declaration=declaration, by=None)

    # 4 % × 90,000.00 = 3,600.00 plus 12,000 kg × 0.05 USD × 3.75 = 2,250.00
    assert _lines(assessment) == [
        (1, "customs_duty", D("90000.00"), D("12000.000"), D("5850.00"), "")
    ]
    line = assessment.lines.get()
    assert (line.quantity_unit, line.specific_rate, line.specific_currency) == (
        "KGM",
        D("0.0500"),
        "USD",
    )


def test_tfa_7_2_specific_duty_per_supplementary_unit_needs_the_quantity():
    ExchangeRateFactory(currency="USD", rate=D("3.75"))
    TariffMeasureFactory(
        tariff_code="6109100031",
        ad_valorem_rate=None,
        specific_rate=D("2"),
        specific_unit="C62",
        specific_currency="USD",
    )
    counted = declaration_with_items(
        1, item={"tariff_line": "6109100031", "supplementary_quantity": D("1000")}
    )
    uncounted = declaration_with_items(1, item={"tariff_line": "6109100031"})

    assessment = services.duties_assess(declaration=counted, by=None)
    with pytest.raises(BusinessError) as refused:
        services.duties_assess(declaration=uncounted, by=None)

    assert _lines(assessment) == [(1, "customs_duty", None, D("1000.000"), D("7500.00"), "")]
    assert _errors(refused) == [("quantity_missing", "items.0.supplementary_quantity")]
    assert not DutyAssessment.objects.filter(declaration=uncounted).exists()


def test_tfa_7_2_preference_applies_only_when_claimed_and_origin_matches():
    ExchangeRateFactory(currency="USD", rate=D("3.75"))
    TariffMeasureFactory(tariff_code="0804400000", ad_valorem_rate=D("6"))
    TariffMeasureFactory(
        tariff_code="0804",
        ad_valorem_rate=D("0"),
        preference_code="AP",
        origin_country="MX",
        legal_basis="Pacific Alliance protocol",
    )
    claimed = declaration_with_items(1, item={"preference_code": "AP", "origin_country": "MX"})
    wrong_origin = declaration_with_items(1, item={"preference_code": "AP", "origin_country": "CL"})
    not_claimed = declaration_with_items(1, item={"origin_country": "MX"})

    amounts = {
        name: _lines(services.duties_assess(declaration=d, by=None))
        for name, d in (
            ("claimed", claimed),
            ("wrong_origin", wrong_origin),
            ("not_claimed", not_claimed),
        )
    }

    assert amounts == {
        "claimed": [(1, "customs_duty", D("90000.00"), None, D("0.00"), "AP")],
        "wrong_origin": [(1, "customs_duty", D("90000.00"), None, D("5400.00"), "")],
        "not_claimed": [(1, "customs_duty", D("90000.00"), None, D("5400.00"), "")],
    }


def test_tfa_7_2_amounts_round_half_up_to_the_currency_minor_units(settings):
    TariffMeasureFactory(tariff_code="0804400000", ad_valorem_rate=D("10"))
    # 100.25 PEN × 10 % = 10.025 → 10.03 (half up; banker's rounding would give 10.02)
    pen = declaration_with_items(1, invoice_currency="PEN", item={"customs_value": D("100.25")})
    assert services.duties_assess(declaration=pen, by=None).total == D("10.03")

    settings.VENTANILLA_NATIONAL_CURRENCY = "JPY"  # no minor units
    TariffMeasureFactory(tariff_code="0901119000", ad_valorem_rate=D("5"))
    jpy = declaration_with_items(
        1, invoice_currency="JPY", item={"tariff_line": "0901119000", "customs_value": D("1010")}
    )
    assessment = services.duties_assess(declaration=jpy, by=None)
    # 1,010 × 5 % = 50.5 → 51 yen
    assert (assessment.total, assessment.currency) == (D("51"), "JPY")


def test_tfa_7_2_conversion_and_measures_use_the_data_in_force_on_acceptance():
    today = timezone.localdate()
    services.exchange_rate_publish(
        currency="USD", rate=D("3.70"), valid_from=today - dt.timedelta(days=100), by=None
    )
    services.exchange_rate_publish(
        currency="USD", rate=D("3.80"), valid_from=today - dt.timedelta(days=10), by=None
    )
    services.tariff_measure_publish(
        tariff_code="0804400000",
        measure_type="customs_duty",
        ad_valorem_rate=D("6"),
        legal_basis="Tariff 2025",
        valid_from=today - dt.timedelta(days=100),
        by=None,
    )
    services.tariff_measure_publish(
        tariff_code="0804400000",
        measure_type="customs_duty",
        ad_valorem_rate=D("4"),
        legal_basis="Tariff 2026",
        valid_from=today - dt.timedelta(days=10),
        by=None,
    )
    accepted = declaration_with_items(
        1,
        status="accepted",
        accepted_at=timezone.now() - dt.timedelta(days=50),
        item={"customs_value": D("1000.00")},
    )
    not_accepted = declaration_with_items(1, item={"customs_value": D("1000.00")})

    old = services.duties_assess(declaration=accepted, by=None)
    new = services.duties_assess(declaration=not_accepted, by=None)

    # 1,000 USD × 3.70 = 3,700.00 at 6 % = 222.00; today 1,000 × 3.80 = 3,800.00 at 4 % = 152.00
    assert (old.assessed_on, old.exchange_rates, _lines(old)) == (
        today - dt.timedelta(days=50),
        {"USD": "3.700000"},
        [(1, "customs_duty", D("3700.00"), None, D("222.00"), "")],
    )
    assert (new.assessed_on, new.exchange_rates, _lines(new)) == (
        today,
        {"USD": "3.800000"},
        [(1, "customs_duty", D("3800.00"), None, D("152.00"), "")],
    )


def test_tfa_7_2_every_item_without_a_measure_is_reported_with_its_path():
    ExchangeRateFactory(currency="USD")
    duty_and_vat("0804400000")
    declaration = declaration_with_items(1)
    GoodsItemFactory(declaration=declaration, sequence=2, tariff_line="0901119000")
    GoodsItemFactory(declaration=declaration, sequence=3, tariff_line="7403110000")

    with pytest.raises(BusinessError) as refused:
        services.duties_assess(declaration=declaration, by=None)

    assert _errors(refused) == [
        ("no_tariff_measure", "items.1.tariff_line"),
        ("no_tariff_measure", "items.2.tariff_line"),
    ]
    assert refused.value.http_status == 400
    assert refused.value.items[0].message == (
        f"No duty or tax measure in force on {timezone.localdate().isoformat()} applies to "
        "tariff line 0901119000."
    )
    assert DutyAssessment.objects.count() == 0
    assert not AuditEvent.objects.filter(verb="duties.assessed").exists()


def test_tfa_7_2_missing_exchange_rate_is_reported_on_the_invoice_currency():
    duty_and_vat("0804400000")
    declaration = declaration_with_items(1, invoice_currency="EUR")

    with pytest.raises(BusinessError) as refused:
        services.duties_assess(declaration=declaration, by=None)

    assert _errors(refused) == [("no_exchange_rate", "invoice_currency")]


def test_tfa_7_2_a_national_line_measure_wins_over_its_heading():
    TariffMeasureFactory(tariff_code="0306", ad_valorem_rate=D("6"))
    TariffMeasureFactory(tariff_code="0306179900", ad_valorem_rate=D("4"))
    declaration = declaration_with_items(
        1, invoice_currency="PEN", item={"tariff_line": "0306179900", "customs_value": D("1000.00")}
    )
    declaration_heading = declaration_with_items(
        1, invoice_currency="PEN", item={"tariff_line": "0306171100", "customs_value": D("1000.00")}
    )

    assert services.duties_assess(declaration=declaration, by=None).total == D("40.00")
    assert services.duties_assess(declaration=declaration_heading, by=None).total == D("60.00")


def test_tfa_7_2_excise_enters_the_vat_base():
    TariffMeasureFactory(tariff_code="870323", ad_valorem_rate=D("0"))
    TariffMeasureFactory(
        tariff_code="870323",
        measure_type="excise",
        ad_valorem_rate=D("10"),
        base="value_plus_duties",
    )
    TariffMeasureFactory(
        tariff_code="870323", measure_type="vat", ad_valorem_rate=D("18"), base="value_plus_duties"
    )
    car = declaration_with_items(
        1,
        invoice_currency="PEN",
        item={"tariff_line": "8703239020", "customs_value": D("50000.00")},
    )

    assessment = services.duties_assess(declaration=car, by=None)

    # excise 10 % × 50,000 = 5,000; VAT 18 % × 55,000 = 9,900
    assert _lines(assessment) == [
        (1, "customs_duty", D("50000.00"), None, D("0.00"), ""),
        (1, "excise", D("50000.00"), None, D("5000.00"), ""),
        (1, "vat", D("55000.00"), None, D("9900.00"), ""),
    ]
    assert assessment.total == D("14900.00")


def test_tfa_7_2_export_without_export_duties_assesses_nothing():
    duty_and_vat("0804400000")  # import measures only
    declaration = declaration_with_items(1, declaration_type="EX")

    assessment = services.duties_assess(declaration=declaration, by=None)

    assert (assessment.total, assessment.lines.count()) == (D("0"), 0)


def test_tfa_7_3_same_declaration_same_assessment_amendment_supersedes():
    ExchangeRateFactory(currency="USD")
    duty_and_vat("0804400000")
    declaration = declaration_with_items(1)

    first = services.duties_assess(declaration=declaration, by=None)
    again = services.duties_assess(declaration=declaration, by=None)
    item = declaration.items.get()
    item.customs_value = D("20000.00")
    item.save()
    declaration.version = 2
    declaration.save(update_fields=["version"])
    second = services.duties_assess(declaration=declaration, by=None)

    first.refresh_from_db()
    assert again.pk == first.pk
    assert (first.number, first.status, first.superseded_at is not None) == (1, "superseded", True)
    assert (second.number, second.status, second.declaration_version) == (2, "provisional", 2)
    # 20,000 × 3.75 = 75,000.00; duty 4,500.00; VAT 18 % × 79,500.00 = 14,310.00
    assert second.total == D("18810.00")
    assert assessment_latest(declaration=declaration) == second
    assert AuditEvent.objects.filter(verb="duties.assessed").count() == 2


def test_tfa_7_3_final_determination_only_after_release():
    ExchangeRateFactory(currency="USD")
    duty_and_vat("0804400000")
    declaration = declaration_with_items(1, status="ready_for_release")
    provisional = services.duties_assess(declaration=declaration, by=None)

    with pytest.raises(BusinessError) as refused:
        services.duties_finalise(declaration=declaration, by=None)
    assert _errors(refused) == [("not_released", "status")]
    assert refused.value.http_status == 409

    declaration.status = "released"
    declaration.save(update_fields=["status"])
    final = services.duties_finalise(declaration=declaration, by=None)
    again = services.duties_finalise(declaration=declaration, by=None)

    assert (final.pk, final.status, final.total) == (provisional.pk, "final", D("22572.00"))
    assert again.pk == final.pk
    assert services.duties_assess(declaration=declaration, by=None).pk == final.pk
    assert AuditEvent.objects.filter(verb="duties.finalised").count() == 1


def test_tfa_7_3_final_determination_with_changed_data_supersedes_the_provisional():
    ExchangeRateFactory(currency="USD")
    duty_and_vat("0804400000")
    declaration = declaration_with_items(1, status="released")
    provisional = services.duties_assess(declaration=declaration, by=None)
    declaration.version = 2  # e.g. a post-release correction of the value
    declaration.save(update_fields=["version"])

    final = services.duties_finalise(declaration=declaration, by=None)
    provisional.refresh_from_db()
    declaration.version = 3
    declaration.save(update_fields=["version"])
    with pytest.raises(BusinessError) as refused:
        services.duties_assess(declaration=declaration, by=None)

    assert (provisional.status, final.number, final.status) == ("superseded", 2, "final")
    assert _errors(refused) == [("assessment_final", None)]


def test_reference_data_is_added_never_overwritten():
    first = services.tariff_measure_publish(
        tariff_code="0901119000",
        measure_type="customs_duty",
        ad_valorem_rate=D("6"),
        legal_basis="Tariff 2025",
        valid_from=dt.date(2025, 1, 1),
        by=None,
    )
    second = services.tariff_measure_publish(
        tariff_code="0901119000",
        measure_type="customs_duty",
        ad_valorem_rate=D("0"),
        legal_basis="Tariff 2026",
        valid_from=dt.date(2026, 1, 1),
        by=None,
    )

    first.refresh_from_db()
    assert (first.ad_valorem_rate, first.valid_to) == (D("6"), dt.date(2026, 1, 1))
    assert second.valid_to is None
    first.ad_valorem_rate = D("9")
    with pytest.raises(Exception, match="never overwritten"):
        first.save()
    with pytest.raises(BusinessError) as refused:
        services.tariff_measure_publish(
            tariff_code="0901119000",
            measure_type="customs_duty",
            ad_valorem_rate=D("3"),
            legal_basis="backdated",
            valid_from=dt.date(2025, 6, 1),
            by=None,
        )
    assert _errors(refused) == [("version_exists", "valid_from")]
    assert TariffMeasure.objects.filter(tariff_code="0901119000").count() == 2
    assert DutyLine.objects.count() == 0
