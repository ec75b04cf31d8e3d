"""The service's own words for the choices the tool knows: a decision, a session's status, a member's role.

The code plans with canonical values (``accord``, ``annulee``, ``suppleant``); what a reader sees is the
word the service writes in its registers, the first spelling the mapping lists for that value, or the
tool's word when the mapping gives none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DECISION = ("applications", "decision")
STATUS = ("sessions", "status")
ROLE = ("members", "role")

TOOL_WORDS: dict[tuple[str, str], dict[str, str]] = {
    DECISION: {"accord": "Accord", "accord_partiel": "Accord partiel", "refus": "Refus", "ajourne": "Ajourné"},
    STATUS: {"prevue": "Prévue", "tenue": "Tenue", "annulee": "Annulée", "reportee": "Reportée"},
    ROLE: {"titulaire": "Titulaire", "suppleant": "Suppléant"},
}

UNDECIDED = "Non statué"


@dataclass(frozen=True)
class Words:
    # (role, field) -> canonical value -> the service's word, as read from the mapping
    given: Mapping[tuple[str, str], Mapping[str, str]] = field(default_factory=dict)

    def label(self, field_key: tuple[str, str], value: str | None, missing: str = "") -> str:
        if not value:
            return missing
        return self.given.get(field_key, {}).get(value) or TOOL_WORDS.get(field_key, {}).get(value, value)

    def decision(self, value: str | None) -> str:
        return self.label(DECISION, value, UNDECIDED)

    def status(self, value: str | None) -> str:
        return self.label(STATUS, value)

    def role(self, value: str | None) -> str:
        return self.label(ROLE, value or "titulaire")

    def decisions(self) -> dict[str, str]:
        """Every decision the tool knows, in its order, in the service's words."""
        return {value: self.decision(value) for value in TOOL_WORDS[DECISION]}
