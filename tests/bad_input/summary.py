"""The figure of the corpus: ``python -m tests.bad_input.summary`` runs every case and prints, per kind of
bad input, the cases tried and those handled with the right message (and mails, exit codes, registers)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from . import cases_cells, cases_files, cases_keys, cases_layout
from .runner import Case, verify

KINDS = [("Feuilles, colonnes, en-têtes, formules", cases_layout.CASES),
         ("Cellules et lignes", cases_cells.CASES),
         ("Fichiers, classeur ouvert ou changé avant le report", cases_files.CASES),
         ("Texte qui atteint les clés, les en-têtes et le terminal", cases_keys.CASES)]


def handled(case: Case) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        return verify(case, Path(folder) / "service") == []


def main() -> int:
    rows: list[tuple[str, int, int]] = []
    for kind, cases in KINDS:
        good = 0
        for case in cases:
            ok = handled(case)
            good += ok
            print(f"  {'✓' if ok else '✗'} {case.title}", flush=True)
        rows.append((kind, len(cases), good))
    width = max(len(kind) for kind, _, _ in rows) + 2
    print()
    print(f"{'':{width}}cas essayés   traités avec le bon message")
    for kind, tried, good in rows:
        print(f"{kind:{width}}{tried:>11}   {good:>27}")
    tried, good = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'Total':{width}}{tried:>11}   {good:>27}")
    return 0 if good == tried else 1


if __name__ == "__main__":
    sys.exit(main())
