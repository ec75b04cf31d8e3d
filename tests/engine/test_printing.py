"""Letters, notices and vouchers for the post: prepared, never said sent; one print batch per run, in filing order."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pypdf
import pytest

from automations.cli import commands

from ..conftest import NOUMEA
from ..follow_up_factory import edit_application, make_follow_up_service, register_rows
from ..service_factory import context
from ..follow_ups.test_follow_ups import FOLDER
from ..packs.test_meeting_pack import outbox

PDF = "\n[documents]\npdf = true\n"


def run(config: Path, clock) -> str:
    ctx = context(config, clock)
    commands.run(ctx, "followups")
    return ctx.out.getvalue()  # type: ignore[attr-defined]


def said(config: Path, clock, command) -> str:  # type: ignore[no-untyped-def]
    ctx = context(config, clock)
    command(ctx)
    return ctx.out.getvalue()  # type: ignore[attr-defined]


def pages(pdf: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(pdf).pages]


@pytest.fixture
def service(tmp_path: Path) -> Path:
    return make_follow_up_service(tmp_path / "service", extra=PDF)


def test_one_print_batch_per_run_in_filing_order(service: Path, clock) -> None:
    out = run(service, clock)
    [batch] = (service.parent / "documents" / "À imprimer").iterdir()
    assert batch.name == "À imprimer 2026-11-23 07h30.pdf"
    assert f"! À imprimer : 7 documents réunis dans « {batch} » (instance, séance, dossier)." in out
    session = service.parent / FOLDER
    # the four applicants without an e-mail address, each letter followed by its voucher, then the voucher of an
    # applicant whose letter was mailed, then the notice of the supplier without one
    expected = [session / "Courriers" / "Décision DEL-2026-0302 (accord partiel).pdf",
                session / "Courriers" / "Décision DEL-2026-0304 (ajournement).pdf",
                session / "Courriers" / "Décision DEL-2026-0305 (accord).pdf",
                session / "Courriers" / "Décision DEL-2026-0306 (accord).pdf",
                session / "Bons" / "Bon BA-2026-0001.pdf",
                session / "Bons" / "Bon BA-2026-0002.pdf",
                session / "Fournisseurs" / "Avis Casino Johnston 13-11-2026.pdf"]
    printed = pages(batch)
    assert printed == [text for pdf in expected for text in pages(pdf)]
    assert "Sione GOPE" in printed[0] and "DEL-2026-0302" in printed[0]
    assert "Gaëlle WAHEO" not in "\n".join(printed)  # her letter left by e-mail: nothing of it to print

    again = run(service, clock)
    assert "Bilan : 0 envoi, 0 échec" in again and "À imprimer" not in again
    assert len(list(batch.parent.iterdir())) == 1


def test_without_pdfs_the_run_says_there_is_no_single_file(tmp_path: Path, clock) -> None:
    config = make_follow_up_service(tmp_path / "s")
    out = run(config, clock)
    assert ("! À imprimer : 7 documents Word dans les dossiers des séances (Courriers, Fournisseurs, Bons) ; "
            "sans PDF ([documents] pdf = false), pas de fichier unique à imprimer.") in out
    assert not (config.parent / "documents" / "À imprimer").exists()
    assert (config.parent / FOLDER / "Courriers" / "Décision DEL-2026-0302 (accord partiel).docx").is_file()


def test_a_letter_to_print_is_prepared_everywhere_never_sent(tmp_path: Path, clock, caplog) -> None:
    config = make_follow_up_service(tmp_path / "s")
    planned = said(config, clock, commands.plan)
    assert "- à préparer pour impression : Courrier de décision (Accord partiel) – dossier DEL-2026-0302" in planned
    assert "- envoi : Courrier de décision (Accord) – dossier DEL-2026-0301, par e-mail" in planned
    with caplog.at_level(logging.INFO, logger="automations.engine.executor"):
        out = run(config, clock)
    assert "✓ préparé pour impression : Courrier de décision (Accord partiel) – dossier DEL-2026-0302" in out
    logged = caplog.text
    assert "letter/del-2026-0302/2026-11-13 rév. 0 : préparé pour impression" in logged
    # the outbox writes a file: nothing left the machine, and the log says so
    assert "letter/del-2026-0301/2026-11-13 rév. 0 : déposé dans la boîte d'envoi" in logged
    assert "rév. 0 : envoyé" not in logged

    history = said(config, clock, commands.history).splitlines()
    prepared = next(line for line in history if "dossier DEL-2026-0302" in line)
    mailed = next(line for line in history if "dossier DEL-2026-0301" in line)
    assert "préparé (à imprimer)" in prepared and "envoyé" not in prepared
    assert "envoyé" in mailed and "préparé" not in mailed

    rows = {str(r["N° dossier"]): r for r in register_rows(config.parent)}
    assert rows["DEL-2026-0302"]["Notifié le"] is None
    assert rows["DEL-2026-0302"]["Préparé le"] == datetime(2026, 11, 23)
    assert rows["DEL-2026-0301"]["Notifié le"] == datetime(2026, 11, 23)


def test_staff_posting_a_prepared_letter_resends_nothing(tmp_path: Path, clock) -> None:
    config = make_follow_up_service(tmp_path / "s")
    run(config, clock)
    mails = len(outbox(config))
    clock.moment = datetime(2026, 11, 25, 9, 0, tzinfo=NOUMEA)
    edit_application(config.parent, "DEL-2026-0302", **{"Notifié le": datetime(2026, 11, 25)})
    assert "Suites des commissions : 0 action à faire." in said(config, clock, commands.plan)
    out = run(config, clock)
    assert "Bilan : 0 envoi, 0 échec" in out and len(outbox(config)) == mails
    row = next(r for r in register_rows(config.parent) if r["N° dossier"] == "DEL-2026-0302")
    assert (row["Notifié le"], row["Préparé le"]) == (datetime(2026, 11, 25), datetime(2026, 11, 23))


def test_the_journal_says_prepared_and_the_mapping_without_the_column_writes_nothing(tmp_path: Path, clock) -> None:
    from automations.engine.journal import Journal

    config = make_follow_up_service(tmp_path / "s")
    mapping = config.parent / "correspondance.toml"
    text = mapping.read_text(encoding="utf-8")
    line = 'prepared_on = { headers = ["Préparé le"], type = "date", write_back = true }\n'
    assert line in text
    mapping.write_text(text.replace(line, ""), encoding="utf-8")
    run(config, clock)
    with Journal(config.parent / "journal.sqlite3", readonly=True) as journal:
        events = {e.key: e.outcome for e in journal.events(100)}
    assert events["letter/del-2026-0302/2026-11-13"] == "prepared"
    assert events["letter/del-2026-0301/2026-11-13"] == "sent"
    assert events["voucher/del-2026-0306/2026-11-13"] == "prepared"
    row = next(r for r in register_rows(config.parent) if r["N° dossier"] == "DEL-2026-0302")
    assert row["Notifié le"] is None and row["Préparé le"] is None
