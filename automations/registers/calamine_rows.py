"""A sheet's rows from calamine, even when a date or duration cell holds a number no date can be.

calamine turns a cell formatted as a date or a duration into a Python date or timedelta: a billion hours
overflows Python's timedelta (OverflowError), and -1e12 days panics inside Rust, which prints the panic on the
process's standard error before Python gets an exception. Such a sheet is read again from a copy where those
cells have lost their format (:func:`container.plain_numbers_copy`): the column's type then refuses the number
with a finding naming its cell, as it does for any absurd value.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from python_calamine import CalamineWorkbook

from . import container

log = logging.getLogger(__name__)
T = TypeVar("T")


def sheet_rows(path: Path, name: str, sheet: Any) -> list[list[Any]]:
    """Every row of ``sheet`` (of the workbook at ``path``), as ``to_python(skip_empty_area=False)`` gives them;
    OverflowError when calamine cannot read it even so."""
    return read_rows(path, name, sheet, lambda readable: readable.to_python(skip_empty_area=False))


def read_rows(path: Path, name: str, sheet: Any, read: Callable[[Any], T]) -> T:
    """``read(sheet)``, or when a date or duration cell stops calamine, ``read`` of the same sheet of the copy
    without those formats; OverflowError when calamine cannot read it even so. ``read`` may be called twice:
    it must start afresh each time."""
    try:
        return _guarded(read, sheet)
    except OverflowError as exc:
        log.debug("%s, %s : %s", path.name, name, exc)
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / path.name
            if not container.plain_numbers_copy(path, name, copy):
                raise
            return _guarded(read, CalamineWorkbook.from_path(str(copy)).get_sheet_by_name(name))


def _guarded(read: Callable[[Any], T], sheet: Any) -> T:
    try:
        with _panic_kept_off_stderr():
            return read(sheet)
    except BaseException as exc:  # a Rust panic is a BaseException, which nothing above would catch
        if type(exc).__name__ != "PanicException":
            raise
        raise OverflowError(str(exc)) from None


@contextlib.contextmanager
def _panic_kept_off_stderr() -> Iterator[None]:
    """Hold what is written on file descriptor 2 meanwhile; give it back unless a panic wrote it."""
    try:
        saved = os.dup(2)
    except OSError:  # no standard error at all (a service without a console): nothing to keep off
        yield
        return
    try:
        held = tempfile.TemporaryFile()
    except OSError:  # no temporary folder: read as is
        os.close(saved)
        yield
        return
    with held:
        os.dup2(held.fileno(), 2)
        panicked = False
        try:
            yield
        except BaseException as exc:
            panicked = type(exc).__name__ == "PanicException"
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            written = held.read()
            if written and not panicked:
                os.write(2, written)
