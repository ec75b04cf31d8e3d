"""Bad files made on the spot: formula results Excel would have cached, zip bombs, huge sheets, legacy and
encrypted workbooks, macro-enabled ones. Nothing binary is committed: each case writes what it needs."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

import openpyxl
import xlwt
from msoffcrypto.format.ooxml import OOXMLFile

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}"><sheetData>'
_TAIL = "</sheetData></worksheet>"
# the smallest package Excel opens: content types, relationships, a workbook naming one sheet
_PACKAGE = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats'
        '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" xmlns:r="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/>'
        '</sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats'
        '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
}
SHEET_PART = "xl/worksheets/sheet1.xml"


def rewrite_part(path: Path, part: str, change) -> None:  # type: ignore[no-untyped-def]
    """Rewrite one part of a workbook's zip, as a program other than openpyxl would have written it."""
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            archive.writestr(info, change(data) if info.filename == part else data)


def cache_formula(path: Path, ref: str, cached: str, *, error: bool, part: str = SHEET_PART) -> None:
    """Give the formula openpyxl wrote in ``ref`` the result Excel saves with it (openpyxl saves none)."""
    kind = ' t="e"' if error else ""

    def change(data: bytes) -> bytes:
        pattern = re.compile(rf'<c r="{ref}"([^>]*)><f>([^<]*)</f><v\s*/?>(?:</v>)?</c>'.encode())
        new, count = pattern.subn(lambda m: b'<c r="%s"%s%s><f>%s</f><v>%s</v></c>' % (
            ref.encode(), m[1], kind.encode(), m[2], cached.encode()), data)
        if count != 1:
            raise ValueError(f"no formula in {ref}")
        return new

    rewrite_part(path, part, change)


def declare_entities(path: Path, part: str = SHEET_PART) -> None:
    """The "billion laughs": ten levels of entities, each ten times the one before, used in a cell."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))

    def change(data: bytes) -> bytes:
        start = data.index(b"<worksheet")
        body = data[start:].replace(b"<is><t>DEL-2026-0303</t></is>", b"<is><t>&lol9;</t></is>", 1)
        return data[:start] + f"<!DOCTYPE worksheet [{entities}]>".encode() + body

    rewrite_part(path, part, change)


def _inline(value: object) -> str:
    if value is None:
        return "<c/>"  # an empty cell keeps the next ones in their columns
    if isinstance(value, (int, float)):
        return f"<c><v>{value}</v></c>"
    text = str(value).replace("&", "&amp;").replace("<", "&lt;")
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def _row(values: Iterable[object]) -> bytes:
    # no r attributes: Excel and both readers place cells and rows one after the other
    return ("<row>" + "".join(_inline(v) for v in values) + "</row>").encode()


def _package(sheet: str) -> list[tuple[str, bytes]]:
    return [(name, text.replace("{sheet}", sheet).encode()) for name, text in _PACKAGE.items()]


def zip_bomb(path: Path, sheet: str, header: list[str], row: list[object], gib: float) -> int:
    """A workbook of a few megabytes whose sheet inflates to ``gib`` GiB of the same row, declared honestly.

    Deflate blocks cut by a full flush do not refer to each other, so one compressed block of rows
    repeated N times is a valid stream of N times the rows: nothing of that size is ever built here.
    Returns the sheet's size once inflated.
    """
    head = _HEAD.encode() + _row(header)
    chunk = _row(row) * ((4 << 20) // len(_row(row)))
    count = int(gib * 1024 / 4)
    data, crc, size = _repeated(head, chunk, count, _TAIL.encode())
    if size >= 1 << 32:
        raise ValueError("the plain zip headers written here hold sizes under 4 GiB")
    entries = [(name, _deflate(data), zlib.crc32(data), len(data)) for name, data in _package(sheet)]
    entries.append((SHEET_PART, data, crc, size))
    _write_zip(path, entries)
    return size


_WORD = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT_PART = "word/document.xml"


def _repeated(head: bytes, chunk: bytes, count: int, tail: bytes) -> tuple[bytes, int, int]:
    """A deflate stream of ``head``, ``count`` times ``chunk`` and ``tail``, with its CRC and inflated size:
    blocks cut by a full flush do not refer to each other, so one compressed block repeats without being built."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    return first + block * count + last, zlib.crc32(tail, crc), len(head) + len(chunk) * count + len(tail)


def with_document(source: Path, target: Path, data: bytes, crc: int, size: int) -> None:
    """The Word file ``source`` with its body replaced by deflated ``data``, declaring ``crc`` and ``size``."""
    with zipfile.ZipFile(source) as archive:
        entries = [(i.filename, _deflate(archive.read(i)), i.CRC, i.file_size) for i in archive.infolist()
                   if i.filename != DOCUMENT_PART]
    _write_zip(target, [*entries, (DOCUMENT_PART, data, crc, size)])


def docx_bomb(source: Path, target: Path, mib: int) -> int:
    """``source`` whose body inflates to ``mib`` MiB of one paragraph repeated, declared honestly; returns the size."""
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{_WORD}"><w:body>'
    chunk = f"<w:p><w:r><w:t>{'x' * 31}</w:t></w:r></w:p>".encode() * ((1 << 20) // 64)  # 64 bytes each
    data, crc, size = _repeated(head.encode(), chunk, mib, b"</w:body></w:document>")
    with_document(source, target, data, crc, size)
    return size


def docx_nested(source: Path, target: Path, depth: int) -> None:
    """``source`` whose body nests ``depth`` tables in tables: a few kilobytes."""
    inner = "<w:tbl><w:tr><w:tc>" * depth + "<w:p/>" + "</w:tc></w:tr></w:tbl>" * depth
    body = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{_WORD}"><w:body>'
            f"{inner}</w:body></w:document>").encode()
    with_document(source, target, _deflate(body), zlib.crc32(body), len(body))


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _write_zip(path: Path, entries: list[tuple[str, bytes, int, int]]) -> None:
    # zipfile cannot take data compressed beforehand: local headers, data, then the central directory
    central: list[bytes] = []
    with open(path, "wb") as out:
        for name, data, crc, size in entries:
            offset, encoded = out.tell(), name.encode()
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size,
                                  len(encoded), 0) + encoded + data)
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data),
                                       size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
        start, directory = out.tell(), b"".join(central)
        out.write(directory)
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), start, 0))


def _numbered_row(header: list[str], row: list[object]) -> str:
    # the row's XML once, with a slot for the file number: formatting a million rows cell by cell is slow
    cells = [_inline(v).replace("%", "%%") for v in row]
    cells[header.index("N° dossier")] = '<c t="inlineStr"><is><t>DEL-%07d</t></is></c>'
    return "<row>" + "".join(cells) + "</row>"


def million_rows(path: Path, sheet: str, header: list[str], row: list[object], count: int = 1_000_000) -> int:
    """A sheet of ``count`` distinct rows (each its own file number), streamed into the zip; returns its size."""
    template = _numbered_row(header, row)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in _package(sheet):
            archive.writestr(name, data)
        with archive.open(SHEET_PART, "w", force_zip64=True) as stream:
            stream.write(_HEAD.encode() + _row(header))
            for start in range(0, count, 10_000):
                stream.write("".join(template % n for n in range(start, min(start + 10_000, count))).encode())
            stream.write(_TAIL.encode())
    return million_rows_size(header, row, count)


def million_rows_size(header: list[str], row: list[object], count: int = 1_000_000) -> int:
    """The size of :func:`million_rows`' sheet once inflated, without making it."""
    return len(_HEAD.encode() + _row(header) + _TAIL.encode()) + count * len((_numbered_row(header, row) % 0).encode())


def legacy_xls(source: Path, target: Path) -> None:
    """The same sheets written by xlwt as a real Excel 97-2003 (BIFF8) workbook."""
    book = xlwt.Workbook(encoding="utf-8")
    dates = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for ws in openpyxl.load_workbook(source).worksheets:
        out = book.add_sheet(ws.title)
        for r, values in enumerate(ws.iter_rows(values_only=True)):
            for c, value in enumerate(values):
                if value is not None:
                    out.write(r, c, value, dates) if hasattr(value, "year") else out.write(r, c, value)
    book.save(str(target))


VBA_PART = "xl/vbaProject.bin"
# openpyxl keeps the VBA part as bytes, which is what a write-back must not change: an OLE2 signature and a
# module's text, not a project Excel would run (no library at hand writes one).
OLE_VBA_PROJECT = bytes.fromhex("d0cf11e0a1b11ae1") + (
    b'Attribute VB_Name = "Relances"\r\nSub Relancer()\r\nEnd Sub\r\n' * 64)


def macro_workbook(source: Path, target: Path, vba: bytes) -> None:
    """``source`` as a macro-enabled workbook: the main part's content type, the VBA part and its relationship."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"MACRO").replace(
                    b"application/vnd.openxmlformats-officedocument.MACRO",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
                    b"<Default ", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                                  b"<Default ", 1)
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.'
                                    b'com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
                                    b"</Relationships>")
            dst.writestr(info, data)
        dst.writestr(VBA_PART, vba)


def encrypt(source: Path, target: Path, password: str) -> None:
    """Excel's "Encrypt with password": the package inside an OLE2 container (EncryptionInfo, EncryptedPackage)."""
    with open(source, "rb") as plain, open(target, "wb") as out:
        OOXMLFile(plain).encrypt(password, out)
