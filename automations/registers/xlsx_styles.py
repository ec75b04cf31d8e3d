"""The cell styles a surgical write needs: a date format, Excel's quote prefix.

``styles.xml`` is rewritten only when the style a value needs does not exist
yet: a cell keeps its own style when it already shows dates, takes the style
of the cell above it in its column when that one does, and otherwise gets a
copy of its style with a date format (or with the quote prefix that keeps a
text starting with ``=`` from being read as a formula).
"""

from __future__ import annotations

import copy

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

from .xlsx_package import MAIN_NS, PARSER, xml_bytes

DATE_FORMAT = "DD/MM/YYYY"
DATE_TIME_FORMAT = "DD/MM/YYYY HH:MM"
_M = f"{{{MAIN_NS}}}"
_FIRST_CUSTOM_FORMAT = 164


class Styles:
    """The cellXfs and number formats of a workbook, grown only when needed."""

    def __init__(self, data: bytes | None) -> None:
        self.root = etree.fromstring(data, PARSER) if data is not None else None
        self.changed = False
        self._xfs: list[etree._Element] = []
        self._formats: dict[int, str] = dict(BUILTIN_FORMATS)
        if self.root is None:
            return
        xfs = self.root.find(f"{_M}cellXfs")
        self._xfs = list(xfs.iter(f"{_M}xf")) if xfs is not None else []
        for fmt in self.root.iter(f"{_M}numFmt"):
            self._formats[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")

    def is_date(self, style: int) -> bool:
        if not 0 <= style < len(self._xfs):
            return False
        code = self._formats.get(int(self._xfs[style].get("numFmtId", "0")), "General")
        return is_date_format(code)

    def quoted(self, style: int) -> bool:
        return 0 <= style < len(self._xfs) and self._xfs[style].get("quotePrefix") in ("1", "true")

    def date_style(self, style: int, above: int | None, with_time: bool) -> int:
        """A style showing a date: the cell's, the one above it, or a copy of the cell's with a date format."""
        if self.is_date(style):
            return style
        if above is not None and self.is_date(above):
            return above
        code = DATE_TIME_FORMAT if with_time else DATE_FORMAT
        return self._variant(style, numFmtId=str(self._format_id(code)), applyNumberFormat="1")

    def quote_style(self, style: int) -> int:
        """The cell's style with Excel's quote prefix (a text typed as ``'=...``)."""
        return style if self.quoted(style) else self._variant(style, quotePrefix="1")

    def content(self) -> bytes:
        assert self.root is not None
        return xml_bytes(self.root)

    def _variant(self, style: int, **attributes: str) -> int:
        if self.root is None:
            raise LookupError("styles")
        base = self._xfs[style] if 0 <= style < len(self._xfs) else etree.Element(
            f"{_M}xf", numFmtId="0", fontId="0", fillId="0", borderId="0", xfId="0")
        for index, xf in enumerate(self._xfs):
            if _same(xf, base, attributes):
                return index
        xf = copy.deepcopy(base)
        for name, value in attributes.items():
            xf.set(name, value)
        xfs = self.root.find(f"{_M}cellXfs")
        assert xfs is not None
        xfs.append(xf)
        xfs.set("count", str(len(xfs)))
        self._xfs.append(xf)
        self.changed = True
        return len(self._xfs) - 1

    def _format_id(self, code: str) -> int:
        for number, known in self._formats.items():
            if known == code:
                return number
        assert self.root is not None
        formats = self.root.find(f"{_M}numFmts")
        if formats is None:
            formats = etree.Element(f"{_M}numFmts")
            self.root.insert(0, formats)  # numFmts is the first child of styleSheet
        number = max([_FIRST_CUSTOM_FORMAT - 1, *self._formats]) + 1
        etree.SubElement(formats, f"{_M}numFmt", numFmtId=str(number), formatCode=code)
        formats.set("count", str(len(formats)))
        self._formats[number] = code
        self.changed = True
        return number


def _same(xf: etree._Element, base: etree._Element, attributes: dict[str, str]) -> bool:
    wanted = {**dict(base.attrib), **attributes}
    return dict(xf.attrib) == wanted and [etree.tostring(c) for c in xf] == [etree.tostring(c) for c in base]
