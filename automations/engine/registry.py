"""The automations the tool knows, by name, with what each needs from the context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..alerts import alerts
from ..annual_report import report as annual_report
from ..digest import digest
from ..follow_ups import follow_ups
from ..incoming import incoming
from ..convocations import invitations
from ..packs import meeting_pack
from ..minutes import minutes
from ..planning import planning
from ..receipts import receipts
from .actions import Action, Plan
from .context import Context
from .journal import Journal
from ..registers.writeback import CellWrite, RowAppend
from ..domain.service import Service
from ..transports.base import Delivered, Mail, Meeting, Transport


@dataclass(frozen=True)
class Automation:
    name: str
    label: str  # French, for people
    plan: Callable[[Context, Service, Journal, Transport], Plan]
    build: Callable[[Context, Action], Mail | Meeting | Delivered]  # Delivered: a file saved, nothing sent
    writes: Callable[[Action, date], list[tuple[Path, CellWrite | RowAppend]]]  # workbook, cell or row
    enabled: Callable[[Context], bool]
    # renders an action's Word documents ahead of the sends, so one conversion makes all the PDFs
    documents: Callable[..., list[Path]] | None = None
    # tells what the registers still lack: the writes queued before it are made first, so it
    # never reports as pending what the same run is about to write
    reads_backlog: bool = False
    # why an action must wait for the next run (an earlier action of the same run it depends on failed), or None
    waits: Callable[[Action], str | None] | None = None
    # what follows an action once the journal holds it (a received mail marked in its mailbox)
    after: Callable[[Context, Action], None] | None = None


AUTOMATIONS: dict[str, Automation] = {
    invitations.NAME: Automation(
        name=invitations.NAME, label=invitations.LABEL,
        plan=lambda ctx, service, journal, transport: invitations.plan(
            service, journal.entries(invitations.NAME), ctx.now(), ctx.config.invitations.suppleants_optional,
            transport.free_room, transport.answers, transport.room_booking, transport.room_answer),
        build=invitations.build, writes=invitations.writes,
        enabled=lambda ctx: ctx.config.invitations.enabled, documents=invitations.document),
    meeting_pack.NAME: Automation(
        name=meeting_pack.NAME, label=meeting_pack.LABEL,
        plan=lambda ctx, service, journal, transport: meeting_pack.plan(
            service, journal.entries(meeting_pack.NAME), ctx.now()),
        build=meeting_pack.build, writes=meeting_pack.writes,
        enabled=lambda ctx: ctx.config.packs.enabled, documents=meeting_pack.document),
    minutes.NAME: Automation(
        name=minutes.NAME, label=minutes.LABEL,
        plan=lambda ctx, service, journal, transport: minutes.plan(
            service, journal.entries(minutes.NAME), ctx.now(), ctx.config.minutes.within_days,
            journal.attendance, lambda session, entry: minutes.draft_on_disk(ctx, journal, session, entry)),
        build=minutes.build, writes=minutes.writes,
        enabled=lambda ctx: ctx.config.minutes.enabled, documents=minutes.document),
    follow_ups.NAME: Automation(
        name=follow_ups.NAME, label=follow_ups.LABEL,
        plan=lambda ctx, service, journal, transport: follow_ups.plan(ctx, service, journal),
        build=follow_ups.build, writes=follow_ups.writes,
        enabled=lambda ctx: ctx.config.follow_ups.enabled, documents=follow_ups.document),
    receipts.NAME: Automation(
        name=receipts.NAME, label=receipts.LABEL,
        plan=lambda ctx, service, journal, transport: receipts.plan(ctx, service, journal),
        build=receipts.build, writes=receipts.writes,
        enabled=lambda ctx: ctx.config.receipts.enabled, documents=receipts.document),
    annual_report.NAME: Automation(
        name=annual_report.NAME, label=annual_report.LABEL,
        plan=lambda ctx, service, journal, transport: annual_report.plan(ctx, journal.entries(annual_report.NAME)),
        build=annual_report.build, writes=annual_report.writes,
        enabled=lambda ctx: ctx.config.report.enabled and bool(ctx.config.service.manager)),
    planning.NAME: Automation(
        name=planning.NAME, label=planning.LABEL,
        plan=lambda ctx, service, journal, transport: planning.plan(
            ctx.config, service, ctx.now(), transport.free_room, journal.entries(planning.NAME),
            journal.entries(invitations.NAME), transport.room_booking, transport.room_answer),
        build=planning.build, writes=planning.writes, enabled=lambda ctx: ctx.config.planning.enabled,
        waits=planning.deliveries.waiting),
    incoming.NAME: Automation(
        name=incoming.NAME, label=incoming.LABEL, plan=incoming.plan, build=incoming.build,
        writes=incoming.writes, enabled=lambda ctx: ctx.config.incoming.enabled, waits=incoming.waits,
        after=incoming.after),
    # last: the digest counts what the automations above sent in the same run
    digest.NAME: Automation(
        name=digest.NAME, label=digest.LABEL,
        plan=lambda ctx, service, journal, transport: digest.plan(ctx, service, journal, labels()),
        build=digest.build, writes=digest.writes, reads_backlog=True,
        enabled=lambda ctx: ctx.config.digest.enabled and bool(ctx.config.service.manager)),
}

# fed by the other automations' alerts, not selectable on its own
ALERTS = Automation(name=alerts.NAME, label=alerts.LABEL,
                    plan=lambda ctx, service, journal, transport: Plan(alerts.NAME),
                    build=alerts.build, writes=alerts.writes, enabled=lambda ctx: bool(ctx.config.service.manager))


def labels() -> dict[str, str]:
    """Each automation's French label by name, in the order runs go through them."""
    return {a.name: a.label for a in (*AUTOMATIONS.values(), ALERTS)}


def choices() -> str:
    """``invitations (convocations), packs (dossiers de séance), …``: the names to type, with what they do."""
    return ", ".join(f"{a.name} ({a.label[0].lower()}{a.label[1:]})" for a in AUTOMATIONS.values())
