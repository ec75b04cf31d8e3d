"""``python -m bench [SCÉNARIO ...] [--quick]``: every scenario against its naive counterpart, in one table.

Each step runs in a child process of its own (``python -m bench --child KEY
STEP``): the data are generated first (registers of 5,000 and 50,000 rows over
several years, letters, a follow-up session), then each way of the scenario is
measured, then the two results may be compared. Times are measured inside the
child, around the work only; the peak memory is the child's maximum resident
set size, read by the parent with ``os.wait4`` (``ru_maxrss``), so it counts
the interpreter and its imports too. The parent imports nothing of the project.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from automations.french import plural

from .cases import FINISHED, PREPARED, WAYS, Case, Measure, cases

PROJECT = Path(__file__).resolve().parents[1]
SCENARIOS = ("lecture", "tick", "courriers", "pdf", "exchange", "rapport", "suites", "cache")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Mesures : chaque scénario, sa façon "
                                     "naïve et celle de l'outil, dans un même passage.")
    parser.add_argument("scenarios", nargs="*", metavar="SCÉNARIO", help=f"au choix : {', '.join(SCENARIOS)} "
                        "(par défaut : tous)")
    parser.add_argument("--quick", "--rapide", action="store_true", help="petites tailles, pour vérifier que tout marche")
    parser.add_argument("--data", type=Path, default=None, help="dossier des données générées (gardé ensuite)")
    parser.add_argument("--child", nargs=2, metavar=("CAS", "ÉTAPE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = [s for s in args.scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(f"scénario inconnu : {', '.join(unknown)} (au choix : {', '.join(SCENARIOS)})")
    if args.child:
        return _child(args.child[0], args.child[1], args.data, args.quick)
    chosen = [c for c in cases(args.quick) if not args.scenarios or c.scenario in args.scenarios]
    data = args.data or Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        rows = [_run_case(case, data, args.quick) for case in chosen]
    finally:
        if args.data is None:
            shutil.rmtree(data, ignore_errors=True)
    _print_table(rows, args.quick)
    return 0 if all(row[-1] != "✗" for row in rows) else 1


def _run_case(case: Case, data: Path, quick: bool) -> list[str]:
    print(f"… {case.label}", file=sys.stderr, flush=True)
    details = [_in_child(case, "prepare", data, quick)[0].detail] if case.scenario in PREPARED else []
    measured: dict[str, tuple[Measure, float | None]] = {}
    for way in WAYS:
        measured[way] = _in_child(case, way, data, quick)
    if case.scenario in FINISHED:
        details.append(_in_child(case, "finish", data, quick)[0].detail)
    (naive, _), (tool, peak) = measured["naif"], measured["outil"]
    details += [f"{way} : {m.detail}" for way, (m, _) in measured.items() if m.detail]
    ratio = naive.value / tool.value if tool.value else float("inf")
    judged = "" if quick or case.met is None or not case.goal else ("✓" if case.met(naive, tool, peak) else "✗")
    return [case.label, _value(naive), _value(tool), _decimal(f"{ratio:.1f}×"),
            f"{peak:.0f} Mo" if peak is not None else "n/d", case.goal, "; ".join(d for d in details if d), judged]


def _in_child(case: Case, step: str, data: Path, quick: bool) -> tuple[Measure, float | None]:
    """The child's result and its peak memory in MB."""
    command = [sys.executable, "-m", "bench", "--child", case.key, step, "--data", str(data)] + (["--quick"] if quick else [])
    process = subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    peak: float | None = None
    if hasattr(os, "wait4"):  # the child's own rusage: its peak, not the largest of all children so far
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    else:
        process.wait()
    if process.returncode != 0:
        raise SystemExit(f"{case.label} ({step}) a échoué :\n{output}")
    result = json.loads(output.strip().splitlines()[-1])
    return Measure(**result), peak


def _child(key: str, step: str, data: Path | None, quick: bool) -> int:
    from .scenarios import finish, measure, prepare

    case = next(c for c in cases(quick) if c.key == key)
    assert data is not None
    if step in WAYS:
        result = measure(case, step, data)
    else:
        result = Measure(0, "", (prepare if step == "prepare" else finish)(case, data))
    print(json.dumps({"value": result.value, "unit": result.unit, "detail": result.detail, "extra": result.extra}))
    return 0


def _value(m: Measure) -> str:
    if m.unit != "s":
        return f"{m.value:.0f} {m.unit}"
    digits = 1 if m.value >= 10 else 2 if m.value >= 1 else 3
    return _decimal(f"{m.value:.{digits}f} s")


def _decimal(text: str) -> str:
    return text.replace(".", ",")


def _print_table(rows: list[list[str]], quick: bool) -> None:
    heads = ["scénario", "naïf", "outil", "rapport", "mémoire max", "objectif", ""]
    table = [heads] + [row[:6] + [row[7]] for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(heads))]
    print(f"Mesures du {time.strftime('%d/%m/%Y %H:%M')} — {plural(os.cpu_count() or 1, 'processeur', 'processeurs')}, Python "
          f"{platform.python_version()}{' — mode rapide : petites tailles, objectifs non jugés' if quick else ''}")
    print()
    for index, row in enumerate(table):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:5], widths[1:5])]
        print("  ".join(cells + [row[5].ljust(widths[5]), row[6]]).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths[:6]))
    print()
    print("mémoire max : pic de mémoire résidente (RSS) du processus enfant de l'outil, interpréteur compris "
          "(os.wait4, ru_maxrss).")
    for row in rows:
        if row[6]:
            print(f"  {row[0]} : {row[6]}")


if __name__ == "__main__":
    sys.exit(main())
