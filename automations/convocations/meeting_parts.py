"""What a meeting's deliveries share: its UID, its name in the calendars, who an update drops."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from .. import french
from ..domain.service import Member
from ..engine.actions import Action, slug
from ..transports.base import Address


def first(action: Action) -> bool:
    """The first convocation of a meeting: created by it, or by the planning's holding invitation."""
    return action.kind == "create" or bool(action.payload.get("after_hold"))


def address(member: Member) -> Address:
    return Address(member.email, member.full_name)


def uid(action: Action, domain: str) -> str:
    return f"{slug(action.key)}@{domain}"


def slot(payload: Mapping[str, Any], zone: Any) -> tuple[datetime, datetime]:
    """The meeting's start and end as a delivery's payload gives them."""
    start = datetime.combine(date.fromisoformat(payload["date"]), time.fromisoformat(payload["time"]), zone)
    return start, start + timedelta(hours=float(payload["duration_hours"]))


def title(committee: str, start: datetime) -> str:
    """The meeting's own name in the calendars (the committee, then its date and time as now planned): only
    a mail's subject says « Modification – » or « Annulation – », which the meeting would keep forever."""
    return f"Convocation – {committee} – {when(start)}"


def when(start: datetime) -> str:
    return f"{french.date_long(start.date())} à {french.time_fr(start.timetz())}"


def previous(action: Action) -> dict[str, Any]:
    return (action.subject.get("previous") or {}) if action.kind == "update" else {}


def removed(action: Action) -> tuple[Address, ...]:
    """Who the previous delivery invited and this update no longer does."""
    before = previous(action)
    now = set(action.payload["required"]) | set(action.payload["optional"])
    gone = (set(before.get("required", [])) | set(before.get("optional", []))) - now
    names = before.get("names", {})
    return tuple(Address(email, names.get(email.lower()) or names.get(email) or "") for email in sorted(gone) if email)


def removed_room(action: Action) -> Address | None:
    """The room the previous delivery booked, when this update books another (or none)."""
    before = previous(action)
    email = before.get("room_email") or ""
    if not email or email == action.payload["room_email"]:
        return None
    return Address(email, before.get("room", ""))
