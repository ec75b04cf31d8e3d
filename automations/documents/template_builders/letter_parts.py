"""Pieces shared by the letters sent after a session (decision letters, notice to a supplier) and the
food voucher: the top of a letter, the corrective notice, the recipient block and the closing."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from docx.document import Document
from docx.shared import Cm

from .docx_parts import CENTER, RIGHT, new_document, paragraph, service_header, signature, tag

RECIPIENT_INDENT = Cm(9)

APPLICANT = (("{{ applicant.name }}", None), ("{{ applicant.address }}", "applicant.address"),
             ("{{ applicant.commune }}", "applicant.commune"))

CLOSING = "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées."


def letter_top(document: Document, *, file_line: str | None = None) -> None:
    """The service's header, the place and date, the outgoing-mail reference when there is one and
    ``file_line`` (e.g. the application's number)."""
    service_header(document)
    paragraph(document, "{{ service.city }}, le {{ letter_date }}", align=RIGHT, space_after=12)
    reference(document)
    if file_line:
        paragraph(document, file_line, space_after=0)


def reference(document: Document) -> None:
    """The "N/Réf." line, left out when the letter has no outgoing-mail number."""
    tag(document, "{%p if reference %}")
    paragraph(document, "N/Réf. : {{ reference }}", space_after=0)
    tag(document, "{%p endif %}")


def correction(document: Document) -> None:
    """The "RECTIFICATIF" heading and its note, shown only when the document replaces an earlier one."""
    tag(document, "{%p if correction %}")
    paragraph(document, "RECTIFICATIF", bold=True, size=14, align=CENTER, space_before=12, space_after=2)
    paragraph(document, "{{ correction_note }}", italic=True, align=CENTER)
    tag(document, "{%p endif %}")


def recipient(document: Document, lines: Sequence[tuple[str, str | None]]) -> None:
    """The addressee's block on the right; a line with a condition shows only when it holds."""
    first = True
    for text, condition in lines:
        if condition:
            tag(document, f"{{%p if {condition} %}}")
        line = paragraph(document, text, bold=first, space_before=18 if first else 0, space_after=0)
        line.paragraph_format.left_indent = RECIPIENT_INDENT
        if condition:
            tag(document, "{%p endif %}")
        first = False


def opening(document: Document, subject: str) -> None:
    """The subject line then the salutation."""
    paragraph(document, subject, bold=True, space_before=18, space_after=12)
    paragraph(document, "Madame, Monsieur,", space_after=12)


def closing(document: Document) -> None:
    """The closing formula and the signatory."""
    paragraph(document, CLOSING, space_before=6, space_after=24).paragraph_format.keep_with_next = True
    signature(document, keep_together=True)


def decision_letter(subject: str, body: Callable[[Document], None]) -> Document:
    """A letter telling an applicant the committee's decision; ``body`` writes what is decided."""
    document = new_document()
    letter_top(document, file_line="Dossier n° {{ application.number }}"
                                   "{% if application.scheme %} – {{ application.scheme }}{% endif %}")
    recipient(document, APPLICANT)
    correction(document)
    opening(document, subject)
    paragraph(document, "Votre demande d'aide{% if application.filed_on %}, déposée le {{ application.filed_on }},"
                        "{% endif %} a été examinée lors de la séance {{ committee.of_name }} du "
                        "{{ session.date_long }}.")
    body(document)
    closing(document)
    return document


def payment(document: Document) -> None:
    """How a granted aid reaches the applicant: paid to the supplier, and the food voucher if any."""
    tag(document, "{%p if application.supplier %}")
    paragraph(document, "Ce montant sera versé directement au fournisseur, {{ application.supplier }} ; vous n'avez "
                        "aucune avance à faire.")
    tag(document, "{%p endif %}")
    tag(document, "{%p if voucher %}")
    paragraph(document, "Le bon alimentaire n° {{ voucher.number }} correspondant est joint à ce courrier ; il peut "
                        "aussi être retiré auprès du service. Il est valable jusqu'au {{ voucher.valid_until }} et "
                        "doit être présenté au fournisseur.")
    tag(document, "{%p endif %}")
