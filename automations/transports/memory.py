"""An in-memory transport for tests: keeps every message it was handed."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .base import Delivered, Mail, Meeting, RoomChoice, Transport


class MemoryTransport(Transport):
    name = "memory"
    room_booking = "reservee"  # stands for a server that books rooms, free/busy included

    def __init__(self, settings: Mapping[str, Any] | None = None, *, base: Path = Path("."),
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        super().__init__(settings or {}, base=base, now=now)
        self.sent: list[Mail | Meeting] = []
        self.busy: dict[str, list[tuple[datetime, datetime]]] = {}  # room e-mail -> busy slots
        self.replies: dict[str, dict[str, str]] = {}  # meeting key -> e-mail -> answer, set by tests

    def send_mail(self, mail: Mail) -> Delivered:
        self.sent.append(mail)
        return Delivered(reference=f"memory:{len(self.sent)}")

    def send_meeting(self, meeting: Meeting) -> Delivered:
        self.sent.append(meeting)
        return Delivered(reference=f"memory:{len(self.sent)}")

    def lookup(self, delivery_id: str) -> Delivered | None:
        for index, item in enumerate(self.sent, 1):
            if item.delivery_id == delivery_id:
                return Delivered(reference=f"memory:{index}")
        return None

    def answers(self, key: str) -> dict[str, str] | None:
        return self.replies.get(key)

    def free_room(self, rooms: Sequence[RoomChoice], start: datetime, end: datetime) -> RoomChoice | None:
        for room in rooms:
            if not any(s < end and e > start for s, e in self.busy.get(room.email or "", [])):
                return room
        return None
