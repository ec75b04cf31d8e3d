"""Run one case the way an administrator would: ``python run.py check`` then ``python run.py run``.

Both go through ``automations.cli.main.main`` in this process. A case passes when each command prints
its exact French lines, exits with the code the README gives, shows no traceback, mails only whom it
should, and leaves the bad register as it was (or, where a write-back is the point, as it should be).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from automations.engine import executor
from automations.cli.main import main

from ..conftest import pinned_clock_env
from . import service

# A case makes its bad input in a fresh service folder and returns the register to watch.
Maker = Callable[[Path], Path]
# Further checks after both commands; each returns what went wrong.
After = Callable[[Path], list[str]]
# What staff do to the register between `run`'s reading and its write-back.
Between = Callable[[Path], None]


@dataclass(frozen=True)
class Watch:
    """What of the watched register must be as it was: the whole file, one row, or nothing."""

    sheet: str | None = None
    row: int | None = None
    whole: bool = True


WHOLE = Watch()
NOTHING = Watch(whole=False)


def row_of(row: int, sheet: str = "Demandes") -> Watch:
    return Watch(sheet=sheet, row=row, whole=False)


@dataclass(frozen=True)
class Case:
    name: str  # the test's id
    title: str  # French, for the summary table
    make: Maker
    check: tuple[str, ...]  # lines `check` prints, exactly (leading spaces aside)
    run: tuple[str, ...] = ()
    check_exit: int = 1
    run_exit: int = 0
    mails: frozenset[str] = service.ALL_MAILS  # the first recipient of each mail `run` sends
    watch: Watch = WHOLE
    after: tuple[After, ...] = field(default_factory=tuple)
    between: Between | None = None


@dataclass
class Outcome:
    code: int
    lines: list[str]
    text: str


def cli(config: Path, *args: str) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            mock.patch.dict(os.environ, pinned_clock_env(service.MOMENT)):
        code = main(["--config", str(config), *args])
    text = out.getvalue() + err.getvalue()
    return Outcome(code, [line.strip() for line in text.splitlines()], text)


def messages(folder: Path) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
            for p in sorted((folder / "boite-d-envoi").glob("*/*.eml"))]


def sent(folder: Path) -> list[str]:
    """The first recipient of each mail in the outbox."""
    return [m["To"].addresses[0].addr_spec for m in messages(folder)]


def _registers(folder: Path) -> dict[str, str]:
    return {p.name: service.digest(p) for p in sorted((folder / "registres").iterdir()) if p.is_file()}


def _said(command: str, outcome: Outcome, lines: tuple[str, ...], code: int) -> list[str]:
    problems = [f"{command}: missing line {line!r}" for line in lines if line not in outcome.lines]
    if outcome.code != code:
        problems.append(f"{command}: exit code {outcome.code}, expected {code}")
    if "Traceback" in outcome.text or "Erreur inattendue" in outcome.text:
        problems.append(f"{command}: a traceback or an unexpected error reached the user")
    if problems:
        problems.append(f"{command} printed:\n{outcome.text}")
    return problems


def verify(case: Case, folder: Path) -> list[str]:
    """What went wrong with this case, empty when it was handled as a user expects."""
    config = service.fresh(folder)
    watched = case.make(folder)
    before = _registers(folder)
    row = service.row_xml(watched, case.watch.sheet, case.watch.row) if case.watch.row else None
    problems = _said("check", cli(config, "check"), case.check, case.check_exit)
    if _registers(folder) != before:
        problems.append("check changed a register")
    if sent(folder):
        problems.append("check sent mail")
    with _between_read_and_write(case.between, folder):
        problems += _said("run", cli(config, "run"), case.run, case.run_exit)
    mails = sent(folder)
    if len(mails) != len(set(mails)) or set(mails) != case.mails:
        problems.append(f"run mailed {sorted(mails)}, expected {sorted(case.mails)}")
    if case.watch.whole and service.digest(watched) != before.get(watched.name, "absent"):
        problems.append(f"run changed {watched.name}")
    if row is not None and service.row_xml(watched, case.watch.sheet, case.watch.row) != row:
        problems.append(f"run changed row {case.watch.row} of {watched.name}")
    for check in case.after:
        problems += check(folder)
    return problems


@contextlib.contextmanager
def _between_read_and_write(change: Between | None, folder: Path):  # type: ignore[no-untyped-def]
    """Let staff change the register after `run` read it and sent its mails, just before the write-back."""
    if change is None:
        yield
        return
    apply_writes = executor.apply_writes
    done: list[bool] = []

    def changed_first(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not done:  # once, before the first workbook is written
            change(folder)
            done.append(True)
        return apply_writes(*args, **kwargs)

    with mock.patch.object(executor, "apply_writes", changed_first):
        yield
