"""The days a session is not drafted on: New Caledonia's public holidays, weekends, the service's closures."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import holidays
from babel.dates import format_date

from ..french import LOCALE

_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
# python-holidays capitalises every name; French writes the common nouns in lower case mid-sentence
_COMMON_FIRST_WORDS = ("Lundi", "Fête", "Jour")
# a run of avoided days longer than this is a configuration mistake, not a calendar
_MAX_RUN = 366


def weekday_fr(day: date) -> str:
    return _WEEKDAYS[day.weekday()]


def day_fr(day: date) -> str:
    """``lundi 6 avril``, ``vendredi 1er janvier``: the year goes without saying in a year's planning."""
    text = format_date(day, format="EEEE d MMMM", locale=LOCALE)
    return text.replace(" 1 ", " 1er ", 1) if day.day == 1 else text


def dated(day: date) -> str:
    """``vendredi 1er octobre 2027``: a date outside the year's list says its year."""
    return f"{day_fr(day)} {day.year}"


def _holiday_name(name: str) -> str:
    first = name.split(" ", 1)[0]
    return name[0].lower() + name[1:] if first in _COMMON_FIRST_WORDS else name


class DaysOff:
    """Which days are avoided and why, over the years asked for."""

    def __init__(self, years: Iterable[int], closures: Iterable[date] = ()) -> None:
        # subdivision NC adds 24 September (Fête de la Citoyenneté) to France's holidays
        self._holidays = holidays.country_holidays("FR", subdiv="NC", years=sorted(set(years)), language="fr")
        self._closures = frozenset(closures)

    def holiday(self, day: date) -> str | None:
        name = self._holidays.get(day)
        return _holiday_name(name) if name else None

    def reason(self, day: date) -> str | None:
        """Why no session is held on ``day``: « jour férié : Ascension », « samedi », « fermeture du service »."""
        name = self.holiday(day)
        if name:
            return f"jour férié : {name}"
        if day.weekday() >= 5:
            return weekday_fr(day)
        if day in self._closures:
            return "fermeture du service"
        return None

    def short_reason(self, day: date) -> str | None:
        """The reason as a parenthesis shows it: the holiday's name alone."""
        return self.holiday(day) or self.reason(day)

    def is_working(self, day: date) -> bool:
        return self.reason(day) is None

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it."""
        for _ in range(_MAX_RUN):
            if self.is_working(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"aucun jour ouvré dans l'année qui suit le {day.isoformat()}")
