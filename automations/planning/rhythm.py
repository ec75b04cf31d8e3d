"""Each committee's rhythm, learned from the year's sessions and stated in French.

In order: the same weekday and week of the month (« 2e lundi »), else a fixed interval in weeks,
else monthly on its most frequent day. A session moved off a public holiday, a cancelled session
or a month without any still reads as the same rhythm: a few holes must not hide it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from ..domain.service import Committee, Service, Session
from ..french import plural, time_fr
from ..registers.types import normalize_label
from .calendar import DaysOff
from .pattern import LAST, Pattern, nth_weekday, ordinals_of

# the share of a year's sessions a rhythm must explain to be called one
_CONSISTENT = 0.8
# at least this many sessions before a regular rhythm is told from chance
_MIN_SESSIONS = 3
# the longest interval a committee is learned to meet at
_MAX_WEEKS = 8
# a moved session lands this many days at most after its usual date (a long weekend)
_MAX_SHIFT = 4
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre")

T = TypeVar("T")

REGULAR = "régulier"
INTERVAL = "intervalle"
MONTHLY = "mensuel"
UNKNOWN = "inconnu"


@dataclass(frozen=True)
class Rhythm:
    committee: str
    kind: str
    pattern: Pattern | None
    months: frozenset[int]  # the months the committee met in: the draft keeps its pauses
    time: time | None
    duration_hours: float
    room: str
    count: int  # sessions of ``year``, cancelled ones included: each held a place in the rhythm
    year: int

    def describe(self) -> str:
        """« 2e lundi du mois, 8 h 30, 2 h, Salle Kaori, d'après 11 séances de 2026 »"""
        if self.pattern is None:
            return f"aucune séance en {self.year} : rythme inconnu, à indiquer par une règle"
        parts = [self.pattern.describe()]
        if self.kind == MONTHLY:
            parts[0] = f"chaque mois, {parts[0]} (le jour le plus fréquent, sans rythme régulier)"
        missing = [m for m in range(1, 13) if m not in self.months]
        if missing:
            parts.append("sauf en " + _join([_MONTHS[m - 1] for m in missing]))
        if self.time:
            parts.append(time_fr(self.time))
        parts.append(duration_fr(self.duration_hours))
        if self.room:
            parts.append(self.room)
        parts.append(f"d'après {plural(self.count, 'séance', 'séances')} de {self.year}")
        return ", ".join(parts)


def duration_fr(hours: float) -> str:
    """``2 h``, ``1 h 30``."""
    minutes = round(hours * 60)
    return f"{minutes // 60} h {minutes % 60:02d}" if minutes % 60 else f"{minutes // 60} h"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " et " + words[-1]


def sessions_of(service: Service, committee: Committee, year: int) -> list[Session]:
    key = normalize_label(committee.name)
    return sorted((s for s in service.sessions if s.date.year == year and normalize_label(s.committee.name) == key),
                  key=lambda s: s.date)


def learn(service: Service, committee: Committee, year: int, days_off: DaysOff) -> Rhythm:
    sessions = sessions_of(service, committee, year)
    dates = [s.date for s in sessions]
    kind, pattern = _regular(dates, days_off)
    if pattern is None:
        kind, pattern = _interval(dates, days_off)
    if pattern is None and dates:
        kind, pattern = MONTHLY, _most_frequent_day(dates)
    return Rhythm(committee=committee.name, kind=kind if pattern else UNKNOWN, pattern=pattern,
                  months=frozenset(d.month for d in dates),
                  time=_most_common(s.time for s in sessions if s.time),
                  duration_hours=_most_common(s.duration_hours for s in sessions if s.duration_hours)
                  or committee.duration_hours,
                  room=_most_common(s.room.strip() for s in sessions if s.room.strip()) or committee.usual_room,
                  count=len(sessions), year=year)


def _most_common(values: Iterable[T]) -> T | None:
    # ties go to the first seen, so that the result never depends on a set's order
    counts = Counter(values)
    return max(counts, key=counts.get) if counts else None


def _held_on(actual: date, usual: date, days_off: DaysOff) -> bool:
    """The session of ``actual`` is the one due on ``usual``, held there or moved off an avoided day."""
    if actual == usual:
        return True
    return 0 < (actual - usual).days <= _MAX_SHIFT and not days_off.is_working(usual) \
        and days_off.next_working_day(usual) == actual


def _usual_days(actual: date, days_off: DaysOff) -> list[date]:
    """The days ``actual`` may stand for: itself, and the avoided days it may have been moved from."""
    return [actual] + [actual - timedelta(days=n) for n in range(1, _MAX_SHIFT + 1)
                       if _held_on(actual, actual - timedelta(days=n), days_off)]


def _regular(dates: list[date], days_off: DaysOff) -> tuple[str, Pattern | None]:
    if len(dates) < _MIN_SESSIONS:
        return UNKNOWN, None
    candidates = {(u.weekday(), o) for d in dates for u in _usual_days(d, days_off) for o in ordinals_of(u)}

    def explained(candidate: tuple[int, int]) -> int:
        weekday, ordinal = candidate
        return sum(_held_on(d, nth_weekday(d.year, d.month, weekday, ordinal), days_off) for d in dates)

    # a fourth that is also the last reads as « 4e » rather than « dernier » when both explain as much
    best = max(sorted(candidates, key=lambda c: (c[0], c[1] == LAST, c[1])), key=explained)
    if explained(best) >= _CONSISTENT * len(dates):
        return REGULAR, Pattern(best[0], ordinal=best[1])
    return UNKNOWN, None


def _interval(dates: list[date], days_off: DaysOff) -> tuple[str, Pattern | None]:
    if len(dates) < _MIN_SESSIONS:
        return UNKNOWN, None
    # the first session may itself have been moved off a holiday: its usual day, or the second's, anchors the grid
    anchors = sorted({u for d in dates[:2] for u in _usual_days(d, days_off)})
    span_days = (dates[-1] - anchors[0]).days
    for weeks in range(_MAX_WEEKS, 0, -1):  # the longest interval first: every 2 weeks also fits every week
        step = 7 * weeks
        slots = span_days // step + 1

        def fits(anchor: date) -> int:
            return sum(any((u - anchor).days % step == 0 for u in _usual_days(d, days_off)) for d in dates)

        anchor = max(anchors, key=fits)
        # as many sessions as slots, give or take a few holes: a weekly grid fits any same-weekday year
        if fits(anchor) >= _CONSISTENT * len(dates) and len(dates) >= _CONSISTENT * slots:
            return INTERVAL, Pattern(anchor.weekday(), weeks=weeks, anchor=anchor)
    return UNKNOWN, None


def _most_frequent_day(dates: list[date]) -> Pattern:
    weekday = _most_common(d.weekday() for d in dates)
    ordinal = _most_common(o for d in dates if d.weekday() == weekday for o in ordinals_of(d))
    return Pattern(weekday, ordinal=ordinal)
