"""Meeting packs end to end on the outbox: what members receive five days before, and after changes."""

from __future__ import annotations

import email
import email.policy
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from automations.cli import commands

from ..conftest import NOUMEA
from ..printed import NBSP, xpf
from ..service_factory import COMMITTEE, context, make_service, set_committee, write_applications

SCHEME = "Maintien dans le logement"
SESSION = date(2026, 12, 2)
APPLICATIONS = [
    ["DEL-2026-0101", date(2026, 11, 2), "WAHEO", "Gaëlle", "Dumbéa", SCHEME, "Impayés de loyer", 180000,
     "Mme Tein", SESSION, None, None, None, None, None, "Mme Waheo élève seule trois enfants"],
    ["DEL-2026-0102", date(2026, 11, 5), "KASARHEROU", "Cyprien", "Nouméa", SCHEME, "Facture d'électricité",
     "45 500 F", "M. Sako", SESSION],
    ["DEL-2026-0103", date(2026, 11, 9), "TROLUE", "Malia", "Païta", SCHEME, "Facture d'eau", 32000,
     "Mme Tein", SESSION],
    # another session, another scheme: not in this pack
    ["DEL-2026-0090", date(2026, 10, 1), "POADJA", "Ignace", "Thio", SCHEME, "Impayés de loyer", 99000,
     "M. Waia", date(2026, 10, 14), "Accord", 99000],
    ["DEL-2026-0104", date(2026, 11, 9), "SIWENE", "Hélène", "Yaté", "Première entrée", "Premier loyer", 70000,
     "M. Sako", SESSION],
]


def outbox(config: Path) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted((config.parent / "boite-d-envoi").glob("*/*.eml"))]


def packs(config: Path) -> list[email.message.EmailMessage]:
    return [m for m in outbox(config) if "ossier de séance" in m["Subject"]]


def attachment(message: email.message.EmailMessage, suffix: str) -> bytes:
    return next(a.get_content() for a in message.iter_attachments() if a.get_filename().endswith(suffix))


def table_rows(document: docx.document.Document, first_header: str) -> list[list[str]]:
    table = next(t for t in document.tables if t.rows[0].cells[0].text.strip() == first_header)
    return [[c.text.strip() for c in row.cells] for row in table.rows]


@pytest.fixture
def service(tmp_path: Path, clock):
    config = make_service(tmp_path / "service")
    write_applications(config.parent, APPLICATIONS)
    clock.moment = datetime(2026, 11, 27, 7, 30, tzinfo=NOUMEA)  # five days before the session
    return config


def test_pack_leaves_five_days_before_with_exactly_the_session_applications(service: Path, clock) -> None:
    clock.moment = datetime(2026, 11, 26, 7, 30, tzinfo=NOUMEA)
    commands.run(context(service, clock))
    assert packs(service) == []  # six days before: not yet
    clock.moment = datetime(2026, 11, 27, 7, 30, tzinfo=NOUMEA)
    ctx = context(service, clock)
    commands.run(ctx)
    assert "✓ envoi : Dossier de séance – Commission maintien dans le logement, séance du 02/12/2026 (3 dossiers)" \
        in ctx.out.getvalue()
    [pack] = packs(service)
    assert pack["Subject"] == f"Dossier de séance – {COMMITTEE} – mercredi 2 décembre 2026"
    assert {a.addr_spec for a in pack["To"].addresses} == {
        "wassissi.lalie@fsh.nc", "therese.xowie@ville-noumea.nc", "ko.ounou@cafat.nc"}
    assert "3 dossiers à examiner" in pack.get_body(("plain",)).get_content()
    document = docx.Document(io.BytesIO(attachment(pack, ".docx")))
    rows = table_rows(document, "N°")
    assert [r[0] for r in rows[1:-1]] == ["DEL-2026-0101", "DEL-2026-0102", "DEL-2026-0103"]
    assert rows[1][1:] == [SCHEME, "Impayés de loyer", xpf(180000), "Mme Tein"]
    # the total is the register's sum, amounts typed as text included
    assert rows[-1][-2] == xpf(257500)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Point sur l'enveloppe budgétaire" in text
    assert [line for line in text.splitlines() if line.startswith("Dossier n°")] == [
        f"Dossier n°{NBSP}DEL-2026-0101", f"Dossier n°{NBSP}DEL-2026-0102", f"Dossier n°{NBSP}DEL-2026-0103"]
    planning = openpyxl.load_workbook(service.parent / "registres" / "Planning des instances 2026.xlsx")
    ws = planning["Planning 2026"]
    header = [c.value for c in ws[4]]
    assert ws.cell(6, header.index("Dossier envoyé le") + 1).value.date() == date(2026, 11, 27)


def test_pack_is_sent_once_then_as_an_update_saying_what_changed(service: Path, clock) -> None:
    commands.run(context(service, clock))
    again = context(service, clock)
    commands.run(again)
    assert len(packs(service)) == 1
    assert "Bilan : 0 envoi" in again.out.getvalue()
    changed = [row for row in APPLICATIONS if row[0] != "DEL-2026-0102"]
    changed.append(["DEL-2026-0110", date(2026, 11, 20), "GOPE", "Sione", "Bourail", SCHEME, "Facture d'eau",
                    15000, "M. Sako", SESSION])
    write_applications(service.parent, changed)
    ctx = context(service, clock)
    commands.run(ctx)
    first, update = packs(service)
    assert update["Subject"].startswith("Mise à jour du dossier de séance – ")
    body = update.get_body(("plain",)).get_content()
    assert "dossier ajouté : DEL-2026-0110 ; dossier retiré : DEL-2026-0102" in body
    document = docx.Document(io.BytesIO(attachment(update, ".docx")))
    assert [r[0] for r in table_rows(document, "N°")[1:-1]] == ["DEL-2026-0101", "DEL-2026-0103", "DEL-2026-0110"]
    # the mail keeps ordinary spaces, the printed note has French typography
    assert f"dossier ajouté{NBSP}: DEL-2026-0110" in "\n".join(p.text for p in document.paragraphs)


def test_an_update_says_when_the_pack_becomes_anonymised(service: Path, clock) -> None:
    commands.run(context(service, clock))
    set_committee(service.parent, "Dossier anonymisé", "Oui")
    ctx = context(service, clock)
    commands.run(ctx)
    first, update = packs(service)
    note = "demandeurs désormais désignés par leurs initiales"
    assert f"a changé depuis son envoi : {note}." in update.get_body(("plain",)).get_content()
    assert "contenu modifié" not in update.get_body(("plain",)).get_content()
    assert f"Mise à jour du dossier de séance – {COMMITTEE}, séance du 02/12/2026 : {note}" in ctx.out.getvalue()
    document = docx.Document(io.BytesIO(attachment(update, ".docx")))
    assert note in "\n".join(p.text for p in document.paragraphs)


def _all_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                       if name.endswith(".xml") or name.endswith(".rels"))


def test_anonymised_pack_holds_no_applicant_name_anywhere(service: Path, clock) -> None:
    set_committee(service.parent, "Dossier anonymisé", "Oui")
    commands.run(context(service, clock))
    [pack] = packs(service)
    data = attachment(pack, ".docx")
    xml = _all_xml(data).upper()
    for row in APPLICATIONS:
        assert row[2] not in xml
    document = docx.Document(io.BytesIO(data))
    details = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["Demandeur", "G. W."] in details
    assert ["Observations", "Mme W. élève seule trois enfants"] in details
    assert "initiales" in "\n".join(p.text for p in document.paragraphs)


def test_pdf_next_to_the_pack_and_attached(service: Path, clock) -> None:
    from pypdf import PdfReader

    with service.open("a", encoding="utf-8") as config:
        config.write("[documents]\npdf = true\n")
    commands.run(context(service, clock))
    [pack] = packs(service)
    reader = PdfReader(io.BytesIO(attachment(pack, ".pdf")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # a cover, the agenda with the summary, then a page per application
    assert len(reader.pages) == 2 + 3
    assert "Dossier de séance" in text and "DEL-2026-0103" in text and xpf(257500) in text
    folder = service.parent / "documents" / "commission-maintien-dans-le-logement" / "2026-12-02"
    assert (folder / "Dossier de séance Commission maintien dans le logement 02-12-2026.pdf").is_file()


def test_missing_libreoffice_is_said_and_the_docx_still_leaves(service: Path, clock, tmp_path: Path,
                                                                monkeypatch) -> None:
    with service.open("a", encoding="utf-8") as config:
        config.write("[documents]\npdf = true\n")
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    planned = context(service, clock)
    commands.plan(planned)
    assert "✗ PDF demandés ([documents] pdf = true) mais LibreOffice est introuvable" in planned.out.getvalue()
    checked = context(service, clock)
    commands.check(checked)
    assert "LibreOffice est introuvable" in checked.out.getvalue()
    ctx = context(service, clock)
    commands.run(ctx)
    assert "! Documents : LibreOffice est introuvable" in ctx.out.getvalue()
    [pack] = packs(service)
    assert [a.get_filename() for a in pack.iter_attachments()] == [
        "Dossier de séance Commission maintien dans le logement 02-12-2026.docx"]


def test_one_conversion_for_all_the_documents_of_a_run(service: Path, clock, tmp_path: Path, monkeypatch) -> None:
    import os
    import shutil

    real = shutil.which("soffice")
    log = tmp_path / "soffice.log"
    wrapper = tmp_path / "bin" / "soffice"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{real}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}:/usr/bin:/bin")
    with service.open("a", encoding="utf-8") as config:
        config.write("[documents]\npdf = true\n")
    commands.run(context(service, clock))
    lines = log.read_text(encoding="utf-8").splitlines()
    # the convocation and the pack of the session, in one conversion: one LibreOffice per core, each document once
    assert len(lines) == min(len(os.sched_getaffinity(0)), 2)
    assert "".join(lines).count("/Convocation%20") == 1 and "".join(lines).count("/Dossier%20de%20s%C3%A9ance%20") == 1


def test_a_template_broken_by_staff_is_located_by_check_and_fails_alone_in_run(service: Path, clock) -> None:
    template = service.parent / "modeles" / "dossier_seance.docx"
    edited = docx.Document(str(template))
    edited.paragraphs[3].text = "Séance du {{ session.date_long } à {{ session.time }}"
    edited.add_paragraph("Salle : {{ session.salle }}")
    edited.save(str(template))
    checked = context(service, clock)
    assert commands.check(checked) == 1
    out = checked.out.getvalue()
    assert "✗ Modèle « dossier_seance.docx » invalide : paragraphe 4 (« Séance du {{ session.date_long } à" in out
    ctx = context(service, clock)
    report = commands.run(ctx)
    [(action, message)] = report.failed
    assert action.automation == "packs" and "Modèle « dossier_seance.docx » invalide : paragraphe 4" in message
    assert [a.automation for a in report.done] == ["invitations"]  # the convocation still leaves
