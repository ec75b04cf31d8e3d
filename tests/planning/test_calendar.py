"""The days a session is not drafted on, and the reason the draft gives in French."""

from __future__ import annotations

from datetime import date

from automations.planning.calendar import DaysOff, day_fr


def test_new_caledonia_public_holidays_are_named() -> None:
    days = DaysOff([2027])
    assert days.reason(date(2027, 9, 24)) == "jour férié : fête de la Citoyenneté"  # New Caledonia's own
    assert days.reason(date(2027, 3, 29)) == "jour férié : lundi de Pâques"
    assert days.reason(date(2027, 5, 6)) == "jour férié : Ascension"
    assert days.reason(date(2027, 5, 17)) == "jour férié : lundi de Pentecôte"
    assert days.reason(date(2027, 3, 30)) is None


def test_weekends_and_closures() -> None:
    days = DaysOff([2027], closures=[date(2027, 12, 27), date(2027, 12, 28)])
    assert days.reason(date(2027, 1, 2)) == "samedi"
    assert days.reason(date(2027, 1, 3)) == "dimanche"
    assert days.reason(date(2027, 12, 27)) == "fermeture du service"
    # Christmas on a Saturday, then two closed days: the next working day is Wednesday
    assert days.next_working_day(date(2027, 12, 25)) == date(2027, 12, 29)
    assert days.next_working_day(date(2027, 3, 29)) == date(2027, 3, 30)
    assert days.next_working_day(date(2027, 3, 30)) == date(2027, 3, 30)


def test_days_are_written_in_french() -> None:
    assert day_fr(date(2027, 4, 6)) == "mardi 6 avril"
    assert day_fr(date(2027, 10, 1)) == "vendredi 1er octobre"
