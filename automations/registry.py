"""The automations the tool knows, by name, with what each needs from the context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import invitations
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
            service, entries, ctx.now(), ctx.config.invitations.suppleants_optional, transport.free_room),
        build=invitations.build, writes=invitations.writes,
        enabled=lambda ctx: ctx.config.invitations.enabled),
}
