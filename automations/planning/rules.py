"""A committee's explicit planning rule, which overrides the rhythm learned from its sessions.

The config section that holds these rules is read elsewhere; ``rule_from_table`` turns one of its
tables into a ``Rule`` and names every wrong key in French, as the rest of the config does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from ..errors import ConfigError
from ..settings.section import Section, day_from
from .pattern import Pattern, parse_pattern

FOLLOWING = "suivant"  # an avoided date moves to the next working day
SKIP = "sauter"  # an avoided date is left out
_ON_AVOIDED = (FOLLOWING, SKIP)
_DAY_MONTH = r"(\d{1,2})/(\d{1,2})"
_PAUSE = re.compile(rf"^\s*{_DAY_MONTH}\s*(?:-|–|—|au|à)\s*{_DAY_MONTH}\s*$")
_TIME = re.compile(r"^\s*(\d{1,2})\s*(?:h|:)\s*(\d{2})?\s*$")
_MAX_HOURS = 12


@dataclass(frozen=True)
class Pause:
    """Days of the year without sessions, from (month, day) to (month, day); may run over New Year."""

    start: tuple[int, int]
    end: tuple[int, int]

    def __contains__(self, day: date) -> bool:
        key = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= key <= self.end
        return key >= self.start or key <= self.end

    def describe(self) -> str:
        return f"du {self.start[1]:02d}/{self.start[0]:02d} au {self.end[1]:02d}/{self.end[0]:02d}"


@dataclass(frozen=True)
class Rule:
    committee: str
    pattern: Pattern | None = None
    time: time | None = None
    duration_hours: float | None = None
    room: str | None = None
    pauses: tuple[Pause, ...] = ()
    extra_dates: tuple[date, ...] = ()
    skipped_dates: tuple[date, ...] = ()
    on_avoided: str = FOLLOWING

    def paused(self, day: date) -> Pause | None:
        return next((p for p in self.pauses if day in p), None)


def rule_from_table(table: dict[str, Any], where: str, source: str = "config.toml") -> Rule:
    """One committee's rule, read from its TOML table; raise ``ConfigError`` naming each wrong key."""
    problems: list[str] = []
    section = Section(table, where, problems)
    committee = section.text("committee")
    pattern_text = section.text("pattern", "")
    pattern = parse_pattern(pattern_text) if pattern_text else None
    if pattern_text and pattern is None:
        section.problem("pattern", f"« {pattern_text} » n'est pas compris : écrivez par exemple « 2e lundi », "
                                   "« dernier jeudi » ou « toutes les 2 semaines, le mardi »")
    first = _dates(section, "first_date")
    if first and pattern is not None and pattern.weeks is not None:
        pattern = pattern.with_anchor(first[0])
    elif first:
        section.problem("first_date", "ne vaut que pour un rythme « toutes les N semaines »")
    duration = section.number("duration_hours", None, maximum=_MAX_HOURS)
    room = section.text("room", "").strip() or None
    on_avoided = section.text("on_avoided", FOLLOWING).strip().casefold()
    if on_avoided not in _ON_AVOIDED:
        section.problem("on_avoided", f"« {on_avoided} » : « {FOLLOWING} » ou « {SKIP} » attendu")
    rule = Rule(committee=(committee or "").strip(), pattern=pattern, time=_time(section, "time"),
                duration_hours=duration, room=room, pauses=_pauses(section, "pauses"),
                extra_dates=_dates(section, "extra_dates"), skipped_dates=_dates(section, "skipped_dates"),
                on_avoided=on_avoided if on_avoided in _ON_AVOIDED else FOLLOWING)
    section.finish()
    if problems:
        raise ConfigError(source, problems)
    return rule


def _time(section: Section, key: str) -> time | None:
    section.seen.add(key)
    value = section.data.get(key)
    if value is None or isinstance(value, time):
        return value
    match = _TIME.match(value) if isinstance(value, str) else None
    if match and int(match.group(1)) < 24 and int(match.group(2) or 0) < 60:
        return time(int(match.group(1)), int(match.group(2) or 0))
    section.problem(key, f"une heure est attendue (« 8 h 30 » ou 08:30:00), trouvé « {value} »")
    return None


def _pauses(section: Section, key: str) -> tuple[Pause, ...]:
    found = []
    for text in section.strings(key, ()):
        match = _PAUSE.match(text)
        parts = [int(g) for g in match.groups()] if match else []
        if not parts or not (_valid_day(parts[0], parts[1]) and _valid_day(parts[2], parts[3])):
            section.problem(key, f"« {text} » : une période « jj/mm – jj/mm » est attendue, "
                                 "par exemple « 20/12 – 15/02 »")
            continue
        found.append(Pause(start=(parts[1], parts[0]), end=(parts[3], parts[2])))
    return tuple(found)


def _dates(section: Section, key: str) -> tuple[date, ...]:
    section.seen.add(key)
    value = section.data.get(key, [])
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        day = day_from(item)
        if day is None:
            section.problem(key, f"une date est attendue (2027-04-12 ou « 12/04/2027 »), trouvé « {item} »")
        else:
            found.append(day)
    return tuple(found)


def _valid_day(day: int, month: int) -> bool:
    try:
        date(2024, month, day)  # a leap year: 29/02 is a valid bound
    except ValueError:
        return False
    return True
