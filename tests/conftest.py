"""Shared fixtures: a fake clock in Nouméa time and a sample service folder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

NOUMEA = ZoneInfo("Pacific/Noumea")
PROJECT = Path(__file__).resolve().parents[1]
SAMPLES = PROJECT.parent / "shared" / "samples"


def pinned_clock_env(moment: datetime) -> dict[str, str]:
    """The environment entry that pins "now" in a child process started by a test (the program's test clock)."""
    from automations.context import TEST_CLOCK_VARIABLE

    return {TEST_CLOCK_VARIABLE: moment.isoformat()}


def child_env(moment: datetime, **extra: str) -> dict[str, str]:
    """This process's environment, with the clock pinned at ``moment`` for the child."""
    import os

    return {**os.environ, **pinned_clock_env(moment), **extra}


def missing_programs() -> list[str]:
    """The Debian packages of the programs the suite drives for real, when they are not installed."""
    import shutil

    from automations.documents.pdf import find_libreoffice

    missing = []
    if find_libreoffice() is None:
        missing.append("libreoffice-writer-nogui")
    if not any(shutil.which(name) for name in ("chromium", "chromium-browser")):
        missing.append("chromium")
    if not shutil.which("pdftotext"):
        missing.append("poppler-utils")
    return missing


def pytest_sessionstart(session: pytest.Session) -> None:
    # LibreOffice makes the PDFs and Chromium draws the digest: without them dozens of tests would
    # fail one by one on a bare assertion; one French line at once says what to install
    missing = missing_programs()
    if missing:
        pytest.exit(f"Il manque des programmes que les tests utilisent pour de vrai : installez les paquets "
                    f"Debian {', '.join(missing)} (apt-get install {' '.join(missing)}), ou lancez "
                    "« bash .ci/run », qui les installe puis lance les tests.", returncode=4)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA))


@pytest.fixture(autouse=True)
def keyring_file(tmp_path_factory, monkeypatch) -> Iterator[Path]:
    """A real file keyring per test, never the account's own: a secret stored by one test stays there."""
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    folder = tmp_path_factory.mktemp("trousseau")
    backend = PlaintextKeyring()
    backend.file_path = str(folder / "python_keyring" / "keyring_pass.cfg")  # where a child process looks
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    # a child process (the command line run as a program) finds the same file
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(folder))
    yield Path(backend.file_path)
    keyring.set_keyring(previous)
