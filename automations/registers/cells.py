"""Put a value into a cell of a workbook the tool writes, text staying text.

A name, an address or a reference from the registers that begins like a
formula (``=``, ``+``, ``-``, ``@``) would be run by Excel when the file is
opened: it is stored as a text, with Excel's quote prefix so that editing the
cell keeps it one.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

FORMULA_MARKS = ("=", "+", "-", "@")
MAX_ROW = 1_048_576  # the last row of an Excel sheet: nothing can be added below it


def clean_text(value: str) -> str:
    """The text without the control characters the file format cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def put(cell: Cell, value: Any) -> Cell:
    """Store ``value`` in ``cell``; a text that looks like a formula stays a text."""
    if isinstance(value, str):
        value = clean_text(value)
        cell.value = value
        if value.startswith(FORMULA_MARKS):
            cell.data_type = "s"
            cell.quotePrefix = True
        return cell
    cell.value = value
    return cell
