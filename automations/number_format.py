"""Yearly numbers as staff write them (``BA-2026-0001``, ``D2026-0042``): formatted and read back."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import cached_property


def number_format_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot number documents, in French; None when it can."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None]
    except ValueError:
        return f"modèle de numéro illisible « {pattern} » (exemple : \"BA-{{year}}-{{seq:04d}}\")"
    if sorted(fields) != ["seq", "year"]:
        return (f"le modèle de numéro « {pattern} » doit contenir {{year}} et {{seq}} une fois chacun "
                "(exemple : \"BA-{year}-{seq:04d}\")")
    try:
        pattern.format(year=2026, seq=1)
    except (ValueError, IndexError):
        return f"modèle de numéro illisible « {pattern} » (exemple : \"BA-{{year}}-{{seq:04d}}\")"
    return None


@dataclass(frozen=True)
class NumberFormat:
    pattern: str  # e.g. "BA-{year}-{seq:04d}"

    def format(self, year: int, seq: int) -> str:
        return self.pattern.format(year=year, seq=seq)

    @cached_property
    def _regex(self) -> re.Pattern[str]:
        parts = []
        for literal, name, _, _ in string.Formatter().parse(self.pattern):
            parts.append(re.escape(literal))
            if name == "year":
                parts.append(r"(?P<year>\d{4})")
            elif name == "seq":
                parts.append(r"(?P<seq>\d+)")
        return re.compile("".join(parts) + r"$", re.IGNORECASE)

    def parse(self, text: object) -> tuple[int, int] | None:
        """``(year, seq)`` of a number written in a register, or None when it is not one of ours."""
        found = self._regex.match(" ".join(str(text).split())) if text is not None else None
        return (int(found["year"]), int(found["seq"])) if found else None
