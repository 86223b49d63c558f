"""Risk profile services: validation by rules with codes and paths, versioning that never
overwrites, publishing and retiring through the transition table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ventanilla.accounts.tests.factories import AgencyFactory, OrganisationFactory, member
from ventanilla.audit.models import AuditEvent
from ventanilla.core.errors import BusinessError
from ventanilla.risk import selectors, services
from ventanilla.risk.models import RiskProfile
from ventanilla.risk.tests.factories import AVOCADO_RULE, draft_profile, published_profile

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _rows(exc: pytest.ExceptionInfo[BusinessError]) -> list[tuple[str, str | None]]:
    return [(i.code, i.field) for i in exc.value.items]


def test_criteria_errors_have_codes_and_paths_and_nothing_is_saved() -> None:
    criteria = [
        {"field": "colour", "op": "eq", "value": "red"},
        {"field": "hs_code", "op": "like", "value": "08"},
        {"field": "hs_code", "op": "gt", "value": "0804"},
        {"field": "customs_value", "op": "gt", "value": "a lot"},
        {"field": "origin_country", "op": "in", "value": "MX"},
        {"field": "is_perishable", "op": "eq", "value": "yes"},
        {"field": "description", "op": "contains", "value": []},
        {"field": "hs_code", "op": "eq"},
        "hs_code = 0804",
    ]
    with pytest.raises(BusinessError) as exc:
        draft_profile(criteria=criteria)
    assert exc.value.http_status == 400
    assert _rows(exc) == [
        ("criteria_condition_invalid", "criteria.7"),
        ("criteria_condition_invalid", "criteria.8"),
        ("criteria_field_unknown", "criteria.0.field"),
        ("criteria_op_unknown", "criteria.1.op"),
        ("criteria_op_not_for_field", "criteria.2.op"),
        ("criteria_value_type", "criteria.3.value"),
        ("criteria_value_type", "criteria.4.value"),
        ("criteria_value_type", "criteria.5.value"),
        ("criteria_value_empty", "criteria.6.value"),
    ]
    messages = {i.field: i.message for i in exc.value.items}
    assert messages["criteria.3.value"] == (
        "The value of this condition has the wrong type: a number is expected."
    )
    assert messages["criteria.4.value"] == (
        "The value of this condition has the wrong type: a list of texts is expected."
    )
    assert RiskProfile.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_profile_level_errors() -> None:
    trader = OrganisationFactory(kind="trader")
    with pytest.raises(BusinessError) as exc:
        draft_profile(
            trader,
            code="bad code!",
            name_en=" ",
            kind="selectivity",
            channel="green",
            criteria=[],
            random_rate=Decimal("5"),
            priority=0,
            hs_prefixes=["0804"],
            ends_on=TODAY(),
        )
    assert _rows(exc) == [
        ("profile_code_invalid", "code"),
        ("profile_name_missing", "name_en"),
        ("profile_owner_not_agency", "owner"),
        ("profile_channel_invalid", "channel"),
        ("profile_priority_invalid", "priority"),
        ("random_rate_not_random", "random_rate"),
        ("criteria_missing", "criteria"),
        ("alert_scope_not_alert", "hs_prefixes"),
        ("alert_scope_not_alert", "ends_on"),
    ]
    assert RiskProfile.objects.count() == 0


def test_import_alert_needs_scope_end_and_review_dates() -> None:
    with pytest.raises(BusinessError) as exc:
        draft_profile(
            code="AL-1",
            kind="import_alert",
            channel="red",
            criteria=[],
            hs_prefixes=["08044", "fruit"],
            origin_countries=["Mexico"],
            entry_points=["CALLAO"],
            review_on=TODAY() + dt.timedelta(days=9),
            ends_on=TODAY() + dt.timedelta(days=5),
        )
    assert _rows(exc) == [
        ("alert_hs_prefix_invalid", "hs_prefixes.1"),
        ("alert_origin_invalid", "origin_countries.0"),
        ("alert_entry_point_invalid", "entry_points.0"),
        ("alert_review_date_invalid", "review_on"),
    ]
    with pytest.raises(BusinessError) as exc:
        draft_profile(code="AL-1", kind="import_alert", channel="red", criteria=[])
    assert _rows(exc) == [
        ("alert_scope_missing", "hs_prefixes"),
        ("alert_end_date_invalid", "ends_on"),
        ("alert_review_date_invalid", "review_on"),
    ]
    alert = draft_profile(
        code="AL-1",
        kind="import_alert",
        channel="red",
        criteria=[],
        hs_prefixes=["0804.40"],
        origin_countries=["mx"],
        entry_points=[" pecll"],
        ends_on=TODAY() + dt.timedelta(days=90),
        review_on=TODAY() + dt.timedelta(days=30),
    )
    assert (alert.hs_prefixes, alert.origin_countries, alert.entry_points) == (
        ["080440"],
        ["MX"],
        ["PECLL"],
    )


def test_random_profile_needs_a_rate_in_range() -> None:
    for rate in (None, Decimal("0"), Decimal("100.01"), Decimal("2.555")):
        with pytest.raises(BusinessError) as exc:
            draft_profile(code="RND", kind="random", channel="red", criteria=[], random_rate=rate)
        assert _rows(exc) == [("random_rate_invalid", "random_rate")]
    profile = draft_profile(
        code="RND", kind="random", channel="red", criteria=[], random_rate="2.5"
    )
    assert profile.random_rate == Decimal("2.5")


def test_code_is_unique_across_versions() -> None:
    draft_profile()
    with pytest.raises(BusinessError) as exc:
        draft_profile(code="sel-avocado")
    assert (exc.value.http_status, _rows(exc)) == (409, [("profile_code_taken", "code")])


def test_only_owner_supervisors_and_committee_maintain_profiles() -> None:
    customs, plant = AgencyFactory(), AgencyFactory(agency_function="plant_health")
    supervisor = member("agency_supervisor", customs)
    officer = member("agency_officer", customs)
    committee = member("committee_member")
    with pytest.raises(BusinessError) as exc:
        services.risk_profile_create(
            code="P-1",
            name_en="x",
            owner=plant,
            kind="selectivity",
            channel="red",
            criteria=AVOCADO_RULE,
            by=supervisor,
        )
    assert (exc.value.http_status, _rows(exc)) == (403, [("forbidden", None)])
    with pytest.raises(BusinessError):
        services.risk_profile_create(
            code="P-1",
            name_en="x",
            owner=customs,
            kind="selectivity",
            channel="red",
            criteria=AVOCADO_RULE,
            by=officer,
        )
    assert RiskProfile.objects.count() == 0
    mine = services.risk_profile_create(
        code="P-1",
        name_en="x",
        owner=customs,
        kind="selectivity",
        channel="red",
        criteria=AVOCADO_RULE,
        by=supervisor,
    )
    theirs = services.risk_profile_create(
        code="P-2",
        name_en="y",
        owner=plant,
        kind="selectivity",
        channel="red",
        criteria=AVOCADO_RULE,
        by=committee,
    )
    with pytest.raises(BusinessError):
        services.risk_profile_publish(profile=theirs, by=supervisor)
    assert services.risk_profile_publish(profile=mine, by=supervisor).status == "active"
    assert list(selectors.risk_profile_qs_for(user=supervisor)) == [mine]
    assert set(selectors.risk_profile_qs_for(user=committee)) == {mine, theirs}
    assert list(selectors.risk_profile_qs_for(user=officer)) == []


def test_create_writes_a_draft_with_both_languages_and_an_audit_event() -> None:
    profile = draft_profile(name_es="Paltas de México o Guatemala")
    assert (profile.code, profile.version, profile.status) == ("SEL-AVOCADO", 1, "draft")
    assert (profile.name_en, profile.name_es) == (
        "Avocados from Mexico or Guatemala",
        "Paltas de México o Guatemala",
    )
    assert profile.valid_from == TODAY() and profile.valid_to is None
    event = AuditEvent.objects.get()
    assert (event.verb, event.target_id, event.organisation_id) == (
        "risk_profile.created",
        str(profile.pk),
        profile.owner_id,
    )
    assert selectors.profiles_in_force(on=TODAY()) == []  # a draft never applies


def test_a_revision_is_a_new_version_and_publishing_closes_the_old_one() -> None:
    v1 = published_profile()
    # As if v1 had been published ten days ago.
    RiskProfile.objects.filter(pk=v1.pk).update(valid_from=TODAY() - dt.timedelta(days=10))
    v1.refresh_from_db()
    starts = TODAY() + dt.timedelta(days=5)
    v2 = services.risk_profile_revise(
        profile=v1, channel="red", valid_from=starts, reason="More fruit fly detections", by=None
    )
    assert (v2.code, v2.version, v2.status, v2.channel) == ("SEL-AVOCADO", 2, "draft", "red")
    assert v2.criteria == AVOCADO_RULE and v2.owner_id == v1.owner_id
    v1.refresh_from_db()
    assert (v1.status, v1.valid_to) == ("active", None)  # still in force until v2 starts
    services.risk_profile_publish(profile=v2, by=None)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v1.channel, v1.valid_to) == ("active", "yellow", starts)  # not overwritten
    assert (v2.status, v2.valid_from, v2.valid_to) == ("active", starts, None)
    assert selectors.profiles_in_force(on=TODAY()) == [v1]
    assert selectors.profiles_in_force(on=starts) == [v2]
    assert RiskProfile.objects.filter(code="SEL-AVOCADO").count() == 2
    assert list(AuditEvent.objects.values_list("verb", flat=True)) == [
        "risk_profile.created",
        "risk_profile.published",
        "risk_profile.revised",
        "risk_profile.published",
    ]


def test_revising_a_draft_withdraws_it_and_only_the_latest_version_is_revised() -> None:
    v1 = draft_profile()
    v2 = services.risk_profile_revise(profile=v1, name_en="Avocados (revised)", by=None)
    v1.refresh_from_db()
    assert (v1.status, v1.valid_to, v1.name_en) == (
        "retired",
        v1.valid_from,
        "Avocados from Mexico or Guatemala",
    )
    assert v2.name_en == "Avocados (revised)"
    with pytest.raises(BusinessError) as exc:
        services.risk_profile_revise(profile=v1, name_en="again", by=None)
    assert _rows(exc) == [("profile_not_latest", "version")]
    with pytest.raises(BusinessError) as exc:
        services.risk_profile_revise(
            profile=v2, criteria=[{"field": "x", "op": "eq", "value": "1"}], by=None
        )
    assert _rows(exc) == [("criteria_field_unknown", "criteria.0.field")]
    assert RiskProfile.objects.count() == 2


def test_retire_closes_the_profile_today_and_cannot_be_repeated() -> None:
    v1 = published_profile()
    v2 = services.risk_profile_revise(profile=v1, channel="red", by=None)
    retired = services.risk_profile_retire(profile=v1, reason="Outbreak over", by=None)
    v2.refresh_from_db()
    assert (retired.status, retired.valid_to, retired.change_reason) == (
        "retired",
        TODAY(),
        "Outbreak over",
    )
    assert (v2.status, v2.valid_to) == ("retired", v2.valid_from)  # pending draft withdrawn
    assert selectors.profiles_in_force(on=TODAY()) == []
    with pytest.raises(BusinessError) as exc:
        services.risk_profile_retire(profile=retired, by=None)
    assert (exc.value.http_status, _rows(exc)) == (409, [("profile_transition_refused", "status")])
    with pytest.raises(BusinessError) as exc:
        services.risk_profile_publish(profile=retired, by=None)
    assert _rows(exc) == [("profile_transition_refused", "status")]


def test_import_alert_stops_applying_after_its_end_date() -> None:
    ends = TODAY() + dt.timedelta(days=3)
    alert = published_profile(
        code="AL-1",
        kind="import_alert",
        channel="red",
        criteria=[],
        hs_prefixes=["080440"],
        ends_on=ends,
        review_on=TODAY(),
    )
    assert selectors.profiles_in_force(on=ends) == [alert]
    assert selectors.profiles_in_force(on=ends + dt.timedelta(days=1)) == []
    committee = member("committee_member")
    assert list(selectors.alerts_due_for_review(user=committee)) == [alert]
