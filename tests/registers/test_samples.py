"""``check`` on the two services' own registers reports their real problems and reads the rest."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from automations.cli import commands
from automations.engine.context import Context
from automations.registers.findings import Severity
from automations.settings import load_config
from automations.transports import settings_checks

from ..conftest import NOUMEA, PROJECT, FakeClock


def loaded(name: str):
    config = load_config(PROJECT / "examples" / name / "config.toml", backends=settings_checks())
    ctx = Context(config=config, clock=FakeClock(datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)), out=io.StringIO())
    return ctx, commands.load(ctx)


def test_province_sud_registers() -> None:
    ctx, data = loaded("province-sud-del")
    findings = data.service.findings
    errors = [f for f in findings if f.severity is Severity.ERROR]
    # the line typed twice at the end of each year's register, and nothing else is an error
    assert sorted((Path(f.file).name, f.row) for f in errors) == [
        ("Registre des demandes 2025.xlsx", 666), ("Registre des demandes 2026.xlsx", 557)]
    assert all(f.reason.startswith("ligne saisie deux fois") for f in errors)
    warnings = [f.describe() for f in findings if f.severity is Severity.WARNING]
    no_email = [w for w in warnings if "membre sans adresse e-mail" in w]
    assert len(no_email) == 2 and "HAOCAS Anne-Sophie" in no_email[0]
    assert any("séance sans salle indiquée" in w and "ligne 49" in w for w in warnings)
    # amounts and dates typed as text are read
    applications = {r.values["number"]: r for r in data.registers.of("applications")}
    assert applications["DEL-2026-0007"].values["amount_asked"] == 15000
    sessions = data.registers.of("sessions")
    assert len(sessions) == 48
    assert any(r.values["date"].isoformat() == "2026-01-22" for r in sessions)
    assert {r.values["status"] for r in sessions} == {"tenue", "annulee", "reportee", "prevue"}
    assert len(data.service.committees) == 4 and len(data.service.rooms) == 3


def test_ccas_registers() -> None:
    ctx, data = loaded("ccas-lifou")
    assert [f for f in data.service.findings if f.severity is Severity.ERROR] == []
    accented = [f for f in data.service.findings if "accents ou caractères spéciaux avant « @ »" in f.reason]
    assert sorted(f.value for f in accented) == ["gaëlle.waheo@lifou.nc", "josépha.waia@lifou.nc"]
    assert all(f.severity is Severity.WARNING for f in accented)  # still members, with no address to mail
    flagged = {(f.file, f.row) for f in accented}  # one finding per cell: not « membre sans adresse » again
    assert not [f for f in data.service.findings if "membre sans adresse" in f.reason and (f.file, f.row) in flagged]
    sessions = data.service.sessions
    assert len(sessions) == 21 and sessions[0].committee.name == "Commission d'aide facultative"
    assert len(data.service.members) == 7
    assert len(data.registers.of("mail_in")) == 900 and len(data.registers.of("mail_out")) == 400


def test_check_command_output(capsys) -> None:
    from automations.cli.main import main

    code = main(["--config", str(PROJECT / "examples" / "province-sud-del" / "config.toml"), "check"])
    out = capsys.readouterr().out
    assert code == 1
    assert "Problèmes dans les registres : 2 erreurs" in out
    assert "« Registre des demandes 2026.xlsx », feuille « Demandes », ligne 557" in out
    assert not (PROJECT / "examples" / "province-sud-del" / "journal.sqlite3").exists()


def test_check_on_the_ccas_passes_with_warnings(capsys) -> None:
    from automations.cli.main import main

    assert main(["--config", str(PROJECT / "examples" / "ccas-lifou" / "config.toml"), "check"]) == 0
    out = capsys.readouterr().out
    assert "Problèmes dans les registres : 0 erreur, 2 avertissements." in out
    assert "courrier arrivé : 900 lignes exploitables" in out
