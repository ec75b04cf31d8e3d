"""The food voucher (bon alimentaire): printed by the service, handed to the beneficiary and honoured by a
supplier, who checks its number and control key with the service."""

from __future__ import annotations

from docx.document import Document
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.shared import Cm, Pt

from .docx_parts import CENTER, details_table, new_document, paragraph, service_header, set_widths
from .letter_parts import correction, reference

TEXT_WIDTH_CM = 17.0

DETAILS = (("Bénéficiaire", "{{ beneficiary.name }}"),
           ("Adresse", "{{ beneficiary.address }}{% if beneficiary.address and beneficiary.commune %}, {% endif %}"
                       "{{ beneficiary.commune }}"),
           ("Nature de l'aide", "{{ voucher.aid_kind }}"),
           ("Montant", "{{ voucher.amount }}"),
           ("Montant en lettres", "{{ voucher.amount_words }}"),
           ("Fournisseur", "{% if supplier.name %}{{ supplier.name }}{% else %}Tout fournisseur conventionné"
                           "{% endif %}"),
           ("Adresse du fournisseur", "{{ supplier.address }}"),
           ("Dossier n°", "{{ application.number }}"),
           ("Émis le", "{{ voucher.issued_on }}"))

SERVICE_BOX = ("Pour le service : cachet et signature", "{{ service.signatory }}", "{{ service.signatory_title }}")
SUPPLIER_BOX = ("Cachet et signature du fournisseur", "Date de délivrance :", "")

NOTE = ("Bon nominatif, non fractionnable, non échangeable contre des espèces. Le fournisseur vérifie le numéro et "
        "la clé auprès du service.")


def build() -> Document:
    document = new_document(margin_cm=1.5)
    service_header(document)
    reference(document)
    correction(document)
    paragraph(document, "BON ALIMENTAIRE N° {{ voucher.number }}", bold=True, size=18, align=CENTER, space_before=6,
              space_after=2)
    paragraph(document, "Clé de contrôle : {{ voucher.control_key }}", bold=True, size=12, align=CENTER,
              space_after=2)
    paragraph(document, "Aide accordée lors de la séance {{ committee.of_name }} du {{ session.date_short }}",
              size=9, align=CENTER, space_after=10)
    details_table(document, DETAILS, (5.0, TEXT_WIDTH_CM - 5.0))
    paragraph(document, "Valable jusqu'au {{ voucher.valid_until }}", bold=True, size=13, align=CENTER,
              space_before=10, space_after=10)
    _stamp_boxes(document)
    paragraph(document, NOTE, italic=True, size=8, align=CENTER, space_before=8)
    return document


def _stamp_boxes(document: Document) -> None:
    """Two boxes side by side for the service's and the supplier's stamps and signatures."""
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    row = table.rows[0]
    row.height, row.height_rule = Cm(3.5), WD_ROW_HEIGHT_RULE.AT_LEAST
    for cell, (title, *lines) in zip(row.cells, (SERVICE_BOX, SUPPLIER_BOX)):
        cell.paragraphs[0].add_run(title).bold = True
        for line in lines:
            if line:
                run = cell.add_paragraph().add_run(line)
                run.font.size = Pt(9)
    set_widths(table, (TEXT_WIDTH_CM / 2, TEXT_WIDTH_CM / 2))
