"""Which register a sheet is, and which column gives which field: headers from the vocabulary, values that fit."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from ..registers.field_catalog import field_type
from ..registers.mapping import ROLE_CHOICES
from .choices import propose
from .header_rows import Column, Table
from .values import share_read
from .vocabulary import INDEX, KNOWN, SHEET_WORDS, canonical, sheet_words

_FUZZY = 0.86  # difflib ratio above which a header is taken for a known one, with a question
_SHEET_BONUS = 1.5
_MIN_SCORE = 2.0



@dataclass(frozen=True)
class FieldMatch:
    name: str
    column: Column
    exact: bool  # False: the header is only close to a known one


@dataclass
class Recognised:
    table: Table
    role: str
    score: float
    fields: dict[str, FieldMatch] = field(default_factory=dict)
    own: list[Column] = field(default_factory=list)  # columns the tool has no field for
    # (column, field) where the header names a field another column already gives: kept as the service's own
    again: list[tuple[Column, str]] = field(default_factory=list)


def _candidates(role: str, column: Column) -> list[tuple[str, bool]]:
    label = canonical(column.header)
    names = INDEX.get(label, {}).get(role)
    if names:
        exact = [(n, True) for n in names]
    else:
        known = KNOWN[role]
        close = difflib.get_close_matches(label, list(known), n=2, cutoff=_FUZZY) if label else []
        # a known header and more words after it (« Objet du courrier »): the longest known beginning
        words = label.split()
        starts = sorted((k for k in known if len(k) >= 4 and words[:len(k.split())] == k.split()), key=len,
                        reverse=True)
        exact = [(known[c], False) for c in dict.fromkeys(close + starts[:1])]
    # a choice field first: its values decide whether « Qualité » holds roles or functions
    return sorted(exact, key=lambda c: field_type(role, c[0]) != "choice")


def fits(role: str, name: str, column: Column) -> bool:
    """The column's values are what the field holds: most read as its type, a choice's values have a meaning."""
    kind = field_type(role, name)
    if kind == "choice":
        if (role, name) not in ROLE_CHOICES:
            return True
        return propose(role, name, column.values).recognised_share() >= 0.5
    if kind in ("text", "bool"):
        return True
    share, _ = share_read(kind, column.values[:200])
    return share >= 0.5


def match(table: Table, role: str) -> Recognised:
    found = Recognised(table, role, 0.0)
    for column in table.columns:
        candidates = _candidates(role, column)
        for name, exact in candidates:
            if name not in found.fields and fits(role, name, column):
                found.fields[name] = FieldMatch(name, column, exact)
                found.score += 1.0 if exact else 0.5
                break
        else:
            found.own.append(column)
            found.again += [(column, name) for name, exact in candidates[:1] if exact and name in found.fields]
    words = sheet_words(table.sheet)
    if words & set(SHEET_WORDS[role]):
        found.score += _SHEET_BONUS
    return found


def recognise(table: Table) -> Recognised | None:
    """The role the sheet fits best, or None when no role has enough of its headers."""
    best: Recognised | None = None
    for role in KNOWN:
        candidate = match(table, role)
        if best is None or candidate.score > best.score:
            best = candidate
    if best is None or best.score < _MIN_SCORE or not best.fields:
        return None
    return best
