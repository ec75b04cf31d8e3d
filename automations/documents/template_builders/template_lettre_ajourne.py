"""The letter telling an applicant that the committee postponed the examination of the application."""

from __future__ import annotations

from docx.document import Document

from .docx_parts import paragraph, tag
from .letter_parts import decision_letter

SUBJECT = "Objet : Votre demande d'aide – {{ application.aid_kind }}"


def build() -> Document:
    return decision_letter(SUBJECT, _body)


def _body(document: Document) -> None:
    paragraph(document, "Je vous informe que la commission a décidé d'ajourner l'examen de votre demande.")
    tag(document, "{%p if application.reason %}")
    paragraph(document, "Motif : {{ application.reason }}")
    tag(document, "{%p endif %}")
    paragraph(document, "Votre dossier sera examiné à nouveau lors d'une prochaine séance de la commission ; vous "
                        "n'avez pas à déposer une nouvelle demande.")
    tag(document, "{%p if social_worker %}")
    paragraph(document, "Je vous invite à prendre contact avec votre référent(e), {{ social_worker }}, afin de "
                        "compléter votre dossier si nécessaire.")
    tag(document, "{%p else %}")
    paragraph(document, "Je vous invite à prendre contact avec le service au {{ service.phone }} afin de compléter "
                        "votre dossier si nécessaire.")
    tag(document, "{%p endif %}")
