"""Shared fixtures: a fake clock in Nouméa time and a sample service folder."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

NOUMEA = ZoneInfo("Pacific/Noumea")
PROJECT = Path(__file__).resolve().parents[1]
SAMPLES = PROJECT.parent / "shared" / "samples"


def pinned_clock_env(moment: datetime) -> dict[str, str]:
    """The environment entry that pins "now" in a child process started by a test (the program's test clock)."""
    from automations.engine.context import TEST_CLOCK_VARIABLE

    return {TEST_CLOCK_VARIABLE: moment.isoformat()}


def child_env(moment: datetime, **extra: str) -> dict[str, str]:
    """This process's environment, with the clock pinned at ``moment`` for the child."""
    import os

    return {**os.environ, **pinned_clock_env(moment), **extra}


def missing_programs() -> list[str]:
    """The Debian packages of the programs the suite drives for real, when they are not installed."""
    import shutil
    import sys

    from automations.documents.pdf import find_libreoffice

    missing = []
    soffice = find_libreoffice()
    if soffice is None:
        missing.append("libreoffice-writer-nogui")
    elif sys.platform != "win32" and not (soffice.resolve().parent / "libsclo.so").exists():
        missing.append("libreoffice-calc-nogui")  # opens the workbooks the xlsx writer changed
    if not any(shutil.which(name) for name in ("chromium", "chromium-browser")):
        missing.append("chromium")
    if not shutil.which("pdftotext"):
        missing.append("poppler-utils")
    if not shutil.which("systemd-analyze"):
        missing.append("systemd")
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


@pytest.fixture
def keyring_file(tmp_path_factory, monkeypatch) -> Path:
    """Opt-in, by name: a real file keyring for this test and the processes it starts, never the account's own.

    The program refuses a plain-text keyring; its test switch (an environment variable reserved to the
    tests) is the only way it uses one, so installing the test extras never makes it keep passwords in clear.
    """
    from automations.settings.keyring_store import TEST_KEYRING_VARIABLE

    path = tmp_path_factory.mktemp("trousseau") / "trousseau-de-test.cfg"
    monkeypatch.setenv(TEST_KEYRING_VARIABLE, str(path))  # a child started with child_env() inherits it
    return path
