"""Secrets come from the environment or the system's keyring, never from the config; the command line stores them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import keyring
import pytest

from automations import cli
from automations.errors import TransportError
from automations.secrets import KEYRING_SERVICE, secret
from automations.transports import BACKENDS

from .conftest import PROJECT
from .smtp_server import PASSWORD, smtp_server
from .test_transports import STAMP, mail


def test_the_environment_comes_first_then_the_keyring(monkeypatch) -> None:
    monkeypatch.delenv("SMTP_MDP", raising=False)
    assert secret("SMTP_MDP") == ""
    keyring.set_password(KEYRING_SERVICE, "SMTP_MDP", "du-trousseau")
    assert secret("SMTP_MDP") == "du-trousseau"
    monkeypatch.setenv("SMTP_MDP", "de-l-environnement")
    assert secret("SMTP_MDP") == "de-l-environnement"


def test_smtp_logs_in_with_the_password_from_the_keyring(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SMTP_TEST_PASSWORD", raising=False)
    with smtp_server(tmp_path) as server:
        transport = BACKENDS["smtp"](server.settings(), base=tmp_path, now=lambda: STAMP)
        with pytest.raises(TransportError) as caught:
            transport.verify()
        assert caught.value.message == (
            "SMTP, mot de passe de commissions@province-sud.nc : ni la variable d'environnement « SMTP_TEST_PASSWORD » ni le "
            "trousseau du système (entrée « SMTP_TEST_PASSWORD » du service « automatisation-commissions ») ne "
            "donnent ce secret ; définissez la variable pour le compte qui lance le service, ou enregistrez-le avec "
            "« python run.py secret SMTP_TEST_PASSWORD ».")
        keyring.set_password(KEYRING_SERVICE, "SMTP_TEST_PASSWORD", PASSWORD)
        transport = BACKENDS["smtp"](server.settings(), base=tmp_path, now=lambda: STAMP)
        transport.send_mail(mail())
        transport.close()
        assert len(server.inbox.received) == 1


def test_the_secret_command_stores_what_a_pipe_gives(keyring_file: Path, monkeypatch) -> None:
    monkeypatch.delenv("EWS_MDP", raising=False)
    done = subprocess.run([sys.executable, str(PROJECT / "run.py"), "secret", "EWS_MDP"], input="s3cr&t\n",
                          capture_output=True, text=True, cwd=PROJECT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Secret « EWS_MDP » enregistré dans le trousseau du système (")
    assert "s3cr&t" not in done.stdout + done.stderr
    assert secret("EWS_MDP") == "s3cr&t"  # the child wrote the keyring file this process reads
    assert keyring_file.exists()


def test_an_empty_secret_is_refused(capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("\n"))
    assert cli.main(["secret", "VIDE"]) == 2
    assert capsys.readouterr().err == "Erreur : valeur vide : rien n'a été enregistré pour « VIDE »\n"
    assert secret("VIDE") == ""
