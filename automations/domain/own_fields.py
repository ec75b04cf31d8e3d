"""A service's own columns (``[registers.<role>.own_fields]``), as the documents print them.

The tool computes nothing from these columns: each value is read with its declared type and handed to the
templates as French text (``own.quartier``), so that staff can print it without any code being written.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from babel.numbers import format_decimal

from .. import french
from ..registers.mapping import FieldSpec
from ..registers.reader import Record
from ..registers.types import AmountType, ChoiceType

# What a template reads for a cell left empty: a test ``{% if a.own.quartier %}`` stays false.
EMPTY = ""


def own_values(record: Record | None, specs: dict[str, FieldSpec]) -> dict[str, str]:
    """Every declared own field of the record's register, by name, in French (empty when the cell is)."""
    if record is None:
        return {name: EMPTY for name in specs}
    return {name: shown(record.values.get(name), spec) for name, spec in specs.items()}


def shown(value: Any, spec: FieldSpec) -> str:
    """``8 janvier 2026``, ``12 000 F CFP``, ``8 h 30``, ``oui``, a choice as the service writes it."""
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, date):
        return french.date_medium(value)
    if isinstance(value, time):
        return french.time_fr(value)
    if isinstance(spec.type, AmountType):
        return french.amount_xpf(value)
    if isinstance(spec.type, ChoiceType):
        return spec.type.spelling(value) or value
    if isinstance(value, (int, float)):
        # thousands apart and a decimal comma, with ordinary spaces (typography adds its own in documents)
        grouped = format_decimal(value, format="#,##0.##", locale=french.LOCALE)
        return grouped.replace("\u202f", " ").replace("\xa0", " ")
    return str(value)


def sample_values(specs: dict[str, FieldSpec]) -> dict[str, str]:
    """A value for each declared own field, for ``check`` to read templates against."""
    return {name: f"({name})" for name in specs}
