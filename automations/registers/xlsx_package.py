"""An xlsx package copied member by member, with only the parts a write needs replaced.

openpyxl rebuilds a workbook from what it models and drops the rest (images,
charts, pivot tables, slicers, extensions, formulas' cached results). Here the
package is never rebuilt: every member that is not replaced is copied with its
compressed bytes and its original ZipInfo, under the same name and in the same
order, so whatever Excel or another tool put in it survives by construction.
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lxml import etree

from ..errors import UserError
from .container import DAMAGED

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_DOCUMENT = REL_NS + "/officeDocument"
TABLE_REL = REL_NS + "/table"
CALC_CHAIN_REL = REL_NS + "/calcChain"
STYLES_REL = REL_NS + "/styles"
CONTENT_TYPES = "[Content_Types].xml"
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_DATA_DESCRIPTOR = 0x08
_CHUNK = 1 << 20
# A register's parts are XML; a parser that resolves entities or builds huge trees is not needed for them.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)

# A part's new content: bytes, or a function that streams it into the member being written.
Replacement = bytes | Callable[[IO[bytes]], None]


class PackageRefused(UserError):
    """A workbook the writer cannot change safely; the caller keeps its values aside (the sidecar)."""


@dataclass(frozen=True)
class SheetParts:
    """Where one sheet's XML and the parts it shares with the workbook sit in the package."""

    workbook: str
    workbook_rels: str
    sheet: str
    sheet_rels: str
    sheet_id: str
    styles: str | None
    calc_chain: str | None
    tables: tuple[str, ...]
    date1904: bool


def rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _target(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def relationships(archive: zipfile.ZipFile, part: str) -> list[tuple[str, str, str]]:
    """``(id, type, part name)`` of each internal relationship of ``part``."""
    name = rels_name(part)
    if name not in archive.NameToInfo:
        return []
    root = etree.fromstring(archive.read(name), PARSER)
    return [(rel.get("Id", ""), rel.get("Type", ""), _target(part, rel.get("Target", "")))
            for rel in root.iter(f"{{{PKG_REL_NS}}}Relationship") if rel.get("TargetMode") != "External"]


def locate(archive: zipfile.ZipFile, path: Path, sheet_name: str) -> SheetParts:
    """The parts of ``sheet_name``; refuses a package this writer does not know how to edit."""
    for info in archive.infolist():
        if info.flag_bits & 0x01:
            raise PackageRefused(f"{path.name} : classeur chiffré, il ne peut pas être complété")
    workbook = next((target for _, kind, target in relationships(archive, "") if kind == OFFICE_DOCUMENT
                     or kind.endswith("/officeDocument")), None)
    if workbook is None or workbook not in archive.NameToInfo:
        raise PackageRefused(f"{path.name} : ce n'est pas un classeur Excel (.xlsx) que l'outil sait compléter")
    if not workbook.endswith(".xml"):
        raise PackageRefused(f"{path.name} : classeur binaire (.xlsb), que l'outil ne sait pas compléter ; "
                             "enregistrez-le au format « Classeur Excel (*.xlsx) »")
    root = etree.fromstring(archive.read(workbook), PARSER)
    if root.tag == f"{{{STRICT_NS}}}workbook":
        raise PackageRefused(f"{path.name} : classeur au format « Open XML strict », que l'outil ne sait pas "
                             "compléter ; enregistrez-le au format « Classeur Excel (*.xlsx) »")
    rels = {rid: (kind, target) for rid, kind, target in relationships(archive, workbook)}
    sheet = next((s for s in root.iter(f"{{{MAIN_NS}}}sheet") if s.get("name") == sheet_name), None)
    if sheet is None or rels.get(sheet.get(f"{{{REL_NS}}}id", ""), ("", ""))[1] not in archive.NameToInfo:
        raise PackageRefused(f"{path.name} : feuille « {sheet_name} » introuvable")
    sheet_part = rels[sheet.get(f"{{{REL_NS}}}id", "")][1]
    pr = root.find(f"{{{MAIN_NS}}}workbookPr")
    by_kind = {kind: target for kind, target in rels.values()}
    return SheetParts(
        workbook=workbook, workbook_rels=rels_name(workbook), sheet=sheet_part, sheet_rels=rels_name(sheet_part),
        sheet_id=sheet.get("sheetId", ""), styles=by_kind.get(STYLES_REL), calc_chain=by_kind.get(CALC_CHAIN_REL),
        tables=tuple(target for _, kind, target in relationships(archive, sheet_part) if kind == TABLE_REL),
        date1904=pr is not None and pr.get("date1904", "0").lower() in ("1", "true"))


def xml_bytes(root: etree._Element) -> bytes:
    # the declaration as Excel writes it (lxml's own uses single quotes)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' + etree.tostring(
        root, xml_declaration=False, encoding="UTF-8")


def _copy_compressed(source: IO[bytes], info: zipfile.ZipInfo, target: IO[bytes]) -> None:
    """Copy a member's compressed bytes, as they sit in the archive, a chunk at a time."""
    source.seek(info.header_offset)
    fields = _LOCAL_HEADER.unpack(source.read(_LOCAL_HEADER.size))
    source.seek(fields[-2] + fields[-1], 1)  # file name and extra field of the local header
    left = info.compress_size
    while left:
        chunk = source.read(min(left, _CHUNK))
        if not chunk:
            raise zipfile.BadZipFile(f"{info.filename}: truncated")
        target.write(chunk)
        left -= len(chunk)


def copy_package(source: Path, target: Path, replaced: Mapping[str, Replacement],
                 removed: frozenset[str] = frozenset()) -> None:
    """Write ``target``: ``source``'s members in order, ``replaced`` ones rewritten, ``removed`` ones left out."""
    try:
        _copy_members(source, target, replaced, removed)
    except BaseException:
        target.unlink(missing_ok=True)  # never leave half a workbook behind
        raise


def _copy_members(source: Path, target: Path, replaced: Mapping[str, Replacement], removed: frozenset[str]) -> None:
    with zipfile.ZipFile(source) as archive, open(source, "rb") as raw, \
            zipfile.ZipFile(target, "w", allowZip64=True) as out:
        for info in archive.infolist():
            if info.filename in removed:
                continue
            new = replaced.get(info.filename)
            if new is None:
                _copy_raw(out, raw, info)
                continue
            fresh = zipfile.ZipInfo(info.filename, info.date_time)
            fresh.compress_type, fresh.external_attr = info.compress_type, info.external_attr
            fresh.create_system = info.create_system
            with out.open(fresh, "w", force_zip64=True) as member:
                if isinstance(new, bytes):
                    member.write(new)
                else:
                    new(member)


def _copy_raw(out: zipfile.ZipFile, raw: IO[bytes], info: zipfile.ZipInfo) -> None:
    # zipfile offers no raw copy: the local header is written from the original ZipInfo and the
    # compressed bytes follow unchanged; without a data descriptor the header carries the CRC and sizes.
    copy = zipfile.ZipInfo(info.filename, info.date_time)
    for field in ("compress_type", "comment", "extra", "create_system", "create_version", "extract_version",
                  "flag_bits", "volume", "internal_attr", "external_attr", "CRC", "compress_size", "file_size"):
        setattr(copy, field, getattr(info, field))
    copy.flag_bits &= ~_DATA_DESCRIPTOR
    copy.extra = _without_zip64(info.extra)
    assert out.fp is not None
    out.fp.seek(out.start_dir)
    copy.header_offset = out.fp.tell()
    zip64 = copy.file_size > zipfile.ZIP64_LIMIT or copy.compress_size > zipfile.ZIP64_LIMIT
    out.fp.write(copy.FileHeader(zip64))
    _copy_compressed(raw, info, out.fp)
    out.start_dir = out.fp.tell()
    out.filelist.append(copy)
    out.NameToInfo[copy.filename] = copy
    out._didModify = True  # the central directory is written on close only when set


def _without_zip64(extra: bytes) -> bytes:
    # FileHeader and the central directory add their own zip64 field when sizes need one
    kept, at = b"", 0
    while at + 4 <= len(extra):
        kind, size = struct.unpack("<HH", extra[at:at + 4])
        if kind != 0x0001:
            kept += extra[at:at + 4 + size]
        at += 4 + size
    return kept


@contextmanager
def opened(path: Path) -> Iterator[zipfile.ZipFile]:
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise PackageRefused(f"{path.name} : fichier introuvable ({path.parent})") from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackageRefused(f"{path.name} : ce n'est pas un classeur .xlsx que l'outil sait compléter "
                             "(ancien format .xls, ou fichier abîmé) ; enregistrez-le au format « Classeur Excel "
                             "(*.xlsx) »") from exc
    with archive:
        try:
            yield archive
        except (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise PackageRefused(f"{path.name} : {DAMAGED}") from exc
