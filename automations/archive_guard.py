"""Limits on what a zip container (an Excel workbook, a Word template) may hold, checked before a parser opens it.

A file of a few megabytes may inflate to gigabytes (a zip bomb), hold millions of entries, nest its XML
deeper than any parser should follow, or declare XML entities (which no Office file holds). openpyxl,
python-docx, docxtpl and calamine all read a part into memory whole, trusting the sizes the archive
declares: zipfile stops at the declared size and fails on the checksum past it. So the declared sizes
bound memory, and are checked without inflating anything; parts small enough are then inflated as a
stream, a chunk at a time, which proves their real size and checksum and measures their nesting.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

# Below this size a compression ratio says nothing: a short, repetitive XML part compresses very well.
_RATIO_FLOOR = 8 * 1024 * 1024
_CHUNK = 1 << 16
_HEAD = 4096  # a DOCTYPE comes before the root element, within the first bytes of a part


@dataclass(frozen=True)
class Limits:
    part: int  # bytes one entry may inflate to
    total: int  # bytes the whole archive may inflate to
    entries: int
    ratio: int  # inflated / compressed, for entries past _RATIO_FLOOR
    stream: int  # entries up to this size are inflated as a stream and parsed for nesting
    depth: int = 256  # libxml2's own limit: lxml fails past it with an English XMLSyntaxError


@dataclass(frozen=True)
class Refusal:
    """Why an archive is not opened: ``kind`` for callers with their own wording, ``reason`` in French."""

    kind: str  # "size", "entries", "ratio", "damaged", "entities", "nesting"
    reason: str  # e.g. « la partie « word/document.xml » ferait 2,0 Go une fois décompressée »
    part: zipfile.ZipInfo | None = None  # the entry at fault; None for the archive as a whole
    size: int = 0  # for "size": the inflated bytes found too many


class Verdicts:
    """What a check said of each file, kept while the file is unchanged (same inode, time and size): a run asks
    several times (reading, check, write-back) and the parts are inflated once per version of a file."""

    def __init__(self, most: int) -> None:
        self._most = most
        self._said: dict[tuple[str, int, int, int], str | None] = {}

    def of(self, path: Path, judge: Callable[[Path], str | None]) -> str | None:
        """``judge(path)``, or what it said of this very version; ``stat``'s OSError is the caller's."""
        seen = path.stat()
        key = (str(path), seen.st_mtime_ns, seen.st_size, seen.st_ino)
        if key not in self._said:
            if len(self._said) >= self._most:
                self._said.clear()
            self._said[key] = judge(path)
        return self._said[key]


def size_text(count: int) -> str:
    if count >= 1024 ** 3:
        return f"{count / 1024 ** 3:.1f} Go".replace(".", ",")
    if count >= 1024 ** 2:
        return f"{round(count / 1024 ** 2)} Mo"
    return f"{max(1, round(count / 1024))} Ko"


def inspect(archive: zipfile.ZipFile, limits: Limits) -> Refusal | None:
    """The first limit ``archive`` breaks, or None; never inflates more than ``limits.stream`` bytes at once."""
    infos = archive.infolist()
    if len(infos) > limits.entries:
        return Refusal("entries", f"{len(infos)} éléments dans l'archive, au plus {limits.entries}")
    total = sum(i.file_size for i in infos)
    oversized = next((i for i in infos if i.file_size > limits.part), None)
    if oversized is not None:
        return Refusal("size", f"la partie « {oversized.filename} » ferait {size_text(oversized.file_size)} une "
                       f"fois décompressée, au plus {size_text(limits.part)}", oversized, oversized.file_size)
    if total > limits.total:
        return Refusal("size", f"l'ensemble ferait {size_text(total)} une fois décompressé, au plus "
                       f"{size_text(limits.total)}", None, total)
    for info in infos:
        if info.file_size > _RATIO_FLOOR and info.file_size > limits.ratio * max(info.compress_size, 1):
            return Refusal("ratio", f"la partie « {info.filename} » se décompresse "
                           f"{info.file_size // max(info.compress_size, 1)} fois plus grande qu'elle n'est "
                           "dans l'archive", info)
    for info in infos:
        problem = _stream(archive, info, limits) if info.file_size <= limits.stream else _head(archive, info)
        if problem is not None:
            return problem
    return None


def _is_xml(info: zipfile.ZipInfo) -> bool:
    return info.filename.lower().endswith((".xml", ".rels", ".vml"))


def _entities(info: zipfile.ZipInfo) -> Refusal:
    return Refusal("entities", f"la partie « {info.filename} » déclare des entités XML, ce qu'aucun fichier "
                   "Office ne contient", info)


def _head(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Refusal | None:
    if not _is_xml(info):
        return None
    with archive.open(info) as stream:
        start = stream.read(_HEAD)
    return _entities(info) if b"<!DOCTYPE" in start or b"<!ENTITY" in start else None


class _Stop(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.reason)
        self.refusal = refusal


def _stream(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> Refusal | None:
    """Inflate one entry a chunk at a time, counting what it really holds (zipfile would stop at the declared
    size, and a checksum of the declared bytes alone would pass); expat measures its nesting on the way."""
    parser = _depth_parser(info, limits.depth) if _is_xml(info) else None
    damaged = Refusal("damaged", f"la partie « {info.filename} » ne correspond pas à ce que l'archive annonce "
                      "(taille ou somme de contrôle)", info)
    size, crc = 0, 0
    try:
        for chunk in _inflated(archive, info, info.file_size + 1):
            size += len(chunk)
            if size > info.file_size:
                return damaged
            crc = zlib.crc32(chunk, crc)
            if parser is not None:
                try:
                    parser.Parse(chunk, False)
                except expat.ExpatError:
                    parser = None  # malformed XML: the part's own reader says so in its words
    except _Stop as stop:
        return stop.refusal
    except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, RuntimeError):
        return damaged
    return None if size == info.file_size and crc == info.CRC else damaged


def _inflated(archive: zipfile.ZipFile, info: zipfile.ZipInfo, most: int) -> Iterator[bytes]:
    """The entry's bytes as its compressed data really holds them, never more than ``most`` of them."""
    if info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED) or info.flag_bits & 0x1:
        with archive.open(info) as stream:  # neither Excel nor Word writes these: zipfile's own bounds
            while chunk := stream.read(_CHUNK):
                yield chunk
        return
    source = archive.fp
    if source is None:
        raise zipfile.BadZipFile("archive closed")
    source.seek(info.header_offset)
    header = source.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    source.seek(info.header_offset + 30 + name_length + extra_length)
    left, given = info.compress_size, 0
    inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    while left > 0 and given < most:
        raw = source.read(min(_CHUNK, left))
        if not raw:
            raise EOFError("archive cut short")
        left -= len(raw)
        if inflate is None:
            given += len(raw)
            yield raw
            continue
        while raw and given < most:
            chunk = inflate.decompress(raw, _CHUNK)  # bounded output: a bomb is never held at once
            raw = inflate.unconsumed_tail
            given += len(chunk)
            yield chunk
    while inflate is not None and not inflate.eof and given < most:
        chunk = inflate.decompress(inflate.unconsumed_tail, _CHUNK)  # output zlib still held back
        if not chunk:
            break
        given += len(chunk)
        yield chunk


def _depth_parser(info: zipfile.ZipInfo, limit: int) -> expat.XMLParserType:
    parser = expat.ParserCreate()
    depth = [0]

    def start(name: str, attributes: dict[str, str]) -> None:
        depth[0] += 1
        if depth[0] > limit:
            raise _Stop(Refusal("nesting", f"la partie « {info.filename} » imbrique ses éléments XML sur plus de "
                                f"{limit} niveaux", info))

    def end(name: str) -> None:
        depth[0] -= 1

    def doctype(*_: object) -> None:
        raise _Stop(_entities(info))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    parser.buffer_text = True
    return parser
