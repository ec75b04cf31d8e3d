"""Read registers through their mapping with python-calamine.

Reading never fails as a whole for one bad row: each bad cell becomes a
:class:`Finding` and its row is left out of what the automations see.
"""

from __future__ import annotations

import fnmatch
import logging
import re
import stat
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Iterable
from itertools import repeat
from operator import attrgetter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from . import container
from .calamine_rows import sheet_rows
from .findings import Finding, Severity
from .read_cache import FileRead, ReadCache
from .cells import MAX_ROW
from .mapping import APPENDED_ROLES, LIST_ROLES, FieldSpec, Mapping, RegisterSpec
from .sheet_typing import FormulaError, collector_paused, is_blank, is_empty, plan_fields, typed_rows
from .types import ChoiceType, normalize_label, normalize_labels
from .sidecar import is_sidecar
from .unmatched import Unmatched, unmatched_fields
from .workbook_guard import LEGACY

_HEADER_SCAN_ROWS = 30
Cell = tuple[int, int]  # 0-based row and column
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    file: Path
    sheet: str
    row: int  # 1-based, as Excel shows it
    header_row: int


@dataclass(frozen=True)
class Record:
    role: str
    source: Source
    values: dict[str, Any]
    # (header text, raw value) of the key fields, so write-back can find the row again
    identity: tuple[tuple[str, Any], ...] = ()
    headers: dict[str, str] = field(default_factory=dict)  # field name -> header text in this sheet
    writable: frozenset[str] = frozenset()  # status fields the mapping lets the tool fill

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None else value


@dataclass(frozen=True)
class Layout:
    """Where a sheet of a register keeps its header: rows can be added to it even while it is empty."""

    file: Path
    sheet: str
    header_row: int  # 1-based
    headers: dict[str, str]  # field name -> header text


@dataclass
class Registers:
    records: dict[str, list[Record]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    layouts: dict[str, list[Layout]] = field(default_factory=dict)  # role -> sheets read
    unmatched: list[Unmatched] = field(default_factory=list)  # mapped headers no column of a sheet matched
    own_fields: dict[str, dict[str, FieldSpec]] = field(default_factory=dict)  # role -> the service's own columns
    # (role, field) -> canonical choice -> the service's own word for it (the first spelling the mapping lists)
    labels: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    specs: dict[str, RegisterSpec] = field(default_factory=dict)  # role -> its mapping
    role_files: dict[str, list[Path]] = field(default_factory=dict)  # role -> the workbooks read for it

    def of(self, role: str) -> list[Record]:
        return self.records.get(role, [])


@collector_paused()
def read_registers(mapping: Mapping, folder: Path, year: int | None = None,
                   cache: ReadCache | None = None) -> Registers:
    """``year``: today's; of a list kept in a workbook a year (members, rooms...), that year's copy is read.
    ``cache``: the workbooks unchanged since it stored them are not parsed again."""
    result = Registers(labels=choice_labels(mapping))
    for spec in mapping.registers.values():
        records, findings, files = read_register(spec, folder, result.layouts.setdefault(spec.role, []),
                                                 result.unmatched, year, cache)
        result.records[spec.role] = records
        result.specs[spec.role] = spec
        result.role_files[spec.role] = files
        result.own_fields[spec.role] = spec.own_fields
        result.findings.extend(findings)
        result.files.extend(f for f in files if f not in result.files)
    if cache is not None:
        cache.prune(mapping.registers)
    return result


def choice_labels(mapping: Mapping) -> dict[tuple[str, str], dict[str, str]]:
    """Each choice value as the service writes it: the first spelling listed for it in the mapping."""
    labels: dict[tuple[str, str], dict[str, str]] = {}
    for spec in mapping.registers.values():
        for name, field_spec in spec.fields.items():
            if isinstance(field_spec.type, ChoiceType):
                labels[(spec.role, name)] = {canonical: spelling for canonical in field_spec.type.choices
                                             if (spelling := field_spec.type.spelling(canonical))}
    return labels


def register_files(spec: RegisterSpec, folder: Path) -> list[Path]:
    return [path for path, problem in _matched(spec, folder) if problem is None]


def _matched(spec: RegisterSpec, folder: Path) -> list[tuple[Path, str | None]]:
    """Each path the patterns match, with why it is no workbook (a folder, a broken link...) or None."""
    found: dict[Path, str | None] = {}
    for pattern in spec.files:
        for path in sorted(folder.glob(pattern)):
            # Excel's owner files, our own temp files and sidecar workbooks are not registers
            if path.name.startswith(("~$", ".")) or is_sidecar(path) or path in found:
                continue
            found[path] = _not_a_workbook(path, pattern, spec)
    return list(found.items())


def _not_a_workbook(path: Path, pattern: str, spec: RegisterSpec) -> str | None:
    """Why a path matching a register's pattern cannot be read; None for a regular file (or a link to one)."""
    try:
        mode = path.stat().st_mode  # through a symbolic link: the workbook it points to
    except FileNotFoundError:
        what = "lien symbolique cassé (sa cible n'existe plus) : remettez le classeur à sa place ou supprimez le lien"
    except OSError as exc:
        what = f"fichier inaccessible ({exc.strerror or type(exc).__name__}) : vérifiez les droits du compte du service"
    else:
        if stat.S_ISREG(mode):
            return None
        if stat.S_ISDIR(mode):
            what = (f"dossier à la place du registre (le nom correspond à « {pattern} ») : remettez le classeur à sa "
                    "place ou renommez le dossier")
        else:
            what = "fichier spécial (tube ou prise réseau) à la place du registre : remettez le classeur à sa place"
    # the register's other workbooks are read: what this one holds is missing from the run, and it says so
    return f"{what} ; les autres classeurs du registre ne suffisent pas, ce qu'il contient n'est pas traité"


_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def _missing_years(spec: RegisterSpec, folder: Path, matched: list[Path]) -> list[Finding]:
    """A register kept one workbook a year, with a year missing between those read: said, never silently skipped."""
    years: set[int] = set()
    for path in matched:
        found = _YEAR.findall(path.name)
        if len(found) == 1:
            years.add(int(found[0]))
    if len(years) < 2:
        return []
    lacking = [y for y in range(min(years), max(years)) if y not in years]
    if not lacking or len(lacking) > 5:
        return []  # far apart: not one register kept a workbook a year
    shown = ", ".join(str(y) for y in lacking)
    return [Finding(str(folder), None, None, None, None,
                    f"registre des {spec.label} : aucun classeur pour {shown}, alors que ceux de {min(years)} et de "
                    f"{max(years)} sont lus : s'il a été déplacé ou renommé, remettez-le dans le dossier des "
                    "registres (ce qu'il contient n'est pas traité)")]


def _one_year(matched: list[tuple[Path, str | None]], year: int) -> list[tuple[Path, str | None]]:
    """Of a list kept in a workbook a year, the copy of ``year`` (else the latest before it, else the first):
    next year's workbook, made from this year's in the autumn, holds the same members and rooms, which read
    twice would be « saisie deux fois »."""
    years: dict[int, tuple[Path, str | None]] = {}
    for path, problem in matched:
        found = _YEAR.findall(path.name)
        if len(found) != 1 or int(found[0]) in years:
            return matched  # not a workbook a year: every file matched is read
        years[int(found[0])] = (path, problem)
    if len(years) < 2:
        return matched
    chosen = max((y for y in years if y <= year), default=min(years))
    return [years[chosen]]


@collector_paused()
def read_register(spec: RegisterSpec, folder: Path, layouts: list[Layout] | None = None,
                  unmatched: list[Unmatched] | None = None,
                  year: int | None = None,
                  cache: ReadCache | None = None) -> tuple[list[Record], list[Finding], list[Path]]:
    matched = _matched(spec, folder)
    if spec.role in LIST_ROLES and year is not None:
        matched = _one_year(matched, year)
    files = [path for path, problem in matched if problem is None]
    unreadable = [Finding(str(path), None, None, None, None, problem) for path, problem in matched if problem]
    if not files:
        patterns = ", ".join(f"« {p} »" for p in spec.files)
        return [], unreadable or [Finding(str(folder), None, None, None, None,
                                          f"registre des {spec.label} : aucun fichier ne correspond à {patterns} "
                                          f"dans ce dossier ({folder})")], []
    records: list[Record] = []
    findings: list[Finding] = unreadable + _missing_years(spec, folder, [path for path, _ in matched])
    for path in files:
        read = _read_file(spec, path) if cache is None else cache.read(spec, path, _read_file)
        records.extend(read.records)
        findings.extend(read.findings)
        if layouts is not None:
            layouts.extend(read.layouts)
        if unmatched is not None:
            unmatched.extend(read.unmatched)
    return _drop_duplicates(spec, records, findings), findings, files


def _read_file(spec: RegisterSpec, path: Path) -> FileRead:
    """One workbook of the register: what the cache keeps of it."""
    read = FileRead()
    for sheet_name, rows in _sheets(path, spec, read.findings):
        read.records.extend(_read_sheet(spec, path, sheet_name, rows, read.findings, read.layouts, read.unmatched))
    return read


def _sheets(path: Path, spec: RegisterSpec, findings: list[Finding]) -> Iterable[tuple[str, list[list[Any]]]]:
    refused = container.refusal(path)
    if refused is not None:
        findings.append(Finding(str(path), None, None, None, None, refused))
        return
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except PasswordError:
        findings.append(Finding(str(path), None, None, None, None, container.PASSWORD))
        return
    except (CalamineError, OSError, ValueError) as exc:
        log.debug("%s: %s", path.name, exc)  # calamine's English, for the administrator
        findings.append(Finding(str(path), None, None, None, None,
                                "fichier illisible (ce n'est pas un classeur Excel valide, ou il est abîmé) : "
                                "enregistrez-le de nouveau dans Excel"))
        return
    if path.suffix.lower() == ".xls" and any(fs.write_back for fs in spec.fields.values()):
        findings.append(Finding(str(path), None, None, None, None, LEGACY, Severity.WARNING))
    names = [n for n in workbook.sheet_names
             if any(fnmatch.fnmatch(n.casefold(), p.casefold()) for p in spec.sheets)]
    if not names:
        wanted = ", ".join(f"« {p} »" for p in spec.sheets)
        present = ", ".join(f"« {n} »" for n in workbook.sheet_names)
        findings.append(Finding(str(path), None, None, None, None,
                                f"aucune feuille ne correspond à {wanted} (feuilles présentes : {present})"))
        return
    # the formulas' errors are looked for in the sheets' XML meanwhile: calamine parses without holding the
    # interpreter, so on a second core the scan costs no time
    with ThreadPoolExecutor(max_workers=1) as pool:
        scans = pool.submit(lambda: {name: container.formula_problems(path, name) for name in names})
        yield from _parsed(path, workbook, names, scans, findings)


def _parsed(path: Path, workbook: CalamineWorkbook, names: list[str], scans: Future[dict[str, dict[Cell, str]]],
            findings: list[Finding]) -> Iterable[tuple[str, list[list[Any]]]]:
    for name in names:
        try:
            sheet = workbook.get_sheet_by_name(name)
            rows = sheet_rows(path, name, sheet)
            merged = sheet.merged_cell_ranges or []
        except (CalamineError, ValueError, OverflowError) as exc:
            log.debug("%s, %s: %s", path.name, name, exc)
            findings.append(Finding(str(path), name, None, None, None,
                                    "feuille illisible (contenu XML abîmé) : enregistrez de nouveau le "
                                    "classeur dans Excel"))
            continue
        _fill_merged(rows, merged)
        for (row, column), code in scans.result()[name].items():
            if row < len(rows) and column < len(rows[row]) and is_empty(rows[row][column]):
                rows[row][column] = FormulaError(code)
        yield name, rows


def _fill_merged(rows: list[list[Any]], ranges: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    # Staff merge a cell down the rows it applies to (one session date for several applications,
    # a header over two rows): each of those rows has its value, as a reader of the sheet sees it.
    # A merge across columns stays in its first column: the others are other fields.
    for (top, left), (bottom, _) in ranges:
        if top < len(rows) and left < len(rows[top]):
            for row in rows[top + 1:bottom + 1]:
                if left < len(row):
                    row[left] = rows[top][left]


def _match_columns(spec: RegisterSpec, header: list[Any]) -> dict[str, int]:
    labels = {normalize_label(str(v)): i for i, v in reversed(list(enumerate(header))) if not is_empty(v)}
    columns: dict[str, int] = {}
    for name, fs in spec.all_fields.items():
        for alias in fs.headers:
            index = labels.get(normalize_label(alias))
            if index is not None:
                columns[name] = index
                break
    return columns


def _find_header(spec: RegisterSpec, rows: list[list[Any]]) -> int | None:
    if spec.header_row is not None:
        return spec.header_row - 1 if spec.header_row <= len(rows) else None
    best, best_score = None, 0
    for index, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        score = len(_match_columns(spec, row))
        if score > best_score:
            best, best_score = index, score
    return best


def _read_sheet(spec: RegisterSpec, path: Path, sheet: str, rows: list[list[Any]], findings: list[Finding],
                layouts: list[Layout] | None = None, unmatched: list[Unmatched] | None = None) -> list[Record]:
    header_index = _find_header(spec, rows)
    where = (str(path), sheet)
    if header_index is None:
        searched = (f"à la ligne {spec.header_row}" if spec.header_row is not None
                    else f"dans les {_HEADER_SCAN_ROWS} premières lignes")
        findings.append(Finding(*where, spec.header_row, None, None,
                                f"ligne d'en-têtes introuvable {searched} : aucun des en-têtes attendus n'y figure"))
        return []
    header = rows[header_index]
    columns = _match_columns(spec, header)
    if unmatched is not None:
        unmatched.extend(unmatched_fields(spec, path, sheet, header_index + 1, header, columns))
    missing = [fs for name, fs in spec.all_fields.items() if name not in columns and not fs.is_constant]
    for fs in missing:
        expected = ", ".join(f"« {h} »" for h in fs.headers)
        if fs.required:
            findings.append(Finding(*where, header_index + 1, fs.headers[0], None,
                                    f"colonne obligatoire introuvable (en-têtes acceptés : {expected}) : "
                                    "la feuille n'est pas lue"))
        elif fs.write_back:
            findings.append(Finding(*where, header_index + 1, fs.headers[0], None,
                                    f"colonne de suivi introuvable (en-têtes acceptés : {expected}) : "
                                    "rien n'y sera reporté", Severity.WARNING))
    if any(fs.required for fs in missing):
        return []
    header_texts = {name: str(header[i]).strip() for name, i in columns.items()}
    if layouts is not None:
        layouts.append(Layout(path, sheet, header_index + 1, header_texts))
    if spec.role in APPENDED_ROLES and len(rows) == MAX_ROW:
        _no_room_below(spec, header, rows[-1], where, findings)
    fields = plan_fields(spec, columns, header_texts)
    key_columns = [(header_texts[n], columns[n]) for n in spec.key if n in columns]
    # openpyxl cannot write a legacy .xls: its status columns are left to staff (check says so)
    writable = frozenset(n for n, fs in spec.fields.items()
                         if fs.write_back and n in columns and path.suffix.lower() != ".xls")
    records: list[Record] = []
    # tens of thousands of records: each is given its attributes at once rather than through the frozen
    # dataclasses' __init__, one object.__setattr__ per field (a third of building them); the same objects
    new, role, header_row = object.__new__, spec.role, header_index + 1
    for index, values in typed_rows(fields, rows, header_index + 1, str(path), sheet, findings):
        row = rows[index]
        source = new(Source)
        source.__dict__.update(file=path, sheet=sheet, row=index + 1, header_row=header_row)
        record = new(Record)
        record.__dict__.update(role=role, source=source, values=values,
                               identity=tuple([(header, row[i] if i < len(row) else None) for header, i in key_columns]),
                               headers=header_texts, writable=writable)
        records.append(record)
    return records


def _no_room_below(spec: RegisterSpec, header: list[Any], last: list[Any], where: tuple[str, str],
                   findings: list[Finding]) -> None:
    """A value on Excel's last row, in the register's columns: the rows the tool adds have nowhere to go
    (the write-back puts them under the last row holding a value in those columns)."""
    for index, value in enumerate(last):
        if index < len(header) and not is_empty(header[index]) and not is_blank(value):
            findings.append(Finding(*where, MAX_ROW, str(header[index]).strip(), value,
                                    "la dernière ligne d'une feuille Excel est occupée : l'outil ne peut plus "
                                    f"ajouter de ligne à ce registre ({spec.label}) ; effacez cette cellule "
                                    "(Ctrl+Fin y mène)"))
            return


def _drop_duplicates(spec: RegisterSpec, records: list[Record], findings: list[Finding]) -> list[Record]:
    if not spec.key:
        return records
    values = list(map(attrgetter("values"), records))
    keys = list(zip(*(_key_parts(list(map(dict.get, values, repeat(name)))) for name in spec.key)))
    if len(set(keys)) == len(keys):  # the usual register: no row twice, nothing to look at one by one
        return records
    seen: dict[tuple[Any, ...], Record] = {}
    kept: list[Record] = []
    for record, key in zip(records, keys):
        first = seen.get(key)
        if first is None:
            seen[key] = record
            kept.append(record)
            continue
        place = f"ligne {first.source.row}"
        if first.source.file != record.source.file or first.source.sheet != record.source.sheet:
            place += f" de « {first.source.file.name} », feuille « {first.source.sheet} »"
        if first.values == record.values:
            reason = f"ligne saisie deux fois : identique à la {place} ; cette ligne est ignorée"
        else:
            labels = ", ".join(record.headers.get(n, n) for n in spec.key)
            reason = f"doublon : même {labels} qu'à la {place} ; cette ligne est ignorée"
        column = record.headers.get(spec.key[0])
        findings.append(Finding(str(record.source.file), record.source.sheet, record.source.row,
                                column, record.values.get(spec.key[0]), reason))
    return kept


def _key_parts(values: list[Any]) -> list[Any]:
    """Each value of a key column as rows are told apart: texts by :func:`normalize_label`."""
    if all(value.__class__ is str for value in values):
        return normalize_labels(values)
    return [normalize_label(value) if isinstance(value, str) else value for value in values]
