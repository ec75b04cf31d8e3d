"""Secrets come from the environment or the system's keyring, never from the config; the command line stores them.

A keyring that would keep a password unprotected (keyrings.alt's plain-text file) or not at all (keyring's
null and fail backends) is refused, in French; the tests opt in to their file keyring by name (``keyring_file``).
"""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringLocked

from automations.cli import main as cli
from automations.errors import TransportError
from automations.settings.keyring_store import TEST_KEYRING_VARIABLE
from automations.settings.secrets import secret, store
from automations.transports import BACKENDS

from ..conftest import PROJECT, child_env
from ..smtp_server import PASSWORD, smtp_server
from ..transports.test_transports import STAMP, mail

LINUX_REMEDY = ("installez un Secret Service (gnome-keyring, ou KeePassXC avec son intégration Secret Service) ou "
                "KWallet, et lancez le programme dans une session où il est ouvert")
ENGLISH = ("No recommended backend", "keyrings.alt package", "Keyring config", "Traceback", "Failed to unlock")


def run_secret(name: str, value: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python run.py secret NAME`` as an administrator types it, the value given on a pipe."""
    return subprocess.run([sys.executable, str(PROJECT / "run.py"), "secret", name], input=value + "\n", check=False,
                          capture_output=True, text=True, cwd=PROJECT, timeout=60, env=child_env(STAMP, **env))


def refusal(backend: str) -> str:
    """``python run.py secret EWS_MDP`` with PYTHON_KEYRING_BACKEND naming ``backend``: refused, nothing said stored."""
    done = run_secret("EWS_MDP", "s3cr&t", PYTHON_KEYRING_BACKEND=backend)
    assert (done.returncode, done.stdout) == (1, "")
    return done.stderr


def smtp_refusal(server, base: Path) -> str:
    """What the SMTP transport says when it cannot log in for want of its password."""
    with pytest.raises(TransportError) as caught:
        BACKENDS["smtp"](server.settings(), base=base, now=lambda: STAMP).verify()
    return caught.value.message


@pytest.fixture
def system_keyring(tmp_path: Path, monkeypatch) -> Path:
    """No test keyring, no keyring setting of the account: the program sees only what a test installs."""
    monkeypatch.delenv(TEST_KEYRING_VARIABLE, raising=False)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # where keyringrc.cfg would be
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # where keyrings.alt's file would be
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)  # detected again, and put back after the test
    return tmp_path


class LockedKeyring(KeyringBackend):
    """A recommended keyring whose collection stays locked, as Secret Service answers in a closed session."""

    priority = 5
    viable = False  # never picked by keyring's own detection in this process

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")


def test_the_environment_comes_first_then_the_keyring(keyring_file: Path, monkeypatch) -> None:
    monkeypatch.delenv("SMTP_MDP", raising=False)
    assert secret("SMTP_MDP") == ""
    store("SMTP_MDP", "du-trousseau")
    assert secret("SMTP_MDP") == "du-trousseau"
    monkeypatch.setenv("SMTP_MDP", "de-l-environnement")
    assert secret("SMTP_MDP") == "de-l-environnement"


def test_smtp_logs_in_with_a_password_the_secret_command_stored(keyring_file: Path, tmp_path: Path,
                                                                 monkeypatch) -> None:
    monkeypatch.delenv("SMTP_TEST_PASSWORD", raising=False)
    with smtp_server(tmp_path) as server:
        assert smtp_refusal(server, tmp_path) == (
            "SMTP, mot de passe de commissions@province-sud.nc : ni la variable d'environnement « SMTP_TEST_PASSWORD » ni le "
            "trousseau du système (entrée « SMTP_TEST_PASSWORD » du service « automatisation-commissions ») ne "
            "donnent ce secret ; définissez la variable pour le compte qui lance le service, ou enregistrez-le avec "
            "« python run.py secret SMTP_TEST_PASSWORD ».")
        done = run_secret("SMTP_TEST_PASSWORD", PASSWORD)  # another process: the keyring file is what they share
        assert done.returncode == 0, done.stderr
        transport = BACKENDS["smtp"](server.settings(), base=tmp_path, now=lambda: STAMP)
        transport.send_mail(mail())
        transport.close()
        assert len(server.inbox.received) == 1


def test_the_secret_command_stores_what_a_pipe_gives(keyring_file: Path, monkeypatch) -> None:
    monkeypatch.delenv("EWS_MDP", raising=False)
    done = run_secret("EWS_MDP", "s3cr&t")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Secret « EWS_MDP » enregistré dans le trousseau du système (trousseau de test, "
                                  f"fichier « {keyring_file} », service « automatisation-commissions »).")
    assert "s3cr&t" not in done.stdout + done.stderr
    assert secret("EWS_MDP") == "s3cr&t"  # the child wrote the keyring file this process reads
    assert keyring_file.exists()


def test_an_empty_secret_is_refused(keyring_file: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert cli.main(["secret", "VIDE"]) == 2
    assert capsys.readouterr().err == "Erreur : valeur vide : rien n'a été enregistré pour « VIDE »\n"
    assert secret("VIDE") == ""


def test_the_null_keyring_is_refused_and_nothing_is_said_stored(system_keyring: Path) -> None:
    assert refusal("keyring.backends.null.Keyring") == (
        "Erreur : rien n'a été enregistré pour « EWS_MDP » : le trousseau imposé par la variable d'environnement "
        "PYTHON_KEYRING_BACKEND (keyring.backends.null.Keyring) n'enregistre rien, le programme le refuse ; "
        f"retirez ce réglage ; {LINUX_REMEDY} ; ou définissez plutôt la variable d'environnement « EWS_MDP » pour "
        "le compte qui lance le service\n")


def test_the_plain_text_file_keyring_is_refused_unless_the_tests_opt_in(system_keyring: Path) -> None:
    plain_file = system_keyring / "data" / "python_keyring" / "keyring_pass.cfg"
    assert refusal("keyrings.alt.file.PlaintextKeyring") == (
        "Erreur : rien n'a été enregistré pour « EWS_MDP » : le trousseau imposé par la variable d'environnement "
        "PYTHON_KEYRING_BACKEND (keyrings.alt.file.PlaintextKeyring, du paquet keyrings.alt) garderait les secrets "
        f"en clair (simple encodage base64) dans le fichier « {plain_file} », le programme le refuse ; retirez ce "
        f"réglage ; {LINUX_REMEDY} ; ou définissez plutôt la variable d'environnement « EWS_MDP » pour le compte qui "
        "lance le service\n")
    assert not plain_file.exists()


def test_a_plain_text_keyring_found_by_keyring_itself_is_refused(system_keyring: Path, capsys, monkeypatch) -> None:
    from keyrings.alt.file import PlaintextKeyring

    keyring.set_keyring(PlaintextKeyring())  # what keyring picks on a server where only keyrings.alt is installed
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cr&t\n"))
    assert cli.main(["secret", "EWS_MDP"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        "Erreur : rien n'a été enregistré pour « EWS_MDP » : le trousseau trouvé sur cette machine "
        "(keyrings.alt.file.PlaintextKeyring, du paquet keyrings.alt) garderait les secrets en clair")
    assert f"le programme le refuse ; {LINUX_REMEDY} ; ou définissez" in captured.err
    assert not (system_keyring / "data" / "python_keyring" / "keyring_pass.cfg").exists()


def test_no_keyring_at_all_is_said_in_french(system_keyring: Path) -> None:
    assert refusal("keyring.backends.fail.Keyring") == (
        "Erreur : rien n'a été enregistré pour « EWS_MDP » : aucun trousseau sûr n'est installé sur cette machine ; "
        f"{LINUX_REMEDY} ; ou définissez plutôt la variable d'environnement « EWS_MDP » pour le compte qui lance le "
        "service\n")


def test_a_keyring_that_cannot_load_is_said_in_french(system_keyring: Path) -> None:
    assert refusal("keyrings.inexistant.Trousseau") == (
        "Erreur : rien n'a été enregistré pour « EWS_MDP » : le trousseau imposé par la variable d'environnement "
        "PYTHON_KEYRING_BACKEND ne peut pas être chargé sur cette machine ; corrigez ce réglage ou retirez-le ; "
        f"{LINUX_REMEDY} ; ou définissez plutôt la variable d'environnement « EWS_MDP » pour le compte qui lance le "
        "service\n")


def test_a_transport_reading_without_a_keyring_says_so_in_french(system_keyring: Path, tmp_path: Path,
                                                                  monkeypatch) -> None:
    monkeypatch.delenv("SMTP_TEST_PASSWORD", raising=False)
    keyring.set_keyring(fail.Keyring())  # keyring's own answer on a server without any keyring
    with smtp_server(tmp_path) as server:
        message = smtp_refusal(server, tmp_path)
    assert message == (
        "SMTP, mot de passe de commissions@province-sud.nc : la variable d'environnement « SMTP_TEST_PASSWORD » "
        "n'est pas définie et le trousseau du système ne peut pas servir : aucun trousseau sûr n'est installé sur "
        f"cette machine ; {LINUX_REMEDY} ; ou définissez la variable pour le compte qui lance le service.")
    assert not any(words in message for words in ENGLISH)
    assert server.inbox.received == []


def test_a_locked_keyring_is_said_in_french_when_reading_and_storing(system_keyring: Path, capsys,
                                                                     monkeypatch) -> None:
    from automations.settings.secrets import missing

    monkeypatch.delenv("EWS_MDP", raising=False)
    keyring.set_keyring(LockedKeyring())
    assert secret("EWS_MDP") == ""
    assert missing("EWS_MDP") == (
        "la variable d'environnement « EWS_MDP » n'est pas définie et le trousseau du système ne peut pas servir : "
        "le trousseau (tests.settings.test_secrets.LockedKeyring) est verrouillé ; déverrouillez-le dans une session ouverte "
        "par le compte qui lance le service ; ou définissez la variable pour le compte qui lance le service")
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cr&t\n"))
    assert cli.main(["secret", "EWS_MDP"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "Erreur : rien n'a été enregistré pour « EWS_MDP » : le trousseau (tests.settings.test_secrets.LockedKeyring) est "
        "verrouillé ; déverrouillez-le dans une session ouverte par le compte qui lance le service ; ou définissez "
        "plutôt la variable d'environnement « EWS_MDP » pour le compte qui lance le service\n")


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_keyring_english_log_lines_stay_out_of_sight(system_keyring: Path, caplog, monkeypatch) -> None:
    config = system_keyring / "config" / "python_keyring"
    config.mkdir(parents=True)
    (config / "keyringrc.cfg").write_text("[backend]\nkeyring-path = .\n", encoding="utf-8")  # no default-keyring
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: [fail.Keyring()])  # this machine's keyrings aside
    caplog.set_level(logging.DEBUG)  # the root logger at DEBUG, as with --verbose
    # what reaches the root logger, where the program's log handlers are (service_logs): since pytest 9.2, caplog
    # also hangs its own handler on each non-propagating logger, keyring's included, and would see lines twice
    kept = _Kept()
    logging.getLogger().addHandler(kept)
    try:
        assert secret("ABSENT") == ""
    finally:
        logging.getLogger().removeHandler(kept)
    said = [record for record in kept.records if record.name.startswith("keyring")]
    assert [record.getMessage().splitlines()[0] for record in said] == ["Keyring config file contains incorrect values."]
    assert all(record.levelno == logging.DEBUG for record in said)  # shown with --verbose only
