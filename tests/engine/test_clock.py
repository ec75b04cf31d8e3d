"""The day the program believes it is: the machine's, or the one a test pins for a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from automations.engine.context import TEST_CLOCK_VARIABLE, process_clock, system_clock
from automations.errors import UsageError

from ..conftest import NOUMEA, PROJECT, child_env
from ..service_factory import make_service


def test_without_the_variable_the_machine_clock_runs() -> None:
    assert process_clock({}) is system_clock


def test_a_pinned_clock_starts_at_the_moment_and_moves_on() -> None:
    start = datetime(2028, 2, 29, 18, 30, tzinfo=NOUMEA)
    clock = process_clock({TEST_CLOCK_VARIABLE: start.isoformat()})
    first = clock()
    assert start <= first < start + timedelta(seconds=5)
    assert clock() >= first


@pytest.mark.parametrize("value", ["demain", "2026-11-23", "2026-11-23T07:30:00"])
def test_a_malformed_or_zoneless_moment_is_refused_in_french(value: str) -> None:
    with pytest.raises(UsageError) as refused:
        process_clock({TEST_CLOCK_VARIABLE: value})
    assert f"« {value} »" in refused.value.message and "réservée aux tests" in refused.value.message


def test_a_child_process_plans_on_the_pinned_day(tmp_path: Path) -> None:
    config = make_service(tmp_path)
    days = {}
    for moment in (datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA), datetime(2027, 6, 15, 9, 0, tzinfo=NOUMEA)):
        done = subprocess.run([sys.executable, str(PROJECT / "run.py"), "--config", str(config), "status"],
                              capture_output=True, text=True, timeout=120, env=child_env(moment))
        assert done.returncode == 0, done.stderr
        days[moment.date()] = done.stdout
    # the same registers seen on two days: in November the sessions ahead are listed, in June 2027 none is
    november, june = days.values()
    assert "Aucune séance" not in november and "Aucune séance" in june, (november, june)


def test_the_suite_says_at_once_what_to_install(tmp_path: Path) -> None:
    # a PATH holding only Python: no LibreOffice, no Chromium, no pdftotext
    bare = tmp_path / "bin"
    bare.mkdir()
    (bare / "python3").symlink_to(sys.executable)
    env = {**os.environ, "PATH": str(bare)}
    done = subprocess.run([str(bare / "python3"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/registers/test_types.py"], cwd=PROJECT, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 4
    said = done.stdout + done.stderr
    assert "Il manque des programmes que les tests utilisent pour de vrai" in said
    assert "libreoffice-writer-nogui, chromium, poppler-utils" in said and "bash .ci/run" in said
    assert "passed" not in said and "assert None" not in said
