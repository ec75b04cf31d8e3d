"""Drafted from the two services' own workbooks, the mapping reads what the hand-written one reads."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from automations.onboarding.command import draft_command
from automations.registers.mapping import load_mapping
from automations.registers.reader import read_registers
from automations.settings import load_config
from automations.transports import settings_checks

from ..conftest import PROJECT, SAMPLES


def drafted(service: str, out: Path) -> tuple[str, Path]:
    stream = io.StringIO()
    assert draft_command(SAMPLES / service, out, stream) == 0
    return stream.getvalue(), out / "mapping.toml"


def dump(registers, mapping, compared: dict[str, set[str]]) -> dict:
    """Per role, each record's place and the values of the compared fields; the findings as printed."""
    records = {role: [((r.source.file.name, r.source.sheet, r.source.row),
                       {n: r.values.get(n) for n in sorted(compared[role])}) for r in registers.of(role)]
               for role in compared}
    findings = sorted(f.describe() for f in registers.findings)
    return {"records": records, "findings": findings}


@pytest.mark.parametrize("service", ["province-sud-del", "ccas-lifou"])
def test_drafted_mapping_reads_the_same_records_and_findings(service: str, tmp_path: Path) -> None:
    _, path = drafted(service, tmp_path)
    mine, theirs = load_mapping(path), load_mapping(PROJECT / "mappings" / f"{service}.toml")
    assert set(mine.registers) == set(theirs.registers)
    # the fields both read from a column (the CCAS's committee is a constant the administrator names)
    compared = {role: {n for n, f in spec.fields.items() if not f.is_constant}
                & {n for n, f in mine.registers[role].fields.items() if not f.is_constant}
                for role, spec in theirs.registers.items()}
    for role, spec in theirs.registers.items():
        read_by_hand = {n for n, f in spec.fields.items() if not f.is_constant}
        # every column the hand-written mapping finds in the sheets, the draft finds too
        missing = read_by_hand - compared[role]
        headers = {n for n in missing if any(h for h in spec.fields[n].headers)}
        assert not {n for n in headers if _present(SAMPLES / service, spec, n)}, (role, missing)
        assert mine.registers[role].key == spec.key
    ours, hand = (dump(read_registers(m, SAMPLES / service), m, compared) for m in (mine, theirs))
    assert ours["records"] == hand["records"]
    assert ours["findings"] == hand["findings"]
    assert sum(len(v) for v in ours["records"].values()) > 500


def _present(folder: Path, spec, name: str) -> bool:
    """A column of the field's headers is in one of the register's sheets (the hand-written mapping lists
    headers no sample has, such as the applicants' e-mail)."""
    from automations.registers.reader import read_register

    _, _, _ = read_register(spec, folder, layouts := [])
    return any(name in layout.headers for layout in layouts)


@pytest.mark.parametrize("service", ["province-sud-del", "ccas-lifou"])
def test_drafted_config_loads_and_names_the_drafted_mapping(service: str, tmp_path: Path) -> None:
    out, path = drafted(service, tmp_path)
    config = load_config(tmp_path / "config.toml", backends=settings_checks())
    assert config.paths.mapping == path.resolve() or config.paths.mapping.resolve() == path.resolve()
    assert config.paths.registers.resolve() == (SAMPLES / service).resolve()
    assert "Écrits : " in out and "Ensuite : python run.py --config" in out
