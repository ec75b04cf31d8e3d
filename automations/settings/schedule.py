"""When each automation runs under ``serve``: French weekdays and times, read from ``[schedule.<name>]``.

    [schedule.followups]
    days = "lundi-vendredi"        # or ["lundi", "jeudi"], or "tous les jours"
    every_minutes = 60             # or: at = ["07:30", "13:30"]
    between = ["08:00", "17:00"]
"""

from __future__ import annotations

import re

from .model import Slot
from .section import Section

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
WEEKDAYS = tuple(range(5))
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

DEFAULT_SCHEDULE: dict[str, Slot] = {
    "invitations": Slot(WEEKDAYS, ("07:30",)),
    "packs": Slot(WEEKDAYS, ("07:30",)),
    "minutes": Slot(WEEKDAYS, ("07:30",)),
    "followups": Slot(WEEKDAYS, tuple(f"{h:02d}:00" for h in range(8, 18))),
    "receipts": Slot(WEEKDAYS, ("07:30",)),
    "incoming": Slot(WEEKDAYS, tuple(f"{h:02d}:00" for h in range(8, 18))),
    "digest": Slot((0,), ("08:05",)),  # Monday, after the morning's convocations and packs
    "report": Slot(WEEKDAYS, ("07:30",)),  # due once a year: the planner decides, at no cost otherwise
    "planning": Slot(WEEKDAYS, ("07:30",)),  # from its day of the year; a room declining a held date is seen daily
}


def _days(section: Section) -> tuple[int, ...] | None:
    raw = section.data.get("days", "lundi-vendredi")
    section.seen.add("days")
    names = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else None
    if names is None or not all(isinstance(n, str) for n in names):
        section.problem("days", "attendu : un texte (\"lundi-vendredi\") ou une liste de jours")
        return None
    found: list[int] = []
    for name in (n.strip().lower() for n in names):
        if name == "tous les jours":
            found += range(7)
            continue
        first, _, last = name.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            section.problem("days", f"jour inconnu « {name} » (exemples : \"lundi\", \"lundi-vendredi\", "
                                    "\"tous les jours\")")
            return None
        start, end = DAYS.index(first), DAYS.index(last or first)
        found += range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
    return tuple(sorted(set(found)))


def _minutes(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:])


def read_slot(section: Section) -> Slot | None:
    days = _days(section)
    at = section.strings("at", ())
    every = section.integer("every_minutes", 0, minimum=0)
    between = section.strings("between", ("08:00", "17:00"))
    section.finish()
    for key, values in (("at", at), ("between", between)):
        bad = [t for t in values if not _TIME.match(t)]
        if bad:
            section.problem(key, f"heure invalide « {bad[0]} » (format HH:MM, par exemple \"07:30\")")
            return None
    if bool(at) == bool(every):
        section.problem("at", "indiquez soit « at » (heures fixes), soit « every_minutes » (avec « between »)")
        return None
    if every:
        if len(between) != 2 or _minutes(between[0]) > _minutes(between[1]):
            section.problem("between", "attendu : deux heures, la première avant la seconde (\"08:00\", \"17:00\")")
            return None
        start, end = _minutes(between[0]), _minutes(between[1])
        at = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(start, end + 1, every))
    return None if days is None else Slot(days, tuple(sorted(set(at))))
