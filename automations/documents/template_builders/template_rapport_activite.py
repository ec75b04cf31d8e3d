"""The annual activity report (rapport d'activité): a narrative with the year's key figures, for staff to finish.

The renderer (``automations/annual_document.py``) fills ``k`` with the key figures already written in French,
``tables.<key>`` with a Word table per report table and ``charts.<key>`` with its chart; a table the report does
not have renders as nothing. Tables the template does not place come in ``others``, before the conclusion.
"""

from __future__ import annotations

from docx.document import Document
from docx.enum.text import WD_COLOR_INDEX

from .docx_parts import CENTER, footer, heading, new_document, paragraph, tag

PREVIOUS_YEAR = "{{ year - 1 }}"


def build() -> Document:
    document = new_document(sober_headings=True)
    _title(document)
    heading(document, "Introduction")
    paragraph(document, "Ce rapport présente l'activité des commissions d'aide du service en {{ year }} : les "
                        "séances tenues, les demandes examinées, les décisions prises et les aides accordées, "
                        "avec, pour chaque chiffre, celui de l'année précédente. Les chiffres sont établis à partir des "
                        "registres tenus par le service ; les lignes de registre qui n'ont pas pu être comptées "
                        "sont listées dans le classeur joint (feuille « Lignes écartées »), qui reprend aussi "
                        "chaque tableau et chaque graphique sous une forme modifiable.")
    # a year the registers hold nothing for says so, instead of tables of zeros
    tag(document, "{%p if no_data %}")
    paragraph(document, "Les registres du service ne contiennent aucune donnée pour {{ year }} : ni demande, ni "
                        "séance, ni courrier datés de cette année. Ce rapport n'a donc pas de chiffres à présenter.",
              bold=True)
    tag(document, "{%p else %}")
    _sessions(document)
    _applications(document)
    _decisions(document)
    _amounts(document)
    _territory(document)
    _delays(document)
    _vouchers(document)
    _mail(document)
    _others(document)
    tag(document, "{%p endif %}")
    _conclusion(document)
    footer(document, "Rapport d'activité {{ year }}")
    return document


def _title(document: Document) -> None:
    paragraph(document, "Rapport d'activité {{ year }}", bold=True, size=20, align=CENTER, space_before=24,
              space_after=6)
    paragraph(document, "{{ service }}", bold=True, size=13, align=CENTER, space_after=6)
    paragraph(document, "Commissions d'aide – année {{ year }}", align=CENTER, space_after=2)
    paragraph(document, "Chiffres établis le {{ generated_on }}", italic=True, size=9, align=CENTER, space_after=18)


def _sessions(document: Document) -> None:
    heading(document, "Les séances")
    # ``nb.<figure>``: the count with its noun agreed (« 1 séance annulée », « 2 séances annulées »)
    paragraph(document, "En {{ year }} : {{ nb.sessions_held }} ({{ k.sessions_held_previous }} en "
                        f"{PREVIOUS_YEAR}), {{{{ nb.sessions_cancelled }}}} ({{{{ k.sessions_cancelled_previous }}}} "
                        f"en {PREVIOUS_YEAR}) et {{{{ nb.sessions_postponed }}}} "
                        f"({{{{ k.sessions_postponed_previous }}}} en {PREVIOUS_YEAR}).")
    _table(document, "seances")
    _table(document, "seances_mois")
    # ``planned``: planned against held, and how many the tool proposed; empty for a year without a planning
    tag(document, "{%p if planned %}")
    paragraph(document, "{{ planned }}")
    tag(document, "{%p endif %}")
    _table(document, "planifiees")


def _applications(document: Document) -> None:
    heading(document, "Les demandes examinées")
    paragraph(document, "Le service a reçu {{ nb.applications_received }} en {{ year }} "
                        f"({{{{ k.applications_received_previous }}}} en {PREVIOUS_YEAR}). Les commissions en ont "
                        "examiné {{ k.applications_examined }} au cours de l'année "
                        f"({{{{ k.applications_examined_previous }}}} en {PREVIOUS_YEAR}).")
    _table(document, "demandes")
    _table(document, "demandes_dispositif")
    _table(document, "demandes_aide")


def _decisions(document: Document) -> None:
    heading(document, "Les décisions")
    paragraph(document, "Les commissions ont rendu {{ nb.applications_decided }} : {{ nb.accords }}, dont "
                        "{{ nb.partial_accords }}, {{ nb.refusals }} et {{ nb.adjourned }}. Le taux d'accord, "
                        "accords partiels compris, s'établit à "
                        f"{{{{ k.acceptance_rate }}}} ({{{{ k.acceptance_rate_previous }}}} en {PREVIOUS_YEAR}).")
    _table(document, "decisions")


def _amounts(document: Document) -> None:
    heading(document, "Les montants accordés")
    paragraph(document, "Les demandes examinées portaient sur {{ k.amount_asked }} "
                        f"({{{{ k.amount_asked_previous }}}} en {PREVIOUS_YEAR}). Les commissions ont accordé "
                        f"{{{{ k.amount_granted }}}} ({{{{ k.amount_granted_previous }}}} en {PREVIOUS_YEAR}).")
    _table(document, "montants")


def _territory(document: Document) -> None:
    tag(document, "{%p if has.territoire %}")
    heading(document, "Le territoire")
    paragraph(document, "Les demandes et les aides accordées se répartissent ainsi selon le lieu de résidence des "
                        "demandeurs.")
    _table(document, "territoire")
    _table(document, "territoire_district")  # a CCAS of the Islands counts by tribe, then by district
    tag(document, "{%p endif %}")


def _delays(document: Document) -> None:
    heading(document, "Les délais")
    paragraph(document, "Entre le dépôt d'une demande et son examen en séance, il s'est écoulé en médiane "
                        f"{{{{ k.median_days_to_session }}}} ({{{{ k.median_days_to_session_previous }}}} en "
                        f"{PREVIOUS_YEAR}) ; entre la séance et la notification de la décision au demandeur, "
                        "{{ k.median_days_to_notification }} "
                        f"({{{{ k.median_days_to_notification_previous }}}} en {PREVIOUS_YEAR}).")
    _table(document, "delais")


def _vouchers(document: Document) -> None:
    heading(document, "Les bons et les fournisseurs")
    paragraph(document, "En {{ year }}, le service a émis {{ nb.vouchers_count }} "
                        f"({{{{ k.vouchers_count_previous }}}} en {PREVIOUS_YEAR}), pour "
                        f"{{{{ k.vouchers_amount }}}} ({{{{ k.vouchers_amount_previous }}}} en {PREVIOUS_YEAR}). "
                        "Les aides versées aux "
                        "fournisseurs (bailleurs, fournisseurs d'énergie et d'eau, commerces) sont détaillées "
                        "ci-dessous.")
    _table(document, "bons")
    _table(document, "fournisseurs")


def _mail(document: Document) -> None:
    tag(document, "{%p if has.courrier %}")
    heading(document, "Le courrier")
    # ``nb.mail_in``: « arrivé : 320 courriers (300 en …) », or « arrivé : registre non tenu »
    paragraph(document, "Courrier enregistré en {{ year }} – {{ nb.mail_in }} ; {{ nb.mail_out }}. "
                        "En voici le volume mois par mois.")
    _table(document, "courrier")
    tag(document, "{%p if has.courrier_expediteurs %}")
    paragraph(document, "Les expéditeurs les plus fréquents du courrier arrivé, et les réponses que le service y "
                        "a apportées :")
    _table(document, "courrier_expediteurs")
    # ``mail_answers``: answered or not, mean and median time to answer, or why they cannot be counted
    paragraph(document, "{{ mail_answers }}")
    _table(document, "courrier_reponses")
    tag(document, "{%p endif %}")
    tag(document, "{%p endif %}")


def _others(document: Document) -> None:
    tag(document, "{%p if others %}")
    heading(document, "Autres chiffres de l'année")
    tag(document, "{%p for other in others %}")
    paragraph(document, "{{p other.table }}")
    _chart(document, "other.chart")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")


def _conclusion(document: Document) -> None:
    heading(document, "Conclusion")
    to_complete = paragraph(document, "[À compléter par le service] Faits marquants de l'année, évolution des "
                                      "demandes et du public accueilli, perspectives pour {{ year + 1 }}.", bold=True)
    to_complete.runs[0].font.highlight_color = WD_COLOR_INDEX.YELLOW


def _table(document: Document, key: str) -> None:
    """Where the renderer puts the table ``key`` and, below it, its chart."""
    paragraph(document, f"{{{{p tables.{key} }}}}")
    _chart(document, f"charts.{key}")


def _chart(document: Document, expression: str) -> None:
    tag(document, f"{{%p if {expression} %}}")
    paragraph(document, f"{{{{ {expression} }}}}", align=CENTER, space_before=6, space_after=12)
    tag(document, "{%p endif %}")
