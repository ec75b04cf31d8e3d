"""The field catalogue documents exactly the fields the code knows, with what the code does with them."""

from __future__ import annotations

import ast

import pytest

from automations.engine.registry import AUTOMATIONS
from automations.registers.field_catalog import (CATALOG, CHOICE_MEANINGS, FIELD_KEYS, MAPPING_KEYS,
                                                 REGISTER_KEYS, TYPE_MEANINGS, field_type)
from automations.registers.mapping import ROLE_CHOICES, ROLE_FIELDS, load_mapping
from automations.registers.types import TYPE_NAMES
from automations.settings.section import Section

from ..conftest import PROJECT


@pytest.mark.parametrize("role", sorted(ROLE_FIELDS))
def test_the_catalogue_names_every_known_field_and_no_other(role: str) -> None:
    assert set(ROLE_FIELDS[role]) <= set(CATALOG[role]), "a field of ROLE_FIELDS has no meaning in the catalogue"
    assert set(CATALOG[role]) <= set(ROLE_FIELDS[role]), "the catalogue names a field the code lacks"
    for name, info in CATALOG[role].items():
        assert info.meaning.strip(), f"{role}.{name} has no meaning"
        assert set(info.uses) <= set(AUTOMATIONS), f"{role}.{name} names an unknown automation"
        assert field_type(role, name) in TYPE_NAMES


def test_the_end_time_of_a_session_is_documented_as_a_time() -> None:
    assert field_type("sessions", "end_time") == "time"
    assert CATALOG["sessions"]["end_time"].meaning == "heure de fin, à la place de la durée"


def _dict_keys(tree: ast.Module, value: ast.expr) -> list[ast.expr]:
    """The keys of a dict literal, or of every dict literal (and item) the module gives the variable passed."""
    if isinstance(value, ast.Dict):
        return [k for k in value.keys if k is not None]
    if not isinstance(value, ast.Name):
        return []
    keys: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Dict):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == value.id for t in targets):
                keys += [k for k in node.value.keys if k is not None]
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            target = node.targets[0]
            if isinstance(target.value, ast.Name) and target.value.id == value.id:
                keys.append(target.slice)
    return keys


def _written_by_the_code() -> set[tuple[str, str]]:
    """Fields the automations write: the keys of the dicts they hand to the write-back helpers."""
    roles = {"session_writes": "sessions", "record_writes": "applications"}
    found: set[tuple[str, str]] = set()
    for path in (PROJECT / "automations").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name not in roles or len(node.args) < 2:
                continue
            for key in _dict_keys(tree, node.args[1]):
                for part in (key.body, key.orelse) if isinstance(key, ast.IfExp) else (key,):
                    if isinstance(part, ast.Constant):
                        found.add((roles[name], part.value))
    # the mail registers get whole rows: every column their ``row`` names
    source = (PROJECT / "automations" / "domain" / "mail_register.py").read_text(encoding="utf-8")
    for register, role in (("OutgoingRegister", "mail_out"), ("IncomingRegister", "mail_in")):
        kind = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ClassDef) and n.name == register)
        row = next(n for n in ast.walk(kind) if isinstance(n, ast.FunctionDef) and n.name == "row")
        values = next(n.value for n in ast.walk(row) if isinstance(n, ast.Assign) and n.targets[0].id == "values")
        found |= {(role, key.value) for key in values.keys}
    return found


def test_the_fields_marked_written_are_those_the_automations_write() -> None:
    marked = {(role, name) for role, infos in CATALOG.items() for name, info in infos.items() if info.written}
    written = _written_by_the_code()
    assert ("applications", "notified_on") in written and ("sessions", "room_booked") in written
    assert marked == written


def test_types_and_choice_values_all_have_a_meaning() -> None:
    assert list(TYPE_MEANINGS) == list(TYPE_NAMES)
    assert set(CHOICE_MEANINGS) == set(ROLE_CHOICES)
    for key, values in ROLE_CHOICES.items():
        assert set(CHOICE_MEANINGS[key]) == set(values)


def test_the_mapping_keys_documented_are_those_the_reader_accepts(tmp_path, monkeypatch) -> None:
    seen: dict[str, set[str]] = {"root": set(), "register": set(), "field": set()}
    finish = Section.finish

    def spy(self: Section) -> None:
        level = "root" if not self.where else "field" if ".fields." in self.where else \
            "register" if self.where.startswith("[registers.") else None
        if level:
            seen[level] |= self.seen
        finish(self)

    monkeypatch.setattr(Section, "finish", spy)
    path = tmp_path / "m.toml"
    path.write_text("""name = "essai"
[registers.sessions]
files = ["*.xlsx"]
sheets = ["*"]
header_row = 3
key = ["date"]
[registers.sessions.fields]
date = { headers = ["Date"], type = "date", required = true, default = "01/01/2026" }
committee = { value = "Commission" }
invitation_sent_on = { headers = ["Envoyé le"], type = "date", write_back = true }
status = { headers = ["Statut"], type = "choice", choices = { prevue = ["Prévue"] } }
""", encoding="utf-8")
    load_mapping(path)
    assert seen["root"] == set(MAPPING_KEYS)
    # own_fields is being added beside fields: documented already, read once the reader knows it
    assert seen["register"] <= set(REGISTER_KEYS) and set(REGISTER_KEYS) - seen["register"] <= {"own_fields"}
    assert seen["field"] == set(FIELD_KEYS)
