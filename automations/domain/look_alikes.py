"""Register values that differ only where the tool's keys do not look: both rows are held back.

The journal keys an action by a slug of register values (``letter/del-2026-0012/…``): « DEL 2026/0012 »
and « DEL-2026-0012 » give the same one. Two such rows would pass for one dossier: the second letter taken
for sent, or for a correction of the first. Until staff tell them apart, neither row is acted on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..engine.actions import slug
from ..registers.findings import Finding
from ..registers.reader import Record
from ..registers.types import normalize_label

T = TypeVar("T")


def without_look_alikes(items: list[T], record_of: Callable[[T], Record | None], field_name: str,
                        what: str, findings: list[Finding], scope: Callable[[T], object] | None = None) -> list[T]:
    """``items`` but those whose ``field_name`` shares its slug with a different value; a finding for each.

    ``what`` names the value in French (« numéro », « fournisseur »); ``scope`` gives what else the key
    holds, when two look-alikes only clash within it (the day of a session).
    """
    by_slug: dict[tuple[object, str], list[tuple[T, Record]]] = {}
    for item in items:
        record = record_of(item)
        value = record.get(field_name) if record is not None else None
        if record is not None and isinstance(value, str) and slug(value):
            by_slug.setdefault((scope(item) if scope else None, slug(value)), []).append((item, record))
    held: set[int] = set()
    for group in by_slug.values():
        spellings = {normalize_label(r.get(field_name)): r for _, r in group}  # first row of each spelling
        if len(spellings) < 2:
            continue  # one value, however many rows: the same dossier or supplier each time
        for item, record in group:
            held.add(id(item))
            findings.append(_finding(record, field_name, what, [r for r in spellings.values()
                                                                if normalize_label(r.get(field_name))
                                                                != normalize_label(record.get(field_name))]))
    return [item for item in items if id(item) not in held]


def _finding(record: Record, field_name: str, what: str, others: list[Record]) -> Finding:
    src = record.source
    places = ", ".join(f"{_place(other, record)} (« {other.get(field_name)} »)" for other in others)
    reason = (f"même {what} que {places} aux espaces, à la ponctuation ou aux majuscules près : l'outil ne les "
              "distingue pas ; écrivez-les de la même façon s'il s'agit du même, sinon distinguez-les ; rien ne "
              "part pour ces lignes d'ici là")
    return Finding(str(src.file), src.sheet, src.row, record.headers.get(field_name, field_name),
                   record.get(field_name), reason)


def _place(other: Record, record: Record) -> str:
    place = f"la ligne {other.source.row}"
    if other.source.file != record.source.file or other.source.sheet != record.source.sheet:
        place += f" de « {other.source.file.name} », feuille « {other.source.sheet} »"
    return place
