"""``python -m bench --quick`` runs scenarios end to end on tiny sizes and prints its French table."""

from __future__ import annotations

import re
import subprocess
import sys

from .conftest import PROJECT


def test_the_bench_measures_both_ways_and_prints_the_table() -> None:
    # three scenarios keep the test short; « python -m bench --quick » runs them all the same way
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "lecture", "tick", "courriers"], cwd=PROJECT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("scénario"))
    assert re.split(r"\s{2,}", lines[head]) == ["scénario", "naïf", "outil", "rapport", "mémoire max", "objectif"]
    rows = {re.split(r"\s{2,}", line)[0]: re.split(r"\s{2,}", line)[1:] for line in lines[head + 2:] if line}
    for label in ("lecture 200 lignes × 20 colonnes", "lecture 2\u202f000 lignes × 20 colonnes",
                  "tick à vide, registres de 2\u202f000 lignes", "20 convocations (docx)"):
        naive, tool, ratio, memory, *_ = rows[label]
        assert re.fullmatch(r"\d+,\d+ s", naive) and re.fullmatch(r"\d+,\d+ s", tool), rows[label]
        assert re.fullmatch(r"\d+,\d×", ratio) and re.fullmatch(r"\d+ Mo", memory), rows[label]
        assert 20 < int(memory.split()[0]) < 2000  # a child's own peak, interpreter included
    assert "outil : 2\u202f000 lignes lues, 193 constats" in done.stdout
    # the mapped reading beside calamine's bare parse of the same sheet
    naive, tool, ratio, *_ = rows["lecture 2\u202f000 lignes : correspondance / calamine seul"]
    assert re.fullmatch(r"\d+,\d+ s", naive) and re.fullmatch(r"\d+,\d+ s", tool)
    assert "naif : 2\u202f000 lignes, sans types ni constats" in done.stdout
    assert "mode rapide" in done.stdout
