"""The minutes (compte rendu) of a session: who attended, the agenda, the decisions and their totals."""

from __future__ import annotations

from docx.document import Document

from .docx_parts import (CENTER, RIGHT, Column, agenda, footer, heading, loop_table, new_document, paragraph,
                        service_header, signature, tag)

TABLE_SIZE = 9
# eight columns on 18 cm: in 8 points the dossier numbers, amounts up to 9 999 999 F CFP and every header
# word fit on one line, even in the wider font LibreOffice uses where Calibri is missing
DECISIONS_SIZE = 8

DECISIONS = (Column("N°", "{{ a.number }}", 2.5), Column("Demandeur", "{{ a.applicant }}", 2.1),
             Column("Dispositif", "{{ a.scheme }}", 1.8), Column("Aide", "{{ a.aid_kind }}", 1.9),
             Column("Montant demandé", "{{ a.amount_asked }}", 2.8, right=True),
             # wide enough for a service's own word (« Avis défavorable ») not to break inside a word
             Column("Décision", "{{ a.decision }}", 2.1),
             Column("Montant accordé", "{{ a.amount_granted }}", 2.8, right=True),
             Column("Motif", "{{ a.reason }}", 2.0))
DECISIONS_TOTAL = ("Total : {{ totals.count }} dossier{% if totals.count > 1 %}s{% endif %}", None, None, None, "{{ totals.amount_asked }}", "",
                   "{{ totals.amount_granted }}", "")

BY_SCHEME = (Column("Dispositif", "{{ s.scheme }}", 4.2), Column("Dossiers", "{{ s.count }}", 1.8, right=True),
             Column("Accords", "{{ s.accords }}", 1.7, right=True), Column("Refus", "{{ s.refus }}", 1.5, right=True),
             Column("Ajournés", "{{ s.ajournes }}", 1.9, right=True),
             Column("Montant demandé", "{{ s.amount_asked }}", 3.4, right=True),
             Column("Montant accordé", "{{ s.amount_granted }}", 3.4, right=True))
BY_SCHEME_TOTAL = ("Total", "{{ totals.count }}", "{{ totals.accords }}", "{{ totals.refus }}", "{{ totals.ajournes }}",
                   "{{ totals.amount_asked }}", "{{ totals.amount_granted }}")


def build() -> Document:
    document = new_document(margin_cm=1.5, sober_headings=True)
    _title(document)
    _attendance(document)
    _agenda(document)
    _decisions(document)
    place = paragraph(document, "Fait à {{ service.city }}, le {{ letter_date }}", align=RIGHT, space_before=18,
                      space_after=12)
    place.paragraph_format.keep_with_next = True
    signature(document, keep_together=True)
    footer(document, "{{ committee.name }} – compte rendu de la séance du {{ session.date_short }}"
                     "{% if draft %} – projet{% endif %}")
    return document


def _title(document: Document) -> None:
    service_header(document)
    paragraph(document, "{% if draft %}PROJET – {% endif %}Compte rendu de la séance {{ committee.of_name }}",
              bold=True, size=15, align=CENTER, space_after=6)
    tag(document, "{%p if draft %}")
    paragraph(document, "Projet établi automatiquement à partir des registres : à relire, compléter et valider "
                        "avant diffusion.", italic=True, size=10, align=CENTER)
    tag(document, "{%p endif %}")
    paragraph(document, "Séance du {{ session.date_long }}{% if session.time %}, de {{ session.time }} à {{ session.end_time }}{% endif %}, "
                        "{{ session.room }}{% if session.room_site %} ({{ session.room_site }}){% endif %}",
              align=CENTER, space_before=6, space_after=2)
    tag(document, "{%p if session.chair %}")
    paragraph(document, "Présidence : {{ session.chair }}", align=CENTER)
    tag(document, "{%p endif %}")


def _attendance(document: Document) -> None:
    heading(document, "Membres présents")
    _people(document, "p in present", "{{ p.full_name }}{% if p.organisation %} ({{ p.organisation }}){% endif %}, {{ p.role }}"
                                      "{% if p.replaces %}, suppléant(e) de {{ p.replaces }}{% endif %}")
    tag(document, "{%p if not present %}")
    paragraph(document, "Aucun membre enregistré comme présent.")
    tag(document, "{%p endif %}")
    heading(document, "Excusés", 2)
    _people(document, "p in excused", "{{ p.full_name }}{% if p.organisation %} ({{ p.organisation }}){% endif %}, {{ p.role }}")
    tag(document, "{%p if not excused %}")
    paragraph(document, "Néant.")
    tag(document, "{%p endif %}")
    tag(document, "{%p if not attendance_known %}")
    paragraph(document, "Présences à compléter : les réponses des membres n'étaient pas connues.", bold=True,
              space_before=6)
    tag(document, "{%p endif %}")
    tag(document, "{%p if no_answer %}")
    heading(document, "Absents sans réponse", 2)
    _people(document, "p in no_answer", "{{ p.full_name }}{% if p.organisation %} ({{ p.organisation }}){% endif %}, {{ p.role }}")
    tag(document, "{%p endif %}")
    tag(document, "{%p if quorum.text %}")
    paragraph(document, "Vérification du quorum : {{ quorum.text }}", space_before=6)
    tag(document, "{%p endif %}")


def _people(document: Document, loop: str, line: str) -> None:
    tag(document, f"{{%p for {loop} %}}")
    paragraph(document, line, style="List Bullet", space_after=0)
    tag(document, "{%p endfor %}")


def _agenda(document: Document) -> None:
    heading(document, "Ordre du jour")
    agenda(document)


def _decisions(document: Document) -> None:
    heading(document, "Décisions")
    tag(document, "{%p if anonymised %}")
    paragraph(document, "Les demandeurs sont désignés par leurs initiales et le numéro de leur dossier.",
              italic=True, size=9)
    tag(document, "{%p endif %}")
    loop_table(document, DECISIONS, "a in applications", total=DECISIONS_TOTAL, size=DECISIONS_SIZE)
    heading(document, "Totaux par dispositif", 2)
    loop_table(document, BY_SCHEME, "s in by_scheme", total=BY_SCHEME_TOTAL, size=TABLE_SIZE)
