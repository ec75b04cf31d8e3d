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
    from automations.context import TEST_CLOCK_VARIABLE

    return {TEST_CLOCK_VARIABLE: moment.isoformat()}


def child_env(moment: datetime, **extra: str) -> dict[str, str]:
    """This process's environment, with the clock pinned at ``moment`` for the child."""
    import os

    return {**os.environ, **pinned_clock_env(moment), **extra}


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
    from automations.keyring_store import TEST_KEYRING_VARIABLE

    path = tmp_path_factory.mktemp("trousseau") / "trousseau-de-test.cfg"
    monkeypatch.setenv(TEST_KEYRING_VARIABLE, str(path))  # a child started with child_env() inherits it
    return path
