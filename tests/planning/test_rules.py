"""A committee's rule read from its table, and every mistake named by its key in French."""

from __future__ import annotations

from datetime import date, time

import pytest

from automations.errors import ConfigError
from automations.planning.pattern import LAST, parse_pattern
from automations.planning.rules import SKIP, Pause, rule_from_table

WHERE = "[[planning.committees]] n° 1"


def test_a_full_rule_is_read() -> None:
    rule = rule_from_table({"committee": "Commission première entrée", "pattern": "2e lundi", "time": "8 h 30",
                            "duration_hours": 2.5, "room": "Salle Banian", "pauses": ["20/12 – 15/02"],
                            "extra_dates": [date(2027, 7, 1), "15/09/2027"], "skipped_dates": ["12/04/2027"],
                            "on_avoided": "sauter"}, WHERE)
    assert rule.pattern is not None and rule.pattern.describe() == "2e lundi du mois"
    assert (rule.time, rule.duration_hours, rule.room) == (time(8, 30), 2.5, "Salle Banian")
    assert rule.pauses == (Pause((12, 20), (2, 15)),)
    assert rule.extra_dates == (date(2027, 7, 1), date(2027, 9, 15))
    assert rule.skipped_dates == (date(2027, 4, 12),) and rule.on_avoided == SKIP


def test_the_austral_summer_runs_over_new_year() -> None:
    summer = Pause((12, 20), (2, 15))
    assert date(2027, 12, 20) in summer and date(2027, 1, 10) in summer and date(2027, 2, 15) in summer
    assert date(2027, 2, 16) not in summer and date(2027, 12, 19) not in summer
    assert summer.describe() == "du 20/12 au 15/02"


@pytest.mark.parametrize("text, described", [
    ("Dernier jeudi du mois", "dernier jeudi du mois"),
    ("1er mardi", "1er mardi du mois"),
    ("toutes les 2 semaines, le mardi", "toutes les 2 semaines, le mardi"),
    ("chaque semaine le vendredi", "toutes les semaines, le vendredi"),
])
def test_patterns_read_as_staff_write_them(text: str, described: str) -> None:
    pattern = parse_pattern(text)
    assert pattern is not None and pattern.describe() == described


def test_every_two_weeks_goes_on_from_its_anchor_across_new_year() -> None:
    pattern = parse_pattern("toutes les 2 semaines")
    assert pattern is not None
    dates = pattern.with_anchor(date(2026, 12, 8)).dates(2027)
    assert dates[:2] == [date(2027, 1, 5), date(2027, 1, 19)] and len(dates) == 26
    assert parse_pattern("dernier lundi").ordinal == LAST


def test_every_mistake_is_named_with_its_key() -> None:
    with pytest.raises(ConfigError) as raised:
        rule_from_table({"committee": "X", "pattern": "deux lundis", "time": "25 h", "pauses": ["20/13 - 15/02"],
                         "extra_dates": ["31/02/2027"], "on_avoided": "reporter", "salle": "Kaori"}, WHERE)
    text = str(raised.value)
    assert f"{WHERE} pattern : « deux lundis » n'est pas compris" in text
    assert f"{WHERE} time : une heure est attendue" in text
    assert f"{WHERE} pauses : « 20/13 - 15/02 » : une période « jj/mm – jj/mm » est attendue" in text
    assert f"{WHERE} extra_dates : une date est attendue (2027-04-12 ou « 12/04/2027 »), trouvé « 31/02/2027 »" in text
    assert f"{WHERE} on_avoided : « reporter » : « suivant » ou « sauter » attendu" in text
    assert f"{WHERE} salle : clé inconnue" in text


def test_a_rule_names_its_committee() -> None:
    with pytest.raises(ConfigError, match=r"committee : clé obligatoire absente"):
        rule_from_table({"pattern": "2e lundi"}, WHERE)
