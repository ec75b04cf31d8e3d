"""The command line: French messages, exit codes, no traceback."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from automations.cli.main import main

from ..conftest import NOUMEA, PROJECT, child_env
from ..service_factory import make_service


def test_unknown_command_is_a_usage_error_in_french(capsys) -> None:
    assert main(["envoyer"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Erreur : choix invalide « envoyer »")
    assert "Traceback" not in err


def test_unknown_automation(tmp_path: Path, capsys) -> None:
    config = make_service(tmp_path)
    assert main(["--config", str(config), "plan", "pigeons"]) == 2
    assert "Automatisation inconnue « pigeons »" in capsys.readouterr().err


def test_missing_config_names_the_file(tmp_path: Path, capsys) -> None:
    assert main(["--config", str(tmp_path / "absent.toml"), "check"]) == 2
    err = capsys.readouterr().err
    assert f"Configuration invalide ({tmp_path / 'absent.toml'})" in err
    assert "fichier introuvable" in err


def test_help_is_in_french(capsys) -> None:
    try:
        main(["--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    assert out.startswith("Utilisation : python run.py")
    assert "vérifier configuration" in out and "afficher cette aide" in out


def test_unexpected_error_gives_one_line_and_traceback_on_demand(tmp_path: Path, monkeypatch, capsys) -> None:
    config = make_service(tmp_path)
    from automations.cli import commands

    def boom(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(commands, "check", boom)
    assert main(["--config", str(config), "check"]) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "Erreur inattendue : RuntimeError : disque plein. Relancez avec --traceback "
        "et transmettez le message à l'administrateur."]
    assert main(["--config", str(config), "--traceback", "check"]) == 1
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_plan_run_history_through_run_py(tmp_path: Path) -> None:
    config = make_service(tmp_path)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(PROJECT / "run.py"), "--config", str(config), *args],
                              capture_output=True, text=True, cwd=tmp_path, timeout=120,
                              env=child_env(datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)))

    history = cli("history")
    assert history.returncode == 0 and "Le journal est vide" in history.stdout
    planned = cli("plan", "invitations")
    assert planned.returncode == 0, planned.stderr
    assert planned.stdout.startswith("Convocations : ")
    done = cli("run")
    assert done.returncode == 0, done.stderr
    assert "Bilan :" in done.stdout
    assert cli("history").returncode == 0


def test_help_of_a_command_says_usage_once(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "-h"])
    out = capsys.readouterr().out
    assert out.startswith("Utilisation : python run.py demo [-h] [--dir DOSSIER]") and out.count("Utilisation") == 1
