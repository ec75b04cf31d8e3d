"""A sheet's rows typed column by column, each distinct cell value of a column converted once.

A register of tens of thousands of rows repeats a handful of values down most of its columns (the
committee, the aid, the decision, the worker, the commune, the session's date): typing every cell
in turn would convert the same « Accord partiel » fifty thousand times. Here each column's distinct
values are converted once, then every row takes its value from that table. What comes out is what
typing row after row gives: the same values, and the same findings in the same order (row by row,
then in the mapping's order of fields).
"""

from __future__ import annotations

import contextlib
import gc
from itertools import compress, repeat
from operator import is_
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .findings import Finding, Severity
from .mapping import RegisterSpec
from ..addresses import PLAIN_ADDRESS
from .types import LONG_TEXT, ConversionError, EmailType, LineType, TextType, text_notice


@dataclass(frozen=True)
class FormulaError:
    """A formula whose value is unknown, which calamine hands over as an empty cell."""

    code: str  # the error as Excel shows it ("#REF!", "#N/A"...), or "" when the formula was never computed

    def __str__(self) -> str:
        return self.code

    @property
    def reason(self) -> str:
        if not self.code:
            # openpyxl, and so this tool's own write-back, saves formulas without their results
            return ("formule sans résultat enregistré (classeur enregistré par un programme qui ne calcule pas les "
                    "formules, ou par l'outil lors d'un report) : ouvrez-le dans Excel et enregistrez-le ; la ligne "
                    "est écartée")
        return (f"la formule de cette cellule donne une erreur ({self.code}) : corrigez-la dans le classeur ; "
                "la ligne est écartée")


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off meanwhile (a context or a decorator).

    Reading builds hundreds of thousands of objects that live on (records, their values): the collector,
    started again and again by their number, walks them all each time, for a third of the reading's time and
    half of a warm cache's, and finds nothing (they hold no cycle; reference counting frees the rest as usual).
    Afterwards the objects made meanwhile join the oldest generation at once, as the records would after
    surviving two collections: resumed as it was, the collector would otherwise walk them all at its very next
    allocation, and again a few collections later.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # freeze() moves every tracked object to the permanent generation and clears the young count;
            # unfreeze() hands them to the oldest one (both move lists, they walk no object)
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_blank(value: Any) -> bool:
    # formulas filled down below the data, never computed since openpyxl saved them, make no record
    return is_empty(value) or (isinstance(value, FormulaError) and not value.code)


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """How one field is read from a sheet: worked out once per sheet, used for every row."""

    name: str
    index: int | None  # None: the sheet has no such column
    convert: Callable[[Any], Any]
    required: bool
    default: Any
    column: str  # the header text named in findings
    constant: Any = None
    is_constant: bool = False
    kept_without: str = ""  # set: an unreadable cell is a warning saying so, and the row is read without it
    text: bool = False  # a text field: line breaks and invisible characters are looked for (text_notice)
    one_line: bool = False
    key: bool = False  # the field identifies the row (the mapping's key)
    plain_text: bool = False  # TextType or LineType itself: a short printable ASCII text reads as itself stripped
    address: bool = False  # EmailType: an address already as the tool writes it reads as itself


def plan_fields(spec: RegisterSpec, columns: dict[str, int], header_texts: dict[str, str]) -> list[FieldPlan]:
    return [FieldPlan(name, columns.get(name), fs.type.convert, fs.required, fs.default,
                      header_texts.get(name, fs.headers[0] if fs.headers else name), fs.value, fs.is_constant,
                      "" if fs.required else fs.type.kept_without, isinstance(fs.type, TextType),
                      isinstance(fs.type, LineType), name in spec.key, type(fs.type) in (TextType, LineType),
                      type(fs.type) is EmailType)
            for name, fs in spec.all_fields.items()]


# What a cell's raw value gives, when it is not simply its converted value: the finding's value, its reason
# and severity, and whether the row is left out.
@dataclass(frozen=True, slots=True)
class _Outcome:
    shown: Any
    reason: str
    severity: Severity
    leaves_out: bool


def typed_rows(fields: list[FieldPlan], rows: list[list[Any]], first: int, file: str, sheet: str,
               findings: list[Finding]) -> list[tuple[int, dict[str, Any]]]:
    """(0-based index, typed values) of each row from ``first`` on that is neither blank nor left out;
    the findings of every row not blank are added to ``findings``."""
    # the loops over rows here are map(), zip() and compress(): run in C, not once per cell in Python
    body = rows[first:]
    if not body:
        return []
    width = max(map(len, body))
    if min(map(len, body)) != width:
        body = [row + [None] * (width - len(row)) for row in body]
    count = len(body)
    transposed = list(zip(*body))
    raw_columns = {i: transposed[i] if i < width else (None,) * count
                   for i in sorted({f.index for f in fields if f.index is not None})}
    distinct = {i: set(column) for i, column in raw_columns.items()}
    kept = _not_blank(raw_columns, distinct, count)
    noted: list[tuple[int, int, Finding]] = []
    left_out: set[int] = set()
    value_columns: list[Any] = []
    for position, f in enumerate(fields):
        if f.is_constant:
            value_columns.append(repeat(f.constant, count))
            continue
        if f.index is None:
            column: tuple[Any, ...] = (None,) * count
            values, outcomes = _typed_column(f, column, {None})
        else:
            column = raw_columns[f.index]
            values, outcomes = _typed_column(f, column, distinct[f.index])
        value_columns.append(values)
        for index in _rows_with(outcomes, column, kept):
            raw = column[index]
            outcome = outcomes[_key(raw)]
            noted.append((index, position, Finding(file, sheet, first + index + 1, f.column, outcome.shown,
                                                   outcome.reason, outcome.severity)))
            if outcome.leaves_out:
                left_out.add(index)
    noted.sort(key=lambda item: (item[0], item[1]))
    findings.extend(finding for _, _, finding in noted)
    typed = zip(range(first, first + count), map(dict, map(zip, repeat([f.name for f in fields]), zip(*value_columns))))
    if left_out or not all(kept):
        for index in left_out:
            kept[index] = False
        typed = compress(typed, kept)
    return list(typed)


def _not_blank(raw_columns: dict[int, tuple[Any, ...]], distinct: dict[int, set[Any]], count: int) -> list[bool]:
    """Per row, whether one of the mapped cells holds something."""
    blanks: list[list[bool]] = []
    # the columns with the fewest values first: one without a blank shows at once that no row is blank
    for i in sorted(raw_columns, key=lambda i: len(distinct[i])):
        blank_values = {value for value in distinct[i] if is_blank(value)}
        if not blank_values:
            return [True] * count
        blanks.append(list(map(blank_values.__contains__, raw_columns[i])))
    if not blanks:
        return [False] * count
    return [not all(flags) for flags in zip(*blanks)]


# bool, int and float values compare equal across types (True == 1 == 1.0), while a converter may tell them
# apart: such values are looked up by (type, value)
_NUMBERS = frozenset((bool, int, float))


def _key(raw: Any) -> Any:
    return (raw.__class__, raw) if raw.__class__ in _NUMBERS else raw


def _rows_with(outcomes: dict[Any, _Outcome], column: tuple[Any, ...], kept: list[bool]) -> Iterable[int]:
    """The rows, not blank, whose cell has an outcome."""
    if not outcomes:
        return ()
    if any(key.__class__ is tuple for key in outcomes):  # a number: looked up under its type
        return [i for i, raw in enumerate(column) if kept[i] and _key(raw) in outcomes]
    # no number among them, and no number equals a key that is not one
    hits = compress(range(len(column)), map(outcomes.__contains__, column))
    return [i for i in hits if kept[i]]


def _typed_column(f: FieldPlan, column: tuple[Any, ...], distinct: set[Any]
                  ) -> tuple[Iterable[Any], dict[Any, _Outcome]]:
    """The column's typed values, and the outcome (under :func:`_key`) of each distinct raw value that is not
    just its value."""
    kinds = set(map(type, distinct))
    if len(distinct) == len(column) and kinds == {str} and f.plain_text and _plain(column):
        return map(str.strip, column), {}  # a value on every row, each once (a file number, an address)
    # the distinct values hold one of True, 1 and 1.0 for all three: the column's own types tell
    mixed = not _NUMBERS.isdisjoint(kinds) and len(_NUMBERS.intersection(map(type, column))) > 1
    if mixed:
        distinct = set(map(_key, column))
    table: dict[Any, Any] = {}
    outcomes: dict[Any, _Outcome] = {}
    if f.plain_text and not mixed:
        distinct = _plain_texts(distinct, table)
    elif f.address:
        plain = list(filter(PLAIN_ADDRESS.fullmatch, [value for value in distinct if value.__class__ is str]))
        table.update(zip(plain, plain))
        distinct = distinct.difference(plain)
    for key in distinct:
        raw = key[1] if mixed and key.__class__ is tuple else key
        table[key], outcome = _typed_cell(f, raw)
        if outcome is not None:
            outcomes[_key(raw)] = outcome
    if mixed:
        return map(table.__getitem__, map(_key, column)), outcomes
    if all(map(is_, table, table.values())):  # each value reads as itself (texts already trimmed, whole numbers)
        return column, outcomes
    return map(table.__getitem__, column), outcomes


def _plain(texts: Sequence[str]) -> bool:
    """Whether every one of ``texts`` is printable ASCII, not blank, and too short for a notice."""
    joined = "".join(texts)
    return bool(texts) and joined.isascii() and joined.isprintable() and all(map(str.strip, texts)) and (
        max(map(len, texts)) <= LONG_TEXT)


def _plain_texts(distinct: set[Any], table: dict[Any, Any]) -> set[Any] | list[Any]:
    """Of a text column's values, those TextType reads as themselves stripped, put in ``table`` at once
    (printable ASCII, not blank, too short for a notice: names, numbers, addresses); returns the others."""
    texts = [value for value in distinct if value.__class__ is str]
    if not _plain(texts):
        return distinct
    table.update(zip(texts, map(str.strip, texts)))
    return [value for value in distinct if value.__class__ is not str]


def _typed_cell(f: FieldPlan, raw: Any) -> tuple[Any, _Outcome | None]:
    """A cell's value as row-by-row typing gives it, and what else that typing says of it."""
    if raw.__class__ is FormulaError:
        return None, _Outcome(raw.code or None, raw.reason, Severity.ERROR, True)
    if raw is None or raw == "" or (raw.__class__ is str and raw.isspace()):
        if f.required:
            return f.default, _Outcome(None, "valeur obligatoire manquante", Severity.ERROR, True)
        return f.default, None
    try:
        value = f.convert(raw)
    except ConversionError as exc:
        if f.kept_without:
            return f.default, _Outcome(raw, f"{exc.reason} ; {f.kept_without}", Severity.WARNING, False)
        return None, _Outcome(raw, exc.reason, Severity.ERROR, True)
    if f.text and raw.__class__ is str and (len(raw) > LONG_TEXT or not raw.isprintable()):
        notice = text_notice(raw, value, one_line=f.one_line, key=f.key)
        if notice is not None:
            reason, leaves_out = notice
            return value, _Outcome(raw if leaves_out else value, reason,
                                   Severity.ERROR if leaves_out else Severity.WARNING, leaves_out)
    return value, None
