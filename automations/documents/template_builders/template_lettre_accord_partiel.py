"""The letter telling an applicant that the committee granted part of the amount asked for."""

from __future__ import annotations

from docx.document import Document

from .docx_parts import paragraph, tag
from .letter_parts import decision_letter, payment

SUBJECT = "Objet : Votre demande d'aide – {{ application.aid_kind }}"


def build() -> Document:
    return decision_letter(SUBJECT, _body)


def _body(document: Document) -> None:
    paragraph(document, "Je vous informe que la commission a émis un avis partiellement favorable et vous accorde "
                        "une aide « {{ application.aid_kind }} » d'un montant de {{ application.amount_granted }}"
                        "{% if application.amount_granted_words %} ({{ application.amount_granted_words }}){% endif %}"
                        "{% if application.amount_asked %}, sur les {{ application.amount_asked }} demandés"
                        "{% endif %}.")
    tag(document, "{%p if application.reason %}")
    paragraph(document, "Motif de l'accord partiel : {{ application.reason }}")
    tag(document, "{%p endif %}")
    payment(document)
