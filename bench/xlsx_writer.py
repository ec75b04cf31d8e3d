"""``python -m bench.xlsx_writer [--lignes N]``: 50 cells written into a 200,000-row register.

The surgical writer alone (``registers/xlsx_writer``), then the whole
write-back as a run does it (``registers/writeback.apply_writes``: each row
found again by its name, a backup, an atomic replace), against openpyxl's load
and save, in the same run, each in a child process of its own: the time is
measured inside the child around the write only, the peak memory is the
child's maximum resident set size read with ``os.wait4`` (interpreter and
imports included). The register is generated once: a header, then rows of a
name, a date, an amount, a formula with its cached result and a status.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
CELLS = 50
TARGETS = {"mémoire": 200.0, "rapport": 10.0}


def _rows(count: int) -> Iterator[bytes]:
    yield (b'<row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c><c r="B1" t="inlineStr"><is><t>Date</t>'
           b'</is></c><c r="C1" t="inlineStr"><is><t>Montant</t></is></c><c r="D1" t="inlineStr"><is><t>Double'
           b'</t></is></c><c r="E1" t="inlineStr"><is><t>Statut</t></is></c></row>')
    for r in range(2, count + 2):
        yield (b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>Demandeur %d</t></is></c><c r="B%d" s="1"><v>%d</v>'
               b'</c><c r="C%d"><v>%d</v></c><c r="D%d"><f>C%d*2</f><v>%d</v></c><c r="E%d" t="inlineStr"><is>'
               b"<t>en cours</t></is></c></row>" % (r, r, r, r, 45000 + r % 3000, r, r * 10, r, r, r * 20, r))


def generate(path: Path, count: int) -> None:
    """A register of ``count`` rows: an openpyxl workbook whose sheet is replaced by generated XML."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Demandes"
    wb.active["B2"].number_format = "DD/MM/YYYY"  # puts a date style at index 1
    shell = path.with_suffix(".shell.xlsx")
    wb.save(shell)
    with zipfile.ZipFile(shell) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, source.read(info))
                continue
            with out.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="'
                            b'http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:E%d"/>'
                            b"<sheetData>" % (count + 1))
                batch: list[bytes] = []
                for row in _rows(count):
                    batch.append(row)
                    if len(batch) == 10_000:
                        sheet.write(b"".join(batch))
                        batch.clear()
                sheet.write(b"".join(batch) + b"</sheetData></worksheet>")
    shell.unlink()


def _targets(count: int) -> dict[tuple[int, int], str]:
    step = max(1, count // CELLS)
    return {(2 + i * step, 5): f"accordé le {i + 1}" for i in range(CELLS)}


def child(way: str, source: Path, target: Path, count: int) -> None:
    cells = _targets(count)
    if way == "outil":
        from automations.registers.xlsx_writer import write_cells

        start = time.perf_counter()
        write_cells(source, target, "Demandes", cells)
    elif way == "report":
        from datetime import datetime

        from automations.registers.writeback import CellWrite, apply_writes

        # the whole write-back as a run does it: each row found again by its name, a backup, an atomic replace
        writes = [CellWrite("Demandes", 1, row, (("Nom", f"Demandeur {row}"),), "Statut", value)
                  for (row, _), value in cells.items()]
        shutil.copyfile(source, target)
        start = time.perf_counter()
        outcome = apply_writes(target, writes, backup_dir=target.parent / "sauvegardes", now=datetime(2026, 12, 3))
        if outcome.not_found:
            raise SystemExit(f"non écrit : {outcome.not_found[0]}")
    else:
        from openpyxl import load_workbook

        start = time.perf_counter()
        wb = load_workbook(source)
        for (row, column), value in cells.items():
            wb["Demandes"].cell(row, column, value)
        wb.save(target)
    print(json.dumps({"seconds": time.perf_counter() - start}))


def _measure(way: str, source: Path, target: Path, count: int) -> tuple[float, float]:
    command = [sys.executable, "-m", "bench.xlsx_writer", "--child", way, str(source), str(target),
               "--lignes", str(count)]
    process = subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{way} a échoué :\n{output}")
    return json.loads(output.strip().splitlines()[-1])["seconds"], usage.ru_maxrss / 1024


def _check(target: Path, count: int) -> None:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_name("Demandes").to_python()
    for (row, column), value in _targets(count).items():
        if rows[row - 1][column - 1] != value or rows[row - 1][3] != (row * 20):
            raise SystemExit(f"ligne {row} : valeur écrite ou résultat de formule absent")


def _fr(number: float, decimals: int) -> str:
    return f"{number:.{decimals}f}".replace(".", ",")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.xlsx_writer", description="50 cellules écrites dans un "
                                     "registre : l'écriture ciblée contre openpyxl (chargement et enregistrement).")
    parser.add_argument("--lignes", type=int, default=200_000, help="lignes du registre (200 000 par défaut)")
    parser.add_argument("--child", nargs=3, metavar=("FAÇON", "SOURCE", "CIBLE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]), args.lignes)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-xlsx-") as folder:
        source = Path(folder) / "registre.xlsx"
        generate(source, args.lignes)
        print(f"registre : {args.lignes:_} lignes, {_fr(source.stat().st_size / 1e6, 1)} Mo".replace("_", " "))
        tool = _measure("outil", source, Path(folder) / "outil.xlsx", args.lignes)
        _check(Path(folder) / "outil.xlsx", args.lignes)
        report = _measure("report", source, Path(folder) / "report.xlsx", args.lignes)
        _check(Path(folder) / "report.xlsx", args.lignes)
        naive = _measure("openpyxl", source, Path(folder) / "openpyxl.xlsx", args.lignes)
    print(f"{'façon':<10} {'durée':>10} {'mémoire max':>12}")
    for way, (seconds, peak) in (("outil", tool), ("report", report), ("openpyxl", naive)):
        print(f"{way:<10} {_fr(seconds, 2):>8} s {_fr(peak, 0):>9} Mo")
    print("(outil : l'écriture seule ; report : l'écriture du suivi entière, lignes retrouvées, sauvegarde comprise)")
    ratio, memory = naive[0] / tool[0], naive[1] / tool[1]
    met = tool[1] <= TARGETS["mémoire"] and ratio >= TARGETS["rapport"]
    print(f"outil : {_fr(ratio, 1)}× plus rapide, {_fr(memory, 1)}× moins de mémoire "
          f"(objectifs : ≤ {TARGETS['mémoire']:.0f} Mo, ≥ {TARGETS['rapport']:.0f}×) {'✓' if met else '✗'}")
    # the whole write-back also reads the sheet (calamine) to find the rows again: its memory stays bounded too
    whole = report[1] <= TARGETS["mémoire"]
    print(f"report : {_fr(naive[0] / report[0], 1)}× plus rapide, {_fr(naive[1] / report[1], 1)}× moins de mémoire "
          f"(objectif : ≤ {TARGETS['mémoire']:.0f} Mo) {'✓' if whole else '✗'}")
    met = met and whole
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
