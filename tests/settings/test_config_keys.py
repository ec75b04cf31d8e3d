"""Every key of config.toml has a meaning, and the reference's defaults are those load.py gives."""

from __future__ import annotations

import pytest

from automations.settings import load_config
from automations.settings.keys import KEYS, SECTIONS, TRANSPORT_KEYS, recorded_defaults
from automations.settings.section import Section
from automations.transports import ews_connection, exchange, graph_client, settings_checks, smtp

from ..conftest import PROJECT


def test_every_key_load_reads_has_a_meaning_and_no_other() -> None:
    read = {section: set() for section in KEYS}
    for section, key in recorded_defaults():
        read.setdefault(section, set()).add(key)
    assert {section: set(keys) for section, keys in KEYS.items()} == read
    assert all(meaning.strip() for keys in KEYS.values() for meaning in keys.values())


def test_every_table_of_the_file_is_described(monkeypatch) -> None:
    roots: set[str] = set()
    finish = Section.finish

    def spy(self: Section) -> None:
        if not self.where:
            roots.update(self.seen)
        finish(self)

    monkeypatch.setattr(Section, "finish", spy)
    load_config(PROJECT / "examples" / "province-sud-del" / "config.toml", backends=settings_checks())
    assert roots == {section.split(".")[0] for section in SECTIONS}  # a nested table is described apart


def test_defaults_are_what_a_file_without_the_key_gets() -> None:
    defaults = recorded_defaults()
    assert defaults[("invitations", "lead_days")] == (15, False)
    assert defaults[("paths", "templates")] == ("templates", False)
    assert defaults[("service", "name")] == (None, True)
    assert defaults[("committees", "invitation_days")] == (None, False)
    assert Section.listener is None  # reading a real file afterwards records nothing


@pytest.mark.parametrize("kind, accepted", [("outbox", {"folder"}), ("smtp", smtp._KEYS),
                                            ("exchange", exchange._KEYS), ("graph", graph_client.KEYS)])
def test_each_transport_key_is_documented(kind: str, accepted: set[str]) -> None:
    assert set(TRANSPORT_KEYS[kind]) == accepted
    problems = settings_checks()[kind]({key: "x" for key in TRANSPORT_KEYS[kind]} | {"inconnue": 1})
    assert [p for p in problems if "clé inconnue" in p] == [f"inconnue : clé inconnue pour le transport « {kind} »"]


def test_the_transport_defaults_written_are_the_transports_own() -> None:
    assert TRANSPORT_KEYS["graph"]["graph_url"][1] == graph_client.DEFAULT_GRAPH
    assert TRANSPORT_KEYS["graph"]["authority"][1] == graph_client.DEFAULT_AUTHORITY
    assert TRANSPORT_KEYS["exchange"]["authority"][1] == ews_connection.DEFAULT_AUTHORITY
