"""Who will come: members' own answers to the meeting (read from Exchange), substitutes, quorum.

Pure functions over the service and the answers a transport read back;
nothing here talks to a server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from .. import french
from ..transports.base import ACCEPTED, DECLINED, NONE, TENTATIVE
from .service import Committee, Member, Service

LABELS = {ACCEPTED: "accepte", DECLINED: "décline", TENTATIVE: "provisoire", NONE: "sans réponse"}
# the role as the journal's attendance rows keep it (the tool's word) -> the canonical value
ROLES = {"Titulaire": "titulaire", "Suppléant": "suppleant"}
QUORUM_WARNING_DAYS = 2  # the manager still has time to call members


@dataclass(frozen=True)
class Expected:
    """A member's expected attendance, as the minutes record it."""

    member: Member
    answer: str
    replaces: str = ""  # the titular member a substitute sits for

    def as_row(self) -> dict[str, str]:
        return {"nom": self.member.full_name, "organisme": self.member.organisation,
                "qualite": "Suppléant" if self.member.role == "suppleant" else "Titulaire",
                "reponse": LABELS[self.answer], "remplace": self.replaces}


def substitute_of(titular: Member, committee: Committee, service: Service) -> Member | None:
    """The substitute named for this member, else the one substitute of the same organisation."""
    substitutes = [m for m in service.members_of(committee) if m.role == "suppleant" and m.email]
    named = [m for m in substitutes if m.substitute_for and m.substitute_for.lower() in (
        titular.full_name.lower(), titular.email.lower())]
    if named:
        return named[0]
    same = [m for m in substitutes if not m.substitute_for and titular.organisation
            and m.organisation.lower() == titular.organisation.lower()]
    return same[0] if len(same) == 1 else None


def replacements(required: Sequence[Member], committee: Committee, service: Service,
                 answers: Mapping[str, str]) -> list[tuple[Member, Member | None]]:
    """Each titular member who declined, with the substitute to convene instead (None if there is none)."""
    return [(m, substitute_of(m, committee, service)) for m in required
            if m.role != "suppleant" and answers.get(m.email.lower()) == DECLINED]


def expected(required: Sequence[Member], optional: Sequence[Member], answers: Mapping[str, str],
             replaced: Mapping[str, str]) -> list[Expected]:
    return [Expected(m, answers.get(m.email.lower(), NONE), replaced.get(m.email.lower(), ""))
            for m in [*required, *optional]]


def present_count(rows: Sequence[Expected]) -> int:
    """Seats filled: accepted titular members, plus substitutes who accepted for a titular who declined."""
    return sum(1 for r in rows if r.answer == ACCEPTED and _sits(r))


def _name(member: Member) -> str:
    # someone invited earlier and since removed from the register is known by the address only
    return member.full_name or member.email


def _sits(row: Expected) -> bool:
    # a substitute counts only when sitting for a titular member
    return row.member.role != "suppleant" or bool(row.replaces)


def summary(rows: Sequence[Expected], quorum: int | None) -> str:
    counts = {kind: sum(1 for r in rows if r.answer == kind) for kind in LABELS}
    parts = [french.plural(counts[ACCEPTED], "accepte", "acceptent"),
             french.plural(counts[DECLINED], "décline", "déclinent")]
    if counts[TENTATIVE]:
        parts.append(french.plural(counts[TENTATIVE], "provisoire", "provisoires"))
    parts.append(f"{counts[NONE]} sans réponse")
    declined = [_name(r.member) for r in rows if r.answer == DECLINED]
    text = "réponses : " + ", ".join(parts) + (f" (déclinent : {', '.join(declined)})" if declined else "")
    if quorum:
        reached = present_count(rows) >= quorum
        text += f" ; quorum {quorum} : {'atteint' if reached else 'non atteint pour l’instant'}"
    return text


def quorum_alert(label: str, session_date: date, today: date, rows: Sequence[Expected],
                 quorum: int | None) -> str | None:
    """The warning for the manager, two days before, when too few members said they will come."""
    if not quorum or not 0 <= (session_date - today).days <= QUORUM_WARNING_DAYS:
        return None
    present = present_count(rows)
    if present >= quorum:
        return None
    silent = [_name(r.member) for r in rows if r.answer in (NONE, TENTATIVE) and _sits(r)]
    confirmed = french.plural(present, "présence confirmée", "présences confirmées")
    return (f"{label} ({french.date_long(session_date)}) : quorum non atteint, {confirmed} "
            f"pour un quorum de {quorum}." + (f" Sans réponse ferme : {', '.join(silent)}." if silent else ""))
