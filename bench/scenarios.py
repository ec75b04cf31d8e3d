"""The work of ``python -m bench``'s cases, each step in a child process of its own.

A case's data are prepared once (``prepare``), then each way (``naif``,
``outil``) is measured, then both results may be compared (``finish``). Each
step imports only what it uses: a child's peak memory is that of its own work.
"""

from __future__ import annotations

import gc
import io
import shutil
import sqlite3
import time
from datetime import datetime, time as time_of_day
from pathlib import Path
from typing import Any, Callable, TypeVar
from zoneinfo import ZoneInfo

from .cases import TODAY, Case, Measure, number

T = TypeVar("T")
NOW = datetime.combine(TODAY, time_of_day(9, 0), tzinfo=ZoneInfo("Pacific/Noumea"))


def prepare(case: Case, data: Path) -> str:
    """Make the case's data under ``data`` (once, shared by both ways); returns a French detail or "".
    Only the scenarios of ``cases.PREPARED`` are asked."""
    if case.scenario == "lecture":
        if case.key.startswith("lecture-calamine") and (data / f"lecture-{case.size}").exists():
            # the same register as the plain reading of that size, when that case ran first
            shutil.copytree(data / f"lecture-{case.size}", data / case.key, dirs_exist_ok=True)
            return ""
        from automations.cli.demo import demo_mapping

        from .data import write_applications

        write_applications(data / case.key / "Registre des demandes 2020.xlsx", 2020, case.size)
        (data / case.key / "correspondance.toml").write_text(demo_mapping(), encoding="utf-8")
        return ""
    if case.scenario in ("tick", "rapport"):
        config = service(data, case.size)
        return settle(config) if case.scenario == "tick" else ""
    if case.scenario == "pdf":
        from . import pdf_batch

        pdf_batch.prepare(data / case.key, case.key, case.size)
        return ""
    if case.scenario == "suites":
        from . import follow_ups

        return follow_ups.prepare(data / "suites", *case.size)
    if case.scenario == "cache":
        from . import read_cache

        config = service(data, case.size, "cache")
        return f"{settle(config)}, {read_cache.prepare(config)}"
    return ""


def service(data: Path, rows: int, name: str = "service") -> Path:
    config = data / f"{name}-{rows}" / "config.toml"
    if not config.exists():
        from .data import build_service

        build_service(config.parent, rows)
    return config


def settle(config: Path) -> str:
    """Run until a run finds nothing to do: the state a scheduled service is in most of the time."""
    from automations.cli import commands

    for number in range(1, 6):
        report = commands.run(context(config))
        if not report.done and not report.failed and not report.written:
            from automations.french import plural

            return f"au repos après {plural(number, 'passage', 'passages')}"
    raise SystemExit(f"{config.parent.name} : toujours du travail après 5 passages")


def context(config: Path) -> Any:
    from automations.engine.context import Context
    from automations.settings import load_config
    from automations.transports import settings_checks

    return Context(config=load_config(config, backends=settings_checks()), clock=lambda: NOW, out=io.StringIO())


def finish(case: Case, data: Path) -> str:
    """A check made once both ways ran (the scenarios of ``cases.FINISHED``); returns a French detail."""
    if case.scenario == "suites":
        from . import follow_ups

        return "classeurs identiques" if follow_ups.same_workbooks(data / "suites") else "CLASSEURS DIFFÉRENTS"
    if case.scenario == "cache":
        from . import read_cache

        return "lectures identiques" if read_cache.same(service(data, case.size, "cache")) else "LECTURES DIFFÉRENTES"
    if case.scenario == "pdf":
        from . import pdf_batch

        return pdf_batch.finish(data / case.key, case.key)
    return ""


def measure(case: Case, way: str, data: Path) -> Measure:
    if case.scenario == "lecture":
        return _read(case, way, data)
    if case.scenario == "tick":
        return _tick(case, way, data)
    if case.scenario == "courriers":
        from . import letters

        return Measure(letters.render(data / "courriers" / way, case.size, way), "s")
    if case.scenario == "pdf":
        from . import pdf_batch

        seconds, detail = pdf_batch.measure(data / case.key, case.key, way)
        return Measure(seconds, "s", detail)
    if case.scenario == "exchange":
        from . import ews_requests

        counts = [ews_requests.requests(members, way) for members in case.size]
        return Measure(max(counts), "req.", " / ".join(map(str, counts)), {"constant": len(set(counts)) == 1})
    if case.scenario == "rapport":
        from . import annual_report

        seconds, detail = annual_report.report(service(data, case.size), way)
        return Measure(seconds, "s", detail)
    if case.scenario == "suites":
        from . import follow_ups

        return Measure(follow_ups.write_back(data / "suites", way), "s")
    if case.scenario == "cache":
        from . import read_cache

        seconds, detail = read_cache.read(service(data, case.size, "cache"), way)
        return Measure(seconds, "s", detail)
    raise ValueError(case.scenario)


def _read(case: Case, way: str, data: Path) -> Measure:
    from automations.registers.mapping import load_mapping
    from automations.registers.reader import read_register

    folder = data / case.key
    spec = load_mapping(folder / "correspondance.toml").registers["applications"]
    # side by side with calamine, each way is timed three times in its process and its best time kept (as
    # timeit does): a single run of either swings by 10 to 20 % on a shared machine, more than the margin judged
    tries = 3 if case.key.startswith("lecture-calamine") else 1
    if way == "outil":
        seconds, (records, findings, _) = _best(tries, lambda: read_register(spec, folder))
        return Measure(seconds, "s", f"{number(len(records))} lignes lues, {len(findings)} constats"
                       + (f" (meilleur de {tries})" if tries > 1 else ""))
    if case.key.startswith("lecture-calamine"):  # the bare parse: every cell as calamine hands it over
        from python_calamine import CalamineWorkbook

        def parse() -> list[list[Any]]:
            workbook = CalamineWorkbook.from_path(str(folder / "Registre des demandes 2020.xlsx"))
            return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)

        seconds, rows = _best(tries, parse)
        return Measure(seconds, "s", f"{number(len(rows) - 1)} lignes, sans types ni constats (meilleur de {tries})")
    import pandas as pd

    started = time.perf_counter()  # pandas' import is not part of its reading
    frame = pd.read_excel(folder / "Registre des demandes 2020.xlsx", engine="openpyxl")
    return Measure(time.perf_counter() - started, "s", f"{number(len(frame))} lignes, sans types ni constats")


def _best(tries: int, work: Callable[[], T]) -> tuple[float, T]:
    """The shortest of ``tries`` timed runs of ``work``, and what its last run gave."""
    times = []
    for _ in range(tries):
        result = None  # the previous run's result freed before the next starts
        gc.collect()
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def _tick(case: Case, way: str, data: Path) -> Measure:
    from automations.cli import commands

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
