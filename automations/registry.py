"""The automations the tool knows, by name, with what each needs from the context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import alerts, invitations
from .actions import Action, Plan
from .context import Context
from .journal import Entry
from .registers.writeback import CellWrite
from .service import Service
from .transports.base import Mail, Meeting, Transport


@dataclass(frozen=True)
class Automation:
    name: str
    label: str  # French, for people
    plan: Callable[[Context, Service, dict[str, Entry], Transport], Plan]
    build: Callable[[Context, Action], Mail | Meeting]
    writes: Callable[[Action, date], list[tuple[Path, CellWrite]]]  # workbook, cell
    enabled: Callable[[Context], bool]


AUTOMATIONS: dict[str, Automation] = {
    invitations.NAME: Automation(
        name=invitations.NAME, label=invitations.LABEL,
        plan=lambda ctx, service, entries, transport: invitations.plan(
            service, entries, ctx.now(), ctx.config.invitations.suppleants_optional, transport.free_room,
            transport.answers),
        build=invitations.build, writes=invitations.writes,
        enabled=lambda ctx: ctx.config.invitations.enabled),
}

# fed by the other automations' alerts, not selectable on its own
ALERTS = Automation(name=alerts.NAME, label=alerts.LABEL, plan=lambda ctx, service, entries, transport: Plan(alerts.NAME),
                    build=alerts.build, writes=alerts.writes, enabled=lambda ctx: bool(ctx.config.service.manager))
