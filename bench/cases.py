"""The cases of ``python -m bench``: one line of the table each, with the goal it is held to.

This module stays light (no project import): the parent process only orchestrates, so that its own memory
does not count in its children's peaks (Linux carries a parent's resident size into a child's ``ru_maxrss``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

WAYS = ("naif", "outil")
TODAY = date(2026, 11, 23)  # the day the generated services live on
# the scenarios with work before both ways (data to make) or after them (results to compare): a step has a
# child of its own (an interpreter and its imports, about half a second), the others start none for it
PREPARED = frozenset({"lecture", "tick", "rapport", "pdf", "suites", "cache"})
FINISHED = frozenset({"pdf", "suites", "cache"})


@dataclass(frozen=True)
class Measure:
    value: float
    unit: str  # "s", or "req." for requests
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    key: str
    scenario: str
    label: str  # French, the table's first column
    size: Any
    goal: str = ""  # French
    # (naive, tool, tool's peak memory in MB or None) -> goal met
    met: Callable[[Measure, Measure, float | None], bool] | None = None


def cases(quick: bool) -> list[Case]:
    reads, ticks = ((200, 2_000), (2_000,)) if quick else ((5_000, 50_000), (5_000, 50_000))
    count, pdfs, members = (20, 2, (1, 16)) if quick else (1_000, 100, (1, 4, 8, 16))
    decisions, outgoing = (20, 100) if quick else (200, 1_500)
    result = [Case(f"lecture-{n}", "lecture", f"lecture {number(n)} lignes × 20 colonnes", n,
                   "≥ 6× et ≤ 300 Mo" if n >= 50_000 else "",
                   lambda a, b, mb: a.value / b.value >= 6 and mb is not None and mb <= 300)
              for n in reads]
    result.append(Case(f"lecture-calamine-{reads[-1]}", "lecture",
                       f"lecture {number(reads[-1])} lignes : correspondance / calamine seul", reads[-1],
                       "≤ 2× calamine (rapport ≥ 0,5×)", lambda a, b, mb: b.value <= 2 * a.value))
    result += [Case(f"tick-{n}", "tick", f"tick à vide, registres de {number(n)} lignes", n, "≤ 0,2 s",
                    lambda a, b, mb: b.value <= 0.2) for n in ticks]
    result += [
        Case("courriers", "courriers", f"{number(count)} convocations (docx)", count, "≥ 5×",
             lambda a, b, mb: a.value / b.value >= 5),
        Case("pdf", "pdf", f"{number(pdfs)} documents en PDF", pdfs, "≥ 3×", lambda a, b, mb: a.value / b.value >= 3),
        Case("pdf-coeurs", "pdf", f"{number(pdfs)} documents en PDF, un LibreOffice par cœur", pdfs,
             "≥ 1,7× sur 2 cœurs", lambda a, b, mb: a.value / b.value >= 1.7),
        Case("exchange", "exchange", f"Exchange : requêtes par convocation ({members[0]} à {members[-1]} membres)",
             members, "≤ 4, constant", lambda a, b, mb: b.value <= 4 and b.extra["constant"]),
        Case("rapport", "rapport", f"rapport d'activité, 5 ans × {number(ticks[-1] // 5)} demandes", ticks[-1],
             "≤ 10 s et ≤ 1 Go", lambda a, b, mb: b.value <= 10 and mb is not None and mb <= 1024),
        Case("suites", "suites", f"reports des suites de {decisions} décisions", (decisions, outgoing)),
        Case("cache", "cache", f"lecture après une cellule changée, 5 ans × {number(ticks[-1] // 5)} demandes",
             ticks[-1], "≤ 0,5 s", lambda a, b, mb: b.value <= 0.5),
    ]
    return result


def number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")
