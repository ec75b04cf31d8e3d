"""Reading registers through a mapping: every kind of finding, and the rest still read."""

from __future__ import annotations

import gc
from datetime import date, time
from pathlib import Path

import openpyxl
import pytest

from automations.errors import ConfigError
from automations.registers.findings import Severity
from automations.registers.mapping import load_mapping
from automations.registers.reader import read_registers

MAPPING = """
name = "Test"
[registers.sessions]
files = ["Planning *.xlsx"]
sheets = ["Planning*"]
header_row = "auto"
key = ["committee", "date"]
[registers.sessions.fields]
committee = { headers = ["Instance"], type = "text", required = true }
date = { headers = ["Date"], type = "date", required = true }
time = { headers = ["Heure"], type = "time" }
invitation_sent_on = { headers = ["Invitations envoyées le"], type = "date", write_back = true }
[registers.sessions.own_fields]
amount = { headers = ["Budget"], type = "amount" }
email = { headers = ["Contact"], type = "email" }
[registers.sessions.fields.status]
headers = ["Statut"]
type = "choice"
default = "prevue"
choices = { prevue = ["Prévue"], tenue = ["Tenue"], annulee = ["Annulée"], reportee = ["Reportée"] }
"""

HEADER = ["Instance", "Date", "Heure", "Budget", "Contact", "Statut", "Invitations envoyées le"]


def workbook(folder: Path, rows: list[list[object]], name: str = "Planning 2026.xlsx",
             sheet: str = "Planning 2026", title_rows: bool = True) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title_rows:
        ws.append(["SERVICE ACCOMPAGNEMENT SOCIAL"])
        ws.append(["Planning des instances"])
        ws.merge_cells("A1:G1")
        ws.append([])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    path = folder / name
    wb.save(path)
    return path


@pytest.fixture
def mapping(tmp_path: Path):
    path = tmp_path / "map.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return load_mapping(path)


def test_values_typed_the_way_staff_type_them(tmp_path: Path, mapping) -> None:
    workbook(tmp_path, [
        ["Commission A", date(2026, 12, 14), "8h30", "125 000 F", "a@b.nc", "Prévue", None],
        ["Commission A", "15/12/2026", "08:30", 35000, None, "Tenue", date(2026, 12, 1)],
        [None, None, None, None, None, None, None],  # an empty row is simply skipped
        ["Commission B", "16 décembre 2026", time(14, 0), "125 000 XPF", None, None, None],
    ])
    registers = read_registers(mapping, tmp_path)
    records = registers.of("sessions")
    assert registers.findings == []
    assert [r.values["date"] for r in records] == [date(2026, 12, 14), date(2026, 12, 15), date(2026, 12, 16)]
    assert [r.values["time"] for r in records] == [time(8, 30), time(8, 30), time(14, 0)]
    assert [r.values["amount"] for r in records] == [125000, 35000, 125000]
    assert [r.values["status"] for r in records] == ["prevue", "tenue", "prevue"]
    first = records[0]
    assert first.source.row == 5 and first.source.header_row == 4
    assert first.identity == (("Instance", "Commission A"), ("Date", first.identity[1][1]))
    assert first.writable == frozenset({"invitation_sent_on"})


def test_each_bad_cell_is_a_finding_and_the_rest_is_read(tmp_path: Path, mapping) -> None:
    path = workbook(tmp_path, [
        ["Commission A", "32/13/2026", "8h30", None, None, "Prévue", None],
        ["Commission A", date(2026, 12, 14), "vers midi", None, None, "Prévue", None],
        ["Commission A", date(2026, 12, 15), "9h", "beaucoup", None, "Prévue", None],
        ["Commission A", date(2026, 12, 16), "9h", None, "pas-une-adresse", None, None],
        ["Commission A", date(2026, 12, 17), "9h", None, None, "Peut-être", None],
        [None, date(2026, 12, 18), "9h", None, None, None, None],
        ["Commission A", date(2026, 12, 19), "9h", None, None, None, None],
    ])
    registers = read_registers(mapping, tmp_path)
    found = {(f.row, f.column): f for f in registers.findings}
    assert set(found) == {(5, "Date"), (6, "Heure"), (7, "Budget"), (8, "Contact"), (9, "Statut"), (10, "Instance")}
    assert found[(5, "Date")].describe() == (
        "« Planning 2026.xlsx », feuille « Planning 2026 », ligne 5, colonne « Date » "
        "(valeur « 32/13/2026 ») : " + found[(5, "Date")].reason)
    assert found[(10, "Instance")].reason == "valeur obligatoire manquante"
    assert "Prévue" in found[(9, "Statut")].reason
    assert all(f.file == str(path) and f.sheet == "Planning 2026" for f in registers.findings)
    # an unusable address is a warning: the row is read without it, every other bad row is left out
    assert found[(8, "Contact")].severity is Severity.WARNING
    assert found[(8, "Contact")].reason.endswith("la ligne est gardée sans adresse e-mail : rien ne partira par "
                                                 "e-mail à cette adresse, les courriers sont préparés pour "
                                                 "l'impression")
    kept = {r.values["date"]: r for r in registers.of("sessions")}
    assert list(kept) == [date(2026, 12, 16), date(2026, 12, 19)] and kept[date(2026, 12, 16)].get("contact") is None


def test_line_typed_twice_and_duplicate_key(tmp_path: Path, mapping) -> None:
    row = ["Commission A", date(2026, 12, 14), "8h30", None, None, "Prévue", None]
    workbook(tmp_path, [row, ["Commission B", date(2026, 12, 14), "9h", None, None, None, None],
                        ["Commission A", date(2026, 12, 14), "14h", None, None, None, None], row])
    registers = read_registers(mapping, tmp_path)
    reasons = {f.row: f.reason for f in registers.findings}
    assert reasons[7] == "doublon : même Instance, Date qu'à la ligne 5 ; cette ligne est ignorée"
    assert reasons[8] == "ligne saisie deux fois : identique à la ligne 5 ; cette ligne est ignorée"
    assert len(registers.of("sessions")) == 2


@pytest.mark.parametrize("other", ["commission   a", "COMMISSION A", "Commission  À"])
def test_a_key_written_with_other_case_spaces_or_accents_is_a_duplicate(tmp_path: Path, mapping, other) -> None:
    # the keys of a column are compared as one (ASCII texts) or one by one (accents, other types)
    day = date(2026, 12, 14)
    workbook(tmp_path, [["Commission A", day, "8h30", None, None, None, None],
                        ["Commission B", day, "9h", None, None, None, None],
                        [other, day, "14h", None, None, None, None]])
    registers = read_registers(mapping, tmp_path)
    assert [r.values["committee"] for r in registers.of("sessions")] == ["Commission A", "Commission B"]
    [finding] = registers.findings
    assert finding.row == 7 and finding.column == "Instance"
    assert finding.reason == "doublon : même Instance, Date qu'à la ligne 5 ; cette ligne est ignorée"


def test_keys_differing_by_a_letter_are_no_duplicates(tmp_path: Path, mapping) -> None:
    day = date(2026, 12, 14)
    workbook(tmp_path, [["Commission A", day, "8h30", None, None, None, None],
                        ["Commission AB", day, "9h", None, None, None, None],
                        ["Commission É", day, "10h", None, None, None, None],
                        ["Commission F", day, "14h", None, None, None, None]])
    registers = read_registers(mapping, tmp_path)
    assert len(registers.of("sessions")) == 4 and not registers.findings


def test_duplicates_across_yearly_workbooks(tmp_path: Path, mapping) -> None:
    row = ["Commission A", date(2026, 1, 14), "8h30", None, None, "Tenue", None]
    workbook(tmp_path, [row], name="Planning 2025.xlsx")
    workbook(tmp_path, [row], name="Planning 2026.xlsx")
    registers = read_registers(mapping, tmp_path)
    assert len(registers.of("sessions")) == 1
    [finding] = registers.findings
    assert finding.file.endswith("Planning 2026.xlsx")
    assert "de « Planning 2025.xlsx », feuille « Planning 2026 »" in finding.reason


def test_header_found_on_first_row_too(tmp_path: Path, mapping) -> None:
    workbook(tmp_path, [["Commission A", date(2026, 12, 14), "8h30", None, None, None, None]], title_rows=False)
    [record] = read_registers(mapping, tmp_path).of("sessions")
    assert record.source.row == 2 and record.source.header_row == 1


def test_missing_required_column_skips_the_sheet(tmp_path: Path, mapping) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Planning"
    wb.active.append(["Instance", "Jour", "Heure"])
    wb.active.append(["Commission A", date(2026, 12, 14), "8h30"])
    wb.save(tmp_path / "Planning 2026.xlsx")
    registers = read_registers(mapping, tmp_path)
    messages = [f.reason for f in registers.findings]
    assert "colonne obligatoire introuvable (en-têtes acceptés : « Date ») : la feuille n'est pas lue" in messages
    warning = [f for f in registers.findings if f.severity is Severity.WARNING]
    assert warning and "colonne de suivi introuvable" in warning[0].reason
    assert registers.of("sessions") == []


def test_no_file_no_sheet_and_not_a_workbook(tmp_path: Path, mapping) -> None:
    [finding] = read_registers(mapping, tmp_path).findings
    assert "aucun fichier ne correspond à « Planning *.xlsx »" in finding.reason
    workbook(tmp_path, [], sheet="Feuil1")
    (tmp_path / "Planning cassé.xlsx").write_bytes(b"ceci n'est pas un classeur")
    (tmp_path / "~$Planning 2026.xlsx").write_bytes(b"lock")
    reasons = sorted(f.describe() for f in read_registers(mapping, tmp_path).findings)
    assert reasons[0].startswith("« Planning 2026.xlsx » : aucune feuille ne correspond à « Planning* » "
                                 "(feuilles présentes : « Feuil1 »)")
    assert reasons[1].startswith("« Planning cassé.xlsx » : fichier illisible")


def test_mapping_problems_are_all_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("""
[registers.sessions]
files = "Planning.xlsx"
header_row = "deux"
key = ["committee", "nothing"]
[registers.sessions.fields]
committee = { headers = ["Instance"], type = "texte" }
date = { headers = ["Date"], type = "text" }
status = { headers = ["Statut"], type = "choice", choices = { maybe = ["Peut-être"] } }
[registers.unknown]
files = ["x.xlsx"]
""", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_mapping(path)
    problems = caught.value.problems
    assert any(p.startswith("[registers.sessions] header_row :") for p in problems)
    assert any("« nothing » de la clé" in p for p in problems)
    assert any(p.startswith("[registers.sessions.fields.committee] type : type inconnu « texte »") for p in problems)
    assert "[registers.sessions.fields.date] type : le champ « date » doit être de type « date »" in problems
    assert any(p.startswith("[registers.sessions.fields.status] choices : valeur « maybe » inconnue") for p in problems)
    assert any(p.startswith("[registers] unknown : registre inconnu") for p in problems)


def test_what_reading_made_joins_the_oldest_generation_and_the_collector_runs_again(tmp_path: Path, mapping) -> None:
    # the records live as long as the run: resumed as it was, the collector would walk them all at its next
    # allocation (a third of a warm cache's reading), then again at the next older generation's turn
    workbook(tmp_path, [[f"Commission {n}", date(2026, 12, 14), "9h", None, None, None, None] for n in range(300)])
    gc.collect()  # every generation's count at zero: the oldest is reached only by a promotion
    registers = read_registers(mapping, tmp_path)
    records = registers.of("sessions")
    assert len(records) == 300 and gc.isenabled() and gc.get_freeze_count() == 0
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(records[0]) in oldest and id(records[-1]) in oldest and id(records[-1].source) in oldest
    # nothing is held for good: a cycle made afterwards is still freed
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1


def test_a_collector_held_off_by_the_caller_stays_off(tmp_path: Path, mapping) -> None:
    workbook(tmp_path, [["Commission A", date(2026, 12, 14), "9h", None, None, None, None]])
    gc.disable()
    try:
        assert len(read_registers(mapping, tmp_path).of("sessions")) == 1
        assert not gc.isenabled()
    finally:
        gc.enable()
