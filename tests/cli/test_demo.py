"""``python run.py demo``: builds a service, sends on the outbox, and a second run does nothing."""

from __future__ import annotations

import email
import hashlib
import email.policy
import io
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import docx
import icalendar
import openpyxl
import pypdf

from automations.cli.demo import run_demo

from ..conftest import NOUMEA, PROJECT, DemoRun, child_env
from ..printed import xpf


SCHEMES = {"commission-maintien-dans-le-logement": "Maintien dans le logement",
           "commission-insertion-logement-emploi": "Insertion par le logement et l'emploi",
           "commission-premiere-entree": "Première entrée",
           "comite-prevention-des-expulsions": "Prévention des expulsions"}


def messages(folder: Path) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted((folder / "boite-d-envoi").glob("*/*.eml"))]


def test_demo_end_to_end_then_idempotent(demo_run: DemoRun, demo_copy: Path, clock) -> None:
    text = demo_run.output
    assert text.startswith(f"Service de démonstration créé dans {demo_run.folder}")
    folder = demo_copy  # the second run works on this test's copy of the first one's folder
    assert ("Bilan : 27 envois, 32 documents préparés, 3 courriers enregistrés, 0 échec, 90 cellules reportées "
            "dans les registres.") in text
    # the three mails dropped in its inbox: registered after the numbers typed by hand, then filed away
    received = openpyxl.load_workbook(folder / "registres" / "Courrier arrivé 2026.xlsx")["Courrier arrivé"]
    rows = [r for r in received.iter_rows(min_row=2, values_only=True) if r[1]]
    assert [(r[1], r[2], r[6]) for r in rows[-3:]] == [
        ("A2026-0009", "CAFAT – Service des prestations <prestations@cafat.nc>", "attestation-droits.pdf"),
        ("A2026-0010", "Mairie de Nouméa – CCAS <ccas@ville-noumea.nc>", None),
        ("A2026-0011", "OPT-NC <relation.client@opt.nc>", None)]
    assert "enregistré : Courrier arrivé : courrier reçu le vendredi 20 novembre 2026 à 8 h 15" in text
    assert (folder / "documents" / "Courrier arrivé" / "A2026-0009" / "attestation-droits.pdf").is_file()
    assert sorted(p.name for p in (folder / "boite-de-reception" / "enregistrés").iterdir()) == [
        "A2026-0009 01-cafat.eml", "A2026-0010 02-mairie.eml", "A2026-0011 03-opt.eml"]
    sent = messages(folder)
    assert len(sent) == 27
    # applications filed in the last two weeks, undecided: acknowledged by mail or prepared for the post
    acknowledged = sorted(m["To"].addresses[0].addr_spec for m in sent if m["Subject"].startswith("Accusé de réception"))
    assert acknowledged == ["marie.xowie@mail.nc", "wassissi.siwene@mail.nc"]
    [incomplete] = [m for m in sent if m["To"].addresses[0].addr_spec == "wassissi.siwene@mail.nc"]
    assert "Avis d'imposition" in incomplete.get_body(("plain",)).get_content()
    applications = openpyxl.load_workbook(folder / "registres" / "Registre des demandes 2026.xlsx")["Demandes"]
    names = [c.value for c in applications[1]]
    dated = {row[0]: (row[names.index("Accusé envoyé le")], row[names.index("Accusé préparé le")])
             for row in applications.iter_rows(min_row=3, values_only=True)
             if row[names.index("Accusé envoyé le")] or row[names.index("Accusé préparé le")]}
    day = datetime.combine(clock().date(), datetime.min.time())
    assert dated == {"DEL-2026-0014": (None, day), "DEL-2026-0048": (day, None), "DEL-2026-0054": (day, None),
                     "DEL-2026-0092": (None, day)}
    # the manager's mails: the week's digest, last year's activity report, an alert (a budget overrun)
    manager = [m["Subject"] for m in sent if m["To"].addresses[0].addr_spec == "cheffe.service@province-sud.nc"]
    assert sorted(manager) == [
        "Rapport d'activité 2025 des commissions",
        "Résumé hebdomadaire des commissions – semaine du 23 novembre 2026",
        "[Commissions] À traiter – Commission insertion logement-emploi, séance du 30/10/2026"]
    # the digest, sent last, tells of the mail this very run registered and acknowledged
    [digest] = [m for m in sent if m["Subject"].startswith("Résumé hebdomadaire")]
    digest_text = digest.get_body(("plain",)).get_content()
    assert "Courriers arrivés ces 7 derniers jours : 3" in digest_text  # registered by this very run
    assert "A2026-0011 du 22/11/2026 – OPT-NC – " in digest_text
    assert ("Accusés de réception envoyés : 2 (DEL-2026-0048, DEL-2026-0054) ; préparés pour impression : 2 "
            "(DEL-2026-0014, DEL-2026-0092).") in digest_text
    [report_mail] = [m for m in sent if m["Subject"] == "Rapport d'activité 2025 des commissions"]
    assert sorted(a.get_filename() for a in report_mail.iter_attachments()) == [
        "Rapport d'activité 2025.docx", "Rapport d'activité 2025.xlsx"]
    assert (folder / "rapports" / "Rapport d'activité 2026.xlsx").is_file()
    invitations = [m for m in sent if m["Subject"].startswith("Convocation")]
    assert len(invitations) == 3
    for message in invitations:
        calendar = icalendar.Calendar.from_ical(
            next(p for p in message.walk() if p.get_content_type() == "text/calendar").get_content())
        [event] = calendar.walk("VEVENT")
        assert event.decoded("DTSTART").tzinfo is not None
        assert str(event["DTSTART"].params["TZID"]) == "Pacific/Noumea"
        assert message["To"].addresses
        attachment = next(a for a in message.iter_attachments() if a.get_filename().endswith(".docx"))
        body = "\n".join(p.text for p in docx.Document(io.BytesIO(attachment.get_content())).paragraphs)
        assert "Nouméa, le 23 novembre 2026" in body
    planning = openpyxl.load_workbook(folder / "registres" / "Planning des instances 2026.xlsx")["Planning 2026"]
    header = [c.value for c in planning[4]]
    sent_on = header.index("Invitations envoyées le") + 1
    stamped = [r for r in range(5, planning.max_row + 1)
               if getattr(planning.cell(r, sent_on).value, "date", lambda: None)() == clock().date()]
    assert len(stamped) == 3

    before = _files(folder)
    again = io.StringIO()
    assert run_demo(folder, clock=clock, out=again) == 0
    assert again.getvalue().startswith(f"Service de démonstration repris dans {folder}")
    assert "Bilan : 0 envoi, 0 échec, 0 cellule reportée" in again.getvalue()
    assert "Rapport d'activité 2026" not in again.getvalue()
    # nothing rewritten: registers, documents, reports and mails keep their bytes and their dates
    assert _files(folder) == before


def _files(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file of the demo but the journal, which notes each run: its modification time and its digest."""
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith("journal.sqlite3")}


def _register(folder: Path) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(folder / "registres" / "Registre des demandes 2026.xlsx")["Demandes"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, row)) for row in ws.iter_rows(min_row=3, values_only=True) if row[0]]
    return list({str(r["N° dossier"]): r for r in reversed(rows)}.values())  # a line typed twice counts once


def _amount(value: object) -> int:
    return int("".join(ch for ch in str(value) if ch.isdigit())) if value is not None else 0


def test_demo_packs_and_minutes_follow_the_register(demo_run: DemoRun) -> None:
    folder = demo_run.folder  # read only
    documents = folder / "documents"
    packs = sorted(documents.rglob("Dossier de séance *.docx"))
    drafts = sorted(documents.rglob("Compte rendu *.docx"))
    assert len(packs) == 2 and len(drafts) == 4
    register = _register(folder)
    for path in packs + drafts:
        day = date.fromisoformat(path.parent.name)
        rows = [r for r in register if r["Date commission"].date() == day
                and r["Dispositif"] == SCHEMES[path.parent.parent.name]]
        document = docx.Document(str(path))
        first = next(t for t in document.tables if t.rows[0].cells[0].text.strip() == "N°")
        # the agenda lists exactly the applications of that session, and the total is the register's
        assert [r.cells[0].text for r in first.rows[1:-1]] == sorted(str(r["N° dossier"]) for r in rows)
        asked = first.rows[-1].cells[4 if path in drafts else 3].text
        assert asked == xpf(sum(_amount(r["Montant demandé"]) for r in rows))
        if path in drafts:
            granted = first.rows[-1].cells[6].text
            assert granted == xpf(sum(_amount(r["Montant accordé"]) for r in rows
                                       if r["Décision"] in ("Accord", "Accord partiel")))


def test_demo_command_from_the_shell(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(PROJECT / "run.py"), "demo", "--dir", str(tmp_path / "d")],
                            capture_output=True, text=True, timeout=300,
                            env=child_env(datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)))
    assert result.returncode == 0, result.stderr
    assert "Où trouver le résultat" in result.stdout
    assert list((tmp_path / "d" / "boite-d-envoi").glob("*/*.eml"))


def test_demo_follow_ups_of_the_latest_sessions(demo_run: DemoRun, clock) -> None:
    folder = demo_run.folder  # read only
    register = _register(folder)
    letters = sorted((folder / "documents").rglob("Courriers/Décision *.docx"))
    sessions = {(SCHEMES[p.parents[2].name], date.fromisoformat(p.parents[1].name)) for p in letters}
    # the latest held session of each committee, whose decisions were entered and not yet followed up
    followed = [r for r in register if (r["Dispositif"], r["Date commission"].date()) in sessions and r["Décision"]]
    assert len(sessions) == 4
    mailed = [m for m in messages(folder) if "Votre demande d'aide" in m["Subject"]]
    assert sorted(m["To"].addresses[0].addr_spec for m in mailed) == sorted(
        str(r["Courriel"]) for r in followed if r["Courriel"])
    filed = [r for r in followed if not r["Courriel"]]
    # a mailed letter notified its applicant; one to print was only prepared: staff fill « Notifié le » at the post
    assert all(r["Notifié le"].date() == clock().date() and r["Préparé le"] is None for r in followed if r["Courriel"])
    assert all(r["Notifié le"] is None and r["Préparé le"].date() == clock().date() for r in filed) and filed
    assert len(letters) == len(followed)  # every letter is in the session's folder, mailed or not
    assert demo_run.output.count("✓ préparé pour impression : Courrier de décision") == len(filed)
    assert "✓ document : Courrier" not in demo_run.output
    [batch] = (folder / "documents" / "À imprimer").glob("*.pdf")  # the run's print batch, when PDFs are made
    assert batch.name == f"À imprimer {clock():%Y-%m-%d %Hh%M}.pdf"
    printed = "\n".join(page.extract_text() for page in pypdf.PdfReader(batch).pages)
    assert all(str(r["N° dossier"]) in printed for r in filed)
    vouchers = sorted(str(r["Bon n°"]) for r in register if r["Bon n°"])
    food = [r for r in followed if r["Nature de l'aide"] == "Aide alimentaire"
            and r["Décision"] in ("Accord", "Accord partiel")]
    assert vouchers == [f"BA-2026-{n:04d}" for n in range(1, len(food) + 1)] and food
    notices = [m for m in messages(folder) if m["Subject"].startswith("Aides accordées")]
    for message in notices:
        document = docx.Document(io.BytesIO(next(a for a in message.iter_attachments()
                                                 if a.get_filename().endswith(".docx")).get_content()))
        table = next(t for t in document.tables if t.rows[0].cells[0].text.strip() == "N°")
        numbers = [r.cells[1].text for r in table.rows[1:-1]]
        rows = [r for r in register if str(r["N° dossier"]) in numbers]
        assert {r["Fournisseur"] for r in rows} == {message["To"].addresses[0].display_name}
        assert table.rows[-1].cells[4].text == xpf(sum(_amount(r["Montant accordé"]) for r in rows))
    outgoing = openpyxl.load_workbook(folder / "registres" / "Courrier départ 2026.xlsx")["Courrier départ"]
    numbers = [r[1] for r in outgoing.iter_rows(min_row=3, values_only=True) if r[1]]
    assert numbers == [f"D2026-{n:04d}" for n in range(1, 13 + len(food) + len(followed) + len(notices))]
    assert "dépassement de" in demo_run.output


def test_demo_registers_match_their_mapping(tmp_path: Path, clock) -> None:
    from automations.cli import commands
    from automations.engine.context import Context
    from automations.cli.demo import set_up
    from automations.settings import load_config
    from automations.transports import settings_checks

    set_up(tmp_path / "demo", clock().date())
    ctx = Context(config=load_config(tmp_path / "demo" / "config.toml", backends=settings_checks()), clock=clock,
                  out=io.StringIO())
    commands.check(ctx)
    out = ctx.out.getvalue()  # type: ignore[attr-defined]
    assert "introuvable" not in out  # every column the mapping names is in the demo's workbooks
    assert "sans colonne" not in out and "Correspondance : " not in out
    assert "Problèmes dans les registres : 2 erreurs, 2 avertissements." in out
