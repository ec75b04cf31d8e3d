"""A service whose committees met on given dates: what the rhythm is learned from."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

from automations.domain.service import Committee, Service, Session
from automations.registers.reader import Record, Source
from automations.registers.types import normalize_label


def service_with(meetings: dict[str, list[tuple[date, str]]], at: time = time(8, 30), room: str = "Salle Kaori",
                 hours: float = 2.0) -> Service:
    """Each committee's sessions as (date, status), all at ``at`` in ``room``."""
    service = Service()
    row = 2
    for name, dates in meetings.items():
        committee = Committee(name)
        service.committees[normalize_label(name)] = committee
        for day, status in dates:
            record = Record("sessions", Source(Path("Planning.xlsx"), "Planning", row, 1), {})
            service.sessions.append(Session(committee, day, at, hours, room, "", status, "", record))
            row += 1
    return service


def held(*days: date) -> list[tuple[date, str]]:
    return [(d, "tenue") for d in days]
