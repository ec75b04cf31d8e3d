"""A Word template made ready once for many documents: docxtpl's work split into what is per template and
what is per document.

``DocxTemplate(path).render(...).save(...)`` opens the package with python-docx, cleans the XML of each
part (``patch_xml``), compiles it with Jinja, renders it and writes every part again, styles included:
about 30 letters a second. Here the package is opened once per template: the XML of the body, headers and
footers is cleaned and compiled once, and the parts no tag touches are kept as one ready-made zip, into which
each document only adds its rendered parts. Each step that docxtpl applies to a rendered part is applied
here by docxtpl's own code (``fix_tables``, ``fix_docpr_ids``, ``resolve_listing``), so documents read the
same. A template whose tags reach what this path does not render (footnotes, document properties) is not
compiled: ``render.py`` renders it with docxtpl.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docxtpl import DocxTemplate
from jinja2 import Template
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

_DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_MARK = "rendered body"
_TAG = re.compile(r"\{[{%#]")
_LISTING = re.compile(r"[\t\a\n\f]")  # what resolve_listing turns into tabs, breaks and paragraphs
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")  # those docxtpl renders


class NotCompilable(Exception):
    """The template uses what only docxtpl renders."""


@dataclass(frozen=True)
class _Part:
    name: str  # inside the zip
    template: Template
    info: zipfile.ZipInfo
    body: tuple[str, str] | None = None  # the main document: its text before and after <w:body>


class CompiledTemplate:
    def __init__(self, path: Path, env: SandboxedEnvironment) -> None:
        self.helper = DocxTemplate(str(path))  # docxtpl's XML helpers; its package is never loaded
        document = Document(str(path))
        main = document.part
        if any(p.content_type == _FOOTNOTES and _TAG.search(p.blob.decode("utf-8")) for p in main.package.parts):
            raise NotCompilable("footnotes")
        if any(_TAG.search(getattr(document.core_properties, name) or "") for name in _PROPERTIES):
            raise NotCompilable("document properties")
        with zipfile.ZipFile(path) as source:
            infos = {info.filename: info for info in source.infolist()}
            parts = [self._body(main, env, infos)]
            for rel in main.rels.values():
                if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external and rel.target_part.blob:
                    part = self._header_footer(rel.target_part, env, infos)
                    if part is not None:
                        parts.append(part)
            self.parts = parts
            rendered = {p.name for p in parts}
            base = io.BytesIO()
            with zipfile.ZipFile(base, "w") as kept:
                for info in source.infolist():
                    if info.filename not in rendered:
                        kept.writestr(info, source.read(info))  # each keeps its compression
        self.base = base.getvalue()

    def _compile(self, env: SandboxedEnvironment, xml: str) -> Template:
        # one paragraph a line, as docxtpl does: Jinja's errors then name a line staff can find
        return env.from_string(re.sub(r"<w:p([ >])", r"\n<w:p\1", self.helper.patch_xml(xml)))

    def _body(self, main: Any, env: SandboxedEnvironment, infos: dict[str, zipfile.ZipInfo]) -> _Part:
        root = copy.deepcopy(main.element)
        body = root.body
        template = self._compile(env, etree.tostring(body, encoding="unicode"))
        for child in list(body):
            body.remove(child)
        body.attrib.clear()
        body.append(etree.Comment(_MARK))
        before, mark, after = etree.tostring(root, encoding="unicode").partition(f"<!--{_MARK}-->")
        opening, closing = re.search(r"<[\w:]*body>$", before), re.match(r"</[\w:]*body>", after)
        if not mark or opening is None or closing is None:
            raise NotCompilable("document body")
        before, after = before[:opening.start()], after[closing.end():]
        name = main.partname.lstrip("/")
        return _Part(name, template, _info(infos, name), (before, after))

    def _header_footer(self, part: Any, env: SandboxedEnvironment, infos: dict[str, zipfile.ZipInfo]) -> _Part | None:
        xml = etree.tostring(etree.fromstring(part.blob), encoding="unicode")
        if not _TAG.search(xml):
            return None  # rendered, it would read the same: kept as it is
        name = part.partname.lstrip("/")
        return _Part(name, self._compile(env, xml), _info(infos, name))

    def render(self, context: dict[str, Any]) -> bytes:
        """The rendered document, as the bytes of a .docx file."""
        rendered = [(part.info, self._render_part(part, context)) for part in self.parts]
        out = io.BytesIO(self.base)
        with zipfile.ZipFile(out, "a") as package:
            for info, data in rendered:
                package.writestr(info, data)
        return out.getvalue()

    def _render_part(self, part: _Part, context: dict[str, Any]) -> bytes:
        xml = part.template.render(context)
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if _LISTING.search(xml):
            xml = self.helper.resolve_listing(xml)
        if part.body is None:
            tree = etree.fromstring(xml.encode("utf-8"))  # strict, as python-docx loads a rendered header
        else:
            tree = self.helper.fix_tables(xml)
            self.helper.docx_ids_index = 1000
            self.helper.fix_docpr_ids(tree)
        text = etree.tostring(tree, encoding="unicode")
        if part.body is not None:
            text = part.body[0] + text + part.body[1]
        return (_DECLARATION + text).encode("utf-8")


def _info(infos: dict[str, zipfile.ZipInfo], name: str) -> zipfile.ZipInfo:
    original = infos.get(name)
    info = zipfile.ZipInfo(name, original.date_time if original else (1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info
