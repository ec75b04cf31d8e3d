"""What « plan planning » prints, on both shipped services, at a fixed date in late November 2026."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from automations.cli import commands
from automations.cli.main import main
from automations.engine.context import Context
from automations.domain.service import Member
from automations.planning import planning
from automations.planning.calendar import DaysOff
from automations.planning.conflicts import Booked
from automations.registers.types import normalize_label
from automations.settings.load import load_config
from automations.settings.model import PlanningSettings

from ..conftest import NOUMEA, FakeClock
from ..registers.test_samples import PROJECT, settings_checks

NOVEMBER = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)
LINE = re.compile(r"^  · (.+?) : séance proposée le (\w+ \d+(?:er)? \w+ 2027)(?:, (\d+ h(?: \d+)?))?, (\d+ h(?: \d+)?),"
                  r" ([^(]+?)(?: \((.+)\))?$")
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre")


def _plan(sample: str, tmp_path: Path, when: datetime = NOVEMBER, **planning) -> tuple[int, list[str]]:
    config = load_config(PROJECT / "examples" / sample / "config.toml", backends=settings_checks())
    paths = replace(config.paths, journal=tmp_path / "journal.sqlite3", output=tmp_path / "documents")
    config = replace(config, paths=paths, planning=replace(PlanningSettings(), **planning))
    ctx = Context(config=config, clock=FakeClock(when), out=io.StringIO())
    code = commands.plan(ctx, "planning")
    return code, ctx.out.getvalue().splitlines()


def _day(text: str) -> date:
    _, day, month, year = text.split()
    return date(int(year), _MONTHS.index(month) + 1, int(day.removesuffix("er")))


def _sessions(lines: list[str]) -> list[Booked]:
    found = []
    for line in lines:
        match = LINE.match(line)
        if match:
            hours = match.group(4).split(" h")
            start = match.group(3)
            clock = None
            if start:
                h, _, m = start.partition(" h")
                clock = datetime(2027, 1, 1, int(h), int(m or 0)).time()
            found.append(Booked(match.group(1), _day(match.group(2)), clock,
                                int(hours[0]) + int(hours[1] or 0) / 60, match.group(5)))
    return found


@pytest.mark.parametrize("sample, committees", [("province-sud-del", 4), ("ccas-lifou", 1)])
def test_the_draft_of_next_year_is_printed_per_committee(sample: str, committees: int, tmp_path: Path) -> None:
    code, lines = _plan(sample, tmp_path)
    assert code == 0
    # what a run would do: the planning written, then a holding invitation per session with members to invite
    actions = int(re.fullmatch(r"Planning de l'année suivante : (\d+) actions à faire\.", lines[0]).group(1))
    assert lines[1].startswith("  - document : Planning 2027 : ")
    holds = [line for line in lines if line.startswith("  - envoi : Réservation – ")]
    assert len(holds) == actions - 1
    facts = [line for line in lines if line.startswith("  · planning 2027 : ")]
    total = re.fullmatch(r"  · planning 2027 : (\d+) séances? proposées? pour (\d+) instances?"
                         r"(, en plus de \d+ séances? déjà saisies?)?", facts[0])
    assert total and int(total.group(2)) == committees
    learned = [line for line in lines if re.match(r"  · .+ : rythme appris : .+, d'après \d+ séances de 2026$", line)]
    assert len(learned) == committees
    sessions = _sessions(lines)
    assert len(sessions) == int(total.group(1)) and sessions
    days_off = DaysOff([2027])
    assert [s for s in sessions if not days_off.is_working(s.date)] == []
    assert all(s.room for s in sessions)


def test_a_date_moved_off_a_holiday_says_why(tmp_path: Path) -> None:
    _, lines = _plan("province-sud-del", tmp_path)
    assert ("  · Commission maintien dans le logement : séance proposée le jeudi 15 juillet 2027, 8 h 30, 2 h, "
            "Salle Kaori (déplacée du mercredi 14 juillet (fête nationale) au jeudi 15 juillet)") in lines
    assert ("  · Commission insertion logement-emploi : séance proposée le mercredi 1er septembre 2027, 13 h 30, 2 h, "
            "Salle Banian") in lines
    assert ("  · Commission maintien dans le logement : non proposée le mercredi 13 janvier : déjà au planning, "
            "séance du mercredi 20 janvier") in lines


def test_before_the_configured_day_it_waits(tmp_path: Path) -> None:
    _, lines = _plan("ccas-lifou", tmp_path, from_day=(12, 1))
    assert lines[:2] == [
        "Planning de l'année suivante : 0 action à faire.",
        "  · le planning de 2027 sera préparé à partir du mardi 1er décembre 2026 ([planning] from) : "
        "rien à préparer avant"]
    assert not _sessions(lines)


def test_closures_and_a_rule_are_applied_and_stated(tmp_path: Path) -> None:
    rule = {"committee": "Commission d'aide facultative", "pattern": "1er lundi", "time": "14 h",
            "pauses": ["20/12 – 15/02"]}
    _, lines = _plan("ccas-lifou", tmp_path, closures=(date(2027, 3, 1),), committees=(rule,))
    name = "Commission d'aide facultative"
    assert any(line.startswith(f"  · {name} : règle : 1er lundi du mois, 14 h, ") for line in lines)
    assert any(line.startswith(f"  · {name} : appris cette année : ") for line in lines)
    assert (f"  · {name} : séance proposée le mardi 2 mars 2027, 14 h, 3 h, Salle du conseil – mairie de We "
            "(déplacée du lundi 1er mars (fermeture du service) au mardi 2 mars)") in lines
    assert f"  · {name} : non proposée le lundi 1er février : pas de séance du 20/12 au 15/02 (règle)" in lines


def test_no_member_is_booked_twice_in_a_half_day(tmp_path: Path) -> None:
    # the eviction committee put on the first-entry committee's mornings, and two people sitting in both
    rule = {"committee": "Comité prévention des expulsions", "pattern": "4e mardi", "time": "8 h 30",
            "room": "Salle Niaouli"}
    config = load_config(PROJECT / "examples" / "province-sud-del" / "config.toml", backends=settings_checks())
    config = replace(config, planning=PlanningSettings(committees=(rule,)))
    data = commands.load(Context(config=config, clock=FakeClock(NOVEMBER), out=io.StringIO()))
    service = data.service
    for committee in ("Commission première entrée", "Comité prévention des expulsions"):
        service.members.append(Member("KAREMBEU Marie", "marie.karembeu@province-sud.nc", committee=committee))
        service.members.append(Member("WAMYTAN Paul", "", committee=committee))
    result = planning.plan(config, service, NOVEMBER, None)
    lines = [f"  · {fact}" for fact in result.facts] + [f"  ! {notice}" for notice in result.notices]
    sessions = _sessions(lines)
    shared = {"Commission première entrée", "Comité prévention des expulsions"}
    both = [(s.date, half) for s in sessions if s.committee in shared for half in s.halves()]
    assert len(both) == len(set(both)) and len(both) > 20
    moved = [line for line in lines if line.startswith("  ! membres : Comité prévention des expulsions, séance du ")]
    assert moved[0] == (
        "  ! membres : Comité prévention des expulsions, séance du mardi 23 février 2027 à 8 h 30 : 2 membres "
        "communs avec « Commission première entrée » (KAREMBEU Marie, WAMYTAN Paul) le mardi 23 février 2027 "
        "à 8 h 30 ; proposée le mercredi 24 février 2027")
    assert len(moved) == len([s for s in sessions if s.committee == "Commission première entrée"
                              and s.date.weekday() == 1])
    assert any(line.startswith("  · Comité prévention des expulsions : séance proposée le mercredi 24 février 2027, "
                               "8 h 30, 3 h, Salle Niaouli (déplacée du mardi 23 février au mercredi 24 février : "
                               "2 membres communs") for line in lines)


def test_a_room_taken_by_another_committee_is_reported(tmp_path: Path) -> None:
    # afternoon sessions in the morning committee's room, on its day: the room clashes, the members do not
    rule = {"committee": "Commission insertion logement-emploi", "pattern": "4e mardi", "time": "9 h",
            "room": "Salle Niaouli"}
    _, lines = _plan("province-sud-del", tmp_path, committees=(rule,))
    rooms = [line for line in lines if line.startswith("  ! salle : ")]
    assert rooms, lines
    assert any(line.startswith("  ! salle : Commission insertion logement-emploi, séance du ")
               and "salle « Salle Niaouli » déjà prise par « Commission première entrée »" in line
               and "est libre sur ce créneau" in line for line in rooms)
    # said once, of the committee drafted later: the first-entry committee keeps its room
    assert not any(line.startswith("  ! salle : Commission première entrée") for line in rooms)


def _config_with(tmp_path: Path, sample: str, planning: str) -> Path:
    folder = PROJECT / "examples" / sample
    text = (folder / "config.toml").read_text(encoding="utf-8")
    for key in ("registers", "mapping", "templates"):
        text = re.sub(rf'^{key} = "(.+)"$', lambda m: f'{key} = "{(folder / m.group(1)).resolve().as_posix()}"',
                      text, flags=re.M)
    path = tmp_path / "config.toml"
    path.write_text(text + "\n" + planning, encoding="utf-8")
    return path


@pytest.mark.parametrize("planning, said", [
    ('[planning]\nfrom = "31/02"\n', '[planning] from : jour invalide « 31/02 » (format jj/mm'),
    ('[planning]\nclosures = ["24/13/2027"]\n', "[planning] closures : une date est attendue"),
    ('[planning]\non_avoided = "avant"\n', "[planning] on_avoided : « avant » : « suivant » ou « sauter » attendu"),
])
def test_config_errors_name_the_key_in_french(tmp_path: Path, capsys, planning: str, said: str) -> None:
    code = main(["--config", str(_config_with(tmp_path, "ccas-lifou", planning)), "plan", "planning"])
    out = capsys.readouterr()
    assert code == 2 and out.err.startswith("Erreur : Configuration invalide (") and said in out.err, out.err
    assert "Traceback" not in out.err and "Erreur inattendue" not in out.err


@pytest.mark.parametrize("rule, said", [
    ('pattern = "un lundi sur deux"\n', "[[planning.committees]] n° 1 pattern : « un lundi sur deux » n'est pas "
                                        "compris : écrivez par exemple « 2e lundi »"),
    ('salle = "B"\n', "[[planning.committees]] n° 1 salle : clé inconnue"),
])
def test_a_wrong_rule_is_said_without_stopping_the_run(tmp_path: Path, capsys, rule: str, said: str) -> None:
    table = f'[[planning.committees]]\ncommittee = "Commission d\'aide facultative"\n{rule}'
    code = main(["--config", str(_config_with(tmp_path, "ccas-lifou", table)), "plan", "planning"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert any(line.startswith(f"  ! non préparé, règle invalide (config.toml) : {said}") for line in out), out
    assert not any("séance proposée" in line for line in out)


def test_a_room_busy_in_its_own_calendar_is_reported(tmp_path: Path) -> None:
    # Exchange and Microsoft 365 read a room's calendar: here the hall is taken on the first Monday of March
    config = load_config(PROJECT / "examples" / "ccas-lifou" / "config.toml", backends=settings_checks())
    hall = "Salle du conseil – mairie de We"
    rule = {"committee": "Commission d'aide facultative", "pattern": "1er lundi", "time": "14 h", "room": hall}
    config = replace(config, planning=PlanningSettings(committees=(rule,)))
    data = commands.load(Context(config=config, clock=FakeClock(NOVEMBER), out=io.StringIO()))
    data.service.rooms[normalize_label(hall)] = replace(data.service.room(hall), email="salle.conseil@lifou.nc")
    asked = []

    def free_room(rooms, start, end):
        asked.append((rooms[0].email, start, end))
        return None if start.date() == date(2027, 3, 1) else rooms[0]

    result = planning.plan(config, data.service, NOVEMBER, free_room)
    assert result.notices == [
        f"salle : Commission d'aide facultative, séance du lundi 1er mars 2027 à 14 h : salle « {hall} » occupée "
        "selon son agenda ; aucune autre salle connue n'est libre sur ce créneau"]
    assert asked[0][0] == "salle.conseil@lifou.nc" and asked[0][2] - asked[0][1] == timedelta(hours=3)


def test_check_names_a_wrong_rule_even_with_the_planning_off(tmp_path: Path, capsys) -> None:
    rules = ('[[planning.committees]]\ncommittee = "Commission d\'aide facultative"\npattern = "2e lundi"\n'
             'time = "25 h"\n\n[[planning.committees]]\ncommittee = "Commission d\'aide facultative"\n'
             'on_avoided = "reporter"\n')
    config = _config_with(tmp_path, "ccas-lifou", rules)
    config.chmod(0o600)
    code = main(["--config", str(config), "check"])
    out = capsys.readouterr().out
    assert code == 1
    assert ("✗ Configuration : [[planning.committees]] n° 1 time : une heure est attendue (« 8 h 30 » ou 08:30:00), "
            "trouvé « 25 h »") in out.splitlines()
    assert ("✗ Configuration : [[planning.committees]] n° 2 on_avoided : « reporter » : « suivant » ou « sauter » "
            "attendu") in out.splitlines()


def test_the_service_wide_choice_to_skip_an_avoided_day_applies_to_learned_rhythms(tmp_path: Path) -> None:
    _, lines = _plan("ccas-lifou", tmp_path, closures=(date(2027, 1, 25),), on_avoided="sauter")
    name = "Commission d'aide facultative"
    assert f"  · {name} : non proposée le lundi 25 janvier : sautée (fermeture du service)" in lines
    assert not any(line.startswith(f"  · {name} : séance proposée le mardi 26 janvier") for line in lines)
    assert any(line.startswith(f"  · {name} : règle : 4e lundi du mois (rythme appris), 9 h, 3 h, ")
               and line.endswith(", jours évités sautés") for line in lines)
