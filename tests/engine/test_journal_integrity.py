"""The journal checked before a run: damaged or lost, it is said in French and nothing is done; its copies and
``restore journal`` are the way back; an alert raised before a failure is still mailed once."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import docx
import pytest

from automations.cli import commands
from automations.cli.main import main
from automations.transports.outbox import OutboxTransport
from automations.errors import TransportError

from ..conftest import NOUMEA, pinned_clock_env
from ..follow_up_factory import make_follow_up_service
from ..minutes.test_minutes import DRAFT, text_of
from ..minutes.test_minutes import service as minutes_service  # noqa: F401 - the fixture, by its name
from ..packs.test_meeting_pack import outbox
from ..service_factory import context

MOMENT = datetime(2026, 11, 23, 9, 0, tzinfo=NOUMEA)
BUDGET = '\n[budget.2026]\n"Maintien dans le logement" = 300000\n'
MANAGER = "cheffe@province-sud.nc"


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in pinned_clock_env(MOMENT).items():
        monkeypatch.setenv(name, value)


def _cli(config: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--config", str(config), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _damage(journal: Path, how: str) -> None:
    data = journal.read_bytes()
    if how == "garbage":
        journal.write_bytes(b"\x00\xffPK\x03\x04 ceci n'est pas une base" * 300)
    elif how == "truncated":
        journal.write_bytes(data[: len(data) // 2])
    elif how == "pages":  # a sound header, pages overwritten in the middle
        journal.write_bytes(data[:4096] + b"\xde\xad" * ((len(data) - 8192) // 2) + data[-4096:])
    elif how == "schema":  # a SQLite base, but not this tool's journal
        journal.unlink()
        db = sqlite3.connect(journal)
        db.execute("CREATE TABLE actions (cle TEXT, etat TEXT)")
        db.commit()
        db.close()
    elif how == "folder":  # the path is a folder: nothing can open it as a file
        journal.unlink()
        journal.mkdir()


@pytest.mark.parametrize("how", ["garbage", "truncated", "pages", "schema", "folder"])
def test_a_damaged_journal_is_one_french_line_for_every_command_and_a_finding_of_check(
        tmp_path: Path, how: str, pinned: None, capsys: pytest.CaptureFixture[str]) -> None:
    config = make_follow_up_service(tmp_path / "s")
    assert _cli(config, capsys, "run")[0] == 0
    journal = config.parent / "journal.sqlite3"
    _damage(journal, how)
    sent = len(outbox(config))
    for command in (["run"], ["plan"], ["history"], ["status"]):
        code, out, err = _cli(config, capsys, *command)
        assert code == 1, command
        assert "Erreur inattendue" not in err and "malformed" not in err and "database" not in err
        assert err.startswith(f"Erreur : Journal {'inaccessible' if how == 'folder' else 'abîmé'} : {journal}")
        assert "python run.py restore journal" in err
    code, out, err = _cli(config, capsys, "check")
    assert code == 1 and err == ""
    assert f"✗ Journal {'inaccessible' if how == 'folder' else 'abîmé'} : {journal}" in out
    assert "Registres lus :" in out  # the rest is still checked
    assert len(outbox(config)) == sent  # nothing sent on a damaged journal


def test_an_emptied_journal_refuses_to_render_over_the_minutes_staff_edited(
        minutes_service: Path, clock, pinned: None, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    config = minutes_service
    commands.run(context(config, clock))
    draft = config.parent / DRAFT
    edited = docx.Document(str(draft))
    edited.add_paragraph("Débat : la commission souhaite un suivi renforcé du dossier DEL-2026-0204.")
    edited.save(str(draft))
    before = draft.read_bytes()
    journal = config.parent / "journal.sqlite3"
    journal.write_bytes(b"")  # : > journal.sqlite3
    code, out, err = _cli(config, capsys, "run")
    assert code == 1
    assert err.startswith(f"Erreur : Journal perdu : le journal {journal} est vide (nouveau, vidé ou remplacé) "
                          f"alors que le dossier des documents {config.parent / 'documents'} contient ")
    assert "documents déjà produits : un passage referait ces documents par-dessus ceux que l'équipe" in err
    assert "python run.py restore journal" in err
    assert draft.read_bytes() == before and "suivi renforcé" in text_of(draft)
    for command in ("check", "plan"):
        code, out, err = _cli(config, capsys, command)
        assert f"✗ Journal perdu : le journal {journal} est vide" in out, command
    assert code == 0  # plan only shows; check says 1
    assert _cli(config, capsys, "check")[0] == 1


def test_a_minutes_file_the_journal_does_not_know_is_kept_as_staff_s(
        minutes_service: Path, clock, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    config = minutes_service
    commands.run(context(config, clock), "followups")  # the journal knows the letters, not any minutes
    draft = config.parent / DRAFT
    theirs = docx.Document()
    theirs.add_paragraph("Compte rendu rédigé par le secrétariat : la séance s'est tenue sans incident.")
    theirs.save(str(draft))
    before = draft.read_bytes()
    ctx = context(config, clock)
    commands.run(ctx, "minutes")
    assert draft.read_bytes() == before
    assert "projet modifié à la main : conservé tel quel" in ctx.out.getvalue()  # type: ignore[attr-defined]


def test_each_run_backs_the_journal_up_and_restore_puts_a_copy_back(
        tmp_path: Path, pinned: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_follow_up_service(tmp_path / "s", extra="\n[write_back]\nkeep_backups = 2\n")
    backups = config.parent / "sauvegardes"
    assert _cli(config, capsys, "run")[0] == 0
    journal = config.parent / "journal.sqlite3"
    for days in (1, 2):  # a run on each of the next days: each takes its copy, the oldest goes past keep_backups
        monkeypatch.setenv(*next(iter(pinned_clock_env(MOMENT + timedelta(days=days)).items())))
        assert _cli(config, capsys, "run")[0] == 0
    sent = len(outbox(config))
    copies = sorted(p.name for p in backups.glob("journal.*.sqlite3"))
    assert copies == ["journal.20261124-090000.sqlite3", "journal.20261125-090000.sqlite3"]
    db = sqlite3.connect(backups / copies[-1])
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM actions WHERE status='done'").fetchone()[0] > 0
    db.close()
    _damage(journal, "garbage")
    code, out, err = _cli(config, capsys, "restore", "journal")
    assert code == 0
    assert out.splitlines()[:3] == [
        "Copies du journal « journal.sqlite3 » (la plus récente d'abord) :",
        "  1. copie du 25/11/2026 à 09:00:00  (journal.20261125-090000.sqlite3)",
        "  2. copie du 24/11/2026 à 09:00:00  (journal.20261124-090000.sqlite3)"]
    code, out, err = _cli(config, capsys, "restore", "journal", "--copy", "1")
    assert code == 0, err
    assert "Journal « journal.sqlite3 » remis comme le 25/11/2026 à 09:00:00" in out
    kept = list(backups.glob("journal.remplace-*.sqlite3"))
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b"\x00\xffPK")  # the damaged one, kept as it was
    code, out, err = _cli(config, capsys, "check")
    assert code == 0 and "Journal" not in out
    code, out, err = _cli(config, capsys, "run")
    assert code == 0 and "Bilan : 0 envoi" in out
    assert len(outbox(config)) == sent  # the restored journal knows what was sent: nothing again


def test_a_budget_alert_whose_mail_failed_is_mailed_on_the_next_run(
        tmp_path: Path, clock, monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_follow_up_service(tmp_path / "s", extra=BUDGET)
    original = OutboxTransport.send_mail

    def refused_for_the_manager(self, mail):  # type: ignore[no-untyped-def]
        if any(a.email == MANAGER for a in mail.to):
            raise TransportError("serveur indisponible")
        return original(self, mail)

    monkeypatch.setattr(OutboxTransport, "send_mail", refused_for_the_manager)
    first = context(config, clock)
    commands.run(first)
    assert "dépassement de 53 000 F CFP" in first.out.getvalue()  # type: ignore[attr-defined]
    assert [m for m in outbox(config) if m["To"].addresses[0].addr_spec == MANAGER] == []
    monkeypatch.setattr(OutboxTransport, "send_mail", original)
    clock.moment += timedelta(minutes=15)
    planned = context(config, clock)
    commands.plan(planned)
    assert ("⚑ Pour le responsable (levée par un passage précédent, pas encore envoyée) : Commission maintien dans "
            "le logement, séance du 13/11/2026 : les accords du dispositif « Maintien dans le logement »"
            ) in planned.out.getvalue()  # type: ignore[attr-defined]
    for _ in range(2):  # the letters are all done: the alert comes from the journal, once
        commands.run(context(config, clock))
    alerts = [m for m in outbox(config) if m["To"].addresses[0].addr_spec == MANAGER]
    assert len(alerts) == 1
    assert "soit un dépassement de 53 000 F CFP" in alerts[0].get_body().get_content()
