"""The VTIMEZONE of a meeting request, in the shape Outlook reads safely.

icalendar derives a zone's VTIMEZONE from every historical transition: for Pacific/Noumea that is two
STANDARD blocks, a DAYLIGHT block with RDATEs from 1977–78 and 1996–97, and an English COMMENT.
MS-OXCICAL 2.1.3.1.1.19.2 (Microsoft Learn, "[MS-OXCICAL]: VTIMEZONE Component") says exactly one
STANDARD component SHOULD be exported and at most one DAYLIGHT component, each recurring yearly
(2.1.3.1.1.19.2.3 RRULE: FREQ=YEARLY, BYMONTH, BYDAY). So the zone is described as it stands in the
meeting's year: one STANDARD at the current offset when the zone keeps no summer time (New
Caledonia since 1997), or one STANDARD and one DAYLIGHT with their yearly rules when it does.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@lru_cache(maxsize=16)  # an hour-by-hour scan of the year: once per zone and year, not once per meeting
def _transitions(name: str, year: int) -> tuple[datetime, ...]:
    """The moments (UTC) in ``year`` when the zone's offset changes, found hour by hour then refined."""
    zone = ZoneInfo(name)
    found = []
    moment = datetime(year, 1, 1, tzinfo=timezone.utc)
    end = datetime(year + 1, 1, 1, tzinfo=timezone.utc)
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:
        step = moment + timedelta(hours=1)
        if step.astimezone(zone).utcoffset() != offset:
            low, high = moment, step  # offsets change on the minute: bisect down to it
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if middle.astimezone(zone).utcoffset() == offset else (low, middle)
            found.append(high)
            offset = step.astimezone(zone).utcoffset()
        moment = step
    return tuple(found)


def _offset(delta: timedelta | None) -> timedelta:
    return delta if delta is not None else timedelta(0)


def _yearly(component: TimezoneStandard | TimezoneDaylight, local: datetime) -> None:
    """DTSTART at the change's local wall time, recurring on the same weekday of the same week each year."""
    week = (local.day - 1) // 7 + 1
    last = (local + timedelta(days=7)).month != local.month
    component.add("dtstart", datetime(1601, local.month, local.day, local.hour, local.minute))
    component.add("rrule", {"freq": "yearly", "bymonth": local.month,
                            "byday": f"{-1 if last else week}{_DAYS[local.weekday()]}"})


def vtimezone(name: str, year: int) -> Timezone:
    """One STANDARD component, plus one DAYLIGHT when the zone keeps summer time in ``year``."""
    zone = ZoneInfo(name)
    component = Timezone()
    component.add("tzid", name)
    changes = _transitions(name, year)
    if len(changes) != 2:  # no summer time (or a one-off change): the offset of the year's end stands
        offset = _offset(datetime(year, 12, 31, 12, tzinfo=timezone.utc).astimezone(zone).utcoffset())
        standard = TimezoneStandard()
        standard.add("dtstart", datetime(1601, 1, 1))
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        component.add_component(standard)
        return component
    for change in changes:
        before = _offset((change - timedelta(minutes=1)).astimezone(zone).utcoffset())
        after = _offset(change.astimezone(zone).utcoffset())
        part = TimezoneDaylight() if after > before else TimezoneStandard()
        # the wall-clock time at which the change happens, read on the clock before it
        _yearly(part, (change + before).replace(tzinfo=None))
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        component.add_component(part)
    return component
