"""The annual report's two files: the Excel workbook (figures, sheets, native charts) and the Word report."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.table import Table as WordTable
from docx.table import _Row
from docx.shared import Cm
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart, PieChart

from automations.annual_report.document import write_document
from automations.annual_report.figures import build_report
from automations.annual_report.model import AnnualData, AnnualReport, Chart, Column, ExcludedRow, Table
from automations.annual_report.workbook import write_workbook
from automations.errors import TemplateError

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "rapport_activite.docx"
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")

# the shapes of annual_figures' tables: a commission's twelve months side by side, two years, a total row
SESSIONS = Table(
    "seances", "Séances par commission",
    (Column("Commission"), *(Column(month, "int") for month in MONTHS), Column("Total", "int"),
     Column("Annulées", "int"), Column("Reportées", "int"), Column("Total 2025", "int"),
     Column("Évolution", "change")),
    (("Commission maintien dans le logement", *[1] * 11, 0, 11, 1, 0, 10, 0.1),
     ("Commission première entrée", *[1] * 9, 0, 0, 0, 9, 0, 1, 9, 0.0),
     ("Commission d'aide facultative", *[0, 1, 0] * 4, 4, 0, 0, 3, 1 / 3), ("Total", *[2] * 12, 24, 1, 1, 22, 0.0909)),
    note="Séances tenues (statut « tenue ») par mois de leur date.", total=True)
SESSIONS_BY_MONTH = Table(
    "seances_mois", "Séances tenues par mois",
    (Column("Mois"), Column("Séances 2026", "int"), Column("Séances 2025", "int"), Column("Évolution", "change")),
    (*((month, 2, 2, 0.0) for month in MONTHS), ("Total", 24, 24, 0.0)),
    chart=Chart("line", "Séances tenues par mois", 0, (1, 2)), total=True)
APPLICATIONS = Table(
    "demandes", "Demandes de l'année",
    (Column("Demandes"), Column("Demandes 2026", "int"), Column("Demandes 2025", "int"),
     Column("Évolution", "change")),
    (("Reçues", 1234, 1100, 0.1218), ("Examinées", 1120, 1015, 0.1034), ("Décidées", 1120, 1015, 0.1034)),
    chart=Chart("column", "Demandes par année", 0, (1, 2)))
DECISIONS = Table(
    "decisions", "Décisions", (Column("Décision"), Column("Dossiers", "int"), Column("Part", "percent")),
    (("Accord", 640, 0.5714), ("Accord partiel", 58, 0.0518), ("Refus", 312, 0.2786), ("Ajourné", 110, 0.0982),
     ("Total", 1120, 1.0)),
    chart=Chart("pie", "Répartition des décisions", 0, (1,)), total=True)
AMOUNTS = Table(
    "montants", "Montants par type d'aide",
    (Column("Type d'aide"), Column("Montant demandé", "xpf"), Column("Montant accordé", "xpf"),
     Column("Évolution de l'accordé", "change")),
    (("Maintien dans le logement", 18_450_000, 12_345_000, 0.12), ("Aide à l'énergie", 4_200_500, 3_100_000, -0.05),
     ("Aide alimentaire", 2_400_000, 2_150_000, 0.0), ("Total", 25_050_500, 17_595_000, 0.07)),
    chart=Chart("bar", "Montants accordés par dispositif", 0, (1, 2)), total=True,
    note="Montants en F CFP ; l'évolution compare l'accordé à celui de 2025.")
DELAYS = Table(
    "delais", "Délais de traitement",
    (Column("Instance"), Column("Dépôt → séance (jours)", "days"),
     Column("Séance → notification (jours)", "days")),
    (("Commission maintien dans le logement", 18.5, 6.0), ("Commission première entrée", 21.0, 4.5)))
SUPPLIERS = Table(
    "fournisseurs", "Fournisseurs", (Column("Fournisseur"), Column("Aides", "int"), Column("Montant", "xpf")),
    (("Épicerie Wéa & Fils", 211, 3_587_000), ("+687 Services", 12, 240_000), ("@Gaz Païta", 3, 19_500)))
# a table the template does not name, whose title is another table's: a sheet of its own, and in "others"
EXTRA = Table("decisions_instance", "Décisions", (Column("Instance"), Column("Accords", "int")),
              (("Commission première entrée", 120),))

KEY_FIGURES = {
    "sessions_held": 24, "sessions_held_previous": 22, "sessions_cancelled": 1, "sessions_cancelled_previous": 2,
    "sessions_postponed": 1, "sessions_postponed_previous": 0, "partial_accords": 58, "partial_accords_previous": 41,
    "mail_in": None, "mail_in_previous": None, "mail_out": None, "mail_out_previous": None,
    "applications_received": 1234, "applications_received_previous": 1100,
    "applications_examined": 1120, "applications_examined_previous": 1015,
    "applications_decided": 1120, "applications_decided_previous": 1015,
    "accords": 698, "accords_previous": 600, "refusals": 312, "refusals_previous": 300,
    "adjourned": 110, "adjourned_previous": 115, "acceptance_rate": 0.6232, "acceptance_rate_previous": 0.5911,
    "amount_asked": 25_050_500, "amount_asked_previous": 22_000_000,
    "amount_granted": 17_595_000, "amount_granted_previous": 16_443_925,
    "vouchers_count": 214, "vouchers_count_previous": None, "vouchers_amount": 3_606_500,
    "vouchers_amount_previous": None, "median_days_to_session": 19.0, "median_days_to_session_previous": 23.5,
    "median_days_to_notification": 5.5, "median_days_to_notification_previous": 7.0,
}
EXCLUDED = [
    ExcludedRow("Registre des demandes 2026.xlsx", "Demandes", 42, "Montant accordé",
                "montant illisible : ce n'est pas un nombre"),
    ExcludedRow("Registre des demandes 2026.xlsx", "=Demandes", 57, "Date de séance", "date impossible"),
]


def make_report(*tables: Table) -> AnnualReport:
    chosen = tables or (SESSIONS, SESSIONS_BY_MONTH, APPLICATIONS, DECISIONS, AMOUNTS, DELAYS, SUPPLIERS,
                        EXTRA)
    return AnnualReport(2026, "Service de l'action sociale & de la solidarité", date(2027, 1, 15),
                        dict(KEY_FIGURES), list(chosen), list(EXCLUDED))


# -- the workbook --------------------------------------------------------------------------------------------------

def test_the_workbook_has_the_summary_one_sheet_per_table_and_the_rows_left_out(tmp_path: Path) -> None:
    path = write_workbook(make_report(), tmp_path / "rapports" / "Rapport d'activité 2026.xlsx")
    assert path.is_file() and [p.name for p in path.parent.iterdir()] == [path.name]
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Synthèse", "Séances par commission", "Séances tenues par mois",
                                   "Demandes de l'année", "Décisions", "Montants par type d'aide",
                                   "Délais de traitement", "Fournisseurs", "Décisions (2)", "Lignes écartées"]

    summary = workbook["Synthèse"]
    rows = {row[0].value: row for row in summary.iter_rows(min_row=5) if row[0].value}
    assert [c.value for c in rows["Indicateur"]] == ["Indicateur", "2026", "2025", "Évolution"]
    assert rows["Indicateur"][0].font.bold and rows["Indicateur"][0].fill.fgColor.rgb.endswith("D9E1F2")
    held = rows["Séances tenues"]
    assert [c.value for c in held[1:3]] == [24, 22] and held[3].value == pytest.approx(24 / 22 - 1)
    assert held[1].number_format == "#,##0" and held[3].number_format == "+0 %;-0 %;0 %"
    granted = rows["Montant accordé"]
    assert granted[1].number_format == '#,##0 "F CFP"'
    rate = rows["Taux d'accord"]
    assert rate[1].number_format == "0 %" and rate[3].value == 3  # points
    assert rows["Délai médian du dépôt à la séance (jours)"][1].number_format == "0.0"
    vouchers = rows["Bons alimentaires émis"]
    assert vouchers[2].value is None and vouchers[3].value is None  # no figure last year: no change either
    assert summary.freeze_panes == "A6"


def test_a_table_sheet_is_formatted_with_its_chart_beside_it(tmp_path: Path) -> None:
    workbook = load_workbook(write_workbook(make_report(), tmp_path / "rapport.xlsx"))

    amounts = workbook["Montants par type d'aide"]
    assert [c.value for c in amounts[1]] == ["Type d'aide", "Montant demandé", "Montant accordé",
                                              "Évolution de l'accordé"]
    assert all(c.font.bold and c.fill.fgColor.rgb.endswith("D9E1F2") for c in amounts[1])
    assert amounts.freeze_panes == "A2"
    assert amounts["C2"].value == 12_345_000 and amounts["C2"].number_format == '#,##0 "F CFP"'
    assert amounts["D3"].value == -0.05 and amounts["D3"].number_format == "+0 %;-0 %;0 %"
    assert [c.value for c in amounts[5]] == ["Total", 25_050_500, 17_595_000, 0.07]
    assert all(c.font.bold for c in amounts[5]) and not amounts["A4"].font.bold
    assert amounts["A7"].value == AMOUNTS.note
    assert amounts.column_dimensions["A"].width > len("Maintien dans le logement")
    assert workbook["Décisions"]["C2"].number_format == "0 %"
    assert workbook["Délais de traitement"]["B2"].number_format == "0.0"
    assert workbook["Séances par commission"]["B2"].number_format == "#,##0"

    (bar,) = amounts._charts
    assert isinstance(bar, BarChart) and bar.type == "bar" and len(bar.series) == 2
    assert bar.title is not None and bar.x_axis.scaling.orientation == "maxMin"
    assert bar.anchor._from.col == 5  # beside the table: one empty column after its four
    formula = bar.series[0].val.numRef.f
    assert formula == "'Montants par type d''aide'!$B$2:$B$4"  # without the total row
    (line,) = workbook["Séances tenues par mois"]._charts
    assert isinstance(line, LineChart) and len(line.series) == 2
    assert line.series[0].cat.strRef.f == "'Séances tenues par mois'!$A$2:$A$13"
    (column,) = workbook["Demandes de l'année"]._charts
    assert isinstance(column, BarChart) and column.type == "col" and column.anchor._from.col == 5
    (pie,) = workbook["Décisions"]._charts
    assert isinstance(pie, PieChart) and pie.series[0].val.numRef.f.endswith("$B$2:$B$5")
    for name in ("Séances par commission", "Délais de traitement", "Fournisseurs", "Décisions (2)"):
        assert workbook[name]._charts == []


def test_texts_from_the_registers_never_become_formulas(tmp_path: Path) -> None:
    workbook = load_workbook(write_workbook(make_report(), tmp_path / "rapport.xlsx"))
    excluded = workbook["Lignes écartées"]
    assert "ne sont pas comptées dans les chiffres" in excluded["A1"].value
    assert [c.value for c in excluded[3]] == ["Fichier", "Feuille", "Ligne", "Colonne", "Raison"]
    assert [c.value for c in excluded[4]] == ["Registre des demandes 2026.xlsx", "Demandes", 42, "Montant accordé",
                                              "montant illisible : ce n'est pas un nombre"]
    assert excluded["B5"].value == "=Demandes" and excluded["B5"].data_type == "s"
    assert excluded.freeze_panes == "A4"
    suppliers = workbook["Fournisseurs"]
    assert suppliers["A3"].value == "+687 Services" and suppliers["A3"].data_type == "s"
    assert suppliers["A4"].value == "@Gaz Païta" and suppliers["A4"].data_type == "s"


def test_sheet_names_are_shortened_cleaned_and_unique(tmp_path: Path) -> None:
    long = Table("long", "Montants accordés par commune/tribu", (Column("Lieu"),), (("Lifou",),))
    same = dataclasses.replace(long, key="long2")
    reserved = dataclasses.replace(long, key="summary", title="synthèse")
    workbook = load_workbook(write_workbook(make_report(long, same, reserved), tmp_path / "rapport.xlsx"))
    assert workbook.sheetnames == ["Synthèse", "Montants accordés par commune", "Montants accordés par commu (2)",
                                   "synthèse (2)", "Lignes écartées"]
    assert all(len(name) <= 31 for name in workbook.sheetnames)


# -- the Word report -----------------------------------------------------------------------------------------------

def render(tmp_path: Path, report: AnnualReport) -> DocumentObject:
    return Document(str(write_document(report, TEMPLATE, tmp_path / "out" / "rapport.docx")))


def word_table(document: DocumentObject, first_header: str, second_header: str) -> WordTable:
    (table,) = [t for t in document.tables if cells(t.rows[0])[:2] == [first_header, second_header]]
    return table


def full_text(document: DocumentObject) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def cells(row: _Row) -> list[str]:
    """The row's texts, numbers with the regular spaces of the expected values (Word's are non-breaking)."""
    return [cell.text.replace("\u00a0", " ") for cell in row.cells]


def test_the_report_tells_the_key_figures_in_french(tmp_path: Path) -> None:
    document = render(tmp_path, make_report())
    lines = [p.text.replace("\u00a0", " ") for p in document.paragraphs]  # figures hold non-breaking spaces
    assert "1\u00a0234\u00a0demandes d'aide" in full_text(document)  # a count never ends a line
    assert lines[:3] == ["Rapport d'activité 2026", "Service de l'action sociale & de la solidarité",
                         "Commissions d'aide – année 2026"]
    assert "Chiffres établis le vendredi 15 janvier 2027" in lines
    assert ("En 2026 : 24 séances tenues (22 en 2025), 1 séance annulée (2 en 2025) et 1 séance reportée "
            "(0 en 2025).") in lines
    assert ("Le service a reçu 1 234 demandes d'aide en 2026 (1 100 en 2025). Les commissions en ont examiné "
            "1 120 au cours de l'année (1 015 en 2025).") in lines
    assert ("Les commissions ont rendu 1 120 décisions : 698 accords, dont 58 partiels, 312 refus et 110 "
            "ajournements. Le taux d'accord, accords partiels compris, s'établit à 62 % (59 % en 2025).") in lines
    assert ("Les demandes examinées portaient sur 25 050 500 F CFP (22 000 000 F CFP en 2025). Les commissions "
            "ont accordé 17 595 000 F CFP (16 443 925 F CFP en 2025).") in lines
    assert ("Entre le dépôt d'une demande et son examen en séance, il s'est écoulé en médiane 19 jours "
            "(23,5 jours en 2025) ; entre la séance et la notification de la décision au demandeur, 5,5 jours "
            "(7 jours en 2025).") in lines
    assert any(line.startswith("En 2026, le service a émis 214 bons alimentaires (— en 2025), pour "
                               "3 606 500 F CFP (— en 2025).") for line in lines)
    (to_complete,) = [p for p in document.paragraphs if p.text.startswith("[À compléter par le service]")]
    assert "2027" in to_complete.text and to_complete.runs[0].bold
    assert lines.index("Conclusion") < lines.index(to_complete.text)
    text = "\n".join(lines)
    assert "{{" not in text and "{%" not in text and "&amp;" not in text
    assert "(s)" not in text


def test_counts_agree_with_their_noun(tmp_path: Path) -> None:
    """« 1 séance tenue », « 0 séance reportée », « 2 séances annulées »: never « séance(s) »."""
    report = make_report()
    report.key_figures.update(sessions_held=1, sessions_postponed=0, sessions_cancelled=2, applications_decided=1,
                              accords=1, partial_accords=0, refusals=1, adjourned=1, vouchers_count=1)
    lines = [p.text.replace("\u00a0", " ") for p in render(tmp_path, report).paragraphs]
    assert ("En 2026 : 1 séance tenue (22 en 2025), 2 séances annulées (2 en 2025) et 0 séance reportée "
            "(0 en 2025).") in lines
    assert any(line.startswith("Les commissions ont rendu 1 décision : 1 accord, dont 0 partiel, 1 refus et "
                               "1 ajournement.") for line in lines)
    assert any(line.startswith("En 2026, le service a émis 1 bon alimentaire (") for line in lines)
    assert "(s)" not in "\n".join(lines)


def test_each_table_is_a_word_table_with_its_total_and_note(tmp_path: Path) -> None:
    report = make_report()
    document = render(tmp_path, report)
    assert len(document.tables) == len(report.tables)
    for table in report.tables:
        if table.key == "seances":
            continue  # turned a quarter to fit the page: see below
        # an amount's unit is said once, in its header
        titles = [f"{c.title} (F CFP)" if c.kind == "xpf" else c.title for c in table.columns]
        word = word_table(document, *titles[:2])
        assert cells(word.rows[0]) == titles
        assert len(word.rows) == 1 + len(table.rows)

    amounts = word_table(document, "Type d'aide", "Montant demandé (F CFP)")
    assert cells(amounts.rows[1]) == ["Maintien dans le logement", "18 450 000", "12 345 000", "+12 %"]
    assert cells(amounts.rows[2])[3] == "-5 %"
    total = amounts.rows[-1]
    assert cells(total) == ["Total", "25 050 500", "17 595 000", "+7 %"]
    assert all(run.bold for cell in total.cells for run in cell.paragraphs[0].runs)
    assert not any(run.bold for run in amounts.rows[1].cells[0].paragraphs[0].runs)
    assert cells(word_table(document, "Décision", "Dossiers").rows[1]) == ["Accord", "640", "57 %"]
    assert cells(word_table(document, "Instance", "Dépôt → séance (jours)").rows[2]) == [
        "Commission première entrée", "21 j", "4,5 j"]
    # « F CFP » in a note stays on one line
    note = AMOUNTS.note.replace("F CFP", "F\u00a0CFP")
    notes = [p for p in document.paragraphs if p.text == note]
    assert len(notes) == 1 and notes[0].runs[0].italic
    lines = [p.text.replace("\u00a0", " ") for p in document.paragraphs]
    assert lines.index("Montants par type d'aide") < lines.index(AMOUNTS.note)  # the title above, the note below
    # the table the template does not name comes before the conclusion, with the others
    others = lines.index("Autres chiffres de l'année")
    assert lines[others + 1] == "Décisions" and others < lines.index("Conclusion")


def font_sizes(table: WordTable) -> set[float]:
    return {run.font.size.pt for row in table.rows for cell in row.cells for p in cell.paragraphs for run in p.runs}


def test_a_wide_table_is_turned_so_that_every_header_reads_across(tmp_path: Path) -> None:
    """A commission's twelve months side by side: the months become rows, the commissions columns."""
    document = render(tmp_path, make_report())
    sessions = word_table(document, "Commission", "Commission maintien dans le logement")
    assert cells(sessions.rows[0]) == ["Commission", "Commission maintien dans le logement",
                                       "Commission première entrée", "Commission d'aide facultative", "Total"]
    assert cells(sessions.rows[1]) == ["janvier", "1", "1", "0", "2"]
    assert [cells(row)[0] for row in sessions.rows[13:]] == ["Total", "Annulées", "Reportées", "Total 2025",
                                                             "Évolution"]
    assert cells(sessions.rows[-1]) == ["Évolution", "+10 %", "0 %", "+33 %", "+9 %"]
    assert all(run.bold for row in sessions.rows[1:] for run in row.cells[-1].paragraphs[0].runs)  # the total
    assert not sessions._tbl.xpath(".//w:textDirection")
    assert min(font_sizes(sessions)) >= 8
    widths = [int(w) for w in sessions._tbl.xpath("./w:tblGrid/w:gridCol/@w:w")]
    assert len(widths) == 5 and sum(widths) <= Cm(17.01).twips


def test_charts_are_images_in_the_report(tmp_path: Path) -> None:
    report = make_report()
    document = render(tmp_path, report)
    assert len(document.inline_shapes) == sum(t.chart is not None for t in report.tables) == 4
    assert all(shape.width > 0 for shape in document.inline_shapes)


def test_a_chart_of_zeros_is_not_drawn(tmp_path: Path) -> None:
    quiet = Table("bons", "Bons émis par mois", (Column("Mois"), Column("Bons 2026", "int"), Column("Bons 2025", "int")),
                  tuple((month, 0, 0) for month in MONTHS), chart=Chart("column", "Bons émis par mois", 0, (1, 2)))
    document = render(tmp_path, make_report(SESSIONS_BY_MONTH, quiet))
    assert len(document.tables) == 2 and len(document.inline_shapes) == 1  # the sessions' chart only


def test_a_table_the_report_lacks_renders_as_nothing(tmp_path: Path) -> None:
    report = make_report(SESSIONS, DECISIONS)
    document = render(tmp_path, report)
    lines = [p.text for p in document.paragraphs]
    assert len(document.tables) == 2 and len(document.inline_shapes) == 1
    assert "Le courrier" not in lines and "Autres chiffres de l'année" not in lines
    # a section made of its table only goes; one with key figures keeps its sentence
    assert "Le territoire" not in lines
    assert lines[lines.index("Les délais") + 2] == "Les bons et les fournisseurs"
    assert "{{" not in "\n".join(lines)


def test_the_mail_section_shows_only_with_its_table(tmp_path: Path) -> None:
    mail = Table("courrier", "Courrier", (Column("Mois"), Column("Arrivé", "int"), Column("Départ", "int")),
                 tuple((month, 80, 95) for month in MONTHS), chart=Chart("line", "Courrier par mois", 0, (1, 2)))
    document = render(tmp_path, make_report(SESSIONS, mail))
    lines = [p.text for p in document.paragraphs]
    assert lines.index("Les bons et les fournisseurs") < lines.index("Le courrier") < lines.index("Conclusion")
    assert len(word_table(document, "Mois", "Arrivé").rows) == 13
    assert len(document.inline_shapes) == 1


def test_a_missing_template_is_reported_in_french(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="Modèle introuvable"):
        write_document(make_report(), tmp_path / "absent.docx", tmp_path / "rapport.docx")
    assert not (tmp_path / "rapport.docx").exists()


def test_the_template_places_every_table_of_a_computed_report(tmp_path: Path) -> None:
    """With annual_figures' own tables: each finds its section, none falls into « Autres chiffres »."""
    def day(text: str) -> pd.Timestamp:
        return pd.Timestamp(text)

    applications = pd.DataFrame({
        "number": ["D-1", "D-2", "D-3", "D-4"],
        "filed_on": [day("2026-01-05"), day("2026-02-10"), day("2026-03-02"), day("2025-06-01")],
        "session_date": [day("2026-01-20"), day("2026-02-24"), day("2026-03-17"), day("2025-06-20")],
        "decision": ["accord", "refus", "accord_partiel", "accord"],
        "amount_asked": [50_000.0, 30_000.0, 80_000.0, 40_000.0],
        "amount_granted": [50_000.0, float("nan"), 60_000.0, 40_000.0],
        "scheme": ["Maintien dans le logement", "Aide à l'énergie", "Maintien dans le logement", "Aide alimentaire"],
        "aid_kind": ["Loyer", "Électricité", "Loyer", "Bons alimentaires"],
        "commune": ["Nouméa", "Païta", "Nouméa", "Dumbéa"], "tribe": [""] * 4, "district": [""] * 4,
        "notified_on": [day("2026-01-27"), day("2026-03-01"), day("2026-03-20"), day("2025-06-25")],
        "voucher_number": ["", "", "", "BA-2025-0001"], "supplier": ["SIC", "", "SIC", "Épicerie Wéa & Fils"]})
    sessions = pd.DataFrame({"committee": ["Commission des aides"] * 4,
                             "date": [day("2026-01-20"), day("2026-02-24"), day("2026-03-17"), day("2025-06-20")],
                             "status": ["tenue", "tenue", "tenue", "tenue"]})
    mail = pd.DataFrame({"date": [day("2026-01-03"), day("2026-05-12")]})
    data = AnnualData(applications, sessions, mail_in=mail, mail_out=mail.copy(), excluded=list(EXCLUDED))
    report = build_report(data, 2026, "CCAS de Lifou", date(2027, 1, 15))

    document = render(tmp_path, report)
    lines = [p.text.replace("\u00a0", " ") for p in document.paragraphs]
    assert len(document.tables) == len(report.tables)
    assert "Autres chiffres de l'année" not in lines and "Le courrier" in lines
    assert len(document.inline_shapes) == sum(t.chart is not None for t in report.tables)
    assert "{{" not in "\n".join(lines) and "En 2026 : 3 séances tenues (1 en 2025)" in "\n".join(lines)
    workbook = load_workbook(write_workbook(report, tmp_path / "rapport.xlsx"))
    assert len(workbook.sheetnames) == len(report.tables) + 2


def test_a_table_too_wide_to_turn_comes_in_parts_that_repeat_its_first_column(tmp_path: Path) -> None:
    columns = (Column("Type d'aide"), *(Column(f"Montant {n}", "xpf") for n in range(1, 12)))
    rows = tuple((f"Apurement de dette locative {n}", *([123_456_789] * 11)) for n in range(14))
    document = render(tmp_path, make_report(Table("montants", "Montants par type d'aide", columns, rows,
                                                  note="Montants en F CFP.")))
    parts = document.tables
    assert len(parts) > 1
    headers = [cells(part.rows[0]) for part in parts]
    assert all(header[0] == "Type d'aide" for header in headers)
    assert [title for header in headers for title in header[1:]] == [f"Montant {n} (F CFP)" for n in range(1, 12)]
    lines = [p.text for p in document.paragraphs]
    assert "Montants par type d'aide" in lines and "Montants par type d'aide (suite)" in lines
    assert lines.count("Montants en F\u00a0CFP.") == 1  # the note once, after the last part
    for part in parts:
        widths = [int(w) for w in part._tbl.xpath("./w:tblGrid/w:gridCol/@w:w")]
        assert sum(widths) <= Cm(17.01).twips and min(widths) >= Cm(1).twips
        assert not part._tbl.xpath(".//w:textDirection") and min(font_sizes(part)) >= 8
        assert cells(part.rows[1])[:2][1] == "123 456 789" and len(part.rows) == 15
