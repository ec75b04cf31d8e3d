"""The process the crash tests kill: one kill point installed, then the real command line.

``python -m tests.crash.child POINT N CONFIG`` wraps one function so that its
N-th call (among those the point watches) ends the process with SIGKILL, the
way a power cut or ``kill -9`` would, then runs ``run`` through
``automations.cli.main.main``. POINT ``none`` runs without a kill. The harness pins
the clock through the program's test clock variable, so every run of a case
happens on the same day as the reference run it is compared with; the clock
still moves on within the run.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from automations.cli import main as cli, commands
from automations.engine import executor
from automations.documents import pdf
from automations.engine.journal import Journal
from automations.follow_ups.numbering import Numbering
from automations.transports import BACKENDS
from automations.transports import outbox as outbox_module

# a half-written zip (workbook or document) is cut after this many of its parts
PARTS_BEFORE_CUT = 3


def die() -> None:
    # said first: the fork server may lose the exit status it reports to the harness (see harness._run_child)
    Path(os.environ["CRASH_KILLED"]).touch()
    os.kill(os.getpid(), signal.SIGKILL)


class Counter:
    """Counts the calls a kill point watches; the N-th one is fatal."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.calls = 0

    def fatal(self) -> bool:
        self.calls += 1
        return self.calls == self.n


def _wrap(owner: Any, name: str, counter: Counter, *, after: bool = False,
          watched: Callable[..., bool] = lambda *a, **k: True) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        fatal = watched(*args, **kwargs) and counter.fatal()
        if fatal and not after:
            die()
        result = original(*args, **kwargs)
        if fatal:
            die()
        return result

    setattr(owner, name, wrapper)


def _sends(counter: Counter, after: bool) -> None:
    # every backend: the one the config names is the one called
    for backend in BACKENDS.values():
        for name in ("send_mail", "send_meeting"):
            _wrap(backend, name, counter, after=after)


def before_send(counter: Counter) -> None:
    _sends(counter, after=False)


def after_send(counter: Counter) -> None:
    _sends(counter, after=True)


def in_complete(counter: Counter) -> None:
    """Inside Journal.complete: its statements ran, its COMMIT did not."""
    original = Journal.complete

    def complete(self: Journal, *args: Any, **kwargs: Any) -> None:
        if counter.fatal():
            opened = self.transaction

            @contextmanager
            def dying() -> Any:
                with opened() as db:
                    yield db
                    die()

            self.transaction = dying  # type: ignore[method-assign]
        original(self, *args, **kwargs)

    Journal.complete = complete  # type: ignore[method-assign]


def after_complete(counter: Counter) -> None:
    _wrap(Journal, "complete", counter, after=True)


def before_writeback(counter: Counter) -> None:
    # every action journaled, no workbook written yet
    _wrap(commands, "apply_pending_writes", counter)


def _cutter(counter: Counter, is_temp: Callable[[str], bool]) -> Callable[[str, Any], None]:
    """Called before each part of a zip: the N-th temporary one dies after a few parts, flushed to disk."""
    written: dict[str, int | None] = {}  # temporary zip -> parts written, None for those that live

    def before_part(name: str, stream: Any) -> None:
        if is_temp(name):
            if name not in written:
                written[name] = 0 if counter.fatal() else None
            parts = written[name]
            if parts == PARTS_BEFORE_CUT:
                stream.flush()
                die()
            if parts is not None:
                written[name] = parts + 1

    return before_part


def _half_zip(counter: Counter, is_temp: Callable[[str], bool]) -> None:
    """The N-th temporary zip (workbook or document) is cut after a few parts, flushed to disk."""
    original = zipfile.ZipFile.writestr
    before_part = _cutter(counter, is_temp)

    def writestr(self: zipfile.ZipFile, *args: Any, **kwargs: Any) -> None:
        before_part(str(self.filename or ""), self.fp)
        original(self, *args, **kwargs)

    zipfile.ZipFile.writestr = writestr  # type: ignore[method-assign]


def _workbook_temp(name: str) -> bool:
    path = Path(name)
    return path.name.startswith(".") and path.suffix in (".xlsx", ".xlsm")


def xlsx_half(counter: Counter) -> None:
    """The N-th temporary workbook the surgical writer writes is cut after a few parts, flushed to disk."""
    from automations.registers import xlsx_package

    original = xlsx_package._copy_raw
    before_part = _cutter(counter, _workbook_temp)

    def copy_raw(out: zipfile.ZipFile, raw: Any, info: zipfile.ZipInfo) -> None:
        before_part(str(out.filename or ""), out.fp)
        original(out, raw, info)

    xlsx_package._copy_raw = copy_raw  # type: ignore[assignment]


def docx_half(counter: Counter) -> None:
    """The N-th Word document is cut halfway through its temporary file, flushed to disk."""
    _half_zip(counter, lambda name: name.endswith(".docx.tmp"))  # the documents docxtpl itself renders
    original = Path.write_bytes  # the compiled templates write the whole package at once

    def write_bytes(self: Path, data: Any) -> int:
        if self.name.endswith(".docx.tmp") and counter.fatal():
            with open(self, "wb") as stream:
                stream.write(bytes(data)[: len(data) // 2])
                stream.flush()
                os.fsync(stream.fileno())
            die()
        return original(self, data)

    Path.write_bytes = write_bytes  # type: ignore[method-assign]


def _replaces(counter: Counter, after: bool, suffixes: tuple[str, ...]) -> None:
    _wrap(os, "replace", counter, after=after,
          watched=lambda source, target, *a, **k: Path(target).suffix in suffixes)


def before_rename(counter: Counter) -> None:
    """The workbook's temporary copy is complete and synced, the rename has not happened."""
    _replaces(counter, False, (".xlsx", ".xlsm"))


def after_rename(counter: Counter) -> None:
    """The workbook is replaced; the journal does not know its writes are done."""
    _replaces(counter, True, (".xlsx", ".xlsm"))


def before_pdf(counter: Counter) -> None:
    _wrap(executor, "convert_to_pdf", counter)


def after_pdf_install(counter: Counter) -> None:
    _wrap(pdf, "_install", counter, after=True)


def numbering(counter: Counter) -> None:
    """A voucher or outgoing-mail number is given (committed), nothing uses it yet."""
    _wrap(Numbering, "number", counter, after=True)


def outbox_half(counter: Counter) -> None:
    """The ``.eml`` is half in its temporary file, flushed to disk."""

    class Dying:
        def __init__(self, path: Path, mode: str) -> None:
            self.stream = open(path, mode)

        def __enter__(self) -> Dying:
            return self

        def __exit__(self, *exc: object) -> None:
            self.stream.close()

        def write(self, data: bytes) -> int:
            self.stream.write(data[: len(data) // 2])
            self.stream.flush()
            os.fsync(self.stream.fileno())
            die()
            return 0

    def dying_open(path: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if counter.fatal():
            return Dying(path, mode)
        return open(path, mode, *args, **kwargs)

    outbox_module.open = dying_open  # type: ignore[attr-defined]


def outbox_before_rename(counter: Counter) -> None:
    """The ``.eml`` is whole in its temporary file, not yet renamed."""
    _replaces(counter, False, (".eml",))


def outbox_after_rename(counter: Counter) -> None:
    """The ``.eml`` is in place; the caller has not seen the write return."""
    _replaces(counter, True, (".eml",))


def smtp_accepted(counter: Counter) -> None:
    """The server answered 250 to the DATA: the mail is on its way, nothing is recorded yet."""
    import smtplib

    _wrap(smtplib.SMTP, "send_message", counter, after=True)


def smtp_before_end(counter: Counter) -> None:
    """The sent log says the mail is ending; its final dot has not left: the server will drop it."""
    from automations.transports import smtp

    _wrap(smtp.SmtpTransport, "_record", counter, after=True,
          watched=lambda self, delivery_id, reference, state="": state == smtp._ENDING)


def attachment_saved(counter: Counter) -> None:
    """A received mail's attachment is in its number's folder; the mail is not journaled yet."""
    from automations.incoming import attachments

    _wrap(attachments, "_write", counter, after=True)


def after_mark(counter: Counter) -> None:
    """A received mail is moved into « enregistrés »; its row is not in the register yet."""
    from automations.transports import eml_folder

    _wrap(eml_folder, "move_marked", counter, after=True)


POINTS: dict[str, Callable[[Counter], None]] = {
    "before_send": before_send, "after_send": after_send, "in_complete": in_complete,
    "after_complete": after_complete, "before_writeback": before_writeback, "xlsx_half": xlsx_half,
    "before_rename": before_rename, "after_rename": after_rename, "docx_half": docx_half,
    "before_pdf": before_pdf, "after_pdf_install": after_pdf_install, "numbering": numbering,
    "outbox_half": outbox_half, "outbox_before_rename": outbox_before_rename,
    "outbox_after_rename": outbox_after_rename, "smtp_accepted": smtp_accepted, "smtp_before_end": smtp_before_end,
    "attachment_saved": attachment_saved, "after_mark": after_mark,
}


def main(argv: list[str]) -> int:
    """``none`` runs without a kill; ``count`` writes to CRASH_COUNTS how often each point was reached."""
    point, n, config = argv
    counters = {name: Counter(0) for name in POINTS} if point == "count" else {}
    for name, counter in counters.items():
        POINTS[name](counter)  # a counter of 0 is never fatal
    if point not in ("none", "count"):
        POINTS[point](Counter(int(n)))
    code = cli.main(["--config", config, "run"])
    if counters:
        Path(os.environ["CRASH_COUNTS"]).write_text(
            json.dumps({name: counter.calls for name, counter in counters.items()}), encoding="utf-8")
    return code


def forked(argv: list[str], environment: dict[str, str], cwd: str, output: str) -> None:
    """``main`` in a process the harness's fork server made: the same run as ``python -m tests.crash.child``
    with that environment and folder, its output in ``output``, the interpreter's start-up and the imports
    saved (they are most of a short run's time)."""
    import atexit

    os.environ.clear()
    os.environ.update(environment)
    os.chdir(cwd)
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    os.close(descriptor)
    # the fork server's own streams may be none or a test runner's: the child's go to ``output``
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
    try:
        code = main(argv)
    finally:
        atexit._run_exitfuncs()  # what an interpreter's exit does; multiprocessing's children skip it
        sys.stdout.flush()
        sys.stderr.flush()
    sys.exit(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
