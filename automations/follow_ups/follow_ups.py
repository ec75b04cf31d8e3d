"""Follow-ups of the commissions (suites): vouchers, decision letters, supplier notices, outgoing-mail rows.

``plan_follow_ups`` is pure: from the decisions in the applications register
and the journal it returns the vouchers to issue, then the letters (which
name the voucher), then the supplier notices (which list them), and the
budget used per scheme with a warning for a session that exceeds its
envelope. ``plan`` adds the run's numbering, which only hands numbers out
when a document is rendered, never while planning.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Protocol

from . import budget, decision_letters, supplier_notices, vouchers
from ..engine.actions import Action, Plan
from ..engine.context import Context
from .correspondence import Numbers
from ..domain.decisions import decision_groups
from .. import french
from ..engine.journal import Entry, Journal
from ..number_format import NumberFormat
from .numbering import Numbering
from ..registers.writeback import CellWrite, RowAppend
from ..domain.service import Service
from ..settings.model import FollowUpSettings
from ..transports.base import Delivered, Mail

NAME = "followups"
LABEL = "Suites des commissions"
TEMPLATES = (*decision_letters.TEMPLATES.values(), supplier_notices.TEMPLATE, vouchers.TEMPLATE)


def plan_follow_ups(service: Service, entries: dict[str, Entry], today: date, settings: FollowUpSettings,
                    envelopes: dict[int, dict[str, int]]) -> Plan:
    result = Plan(NAME)
    groups = decision_groups(service, today)
    issued, letters, notices = [], [], []
    pending: set[str] = set()
    for group in groups:
        in_window = (today - group.date).days <= settings.within_days
        if group.called_off and group.decided:
            if in_window:
                result.notices.append(f"{group.label} : des décisions sont saisies pour une séance "
                                      f"{'annulée' if group.session.status == 'annulee' else 'reportée'} ; "
                                      "corrigez la date de commission des dossiers, aucune suite n'est donnée.")
            continue
        planned = vouchers.plan(group, entries, settings, in_window, today, service, result)
        voucher_keys = {a.number: vouchers.key_of(a, group.date) for a in group.decided
                        if vouchers.is_voucher(a, settings)}
        valid_until = {a.payload["application"]: a.payload["valid_until"] for a in planned}
        for number, key in voucher_keys.items():
            entry = entries.get(key)
            if entry is not None and entry.delivered:
                valid_until[number] = entry.payload.get("valid_until", "")
        issued += planned
        group_letters = []
        if settings.letters:
            group_letters = decision_letters.plan(group, entries, settings, in_window, voucher_keys, result)
            for action in group_letters:
                day = valid_until.get(action.payload["application"])
                action.subject["voucher_valid_until"] = _french_day(day) if day else ""
            letters += group_letters
        if any(a.revision == 0 for a in group_letters):
            pending.add(group.natural)
        if settings.notices:
            sent = {e.payload.get("application") for k, e in entries.items()
                    if k.startswith("letter/") and e.delivered and e.payload.get("date") == group.date.isoformat()}
            for action in supplier_notices.plan(group, entries, settings, in_window, service, sent, result):
                action.subject["voucher_keys"] = voucher_keys
                notices.append(action)
    result.actions = [*issued, *letters, *notices]
    years = sorted({today.year, *(g.date.year for g in groups if g.natural in pending)})
    result.facts = [line.line() for year in years for line in budget.usage(groups, envelopes, year)]
    result.alerts += budget.overruns(groups, envelopes, pending)
    return result


def _french_day(iso: str) -> str:
    return french.date_medium(date.fromisoformat(iso))


def plan(ctx: Context, service: Service, journal: Journal) -> Plan:
    settings = ctx.config.follow_ups
    result = plan_follow_ups(service, journal.entries(NAME), ctx.now().date(), settings, ctx.config.budget)
    live = [a.delivery_id for a in result.actions]
    register = service.outgoing
    numbers = Numbers(
        vouchers=Numbering(journal, vouchers.SERIES, NumberFormat(settings.voucher_number),
                           (a.voucher_number for a in service.applications), live),
        outgoing=Numbering(journal, "mail_out", NumberFormat(settings.outgoing_number),
                           register.numbers, live) if register else None,
        register=register, author=settings.outgoing_author or ctx.config.service.name)
    for action in result.actions:
        action.subject["numbers"] = numbers
    return result


class _Part(Protocol):
    """What each kind of follow-up module offers the executor."""

    def document(self, ctx: Context, action: Action, *, fresh: bool) -> list[Path]: ...
    def build(self, ctx: Context, action: Action) -> Mail | Delivered: ...
    def writes(self, action: Action, today: date) -> list[tuple[Path, CellWrite | RowAppend]]: ...


_PARTS: dict[str, _Part] = {"voucher": vouchers, "letter": decision_letters, "notice": supplier_notices}  # type: ignore[dict-item]


def _part(action: Action) -> _Part:
    return _PARTS[action.key.split("/", 1)[0]]  # keys are "voucher/...", "letter/...", "notice/..."


def document(ctx: Context, action: Action, *, fresh: bool) -> list[Path]:
    return _part(action).document(ctx, action, fresh=fresh)


def build(ctx: Context, action: Action) -> Mail | Delivered:
    return _part(action).build(ctx, action)


def writes(action: Action, today: date) -> list[tuple[Path, CellWrite | RowAppend]]:
    return _part(action).writes(action, today)

