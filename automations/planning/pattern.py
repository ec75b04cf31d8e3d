"""A committee's recurrence: the n-th weekday of the month, or every n weeks; read and stated in French."""

from __future__ import annotations

import calendar as _calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from .calendar import weekday_fr

LAST = -1
_WEEKDAY_NUMBERS = {"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6}
_ORDINALS = {"1er": 1, "1re": 1, "premier": 1, "2e": 2, "2eme": 2, "deuxieme": 2, "3e": 3, "3eme": 3,
             "troisieme": 3, "4e": 4, "4eme": 4, "quatrieme": 4, "dernier": LAST}
_DAY = "(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_MONTHLY = re.compile(rf"^(\w+) {_DAY}(?: (?:du|de chaque|chaque) mois)?$")
_WEEKLY = re.compile(rf"^(?:toutes les|tous les|chaque) (?:(\d+) )?semaines?(?:,? le {_DAY})?$")
_MAX_WEEKS = 26


@dataclass(frozen=True)
class Pattern:
    """Monthly on the ``ordinal``-th ``weekday`` (``ordinal`` set), or every ``weeks`` weeks from ``anchor``."""

    weekday: int | None  # None: the weekly pattern takes its day from the anchor
    ordinal: int | None = None
    weeks: int | None = None
    anchor: date | None = None

    def with_anchor(self, anchor: date) -> Pattern:
        return Pattern(self.weekday, self.ordinal, self.weeks, anchor)

    def dates(self, year: int) -> list[date]:
        """Every date the pattern gives in ``year``, before any day is avoided."""
        if self.ordinal is not None and self.weekday is not None:
            return [nth_weekday(year, month, self.weekday, self.ordinal) for month in range(1, 13)]
        anchor = self.anchor or _first_weekday(year, self.weekday or 0)
        if self.weekday is not None and anchor.weekday() != self.weekday:
            anchor += timedelta(days=(self.weekday - anchor.weekday()) % 7)
        step = timedelta(weeks=self.weeks or 1)
        # the anchor may lie in another year: walk whole steps to the year's first date
        first = anchor + step * -(-(date(year, 1, 1) - anchor).days // step.days)
        found = []
        while first.year == year:
            found.append(first)
            first += step
        return found

    def describe(self) -> str:
        if self.ordinal is not None and self.weekday is not None:
            return f"{ordinal_fr(self.ordinal)} {weekday_fr_number(self.weekday)} du mois"
        every = "toutes les semaines" if (self.weeks or 1) == 1 else f"toutes les {self.weeks} semaines"
        day = self.weekday if self.weekday is not None else (self.anchor.weekday() if self.anchor else None)
        return f"{every}, le {weekday_fr_number(day)}" if day is not None else every


def ordinal_fr(ordinal: int) -> str:
    return "dernier" if ordinal == LAST else ("1er" if ordinal == 1 else f"{ordinal}e")


def weekday_fr_number(weekday: int) -> str:
    return weekday_fr(date(2024, 1, 1) + timedelta(days=weekday))  # 1 January 2024 was a Monday


def nth_weekday(year: int, month: int, weekday: int, ordinal: int) -> date:
    if ordinal == LAST:
        last = date(year, month, _calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (ordinal - 1))


def ordinals_of(day: date) -> list[int]:
    """The places of ``day`` among its month's same weekdays: ``[4, LAST]`` for a fourth that is also the last."""
    places = [(day.day - 1) // 7 + 1]
    if (day + timedelta(weeks=1)).month != day.month:
        places.append(LAST)
    return [p for p in places if p <= 4 or p == LAST]


def _first_weekday(year: int, weekday: int) -> date:
    first = date(year, 1, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).replace("ᵉ", "e").split())


def parse_pattern(text: str) -> Pattern | None:
    """« 2e lundi », « dernier jeudi du mois », « toutes les 2 semaines, le mardi »; None when not understood."""
    plain = _plain(text)
    monthly = _MONTHLY.match(plain)
    if monthly and monthly.group(1) in _ORDINALS:
        return Pattern(_WEEKDAY_NUMBERS[monthly.group(2)], ordinal=_ORDINALS[monthly.group(1)])
    weekly = _WEEKLY.match(plain)
    if weekly:
        weeks = int(weekly.group(1) or 1)
        if not 1 <= weeks <= _MAX_WEEKS:
            return None
        day = weekly.group(2)
        return Pattern(_WEEKDAY_NUMBERS[day] if day else None, weeks=weeks)
    return None
