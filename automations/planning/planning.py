"""The ``planning`` automation: from a day of the year, next year's sessions drafted for every committee, with
what was learned or the rule applied, and every conflict. What a run writes into the staff's planning is added
by the writing side; this plan shows the draft."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..domain.service import Service
from ..engine.actions import Action, Plan
from ..errors import ConfigError
from ..french import plural, time_fr
from ..registers.types import normalize_label
from ..registers.writeback import CellWrite, RowAppend
from ..settings.model import Config, PlanningSettings
from ..transports.base import Delivered, Mail, Meeting
from .calendar import DaysOff, dated
from .conflicts import RoomFinder, members_by_committee, room_conflicts, separate_members, typed_sessions
from .draft import CommitteeDraft, DraftedSession, draft_committees, unknown_committees
from .rhythm import duration_fr
from .rules import FOLLOWING, Rule, rule_from_table

NAME = "planning"
LABEL = "Planning de l'année suivante"


def start_of_drafting(settings: PlanningSettings, today: date) -> date:
    month, day = settings.from_day
    return date(today.year, month, day)


def rule_problems(config: Config) -> list[str]:
    """What ``check`` says of the rules, the planning being enabled or not: a typo waits for no autumn."""
    return _read_rules(config)[1]


def _read_rules(config: Config) -> tuple[list[Rule], list[str]]:
    rules, problems = [], []
    for i, table in enumerate(config.planning.committees, 1):
        try:
            rules.append(rule_from_table({"on_avoided": config.planning.on_avoided, **table},
                                         f"[[planning.committees]] n° {i}", str(config.source)))
        except ConfigError as refused:
            problems += refused.problems
    return rules, problems


def plan(config: Config, service: Service, now: datetime, find_room: RoomFinder | None) -> Plan:
    result = Plan(NAME)
    today = now.date()
    rules, problems = _read_rules(config)
    if problems:  # said, not raised: a wrong rule must not stop the other automations of a run
        result.notices += [f"non préparé, règle invalide ({config.source.name}) : {p}" for p in problems]
        return result
    start = start_of_drafting(config.planning, today)
    year = today.year + 1
    if today < start:
        result.facts.append(f"le planning de {year} sera préparé à partir du {dated(start)} "
                            "([planning] from) : rien à préparer avant")
        return result
    result.notices += unknown_committees(service, rules)
    rules += _service_wide(config.planning, service, rules)
    drafts = draft_committees(service, year, rules, config.planning.closures, today)
    typed = typed_sessions(service, year)
    days_off = DaysOff(range(year, year + 2), config.planning.closures)
    drafts, shared = separate_members(drafts, typed, members_by_committee(service), days_off)
    rooms = room_conflicts(drafts, typed, service, ZoneInfo(config.service.timezone), find_room)
    total = sum(len(d.sessions) for d in drafts)
    result.facts.append(f"planning {year} : {plural(total, 'séance proposée', 'séances proposées')} pour "
                        f"{plural(len(drafts), 'instance', 'instances')}"
                        + (f", en plus de {plural(len(typed), 'séance déjà saisie', 'séances déjà saisies')}"
                           if typed else ""))
    for draft in drafts:
        result.facts += committee_lines(draft)
    result.notices += [f"membres : {line}" for line in shared] + [f"salle : {line}" for line in rooms]
    return result


def _service_wide(settings: PlanningSettings, service: Service, rules: list[Rule]) -> list[Rule]:
    """``[planning] on_avoided`` for the committees without a rule of their own: they follow their rhythm."""
    if settings.on_avoided == FOLLOWING:
        return []
    named = {normalize_label(r.committee) for r in rules}
    return [Rule(committee=c.name, on_avoided=settings.on_avoided) for c in service.committees.values()
            if normalize_label(c.name) not in named]


def committee_lines(draft: CommitteeDraft) -> list[str]:
    """What was learned or applied, each session proposed, and the dates of the rhythm left out, in French."""
    lines = [f"{draft.committee} : {draft.applied}"]
    if not draft.applied.startswith("rythme appris"):
        lines.append(f"{draft.committee} : appris cette année : {draft.learned}")
    lines += [f"{draft.committee} : séance proposée le {session_text(s)}" for s in draft.sessions]
    lines += [f"{draft.committee} : non proposée le {line}" for line in draft.left_out]
    return lines


def session_text(session: DraftedSession) -> str:
    parts = [dated(session.date)]
    if session.time:
        parts.append(time_fr(session.time))
    parts.append(duration_fr(session.duration_hours))
    if session.room:
        parts.append(session.room)
    text = ", ".join(parts)
    return text + "".join(f" ({reason})" for reason in session.reasons)


def build(ctx: object, action: Action) -> Mail | Meeting | Delivered:
    raise NotImplementedError("le planning ne propose encore aucune action")  # its plan has no action yet


def writes(action: Action, today: date) -> list[tuple[Path, CellWrite | RowAppend]]:
    return []
