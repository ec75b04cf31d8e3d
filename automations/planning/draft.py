"""Next year's sessions of every committee, from its rule or its learned rhythm. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

from ..domain.service import Committee, Service
from ..french import time_fr
from ..registers.types import normalize_label
from .calendar import DaysOff, day_fr
from .pattern import Pattern
from .rhythm import Rhythm, duration_fr, learn, sessions_of
from .rules import FOLLOWING, SKIP, Rule


@dataclass(frozen=True)
class DraftedSession:
    committee: str
    date: date
    time: time | None
    duration_hours: float
    room: str
    reasons: tuple[str, ...] = ()  # why the date is not the rhythm's own: moved, added by the rule


@dataclass(frozen=True)
class CommitteeDraft:
    committee: str
    learned: str  # what this year's sessions taught, in French
    applied: str  # what the draft follows: the rule, or the rhythm learned
    sessions: tuple[DraftedSession, ...]
    left_out: tuple[str, ...]  # the rhythm's dates not drafted, each with its reason


def draft_year(service: Service, year: int, rules: Iterable[Rule], closures: Iterable[date],
               today: date) -> list[DraftedSession]:
    """Every committee's sessions of ``year``, in date order."""
    drafts = draft_committees(service, year, rules, closures, today)
    return sorted((s for d in drafts for s in d.sessions), key=lambda s: (s.date, s.time or time(), s.committee))


def draft_committees(service: Service, year: int, rules: Iterable[Rule], closures: Iterable[date],
                     today: date) -> list[CommitteeDraft]:
    """Each committee's draft with what was learned and applied; learned from ``today``'s year."""
    by_committee = {normalize_label(r.committee): r for r in rules}
    learned_year = today.year if today.year < year else year - 1
    days_off = DaysOff(range(learned_year, year + 2), closures)
    return [_draft(c, learn(service, c, learned_year, days_off), by_committee.get(normalize_label(c.name)),
                   year, days_off, today, [s.date for s in sessions_of(service, c, year)])
            for key, c in service.committees.items() if key not in service.refused]


def unknown_committees(service: Service, rules: Iterable[Rule]) -> list[str]:
    """A rule naming no committee of the service would be silently ignored: each is said, in French."""
    return [f"règle de planning pour « {r.committee} » : aucune commission de ce nom dans les registres"
            for r in rules if service.committee(r.committee) is None]


def _draft(committee: Committee, rhythm: Rhythm, rule: Rule | None, year: int, days_off: DaysOff,
           today: date, planned: list[date]) -> CommitteeDraft:
    rule = rule or Rule(committee=committee.name)
    pattern = rule.pattern or rhythm.pattern
    if pattern is not None and pattern.weeks is not None and pattern.anchor is None and rhythm.pattern is not None \
            and rhythm.pattern.anchor is not None:
        pattern = pattern.with_anchor(rhythm.pattern.anchor)  # « toutes les 2 semaines » goes on with this year's
    usual_time = rule.time or rhythm.time
    duration = rule.duration_hours or rhythm.duration_hours
    room = rule.room or rhythm.room
    left_out: list[str] = []
    wanted: list[tuple[date, tuple[str, ...]]] = []
    for day in pattern.dates(year) if pattern else []:
        pause = rule.paused(day)
        if rule.pattern is None and day.month not in rhythm.months:
            continue  # the committee did not meet that month this year
        if pause is not None:
            left_out.append(f"{day_fr(day)} : pas de séance {pause.describe()} (règle)")
        elif day in rule.skipped_dates:
            left_out.append(f"{day_fr(day)} : date retirée par la règle")
        elif (already := _already_planned(day, pattern, planned)) is not None:
            left_out.append(f"{day_fr(day)} : déjà au planning, séance du {day_fr(already)}")
        else:
            wanted.append((day, ()))
    wanted += [(d, ("date ajoutée par la règle",)) for d in rule.extra_dates if d.year == year and d not in planned]
    placed: dict[date, DraftedSession] = {}
    for day, reasons in sorted(wanted):
        moved = _place(day, rule.on_avoided, days_off, left_out)
        if moved is None or moved <= today or moved.year != year:
            continue
        if moved != day:
            reasons += (f"déplacée du {day_fr(day)} ({days_off.short_reason(day)}) au {day_fr(moved)}",)
        if moved in placed:
            left_out.append(f"{day_fr(day)} : tombe le même jour qu'une autre séance, le {day_fr(moved)}")
            continue
        placed[moved] = DraftedSession(committee.name, moved, usual_time, duration, room, reasons)
    return CommitteeDraft(committee=committee.name, learned=rhythm.describe(),
                          applied=_applied(rule, rhythm, pattern, usual_time, duration, room),
                          sessions=tuple(placed[d] for d in sorted(placed)), left_out=tuple(left_out))


def _already_planned(day: date, pattern: Pattern, planned: list[date]) -> date | None:
    """The session the staff already typed for the slot of ``day``: a planning started is completed, not doubled."""
    for other in planned:
        same_slot = abs((other - day).days) * 2 < 7 * pattern.weeks if pattern.weeks \
            else (other.year, other.month) == (day.year, day.month)
        if same_slot:
            return other
    return None


def _place(day: date, on_avoided: str, days_off: DaysOff, left_out: list[str]) -> date | None:
    """The day the session is held: ``day``, the next working day, or None when the rule skips it."""
    reason = days_off.reason(day)
    if reason is None:
        return day
    if on_avoided == SKIP:
        left_out.append(f"{day_fr(day)} : sautée ({reason})")
        return None
    return days_off.next_working_day(day)


def _applied(rule: Rule, rhythm: Rhythm, pattern: Pattern | None, usual_time: time | None, duration: float,
             room: str) -> str:
    if pattern is None:
        return "aucune séance proposée : ni séance cette année, ni règle de rythme"
    own = rule.pattern or rule.time or rule.duration_hours or rule.room or rule.pauses or rule.extra_dates \
        or rule.skipped_dates or rule.on_avoided != FOLLOWING
    if not own:
        return f"rythme appris : {rhythm.describe()}"
    parts = [pattern.describe() if rule.pattern else f"{pattern.describe()} (rythme appris)"]
    if usual_time:
        parts.append(time_fr(usual_time))
    parts.append(duration_fr(duration))
    if room:
        parts.append(room)
    parts += [f"pas de séance {p.describe()}" for p in rule.pauses]
    if rule.extra_dates:
        parts.append("dates ajoutées : " + ", ".join(day_fr(d) for d in rule.extra_dates))
    if rule.skipped_dates:
        parts.append("dates retirées : " + ", ".join(day_fr(d) for d in rule.skipped_dates))
    parts.append("jours évités sautés" if rule.on_avoided == SKIP
                 else "jours évités reportés au jour ouvré suivant")
    return "règle : " + ", ".join(parts)
