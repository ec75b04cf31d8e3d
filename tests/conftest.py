"""Shared fixtures: a fake clock in Nouméa time and a sample service folder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

NOUMEA = ZoneInfo("Pacific/Noumea")
PROJECT = Path(__file__).resolve().parents[1]
SAMPLES = PROJECT.parent / "shared" / "samples"
USUAL_MOMENT = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)  # the ``clock`` fixture's, and the shared demo's


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
    return FakeClock(USUAL_MOMENT)


@dataclass(frozen=True)
class DemoRun:
    """The demo's folder after ``python run.py demo`` at the suite's usual moment, and what it printed."""

    folder: Path
    output: str


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """One full demo run (PDFs included) per test session: the tests that read it share it, read-only;
    a test that changes the folder works on ``demo_copy``.

    Under pytest-xdist the first worker that needs it builds it in the session's shared temporary folder,
    under a file lock; every worker then reads its own copy, journals relocated, as ``demo_copy`` makes."""
    import os
    import shutil

    from filelock import FileLock

    folder = tmp_path_factory.mktemp("demo-partagee") / "demo"
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return _run_demo(folder)
    shared = tmp_path_factory.getbasetemp().parent / "demo-commune"  # the same for every worker of this session
    with FileLock(f"{shared}.lock"):
        if not (shared / "sortie.txt").is_file():  # written last: a build that failed is tried again
            built = _run_demo(shared / "demo")
            (shared / "sortie.txt").write_text(built.output, encoding="utf-8")
    shutil.copytree(shared / "demo", folder, symlinks=True)
    relocate_journals(folder, shared / "demo")
    output = (shared / "sortie.txt").read_text(encoding="utf-8").replace(str(shared / "demo"), str(folder))
    return DemoRun(folder, output)


def _run_demo(folder: Path) -> DemoRun:
    import io

    from automations.cli.demo import run_demo

    out = io.StringIO()
    assert run_demo(folder, clock=FakeClock(USUAL_MOMENT), out=out) == 0, out.getvalue()
    return DemoRun(folder, out.getvalue())


@pytest.fixture
def demo_copy(demo_run: DemoRun, tmp_path: Path) -> Path:
    """This test's own copy of the demo run: its config names folders relative to it, file times are kept,
    and its journal names the copy's files."""
    import shutil

    folder = Path(shutil.copytree(demo_run.folder, tmp_path / "demo", symlinks=True))
    relocate_journals(folder, demo_run.folder)
    return folder


def relocate_journals(folder: Path, original: Path) -> None:
    """The journal keeps absolute paths (mails delivered, documents rendered, workbooks written): in a copied
    service folder they must name the copy's own files, not the original's."""
    import contextlib
    import sqlite3

    for journal in folder.rglob("*.sqlite3"):
        with contextlib.closing(sqlite3.connect(journal)) as db, db:
            tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                for column in [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]:
                    db.execute(f'UPDATE "{table}" SET "{column}" = replace("{column}", ?, ?) '
                               f'WHERE typeof("{column}") = \'text\' AND instr("{column}", ?) > 0',
                               (str(original), str(folder), str(original)))


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
