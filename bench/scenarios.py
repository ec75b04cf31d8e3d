"""The scenarios of ``python -m bench``: what each prepares, measures, and the goal it is held to.

A case is one line of the table. Its data are prepared once by the parent
process; then each way (``naif``, ``outil``) is measured in a child process of
its own, so that each way's peak memory is its own.
"""

from __future__ import annotations

import io
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time as time_of_day
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from . import annual_report, ews_requests, follow_ups, letters, pdf_batch
from .data import TODAY, build_service, write_applications

NOW = datetime.combine(TODAY, time_of_day(9, 0), tzinfo=ZoneInfo("Pacific/Noumea"))
WAYS = ("naif", "outil")


@dataclass(frozen=True)
class Measure:
    value: float
    unit: str  # "s", or "req." for requests
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    key: str
    scenario: str
    label: str  # French, the table's first column
    size: Any
    goal: str = ""  # French
    # (naive, tool, tool's peak memory in MB or None) -> goal met
    met: Callable[[Measure, Measure, float | None], bool] | None = None


def cases(quick: bool) -> list[Case]:
    reads, ticks = ((200, 2_000), (2_000,)) if quick else ((5_000, 50_000), (5_000, 50_000))
    count, pdfs, members = (20, 2, (1, 16)) if quick else (1_000, 100, (1, 4, 8, 16))
    decisions, outgoing = (20, 100) if quick else (200, 1_500)
    result = [Case(f"lecture-{n}", "lecture", f"lecture {_n(n)} lignes × 20 colonnes", n,
                   "≥ 6× et ≤ 300 Mo" if n >= 50_000 else "",
                   lambda a, b, mb: a.value / b.value >= 6 and mb is not None and mb <= 300)
              for n in reads]
    result += [Case(f"tick-{n}", "tick", f"tick à vide, registres de {_n(n)} lignes", n, "≤ 0,2 s",
                    lambda a, b, mb: b.value <= 0.2) for n in ticks]
    result += [
        Case("courriers", "courriers", f"{_n(count)} convocations (docx)", count, "≥ 5×",
             lambda a, b, mb: a.value / b.value >= 5),
        Case("pdf", "pdf", f"{_n(pdfs)} documents en PDF", pdfs, "≥ 3×", lambda a, b, mb: a.value / b.value >= 3),
        Case("exchange", "exchange", f"Exchange : requêtes par convocation ({members[0]} à {members[-1]} membres)",
             members, "≤ 4, constant", lambda a, b, mb: b.value <= 4 and b.extra["constant"]),
        Case("rapport", "rapport", f"rapport d'activité, 5 ans × {_n(ticks[-1] // 5)} demandes", ticks[-1],
             "≤ 10 s et ≤ 1 Go", lambda a, b, mb: b.value <= 10 and mb is not None and mb <= 1024),
        Case("suites", "suites", f"reports des suites de {decisions} décisions", (decisions, outgoing)),
    ]
    return result


def _n(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


# --- preparing (parent process) -----------------------------------------------------------------

def prepare(case: Case, data: Path) -> str:
    """Make the case's data under ``data`` (once, shared by both ways); returns a French detail or ""."""
    if case.scenario == "lecture":
        write_applications(data / case.key / "Registre des demandes 2020.xlsx", 2020, case.size)
        return ""
    if case.scenario in ("tick", "rapport"):
        config = service(data, case.size)
        return settle(config) if case.scenario == "tick" else ""
    if case.scenario == "pdf":
        pdf_batch.prepare(data / "pdf", case.size + 1)  # the last one warms LibreOffice up
        return ""
    if case.scenario == "suites":
        return follow_ups.prepare(data / "suites", *case.size)
    return ""


def service(data: Path, rows: int) -> Path:
    config = data / f"service-{rows}" / "config.toml"
    if not config.exists():
        build_service(config.parent, rows)
    return config


def settle(config: Path) -> str:
    """Run until a run finds nothing to do: the state a scheduled service is in most of the time."""
    from automations import commands

    for number in range(1, 6):
        report = commands.run(context(config))
        if not report.done and not report.failed and not report.written:
            return f"au repos après {number} passage(s)"
    raise SystemExit(f"{config.parent.name} : toujours du travail après 5 passages")


def context(config: Path) -> Any:
    from automations.context import Context
    from automations.settings import load_config
    from automations.transports import settings_checks

    return Context(config=load_config(config, backends=settings_checks()), clock=lambda: NOW, out=io.StringIO())


def finish(case: Case, data: Path) -> str:
    """A check made once both ways ran; returns a French detail."""
    if case.scenario == "suites":
        return "classeurs identiques" if follow_ups.same_workbooks(data / "suites") else "CLASSEURS DIFFÉRENTS"
    return ""


# --- measuring (child process) ------------------------------------------------------------------

def measure(case: Case, way: str, data: Path) -> Measure:
    if case.scenario == "lecture":
        return _read(case, way, data)
    if case.scenario == "tick":
        return _tick(case, way, data)
    if case.scenario == "courriers":
        return Measure(letters.render(data / "courriers" / way, case.size, way), "s")
    if case.scenario == "pdf":
        documents = sorted((data / "pdf").glob("Convocation *.docx"))
        return Measure(pdf_batch.convert(documents[:-1], way, documents[-1]), "s")
    if case.scenario == "exchange":
        counts = [ews_requests.requests(members, way) for members in case.size]
        return Measure(max(counts), "req.", " / ".join(map(str, counts)), {"constant": len(set(counts)) == 1})
    if case.scenario == "rapport":
        seconds, detail = annual_report.report(service(data, case.size), way)
        return Measure(seconds, "s", detail)
    if case.scenario == "suites":
        return Measure(follow_ups.write_back(data / "suites", way), "s")
    raise ValueError(case.scenario)


def _read(case: Case, way: str, data: Path) -> Measure:
    import pandas as pd

    from automations.demo.service import demo_mapping
    from automations.registers.mapping import load_mapping
    from automations.registers.reader import read_register

    folder = data / case.key
    (folder / "correspondance.toml").write_text(demo_mapping(), encoding="utf-8")
    spec = load_mapping(folder / "correspondance.toml").registers["applications"]
    started = time.perf_counter()
    if way == "outil":
        records, findings, _ = read_register(spec, folder)
        return Measure(time.perf_counter() - started, "s", f"{_n(len(records))} lignes lues, {len(findings)} constats")
    frame = pd.read_excel(folder / "Registre des demandes 2020.xlsx", engine="openpyxl")
    return Measure(time.perf_counter() - started, "s", f"{_n(len(frame))} lignes, sans types ni constats")


def _tick(case: Case, way: str, data: Path) -> Measure:
    from automations import commands

    config = service(data, case.size)
    if way == "naif":  # the same run without what the last idle run remembered
        with sqlite3.connect(config.parent / "journal.sqlite3") as db:
            db.execute("DELETE FROM idle_runs")
    ctx = context(config)
    started = time.perf_counter()
    report = commands.run(ctx)
    seconds = time.perf_counter() - started
    skipped = "Rien à faire" in ctx.out.getvalue()
    if report.done or report.failed or skipped != (way == "outil"):
        raise SystemExit(f"tick {way} : {ctx.out.getvalue()}")
    return Measure(seconds, "s", "un passage de commands.run, comme chaque tick de serve" if way == "outil" else "")
