"""The letter telling an applicant that the committee granted the aid asked for."""

from __future__ import annotations

from docx.document import Document

from .docx_parts import paragraph
from .letter_parts import decision_letter, payment

SUBJECT = "Objet : Votre demande d'aide – {{ application.aid_kind }}"


def build() -> Document:
    return decision_letter(SUBJECT, _body)


def _body(document: Document) -> None:
    paragraph(document, "J'ai le plaisir de vous informer que la commission a émis un avis favorable et vous accorde "
                        "une aide « {{ application.aid_kind }} » d'un montant de {{ application.amount_granted }}"
                        "{% if application.amount_granted_words %} ({{ application.amount_granted_words }})"
                        "{% endif %}.")
    payment(document)
