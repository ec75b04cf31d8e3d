"""One run at a time on a journal: a second ``run`` (or a scheduled tick) waits for the first to finish.

The lock is an operating-system lock on a file beside the journal (flock on
Linux, msvcrt on Windows), so it is released when its process dies, however
it dies; the file itself may stay and means nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import UserError


def lock_path(journal: Path) -> Path:
    return journal.with_name(journal.name + ".lock")


@contextmanager
def exclusive_run(journal: Path, wait_seconds: float) -> Iterator[None]:
    path = lock_path(journal)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path), timeout=wait_seconds)
    try:
        lock.acquire()
    except Timeout as exc:
        minutes = (f"{wait_seconds / 60:g} minute{'s' if wait_seconds >= 120 else ''}" if wait_seconds >= 60
                   else f"{wait_seconds:g} seconde{'s' if wait_seconds >= 2 else ''}")
        raise UserError(f"Un autre passage est en cours sur ce service (verrou « {path} ») depuis plus de "
                        f"{minutes} : rien n'a été fait, réessayez plus tard.") from exc
    try:
        yield
    finally:
        lock.release()
