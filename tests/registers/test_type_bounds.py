"""Bounds of the numeric register types: an absurd number is a French reason, never an overflow further on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from automations.registers.mapping import load_mapping
from automations.registers.reader import read_registers
from automations.registers.types import AmountType, ConversionError, FieldType, IntegerType, NumberType, Range, make_type

HUGE_AMOUNT = "montant démesuré (au plus 1 000 000 000 000 F CFP) : vérifiez la saisie"
HUGE_NUMBER = "nombre démesuré (au plus 1 000 000 000 000 en valeur absolue) : vérifiez la saisie"
SESSION = Range(0, 24, min_open=True, unit=" h", what="durée d'une séance")


def reason(field_type: FieldType, value: Any) -> str:
    with pytest.raises(ConversionError) as caught:
        field_type.convert(value)
    return caught.value.reason


@pytest.mark.parametrize("raw", [1e308, 2e12, 10 ** 400, "1 000 000 000 001", "9" * 5000, 1e12 + 1])
def test_an_implausible_amount_is_refused(raw: Any) -> None:
    assert reason(AmountType(), raw) == HUGE_AMOUNT


@pytest.mark.parametrize(("raw", "expected"), [(1e12, 10 ** 12), ("1 000 000 000 000 F CFP", 10 ** 12), (0.0, 0)])
def test_amounts_up_to_the_bound_are_read(raw: Any, expected: int) -> None:
    assert AmountType().convert(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [(-5.0, "montant négatif"), ("-" + "9" * 5000, "montant négatif"),
                                               (float("nan"), "montant illisible (attendu par exemple 125 000)"),
                                               (float("-inf"), "montant illisible (attendu par exemple 125 000)")])
def test_negative_and_non_numbers_are_refused(raw: Any, expected: str) -> None:
    assert reason(AmountType(), raw) == expected


@pytest.mark.parametrize("field_type", [NumberType(), IntegerType()])
@pytest.mark.parametrize("raw", [1e13, -1e13, 10 ** 400, "99 999 999 999 999"])
def test_an_implausible_number_is_refused(field_type: FieldType, raw: Any) -> None:
    assert reason(field_type, raw) == HUGE_NUMBER


@pytest.mark.parametrize("raw", [1_000_000, 1e8, 24.5, 0, -2, "1e12"])
def test_a_session_lasts_more_than_nothing_and_at_most_a_day(raw: Any) -> None:
    duration = make_type("number", bounds=SESSION)
    expected = ("nombre attendu (par exemple 2,5)" if isinstance(raw, str)
                else "durée d'une séance hors plage (attendu : plus de 0 et au plus 24 h)")
    assert reason(duration, raw) == expected


def test_bounds_are_inclusive_where_they_say_so() -> None:
    duration = make_type("number", bounds=SESSION)
    assert duration.convert(24) == 24 and duration.convert("0,5") == 0.5
    days = make_type("integer", bounds=Range(0, 365, unit=" jours", what="délai"))
    assert days.convert(0) == 0 and days.convert(365.0) == 365
    assert reason(days, 366) == "délai hors plage (attendu : de 0 à 365 jours)"
    assert reason(make_type("integer", bounds=Range(0, what="nombre")), -1) == "nombre hors plage (attendu : au moins 0)"
    with pytest.raises(ValueError):
        make_type("date", bounds=SESSION)


def test_the_mapping_bounds_what_the_code_computes_with(tmp_path: Path) -> None:
    mapping_file = tmp_path / "correspondance.toml"
    mapping_file.write_text("""
[registers.committees]
files = ["Planning*.xlsx"]
sheets = ["Instances"]

[registers.committees.fields]
name = { headers = ["Instance"], type = "text", required = true }
invitation_days = { headers = ["Délai"], type = "integer" }
duration_hours = { headers = ["Durée (h)"], type = "number" }
quorum = { headers = ["Quorum"], type = "integer" }
""", encoding="utf-8")
    wb = openpyxl.Workbook()
    wb.active.title = "Instances"
    for row in (["Instance", "Délai", "Durée (h)", "Quorum"], ["A", 15, 2, 3], ["B", 1e9, 2, 3], ["C", 15, 1e8, 3],
                ["D", 15, 2, -1]):
        wb.active.append(row)
    wb.save(tmp_path / "Planning.xlsx")
    registers = read_registers(load_mapping(mapping_file), tmp_path)
    assert [r.get("name") for r in registers.of("committees")] == ["A"]
    assert [f.describe() for f in registers.findings] == [
        "« Planning.xlsx », feuille « Instances », ligne 3, colonne « Délai » (valeur « 1000000000.0 ») : "
        "délai hors plage (attendu : de 0 à 365 jours)",
        "« Planning.xlsx », feuille « Instances », ligne 4, colonne « Durée (h) » (valeur « 100000000.0 ») : "
        "durée d'une séance hors plage (attendu : plus de 0 et au plus 24 h)",
        "« Planning.xlsx », feuille « Instances », ligne 5, colonne « Quorum » (valeur « -1.0 ») : "
        "nombre hors plage (attendu : au moins 0)"]
