"""A workbook's sheets as tables: the header row found under title and blank rows, and each column's values."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from ..registers import container
from ..registers.calamine_rows import sheet_rows
from .vocabulary import INDEX, canonical

log = logging.getLogger(__name__)
_SCAN_ROWS = 30  # as the reader's "auto" header row
_SAMPLE_ROWS = 2000  # values looked at per column: enough to see every choice a register uses


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    values: tuple[Any, ...]  # the non-empty cells under the header

    @property
    def texts(self) -> list[str]:
        return [str(v).strip() for v in self.values]


@dataclass
class Table:
    file: Path
    sheet: str
    header_row: int  # 1-based, as Excel shows it
    columns: list[Column] = field(default_factory=list)
    guessed: bool = False  # no known header on any row: the first well-filled row was taken


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header_index(rows: list[list[Any]]) -> tuple[int | None, bool]:
    """The 0-based header row: the one naming most known headers in the first rows; else the first row of
    three texts or more (guessed: True); None for an empty sheet."""
    best, best_score = None, 0
    for index, row in enumerate(rows[:_SCAN_ROWS]):
        labels = {canonical(v) for v in row if isinstance(v, str) and v.strip()}
        score = sum(1 for label in labels if label in INDEX)
        if score > best_score:
            best, best_score = index, score
    if best is not None and best_score >= 2:
        return best, False
    for index, row in enumerate(rows[:_SCAN_ROWS]):
        if sum(1 for v in row if isinstance(v, str) and v.strip()) >= 3:
            return index, True
    return None, False


def tables(path: Path, problems: list[str]) -> list[Table]:
    """Every sheet of the workbook with a header row; why a workbook or sheet cannot be read goes to problems."""
    refused = container.refusal(path)
    if refused is not None:
        problems.append(f"« {path.name} » : {refused}")
        return []
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except PasswordError:
        problems.append(f"« {path.name} » : {container.PASSWORD}")
        return []
    except (CalamineError, OSError, ValueError) as exc:
        log.debug("%s: %s", path.name, exc)
        problems.append(f"« {path.name} » : fichier illisible (ce n'est pas un classeur Excel valide, ou il est "
                        "abîmé) ; il n'est pas décrit")
        return []
    found: list[Table] = []
    for name in workbook.sheet_names:
        try:
            rows = sheet_rows(path, name, workbook.get_sheet_by_name(name))
        except (CalamineError, ValueError, OverflowError) as exc:
            log.debug("%s, %s: %s", path.name, name, exc)
            problems.append(f"« {path.name} », feuille « {name} » : feuille illisible ; elle n'est pas décrite")
            continue
        index, guessed = header_index(rows)
        if index is None:
            continue
        header = rows[index]
        body = rows[index + 1:index + 1 + _SAMPLE_ROWS]
        columns = [Column(i, str(h).strip(), tuple(r[i] for r in body if i < len(r) and not _empty(r[i])))
                   for i, h in enumerate(header) if not _empty(h)]
        found.append(Table(path, name, index + 1, columns, guessed))
    return found
