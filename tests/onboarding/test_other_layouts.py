"""Workbooks nobody here has seen: other spellings, column orders, title rows, text dates and amounts."""

from __future__ import annotations

import io
from datetime import date, time
from pathlib import Path

import pytest
from openpyxl import Workbook

from automations.cli.main import main
from automations.onboarding.command import draft_command
from automations.registers.mapping import load_mapping
from automations.registers.reader import read_registers
from automations.settings import load_config
from automations.transports import settings_checks

DOSSIERS = [
    ("MD/22", "08.01.2026", "KAFEU", "Rivière-Salée", "12 000 XPF", "Avis favorable", "12 000 XPF"),
    ("MD/113", "09.01.2026", "WAMYTAN", "Magenta", "45 000 XPF", "Avis défavorable", ""),
    ("MD/7", "12.01.2026", "NAISSELINE", "Ducos", "30 000 XPF", "Sursis à statuer", ""),
    ("MD/8", "13.01.2026", "GOROMIDO", "Ducos", "80 000 XPF", "Accord partiel", "40 000 XPF"),
]


def neighbourhood_service(folder: Path) -> Path:
    """A service keeping two sheets under title rows, with its own words for everything, and no members sheet."""
    folder.mkdir()
    book = Workbook()
    sheet = book.active
    sheet.title = "Suivi des dossiers"
    sheet.append(["MAIRIE DE DUMBÉA – Service social"])
    sheet.append(["Suivi des dossiers d'aide – année 2026"])
    sheet.append([])
    sheet.append(["Quartier", "Nº", "Date dépôt", "NOM", "Montant accordé (XPF)", "Avis de la commission",
                  "Montant sollicité (F CFP)", "Séance"])
    for number, filed, name, area, asked, opinion, granted in DOSSIERS:
        sheet.append([area, number, filed, name, granted, opinion, asked, "22.01.2026"])
    planning = book.create_sheet("Calendrier des séances")
    planning.append(["Calendrier 2026"])
    planning.append(["Fin", "Début", "Date de la commission", "Commission", "Salle"])
    planning.append([time(11, 0), "8h30", date(2026, 1, 22), "Commission d'aide sociale", "Salle des mariages"])
    planning.append(["12h", "9h", "19.02.2026", "Commission d'aide sociale", "Salle des mariages"])
    path = folder / "Aides sociales 2026.xlsx"
    book.save(path)
    return path


@pytest.fixture
def drafted(tmp_path: Path) -> tuple[str, Path, Path]:
    folder = tmp_path / "Dumbéa"
    neighbourhood_service(folder)
    out = tmp_path / "brouillon"
    stream = io.StringIO()
    assert draft_command(folder, out, stream) == 0
    return stream.getvalue(), folder, out


def test_fields_are_found_under_other_spellings_and_orders(drafted) -> None:
    printed, folder, out = drafted
    mapping = load_mapping(out / "mapping.toml")
    applications = mapping.registers["applications"]
    assert applications.sheets == ("Suivi des dossiers",) and applications.files == ("Aides sociales *.xlsx",)
    assert {n: f.headers[0] for n, f in applications.fields.items()} == {
        "number": "Nº", "filed_on": "Date dépôt", "last_name": "NOM", "amount_granted": "Montant accordé (XPF)",
        "decision": "Avis de la commission", "amount_asked": "Montant sollicité (F CFP)", "session_date": "Séance"}
    sessions = mapping.registers["sessions"]
    assert {n: f.headers[0] for n, f in sessions.fields.items()} == {
        "end_time": "Fin", "time": "Début", "date": "Date de la commission", "committee": "Commission",
        "room": "Salle"}
    assert "members" not in mapping.registers
    # read through the drafted mapping: text dates, amounts in XPF, the service's decisions
    records = read_registers(mapping, folder)
    assert [f.describe() for f in records.findings] == []
    read = {r.values["number"]: r.values for r in records.of("applications")}
    assert read["MD/22"]["filed_on"] == date(2026, 1, 8) and read["MD/22"]["amount_asked"] == 12000
    assert {n: v["decision"] for n, v in read.items()} == {
        "MD/22": "accord", "MD/113": "refus", "MD/7": "ajourne", "MD/8": "accord_partiel"}
    assert [r.values["end_time"] for r in records.of("sessions")] == [time(11, 0), time(12, 0)]
    assert "demandes : 7 champ(s), 1 colonne(s) propre(s) au service (« Quartier »)" in printed
    assert "séances : 5 champ(s)" in printed


def test_the_service_own_column_is_drafted_and_loads_as_one(drafted) -> None:
    _, _, out = drafted
    text = (out / "mapping.toml").read_text(encoding="utf-8")
    assert "[registers.applications.own_fields.quartier]\nheaders = [\"Quartier\"]\ntype = \"text\"" in text
    assert load_mapping(out / "mapping.toml").registers["applications"].own_fields["quartier"].headers == (
        "Quartier",)
    # the choices as the service writes them, under the tool's meaning
    assert 'accord = ["Avis favorable"]' in text and 'ajourne = ["Sursis à statuer"]' in text
    assert 'refus = ["Avis défavorable"]' in text and 'accord_partiel = ["Accord partiel"]' in text


def test_questions_left_are_printed_and_marked(tmp_path: Path) -> None:
    folder = tmp_path / "Service"
    neighbourhood_service(folder)
    book_path = folder / "Aides sociales 2026.xlsx"
    from openpyxl import load_workbook

    book = load_workbook(book_path)
    book["Suivi des dossiers"].append(["Koutio", "MD/9", "14.01.2026", "TEIN", "", "Vu en réunion", "", ""])
    book["Suivi des dossiers"]["C4"] = "Date dépo"  # a typing slip in the header
    book.save(book_path)
    stream = io.StringIO()
    draft_command(folder, tmp_path / "out", stream)
    printed = stream.getvalue()
    assert "Questions pour l'administrateur (3), marquées « À VÉRIFIER » dans les fichiers :" in printed
    assert ("« Aides sociales 2026.xlsx », feuille « Suivi des dossiers », colonne « Avis de la commission » : "
            "sens inconnu pour « Vu en réunion » (au choix : accord, accord_partiel, ajourne, refus)") in printed
    assert "« Date dépo » lu comme « filed_on » (en-tête approchant)" in printed
    assert ("aucun registre des membres reconnu : convocations et dossiers de séance n'ont aucun destinataire ; "
            "s'il existe, décrivez-le dans mapping.toml") in printed
    text = (tmp_path / "out" / "mapping.toml").read_text(encoding="utf-8")
    assert "# À VÉRIFIER : sens inconnu pour « Vu en réunion »" in text
    assert "# À VÉRIFIER : l'en-tête « Date dépo » ressemble à un en-tête connu de « filed_on »" in text


def test_drafted_files_pass_check(drafted, capsys) -> None:
    _, _, out = drafted
    config = load_config(out / "config.toml", backends=settings_checks())
    # no committees register: the committees the sessions name are listed for the administrator to complete
    assert [c.name for c in config.committees] == ["Commission d'aide sociale"]
    text = (out / "config.toml").read_text(encoding="utf-8")
    assert "# À VÉRIFIER : nom exact de l'instance, délai des convocations, salle habituelle\n[[committees]]" in text
    assert '# [[rooms]]\n# name = "Salle des mariages"\n# email = ""' in text
    code = main(["--config", str(out / "config.toml"), "check"])
    printed = capsys.readouterr()
    assert "Correspondance des registres : mapping.toml — correcte." in printed.out
    assert "invalide" not in printed.out + printed.err
    assert code == 0


def test_never_overwrites_an_existing_file(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "Service"
    neighbourhood_service(folder)
    out = tmp_path / "out"
    out.mkdir()
    (out / "config.toml").write_text("# la configuration de l'administrateur\n", encoding="utf-8")
    code = main(["draft", str(folder), "--sortie", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"Erreur : « {out / 'config.toml'} » existe déjà : rien n'est écrasé" in err
    assert (out / "config.toml").read_text(encoding="utf-8") == "# la configuration de l'administrateur\n"
    assert not (out / "mapping.toml").exists()


def test_a_folder_without_workbooks_is_said(tmp_path: Path, capsys) -> None:
    assert main(["draft", str(tmp_path)]) == 2
    assert f"aucun classeur Excel (.xlsx, .xlsm, .xls) dans {tmp_path}" in capsys.readouterr().err


@pytest.mark.parametrize("spelling", ["Nº dossier", "No dossier", "Num. dossier", "NUMÉRO DE DOSSIER", "N°"])
def test_number_spellings_and_a_members_sheet_whose_quality_holds_roles(spelling: str, tmp_path: Path) -> None:
    folder = tmp_path / "Service"
    folder.mkdir()
    book = Workbook()
    members = book.active
    members.title = "Composition"
    members.append(["Liste des membres"])
    members.append(["Courriel", "Qualité", "Commission", "Nom", "Prénom"])
    members.append(["a.kafeu@mairie.nc", "Titulaire", "CAS", "KAFEU", "Alice"])
    members.append(["b.tein@mairie.nc", "Suppléante", "CAS", "TEIN", "Bruno"])
    applications = book.create_sheet("Registre 2026")
    applications.append(["DATE DE DÉPÔT", spelling, "Bénéficiaire", "Décision", "Montant demandé"])
    applications.append(["08.01.2026", "2026-1", "KAFEU Alice", "Avis favorable", "12 000 F CFP"])
    book.save(folder / "Commission.xlsx")
    draft_command(folder, tmp_path / "out", io.StringIO())
    mapping = load_mapping(tmp_path / "out" / "mapping.toml")
    assert mapping.registers["applications"].fields["number"].headers == (spelling,)
    assert mapping.registers["applications"].fields["full_name"].required
    assert mapping.registers["members"].fields["role"].headers == ("Qualité",)
    assert mapping.registers["members"].key == ("last_name", "first_name", "committee")
    read = read_registers(mapping, folder)
    assert [(r.values["last_name"], r.values["role"]) for r in read.of("members")] == [
        ("KAFEU", "titulaire"), ("TEIN", "suppleant")]
    assert [r.values["amount_asked"] for r in read.of("applications")] == [12000]


def test_a_broken_workbook_is_a_question_and_nothing_recognised_writes_nothing(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "Service"
    neighbourhood_service(folder)
    (folder / "Ancien registre.xlsx").write_bytes(b"pas un classeur")
    stream = io.StringIO()
    draft_command(folder, tmp_path / "out", stream)
    assert "  - « Ancien registre.xlsx » : fichier illisible (contenu non reconnu, ce n'est pas un classeur Excel)" \
        in stream.getvalue()
    lone = tmp_path / "Vide"
    lone.mkdir()
    book = Workbook()
    book.active.append(["Recettes", "Dépenses", "Solde"])
    book.save(lone / "Budget.xlsx")
    assert main(["draft", str(lone), "--sortie", str(tmp_path / "rien")]) == 2
    err = capsys.readouterr().err
    assert f"aucun registre reconnu dans les classeurs de {lone} : rien n'est écrit" in err
    assert "« Budget.xlsx », feuille « Sheet » : aucun registre reconnu dans ses en-têtes" in err
    assert not (tmp_path / "rien").exists()


def test_an_output_folder_that_is_a_file_is_said_and_nothing_is_written(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "Service"
    neighbourhood_service(folder)
    taken = tmp_path / "sortie"
    taken.write_text("un fichier", encoding="utf-8")
    assert main(["draft", str(folder), "--sortie", str(taken)]) == 2
    err = capsys.readouterr().err
    assert f"Erreur : impossible d'écrire dans {taken} (un fichier porte déjà ce nom) : rien n'est écrit" in err
    assert "Erreur inattendue" not in err and taken.read_text(encoding="utf-8") == "un fichier"


def test_a_file_appearing_while_drafting_is_kept_and_nothing_half_written(tmp_path: Path, monkeypatch) -> None:
    from automations.onboarding import command

    folder = tmp_path / "Service"
    neighbourhood_service(folder)
    out = tmp_path / "out"
    drafted_config = command.config_text

    def meanwhile(*args):  # another administrator saves config.toml just before it is written
        (out / "config.toml").write_text("# à moi\n", encoding="utf-8")
        return drafted_config(*args)

    monkeypatch.setattr(command, "config_text", meanwhile)
    out.mkdir()
    with pytest.raises(command.UsageError, match="un fichier porte déjà ce nom"):
        command.draft_command(folder, out, io.StringIO())
    assert (out / "config.toml").read_text(encoding="utf-8") == "# à moi\n"
    assert not (out / "mapping.toml").exists()


def test_longer_headers_and_a_second_column_for_one_field(tmp_path: Path) -> None:
    folder = tmp_path / "Service"
    folder.mkdir()
    book = Workbook()
    sheet = book.active
    sheet.title = "Dossiers"
    sheet.append(["Date de la séance", "N° de dossier", "Nom du bénéficiaire", "Type de secours",
                  "Montant octroyé", "Date passage en commission", "Nombre d'enfants", "Date de naissance"])
    sheet.append(["22.01.2026", "A-1", "KAFEU", "Colis", "5 000 F", "22/01/2026", 3, "01.02.1980"])
    mail = book.create_sheet("Feuil2")
    mail.append(["Réf.", "Date d'arrivée", "Expéditeur", "Objet du courrier", "Service destinataire"])
    mail.append(["A2026-1", date(2026, 1, 5), "CAFAT", "Attestation", "Accueil"])
    book.save(folder / "Suivi.xlsx")
    stream = io.StringIO()
    draft_command(folder, tmp_path / "out", stream)
    mapping = load_mapping(tmp_path / "out" / "mapping.toml")
    assert {n: f.headers[0] for n, f in mapping.registers["applications"].fields.items()} == {
        "session_date": "Date de la séance", "number": "N° de dossier", "last_name": "Nom du bénéficiaire",
        "aid_kind": "Type de secours", "amount_granted": "Montant octroyé"}
    assert {n: f.headers[0] for n, f in mapping.registers["mail_in"].fields.items()} == {
        "number": "Réf.", "date": "Date d'arrivée", "sender": "Expéditeur", "subject": "Objet du courrier",
        "recipient": "Service destinataire"}
    assert ("« Suivi.xlsx », feuille « Dossiers » : « Date passage en commission » nomme aussi « session_date », "
            "déjà lu dans « Date de la séance » ; elle est gardée comme colonne propre au service") in stream.getvalue()
    text = (tmp_path / "out" / "mapping.toml").read_text(encoding="utf-8")
    # the service's own columns, typed from their values
    assert "[registers.applications.own_fields.nombre_enfants]\nheaders = [\"Nombre d'enfants\"]\n" \
           "type = \"integer\"" in text
    assert "[registers.applications.own_fields.date_naissance]\nheaders = [\"Date de naissance\"]\n" \
           "type = \"date\"" in text


def test_sums_and_a_title_row_on_a_calendar_with_start_and_end(tmp_path: Path) -> None:
    # a CCAS's own words: « Somme demandée / attribuée », a calendar under its title, « Début » and « Fin »
    folder = tmp_path / "CCAS"
    folder.mkdir()
    wb = Workbook()
    calendar = wb.active
    calendar.title = "Calendrier"
    calendar.append(["CCAS — calendrier des commissions 2026"])
    calendar.append([])
    calendar.append(["Commission", "Jour", "Début", "Fin", "Lieu"])
    calendar.append(["Commission des aides facultatives", "08.01.2026", "08:30", "11:00", "Salle du conseil"])
    files = wb.create_sheet("Dossiers")
    files.append(["Réf.", "Reçu le", "Nom du demandeur", "Quartier", "Somme demandée", "Avis", "Somme attribuée"])
    files.append(["MD/7", "02.01.2026", "WAHEO", "Tamoa", "9 000 XPF", "Avis favorable", "6 000 XPF"])
    files.append(["MD/14", "03.01.2026", "TEIN", "Scheffleras", "3 000 XPF", "Sursis à statuer", None])
    wb.save(folder / "Aides facultatives 2026.xlsx")
    draft_command(folder, tmp_path / "out", io.StringIO())
    mapping = load_mapping(tmp_path / "out" / "mapping.toml")
    applications = mapping.registers["applications"]
    assert applications.fields["amount_asked"].headers == ("Somme demandée",)
    assert applications.fields["amount_granted"].headers == ("Somme attribuée",)
    assert list(applications.own_fields) == ["quartier"]
    sessions = mapping.registers["sessions"]
    assert (sessions.fields["time"].headers, sessions.fields["end_time"].headers) == (("Début",), ("Fin",))
    records = read_registers(mapping, folder)
    assert [r.values["amount_granted"] for r in records.of("applications")] == [6000, None]
