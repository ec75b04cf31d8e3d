"""The notice telling a supplier which aids granted at a session it will be paid for or will honour."""

from __future__ import annotations

from docx.document import Document

from .docx_parts import Column, loop_table, new_document, paragraph, tag
from .letter_parts import closing, correction, letter_top, opening, recipient

TABLE_SIZE = 10

SUPPLIER = (("{{ supplier.name }}", None), ("{{ supplier.address }}", "supplier.address"),
            ("RIDET : {{ supplier.ridet }}", "supplier.ridet"))

SUBJECT = "Objet : Aides accordées – séance {{ committee.of_name }} du {{ session.date_short }}"

# on 17 cm, a dossier number, a voucher number and a total up to 99 999 999 F CFP each hold on one line
AIDS = (Column("N°", "{{ r.index }}", 1.0), Column("Dossier", "{{ r.number }}", 3.1),
        Column("Bénéficiaire", "{{ r.beneficiary }}", 3.5), Column("Nature de l'aide", "{{ r.aid_kind }}", 3.0),
        Column("Montant", "{{ r.amount }}", 3.6, right=True), Column("Bon n°", "{{ r.voucher_number }}", 2.8))
AIDS_TOTAL = ("Total", None, None, None, "{{ total }}", "")


def build() -> Document:
    document = new_document()
    letter_top(document)
    recipient(document, SUPPLIER)
    correction(document)
    opening(document, SUBJECT)
    paragraph(document, "J'ai l'honneur de vous informer que, lors de sa séance du {{ session.date_long }}, la "
                        "commission a accordé les aides ci-dessous, dont vous êtes le fournisseur. Leur montant vous "
                        "sera réglé directement par le service{% if has_vouchers %} ; les aides assorties d'un bon "
                        "alimentaire sont à honorer sur présentation du bon, dans la limite de son montant et de sa "
                        "durée de validité{% endif %}.", space_after=10)
    loop_table(document, AIDS, "r in rows", total=AIDS_TOTAL, size=TABLE_SIZE)
    paragraph(document, "Soit {{ count }} aide{% if count > 1 %}s{% endif %} pour un montant total de {{ total }} ({{ total_words }}).",
              space_before=10)
    tag(document, "{%p if has_vouchers %}")
    paragraph(document, "Les bons alimentaires sont nominatifs : avant de les honorer, je vous remercie de vérifier "
                        "le numéro et la clé de contrôle du bon auprès du service, puis de nous retourner les bons revêtus de votre cachet avec votre facture.")
    tag(document, "{%p endif %}")
    paragraph(document, "Pour le règlement, je vous remercie d'adresser votre facture au service en rappelant le "
                        "numéro de dossier de chaque bénéficiaire. Ces informations sont confidentielles et ne "
                        "peuvent être utilisées qu'à cette fin.")
    closing(document)
    return document
