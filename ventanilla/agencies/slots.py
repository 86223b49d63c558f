"""The inspection slot calendar (TFA 7.9, 8).

Slots of ``slot_minutes`` during opening hours, ``capacity`` inspections at once per
place. Part of each slot is kept for perishables, which may also be examined after hours,
so perishable goods always get the first free slot.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from ventanilla.agencies.choices import OPEN_INSPECTION
from ventanilla.agencies.models import Inspection, InspectionCalendar
from ventanilla.core.snapshots import Snapshot

HORIZON_DAYS = 14


@dataclass(frozen=True)
class SlotRules:
    opens_at: dt.time = dt.time(7, 0)
    closes_at: dt.time = dt.time(19, 0)
    slot_minutes: int = 30
    capacity: int = 2
    perishable_reserve: int = 1
    perishables_after_hours: bool = True


def _load_slot_rules(key: Any) -> SlotRules:
    location, day = key
    rows = (
        InspectionCalendar.objects.as_of(day)
        .filter(Q(location=location) | Q(location=""))
        .order_by("-location", "-valid_from")
    )
    row = rows.first()
    if row is None:
        return SlotRules()
    return SlotRules(
        row.opens_at,
        row.closes_at,
        max(row.slot_minutes, 5),
        max(row.capacity, 1),
        # Ordinary goods keep at least one place.
        min(row.perishable_reserve, max(row.capacity, 1) - 1),
        row.perishables_after_hours,
    )


# Read each time goods are selected for inspection; the calendar is configuration.
# Keyed by place and day: a calendar's dates are never served for another day.
_SLOT_RULES: Snapshot[SlotRules] = Snapshot(
    "agencies.slot_rules", _load_slot_rules, watch=("agencies.InspectionCalendar",)
)


def slot_rules(*, location: str, day: dt.date | None = None) -> SlotRules:
    """The calendar in force for the place, else the default one (blank location), else
    the built-in hours (07:00–19:00, 30-minute slots)."""
    return _SLOT_RULES.get((location, day or timezone.localdate()))


def _slot_start(moment: dt.datetime, minutes: int) -> dt.datetime:
    local = timezone.localtime(moment)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    slots = int((local - midnight).total_seconds() // (minutes * 60))
    return midnight + dt.timedelta(minutes=slots * minutes)


def inspection_next_slot(
    *, location: str, perishable: bool, now: dt.datetime | None = None
) -> dt.datetime:
    """The first free slot at ``location`` from ``now`` (a slot already begun is not
    offered). Perishables may use the places kept for them and after-hours slots."""
    return inspection_next_slots(places=[(location, perishable)], now=now)[(location, perishable)]


def inspection_next_slots(
    *, places: Iterable[tuple[str, bool]], now: dt.datetime | None = None
) -> dict[tuple[str, bool], dt.datetime]:
    """``inspection_next_slot`` for each (location, perishable), by that pair: the
    appointments booked at all the locations are read in one query (ADR 0006: a batch
    of declarations selected for inspection at once)."""
    now = now or timezone.now()
    wanted = set(places)
    if not wanted:
        return {}
    windows: dict[str, tuple[SlotRules, dt.datetime, dt.datetime]] = {}
    for location in {location for location, _perishable in wanted}:
        rules = slot_rules(location=location, day=timezone.localdate(now))
        first = _slot_start(now, rules.slot_minutes)
        if first < timezone.localtime(now):
            first += dt.timedelta(minutes=rules.slot_minutes)
        windows[location] = (rules, first, first + dt.timedelta(days=HORIZON_DAYS))
    step_back = max(dt.timedelta(minutes=w[0].slot_minutes) for w in windows.values())
    booked = Inspection.objects.filter(
        location__in=list(windows),
        status__in=OPEN_INSPECTION,
        scheduled_at__gte=min(w[1] for w in windows.values()) - step_back,
        scheduled_at__lt=max(w[2] for w in windows.values()),
    ).values_list("location", "scheduled_at", "is_perishable")
    by_location: dict[str, list[tuple[dt.datetime, bool]]] = {loc: [] for loc in windows}
    for location, at, is_perishable in booked:
        by_location[location].append((at, is_perishable))
    return {
        (location, perishable): _first_free(*windows[location], by_location[location], perishable)
        for location, perishable in wanted
    }


def _first_free(
    rules: SlotRules,
    first: dt.datetime,
    horizon: dt.datetime,
    booked: list[tuple[dt.datetime, bool]],
    perishable: bool,
) -> dt.datetime:
    step = dt.timedelta(minutes=rules.slot_minutes)
    taken: Counter[dt.datetime] = Counter()
    taken_ordinary: Counter[dt.datetime] = Counter()
    for at, is_perishable in booked:
        if not first - step <= at < horizon:  # the window of this location only
            continue
        slot = _slot_start(at, rules.slot_minutes)
        taken[slot] += 1
        if not is_perishable:
            taken_ordinary[slot] += 1
    ordinary_places = rules.capacity - rules.perishable_reserve
    slot = first
    while slot < horizon:
        in_hours = rules.opens_at <= slot.time() < rules.closes_at
        if perishable:
            usable = (in_hours or rules.perishables_after_hours) and taken[slot] < rules.capacity
        else:
            usable = (
                in_hours and taken[slot] < rules.capacity and taken_ordinary[slot] < ordinary_places
            )
        if usable:
            return slot
        slot = timezone.localtime(slot + step)
    return slot  # fully booked for two weeks: the officer books by hand
