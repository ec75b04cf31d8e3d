"""Each committee's rhythm learned from this year's sessions, holes and moved dates tolerated, and said in French."""

from __future__ import annotations

from datetime import date, time, timedelta

from automations.planning.calendar import DaysOff
from automations.planning.rhythm import INTERVAL, MONTHLY, REGULAR, learn

from .factory import held, service_with

DAYS_OFF = DaysOff([2026])


def _learn(dates: list[tuple[date, str]], **kw):
    service = service_with({"Commission première entrée": dates}, **kw)
    return learn(service, next(iter(service.committees.values())), 2026, DAYS_OFF)


def test_last_monday_despite_whit_monday_a_cancelled_session_and_a_month_off() -> None:
    mondays = [date(2026, 1, 26), date(2026, 2, 23), date(2026, 3, 30), date(2026, 4, 27),
               date(2026, 5, 26),  # Whit Monday 25 May: held on the Tuesday
               date(2026, 6, 29), date(2026, 7, 27), date(2026, 9, 28), date(2026, 10, 26),
               date(2026, 11, 30), date(2026, 12, 28)]  # no session in August
    sessions = held(*mondays)
    sessions[6] = (date(2026, 7, 27), "annulee")
    rhythm = _learn(sessions)
    assert rhythm.kind == REGULAR
    assert rhythm.describe() == ("dernier lundi du mois, sauf en août, 8 h 30, 2 h, Salle Kaori, "
                                 "d'après 11 séances de 2026")


def test_second_monday_with_its_own_time_duration_and_room() -> None:
    seconds = [date(2026, m, 8 + (0 - date(2026, m, 8).weekday()) % 7) for m in range(1, 13)]
    assert date(2026, 4, 13) in seconds
    rhythm = _learn(held(*seconds), at=time(14, 0), room="Salle Niaouli", hours=1.5)
    assert rhythm.describe() == "2e lundi du mois, 14 h, 1 h 30, Salle Niaouli, d'après 12 séances de 2026"


def test_every_two_weeks_with_a_hole() -> None:
    tuesdays = [date(2026, 1, 13) + timedelta(weeks=2 * n) for n in range(26)]
    del tuesdays[10]
    rhythm = _learn(held(*tuesdays))
    assert rhythm.kind == INTERVAL
    assert rhythm.describe() == "toutes les 2 semaines, le mardi, 8 h 30, 2 h, Salle Kaori, d'après 25 séances de 2026"


def test_every_three_weeks_from_a_first_session_moved_off_new_years_day() -> None:
    fridays = [date(2027, 1, 1) + timedelta(weeks=3 * n) for n in range(18)]
    fridays[0] = date(2027, 1, 4)  # 1 January is a holiday: the first session was held on Monday 4
    service = service_with({"Commission première entrée": held(*fridays)})
    rhythm = learn(service, next(iter(service.committees.values())), 2027, DaysOff([2027]))
    assert rhythm.describe().startswith("toutes les 3 semaines, le vendredi, 8 h 30")
    assert rhythm.pattern is not None and rhythm.pattern.dates(2028)[0] == date(2028, 1, 14)


def test_no_regular_rhythm_falls_back_to_the_most_frequent_day() -> None:
    rhythm = _learn(held(date(2026, 1, 14), date(2026, 2, 10), date(2026, 3, 11), date(2026, 4, 23),
                         date(2026, 6, 3), date(2026, 9, 9)))
    assert rhythm.kind == MONTHLY
    assert rhythm.describe() == ("chaque mois, 2e mercredi du mois (le jour le plus fréquent, sans rythme régulier), "
                                 "sauf en mai, juillet, août, octobre, novembre et décembre, 8 h 30, 2 h, Salle Kaori, "
                                 "d'après 6 séances de 2026")


def test_a_committee_without_sessions_is_said_unknown() -> None:
    rhythm = _learn(held(date(2025, 3, 9)))
    assert rhythm.pattern is None
    assert rhythm.describe() == "aucune séance en 2026 : rythme inconnu, à indiquer par une règle"
