"""Voucher and outgoing-mail numbers: contiguous and unique across crashes, withdrawn decisions and concurrent runs."""

from __future__ import annotations

import multiprocessing
from datetime import datetime
from pathlib import Path

import docx
import pytest

from automations.cli import commands
from automations.engine.journal import Journal
from automations.number_format import NumberFormat
from automations.follow_ups.numbering import Numbering

from ..conftest import NOUMEA, FakeClock
from ..follow_up_factory import application, edit_application, make_follow_up_service, register_rows
from ..service_factory import context
from ..packs.test_meeting_pack import outbox

NOW = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)
BONS = Path("documents") / "commission-maintien-dans-le-logement" / "2026-11-13" / "Bons"
VOUCHERS = [application(f"DEL-2026-06{n:02d}", "WAIA", f"Personne{n}", "Aide alimentaire", 10000 + n * 1000,
                        "Accord", 10000 + n * 1000, supplier="Casino Johnston",
                        email=f"p{n}@mail.nc" if n % 2 else None) for n in range(1, 5)]


def numbers_in(folder: Path) -> tuple[list[str], list[str]]:
    vouchers = [str(r["Bon n°"]) for r in register_rows(folder) if r["Bon n°"]]
    outgoing = [str(r["N°"]) for r in register_rows(folder, "Courrier départ 2026.xlsx", "Courrier départ")]
    return vouchers, outgoing


def assert_series(numbers: list[str], pattern: str, first: int, count: int) -> None:
    assert sorted(numbers) == [pattern.format(n) for n in range(first, first + count)]


def test_a_crash_between_numbering_and_recording_leaves_no_gap_nor_double(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_follow_up_service(tmp_path / "s", VOUCHERS)
    real = Journal.complete
    calls = []

    def crash_on_second_voucher(self, key, *args, **kwargs):  # type: ignore[no-untyped-def]
        if key.startswith("voucher/"):
            calls.append(key)
            if len(calls) == 2:
                raise KeyboardInterrupt  # the process dies here: numbered, rendered, not recorded
        return real(self, key, *args, **kwargs)

    monkeypatch.setattr(Journal, "complete", crash_on_second_voucher)
    with pytest.raises(KeyboardInterrupt):
        commands.run(context(config, FakeClock(NOW)), "followups")
    monkeypatch.setattr(Journal, "complete", real)
    commands.run(context(config, FakeClock(NOW)), "followups")
    vouchers, outgoing = numbers_in(config.parent)
    assert_series(vouchers, "BA-2026-{:04d}", 1, 4)
    assert_series(outgoing[3:], "D2026-{:04d}", 4, len(outgoing) - 3)
    assert len(outgoing) - 3 == 4 + 4 + 1  # four vouchers, four letters, one notice
    # each voucher document carries the number its row received
    for row in register_rows(config.parent):
        path = config.parent / BONS / f"Bon {row['Bon n°']}.docx"
        text = "\n".join(c.text for t in docx.Document(str(path)).tables for r in t.rows for c in r.cells)
        assert str(row["N° dossier"]) in text
    assert len(outbox(config)) == 2 + 0  # two letters by e-mail, the supplier has no address: nothing else


def test_a_decision_withdrawn_after_a_crash_gives_its_number_to_the_next_voucher(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_follow_up_service(tmp_path / "s", VOUCHERS)
    real = Journal.complete

    def crash_on_first_voucher(self, key, *args, **kwargs):  # type: ignore[no-untyped-def]
        if key.startswith("voucher/del-2026-0602"):
            raise KeyboardInterrupt
        return real(self, key, *args, **kwargs)

    monkeypatch.setattr(Journal, "complete", crash_on_first_voucher)
    with pytest.raises(KeyboardInterrupt):
        commands.run(context(config, FakeClock(NOW)), "followups")
    monkeypatch.setattr(Journal, "complete", real)
    # staff withdrew the accord while the server was down
    edit_application(config.parent, "DEL-2026-0602", **{"Décision": "Refus", "Montant accordé": None})
    commands.run(context(config, FakeClock(NOW)), "followups")
    vouchers, outgoing = numbers_in(config.parent)
    assert_series(vouchers, "BA-2026-{:04d}", 1, 3)
    assert_series(outgoing, "D2026-{:04d}", 1, 3 + 3 + 4 + 1)  # three vouchers, four letters, one notice
    register = {str(r["N° dossier"]): r["Bon n°"] for r in register_rows(config.parent)}
    assert register["DEL-2026-0602"] is None and register["DEL-2026-0601"] == "BA-2026-0001"


def _run_in_process(config: str, barrier) -> None:  # type: ignore[no-untyped-def]
    barrier.wait()
    report = commands.run(context(Path(config), FakeClock(NOW)), "followups")
    raise SystemExit(0 if report.ok else 1)


def test_two_runs_at_once_number_and_send_everything_once(tmp_path: Path) -> None:
    config = make_follow_up_service(tmp_path / "s", VOUCHERS)
    fork = multiprocessing.get_context("fork")
    barrier = fork.Barrier(2)
    processes = [fork.Process(target=_run_in_process, args=(str(config), barrier)) for _ in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [p.exitcode for p in processes] == [0, 0]
    vouchers, outgoing = numbers_in(config.parent)
    assert_series(vouchers, "BA-2026-{:04d}", 1, 4)
    assert_series(outgoing, "D2026-{:04d}", 1, 3 + 9)
    sent = outbox(config)
    assert len(sent) == 2 and len({m["To"].addresses[0].addr_spec for m in sent}) == 2
    # one run did the work, the other waited for it and found nothing left to do
    with Journal(config.parent / "journal.sqlite3") as journal:
        events = journal.events(100)
    # the two mails were sent; the documents filed for staff (vouchers, letters to post) were prepared
    assert len(events) == 9 and {(e.kind == "file", e.outcome) for e in events} == {(False, "sent"), (True, "prepared")}
    assert len({e.key for e in events}) == 9


def _allocate(path: str, owners: list[str], everyone: list[str], barrier, results) -> None:  # type: ignore[no-untyped-def]
    barrier.wait()
    with Journal(Path(path)) as journal:
        numbering = Numbering(journal, "voucher", NumberFormat("BA-{year}-{seq:04d}"), [], everyone)
        for owner in owners:
            results.put((owner, numbering.number(owner, 2026, NOW)))


def test_concurrent_numbering_never_gives_a_number_twice(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    fork = multiprocessing.get_context("fork")
    barrier, results = fork.Barrier(4), fork.Queue()
    everyone = [f"voucher/{p}-{i}#0" for p in range(4) for i in range(25)]
    processes = [fork.Process(target=_allocate, args=(str(path), everyone[p * 25:(p + 1) * 25], everyone,
                                                       barrier, results)) for p in range(4)]
    for process in processes:
        process.start()
    given = dict(results.get(timeout=60) for _ in range(100))
    for process in processes:
        process.join(60)
    assert sorted(given.values()) == [f"BA-2026-{n:04d}" for n in range(1, 101)]


def test_numbers_typed_by_hand_are_skipped_and_each_year_starts_again(tmp_path: Path) -> None:
    with Journal(tmp_path / "journal.sqlite3") as journal:
        numbering = Numbering(journal, "voucher", NumberFormat("BA-{year}-{seq:04d}"),
                              ["BA-2026-0003", "ba-2026-0005", "BA-2025-0040", "à faire", None], ["a#0", "b#0", "c#0"])
        assert numbering.number("a#0", 2026, NOW) == "BA-2026-0006"
        assert numbering.number("a#0", 2026, NOW) == "BA-2026-0006"
        assert numbering.number("b#0", 2027, NOW) == "BA-2027-0001"
        assert numbering.existing("c#0") is None


def test_a_mail_that_may_have_left_keeps_its_number(tmp_path: Path) -> None:
    with Journal(tmp_path / "journal.sqlite3") as journal:
        first = Numbering(journal, "mail_out", NumberFormat("D{year}-{seq:04d}"), [], ["letter/a#0", "letter/b#0"])
        assert first.number("letter/a#0", 2026, NOW) == "D2026-0001"
        assert first.number("letter/b#0", 2026, NOW) == "D2026-0002"
        journal.begin("letter/b", "followups", "create", 0, "f", {}, NOW)  # sending when the process died
        # the next run no longer makes letter a; letter b may be in the applicant's mailbox with its number
        again = Numbering(journal, "mail_out", NumberFormat("D{year}-{seq:04d}"), [], ["letter/b#0", "letter/c#0"])
        assert again.number("letter/b#0", 2026, NOW) == "D2026-0002"
        assert again.number("letter/c#0", 2026, NOW) == "D2026-0001"
