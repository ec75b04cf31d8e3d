"""Build the shipped Word templates with python-docx: ``python tools/build_templates.py``.

The templates are docxtpl (Jinja2) documents that staff then edit in Word.
Each Jinja tag is written inside a single run, so docxtpl sees it whole.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def _paragraph(document, text: str = "", *, bold: bool = False, size: int | None = None,
               align=None, space_after: int = 6, style: str | None = None):
    paragraph = document.add_paragraph(style=style)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def build_convocation(path: Path) -> None:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)

    _paragraph(document, "{{ service.name }}", bold=True, size=13, space_after=0)
    _paragraph(document, "{{ service.address }}", size=9, space_after=0)
    _paragraph(document, "Tél. {{ service.phone }} – {{ service.email }}", size=9, space_after=18)
    _paragraph(document, "{{ service.city }}, le {{ letter_date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=18)
    _paragraph(document, "{%p if is_update %}", space_after=0)
    _paragraph(document, "{{ update_note }}", bold=True)
    _paragraph(document, "{%p endif %}", space_after=0)
    _paragraph(document, "Objet : Convocation – {{ committee.name }}", bold=True, space_after=12)
    _paragraph(document, "Mesdames, Messieurs les membres,", space_after=12)
    _paragraph(document, "J'ai l'honneur de vous convier à la séance {{ committee.of_name }} qui se tiendra "
                         "le {{ session.date_long }} de {{ session.time }} à {{ session.end_time }}, "
                         "{{ session.room }}{% if session.room_site %} ({{ session.room_site }}){% endif %}.")
    _paragraph(document, "{% if session.chair %}La séance sera présidée par {{ session.chair }}.{% endif %}")
    _paragraph(document, "Ordre du jour :", bold=True, space_after=2)
    _paragraph(document, "{%p for item in session.agenda_items %}", space_after=0)
    _paragraph(document, "{{ item }}", style="List Bullet", space_after=0)
    _paragraph(document, "{%p endfor %}", space_after=8)
    _paragraph(document, "Membres convoqués :", bold=True, space_after=4)

    table = document.add_table(rows=4, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, title in zip(table.rows[0].cells, ("Nom", "Organisme", "Fonction", "Qualité")):
        cell.paragraphs[0].add_run(title).bold = True
    table.rows[1].cells[0].paragraphs[0].add_run("{%tr for m in members %}")
    for cell, value in zip(table.rows[2].cells, ("{{ m.full_name }}", "{{ m.organisation }}",
                                                  "{{ m.function }}", "{{ m.role }}")):
        cell.paragraphs[0].add_run(value)
    table.rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")

    _paragraph(document, "", space_after=6)
    _paragraph(document, "En cas d'empêchement, je vous remercie d'en informer le secrétariat dans les meilleurs "
                         "délais afin que votre suppléant(e) puisse siéger.", space_after=12)
    _paragraph(document, "Je vous prie d'agréer, Mesdames, Messieurs, l'expression de mes salutations distinguées.",
               space_after=24)
    _paragraph(document, "{{ service.signatory }}", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=0)
    _paragraph(document, "{{ service.signatory_title }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATES
    build_convocation(target / "convocation.docx")
    print(f"Modèles écrits dans {target}")
