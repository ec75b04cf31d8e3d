"""Long work shows a bar in a terminal, and nothing in a captured output or under serve."""

from __future__ import annotations

import io
import os
import pty
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from automations.cli import commands
from automations.annual_report.report import make_report
from automations.engine.context import Context
from automations.cli.demo import set_up
from automations.cli.serve import serve
from automations.settings import load_config
from automations.transports import settings_checks

from ..conftest import FakeClock


class Terminal:
    """A real pseudo-terminal: what the program writes to it is read back as a person's screen would get it."""

    def __init__(self) -> None:
        self.master, slave = pty.openpty()
        self.out = os.fdopen(slave, "w", encoding="utf-8")
        self.screen = bytearray()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                return
            if not chunk:
                return
            self.screen += chunk

    def text(self) -> str:
        self.out.close()  # the reader sees the end, then stops
        self.reader.join(timeout=10)
        os.close(self.master)
        return self.screen.decode("utf-8", "replace")


@pytest.fixture
def demo(tmp_path: Path, clock: FakeClock) -> Path:
    folder = tmp_path / "service"
    set_up(folder, clock().date(), manager="", report_now=False)
    config = folder / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("pdf = true", "pdf = false"), encoding="utf-8")
    return config


def make_context(config: Path, clock: FakeClock, out: object) -> Context:
    return Context(config=load_config(config, backends=settings_checks()), clock=clock, out=out)  # type: ignore[arg-type]


def test_a_batch_of_letters_and_the_report_show_a_bar_in_a_terminal(demo: Path, clock: FakeClock) -> None:
    terminal = Terminal()
    ctx = make_context(demo, clock, terminal.out)
    report = commands.run(ctx)
    make_report(ctx, clock().year)
    screen = terminal.text()
    bar = re.search(r"\rDocuments: +0%\|\s+\| 0/(\d+) ", screen)
    assert bar is not None and 10 < int(bar[1]) <= len(report.done)  # one step per action with documents
    assert "Rapport d'activité 2026:   0%|          | 0/4" in screen
    assert "Bilan :" in screen  # the bars leave the run's own lines readable


def test_no_bar_in_a_captured_output(demo: Path, clock: FakeClock) -> None:
    out = io.StringIO()
    ctx = make_context(demo, clock, out)
    commands.run(ctx)
    make_report(ctx, clock().year)
    assert "Bilan :" in out.getvalue()
    assert "%|" not in out.getvalue() and "\r" not in out.getvalue()


def test_no_bar_under_serve_even_in_a_terminal(demo: Path, clock: FakeClock) -> None:
    terminal = Terminal()
    ctx = make_context(demo, clock, terminal.out)
    ctx.sleep = lambda seconds: setattr(clock, "moment", clock.moment + timedelta(seconds=seconds))
    serve(ctx, until=clock() + timedelta(minutes=5))
    screen = terminal.text()
    assert "Service démarré" in screen and "Fin de la période demandée." in screen
    assert "%|" not in screen and "Documents:" not in screen
