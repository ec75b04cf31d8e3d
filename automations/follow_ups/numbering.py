"""Gapless yearly numbers for vouchers and outgoing mail, given out by the journal.

A number is given to a delivery (``key#revision``) inside one SQLite
transaction, so two runs can never take the same one. A delivery that may
have left (recorded, or sent by an attempt that crashed before recording it)
keeps its number for good. The others' numbers are only reserved: the next
run gives them out again, lowest first, to the deliveries it still makes, so
a crash between numbering and recording, or a decision withdrawn meanwhile,
leaves no hole. Numbers staff typed in the register by hand are never given.
Freeing reservations relies on one run at a time (``run_lock.py``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from ..engine.journal import Journal
from ..number_format import NumberFormat


class Numbering:
    """One series (``voucher``, ``mail_out``, ``mail_in``) for one run."""

    def __init__(self, journal: Journal, series: str, fmt: NumberFormat, register_numbers: Iterable[object],
                 live: Iterable[str] = (), *, across_years: bool = False) -> None:
        self.journal = journal
        # one sequence for every year (A2025-0480, A2026-0481…): the year is only a label on the number
        self.across_years = across_years
        self.series = series
        self.format = fmt
        self.live = set(live)  # deliveries this run is making: their numbers are never given back
        self._given: set[str] = set()  # owners numbered by this run: asked again, they get the same
        self.taken: dict[int, set[int]] = {}  # year -> numbers found in the register
        for text in register_numbers:
            parsed = fmt.parse(text)
            if parsed is not None:
                self.taken.setdefault(parsed[0], set()).add(parsed[1])

    def existing(self, owner: str) -> str | None:
        row = self.journal.db.execute("SELECT year, seq FROM numbers WHERE series=? AND owner=?",
                                      (self.series, owner)).fetchone()
        return self.format.format(row["year"], row["seq"]) if row else None

    def number(self, owner: str, year: int, now: datetime) -> str:
        """The delivery's number: the one it already has, else the lowest free one of ``year``.

        A number given in an earlier run to a delivery that has not left yet is given
        again, lowest first, so a delivery dropped after a crash leaves no hole.
        """
        with self.journal.transaction() as db:
            row = db.execute("SELECT year, seq FROM numbers WHERE series=? AND owner=?",
                             (self.series, owner)).fetchone()
            if row and (owner in self._given or self._firm(db, owner)):
                return self.format.format(row["year"], row["seq"])
            db.execute("DELETE FROM numbers WHERE series=? AND owner=?", (self.series, owner))
            self._release_abandoned(db, year)
            if self.across_years:
                ours = {r["seq"] for r in db.execute("SELECT seq FROM numbers WHERE series=?", (self.series,))}
                register = set().union(*self.taken.values())
            else:
                ours = {r["seq"] for r in db.execute("SELECT seq FROM numbers WHERE series=? AND year=?",
                                                     (self.series, year))}
                register = self.taken.get(year, set())
            # numbers staff typed by hand set the floor; ours written back into the register do not
            floor = max(register - ours, default=0)
            seq = floor + 1
            while seq in ours or seq in register:
                seq += 1
            db.execute("INSERT INTO numbers (series, year, seq, owner, at) VALUES (?, ?, ?, ?, ?)",
                       (self.series, year, seq, owner, now.isoformat()))
        self._given.add(owner)
        return self.format.format(year, seq)

    def _release_abandoned(self, db: sqlite3.Connection, year: int) -> None:
        """Numbers of deliveries no run will make any more, and that cannot have left, are free again."""
        rows = db.execute("SELECT seq, owner FROM numbers WHERE series=? AND year=?", (self.series, year)).fetchall()
        for row in rows:
            if row["owner"] not in self.live and not self._firm(db, row["owner"]):
                db.execute("DELETE FROM numbers WHERE series=? AND year=? AND seq=?", (self.series, year, row["seq"]))

    @staticmethod
    def _firm(db: sqlite3.Connection, owner: str) -> bool:
        """Delivered, or perhaps sent by an attempt that crashed: its number may be out in the world."""
        key, _, revision = owner.rpartition("#")
        row = db.execute("SELECT revision, status, kind, pending_revision FROM actions WHERE key=?", (key,)).fetchone()
        if row is None:
            return False
        if row["revision"] is not None and row["revision"] >= int(revision or 0):
            return True
        return row["status"] == "pending" and row["kind"] != "file" and row["pending_revision"] == int(revision or 0)


def runs_across_years(fmt: NumberFormat, numbers: Iterable[object]) -> bool:
    """Whether a register's sequence goes on from year to year instead of starting again at 1.

    Told from the register itself: numbers of two years or more and no sequence number used in two of
    them (A2025-0002, A2026-0003…). One year only reads as yearly, the usual practice.
    """
    years: dict[int, set[int]] = {}
    for text in numbers:
        parsed = fmt.parse(text)
        if parsed is not None:
            years.setdefault(parsed[0], set()).add(parsed[1])
    if len(years) < 2:
        return False
    seen: set[int] = set()
    for seqs in years.values():
        if seen & seqs:
            return False
        seen |= seqs
    return True
