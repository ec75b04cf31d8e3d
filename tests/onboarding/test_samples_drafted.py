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


def dump(registers, compared: dict[str, set[str]]) -> dict:
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
    by_hand = read_registers(theirs, SAMPLES / service)
    # every column the hand-written mapping finds in the sheets, the draft reads as the same field (the
    # hand-written one also lists columns no sample has, such as the applicants' e-mail; the CCAS's committee
    # is a constant the administrator names)
    compared = {role: {n for layout in by_hand.layouts[role] for n in layout.headers} for role in theirs.registers}
    for role, names in compared.items():
        assert names <= set(mine.registers[role].fields), role
        assert mine.registers[role].key == theirs.registers[role].key
    ours, hand = dump(read_registers(mine, SAMPLES / service), compared), dump(by_hand, compared)
    assert ours["records"] == hand["records"]
    assert ours["findings"] == hand["findings"]
    assert sum(len(v) for v in ours["records"].values()) > 500


@pytest.mark.parametrize("service", ["province-sud-del", "ccas-lifou"])
def test_drafted_config_loads_and_names_the_drafted_mapping(service: str, tmp_path: Path) -> None:
    out, path = drafted(service, tmp_path)
    config = load_config(tmp_path / "config.toml", backends=settings_checks())
    assert config.paths.mapping == path.resolve() or config.paths.mapping.resolve() == path.resolve()
    assert config.paths.registers.resolve() == (SAMPLES / service).resolve()
    assert "Écrits : " in out and "Ensuite : python run.py --config" in out
