"""The year's envelope per scheme against what the commissions have granted.

What is committed is the sum of the amounts granted (accords, partial
accords) by the sessions of the year, read from the applications register.
A session whose accords would take a scheme past its envelope is reported
before its letters leave.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..domain.decisions import DecisionGroup, granted
from .. import french
from ..registers.types import normalize_label


@dataclass(frozen=True)
class SchemeBudget:
    year: int
    scheme: str
    envelope: int
    committed: int

    @property
    def left(self) -> int:
        return self.envelope - self.committed

    def line(self) -> str:
        share = f" ({round(100 * self.committed / self.envelope)} %)" if self.envelope else ""
        left = (f"reste {french.amount_xpf(self.left)}" if self.left >= 0
                else f"dépassement de {french.amount_xpf(-self.left)}")
        return (f"Budget {self.year} – {self.scheme} : {french.amount_xpf(self.committed)} engagés sur "
                f"{french.amount_xpf(self.envelope)}{share}, {left}")


def committed(groups: Iterable[DecisionGroup], year: int) -> dict[str, int]:
    """Normalized scheme -> amount granted by the year's sessions."""
    totals: dict[str, int] = {}
    for group in groups:
        if group.date.year != year:
            continue
        for application in group.decided:
            scheme = normalize_label(group.scheme_of(application))
            totals[scheme] = totals.get(scheme, 0) + granted(application)
    return totals


def usage(groups: list[DecisionGroup], envelopes: dict[int, dict[str, int]], year: int) -> list[SchemeBudget]:
    totals = committed(groups, year)
    return [SchemeBudget(year, scheme, envelope, totals.get(normalize_label(scheme), 0))
            for scheme, envelope in envelopes.get(year, {}).items()]


def overruns(groups: list[DecisionGroup], envelopes: dict[int, dict[str, int]],
             pending: set[str]) -> list[str]:
    """French warnings for the sessions in ``pending`` (natural keys) whose accords exceed an envelope."""
    warnings: list[str] = []
    running: dict[tuple[int, str], int] = {}
    for group in groups:  # oldest first: a session is judged on what was granted before it
        year_envelopes = {normalize_label(s): (s, amount) for s, amount in envelopes.get(group.date.year, {}).items()}
        this: dict[str, int] = {}
        for application in group.decided:
            scheme = normalize_label(group.scheme_of(application))
            this[scheme] = this.get(scheme, 0) + granted(application)
        for scheme, amount in this.items():
            before = running.get((group.date.year, scheme), 0)
            running[(group.date.year, scheme)] = before + amount
            if scheme not in year_envelopes or group.natural not in pending or amount == 0:
                continue
            label, envelope = year_envelopes[scheme]
            if before + amount > envelope:
                warnings.append(
                    f"{group.label} : les accords du dispositif « {label} » ({french.amount_xpf(amount)}) "
                    f"portent l'engagé {group.date.year} à {french.amount_xpf(before + amount)} pour une enveloppe "
                    f"de {french.amount_xpf(envelope)}, soit un dépassement de "
                    f"{french.amount_xpf(before + amount - envelope)}.")
    return warnings
