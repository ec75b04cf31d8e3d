"""A date or duration cell holding a number no date can be: read as that number, with nothing on stderr."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from automations.registers.mapping import load_mapping
from automations.registers.reader import read_registers

MAPPING = """
[registers.sessions]
files = ["Planning*.xlsx"]
sheets = ["Planning"]

[registers.sessions.fields]
committee = { headers = ["Instance"], type = "text", required = true }
date = { headers = ["Date"], type = "date", required = true }
duration_hours = { headers = ["Durée (h)"], type = "number" }
"""


@pytest.mark.parametrize(("column", "value", "number_format", "why"), [
    # calamine panics in Rust (its message printed on stderr), then raises a BaseException
    ("B", -1e12, "DD/MM/YYYY", "« Date » (valeur « -1000000000000.0 ») : date illisible (attendu JJ/MM/AAAA)"),
    # calamine's timedelta overflows
    ("C", 1e9, "[h]:mm", "« Durée (h) » (valeur « 1000000000.0 ») : durée d'une séance hors plage "
                         "(attendu : plus de 0 et au plus 24 h)"),
])
def test_a_number_no_date_can_be_is_a_finding(tmp_path: Path, capfd: pytest.CaptureFixture[str], column: str,
                                              value: float, number_format: str, why: str) -> None:
    (tmp_path / "correspondance.toml").write_text(MAPPING, encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Planning"
    for row in (["Instance", "Date", "Durée (h)"], ["A", date(2026, 12, 3), 2], ["B", date(2026, 12, 10), 2]):
        ws.append(row)
    ws[f"{column}3"] = value
    ws[f"{column}3"].number_format = number_format
    wb.save(tmp_path / "Planning.xlsx")
    registers = read_registers(load_mapping(tmp_path / "correspondance.toml"), tmp_path)
    assert [r.get("committee") for r in registers.of("sessions")] == ["A"]
    assert [f.describe() for f in registers.findings] == [f"« Planning.xlsx », feuille « Planning », ligne 3, colonne {why}"]
    assert "panicked" not in capfd.readouterr().err
