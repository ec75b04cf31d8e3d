"""The context handed to commands and automations instead of globals.

It carries the configuration, the clock, the output stream and the way to
make the transport, so scheduled behaviour can be tested on a fake clock and
an in-memory transport.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO, TypeVar
from zoneinfo import ZoneInfo

from ..errors import UsageError
from ..invisible import printable
from ..settings import Config
from ..transports import BACKENDS, Transport
from ..transports.guard import GuardedTransport


T = TypeVar("T")


# For the test suite only: a child process started by a test reads "now" from here, so a test
# never depends on the day it runs. The name is long and plain on purpose: nobody sets it by
# accident, and the README lists it under the tests, not under the configuration.
TEST_CLOCK_VARIABLE = "AUTOMATISATION_COMMISSIONS_HORLOGE_DE_TEST"


def system_clock() -> datetime:
    return datetime.now().astimezone()


def pinned_clock(start: datetime) -> Callable[[], datetime]:
    """A clock that starts at ``start`` and runs at the machine's pace (a serve loop still ticks)."""
    origin = time.monotonic()

    def now() -> datetime:
        return start + timedelta(seconds=time.monotonic() - origin)

    return now


def process_clock(environ: Mapping[str, str] = os.environ) -> Callable[[], datetime]:
    """The machine's clock, or the test clock when a test pinned it for this process."""
    value = environ.get(TEST_CLOCK_VARIABLE, "").strip()
    if not value:
        return system_clock
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        raise UsageError(f"{TEST_CLOCK_VARIABLE} = « {value} » : une date et heure ISO avec fuseau est attendue, "
                         "par exemple 2026-11-23T07:30:00+11:00 (variable réservée aux tests : retirez-la)")
    return pinned_clock(start)


@dataclass
class Context:
    config: Config
    clock: Callable[[], datetime] = system_clock
    out: TextIO = field(default_factory=lambda: sys.stdout)
    transport_factory: Callable[[Context], Transport] | None = None
    verbose: bool = False
    lock_wait_seconds: float = 600.0  # how long a run waits for another run on the same journal
    # set by SIGTERM or Ctrl-C under ``serve``: the run ends after the action under way
    stop: threading.Event = field(default_factory=threading.Event)
    sleep: Callable[[float], object] | None = None  # waits between ticks; a stop request cuts it short
    # long work shows a bar when a person watches the output; serve turns them off for good
    progress_bars: bool = True

    @property
    def stop_requested(self) -> bool:
        return self.stop.is_set()

    def pause(self, seconds: float) -> None:
        if self.sleep is not None:
            self.sleep(seconds)
        else:
            self.stop.wait(seconds)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.config.service.timezone)

    def now(self) -> datetime:
        return self.clock().astimezone(self.zone)

    def make_transport(self) -> Transport:
        if self.transport_factory is not None:
            return self.transport_factory(self)
        settings = self.config.transport
        inner = BACKENDS[settings.backend](settings.options, base=self.config.source.parent, now=self.now)
        inner.pause = self.pause
        safety = self.config.safety
        if not safety.pilot_address and not safety.allowed_domains:
            return inner
        return GuardedTransport(inner, pilot_address=safety.pilot_address,
                                allowed_domains=safety.allowed_domains)

    def say(self, line: str = "") -> None:
        # every line of a command passes here, and many quote a register: no escape sequence reaches the terminal
        print(printable(line), file=self.out)

    def command(self, *words: str) -> str:
        """``python run.py --config "…" restore …``: a command to type next, on this same configuration."""
        same = self.config.source == Path("config.toml").resolve()  # the default needs no --config
        return " ".join(["python run.py", *([] if same else [f'--config "{self.config.source}"']), *words])

    @property
    def shows_progress(self) -> bool:
        """Bars only in a terminal: not under serve, not into a log, a pipe or a test's capture."""
        isatty = getattr(self.out, "isatty", None)
        return self.progress_bars and callable(isatty) and bool(isatty())

    @contextmanager
    def progress(self, total: int, label: str) -> Iterator[Callable[[int], None]]:
        """A bar of ``total`` steps while the block runs; the block calls the given function with the steps done."""
        if not self.shows_progress or total <= 1:
            yield lambda done: None
            return
        from tqdm import tqdm  # only a terminal pays for it

        with tqdm(total=total, desc=label, file=self.out, leave=False) as bar:  # gone once done
            def reach(done: int) -> None:
                bar.update(max(0, min(done, total) - bar.n))

            yield reach

    def tracked(self, items: Iterable[T], total: int, label: str) -> Iterator[T]:
        """``items`` one by one, the bar moving after each."""
        with self.progress(total, label) as reach:
            for done, item in enumerate(items, 1):
                yield item
                reach(done)
