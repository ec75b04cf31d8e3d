"""The annual report over 5 years × 10,000 applications: time and peak memory.

    python -m bench rapport

The service is the one of the idle-tick scenario (``bench/data.py``): the demo's
registers and five past years of 10,000 applications each. The tool writes the
whole report (``make_report``: reading, figures, Excel workbook and Word report);
for scale, the naive way only reads the same applications workbooks with
``pandas.read_excel(engine="openpyxl")``.
"""

from __future__ import annotations

import io
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from automations.annual_report.report import make_report
from automations.engine.context import Context
from automations.settings import load_config
from automations.transports import settings_checks

NOW = datetime(2026, 11, 23, 7, 30, tzinfo=ZoneInfo("Pacific/Noumea"))


def report(config: Path, way: str) -> tuple[float, str]:
    """Seconds for the whole report (``outil``) or for pandas to read the applications (``naif``); a detail."""
    ctx = Context(config=load_config(config, backends=settings_checks()), clock=lambda: NOW, out=io.StringIO())
    started = time.perf_counter()
    if way == "outil":
        files = make_report(ctx, NOW.year)
        seconds = time.perf_counter() - started
        return seconds, f"{len(files.report.tables)} tableaux, classeur et rapport Word"
    workbooks = sorted(ctx.config.paths.registers.glob("Registre des demandes *.xlsx"))
    rows = sum(len(pd.read_excel(path, engine="openpyxl")) for path in workbooks)
    return time.perf_counter() - started, f"lecture seule de {rows:,} lignes".replace(",", " ")
