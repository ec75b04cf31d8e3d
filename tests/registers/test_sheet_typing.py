"""Typing a sheet column by column gives what typing it row after row gives: values, findings and their order.

The reference below is the plain reading of a sheet, one row then one cell after the other, as staff would
check it by hand. The column-wise typing converts each distinct value of a column once; these rows are
built to catch what that could get wrong: values equal across types (True, 1, 1.0, "1"), a value that is
refused in one column and read in another, blank rows between filled ones, rows shorter than others,
uncomputed formulas and formula errors, whitespace cells, invisible characters and long texts, an
address kept without, a required cell missing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from automations.registers.findings import Finding, Severity
from automations.registers.mapping import RegisterSpec, load_mapping
from automations.registers.sheet_typing import FieldPlan, FormulaError, is_blank, plan_fields, typed_rows
from automations.registers.types import LONG_TEXT, ConversionError, text_notice

MAPPING = """
name = "Test"
[registers.applications]
files = ["Demandes.xlsx"]
key = ["number"]
[registers.applications.fields]
number = { headers = ["N°"], type = "text", required = true }
last_name = { headers = ["Nom"], type = "text", required = true }
filed_on = { headers = ["Déposé le"], type = "date", required = true }
amount_asked = { headers = ["Montant"], type = "amount" }
email = { headers = ["Courriel"], type = "email" }
decision = { headers = ["Décision"], type = "choice", choices = { accord = ["Accord"], refus = ["Refus"] } }
notes = { headers = ["Observations"], type = "text" }
commune = { headers = ["Colonne absente"], type = "text", default = "rien" }
[registers.applications.own_fields]
personnes = { headers = ["Personnes"], type = "integer" }
duree = { headers = ["Durée"], type = "number" }
heure = { headers = ["Heure"], type = "time" }
urgent = { headers = ["Urgent"], type = "bool" }
"""
HEADER = ["N°", "Nom", "Déposé le", "Montant", "Courriel", "Décision", "Observations", "Personnes", "Durée", "Heure",
          "Urgent"]

# Values each cell may hold, every column drawing from all of them: types equal to each other across
# Python's numbers, values one type refuses and another reads, and what staff leave in cells.
POOL: list[Any] = [
    None, "", "   ", "\t", True, False, 1, 1.0, 0, 0.0, "1", "0", 2, 2.5, -3, 125000.0, "125 000 F", "1 000,50",
    date(2026, 3, 4), datetime(2026, 3, 4, 0, 0), datetime(2026, 3, 4, 8, 30), "04/03/2026", "4 mars 2026",
    time(8, 30), timedelta(hours=2), 0.354166, "8h30", "oui", "non", "x", "Accord", "accord ", "REFUS", "Ajourné",
    "marie@mail.nc", "Marie@Mail.NC", "pas d'adresse", "a@b;c@d", "Dupont", "Dupont\nJean", "Jean\u200bPaul",
    "Ma\u202frie", "x" * (LONG_TEXT + 5), FormulaError(""), FormulaError("#REF!"), float("inf"), 1e13, "DEL-1",
]

GOOD: list[list[Any]] = [
    ["DEL-1", "DEL-2", "DEL-3", 12.0, "DEL-4"], ["Dupont", "Wamytan", "Ma\u202frie", True], [date(2026, 3, 4), "04/03/2026"],
    [125000.0, "125 000 F", 1, None], ["marie@mail.nc", None, "Marie@Mail.NC"], ["Accord", "accord ", "REFUS", None],
    ["RAS", None, "Dupont\nJean"], [1, 2.0, "3", None], [1.5, "2,5", 3, None], [time(8, 30), "9h", 0.5, None],
    ["oui", "non", True, None],
]


def reference_rows(fields: list[FieldPlan], rows: list[list[Any]], first: int, file: str, sheet: str,
                   findings: list[Finding]) -> list[tuple[int, dict[str, Any]]]:
    """Row after row, cell after cell."""
    indices = [f.index for f in fields if f.index is not None]
    result = []
    for index in range(first, len(rows)):
        row = rows[index]
        width = len(row)
        if all(is_blank(row[i]) for i in indices if i < width):
            continue
        values: dict[str, Any] = {}
        ok = True
        for f in fields:
            if f.is_constant:
                values[f.name] = f.constant
                continue
            raw = row[f.index] if f.index is not None and f.index < width else None
            if isinstance(raw, FormulaError):
                findings.append(Finding(file, sheet, index + 1, f.column, raw.code or None, raw.reason))
                ok = False
                values[f.name] = None
                continue
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if f.required:
                    findings.append(Finding(file, sheet, index + 1, f.column, None, "valeur obligatoire manquante"))
                    ok = False
                values[f.name] = f.default
                continue
            try:
                values[f.name] = f.convert(raw)
            except ConversionError as exc:
                if f.kept_without:
                    findings.append(Finding(file, sheet, index + 1, f.column, raw, f"{exc.reason} ; {f.kept_without}",
                                            Severity.WARNING))
                    values[f.name] = f.default
                else:
                    findings.append(Finding(file, sheet, index + 1, f.column, raw, exc.reason))
                    ok = False
                continue
            if f.text and isinstance(raw, str) and (len(raw) > LONG_TEXT or not raw.isprintable()):
                notice = text_notice(raw, values[f.name], one_line=f.one_line, key=f.key)
                if notice is not None:
                    reason, leaves_out = notice
                    findings.append(Finding(file, sheet, index + 1, f.column, raw if leaves_out else values[f.name],
                                            reason, Severity.ERROR if leaves_out else Severity.WARNING))
                    ok = ok and not leaves_out
        if ok:
            result.append((index, values))
    return result


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> RegisterSpec:
    folder = tmp_path_factory.mktemp("typing")
    (folder / "map.toml").write_text(MAPPING, encoding="utf-8")
    return load_mapping(folder / "map.toml").registers["applications"]


def fields_of(spec: RegisterSpec) -> list[FieldPlan]:
    columns = {name: HEADER.index(fs.headers[0]) for name, fs in spec.all_fields.items() if fs.headers[0] in HEADER}
    return plan_fields(spec, columns, {name: HEADER[i] for name, i in columns.items()})


def both(spec: RegisterSpec, rows: list[list[Any]]) -> tuple[Any, Any]:
    fields = fields_of(spec)
    expected_findings: list[Finding] = []
    expected = reference_rows(fields, rows, 1, "Demandes.xlsx", "Feuil1", expected_findings)
    findings: list[Finding] = []
    got = typed_rows(fields, rows, 1, "Demandes.xlsx", "Feuil1", findings)
    return (got, findings), (expected, expected_findings)


def typed(value: Any) -> Any:
    """A value and its type: 1 and True are equal, but a row read as True where 1 was typed is wrong."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    return (type(value).__name__, value)


@pytest.mark.parametrize("seed", range(6))
def test_random_sheets_read_the_same_column_by_column_as_row_by_row(spec: RegisterSpec, seed: int) -> None:
    rng = random.Random(seed)
    rows: list[list[Any]] = [HEADER]
    for _ in range(400):
        width = rng.choice([len(HEADER), len(HEADER), len(HEADER) - 3, 2])  # some rows stop early
        if rng.random() < 0.1:
            rows.append([rng.choice([None, "", "  ", FormulaError("")]) for _ in range(width)])  # a blank row
        else:  # mostly what the column expects, often anything at all
            rows.append([rng.choice(GOOD[column]) if rng.random() < 0.85 else rng.choice(POOL)
                         for column in range(width)])
    (got, findings), (expected, expected_findings) = both(spec, rows)
    assert [(i, typed(v)) for i, v in got] == [(i, typed(v)) for i, v in expected]
    assert findings == expected_findings
    assert len(expected) > 20 and len(expected_findings) > 100  # the sheet did exercise both ways


def test_one_and_true_and_one_point_zero_keep_their_own_reading(spec: RegisterSpec) -> None:
    # the same column holds True, 1 and 1.0: a text column reads « oui », « 1 » and « 1 »
    rows = [HEADER] + [[f"DEL-{n}", name, date(2026, 1, 5)] for n, name in enumerate([True, 1, 1.0, "1"])]
    (got, findings), (expected, _) = both(spec, rows)
    assert [values["last_name"] for _, values in got] == ["oui", "1", "1", "1"]
    assert [typed(v) for _, v in got] == [typed(v) for _, v in expected]
    assert findings == []


def test_a_value_refused_on_every_row_it_appears_on(spec: RegisterSpec) -> None:
    rows = [HEADER] + [[f"DEL-{n}", "Dupont", "le 5" if n % 2 else date(2026, 1, 5)] for n in range(6)]
    (got, findings), (expected, expected_findings) = both(spec, rows)
    assert [index for index, _ in got] == [1, 3, 5]
    assert [(f.row, f.column, f.value) for f in findings] == [(3, "Déposé le", "le 5"), (5, "Déposé le", "le 5"),
                                                              (7, "Déposé le", "le 5")]
    assert findings == expected_findings


def test_findings_of_a_row_come_in_the_order_of_its_columns(spec: RegisterSpec) -> None:
    rows = [HEADER, ["DEL-1", None, "bientôt", "beaucoup", "pas d'adresse", None, None, None, None, None, "peut-être"]]
    (_, findings), (_, expected_findings) = both(spec, rows)
    assert [f.column for f in findings] == ["Nom", "Déposé le", "Montant", "Courriel", "Urgent"]
    assert findings == expected_findings


def test_a_sheet_of_blank_rows_reads_nothing(spec: RegisterSpec) -> None:
    rows = [HEADER, [None] * len(HEADER), ["  ", FormulaError("")], []]
    (got, findings), _ = both(spec, rows)
    assert got == [] and findings == []


def test_the_demo_sized_register_reads_the_same(spec: RegisterSpec, tmp_path: Path) -> None:
    # the benches' register: 3,000 rows of what staff type, read both ways
    from bench.data import application_rows

    rng = random.Random(3)
    rows: list[list[Any]] = [HEADER]
    for row in application_rows(2024, 3_000, rng):
        rows.append([row[0], row[2], row[1], row[7], row[16], row[10], row[15], rng.choice([1, 2, "3", 2.0]),
                     rng.choice([1.5, "2,5", 3]), rng.choice([time(8, 30), "9h", 0.5]), rng.choice(["oui", "non", True])])
    (got, findings), (expected, expected_findings) = both(spec, rows)
    assert [(i, typed(v)) for i, v in got] == [(i, typed(v)) for i, v in expected]
    assert findings == expected_findings
    assert len(got) > 1_000 and len(findings) > 1_000
