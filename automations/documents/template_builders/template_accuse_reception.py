"""The acknowledgement of an application: filing date, the session expected to examine it, the referent and
the documents still missing."""

from __future__ import annotations

from docx.document import Document
from docx.shared import Cm

from .docx_parts import new_document, paragraph, tag
from .letter_parts import APPLICANT, closing, letter_top, opening, recipient

SUBJECT = "Objet : Accusé de réception de votre demande d'aide"
FILE_LINE = "Dossier n° {{ application.number }}{% if application.scheme %} – {{ application.scheme }}{% endif %}"


def build() -> Document:
    document = applicant_letter(SUBJECT)
    paragraph(document, "Nous avons bien reçu votre demande d'aide{% if application.aid_kind %} "
                        "« {{ application.aid_kind }} »{% endif %}, déposée le {{ application.filed_on }} et "
                        "enregistrée sous le numéro {{ application.number }}.")
    session(document)
    missing(document, "Pour que votre dossier puisse être examiné, les pièces suivantes doivent encore nous "
                      "parvenir :")
    tag(document, "{%p if not missing %}")
    paragraph(document, "Votre dossier est complet à ce jour.")
    tag(document, "{%p endif %}")
    referent(document)
    closing(document)
    return document


def applicant_letter(subject: str) -> Document:
    """A new letter to the applicant, down to the salutation: the service, the file, the addressee, ``subject``."""
    document = new_document()
    letter_top(document, file_line=FILE_LINE)
    recipient(document, APPLICANT)
    opening(document, subject)
    return document


def session(document: Document) -> None:
    """The session expected to examine the file, or the date to come."""
    tag(document, "{%p if session %}")
    paragraph(document, "Elle sera examinée lors de la séance {{ committee.of_name }} du {{ session.date_long }}.")
    tag(document, "{%p elif committee %}")
    paragraph(document, "Elle sera examinée en séance {{ committee.of_name }} ; la date de cette séance vous sera "
                        "communiquée ultérieurement.")
    tag(document, "{%p else %}")
    paragraph(document, "La date de la séance qui l'examinera vous sera communiquée ultérieurement.")
    tag(document, "{%p endif %}")


def missing(document: Document, intro: str) -> None:
    """The documents still missing, one per line, under ``intro``; nothing when the file is complete."""
    tag(document, "{%p if missing %}")
    paragraph(document, intro, space_after=2)
    tag(document, "{%p for piece in missing %}")
    paragraph(document, "– {{ piece }}", space_after=0).paragraph_format.left_indent = Cm(0.6)
    tag(document, "{%p endfor %}")
    paragraph(document, "Merci de les déposer ou de les adresser au service dans les meilleurs délais, en "
                        "rappelant le numéro de votre dossier.", space_before=6)
    tag(document, "{%p endif %}")


def referent(document: Document) -> None:
    tag(document, "{%p if social_worker %}")
    paragraph(document, "Votre référent(e), {{ social_worker }}, reste à votre disposition pour toute question.")
    tag(document, "{%p endif %}")
