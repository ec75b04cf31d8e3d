"""Appending under a register whose sheet holds a stray value: far below beside it, or on Excel's very last row."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import openpyxl
import pytest

from automations.engine import executor
from automations.engine.executor import RunReport, apply_pending_writes, encode_write
from automations.engine.journal import Journal
from automations.registers.mapping import load_mapping
from automations.registers.reader import read_registers
from automations.errors import UserError
from automations.registers.writeback import CellWrite, apply_writes

from .test_row_append import NOW, SHEET, build, mail

FULL = ("« Courrier départ 2026.xlsx », feuille « Départ » : la dernière ligne d'une feuille Excel (1048576) est "
        "occupée (cellule B1048576, valeur « x ») : aucune ligne ne peut être ajoutée au registre ; effacez cette "
        "cellule, les ajouts attendent le prochain passage.")


def _register(folder: Path, **stray: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "Courrier départ 2026.xlsx"
    build(path)
    wb = openpyxl.load_workbook(path)
    for coordinate, value in stray.items():
        wb[SHEET][coordinate] = value
    wb.save(path)
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("note", ["H1048576", "G500"])
def test_a_note_beside_the_register_does_not_move_the_new_row(tmp_path: Path, note: str) -> None:
    path = _register(tmp_path / "registres", **{note: "à voir"})
    outcome = apply_writes(path, [mail()], backup_dir=tmp_path / "sauvegardes", now=NOW)
    assert outcome.not_found == [] and len(outcome.written) == 1
    ws = openpyxl.load_workbook(path)[SHEET]
    assert ws["B6"].value == "2026-0004" and ws[note].value == "à voir"


def test_a_value_on_excel_last_row_refuses_the_append_and_saves_nothing(tmp_path: Path) -> None:
    path = _register(tmp_path / "registres", B1048576="x")
    before = _digest(path)
    with pytest.raises(UserError) as refused:
        apply_writes(path, [mail()], backup_dir=tmp_path / "sauvegardes", now=NOW)
    assert refused.value.message == FULL
    assert _digest(path) == before and not (tmp_path / "sauvegardes").exists()


def _context(tmp_path: Path) -> SimpleNamespace:
    return SimpleNamespace(now=lambda: NOW, config=SimpleNamespace(
        write_back=SimpleNamespace(enabled=True, keep_backups=5), paths=SimpleNamespace(backups=tmp_path / "b")))


def _planning(folder: Path) -> tuple[Path, CellWrite]:
    path = folder / "Planning.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Planning"
    wb.active.append(["Instance", "Invitations envoyées le"])
    wb.active.append(["Commission A", None])
    wb.save(path)
    return path, CellWrite("Planning", 1, 2, (("Instance", "Commission A"),), "Invitations envoyées le", "23/11/2026")


def test_a_full_register_keeps_its_rows_queued_and_the_next_workbook_is_written(tmp_path: Path) -> None:
    outgoing = _register(tmp_path / "registres", B1048576="x")
    planning, cell = _planning(tmp_path / "registres")
    journal = Journal(tmp_path / "journal.sqlite")
    # the outgoing register comes first, as it does when the follow-ups run before a later invitation
    journal.complete("k", "courrier", "create", 1, "f", {}, "ref", "Courrier", NOW,
                     [(str(outgoing), encode_write(mail())), (str(planning), encode_write(cell))])
    report = RunReport()
    apply_pending_writes(_context(tmp_path), journal, report)  # type: ignore[arg-type]
    assert report.write_problems == [FULL] and report.written == 1
    assert openpyxl.load_workbook(planning)["Planning"]["B2"].value == "23/11/2026"
    assert [Path(w[1]).name for w in journal.pending_writes()] == ["Courrier départ 2026.xlsx"]
    # staff clear the cell: the next run appends the row under the data
    wb = openpyxl.load_workbook(outgoing)
    wb[SHEET]["B1048576"] = None
    wb.save(outgoing)
    apply_pending_writes(_context(tmp_path), journal, RunReport())  # type: ignore[arg-type]
    assert journal.pending_writes() == [] and openpyxl.load_workbook(outgoing)[SHEET]["B6"].value == "2026-0004"
    journal.close()


def test_an_unforeseen_error_in_one_workbook_leaves_the_others_written(tmp_path: Path) -> None:
    outgoing = _register(tmp_path / "registres")
    planning, cell = _planning(tmp_path / "registres")
    journal = Journal(tmp_path / "journal.sqlite")
    journal.complete("k", "courrier", "create", 1, "f", {}, "ref", "Courrier", NOW,
                     [(str(outgoing), encode_write(mail())), (str(planning), encode_write(cell))])
    real = executor.apply_writes

    def broken_for_outgoing(path: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if path == outgoing:
            raise RuntimeError("panne imprévue")
        return real(path, *args, **kwargs)

    report = RunReport()
    with mock.patch.object(executor, "apply_writes", broken_for_outgoing):
        apply_pending_writes(_context(tmp_path), journal, report)  # type: ignore[arg-type]
    assert report.write_problems == ["« Courrier départ 2026.xlsx » : erreur inattendue pendant le report "
                                     "(RuntimeError : panne imprévue) ; les valeurs attendent le prochain passage."]
    assert openpyxl.load_workbook(planning)["Planning"]["B2"].value == "23/11/2026"
    assert [Path(w[1]).name for w in journal.pending_writes()] == ["Courrier départ 2026.xlsx"]
    journal.close()


OUTGOING_MAPPING = """
[registers.mail_out]
files = ["Courrier départ *.xlsx"]
sheets = ["Départ"]

[registers.mail_out.fields]
date = { headers = ["Date"], type = "date", required = true }
number = { headers = ["N°"], type = "text", required = true }
subject = { headers = ["Objet"], type = "text" }
"""


@pytest.mark.parametrize(("stray", "found"), [
    ("D1048576", ["« Courrier départ 2026.xlsx », feuille « Départ », ligne 1048576, colonne « Objet » (valeur « x ») : "
                  "la dernière ligne d'une feuille Excel est occupée : l'outil ne peut plus ajouter de ligne à ce "
                  "registre (courrier départ) ; effacez cette cellule (Ctrl+Fin y mène)"]),
    ("H1048576", []),  # beside the register's columns: the rows still go under the data
])
def test_check_says_when_the_register_cannot_take_a_row(tmp_path: Path, stray: str, found: list[str]) -> None:
    _register(tmp_path / "registres", **{stray: "x"})
    (tmp_path / "correspondance.toml").write_text(OUTGOING_MAPPING, encoding="utf-8")
    registers = read_registers(load_mapping(tmp_path / "correspondance.toml"), tmp_path / "registres")
    described = [f.describe() for f in registers.findings if "dernière ligne" in f.reason]
    assert described == found
    assert len(registers.of("mail_out")) == 3
