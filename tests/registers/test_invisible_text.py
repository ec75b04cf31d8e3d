"""Line breaks, invisible characters and runaway lengths in text cells: folded, removed or refused on reading."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from automations.registers.findings import Severity
from automations.registers.mapping import load_mapping
from automations.registers.reader import read_registers
from automations.registers.types import LineType, TextType, text_notice

MAPPING = """
name = "Test"
[registers.sessions]
files = ["Planning.xlsx"]
key = ["committee", "date"]
[registers.sessions.fields]
committee = { headers = ["Instance"], type = "text", required = true }
date = { headers = ["Date"], type = "date", required = true }
chair = { headers = ["Président(e)"], type = "text" }
agenda = { headers = ["Ordre du jour"], type = "text" }
"""
DAY = date(2026, 12, 14)


@pytest.fixture
def read(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "map.toml").write_text(MAPPING, encoding="utf-8")
    mapping = load_mapping(tmp_path / "map.toml")

    def reading(committee: str, chair: str = "Mme la présidente",  # type: ignore[no-untyped-def]
                agenda: str = "Examen des dossiers"):
        wb = openpyxl.Workbook()
        wb.active.append(["Instance", "Date", "Président(e)", "Ordre du jour"])
        wb.active.append([committee, DAY, chair, agenda])
        wb.save(tmp_path / "Planning.xlsx")
        return read_registers(mapping, tmp_path)
    return reading


def test_a_line_break_in_a_name_becomes_a_space_and_staff_are_told(read) -> None:
    registers = read("Commission A", chair="Mme\nla présidente")
    [record] = registers.of("sessions")
    assert record.values["chair"] == "Mme la présidente"
    [finding] = registers.findings
    assert finding.severity is Severity.WARNING
    assert finding.describe() == ("« Planning.xlsx », feuille « Sheet », ligne 2, colonne « Président(e) » "
                                  "(valeur « Mme la présidente ») : saut de ligne (Alt+Entrée) remplacé par une espace")


def test_an_agenda_keeps_its_lines(read) -> None:
    registers = read("Commission A", agenda="Examen des dossiers\nPoint budgétaire")
    assert registers.findings == []
    assert registers.of("sessions")[0].values["agenda"] == "Examen des dossiers\nPoint budgétaire"


def test_a_plain_line_break_in_a_key_is_folded_as_in_a_name(read) -> None:
    # the write-back compares cells with their spaces collapsed: the row is still found
    registers = read("Commission\nA")
    assert registers.of("sessions")[0].values["committee"] == "Commission A"
    assert [f.severity for f in registers.findings] == [Severity.WARNING]


def test_an_invisible_character_in_a_key_leaves_the_row_out(read) -> None:
    registers = read("Commission \u202eA")
    assert registers.of("sessions") == []
    [finding] = registers.findings
    assert finding.severity is Severity.ERROR and (finding.row, finding.column) == (2, "Instance")
    assert finding.reason == ("caractère invisible (U+202E) dans une colonne qui identifie la ligne : "
                              "retapez la valeur ; la ligne est écartée")


def test_an_invisible_character_elsewhere_is_removed_and_staff_are_told(read) -> None:
    # a right-to-left override would show the name backwards in a letter
    registers = read("Commission A", chair="Mme \u202eXOWIE\u202c")
    assert registers.of("sessions")[0].values["chair"] == "Mme XOWIE"
    [finding] = registers.findings
    assert finding.severity is Severity.WARNING
    assert finding.reason == "caractères invisibles (U+202E, U+202C) retirés"


def test_a_runaway_key_is_refused_and_a_runaway_name_is_kept_with_a_warning(read) -> None:
    registers = read("C" * 300)
    assert registers.of("sessions") == []
    assert registers.findings[0].reason.startswith("texte de 300 caractères dans une colonne qui identifie la ligne")
    registers = read("Commission A", chair="M" * 5000)
    assert registers.of("sessions")[0].values["chair"] == "M" * 5000
    assert registers.findings[0].reason == ("texte de 5 000 caractères, anormalement long : vérifiez la cellule ; "
                                            "les en-têtes des e-mails n'en gardent que le début")


@pytest.mark.parametrize("raw", ["Malia\nTROLUE", "Malia\r\nTROLUE", "Malia\vTROLUE", "Malia\u2028TROLUE",
                                 "Malia\tTROLUE", "Malia \x1b]0;x\x07TROLUE", "Malia\x85TROLUE"])
def test_one_line_text_never_keeps_a_line_break_nor_a_control(raw: str) -> None:
    converted = LineType().convert(raw)
    assert converted in ("Malia TROLUE", "Malia ]0;xTROLUE")
    assert not any(c in converted for c in "\n\r\v\x1b\x07\x85\u2028")


def test_multi_line_text_keeps_line_breaks_but_not_controls() -> None:
    assert TextType().convert("Ligne 1\nLigne 2\x1b[2J") == "Ligne 1\nLigne 2[2J"


def test_printable_text_has_nothing_to_say() -> None:
    assert text_notice("Gaëlle WAHEO\xa0", "Gaëlle WAHEO", one_line=True, key=True) is None
