"""What a register file holds, looked at before any parser opens it.

calamine and openpyxl describe a bad file in English, or not at all: an empty
file, a web page or a CSV export renamed ``.xlsx``, a workbook encrypted with a
password, a legacy ``.xls`` under a ``.xlsx`` name, a copy cut short. A small
archive may also inflate to gigabytes (a zip bomb), hold too many parts, nest
its XML too deep or carry XML entity declarations, which no Excel workbook
holds: ``archive_guard`` (shared with the Word templates) says which. Each gets
one French reason, and the file is not parsed.

calamine also reads a cell holding a formula error (``#REF!``, ``#N/A``...), or
a formula no spreadsheet computed, as an empty cell: :func:`formula_problems`
finds them in the sheet's XML. And it stops on a sheet where a cell formatted as
a date or a duration holds a number no date can be (a billion hours, -1e12):
:func:`plain_numbers_copy` gives a copy of the workbook where such cells lose
their format, so that calamine reads them as the numbers they are and the
column's type refuses them with a finding.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

import olefile
from defusedxml import ElementTree as SafeTree
from openpyxl.utils.cell import column_index_from_string

from .. import archive_guard
from ..archive_guard import size_text

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# A register of 50,000 applications is some 60 MB of sheet XML; calamine needs about
# twice a part's size in memory, Python as much again for the rows.
MAX_PART_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
# Parts up to 8 MB (shared strings, styles, small sheets) are inflated as a stream to prove their real size
# and nesting; the big sheets are read by calamine, which follows no nesting and stops at the declared size.
LIMITS = archive_guard.Limits(part=MAX_PART_BYTES, total=MAX_TOTAL_BYTES, entries=10_000, ratio=500,
                              stream=8 * 1024 * 1024)
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"

PASSWORD = ("fichier illisible (classeur protégé par un mot de passe à l'ouverture) : enregistrez-le sans mot de "
            "passe (Fichier > Informations > Protéger le classeur > Chiffrer avec mot de passe)")
_RESAVE = "ouvrez-le dans Excel et enregistrez-le au format « Classeur Excel (*.xlsx) »"
DAMAGED = ("fichier illisible (classeur abîmé ou incomplet : copie interrompue ?) : remettez-le depuis une "
           "sauvegarde, ou enregistrez-le de nouveau dans Excel")


_verdicts = archive_guard.Verdicts(256)


def refusal(path: Path) -> str | None:
    """Why ``path`` must not be parsed, in French; None when it may be."""
    try:
        return _verdicts.of(path, _refusal)
    except OSError as exc:
        return f"fichier illisible ({exc.strerror or type(exc).__name__})"


def _refusal(path: Path) -> str | None:
    try:
        with open(path, "rb") as stream:
            head = stream.read(len(OLE_MAGIC))
    except OSError as exc:
        return f"fichier illisible ({exc.strerror or type(exc).__name__})"
    suffix = path.suffix.lower()
    if not head:
        return "fichier illisible (fichier vide, 0 octet : sa copie a échoué ?) : remettez-le depuis une sauvegarde"
    if head == OLE_MAGIC:
        if _encrypted(path):
            return PASSWORD
        if suffix != ".xls":
            return (f"fichier illisible (classeur Excel 97-2003 enregistré sous l'extension « {path.suffix} ») : "
                    f"{_RESAVE}")
        return None  # a legacy workbook calamine reads
    if suffix in (".csv", ".txt"):
        return (f"fichier illisible (fichier texte CSV, pas un classeur Excel) : {_RESAVE}, "
                "ou corrigez les fichiers de la correspondance")
    if not head.startswith(ZIP_MAGIC):
        if head.lstrip()[:1] == b"<" or head.startswith(b"\xef\xbb\xbf"):
            return f"fichier illisible (page web ou texte, pas un classeur Excel : un export renommé ?) : {_RESAVE}"
        return f"fichier illisible (contenu non reconnu, ce n'est pas un classeur Excel) : {_RESAVE}"
    return _archive_problem(path)


def _encrypted(path: Path) -> bool:
    # Excel's encryption wraps the whole .xlsx in an OLE2 container ("EncryptedPackage")
    try:
        with olefile.OleFileIO(str(path)) as ole:
            return bool(ole.exists("EncryptedPackage"))
    except (OSError, ValueError):
        return False


def _archive_problem(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            if not any(i.filename.startswith("xl/") for i in archive.infolist()):
                return f"fichier illisible (archive zip qui n'est pas un classeur Excel) : {_RESAVE}"
            problem = archive_guard.inspect(archive, LIMITS)
            if problem is None:
                return None
            if problem.kind == "size":
                return _too_big(archive, problem.part, problem.size)
            if problem.kind == "damaged":
                return DAMAGED
            if problem.kind == "entities":
                return ("classeur refusé (XML avec des déclarations d'entités, ce qu'aucun classeur Excel ne "
                        "contient) : fichier piégé ou abîmé, il n'est pas lu")
            return f"classeur refusé ({problem.reason}) : archive piégée ou abîmée, il n'est pas lu"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        return DAMAGED


def _too_big(archive: zipfile.ZipFile, part: zipfile.ZipInfo | None, total: int) -> str:
    if part is None:
        what, size = "l'ensemble du classeur", total
    else:
        names = {p: n for n, p in sheet_parts(archive).items()}
        name = names.get(part.filename)
        what = f"la feuille « {name} »" if name else f"la partie « {part.filename} »"
        size = part.file_size
    return (f"classeur refusé ({what} ferait {size_text(size)} une fois décompressée, au plus "
            f"{size_text(MAX_PART_BYTES)} par feuille) : archive piégée ou feuille démesurée (des centaines de "
            "milliers de lignes), il n'est pas lu")


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip part holding it; empty when the workbook's own parts cannot say."""
    try:
        names = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
        if any(archive.getinfo(n).file_size > MAX_PART_BYTES for n in names):
            return {}
        workbook = SafeTree.fromstring(archive.read("xl/workbook.xml"))
        rels = SafeTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, SafeTree.ParseError, ValueError, zipfile.BadZipFile):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(_PACKAGE_REL)}
    parts: dict[str, str] = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(_REL))
        if target:
            parts[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join("xl", target))
    return parts


def formula_problems(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """Cells of ``sheet`` whose formula gives an error, 0-based (row, column) -> the error as Excel shows it
    (``#REF!``...), or "" for a formula never computed (saved by a program, openpyxl included, not by Excel)."""
    found = _scan(path, sheet, _MARKERS, every_formula=False)
    return {cell: code for cell, code in found.items() if code is not None}


def formula_cells(path: Path, sheet: str) -> dict[tuple[int, int], str | None]:
    """Every formula cell of ``sheet`` (and every error cell), 0-based (row, column) -> None when Excel computed
    it, else as :func:`formula_problems` says."""
    return _scan(path, sheet, _FORMULA_MARKERS, every_formula=True)


def _scan(path: Path, sheet: str, markers: tuple[bytes, ...], every_formula: bool
          ) -> dict[tuple[int, int], str | None]:
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xltx", ".xltm"):
        return {}  # a legacy .xls keeps its errors in binary records calamine does not hand over
    try:
        with zipfile.ZipFile(path) as archive:
            part = sheet_parts(archive).get(sheet)
            if part is None or not _mentions(archive, part, markers):
                return {}
            return _problems(archive, part, every_formula)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return {}  # calamine read this sheet: whatever stops this scan leaves its values as read


# an error cell; a formula with an empty or no cached value (openpyxl writes "<v></v>", others nothing)
_MARKERS = (b't="e"', b"<v></v>", b"<v/>", b"<v />", b"</f></c>", b"/></c>")
# any formula, in the default namespace or under a prefix
_FORMULA_MARKERS = (b't="e"', b"<f>", b"<f ", b"<f/>", b":f>", b":f ", b":f/>")
# A cell holding a formula, and its cached value when it has one; then a cell typed as an error. Matched on the
# bytes (an XML parser would build every cell of a long register: 20 s for 200,000 rows of formulas): in a
# sheet's XML a "<" only ever opens a tag, and a formula's text or a value holds none.
_FORMULA_CELL = re.compile(rb'<((?:[\w.-]+:)?)c\b(?:\s+r="([A-Z]{1,3})(\d+)")?([^>]*)>\s*<\1f\b[^>]*?'
                           rb'(?:/>|>[^<]*</\1f\s*>)\s*(?:<\1v\s*>([^<]*)</\1v\s*>)?')
_ERROR_CELL = re.compile(rb'<((?:[\w.-]+:)?)c\b([^>]*\st\s*=\s*"e"[^>]*)>\s*<\1v\s*>([^<]*)</\1v\s*>')
_REF = re.compile(rb'\sr\s*=\s*"([A-Z]{1,3})(\d+)"')
_KIND = re.compile(rb'\st\s*=\s*"(\w+)"')
_ROW_END = re.compile(rb"</(?:[\w.-]+:)?row\s*>")


def _mentions(archive: zipfile.ZipFile, part: str, markers: tuple[bytes, ...]) -> bool:
    # a cheap pass over the bytes: most sheets need no parsing at all
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            window = tail + chunk
            if any(marker in window for marker in markers):
                return True
            tail = chunk[-16:]
    return False


def _problems(archive: zipfile.ZipFile, part: str, every_formula: bool) -> dict[tuple[int, int], str | None]:
    found: dict[tuple[int, int], str | None] = {}
    rest = b""
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(1 << 20)
            buffer = rest + chunk
            # whole rows only: a cell is never cut in two between reads
            ends = [m.end() for m in _ROW_END.finditer(buffer, max(0, len(buffer) - (1 << 20) - 64))]
            cut = len(buffer) if not chunk else (ends[-1] if ends else 0)
            _cells_of(buffer[:cut], found, every_formula)
            rest = buffer[cut:]
            if not chunk:
                return found


def _cells_of(xml: bytes, found: dict[tuple[int, int], str | None], every_formula: bool) -> None:
    columns: dict[bytes, int] = {}
    for match in _FORMULA_CELL.finditer(xml):
        letters, row, attributes, value = match.group(2, 3, 4, 5)
        kind = _KIND.search(attributes) if b"t" in attributes else None
        kind_name = kind.group(1) if kind else b"n"
        # Excel caches a formula's empty text result as t="str" with an empty value
        uncomputed = not value and kind_name != b"str"
        if not (kind_name == b"e" or uncomputed or every_formula):
            continue
        what = (value or b"#ERREUR").decode() if kind_name == b"e" else "" if uncomputed else None
        if letters is None:  # Excel writes a cell's reference first; another program may not
            ref = _REF.search(attributes)
            if ref is None:
                continue
            letters, row = ref.groups()
        if letters not in columns:
            columns[letters] = column_index_from_string(letters.decode()) - 1
        found[(int(row) - 1, columns[letters])] = what
    if b'"e"' in xml:  # the error cells' expression costs as much as the formulas' one: only when one may be there
        for match in _ERROR_CELL.finditer(xml):
            ref = _REF.search(match.group(2))
            if ref is not None:
                found[(int(ref.group(2)) - 1, column_index_from_string(ref.group(1).decode()) - 1)] = (
                    match.group(3).decode() or "#ERREUR")


# A number of ten digits or more, or with an exponent of 9 or more: past 1e9, calamine's durations overflow
# Python's timedelta, and past -1e12 its dates panic. Only such a number's cell is touched.
_HUGE_CELL = re.compile(rb'(<c\b[^>]*?)\ss="\d+"([^>]*>(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?'
                        rb'<v>\s*[-+]?(?:\d{10}|\d(?:\.\d*)?[eE]\+?0*(?:9|[1-9]\d)))')


def plain_numbers_copy(path: Path, sheet: str, target: Path) -> bool:
    """Write into ``target`` a copy of ``path`` where the huge numbers of ``sheet`` have lost their cell format;
    False when there is none to change (the sheet stops calamine for another reason)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xltx", ".xltm"):
        return False
    try:
        with zipfile.ZipFile(path) as archive, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
            part = sheet_parts(archive).get(sheet)
            changed = 0
            for info in archive.infolist():
                data = archive.read(info)
                if info.filename == part:
                    data, changed = _HUGE_CELL.subn(rb"\1\2", data)
                copy.writestr(info, data)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return False
    return changed > 0
