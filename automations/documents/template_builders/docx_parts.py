"""Building blocks shared by the template builders of ``template_builders/__main__.py``.

The templates are docxtpl (Jinja2) documents. Each Jinja tag is written inside a single run so
docxtpl sees it whole; a ``{%p ... %}`` tag is alone in its paragraph and a ``{%tr ... %}`` tag
alone in its table row, since docxtpl replaces that whole paragraph or row by the tag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from ..typography import typeset_template

RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
CENTER = WD_ALIGN_PARAGRAPH.CENTER
HEADING_COLOUR = RGBColor(0x1F, 0x38, 0x64)


def new_document(*, margin_cm: float = 2, sober_headings: bool = False) -> DocumentObject:
    """An A4 portrait document in Calibri 11; ``sober_headings`` makes headings dark and compact."""
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(margin_cm))
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    if sober_headings:
        for name, size in (("Heading 1", 14), ("Heading 2", 12)):
            style = document.styles[name]
            style.font.color.rgb = HEADING_COLOUR
            style.font.size = Pt(size)
            style.paragraph_format.space_before = Pt(12)
            style.paragraph_format.space_after = Pt(6)
    return document


def paragraph(document: DocumentObject, text: str = "", *, bold: bool = False, italic: bool = False,
              size: float | None = None, align=None, space_before: int = 0, space_after: int = 6,
              style: str | None = None) -> Paragraph:
    """A paragraph holding ``text`` in one run (so a Jinja tag in it stays whole)."""
    result = document.add_paragraph(style=style)
    if text:
        run = result.add_run(text)
        run.bold = bold
        if italic:
            run.italic = True
        if size:
            run.font.size = Pt(size)
    if align is not None:
        result.alignment = align
    if space_before:
        result.paragraph_format.space_before = Pt(space_before)
    result.paragraph_format.space_after = Pt(space_after)
    return result


def tag(document: DocumentObject, text: str, *, space_after: int = 0) -> Paragraph:
    """A ``{%p ... %}`` paragraph: docxtpl replaces the whole paragraph by the Jinja tag."""
    return paragraph(document, text, space_after=space_after)


def heading(document: DocumentObject, text: str, level: int = 1, *, new_page: bool = False) -> Paragraph:
    result = document.add_heading(text, level)
    if new_page:
        result.paragraph_format.page_break_before = True
    return result


def page_break(document: DocumentObject) -> Paragraph:
    """A paragraph holding only a page break."""
    result = document.add_paragraph()
    result.add_run().add_break(WD_BREAK.PAGE)
    result.paragraph_format.space_after = Pt(0)
    return result


def service_header(document: DocumentObject) -> None:
    """The service's name, address and contact, as at the top of the convocation."""
    paragraph(document, "{{ service.name }}", bold=True, size=13, space_after=0)
    paragraph(document, "{{ service.address }}", size=9, space_after=0)
    # a service without a phone number in its config: no « Tél. » with nothing after it
    paragraph(document, "{% if service.phone %}Tél. {{ service.phone }} – {% endif %}{{ service.email }}", size=9,
              space_after=18)


def agenda(document: DocumentObject) -> None:
    """The session's agenda items, numbered."""
    tag(document, "{%p for item in session.agenda_items %}")
    paragraph(document, "{{ loop.index }}. {{ item }}", space_after=2).paragraph_format.left_indent = Cm(0.5)
    tag(document, "{%p endfor %}")


def signature(document: DocumentObject, *, keep_together: bool = False) -> None:
    """The signatory's name and title; ``keep_together`` keeps them on the page of the line above."""
    name = paragraph(document, "{{ service.signatory }}", bold=True, align=RIGHT, space_after=0)
    if keep_together:
        name.paragraph_format.keep_with_next = True
    paragraph(document, "{{ service.signatory_title }}", align=RIGHT)


@dataclass(frozen=True)
class Column:
    """One column of a looped table: its title, the Jinja expression of its cell, its look."""

    title: str
    cell: str
    width_cm: float | None = None
    right: bool = False


def loop_table(document: DocumentObject, columns: Sequence[Column], loop: str, *,
               total: Sequence[str | None] = (), size: float | None = None, padded: bool = True,
               repeat_header: bool = True) -> Table:
    """A table with a header row, one row per item of ``loop`` (e.g. ``"a in applications"``)
    and an optional total row; ``None`` in ``total`` extends the cell on its left."""
    table = document.add_table(rows=5 if total else 4, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header, opening, body, closing = table.rows[:4]
    _fill(header, [c.title for c in columns], columns, size, bold=True)
    if repeat_header:
        _repeat_on_each_page(header)
    for row in (header, body, *table.rows[4:]):
        _keep_on_one_page(row)
    opening.cells[0].paragraphs[0].add_run(f"{{%tr for {loop} %}}")
    _fill(body, [c.cell for c in columns], columns, size)
    closing.cells[0].paragraphs[0].add_run("{%tr endfor %}")
    widths = [c.width_cm for c in columns if c.width_cm]
    if len(widths) == len(columns):
        set_widths(table, widths)
    if padded:
        _pad(table)
    if total:
        _fill(table.rows[4], [text or "" for text in total], columns, size, bold=True)
        _merge_into_left(table.rows[4], total)
    return table


def details_table(document: DocumentObject, rows: Sequence[tuple[str, str]], widths_cm: Sequence[float], *,
                  size: float | None = None) -> Table:
    """A two-column table: a bold label, then its value."""
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row, (label, value) in zip(table.rows, rows):
        _sized(row.cells[0].paragraphs[0].add_run(label), size).bold = True
        _sized(row.cells[1].paragraphs[0].add_run(value), size)
    set_widths(table, widths_cm)
    _pad(table)
    return table


def set_widths(table: Table, widths_cm: Sequence[float]) -> None:
    """Fixed column widths, for Word (cell widths) and LibreOffice (the table grid)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)


def footer(document: DocumentObject, text: str, *, size: float = 8) -> None:
    """A small centred footer: ``text`` then the page number."""
    line = document.sections[0].footer.paragraphs[0]
    line.alignment = CENTER
    _sized(line.add_run(text), size)
    _sized(line.add_run(" – page "), size)
    _field_mark(_sized(line.add_run(), size), "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = " PAGE "
    _sized(line.add_run(), size)._r.append(code)
    _field_mark(_sized(line.add_run(), size), "separate")
    _sized(line.add_run("1"), size)
    _field_mark(_sized(line.add_run(), size), "end")


def typeset(document: DocumentObject) -> DocumentObject:
    """The document's own text with French no-break spaces (« Objet : », « n° », guillemets), as Word's
    French autocorrect types them; each Jinja tag is alone in its run and stays exactly as written."""
    parts = [document.element.body]
    for section in document.sections:
        parts += [part._element for part in (section.header, section.footer) if not part.is_linked_to_previous]
    for part in parts:
        for text in part.iter(qn("w:t")):
            if text.text:
                text.text = typeset_template(text.text)
    return document


def _fill(row: _Row, texts: Sequence[str], columns: Sequence[Column], size: float | None, *,
          bold: bool = False) -> None:
    for cell, text, column in zip(row.cells, texts, columns):
        if column.right:
            cell.paragraphs[0].alignment = RIGHT
        if text:  # an empty cell keeps no run, so that merging it adds no empty line
            run = _sized(cell.paragraphs[0].add_run(text), size)
            if bold:
                run.bold = True


def _merge_into_left(row: _Row, total: Sequence[str | None]) -> None:
    start = 0
    for index, text in enumerate(total):
        if text is None:
            row.cells[start].merge(row.cells[index])
        else:
            start = index


def _pad(table: Table) -> None:
    """Narrow side margins in the cells (more room for the text) and a little air above and below."""
    margins = OxmlElement("w:tblCellMar")
    for side, twips in (("top", 28), ("left", 57), ("bottom", 28), ("right", 57)):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")


def _repeat_on_each_page(row: _Row) -> None:
    marker = OxmlElement("w:tblHeader")
    row._tr.get_or_add_trPr().append(marker)


def _keep_on_one_page(row: _Row) -> None:
    """A row is never cut by a page break: a dossier's line reads whole on one page."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _field_mark(run: Run, kind: str) -> None:
    mark = OxmlElement("w:fldChar")
    mark.set(qn("w:fldCharType"), kind)
    run._r.append(mark)


def _sized(run: Run, size: float | None) -> Run:
    if size:
        run.font.size = Pt(size)
    return run
