"""Template check: fields a Word template reads versus the data it gets, and broken templates located in Word."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
import pytest
from jinja2 import Environment, TemplateSyntaxError

from automations.documents.render import render_docx
from automations.documents.template_check import TemplateReport, _explain, check_template
from automations.errors import TemplateError

from ..conftest import PROJECT


def build(path: Path, paragraphs: list[str], rows: list[list[str]] | None = None,
          header: str | None = None) -> Path:
    """A template written with python-docx, each Jinja tag inside one run, as staff would type it."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if rows:
        table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for row, values in zip(table.rows, rows, strict=True):
            for cell, value in zip(row.cells, values):
                cell.paragraphs[0].add_run(value)
    if header is not None:
        document.sections[0].header.paragraphs[0].add_run(header)
    document.save(str(path))
    return path


SAMPLE: dict[str, Any] = {
    "session": {"date_long": "lundi 7 décembre 2026", "chair": "Mme Wamytan", "agenda_items": ["Dossiers"]},
    "applications": [{"number": "2026-001", "name": "Dupont"}, {"number": "2026-002", "name": "Kaloi"}],
}


def dossier(tmp_path: Path) -> Path:
    return build(tmp_path / "dossier_seance.docx",
                 ["Séance du {{ session.date_long }}", "Salle : {{ session.salle }}"],
                 rows=[["{%tr for a in applications %}", ""], ["{{ a.number }}", "{{ a.montant }}"],
                       ["{%tr endfor %}", ""]])


def test_fields_missing_and_unused(tmp_path: Path) -> None:
    report = check_template(dossier(tmp_path), SAMPLE)
    assert report.broken is None
    assert report.missing == ("applications[].montant", "session.salle")
    assert "session.chair" in report.unused and "applications[].name" in report.unused
    assert "applications[].number" not in report.unused and "session.date_long" not in report.unused
    # each field as staff typed it in Word, and where: not the data path the tool reads
    assert report.lines() == [
        "Modèle « dossier_seance.docx » : 2 champs que l'outil ne fournit pas (ils resteront vides dans les "
        "documents) :",
        "  - « {{ a.montant }} » (tableau 1, ligne 2, colonne 2)",
        "  - « {{ session.salle }} » (paragraphe 2)"]
    # what the tool provides and the template leaves aside: only for whoever edits templates (--verbose)
    assert report.lines(verbose=True)[-1].startswith(
        "Modèle « dossier_seance.docx » : champs disponibles que le modèle n'utilise pas : {{ applications[].name }}")


def test_correct_template(tmp_path: Path) -> None:
    path = build(tmp_path / "ok.docx", [
        "{{ session.date_long.upper() }} {% if session.chair %}présidée par {{ session.chair }}{% endif %}",
        "{%p for item in session.agenda_items %}", "{{ loop.index }}. {{ item }}", "{%p endfor %}",
        "{% set first = applications[0] %}{{ first.number }} {{ applications|length }} {{ absent|default('') }}",
    ], rows=[["{%tr for a in applications %}"], ["{{ a.name }}"], ["{%tr endfor %}"]], header="{{ session.chair }}")
    report = check_template(path, SAMPLE)
    assert report == TemplateReport("ok.docx", (), ())
    assert report.lines() == ["Modèle « ok.docx » : correct."]


def test_header_fields_are_checked(tmp_path: Path) -> None:
    path = build(tmp_path / "entete.docx", ["{{ session.date_long }}"], header="{{ service.logo }}")
    assert check_template(path, {**SAMPLE, "service": {"name": "CCAS"}}).missing == ("service.logo",)


def test_reading_a_parent_reads_its_children(tmp_path: Path) -> None:
    path = build(tmp_path / "tout.docx", ["{{ session }}", "{% for a in applications %}{{ a }}{% endfor %}"])
    assert check_template(path, SAMPLE).unused == ()


BROKEN = ("Modèle « casse.docx » invalide : paragraphe 3 (« Date : {{ session.date_long } ») : "
          "accolade fermante manquante (« }} » attendu)")


def test_unclosed_expression_is_located(tmp_path: Path) -> None:
    path = build(tmp_path / "casse.docx", ["Convocation", "{{ session.chair }}", "Date : {{ session.date_long }"])
    report = check_template(path, SAMPLE)
    assert report.broken == BROKEN
    assert report.missing == report.unused == ()
    assert report.lines() == [report.broken]
    with pytest.raises(TemplateError) as raised:
        render_docx(path, SAMPLE, tmp_path / "out" / "casse.docx")
    assert raised.value.message == report.broken
    assert not (tmp_path / "out" / "casse.docx").exists()


@pytest.mark.parametrize("paragraphs, rows, expected", [
    (["Intro", "{% if x %}", "texte"], None,
     "paragraphe 2 (« {% if x %} ») : bloc « if » jamais fermé (« endif » manquant)"),
    (["{% for a in applications %}", "{{ a.number }}", "{% endif %}"], None,
     "paragraphe 3 (« {% endif %} ») : balise « endif » inattendue : « endfor » était attendu avant"),
    (["Total : {{ a.montant + }}"], None, "paragraphe 1 (« Total : {{ a.montant + }} ») : expression illisible "
                                          "« a.montant + »"),
    (["{{ session.date_long|majuscules }}"], None,
     "filtre « majuscules » inconnu dans « session.date_long|majuscules »"),
    (["{% if x = 1 %}oui{% endif %}"], None, "instruction illisible « if x = 1 »"),
])
def test_broken_templates_are_located(tmp_path: Path, paragraphs: list[str], rows: list[list[str]] | None,
                                      expected: str) -> None:
    path = build(tmp_path / "casse.docx", paragraphs, rows)
    report = check_template(path, SAMPLE)
    assert report.broken is not None and expected in report.broken, report.broken
    with pytest.raises(TemplateError, match="^Modèle « casse.docx » invalide : ") as raised:
        render_docx(path, SAMPLE, tmp_path / "casse-rendu.docx")
    assert raised.value.message == report.broken


def test_tag_docxtpl_would_swallow_is_reported(tmp_path: Path) -> None:
    # docxtpl renders this without error but the unclosed tag eats the row: the documents would lose it
    path = build(tmp_path / "casse.docx", [],
                 rows=[["{%tr for a in applications %}"], ["{{ a.number }"], ["{%tr endfor %}"]])
    assert check_template(path, SAMPLE).broken == (
        "Modèle « casse.docx » invalide : tableau 1, ligne 2, colonne 1 (« {{ a.number } ») : "
        "accolade fermante manquante (« }} » attendu)")


def test_broken_header_is_located(tmp_path: Path) -> None:
    path = build(tmp_path / "casse.docx", ["{{ session.chair }}"], header="Le {{ session.date_long")
    assert check_template(path, SAMPLE).broken == (
        "Modèle « casse.docx » invalide : en-tête, paragraphe 1 (« Le {{ session.date_long ») : "
        "accolade fermante manquante (« }} » attendu)")


def test_unlocated_error_falls_back_to_jinja_in_french(tmp_path: Path) -> None:
    # every tag is fine on its own and blocks are balanced: Jinja's own message, in French, with the text near it
    path = build(tmp_path / "casse.docx", ["{% block a %}un{% endblock %}", "{% block a %}deux{% endblock %}"])
    report = check_template(path, SAMPLE)
    assert report.broken == ("Modèle « casse.docx » invalide : syntaxe incorrecte, près de "
                             "« {% block a %}deux{% endblock %} » (block 'a' defined twice)")
    with pytest.raises(TemplateSyntaxError) as raised:
        Environment().parse("{% for a in b %}\n{{ a }}")
    assert _explain(raised.value) == (
        "balise « endfor » manquante : un bloc « for » n'est jamais fermé (Unexpected end of template. Jinja was "
        "looking for the following tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'.)")


def test_not_a_docx(tmp_path: Path) -> None:
    path = tmp_path / "convocation.docx"
    path.write_text("pas un document Word", encoding="utf-8")
    report = check_template(path, SAMPLE)
    assert report.lines() == ["Modèle « convocation.docx » invalide : ce fichier n'est pas un document Word (.docx) "
                              "lisible ; enregistrez-le au format .docx."]
    missing = check_template(tmp_path / "absent.docx", SAMPLE)
    assert missing.broken is not None and "fichier introuvable" in missing.broken


def test_shipped_convocation_matches_invitations_data() -> None:
    # the keys automations.convocations.invitations.template_context builds
    sample = {
        "service": {"name": "CCAS de Nouméa", "address": "16 rue du Général Mangin, 98800 Nouméa",
                    "city": "Nouméa", "phone": "27 31 15", "email": "ccas@example.nc",
                    "signatory": "Mme A. Wamytan", "signatory_title": "Directrice"},
        "committee": {"name": "Commission des aides", "scheme": "Aides facultatives",
                      "of_name": "de la Commission des aides"},
        "session": {"date_long": "lundi 7 décembre 2026", "date_short": "07/12/2026", "time": "8 h 30",
                    "end_time": "10 h 30", "room": "Salle Kanala", "room_site": "Hôtel de ville",
                    "chair": "M. Dupont", "agenda_items": ["Examen des dossiers", "Questions diverses"]},
        "letter_date": "23 novembre 2026",
        "is_update": False,
        "update_note": "",
        "members": [{"full_name": "Jean Kaloi", "organisation": "CAFAT", "function": "Conseiller",
                     "role": "Titulaire"},
                    {"full_name": "Marie Wéa", "organisation": "Province Sud", "function": "Élue",
                     "role": "Suppléant"}],
    }
    report = check_template(PROJECT / "templates" / "convocation.docx", sample)
    assert report.broken is None
    assert report.missing == ()
    assert "members[].full_name" not in report.unused and "session.agenda_items" not in report.unused
    assert report.lines()[0] == "Modèle « convocation.docx » : correct."


def test_a_hint_says_what_to_do_about_a_missing_name_with_the_closest_one(tmp_path: Path) -> None:
    path = build(tmp_path / "lettre.docx", ["Quartier : {{ application.own.quartiers }}"])
    sample = {"application": {"number": "1", "own": {"quartier": "Ducos", "aide_caf": ""}}}
    report = check_template(path, sample, {"application.own": "colonne propre non déclarée"})
    assert report.lines()[1:] == ["  - « {{ application.own.quartiers }} » (paragraphe 1) : colonne propre non "
                                  "déclarée ; vouliez-vous dire « quartier » ?"]
    # a declared name passes
    assert check_template(build(tmp_path / "ok.docx", ["{{ application.own.quartier }}"]), sample).missing == ()


def test_an_empty_table_of_own_columns_is_not_offered_as_a_field(tmp_path: Path) -> None:
    path = build(tmp_path / "ok.docx", ["{{ session.date_long }}"])
    report = check_template(path, {"session": {"date_long": "lundi 7 décembre 2026", "own": {}}})
    assert report.unused == ()  # not « {{ session.own }} »: nothing is there to print
    with_one = check_template(path, {"session": {"date_long": "lundi", "own": {"salle_bis": ""}}})
    assert with_one.unused == ("session.own.salle_bis",)


def test_a_template_is_read_once_for_its_content_and_again_once_edited(tmp_path: Path, monkeypatch) -> None:
    """``check`` compares each template with several samples, and a service checks the same files run after
    run: Word's file is opened once per content, wherever it lies, and read again as soon as it changes."""
    from docx.package import Package

    opened: list[str] = []
    open_package = Package.open.__func__

    def counting(cls, source):  # type: ignore[no-untyped-def]
        if str(source).endswith("dossier_seance.docx"):  # not python-docx's own blank, used by build()
            opened.append(str(source))
        return open_package(cls, source)

    monkeypatch.setattr(Package, "open", classmethod(counting))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    # a paragraph of its own, so that no other test's template has the same bytes
    first = check_template(build(tmp_path / "a" / "dossier_seance.docx",
                                 ["Séance du {{ session.date_long }}", "Salle : {{ session.salle }}", str(tmp_path)],
                                 rows=[["{%tr for a in applications %}", ""], ["{{ a.number }}", "{{ a.montant }}"],
                                       ["{%tr endfor %}", ""]]), SAMPLE)
    assert len(opened) == 1  # one opening serves the fields, the broken tags and where each field lies
    copy = tmp_path / "b" / "dossier_seance.docx"
    copy.write_bytes((tmp_path / "a" / "dossier_seance.docx").read_bytes())
    other = check_template(copy, {"session": {"salle": "Salle 2"}})
    assert len(opened) == 1
    assert first.missing == ("applications[].montant", "session.salle")
    assert other.missing == ("applications", "session.date_long")  # same reading, compared with other data
    build(copy, ["Salle : {{ session.salle }}", str(tmp_path)])  # edited: read again
    assert check_template(copy, {"session": {"salle": "Salle 2"}}).lines() == [
        "Modèle « dossier_seance.docx » : correct."]
    assert len(opened) == 2
