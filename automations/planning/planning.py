"""The ``planning`` automation: from a day of the year, next year's sessions drafted for every committee, with
what was learned or the rule applied, and every conflict; a run writes them into the staff's planning and
holds each written session in its members' calendars and its room (:mod:`deliveries`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..convocations import invitations
from ..domain.service import Service
from ..engine.actions import Action, Plan
from ..engine.journal import Entry
from ..errors import ConfigError, UserError
from ..french import plural, time_fr
from ..registers.reader import Layout
from ..registers.types import normalize_label
from ..registers.writeback import CellWrite, RowAppend
from ..registers.year_copy import make_next_year
from ..settings.model import Config, PlanningSettings
from ..engine.context import Context
from ..transports.base import Delivered, Mail, Meeting
from .calendar import DaysOff, dated
from . import deliveries
from .conflicts import RoomFinder, members_by_committee, room_conflicts, separate_members, typed_sessions
from .draft import CommitteeDraft, DraftedSession, draft_committees, unknown_committees
from .rhythm import duration_fr
from .rules import FOLLOWING, Rule, rule_from_table
from .write import planning_writes

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


def plan(config: Config, service: Service, now: datetime, find_room: RoomFinder | None,
         entries: dict[str, Entry] | None = None, held: dict[str, Entry] | None = None, room_booking: str = "indiquee",
         room_answer: deliveries.RoomAnswer | None = None) -> Plan:
    """``entries``: the planning's journal entries; ``held``: the convocations' (holding invitations among them).
    Without them (``plan`` shown alone in a test), only the draft."""
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
    if entries is not None and held is not None:
        _deliveries(config, service, now, find_room, entries, held, room_booking, room_answer,
                    [s for d in drafts for s in d.sessions], year, result)
    return result


def _deliveries(config: Config, service: Service, now: datetime, find_room: RoomFinder | None,
                entries: dict[str, Entry], held: dict[str, Entry], room_booking: str,
                room_answer: deliveries.RoomAnswer | None, drafted: list[DraftedSession], year: int,
                result: Plan) -> None:
    """The writing of the draft, the holding invitations and the rooms declined, as actions of ``result``."""
    written = deliveries.Written()
    writing = []
    sheets = service.planning
    if not config.write_back.enabled:
        result.notices.append("le report dans les registres est désactivé ([write_back] enabled = false) : "
                              f"le planning {year} n'est pas écrit")
    elif sheets is None:
        result.notices.append("aucun registre des séances dans la correspondance : le planning n'est pas écrit")
    else:
        try:
            writes = planning_writes(service, sheets.spec, sheets.layouts, sheets.files, drafted, year)
        except UserError as refused:
            result.notices.append(refused.message)
        else:
            action = deliveries.write_action(writes, entries.get(f"{NAME}/{year}"), year, written)
            if action is not None:
                result.actions.append(action)
            if not writes.idle:
                target, sheet, columns = _destination(writes, sheets.layouts)
                writing = [s for d in writes.sessions
                           if (s := deliveries.as_session(service, d, target, sheet, columns))]
    if config.planning.holds:
        holds, notices = deliveries.hold_actions(service, year, writing, held, now,
                                                 config.invitations.suppleants_optional, find_room, room_booking,
                                                 written)
        result.actions += holds
        result.notices += notices
    rooms, alerts = deliveries.declined_rooms(held, entries, year, room_answer)
    result.actions += rooms
    result.alerts += alerts


def _destination(writes: deliveries.PlanningWrites, layouts: Sequence[Layout]) -> tuple[Path, str, set[str]]:
    """Where the sessions go, and the fields the sheet has (next year's workbook has this year's columns)."""
    if writes.new_workbook is not None:
        made = writes.new_workbook
        target, sheet, source = made.target, made.new_sheet, (made.source, made.sheet)
    else:
        target, append = writes.appends[0]
        sheet, source = append.sheet, (target, append.sheet)
    layout = next((x for x in layouts if (x.file, x.sheet) == source), None)
    return target, sheet, set(layout.headers) if layout is not None else set()


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


def build(ctx: Context, action: Action) -> Mail | Meeting | Delivered:
    if action.automation == invitations.NAME:  # a holding invitation, once its session is written (``waits``)
        return invitations.build(ctx, action)
    if action.key.startswith(deliveries.ROOM_PREFIX):
        return Delivered(reference="salle refusée", details={"note": "le responsable est alerté"})
    writes: deliveries.PlanningWrites | None = action.subject["writes"]
    if writes is None:  # written by an interrupted run: recorded, nothing written twice
        return Delivered(reference=action.payload["file"], details={"note": "déjà écrit lors d'un passage interrompu"})
    if writes.new_workbook is not None:
        make_next_year(writes.new_workbook)
        note = f"« {writes.new_workbook.target.name} » créé à partir de « {writes.new_workbook.source.name} »"
    else:
        note = f"lignes ajoutées sous celles de « {writes.appends[0][0].name} »"
    action.subject["written"].done = True
    return Delivered(reference=action.payload["file"], details={"note": note})


def writes(action: Action, today: date) -> list[tuple[Path, CellWrite | RowAppend]]:
    if action.automation == invitations.NAME:
        return invitations.writes(action, today)
    if action.key.startswith(deliveries.ROOM_PREFIX) or not isinstance(action.subject, dict) \
            or action.subject["writes"] is None:
        return []
    return list(action.subject["writes"].appends)
