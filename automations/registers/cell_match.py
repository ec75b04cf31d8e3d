"""Whether a value read from a register is the value a write expects to find there.

A record is found again by the values it was read with; between the read and
the write another reader (or a save by Excel) may show the same value
differently: a date as text, a number as 12.0, spaces doubled.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from typing import Any

from .types import normalize_label

_TEXT_DATES = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S")


def canonical(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None  # calamine reads an empty cell as "", openpyxl as None
    if isinstance(value, datetime):
        # two readers may round a day fraction differently below the second
        rounded = (value + timedelta(microseconds=500_000)).replace(microsecond=0, tzinfo=None)
        return rounded.date() if rounded.time() == time() else rounded
    if isinstance(value, time):
        return value.replace(microsecond=0, tzinfo=None)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = " ".join(value.split())
        for pattern in _TEXT_DATES:
            try:
                return canonical(datetime.strptime(text, pattern))
            except ValueError:
                pass
        return normalize_label(text)
    return value


def same(expected: Any, actual: Any) -> bool:
    a, b = canonical(expected), canonical(actual)
    if isinstance(a, date) and isinstance(b, date) and isinstance(a, datetime) != isinstance(b, datetime):
        # a day typed without a time and the same day with one are the same record
        return (a.date() if isinstance(a, datetime) else a) == (b.date() if isinstance(b, datetime) else b)
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-9)
    return bool(a == b)


def show(value: Any) -> str:
    if isinstance(value, date):
        with_time = isinstance(value, datetime) and value.time() != time()
        return value.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")
    return "(vide)" if value is None or value == "" else str(value)
