"""The convocation: the letter convening the committee's members to a session."""

from __future__ import annotations

from docx.document import Document

from .docx_parts import RIGHT, Column, loop_table, new_document, paragraph, service_header, signature, tag

MEMBERS = (Column("Nom", "{{ m.full_name }}"), Column("Organisme", "{{ m.organisation }}"),
           Column("Fonction", "{{ m.function }}"), Column("Qualité", "{{ m.role }}"))


def build() -> Document:
    document = new_document()
    service_header(document)
    paragraph(document, "{{ service.city }}, le {{ letter_date }}", align=RIGHT, space_after=18)
    tag(document, "{%p if is_update %}")
    paragraph(document, "{{ update_note }}", bold=True)
    tag(document, "{%p endif %}")
    paragraph(document, "Objet : Convocation – {{ committee.name }}", bold=True, space_after=12)
    paragraph(document, "Mesdames, Messieurs les membres,", space_after=12)
    paragraph(document, "J'ai l'honneur de vous convier à la séance {{ committee.of_name }} qui se tiendra "
                        "le {{ session.date_long }} de {{ session.time }} à {{ session.end_time }}, "
                        "{{ session.room }}{% if session.room_site %} ({{ session.room_site }}){% endif %}.")
    paragraph(document, "{% if session.chair %}La séance sera présidée par {{ session.chair }}.{% endif %}")
    paragraph(document, "Ordre du jour :", bold=True, space_after=2)
    tag(document, "{%p for item in session.agenda_items %}")
    paragraph(document, "{{ item }}", style="List Bullet", space_after=0)
    tag(document, "{%p endfor %}", space_after=8)
    paragraph(document, "Membres convoqués :", bold=True, space_after=4)
    loop_table(document, MEMBERS, "m in members", padded=False, repeat_header=False)
    paragraph(document, "", space_after=6)
    paragraph(document, "En cas d'empêchement, je vous remercie d'en informer le secrétariat dans les meilleurs "
                        "délais afin que votre suppléant(e) puisse siéger.", space_after=12)
    paragraph(document, "Je vous prie d'agréer, Mesdames, Messieurs, l'expression de mes salutations distinguées.",
              space_after=24)
    signature(document)
    return document
