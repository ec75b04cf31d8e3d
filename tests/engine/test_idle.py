"""A scheduled run with nothing new reads no workbook; any change of what plans read makes the next run work."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import docx
import openpyxl
import pytest

from automations.cli import commands
from automations.registers import read_cache, reader
from automations.transports.memory import MemoryTransport

from ..conftest import FakeClock
from ..service_factory import context, edit_planning, make_service, write_applications


class CountingReads:
    """Counts the workbooks the register reader opens."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened: list[str] = []
        real = reader.CalamineWorkbook

        class Spy:
            @staticmethod
            def from_path(path: str):  # type: ignore[no-untyped-def]
                self.opened.append(Path(path).name)
                return real.from_path(path)

        monkeypatch.setattr(reader, "CalamineWorkbook", Spy)
        # the reading cache serves unchanged workbooks without opening them: never found here, so that a run
        # reading the registers opens them, and one skipped as idle does not
        monkeypatch.setattr(read_cache.ReadCache, "_load", lambda *args: None)

    def during(self, action) -> list[str]:  # type: ignore[no-untyped-def]
        self.opened.clear()
        action()
        return list(self.opened)


@pytest.fixture
def service(tmp_path: Path) -> Path:
    """A service whose every register reads: a missing one is an incident, and is looked for at every run."""
    config = make_service(tmp_path / "service")
    write_applications(config.parent, [["DEL-2026-0001", date(2026, 9, 1), "WAIA", "Marie", "Nouméa",
                                        "Maintien dans le logement", "Impayés de loyer", 125000, "Mme Tein",
                                        date(2026, 10, 14), "Accord", 125000, None, None, date(2026, 10, 20)]])
    suppliers = openpyxl.Workbook()
    suppliers.active.title = "Fournisseurs"
    suppliers.active.append(["Raison sociale", "Catégorie", "Courriel"])
    suppliers.active.append(["SIC", "bailleur", "contact@sic.nc"])
    suppliers.save(config.parent / "registres" / "Fournisseurs.xlsx")
    return config


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> CountingReads:
    return CountingReads(monkeypatch)


def settle(config: Path, clock: FakeClock) -> None:
    """Run until a run finds nothing to do (the first ones send and write back); that last run is remembered."""
    for _ in range(4):
        report = commands.run(context(config, clock))
        if not report.done and not report.failed and not report.written:
            return
    raise AssertionError("the service never settles")


def run(config: Path, clock: FakeClock) -> str:
    ctx = context(config, clock)
    commands.run(ctx)
    return ctx.out.getvalue()  # type: ignore[attr-defined]


def test_an_idle_run_reads_no_workbook(service: Path, clock: FakeClock, reads: CountingReads) -> None:
    settle(service, clock)  # its last run found nothing to do
    clock.moment += timedelta(hours=3)
    output: list[str] = []
    assert reads.during(lambda: output.append(run(service, clock))) == []
    assert "Rien à faire : registres, modèles et configuration inchangés depuis le passage du 23/11/2026 à 07:30" \
        in output[0]
    assert reads.during(lambda: commands.run(context(service, clock), "invitations")) != []  # its own selection
    assert reads.during(lambda: commands.run(context(service, clock), "invitations")) == []


def test_a_changed_register_makes_the_next_run_work(service: Path, clock: FakeClock, reads: CountingReads) -> None:
    settle(service, clock)
    run(service, clock)
    edit_planning(service.parent, 7, Date=date(2026, 11, 30))  # the January session moves into the lead time
    done: list[str] = []
    assert "Planning des instances 2026.xlsx" in reads.during(
        lambda: done.extend(a.summary for a in commands.run(context(service, clock)).done))
    assert done == ["Convocation – Commission maintien dans le logement, séance du 30/11/2026"]


def test_a_register_saved_again_unchanged_is_still_idle(service: Path, clock: FakeClock,
                                                        reads: CountingReads) -> None:
    settle(service, clock)
    run(service, clock)
    planning = service.parent / "registres" / "Planning des instances 2026.xlsx"
    stat = planning.stat()
    os.utime(planning, ns=(stat.st_atime_ns, stat.st_mtime_ns + 60 * 10**9))  # same bytes, a new date
    assert reads.during(lambda: run(service, clock)) == []
    data = planning.read_bytes()
    planning.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # same size, one byte changed
    os.utime(planning, ns=(stat.st_atime_ns, stat.st_mtime_ns + 120 * 10**9))
    assert "Planning des instances 2026.xlsx" in reads.during(lambda: run(service, clock))


def test_a_changed_template_makes_the_next_run_work(service: Path, clock: FakeClock, reads: CountingReads) -> None:
    settle(service, clock)
    run(service, clock)
    template = service.parent / "modeles" / "convocation.docx"
    document = docx.Document(str(template))
    document.add_paragraph("Merci de confirmer votre présence.")
    document.save(str(template))
    assert reads.during(lambda: run(service, clock)) != []


def test_a_changed_config_makes_the_next_run_work(service: Path, clock: FakeClock, reads: CountingReads) -> None:
    settle(service, clock)
    run(service, clock)
    service.write_text(service.read_text(encoding="utf-8") + "\n[invitations]\nlead_days = 20\n", encoding="utf-8")
    assert reads.during(lambda: run(service, clock)) != []


def test_a_new_day_makes_the_next_run_work(service: Path, clock: FakeClock, reads: CountingReads) -> None:
    settle(service, clock)
    run(service, clock)
    clock.moment += timedelta(hours=16)  # 23:30, the same day
    assert reads.during(lambda: run(service, clock)) == []
    clock.moment += timedelta(minutes=31)  # past midnight in Nouméa
    assert reads.during(lambda: run(service, clock)) != []
    assert reads.during(lambda: run(service, clock)) == []


def test_a_run_that_did_something_is_not_idle(service: Path, clock: FakeClock, reads: CountingReads) -> None:
    settle(service, clock)
    run(service, clock)
    lock = service.parent / "registres" / "~$Planning des instances 2026.xlsx"
    edit_planning(service.parent, 7, Date=date(2026, 11, 30))
    lock.write_text("Excel", encoding="utf-8")  # the planning open in Excel: the write waits
    assert commands.run(context(service, clock)).deferred
    assert reads.during(lambda: run(service, clock)) != []  # a write still waits: no skipping
    lock.unlink()
    assert commands.run(context(service, clock)).written
    assert reads.during(lambda: run(service, clock)) != []  # the write changed the planning
    assert reads.during(lambda: run(service, clock)) == []


def test_members_answers_are_read_at_every_run(service: Path, clock: FakeClock, reads: CountingReads) -> None:
    """A transport that reads the members' answers (Exchange) is an input no file shows."""
    transport = MemoryTransport()

    def with_answers() -> None:
        ctx = context(service, clock)
        ctx.transport_factory = lambda _: transport
        commands.run(ctx)

    for _ in range(3):
        with_answers()
    assert reads.during(with_answers) != []
    assert reads.during(lambda: commands.run(context(service, clock), "followups")) != []
    assert reads.during(lambda: commands.run(context(service, clock), "followups")) == []
