"""What a column's values are, as staff type them: dates as text « 08.01.2026 », amounts « 12 000 XPF »..."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..registers.types import ConversionError, make_type, normalize_label

_MONEY_WORDS = re.compile(r"\b(montant|somme|prix|cout|total|xpf|cfp|budget|aide accordee)\b")
_MONEY_TEXT = re.compile(r"(xpf|cfp|\bf\b|francs?)\s*\.?$")
_BOOL_TEXTS = {"oui", "non", "x", "vrai", "faux", "o", "n"}


def share_read(type_name: str, values: Sequence[Any]) -> tuple[float, list[Any]]:
    """The share of values the field type reads, and those it refuses."""
    if not values:
        return 1.0, []
    kind = make_type(type_name, None)
    refused = []
    for value in values:
        try:
            kind.convert(value)
        except ConversionError:
            refused.append(value)
    return 1 - len(refused) / len(values), refused


def guess_type(header: str, values: Sequence[Any]) -> str:
    """The type of a column the tool has no field for, from what it holds (and a money word in its header)."""
    if not values:
        return "text"
    texts = [normalize_label(str(v)) for v in values]
    if all(isinstance(v, str) and "@" in v for v in values):
        return "email"
    if all(t in _BOOL_TEXTS for t in texts) or all(isinstance(v, bool) for v in values):
        return "bool"
    money = bool(_MONEY_WORDS.search(normalize_label(header))) or \
        sum(1 for t in texts if _MONEY_TEXT.search(t) and any(c.isdigit() for c in t)) > len(texts) / 2
    order = ("amount",) if money else ()
    # numbers before dates and times: a column of 1, 2, 3 is a count, not Excel day numbers nor hours
    for name in order + ("integer", "number", "date", "time"):
        share, _ = share_read(name, values)
        if share == 1.0:
            return name
    return "text"
