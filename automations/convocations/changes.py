"""What changed in a session since its last convocation, said in French for the update mail.

Both sides are invitation payloads as the journal keeps them (see ``invitations._action``): the one of
the last delivery and the one about to be sent. Members are e-mail addresses there; ``names`` gives the
names to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from .. import french


def _day(payload: Mapping[str, Any]) -> str:
    value = payload.get("date")
    return french.date_long(date.fromisoformat(value)) if value else "non précisée"


def _hour(value: str | None) -> str:
    return french.time_fr(time.fromisoformat(value)) if value else "non précisée"


def _end(payload: Mapping[str, Any]) -> str | None:
    if not payload.get("time") or payload.get("duration_hours") is None:
        return None
    start = datetime.combine(date.min, time.fromisoformat(payload["time"]))
    return (start + timedelta(hours=float(payload["duration_hours"]))).time().isoformat(timespec="minutes")


def _people(emails: list[str], names: Mapping[str, str]) -> str:
    return ", ".join(names.get(e) or e for e in emails)


def _members(before: Mapping[str, Any], after: Mapping[str, Any], names: Mapping[str, str],
             explained: set[str]) -> list[str]:
    def emails(payload: Mapping[str, Any], role: str) -> set[str]:
        return {e.lower() for e in payload.get(role, [])}

    required_then, optional_then = emails(before, "required"), emails(before, "optional")
    required_now, optional_now = emails(after, "required"), emails(after, "optional")
    then, now = required_then | optional_then, required_now | optional_now
    lines = []
    for label, emails in (("Membres ajoutés", now - then), ("Membres retirés", then - now),
                          ("Désormais convoqués comme titulaires",
                           (required_now & optional_then) - explained),
                          ("Désormais invités comme suppléants (présence facultative)",
                           optional_now & required_then)):
        if emails:
            lines.append(f"{label} : {_people(sorted(emails), names)}")
    return lines


def changes(before: Mapping[str, Any], after: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    """« Date : jeudi 10 décembre 2026 → vendredi 11 décembre 2026 », one line per change, in reading order.

    A substitute convened in a titular's place is said by the mail's own sentence about it, not here.
    """
    lines = []
    if before.get("state") == "cancelled":
        lines.append("Séance rétablie : elle avait été annulée")
    if before.get("date") != after.get("date"):
        lines.append(f"Date : {_day(before)} → {_day(after)}")
    if before.get("time") != after.get("time"):
        lines.append(f"Heure : {_hour(before.get('time'))} → {_hour(after.get('time'))}")
    elif _end(before) != _end(after):
        lines.append(f"Fin : {_hour(_end(before))} → {_hour(_end(after))}")
    if (before.get("room") or "") != (after.get("room") or ""):
        lines.append(f"Salle : {before.get('room') or 'non précisée'} → {after.get('room') or 'non précisée'}")
    lines += _members(before, after, names, {e.lower() for e in after.get("replaces", {})})
    if (before.get("agenda") or "") != (after.get("agenda") or ""):
        lines.append("Ordre du jour : modifié (voir la convocation jointe)")
    return lines
