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

PROJECT = Path(__file__).resolve().parents[2]
TEMPLATES = PROJECT / "templates"
SHIPPED = ("convocation.docx", "dossier_seance.docx", "compte_rendu.docx", "lettre_accord.docx",
           "lettre_accord_partiel.docx", "lettre_refus.docx", "lettre_ajourne.docx", "avis_fournisseur.docx",
           "bon_alimentaire.docx", "rapport_activite.docx", "accuse_reception.docx", "relance_pieces.docx")
LETTERS = ("lettre_accord.docx", "lettre_accord_partiel.docx", "lettre_refus.docx", "lettre_ajourne.docx")
FOLLOW_UPS = (*LETTERS, "avis_fournisseur.docx", "bon_alimentaire.docx")

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
        "opinions": {"accord": "Accord", "accord_partiel": "Accord partiel", "refus": "Refus", "ajourne": "Ajourné"},
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
    assert "Présidence\u00a0: M. Éric Ounou" in lines
    assert "Document confidentiel\u00a0: réservé aux membres de l'instance, à ne pas diffuser." in lines
    assert "Les demandeurs sont désignés par leurs initiales et le numéro de leur dossier." in lines
    assert not any(line.startswith("Mise à jour") for line in lines)
    assert ["1. Approbation du compte rendu de la séance précédente", "2. Examen des demandes d'aide",
            "3. Questions diverses"] == [line for line in lines if line[:2] in ("1.", "2.", "3.")]
    assert "Examen de 3 dossiers de demande d'aide." in lines

    summary = next(t for t in document.tables if t.rows[0].cells[0].text == "N°")
    assert len(summary.rows) == 1 + 3 + 1
    assert [c.text for c in summary.rows[0].cells] == ["N°", "Dispositif", "Aide demandée", "Montant demandé",
                                                       "Référent"]
    assert [c.text for c in summary.rows[1].cells] == ["DEL-2026-0012", "Maintien dans le logement",
                                                       "Loyers impayés", "125 000 F CFP", "Mme Léa Gopé"]
    assert summary.rows[4].cells[0].text == "Total\u00a0: 3 dossiers"
    assert summary.rows[4].cells[3].text == "263 500 F CFP"
    by_scheme = next(t for t in document.tables if t.rows[0].cells[0].text == "Dispositif")
    assert [[c.text for c in row.cells] for row in by_scheme.rows] == [
        ["Dispositif", "Dossiers", "Montant demandé"], ["Maintien dans le logement", "2", "215 000 F CFP"],
        ["Aide à l'énergie", "1", "48 500 F CFP"]]

    pages = [h for h in headings(document) if h.startswith("Dossier n°\u00a0")]
    assert pages == [f"Dossier n°\u00a0{number}" for number in ("DEL-2026-0012", "DEL-2026-0015", "DEL-2026-0019")]
    details = [t for t in document.tables if t.rows[0].cells[0].text == "Demandeur"]
    assert [t.rows[0].cells[1].text for t in details] == ["J. D.", "M. K.", "S. W."]
    assert [t.rows[1].cells[1].text for t in details] == ["Dumbéa", "Païta", "Mont-Dore"]
    assert [t.rows[5].cells[1].text for t in details] == ["02/11/2026", "05/11/2026", "09/11/2026"]
    assert lines.count("Avis de la commission\u00a0:") == 3
    assert sum(line.startswith("☐\u00a0Accord") and line.endswith("☐\u00a0Ajourné") for line in lines) == 3
    assert sum(line.startswith("Motif\u00a0:") for line in lines) == 3

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
    assert [row.cells[0].text for row in summary.rows] == ["N°", "Total\u00a0: 0 dossier"]
    assert_no_jinja_left(document)


def test_the_minutes_show_attendance_decisions_and_totals(tmp_path: Path) -> None:
    document = render("compte_rendu.docx", minutes_context(), tmp_path)
    lines = [p.text for p in document.paragraphs]

    assert "PROJET – Compte rendu de la séance de la Commission maintien dans le logement" in lines
    assert ("Projet établi automatiquement à partir des registres\u00a0: à relire, compléter et valider avant "
            "diffusion.") in lines
    assert ("Séance du mardi 24 novembre 2026, de 8 h 30 à 11 h 30, Salle Kaori (Centre administratif de Nouméa)"
            in lines)
    assert "Présidence\u00a0: M. Éric Ounou" in lines
    assert "Mme Aline Poédi (CCAS de Nouméa), Titulaire" in lines
    assert "M. Paul Naouna (Province Sud), Suppléant, suppléant(e) de Mme Jeanne Hnacipan" in lines
    assert "M. René Wamytan (CAFAT), Titulaire" in lines
    assert "Mme Rose Kasarhérou (Mairie de Païta), Titulaire" in lines
    assert "Vérification du quorum\u00a0: quorum de 2 atteint (2 présents)" in lines
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
    assert total[0] == "Total\u00a0: 3 dossiers" and total[4] == "263 500 F CFP" and total[6] == "125 000 F CFP"
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
    assert "Présences à compléter\u00a0: les réponses des membres n'étaient pas connues." in lines
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
    subprocess.run([sys.executable, "-m", "automations.documents.template_builders", str(tmp_path)], check=True,
                   capture_output=True, cwd=PROJECT)  # this checkout's builders, whatever is installed
    for name in SHIPPED:
        built, shipped = Document(str(tmp_path / name)), Document(str(TEMPLATES / name))
        assert texts(built) == texts(shipped), name
        assert footer_text(built) == footer_text(shipped), name


# --- the follow-ups of a session: decision letters, notice to a supplier, food voucher -----------

FOLLOW_UP_COMMITTEE = {"name": "Commission des aides individuelles", "scheme": "Aides individuelles",
                       "of_name": "de la Commission des aides individuelles"}
FOLLOW_UP_SESSION = {"date_long": "vendredi 13 novembre 2026", "date_short": "13/11/2026"}
CORRECTION_NOTE = ("Ce courrier annule et remplace celui du 20 novembre 2026 (réf. D2026-0398) : la décision a été "
                   "modifiée.")
APPLICANT = {"name": "Mme Gaëlle TEIN", "address": "12 rue Jules Ferry, Vallée-des-Colons", "commune": "Nouméa",
             "email": "g.tein@example.nc"}
VOUCHER = {"number": "BA-2026-0111", "valid_until": "23 décembre 2026"}
DECIDED = {
    "lettre_accord.docx": {
        "number": "DEL-2026-0031", "filed_on": "02/10/2026", "scheme": "Aides d'urgence",
        "aid_kind": "Aide alimentaire", "amount_asked": "17 000 F CFP", "amount_granted": "17 000 F CFP",
        "amount_granted_words": "dix-sept mille francs CFP",
        "reason": "", "supplier": "Épicerie Wéa & Fils"},
    "lettre_accord_partiel.docx": {
        "number": "DEL-2026-0012", "filed_on": "02/10/2026", "scheme": "Maintien dans le logement",
        "aid_kind": "Loyers impayés", "amount_asked": "125 000 F CFP", "amount_granted": "95 000 F CFP",
        "amount_granted_words": "quatre-vingt-quinze mille francs CFP",
        "reason": "Dette < 3 mois prise en charge & solde en plan d'apurement", "supplier": "SIC Nouméa"},
    "lettre_refus.docx": {
        "number": "DEL-2026-0015", "filed_on": "05/10/2026", "scheme": "Aide à l'énergie",
        "aid_kind": "Facture d'électricité", "amount_asked": "48 500 F CFP", "amount_granted": "",
        "amount_granted_words": "", "reason": "Ressources > plafond & dossier incomplet", "supplier": ""},
    "lettre_ajourne.docx": {
        "number": "DEL-2026-0019", "filed_on": "", "scheme": "Maintien dans le logement", "aid_kind": "Caution",
        "amount_asked": "90 000 F CFP", "amount_granted": "", "amount_granted_words": "",
        "reason": "Pièces manquantes : bail signé & avis d'imposition < 2025", "supplier": ""},
}
KEY_SENTENCES = {
    "lettre_accord.docx": "J'ai le plaisir de vous informer que la commission a émis un avis favorable et vous "
                          "accorde une aide «\u00a0Aide alimentaire\u00a0» d'un montant de 17 000 F CFP "
                          "(dix-sept mille francs CFP).",
    "lettre_accord_partiel.docx": "Je vous informe que la commission a émis un avis partiellement favorable et vous "
                                  "accorde une aide «\u00a0Loyers impayés\u00a0» d'un montant de 95 000 F CFP "
                                  "(quatre-vingt-quinze mille francs CFP), sur les 125 000 F CFP demandés.",
    "lettre_refus.docx": "J'ai le regret de vous informer que la commission n'a pas pu donner une suite favorable à "
                         "votre demande d'aide «\u00a0Facture d'électricité\u00a0».",
    "lettre_ajourne.docx": "Je vous informe que la commission a décidé d'ajourner l'examen de votre demande.",
}
SUPPLIER_ROWS = [
    {"index": 1, "number": "DEL-2026-0031", "beneficiary": "Mme Gaëlle TEIN", "aid_kind": "Aide alimentaire",
     "amount": "17 000 F CFP", "voucher_number": "BA-2026-0111"},
    {"index": 2, "number": "DEL-2026-0034", "beneficiary": "M. Jules Ouetcho", "aid_kind": "Aide alimentaire",
     "amount": "25 000 F CFP", "voucher_number": "BA-2026-0112"},
    {"index": 3, "number": "DEL-2026-0040", "beneficiary": "Mme Rose Hmaé", "aid_kind": "Bouteille de gaz",
     "amount": "6 500 F CFP", "voucher_number": ""},
]


def follow_up_context(**changes: Any) -> dict[str, Any]:
    context = {"service": SERVICE, "committee": FOLLOW_UP_COMMITTEE, "session": FOLLOW_UP_SESSION,
               "letter_date": "23 novembre 2026", "reference": "D2026-0401", "correction": False,
               "correction_note": CORRECTION_NOTE}
    return copy.deepcopy({**context, **changes})


def letter_context(template: str, **changes: Any) -> dict[str, Any]:
    voucher = VOUCHER if template == "lettre_accord.docx" else None
    return follow_up_context(**{"applicant": APPLICANT, "application": DECIDED[template], "voucher": voucher,
                                "social_worker": "Mme Léa Gopé", **changes})


def supplier_context(**changes: Any) -> dict[str, Any]:
    return follow_up_context(**{
        "supplier": {"name": "Épicerie Wéa & Fils", "address": "8 rue du Général Mangin, Nouméa",
                     "email": "contact@epicerie-wea.nc", "ridet": "1 234 567.001"},
        "rows": SUPPLIER_ROWS, "total": "48 500 F CFP",
        "total_words": "quarante-huit mille cinq cents francs CFP", "count": 3, "has_vouchers": True, **changes})


def voucher_context(**changes: Any) -> dict[str, Any]:
    return follow_up_context(**{
        "reference": "",
        "voucher": {"number": "BA-2026-0111", "control_key": "47", "amount": "17 000 F CFP",
                    "amount_words": "dix-sept mille francs CFP", "issued_on": "23 novembre 2026",
                    "valid_until": "23 décembre 2026", "aid_kind": "Aide alimentaire"},
        "beneficiary": {"name": "Mme Gaëlle TEIN", "commune": "Nouméa", "address": "12 rue Jules Ferry"},
        "supplier": {"name": "Épicerie Wéa & Fils", "address": "8 rue du Général Mangin, Nouméa"},
        "application": {"number": "DEL-2026-0031"}, **changes})


def follow_up(template: str, **changes: Any) -> dict[str, Any]:
    if template in LETTERS:
        return letter_context(template, **changes)
    return supplier_context(**changes) if template == "avis_fournisseur.docx" else voucher_context(**changes)


@pytest.mark.parametrize("template", LETTERS)
def test_a_decision_letter_reads_as_an_administrative_letter(tmp_path: Path, template: str) -> None:
    document = render(template, letter_context(template), tmp_path)
    lines = [p.text for p in document.paragraphs]
    application = DECIDED[template]

    assert lines[0] == "Service de l'action sociale & de la solidarité"
    assert "Nouméa, le 23 novembre 2026" in lines
    assert "N/Réf.\u00a0: D2026-0401" in lines
    assert f"Dossier n°\u00a0{application['number']} – {application['scheme']}" in lines
    name = lines.index("Mme Gaëlle TEIN")
    assert lines[name + 1:name + 3] == ["12 rue Jules Ferry, Vallée-des-Colons", "Nouméa"]
    subject = ("Objet\u00a0: Réponse à votre demande d'aide" if template == "lettre_refus.docx"
               else f"Objet\u00a0: Votre demande d'aide – {application['aid_kind']}")
    assert lines[name + 3:name + 5] == [subject, "Madame, Monsieur,"]
    filed = f", déposée le {application['filed_on']}," if application["filed_on"] else ""
    assert (f"Votre demande d'aide{filed} a été examinée lors de la séance de la Commission des aides "
            "individuelles du vendredi 13 novembre 2026.") in lines
    assert KEY_SENTENCES[template] in lines
    assert lines[-3:] == ["Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées.",
                          "Mme Hélène Wénéhoua", "Cheffe du service de l'action sociale"]
    assert "RECTIFICATIF" not in full_text(document) and CORRECTION_NOTE not in full_text(document)
    assert "" not in lines[name:name + 5]
    assert_no_jinja_left(document)


def test_the_grant_letter_says_who_is_paid_and_joins_the_voucher(tmp_path: Path) -> None:
    lines = [p.text for p in render("lettre_accord.docx", letter_context("lettre_accord.docx"), tmp_path).paragraphs]
    assert ("Ce montant sera versé directement au fournisseur, Épicerie Wéa & Fils\u202f; vous n'avez aucune "
            "avance à faire.") in lines
    assert ("Le bon alimentaire n°\u00a0BA-2026-0111 correspondant est joint à ce courrier\u202f; il peut aussi "
            "être retiré auprès du service. Il est valable jusqu'au 23 décembre 2026 et doit être présenté au "
            "fournisseur.") in lines

    application = {**DECIDED["lettre_accord.docx"], "supplier": "", "filed_on": ""}
    plain = render("lettre_accord.docx", letter_context("lettre_accord.docx", application=application, voucher=None),
                   tmp_path)
    text = full_text(plain)
    assert "fournisseur" not in text and "bon alimentaire" not in text
    assert ("Votre demande d'aide a été examinée lors de la séance de la Commission des aides individuelles du "
            "vendredi 13 novembre 2026.") in text
    assert_no_jinja_left(plain)


def test_the_partial_grant_letter_gives_its_reason_only_when_known(tmp_path: Path) -> None:
    template = "lettre_accord_partiel.docx"
    lines = [p.text for p in render(template, letter_context(template), tmp_path).paragraphs]
    assert "Motif de l'accord partiel\u00a0: Dette < 3 mois prise en charge & solde en plan d'apurement" in lines
    assert ("Ce montant sera versé directement au fournisseur, SIC Nouméa\u202f; vous n'avez aucune avance à faire."
            in lines)
    assert not any("bon alimentaire" in line for line in lines)

    application = {**DECIDED[template], "reason": ""}
    unexplained = render(template, letter_context(template, application=application), tmp_path)
    assert "Motif" not in full_text(unexplained)
    assert_no_jinja_left(unexplained)


def test_the_refusal_gives_its_reason_or_a_generic_one_and_the_means_of_appeal(tmp_path: Path) -> None:
    template = "lettre_refus.docx"
    lines = [p.text for p in render(template, letter_context(template), tmp_path).paragraphs]
    assert "Motif\u00a0: Ressources > plafond & dossier incomplet" in lines
    assert ("Vous pouvez contester cette décision dans un délai de deux mois à compter de sa notification, soit "
            "par un recours gracieux adressé au président de la commission, soit par un recours contentieux devant "
            "le tribunal administratif de Nouméa.") in lines
    assert ("Votre référent(e), Mme Léa Gopé, reste à votre disposition pour étudier avec vous d'autres "
            "solutions.") in lines
    assert not any("conditions d'attribution" in line for line in lines)

    application = {**DECIDED[template], "reason": ""}
    generic = render(template, letter_context(template, application=application, social_worker=""), tmp_path)
    lines = [p.text for p in generic.paragraphs]
    assert ("Au regard des éléments de votre dossier, votre demande ne remplit pas les conditions d'attribution de "
            "cette aide.") in lines
    assert not any(line.startswith("Motif") or "référent" in line for line in lines)
    assert_no_jinja_left(generic)


def test_the_postponement_gives_its_reason_and_whom_to_contact(tmp_path: Path) -> None:
    template = "lettre_ajourne.docx"
    lines = [p.text for p in render(template, letter_context(template), tmp_path).paragraphs]
    assert "Motif\u00a0: Pièces manquantes : bail signé & avis d'imposition < 2025" in lines
    assert ("Votre dossier sera examiné à nouveau lors d'une prochaine séance de la commission\u202f; vous n'avez "
            "pas à déposer une nouvelle demande.") in lines
    assert ("Je vous invite à prendre contact avec votre référent(e), Mme Léa Gopé, afin de compléter votre "
            "dossier si nécessaire.") in lines

    application = {**DECIDED[template], "reason": ""}
    bare = render(template, letter_context(template, application=application, social_worker=""), tmp_path)
    lines = [p.text for p in bare.paragraphs]
    assert not any(line.startswith("Motif") for line in lines)
    assert ("Je vous invite à prendre contact avec le service au 27 12 34 afin de compléter votre dossier si "
            "nécessaire.") in lines
    assert_no_jinja_left(bare)


def test_a_letter_to_an_applicant_without_address(tmp_path: Path) -> None:
    applicant = {**APPLICANT, "name": "Gaëlle TEIN", "address": "", "commune": ""}
    document = render("lettre_refus.docx", letter_context("lettre_refus.docx", applicant=applicant), tmp_path)
    lines = [p.text for p in document.paragraphs]
    name = lines.index("Gaëlle TEIN")
    assert lines[name + 1] == "Objet\u00a0: Réponse à votre demande d'aide"


@pytest.mark.parametrize("template", FOLLOW_UPS)
def test_a_correction_shows_its_heading_and_note(tmp_path: Path, template: str) -> None:
    document = render(template, follow_up(template, correction=True), tmp_path)
    lines = [p.text for p in document.paragraphs]
    heading_line = next(p for p in document.paragraphs if p.text == "RECTIFICATIF")
    assert all(run.bold for run in heading_line.runs)
    assert lines[lines.index("RECTIFICATIF") + 1] == CORRECTION_NOTE
    assert lines.index("RECTIFICATIF") < 12  # near the top
    assert_no_jinja_left(document)


@pytest.mark.parametrize("template", FOLLOW_UPS)
def test_the_reference_line_shows_only_with_a_reference(tmp_path: Path, template: str) -> None:
    with_reference = render(template, follow_up(template, reference="D2026-0401"), tmp_path)
    assert "N/Réf.\u00a0: D2026-0401" in [p.text for p in with_reference.paragraphs]
    without = render(template, follow_up(template, reference=""), tmp_path)
    assert "N/Réf." not in full_text(without)
    assert_no_jinja_left(without)


def test_the_supplier_notice_lists_one_row_per_beneficiary_and_the_total(tmp_path: Path) -> None:
    document = render("avis_fournisseur.docx", supplier_context(), tmp_path)
    lines = [p.text for p in document.paragraphs]

    name = lines.index("Épicerie Wéa & Fils")
    assert lines[name + 1:name + 4] == ["8 rue du Général Mangin, Nouméa", "RIDET\u00a0: 1 234 567.001",
                                        "Objet\u00a0: Aides accordées – séance de la Commission des aides "
                                        "individuelles du 13/11/2026"]
    (table,) = document.tables
    assert [[c.text for c in row.cells] for row in table.rows[:4]] == [
        ["N°", "Dossier", "Bénéficiaire", "Nature de l'aide", "Montant", "Bon n°"],
        ["1", "DEL-2026-0031", "Mme Gaëlle TEIN", "Aide alimentaire", "17 000 F CFP", "BA-2026-0111"],
        ["2", "DEL-2026-0034", "M. Jules Ouetcho", "Aide alimentaire", "25 000 F CFP", "BA-2026-0112"],
        ["3", "DEL-2026-0040", "Mme Rose Hmaé", "Bouteille de gaz", "6 500 F CFP", ""]]
    assert len(table.rows) == 1 + 3 + 1
    total = [c.text for c in table.rows[4].cells]
    assert total[0] == "Total" and total[4] == "48 500 F CFP" and total[5] == ""
    assert "Soit 3 aides pour un montant total de 48 500 F CFP (quarante-huit mille cinq cents francs CFP)." in lines
    assert sum("bon alimentaire" in line or "bons alimentaires" in line for line in lines) == 2
    assert lines[-2:] == ["Mme Hélène Wénéhoua", "Cheffe du service de l'action sociale"]
    assert "RECTIFICATIF" not in full_text(document)
    assert_no_jinja_left(document)


def test_a_supplier_notice_without_vouchers_or_ridet(tmp_path: Path) -> None:
    rows = [{**SUPPLIER_ROWS[2], "index": 1}]
    supplier = {"name": "Gaz Services Païta", "address": "", "email": "", "ridet": ""}
    document = render("avis_fournisseur.docx", supplier_context(
        rows=rows, supplier=supplier, total="6 500 F CFP", total_words="six mille cinq cents francs CFP", count=1,
        has_vouchers=False), tmp_path)
    lines = [p.text for p in document.paragraphs]
    assert lines[lines.index("Gaz Services Païta") + 1].startswith("Objet\u00a0: Aides accordées")
    assert not any("bon alimentaire" in line or "bons alimentaires" in line for line in lines)
    assert "Soit 1 aide pour un montant total de 6 500 F CFP (six mille cinq cents francs CFP)." in lines
    (table,) = document.tables
    assert [row.cells[0].text for row in table.rows] == ["N°", "1", "Total"]
    assert_no_jinja_left(document)


def test_the_food_voucher_shows_its_number_key_amount_and_validity(tmp_path: Path) -> None:
    document = render("bon_alimentaire.docx", voucher_context(), tmp_path)
    lines = [p.text for p in document.paragraphs]

    assert "BON ALIMENTAIRE N°\u00a0BA-2026-0111" in lines
    assert "Clé de contrôle\u00a0: 47" in lines
    assert "Valable jusqu'au 23 décembre 2026" in lines
    assert "Aide accordée lors de la séance de la Commission des aides individuelles du 13/11/2026" in lines
    details, stamps = document.tables
    assert {row.cells[0].text: row.cells[1].text for row in details.rows} == {
        "Bénéficiaire": "Mme Gaëlle TEIN", "Adresse": "12 rue Jules Ferry, Nouméa",
        "Nature de l'aide": "Aide alimentaire", "Montant": "17 000 F CFP",
        "Montant en lettres": "dix-sept mille francs CFP", "Fournisseur": "Épicerie Wéa & Fils",
        "Adresse du fournisseur": "8 rue du Général Mangin, Nouméa", "Dossier n°": "DEL-2026-0031",
        "Émis le": "23 novembre 2026"}
    service, supplier = stamps.rows[0].cells
    assert service.text.splitlines() == ["Pour le service\u00a0: cachet et signature", "Mme Hélène Wénéhoua",
                                         "Cheffe du service de l'action sociale"]
    assert supplier.text.startswith("Cachet et signature du fournisseur")
    assert lines[-1] == ("Bon nominatif, non fractionnable, non échangeable contre des espèces. Le fournisseur "
                         "vérifie le numéro et la clé auprès du service.")
    assert "N/Réf." not in full_text(document) and "RECTIFICATIF" not in full_text(document)
    assert_no_jinja_left(document)


def test_a_food_voucher_for_any_approved_supplier(tmp_path: Path) -> None:
    context = voucher_context(supplier={"name": "", "address": ""},
                              beneficiary={"name": "Gaëlle TEIN", "commune": "Nouméa", "address": ""})
    document = render("bon_alimentaire.docx", context, tmp_path)
    details = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert details["Fournisseur"] == "Tout fournisseur conventionné"
    assert details["Adresse"] == "Nouméa"
    assert_no_jinja_left(document)


@pytest.mark.parametrize("template", FOLLOW_UPS)
def test_follow_ups_keep_ampersands_and_angle_brackets(tmp_path: Path, template: str) -> None:
    kind = "Colis < 30 kg & produits frais"
    changes: dict[str, Any] = {}
    if template == "avis_fournisseur.docx":
        changes = {"rows": [{**row, "aid_kind": kind} for row in SUPPLIER_ROWS]}
    elif template == "bon_alimentaire.docx":
        changes = {"voucher": {**voucher_context()["voucher"], "aid_kind": kind}}
    document = render(template, follow_up(template, **changes), tmp_path)
    text = full_text(document)
    assert "Service de l'action sociale & de la solidarité" in text
    if template in LETTERS and DECIDED[template]["reason"]:
        assert DECIDED[template]["reason"] in text
    elif template not in LETTERS:
        assert kind in text
    if template in ("lettre_accord.docx", "avis_fournisseur.docx", "bon_alimentaire.docx"):
        assert "Épicerie Wéa & Fils" in text
    assert "&amp;" not in text and "&lt;" not in text and "&gt;" not in text
