"""Acknowledgements of applications and their reminders, on a service whose register keeps their columns."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

import docx
import pytest

from automations.cli import commands
from automations.engine.context import Context
from automations.errors import ConfigError
from automations.settings import load_config
from automations.transports import settings_checks

from .receipt_factory import (RECEIPTS, at, attachment_names, body, make_receipt_service, new_application,
                              new_applications, register, run, sent_mails, set_cells)

TODAY = date(2026, 11, 23)
FOLDER = Path("documents") / "Accusés de réception"


def _text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_acknowledgements_mailed_or_printed_with_session_referent_and_missing_documents(tmp_path: Path) -> None:
    config = make_receipt_service(tmp_path, new_applications())
    out = run(config, at(TODAY))

    assert "✓ envoi : Accusé de réception – dossier DEL-2026-0401, par e-mail" in out
    assert "✓ préparé pour impression : Accusé de réception – dossier DEL-2026-0402, à imprimer" in out
    assert "✓ envoi : Accusé de réception – dossier DEL-2026-0403, par e-mail" in out
    assert "DEL-2026-0390" not in out and "DEL-2026-0404" not in out
    # the printed one joins the run's print batch, and is said to be filed apart from the sessions' folders
    assert ("! À imprimer : 1 document Word dans les dossiers des séances (Courriers, Fournisseurs, Bons) et dans "
            "« Accusés de réception » ; sans PDF ([documents] pdf = false), pas de fichier unique à imprimer.") in out
    assert sorted(str(m["To"]) for m in sent_mails(tmp_path)) == ["Gaëlle WAHEO <gaelle.waheo@mail.nc>",
                                                                  "Malia TROLUE <malia.trolue@mail.nc>"]
    [first] = [m for m in sent_mails(tmp_path) if "gaelle.waheo@mail.nc" in str(m["To"])]
    text = body(first)
    assert first["Subject"] == "Accusé de réception de votre demande d'aide n° DEL-2026-0401"
    assert "déposée le 20 novembre 2026" in text
    assert "séance de la Commission maintien dans le logement du mercredi 2 décembre 2026" in text
    assert "Votre référent(e) : Mme Tein." in text
    assert "- Avis d'imposition 2025\n- Quittance de loyer d'octobre\n- RIB" in text
    assert attachment_names(first) == ["Accusé de réception DEL-2026-0401.docx"]
    [complete] = [m for m in sent_mails(tmp_path) if "malia.trolue@mail.nc" in str(m["To"])]
    assert "Pièces encore manquantes" not in body(complete)

    printed = _text(tmp_path / FOLDER / "Accusé de réception DEL-2026-0402.docx")
    assert "Sione GOPE\n12 rue des Cocotiers\nDumbéa" in printed
    assert "déposée le 18 novembre 2026 et enregistrée sous le numéro DEL-2026-0402" in printed
    assert "séance de la Commission maintien dans le logement du mercredi 2 décembre 2026" in printed
    assert "– Justificatif de domicile" in printed
    assert "Votre référent(e), Mme Tein, reste à votre disposition" in printed

    rows = register(tmp_path)
    # « envoyé » only for what was mailed; the printed one waits in the print workflow
    assert rows["DEL-2026-0401"]["Accusé envoyé le"] == datetime(2026, 11, 23)
    assert rows["DEL-2026-0401"]["Accusé préparé le"] is None
    assert rows["DEL-2026-0402"]["Accusé envoyé le"] is None
    assert rows["DEL-2026-0402"]["Accusé préparé le"] == datetime(2026, 11, 23)
    assert rows["DEL-2026-0390"]["Accusé envoyé le"] is None and rows["DEL-2026-0404"]["Accusé envoyé le"] is None

    again = run(config, at(TODAY, 9))
    assert "✓" not in again and "Bilan : 0 envoi, 0 échec" in again
    assert len(sent_mails(tmp_path)) == 2


def test_a_reminder_after_reminder_days_while_documents_are_missing(tmp_path: Path) -> None:
    config = make_receipt_service(tmp_path, new_applications())
    run(config, at(TODAY))
    assert "✓" not in run(config, at(TODAY + timedelta(days=9)))  # reminder_days = 10

    set_cells(tmp_path, "DEL-2026-0402", Pièces_manquantes=None)  # documents brought in: no reminder
    out = run(config, at(TODAY + timedelta(days=10)))
    assert "✓ envoi : Relance pour pièces manquantes – dossier DEL-2026-0401, par e-mail" in out
    assert "DEL-2026-0402" not in out and "DEL-2026-0403" not in out
    [reminder] = [m for m in sent_mails(tmp_path) if str(m["Subject"]).startswith("Relance")]
    assert reminder["Subject"] == "Relance : pièces manquantes à votre demande d'aide n° DEL-2026-0401"
    text = body(reminder)
    assert "le 23 novembre 2026 ; des pièces nous manquent toujours" in text
    assert "- Avis d'imposition 2025" in text
    assert attachment_names(reminder) == ["Relance 1 DEL-2026-0401.docx"]
    letter = _text(tmp_path / FOLDER / "Relance 1 DEL-2026-0401.docx")
    assert "a fait l'objet d'un accusé de réception le 23 novembre 2026" in letter
    assert "– Quittance de loyer d'octobre" in letter
    assert register(tmp_path)["DEL-2026-0401"]["Relance le"] == datetime(2026, 12, 3)
    assert register(tmp_path)["DEL-2026-0401"]["Accusé envoyé le"] == datetime(2026, 11, 23)

    # one per period: the next one another reminder_days later, none once a decision is entered
    assert "✓" not in run(config, at(TODAY + timedelta(days=19)))
    out = run(config, at(TODAY + timedelta(days=20)))
    assert "✓ envoi : Relance pour pièces manquantes – dossier DEL-2026-0401, par e-mail" in out
    set_cells(tmp_path, "DEL-2026-0401", Décision="Ajourné")
    assert "✓" not in run(config, at(TODAY + timedelta(days=40)))
    assert len(sent_mails(tmp_path)) == 4


def test_a_printed_reminder_is_prepared_not_sent(tmp_path: Path) -> None:
    config = make_receipt_service(tmp_path, new_applications())
    run(config, at(TODAY))
    out = run(config, at(TODAY + timedelta(days=10)))
    assert "✓ préparé pour impression : Relance pour pièces manquantes – dossier DEL-2026-0402, à imprimer" in out
    letter = _text(tmp_path / FOLDER / "Relance 1 DEL-2026-0402.docx")
    assert "– Justificatif de domicile" in letter
    assert "ne pourra pas être présentée à la séance de la Commission maintien dans le logement du mercredi " \
           "20 janvier 2027" in letter
    assert register(tmp_path)["DEL-2026-0402"]["Relance le"] == datetime(2026, 12, 3)
    assert register(tmp_path)["DEL-2026-0402"]["Accusé envoyé le"] is None


def test_the_session_expected_is_the_next_whose_pack_has_not_gone(tmp_path: Path) -> None:
    # the 2 December session's pack leaves 5 days before: a file filed on 30 November goes to 20 January
    rows = [new_application("DEL-2026-0410", "WAMYTAN", "Josépha", date(2026, 11, 29), "RIB")]
    config = make_receipt_service(tmp_path, rows)
    run(config, at(date(2026, 11, 30)))
    printed = _text(tmp_path / FOLDER / "Accusé de réception DEL-2026-0410.docx")
    assert "séance de la Commission maintien dans le logement du mercredi 20 janvier 2027" in printed


def test_no_session_planned_says_the_date_comes_later(tmp_path: Path) -> None:
    rows = [new_application("DEL-2027-0002", "WAMYTAN", "Josépha", date(2027, 1, 18), None, "j.wamytan@mail.nc")]
    config = make_receipt_service(tmp_path, rows, RECEIPTS.replace("15/11/2026", "01/01/2027"))
    run(config, at(date(2027, 1, 19)))
    [mail] = sent_mails(tmp_path)
    assert "Elle sera examinée par Commission maintien dans le logement : date communiquée ultérieurement." \
           in body(mail)
    printed = _text(tmp_path / FOLDER / "Accusé de réception DEL-2027-0002.docx")
    assert "la date de cette séance vous sera communiquée ultérieurement" in printed


def test_without_since_only_applications_filed_from_the_first_run_are_acknowledged(tmp_path: Path) -> None:
    config = make_receipt_service(tmp_path, new_applications(), RECEIPTS.replace('since = "15/11/2026"\n', ""))
    out = run(config, at(TODAY))
    assert "✓" not in out and sent_mails(tmp_path) == []
    set_cells(tmp_path, "DEL-2026-0403", Date_de_dépôt=datetime(2026, 11, 24))
    out = run(config, at(TODAY + timedelta(days=1)))
    assert "✓ envoi : Accusé de réception – dossier DEL-2026-0403, par e-mail" in out
    assert "DEL-2026-0401" not in out


def test_a_row_acknowledged_by_hand_is_left_alone(tmp_path: Path) -> None:
    config = make_receipt_service(tmp_path, new_applications())
    set_cells(tmp_path, "DEL-2026-0401", Accusé_envoyé_le=datetime(2026, 11, 21))
    out = run(config, at(TODAY))
    assert "DEL-2026-0401" not in out
    assert register(tmp_path)["DEL-2026-0401"]["Accusé envoyé le"] == datetime(2026, 11, 21)


def test_a_since_date_that_does_not_read_is_a_configuration_problem(tmp_path: Path) -> None:
    config = make_receipt_service(tmp_path, new_applications(), RECEIPTS.replace("15/11/2026", "2026-11-15"))
    with pytest.raises(ConfigError) as caught:
        load_config(config, backends=settings_checks())
    assert ('[receipts] since : date invalide « 2026-11-15 » (format JJ/MM/AAAA, par exemple "01/12/2026")'
            in caught.value.problems)


def test_the_weekly_digest_counts_the_acknowledgements(tmp_path: Path) -> None:
    config = make_receipt_service(tmp_path, new_applications())
    config.write_text(config.read_text(encoding="utf-8").replace("[digest]\nenabled = false",
                                                                 "[digest]\nenabled = true"), encoding="utf-8")
    run(config, at(TODAY))
    run(config, at(TODAY, 8, 10), "digest")
    [digest] = [m for m in sent_mails(tmp_path) if "cheffe@province-sud.nc" in str(m["To"])]
    text = body(digest)
    assert ("  Accusés de réception : 2 envois, 1 document préparé\n"
            "    - Accusé de réception – dossier DEL-2026-0401, par e-mail\n"
            "    - Accusé de réception – dossier DEL-2026-0403, par e-mail\n") in text


def test_a_filing_date_still_to_come_is_said_and_not_acknowledged(tmp_path: Path) -> None:
    rows = new_applications()
    rows[1][1] = date(2062, 11, 18)  # « 2062 » typed for « 2026 »
    config = make_receipt_service(tmp_path, rows)
    line = ("! Accusés de réception : « Registre des demandes 2026.xlsx », feuille « Demandes », ligne 3, colonne "
            "« Date de dépôt » (valeur « 18/11/2062 ») : date de dépôt à venir ; le dossier DEL-2026-0402 ne reçoit "
            "pas d'accusé de réception tant qu'elle n'est pas corrigée.")
    ctx = Context(config=load_config(config, backends=settings_checks()), clock=at(TODAY), out=io.StringIO())
    commands.check(ctx)
    assert line in ctx.out.getvalue()  # type: ignore[attr-defined]
    out = run(config, at(TODAY))
    assert line in out
    assert "✓ envoi : Accusé de réception – dossier DEL-2026-0401, par e-mail" in out
    assert "Accusé de réception – dossier DEL-2026-0402" not in out
    assert register(tmp_path)["DEL-2026-0402"]["Accusé préparé le"] is None
    assert not (tmp_path / FOLDER / "Accusé de réception DEL-2026-0402.docx").exists()


def test_without_a_filing_date_check_says_nothing_will_be_acknowledged(tmp_path: Path) -> None:
    config = make_receipt_service(tmp_path, new_applications())
    mapping = tmp_path / "correspondance.toml"
    text = mapping.read_text(encoding="utf-8")
    line = 'filed_on = { headers = ["Date de dépôt"], type = "date" }\n'
    assert text.count(line) == 1
    mapping.write_text(text.replace(line, ""), encoding="utf-8")
    ctx = Context(config=load_config(config, backends=settings_checks()), clock=at(TODAY), out=io.StringIO())
    commands.check(ctx)
    out = ctx.out.getvalue()  # type: ignore[attr-defined]
    said = [s.strip() for s in out.splitlines() if "Accusés de réception :" in s]
    assert said == ["! Accusés de réception : champ « filed_on » absent du registre des demandes — aucun accusé de "
                    "réception ne partira : seule la date de dépôt dit qu'une demande est nouvelle."]
    out = run(config, at(TODAY))
    assert "✓" not in out and sent_mails(tmp_path) == []
