"""The scans folder, a mark that fails after the journal, and a register numbered across the years."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from automations.transports import eml_folder

from .mails import drop, mail
from .service import files_under, registered, run, service

INBOX = "boite-de-reception"


def test_scanned_paper_mail_is_registered_for_staff_to_complete(tmp_path: Path) -> None:
    config = service(tmp_path, 'scans = "numerisations"\n')
    drop(tmp_path / "numerisations", "SCAN_0001.pdf", b"%PDF-1.4 lettre du bailleur", 1_000)
    drop(tmp_path / "numerisations", "SCAN_0002.PDF", b"%PDF-1.4 facture", 2_000)
    drop(tmp_path / INBOX, "courriel.eml", mail("<m@we.nc>"), 1_500)

    out = run(config)

    rows = registered(tmp_path)
    assert [(r["N° d'enregistrement"], r["Expéditeur"], r["Objet"], r["Pièces jointes"]) for r in rows] == [
        ("A2026-0009", "Mairie de We <mairie@we.nc>", "Demande de rendez-vous", None),
        ("A2026-0010", None, None, "SCAN_0001.pdf"),
        ("A2026-0011", None, None, "SCAN_0002.PDF")]
    assert rows[1]["Remarques"] == "courrier papier numérisé : expéditeur et objet à compléter"
    assert rows[1]["Date"].date() == datetime(2026, 11, 23).date()  # type: ignore[union-attr]
    saved = tmp_path / "documents" / "Courrier arrivé" / "A2026-0010" / "SCAN_0001.pdf"
    assert saved.read_bytes() == b"%PDF-1.4 lettre du bailleur"
    assert files_under(tmp_path / "numerisations") == ["enregistrés/A2026-0010 SCAN_0001.pdf",
                                                       "enregistrés/A2026-0011 SCAN_0002.PDF"]
    assert "enregistré : Courrier arrivé : courrier numérisé « SCAN_0001.pdf »" in out
    assert "Bilan : 0 envoi, 3 courriers enregistrés, 0 échec" in out
    register = (tmp_path / "registres" / "Courrier arrivé 2026.xlsx").read_bytes()
    again = run(config, minute=1)
    assert "Courrier arrivé" not in again and "A2026" not in again
    assert (tmp_path / "registres" / "Courrier arrivé 2026.xlsx").read_bytes() == register


def test_a_mail_not_marked_after_its_journal_is_marked_by_the_next_run_without_a_second_row(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = service(tmp_path)
    drop(tmp_path / INBOX, "a.eml", mail("<a@cafat.nc>"), 1_000)

    def refused(path: Path, number: str) -> None:
        raise PermissionError(13, "Permission non accordée")

    with monkeypatch.context() as patch:
        patch.setattr(eml_folder, "move_marked", refused)
        first = run(config)
    assert "fait, mais pas marqué dans la boîte (Permission non accordée) ; ce sera fait au prochain passage" in first
    assert files_under(tmp_path / INBOX) == ["a.eml"]

    second = run(config, minute=5)

    assert [r["N° d'enregistrement"] for r in registered(tmp_path)] == ["A2026-0009"]
    assert "déjà enregistré sous A2026-0009" in second
    assert files_under(tmp_path / INBOX) == ["enregistrés/A2026-0009 a.eml"]


def test_a_register_numbered_across_the_years_goes_on_in_the_new_year(tmp_path: Path) -> None:
    config = service(tmp_path)
    book = tmp_path / "registres" / "Courrier arrivé 2026.xlsx"
    wb = openpyxl.load_workbook(book)
    ws = wb["Courrier arrivé"]
    ws.append([datetime(2025, 12, 30), "A2025-0009", "CAFAT", "Relance"])  # the sequence ran on from 2025
    ws.append([datetime(2025, 12, 31), "A2025-0010", "OPT", "Facture"])
    wb.save(book)
    drop(tmp_path / INBOX, "a.eml", mail("<a@cafat.nc>"), 1_000)

    run(config)

    rows = [r for r in openpyxl.load_workbook(book)["Courrier arrivé"].iter_rows(min_row=2, values_only=True) if r[1]]
    assert rows[-1][1] == "A2026-0011"  # after the register's highest, not the year's first free (0009)


def test_the_outbox_inbox_key_must_be_a_folder() -> None:
    from automations.transports.outbox import OutboxTransport

    assert OutboxTransport.check_settings({"inbox": 5}) == ["inbox : un chemin de dossier (texte) est attendu"]
    assert OutboxTransport.check_settings({"inbox": "boite-de-reception", "folder": "envois"}) == []
