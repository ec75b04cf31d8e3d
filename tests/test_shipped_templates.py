"""The shipped Word templates render cleanly with docxtpl and are rebuilt identically by the tool."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docxtpl import DocxTemplate

PROJECT = Path(__file__).resolve().parents[1]
TEMPLATES = PROJECT / "templates"
SHIPPED = ("convocation.docx", "dossier_seance.docx", "compte_rendu.docx")

SERVICE = {"name": "Service de l'action sociale & de la solidarité", "address": "12 rue de Sébastopol, BP 123",
           "city": "Nouméa", "phone": "27 12 34", "email": "commissions@action-sociale.nc",
           "signatory": "Mme Hélène Wénéhoua", "signatory_title": "Cheffe du service de l'action sociale"}
COMMITTEE = {"name": "Commission maintien dans le logement", "scheme": "Maintien dans le logement",
             "of_name": "de la Commission maintien dans le logement"}
SESSION = {"date_long": "mardi 24 novembre 2026", "date_short": "24/11/2026", "time": "8 h 30", "end_time": "11 h 30",
           "room": "Salle Kaori", "room_site": "Centre administratif de Nouméa", "chair": "M. Éric Ounou",
           "agenda_items": ["Approbation du compte rendu de la séance précédente",
                            "Examen des demandes d'aide", "Questions diverses"]}
APPLICATIONS = [
    {"index": 1, "number": "DEL-2026-0012", "applicant": "J. D.", "commune": "Dumbéa",
     "scheme": "Maintien dans le logement", "aid_kind": "Loyers impayés", "amount_asked": "125 000 F CFP",
     "social_worker": "Mme Léa Gopé", "filed_on": "02/11/2026", "notes": "Dette < 3 mois & reprise du paiement"},
    {"index": 2, "number": "DEL-2026-0015", "applicant": "M. K.", "commune": "Païta",
     "scheme": "Aide à l'énergie", "aid_kind": "Facture d'électricité", "amount_asked": "48 500 F CFP",
     "social_worker": "M. Noël Tein", "filed_on": "05/11/2026", "notes": "Coupure annoncée au 30/11"},
    {"index": 3, "number": "DEL-2026-0019", "applicant": "S. W.", "commune": "Mont-Dore",
     "scheme": "Maintien dans le logement", "aid_kind": "Caution", "amount_asked": "90 000 F CFP",
     "social_worker": "Mme Léa Gopé", "filed_on": "09/11/2026", "notes": ""},
]
UPDATE_NOTE = "Mise à jour : dossiers ajoutés : DEL-2026-0019 ; retiré : DEL-2026-0007."


def pack_context(**changes: Any) -> dict[str, Any]:
    context = {
        "service": SERVICE, "committee": COMMITTEE, "session": SESSION, "letter_date": "16 novembre 2026",
        "is_update": False, "update_note": "", "anonymised": True, "applications": APPLICATIONS,
        "totals": {"count": 3, "amount_asked": "263 500 F CFP"},
        "by_scheme": [{"scheme": "Maintien dans le logement", "count": 2, "amount_asked": "215 000 F CFP"},
                      {"scheme": "Aide à l'énergie", "count": 1, "amount_asked": "48 500 F CFP"}],
        "members": [{"full_name": "Mme Aline Poédi", "organisation": "CCAS de Nouméa", "function": "Directrice",
                     "role": "Titulaire"},
                    {"full_name": "M. Paul Naouna", "organisation": "Province Sud", "function": "Chargé de mission",
                     "role": "Suppléant"}],
    }
    return copy.deepcopy({**context, **changes})


def minutes_context(**changes: Any) -> dict[str, Any]:
    decisions = [("Accord", "125 000 F CFP", ""), ("Refus", "0 F CFP", "Ressources > plafond & dossier incomplet"),
                 ("Ajourné", "", "Pièces à fournir")]
    applications = [{key: a[key] for key in ("index", "number", "applicant", "scheme", "aid_kind", "amount_asked")}
                    | {"decision": decision, "amount_granted": granted, "reason": reason}
                    for a, (decision, granted, reason) in zip(APPLICATIONS, decisions)]
    context = {
        "service": SERVICE, "committee": COMMITTEE, "session": SESSION, "letter_date": "25 novembre 2026",
        "anonymised": True, "draft": True, "attendance_known": True,
        "present": [{"full_name": "Mme Aline Poédi", "organisation": "CCAS de Nouméa", "role": "Titulaire",
                     "replaces": ""},
                    {"full_name": "M. Paul Naouna", "organisation": "Province Sud", "role": "Suppléant",
                     "replaces": "Mme Jeanne Hnacipan"}],
        "excused": [{"full_name": "M. René Wamytan", "organisation": "CAFAT", "role": "Titulaire"}],
        "no_answer": [{"full_name": "Mme Rose Kasarhérou", "organisation": "Mairie de Païta", "role": "Titulaire"}],
        "quorum": {"text": "quorum de 2 atteint (2 présents)"},
        "applications": applications,
        "by_scheme": [{"scheme": "Maintien dans le logement", "count": 2, "accords": 1, "refus": 0, "ajournes": 1,
                       "amount_asked": "215 000 F CFP", "amount_granted": "125 000 F CFP"},
                      {"scheme": "Aide à l'énergie", "count": 1, "accords": 0, "refus": 1, "ajournes": 0,
                       "amount_asked": "48 500 F CFP", "amount_granted": "0 F CFP"}],
        "totals": {"count": 3, "accords": 1, "refus": 1, "ajournes": 1, "amount_asked": "263 500 F CFP",
                   "amount_granted": "125 000 F CFP"},
    }
    return copy.deepcopy({**context, **changes})


def render(template: str, context: dict[str, Any], target: Path) -> DocumentObject:
    document = DocxTemplate(str(TEMPLATES / template))
    document.render(context, autoescape=True)
    path = target / f"rendu-{template}"
    document.save(str(path))
    return Document(str(path))


def texts(document: DocumentObject) -> list[str]:
    """The paragraphs a reader sees, in the body then in the tables, in order."""
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return lines


def full_text(document: DocumentObject) -> str:
    return "\n".join(texts(document))


def footer_text(document: DocumentObject) -> str:
    return "\n".join(p.text for section in document.sections for p in section.footer.paragraphs)


def assert_no_jinja_left(document: DocumentObject) -> None:
    parts = [document.element.xml]
    for section in document.sections:
        parts += [section.header._element.xml, section.footer._element.xml]
    for xml in parts:
        assert "{{" not in xml and "{%" not in xml and "%}" not in xml and "}}" not in xml


def headings(document: DocumentObject) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]


def test_the_meeting_pack_shows_cover_agenda_summary_and_one_page_per_application(tmp_path: Path) -> None:
    document = render("dossier_seance.docx", pack_context(), tmp_path)
    lines = [p.text for p in document.paragraphs]

    assert "Dossier de séance" in lines
    assert "Commission maintien dans le logement" in lines
    assert "Séance du mardi 24 novembre 2026 à 8 h 30" in lines
    assert "Salle Kaori – Centre administratif de Nouméa" in lines
    assert "Présidence : M. Éric Ounou" in lines
    assert "Document confidentiel : réservé aux membres de l'instance, à ne pas diffuser." in lines
    assert "Les demandeurs sont désignés par leurs initiales et le numéro de leur dossier." in lines
    assert not any(line.startswith("Mise à jour") for line in lines)
    assert ["1. Approbation du compte rendu de la séance précédente", "2. Examen des demandes d'aide",
            "3. Questions diverses"] == [line for line in lines if line[:2] in ("1.", "2.", "3.")]
    assert "Examen de 3 dossier(s) de demande d'aide." in lines

    summary = next(t for t in document.tables if t.rows[0].cells[0].text == "N°")
    assert len(summary.rows) == 1 + 3 + 1
    assert [c.text for c in summary.rows[0].cells] == ["N°", "Dispositif", "Aide demandée", "Montant demandé",
                                                       "Référent"]
    assert [c.text for c in summary.rows[1].cells] == ["DEL-2026-0012", "Maintien dans le logement",
                                                       "Loyers impayés", "125 000 F CFP", "Mme Léa Gopé"]
    assert summary.rows[4].cells[0].text == "Total : 3 dossier(s)"
    assert summary.rows[4].cells[3].text == "263 500 F CFP"
    by_scheme = next(t for t in document.tables if t.rows[0].cells[0].text == "Dispositif")
    assert [[c.text for c in row.cells] for row in by_scheme.rows] == [
        ["Dispositif", "Dossiers", "Montant demandé"], ["Maintien dans le logement", "2", "215 000 F CFP"],
        ["Aide à l'énergie", "1", "48 500 F CFP"]]

    pages = [h for h in headings(document) if h.startswith("Dossier n° ")]
    assert pages == ["Dossier n° DEL-2026-0012", "Dossier n° DEL-2026-0015", "Dossier n° DEL-2026-0019"]
    details = [t for t in document.tables if t.rows[0].cells[0].text == "Demandeur"]
    assert [t.rows[0].cells[1].text for t in details] == ["J. D.", "M. K.", "S. W."]
    assert [t.rows[1].cells[1].text for t in details] == ["Dumbéa", "Païta", "Mont-Dore"]
    assert [t.rows[5].cells[1].text for t in details] == ["02/11/2026", "05/11/2026", "09/11/2026"]
    assert lines.count("Avis de la commission :") == 3
    assert sum(line.startswith("☐ Accord") and line.endswith("☐ Ajourné") for line in lines) == 3
    assert sum(line.startswith("Motif :") for line in lines) == 3

    assert footer_text(document).startswith("Commission maintien dans le logement – séance du 24/11/2026 – "
                                            "document confidentiel")
    assert_no_jinja_left(document)


def test_the_meeting_pack_shows_the_update_note_only_for_an_update(tmp_path: Path) -> None:
    update = render("dossier_seance.docx", pack_context(is_update=True, update_note=UPDATE_NOTE, anonymised=False),
                    tmp_path)
    note = next(p for p in update.paragraphs if p.text == UPDATE_NOTE)
    assert all(run.bold for run in note.runs)
    assert "Les demandeurs sont désignés" not in full_text(update)
    assert_no_jinja_left(update)


def test_the_meeting_pack_without_chair_site_or_applications(tmp_path: Path) -> None:
    session = {**SESSION, "chair": "", "room_site": ""}
    document = render("dossier_seance.docx", pack_context(session=session, applications=[], by_scheme=[],
                                                          totals={"count": 0, "amount_asked": "0 F CFP"}), tmp_path)
    lines = [p.text for p in document.paragraphs]
    assert "Salle Kaori" in lines
    assert not any(line.startswith("Présidence") for line in lines)
    assert not any(h.startswith("Dossier n°") for h in headings(document))
    summary = next(t for t in document.tables if t.rows[0].cells[0].text == "N°")
    assert [row.cells[0].text for row in summary.rows] == ["N°", "Total : 0 dossier(s)"]
    assert_no_jinja_left(document)


def test_the_minutes_show_attendance_decisions_and_totals(tmp_path: Path) -> None:
    document = render("compte_rendu.docx", minutes_context(), tmp_path)
    lines = [p.text for p in document.paragraphs]

    assert "PROJET – Compte rendu de la séance de la Commission maintien dans le logement" in lines
    assert ("Projet établi automatiquement à partir des registres : à relire, compléter et valider avant diffusion."
            in lines)
    assert ("Séance du mardi 24 novembre 2026, de 8 h 30 à 11 h 30, Salle Kaori (Centre administratif de Nouméa)"
            in lines)
    assert "Présidence : M. Éric Ounou" in lines
    assert "Mme Aline Poédi (CCAS de Nouméa), Titulaire" in lines
    assert "M. Paul Naouna (Province Sud), Suppléant, suppléant(e) de Mme Jeanne Hnacipan" in lines
    assert "M. René Wamytan (CAFAT), Titulaire" in lines
    assert "Mme Rose Kasarhérou (Mairie de Païta), Titulaire" in lines
    assert "Vérification du quorum : quorum de 2 atteint (2 présents)" in lines
    assert not any(line.startswith("Présences à compléter") for line in lines)
    assert ["1. Approbation du compte rendu de la séance précédente", "2. Examen des demandes d'aide",
            "3. Questions diverses"] == [line for line in lines if line[:2] in ("1.", "2.", "3.")]

    decisions, by_scheme = document.tables
    assert len(decisions.rows) == 1 + 3 + 1
    assert [c.text for c in decisions.rows[0].cells] == ["N°", "Demandeur", "Dispositif", "Aide", "Montant demandé",
                                                         "Décision", "Montant accordé", "Motif"]
    assert [c.text for c in decisions.rows[2].cells] == [
        "DEL-2026-0015", "M. K.", "Aide à l'énergie", "Facture d'électricité", "48 500 F CFP", "Refus", "0 F CFP",
        "Ressources > plafond & dossier incomplet"]
    total = [c.text for c in decisions.rows[4].cells]
    assert total[0] == "Total : 3 dossier(s)" and total[4] == "263 500 F CFP" and total[6] == "125 000 F CFP"
    assert [[c.text for c in row.cells] for row in by_scheme.rows] == [
        ["Dispositif", "Dossiers", "Accords", "Refus", "Ajournés", "Montant demandé", "Montant accordé"],
        ["Maintien dans le logement", "2", "1", "0", "1", "215 000 F CFP", "125 000 F CFP"],
        ["Aide à l'énergie", "1", "0", "1", "0", "48 500 F CFP", "0 F CFP"],
        ["Total", "3", "1", "1", "1", "263 500 F CFP", "125 000 F CFP"]]

    assert "Fait à Nouméa, le 25 novembre 2026" in lines
    assert "Mme Hélène Wénéhoua" in lines
    assert footer_text(document).startswith("Commission maintien dans le logement – compte rendu de la séance du "
                                            "24/11/2026 – projet")
    assert_no_jinja_left(document)


def test_the_final_minutes_with_unknown_attendance(tmp_path: Path) -> None:
    context = minutes_context(draft=False, attendance_known=False, present=[], excused=[], quorum={"text": ""})
    document = render("compte_rendu.docx", context, tmp_path)
    lines = [p.text for p in document.paragraphs]

    assert "Compte rendu de la séance de la Commission maintien dans le logement" in lines
    assert "PROJET" not in full_text(document) and "Projet établi" not in full_text(document)
    assert "Présences à compléter : les réponses des membres n'étaient pas connues." in lines
    assert "Aucun membre enregistré comme présent." in lines
    assert "Néant." in lines
    assert not any("quorum" in line for line in lines)
    assert "projet" not in footer_text(document)
    assert_no_jinja_left(document)


@pytest.mark.parametrize("template, context", [("dossier_seance.docx", pack_context()),
                                               ("compte_rendu.docx", minutes_context())])
def test_autoescape_keeps_ampersands_and_angle_brackets(tmp_path: Path, template: str,
                                                        context: dict[str, Any]) -> None:
    document = render(template, context, tmp_path)
    text = full_text(document)
    assert "Service de l'action sociale & de la solidarité" in text
    assert ("Dette < 3 mois & reprise du paiement" in text if template == "dossier_seance.docx"
            else "Ressources > plafond & dossier incomplet" in text)
    assert "&amp;" not in text and "&lt;" not in text


def test_the_templates_are_rebuilt_identically(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(PROJECT / "tools" / "build_templates.py"), str(tmp_path)], check=True,
                   capture_output=True)
    for name in SHIPPED:
        built, shipped = Document(str(tmp_path / name)), Document(str(TEMPLATES / name))
        assert texts(built) == texts(shipped), name
        assert footer_text(built) == footer_text(shipped), name
