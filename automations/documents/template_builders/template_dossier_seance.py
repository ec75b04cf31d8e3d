"""The meeting pack (dossier de séance) sent to the committee's members before a session:
a cover page, the agenda and the list of applications, then one page per application."""

from __future__ import annotations

from docx.document import Document
from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.shared import Cm

from .docx_parts import (CENTER, Column, agenda, details_table, footer, heading, loop_table, new_document,
                        page_break, paragraph, service_header, tag)

TABLE_SIZE = 10
TEXT_WIDTH_CM = 17.0

# on 17 cm, a dossier number and a total up to 99 999 999 F CFP each hold on one line
APPLICATIONS = (Column("N°", "{{ a.number }}", 3.1), Column("Dispositif", "{{ a.scheme }}", 3.4),
                Column("Aide demandée", "{{ a.aid_kind }}", 3.5),
                Column("Montant demandé", "{{ a.amount_asked }}", 3.6, right=True),
                Column("Référent", "{{ a.social_worker }}", 3.4))
APPLICATIONS_TOTAL = ("Total : {{ totals.count }} dossier{% if totals.count > 1 %}s{% endif %}", None, None, "{{ totals.amount_asked }}", "")

BY_SCHEME = (Column("Dispositif", "{{ s.scheme }}", 7.0), Column("Dossiers", "{{ s.count }}", 2.5, right=True),
             Column("Montant demandé", "{{ s.amount_asked }}", 3.6, right=True))

MEMBERS = (Column("Nom", "{{ m.full_name }}", 4.5), Column("Organisme", "{{ m.organisation }}", 4.5),
           Column("Fonction", "{{ m.function }}", 4.5), Column("Qualité", "{{ m.role }}", 3.5))

UNFILLED = "non renseigné"


def _said(name: str) -> str:
    """A detail's value, or « non renseigné » when the register leaves it empty: never a label with nothing after it."""
    return f"{{{{ a.{name} or '{UNFILLED}' }}}}"


DETAILS = (("Demandeur", _said("applicant")), ("Commune", _said("commune")), ("Dispositif", _said("scheme")),
           ("Nature de l'aide", _said("aid_kind")), ("Montant demandé", _said("amount_asked")),
           ("Date de dépôt", _said("filed_on")), ("Référent", _said("social_worker")),
           ("Observations", _said("notes")))

# the decisions in the service's own words (the first spelling its mapping lists)
# a box never ends a line apart from its word (a non-breaking space between them)
OPINION = ("☐\u00a0{{ opinions.accord }}     ☐\u00a0{{ opinions.accord_partiel }} : ............ F CFP     "
           "☐\u00a0{{ opinions.refus }}     ☐\u00a0{{ opinions.ajourne }}")


def build() -> Document:
    document = new_document(sober_headings=True)
    _cover(document)
    _agenda(document)
    _applications_summary(document)
    _application_pages(document)
    footer(document, "{{ committee.name }} – séance du {{ session.date_short }} – document confidentiel")
    return document


def _cover(document: Document) -> None:
    service_header(document)
    paragraph(document, "Dossier de séance", bold=True, size=30, align=CENTER, space_before=110, space_after=12)
    paragraph(document, "{{ committee.name }}", bold=True, size=18, align=CENTER, space_after=24)
    paragraph(document, "Séance du {{ session.date_long }}{% if session.time %} à {{ session.time }}{% endif %}", size=14, align=CENTER)
    paragraph(document, "{{ session.room }}{% if session.room_site %} – {{ session.room_site }}{% endif %}",
              size=12, align=CENTER)
    tag(document, "{%p if session.chair %}")
    paragraph(document, "Présidence : {{ session.chair }}", size=12, align=CENTER)
    tag(document, "{%p endif %}")
    tag(document, "{%p if is_update %}")
    paragraph(document, "{{ update_note }}", bold=True, align=CENTER, space_before=24)
    tag(document, "{%p endif %}")
    paragraph(document, "Document confidentiel : réservé aux membres de l'instance, à ne pas diffuser.",
              italic=True, align=CENTER, space_before=72)
    tag(document, "{%p if anonymised %}")
    paragraph(document, "Les demandeurs sont désignés par leurs initiales et le numéro de leur dossier.",
              italic=True, align=CENTER)
    tag(document, "{%p endif %}")
    page_break(document)


def _agenda(document: Document) -> None:
    heading(document, "Ordre du jour")
    agenda(document)
    paragraph(document, "Examen de {{ totals.count }} dossier{% if totals.count > 1 %}s{% endif %} de demande d'aide.", space_before=6)
    heading(document, "Membres convoqués")
    loop_table(document, MEMBERS, "m in members", size=TABLE_SIZE)


def _applications_summary(document: Document) -> None:
    heading(document, "Dossiers examinés")
    loop_table(document, APPLICATIONS, "a in applications", total=APPLICATIONS_TOTAL, size=TABLE_SIZE)
    heading(document, "Par dispositif", 2)
    loop_table(document, BY_SCHEME, "s in by_scheme", size=TABLE_SIZE)
    paragraph(document)  # the body must not end on a table when there is no application


def _application_pages(document: Document) -> None:
    tag(document, "{%p for a in applications %}")
    heading(document, "Dossier n° {{ a.number }}", new_page=True)
    details_table(document, DETAILS, (4.5, TEXT_WIDTH_CM - 4.5))
    paragraph(document, "Avis de la commission :", bold=True, space_before=18, space_after=4)
    paragraph(document, OPINION, space_after=12).paragraph_format.left_indent = Cm(0.5)
    for text in ("Motif :", "", ""):
        _dotted_line(document, text)
    tag(document, "{%p endfor %}")


def _dotted_line(document: Document, text: str) -> None:
    """``text`` then dots up to the right margin, for a handwritten answer."""
    line = paragraph(document, text, bold=True, space_after=10)
    line.add_run("\t")
    line.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
