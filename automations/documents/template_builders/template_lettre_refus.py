"""The letter telling an applicant that the committee refused the aid, with the means of appeal."""

from __future__ import annotations

from docx.document import Document

from .docx_parts import paragraph, tag
from .letter_parts import decision_letter

SUBJECT = "Objet : Réponse à votre demande d'aide"

GENERIC_REASON = ("Au regard des éléments de votre dossier, votre demande ne remplit pas les conditions "
                  "d'attribution de cette aide.")

APPEAL = ("Vous pouvez contester cette décision dans un délai de deux mois à compter de sa notification, soit par "
          "un recours gracieux adressé au président de la commission, soit par un recours contentieux devant le "
          "tribunal administratif de Nouméa.")


def build() -> Document:
    return decision_letter(SUBJECT, _body)


def _body(document: Document) -> None:
    paragraph(document, "J'ai le regret de vous informer que la commission n'a pas pu donner une suite favorable "
                        "à votre demande{% if application.aid_kind %} d'aide « {{ application.aid_kind }} »"
                        "{% endif %}.")
    tag(document, "{%p if application.reason %}")
    paragraph(document, "Motif : {{ application.reason }}")
    tag(document, "{%p else %}")
    paragraph(document, GENERIC_REASON)
    tag(document, "{%p endif %}")
    tag(document, "{%p if social_worker %}")
    paragraph(document, "Votre référent(e), {{ social_worker }}, reste à votre disposition pour étudier avec vous "
                        "d'autres solutions.")
    tag(document, "{%p endif %}")
    paragraph(document, APPEAL)
