"""The reminder sent while documents of an application are still missing."""

from __future__ import annotations

from docx.document import Document

from .docx_parts import paragraph, tag
from .letter_parts import closing
from .template_accuse_reception import applicant_letter, missing, referent

SUBJECT = "Objet : Relance – pièces manquantes à votre demande d'aide"


def build() -> Document:
    document = applicant_letter(SUBJECT)
    paragraph(document, "Votre demande d'aide n° {{ application.number }}, déposée le {{ application.filed_on }}, "
                        "a fait l'objet d'un accusé de réception le {{ acknowledged_on }}. À ce jour, votre dossier "
                        "reste incomplet.")
    missing(document, "Les pièces suivantes ne nous sont pas encore parvenues :")
    tag(document, "{%p if session %}")
    paragraph(document, "Sans elles, votre demande ne pourra pas être présentée à la séance {{ committee.of_name }} "
                        "du {{ session.date_long }}.")
    tag(document, "{%p else %}")
    paragraph(document, "Sans elles, votre demande ne pourra pas être présentée en commission.")
    tag(document, "{%p endif %}")
    referent(document)
    closing(document)
    return document
