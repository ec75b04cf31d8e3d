"""Nothing leaked: a register gone wrong mails nobody, templates cannot reach the program (safe file names:
test_file_names.py)."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
import pytest
from openpyxl.xml import DEFUSEDXML

from automations.cli import commands
from automations.documents.render import render_docx
from automations.errors import TemplateError

from .follow_up_factory import make_follow_up_service
from .service_factory import context
from .packs.test_meeting_pack import outbox


def test_more_mails_than_the_cap_mails_nobody_but_the_manager(tmp_path: Path, clock) -> None:
    config = make_follow_up_service(tmp_path / "s")
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "\n[safety]\nmax_mails_per_run = 2\n", encoding="utf-8")
    ctx = context(config, clock)
    report = commands.run(ctx, "followups")
    out = ctx.out.getvalue()  # type: ignore[attr-defined]
    assert "⚑ Envois suspendus : 5 e-mails prévus en un seul passage, au-delà du plafond de 2" in out
    sent = outbox(config)
    assert [m["To"].addresses[0].addr_spec for m in sent] == ["cheffe@province-sud.nc"]
    assert "Aucun e-mail n'est parti" in sent[0].get_body().get_content()
    # the documents for the post are still made; the mails wait for the administrator
    follow_ups = [a for a in report.done if a.automation == "followups"]
    assert follow_ups and {a.kind for a in follow_ups} == {"file"}
    config.write_text(text + "\n[safety]\nmax_mails_per_run = 10\n", encoding="utf-8")
    again = commands.run(context(config, clock), "followups")
    assert sum(1 for a in again.done if a.kind != "file") == 5


def _template(path: Path, text: str) -> Path:
    document = docx.Document()
    document.add_paragraph(text)
    document.save(str(path))
    return path


def test_a_template_cannot_reach_the_program(tmp_path: Path) -> None:
    hostile = _template(tmp_path / "piege.docx", "{{ service.name.__init__.__globals__ }}")
    target = tmp_path / "sortie.docx"
    with pytest.raises(TemplateError) as caught:
        render_docx(hostile, {"service": {"name": "CCAS"}}, target)
    assert caught.value.message.startswith("Modèle « piege.docx » refusé : il tente d'accéder à l'intérieur du programme")
    assert not target.exists()
    quiet = _template(tmp_path / "discret.docx", "Avant{{ service.__class__ }}Après")
    render_docx(quiet, {"service": {"name": "CCAS"}}, target)
    assert [p.text for p in docx.Document(str(target)).paragraphs] == ["AvantAprès"]  # nothing of Python shows


def test_data_are_text_in_the_document(tmp_path: Path) -> None:
    template = _template(tmp_path / "lettre.docx", "{{ name }} – {{ address }}")
    target = render_docx(template, {"name": "Dupont & <Fils>", "address": "</w:t><w:t>=HYPERLINK()"},
                         tmp_path / "sortie.docx")
    assert docx.Document(str(target)).paragraphs[0].text == "Dupont & <Fils> – </w:t><w:t>=HYPERLINK()"


BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')


def test_an_entity_expansion_bomb_is_refused_by_the_writer_and_the_reader(tmp_path: Path) -> None:
    import zipfile
    from datetime import datetime

    from automations.errors import UserError
    from automations.registers.writeback import CellWrite, apply_writes

    path = tmp_path / "Planning.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Planning"
    wb.active.append(["Instance", "Date"])
    wb.active.append(["Commission A", "02/12/2026"])
    wb.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = BOMB + sheet[sheet.index(b"<worksheet"):].replace(
        b"Commission A", b"&lol3;", 1) if b"Commission A" in sheet else BOMB + sheet[sheet.index(b"<worksheet"):]
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    before = path.read_bytes()
    write = CellWrite(sheet="Planning", header_row=1, row=2, expect=(("Instance", "Commission A"),), column="Date",
                      value="x")
    with pytest.raises(UserError) as caught:
        apply_writes(path, [write], backup_dir=tmp_path / "sauvegardes", now=datetime(2026, 11, 23))
    assert caught.value.message.startswith("« Planning.xlsx » illisible pour l'écriture du suivi")
    assert "EntitiesForbidden" in caught.value.message or "entit" in caught.value.message.lower()
    assert path.read_bytes() == before  # nothing written, no backup needed
    assert DEFUSEDXML  # openpyxl parses with defusedxml, which refuses the DTD


def test_check_warns_when_a_config_naming_a_mail_server_is_readable_by_everyone(tmp_path: Path, clock) -> None:
    config = make_follow_up_service(tmp_path / "s")
    config.chmod(0o644)
    outbox_only = context(config, clock)
    commands.check(outbox_only)  # the outbox names no server and no account: nothing to protect
    assert "lisible par tous" not in outbox_only.out.getvalue()  # type: ignore[attr-defined]
    config.write_text(config.read_text(encoding="utf-8").replace(
        'kind = "outbox"\nfolder = "boite-d-envoi"', 'kind = "smtp"\nhost = "smtp.province-sud.nc"'), encoding="utf-8")
    config.chmod(0o644)
    # the warning alone: a full check would try to reach the server
    assert commands.config_exposure(context(config, clock).config) == (
        "le fichier de configuration, qui désigne le serveur d'envoi et son compte, est lisible par tous les "
        f"utilisateurs de la machine : chmod 600 \"{config}\" (ou 640 avec le groupe du service)")
    config.chmod(0o600)
    assert commands.config_exposure(context(config, clock).config) is None


def test_a_register_can_be_put_back_from_its_dated_copies(tmp_path: Path, clock) -> None:
    from datetime import timedelta

    from automations.cli.main import main
    from automations.cli.restore import restore

    config = make_follow_up_service(tmp_path / "s")
    register = config.parent / "registres" / "Registre des demandes 2026.xlsx"
    original = register.read_bytes()
    commands.run(context(config, clock), "followups")  # writes « Notifié le »: a dated copy is made first
    written = register.read_bytes()
    assert written != original
    ctx = context(config, clock)
    assert restore(ctx, register.name, None) == 0
    listing = ctx.out.getvalue()  # type: ignore[attr-defined]
    assert "Copies de « Registre des demandes 2026.xlsx » (la plus récente d'abord) :" in listing
    assert "1. copie du 23/11/2026 à 07:30:00" in listing
    (register.parent / f"~${register.name}").write_text("owner")  # open in Excel
    with pytest.raises(Exception) as caught:
        restore(context(config, clock), register.name, 1)
    assert "est ouvert dans Excel" in str(caught.value)
    (register.parent / f"~${register.name}").unlink()
    clock.moment += timedelta(minutes=5)
    assert restore(context(config, clock), register.name, 1) == 0
    assert register.read_bytes() == original
    # the state it replaced is kept: the restore can be undone
    assert main(["--config", str(config), "restore", register.name, "--copy", "1"]) == 0
    assert register.read_bytes() == written


def test_retention_purges_old_details_and_documents_but_never_resends(tmp_path: Path, clock) -> None:
    import os
    from datetime import timedelta

    from automations.engine.journal import Journal
    from automations.engine.retention import PURGED

    config = make_follow_up_service(tmp_path / "s")
    first = commands.run(context(config, clock), "followups")
    letters = sorted((config.parent / "documents").rglob("*.docx"))
    assert first.done and letters
    old = (clock() - timedelta(days=400)).timestamp()
    for path in letters[:3]:
        os.utime(path, (old, old))  # three documents made more than a year ago
    config.write_text(config.read_text(encoding="utf-8") + "\n[safety]\nretention_months = 12\n", encoding="utf-8")
    clock.moment += timedelta(days=400)
    recent = (clock() - timedelta(days=30)).timestamp()
    for path in letters[3:]:
        os.utime(path, (recent, recent))  # the others, made last month
    ctx = context(config, clock)
    report = commands.run(ctx, "followups")
    assert report.done == []  # nothing sent again: keys and fingerprints are kept
    out = ctx.out.getvalue()  # type: ignore[attr-defined]
    assert f"détails de {len(first.done)} actions effacés du journal, 3 documents anciens supprimés" in out
    assert [p for p in letters[:3] if p.exists()] == [] and all(p.exists() for p in letters[3:])
    with Journal(config.parent / "journal.sqlite3") as journal:
        entries = journal.entries("followups").values()
        assert entries and all(e.payload == {} and e.fingerprint for e in entries)
        assert {e.summary for e in journal.events()} == {PURGED}
        text = " ".join(str(row[0]) for row in journal.db.execute("SELECT payload || summary FROM actions, events"))
    assert "DEL-2026-0301" not in text and "WAHEO" not in text
