"""The officer's work queue: perishables first (TFA 7.9), then breached service levels,
then by due time; only the agency's own reviews."""

from __future__ import annotations

import datetime as dt

import pytest

from ventanilla.accounts.tests.factories import member
from ventanilla.agencies import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(world, clock):
    """Three plant reviews: an old dry one (breached), a new dry one, a fresh one."""
    old = world.declaration(item={"is_perishable": False})
    [old_review] = services.reviews_open(declaration=old, channel="green", by=None)
    clock.advance(hours=25)
    new = world.declaration(item={"is_perishable": False})
    [new_review] = services.reviews_open(declaration=new, channel="green", by=None)
    fresh = world.declaration()
    [fresh_review] = services.reviews_open(declaration=fresh, channel="green", by=None)
    return old_review, new_review, fresh_review


def test_tfa_7_9_perishables_first_in_queue(world, queue):
    old, new, fresh = queue
    rows = list(selectors.review_queue_for(user=world.plant_officer))
    assert [r.pk for r in rows] == [fresh.pk, old.pk, new.pk]
    assert [r.breached for r in rows] == [False, True, False]
    assert rows[0].time_left() == dt.timedelta(hours=4)
    assert rows[1].time_left() == dt.timedelta(hours=-1)


def test_a_breached_perishable_comes_before_a_fresh_one(world, queue, clock):
    _old, _new, fresh = queue
    clock.advance(hours=1)
    later = world.declaration()
    [later_review] = services.reviews_open(declaration=later, channel="green", by=None)
    clock.advance(hours=3, seconds=1)  # the first fresh review is now 1 s late
    rows = list(selectors.review_queue_for(user=world.plant_officer))
    assert [r.pk for r in rows][:2] == [fresh.pk, later_review.pk]
    assert [r.breached for r in rows][:2] == [True, False]


def test_queue_filters(world, queue):
    old, new, fresh = queue
    q = selectors.review_queue_for
    assert [r.pk for r in q(user=world.plant_officer, perishable=True)] == [fresh.pk]
    assert [r.pk for r in q(user=world.plant_officer, perishable=False)] == [old.pk, new.pk]
    assert [r.pk for r in q(user=world.plant_officer, breached=True)] == [old.pk]
    services.review_decide(review=new, decision="approve", by=world.plant_officer)
    assert [r.pk for r in q(user=world.plant_officer)] == [fresh.pk, old.pk]
    assert [r.pk for r in q(user=world.plant_officer, status="approved")] == [new.pk]


def test_paused_clock_freezes_time_left_and_breach(world, queue, clock):
    _old, _new, fresh = queue
    services.information_request(review=fresh, message="?", by=world.plant_officer)
    clock.advance(hours=10)
    [row] = selectors.review_queue_for(user=world.plant_officer, perishable=True)
    assert (row.breached, row.time_left(clock.now)) == (False, dt.timedelta(hours=4))


def test_queue_shows_only_the_users_agencies(world, queue):
    assert list(selectors.review_queue_for(user=world.food_officer)) == []
    assert list(selectors.review_queue_for(user=world.trader_user)) == []
    both = member("agency_officer", world.food)
    both.memberships.create(
        organisation=world.plant, role=world.plant_officer.memberships.get().role
    )
    assert len(selectors.review_queue_for(user=both)) == 3
