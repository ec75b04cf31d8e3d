"""One run at a time on a service: a second one waits, then gives up in French; a killed run frees the lock."""

from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path

import pytest

from automations.cli import commands
from automations.errors import UserError
from automations.engine.journal import Journal
from automations.engine.run_lock import exclusive_run

from ..service_factory import context, make_service


def _hold(journal: str, ready, stop) -> None:  # type: ignore[no-untyped-def]
    with exclusive_run(Path(journal), 5):
        ready.set()
        stop.wait(60)


@pytest.fixture
def holder(tmp_path: Path):
    config = make_service(tmp_path / "s")
    fork = multiprocessing.get_context("fork")
    ready, stop = fork.Event(), fork.Event()
    process = fork.Process(target=_hold, args=(str(config.parent / "journal.sqlite3"), ready, stop))
    process.start()
    assert ready.wait(30)
    yield config, process
    if process.is_alive():  # a killed holder cannot be woken: setting the event would wait for it
        stop.set()
        process.join(30)


def test_a_second_run_gives_up_in_french_and_does_nothing(holder, clock) -> None:
    config, _ = holder
    ctx = context(config, clock)
    ctx.lock_wait_seconds = 0.3
    with pytest.raises(UserError) as caught:
        commands.run(ctx)
    assert caught.value.message.startswith("Un autre passage est en cours sur ce service (verrou « ")
    assert "depuis plus de 0.3 seconde : rien n'a été fait" in caught.value.message
    with Journal(config.parent / "journal.sqlite3") as journal:
        assert journal.events() == []
    assert not (config.parent / "boite-d-envoi").exists()


def test_a_killed_run_frees_the_lock(holder, clock) -> None:
    config, process = holder
    os.kill(process.pid, signal.SIGKILL)
    process.join(30)
    ctx = context(config, clock)
    ctx.lock_wait_seconds = 5
    report = commands.run(ctx)
    assert report.ok and [a.automation for a in report.done] == ["invitations"]
