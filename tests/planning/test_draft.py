"""Next year drafted from this year on both shipped services, at a fixed date in late November 2026."""

from __future__ import annotations

from datetime import date

import pytest

from automations.planning.calendar import DaysOff
from automations.planning.draft import draft_committees, draft_year, unknown_committees
from automations.planning.rhythm import sessions_of
from automations.planning.rules import rule_from_table

from ..registers.test_samples import loaded

TODAY = date(2026, 11, 23)  # the clock of ``loaded``
SAMPLES = ("province-sud-del", "ccas-lifou")


@pytest.fixture(scope="module", params=SAMPLES)
def service(request):
    ctx, data = loaded(request.param)
    assert ctx.clock().date() == TODAY
    return data.service


def test_next_year_is_drafted_from_this_year_on_working_days(service) -> None:
    drafts = draft_committees(service, 2027, [], [], TODAY)
    assert len(drafts) == len(service.committees)
    days_off = DaysOff([2027])
    for draft, committee in zip(drafts, service.committees.values()):
        this_year = len(sessions_of(service, committee, 2026))
        already = len(sessions_of(service, committee, 2027))
        assert draft.sessions and all(s.date.year == 2027 for s in draft.sessions)
        assert [s.date for s in draft.sessions if not days_off.is_working(s.date)] == []
        assert abs(len(draft.sessions) + already - this_year) <= 2, draft.committee
        assert draft.learned.endswith(f"d'après {this_year} séances de 2026")
        assert draft.applied == f"rythme appris : {draft.learned}"
        assert all(s.time and s.room and s.duration_hours for s in draft.sessions)
    flat = draft_year(service, 2027, [], [], TODAY)
    assert flat == sorted(flat, key=lambda s: s.date) and len(flat) == sum(len(d.sessions) for d in drafts)


def test_a_date_on_a_holiday_moves_and_says_why() -> None:
    _, data = loaded("province-sud-del")
    drafts = {d.committee: d for d in draft_committees(data.service, 2027, [], [], TODAY)}
    keeping = drafts["Commission maintien dans le logement"]
    assert keeping.learned.startswith("chaque mois, 2e mercredi du mois")
    moved = [s for s in keeping.sessions if s.reasons]
    assert [(s.date, s.reasons) for s in moved] == [
        (date(2027, 7, 15), ("déplacée du mercredi 14 juillet (fête nationale) au jeudi 15 juillet",))]


def test_a_planning_already_started_is_completed_not_doubled() -> None:
    _, data = loaded("province-sud-del")
    for draft in draft_committees(data.service, 2027, [], [], TODAY):
        # every committee already has its January 2027 session in the planning
        assert [s for s in draft.sessions if s.date.month == 1] == []
        assert any("déjà au planning, séance du" in line and "janvier" in line for line in draft.left_out)


def _ccas_draft(table: dict, closures: list[date] = ()):
    _, data = loaded("ccas-lifou")
    rule = rule_from_table({"committee": "Commission d'aide facultative", **table}, "[[planning.committees]] n° 1")
    (draft,) = draft_committees(data.service, 2027, [rule], closures, TODAY)
    return draft


def test_a_rule_with_the_austral_summer_off_a_skipped_and_an_extra_date() -> None:
    draft = _ccas_draft({"pattern": "1er lundi", "time": "14 h", "room": "Salle du conseil",
                         "pauses": ["20/12 – 15/02"], "skipped_dates": ["07/06/2027"],
                         "extra_dates": [date(2027, 7, 19)]})
    assert [s.date for s in draft.sessions] == [
        date(2027, 3, 1), date(2027, 4, 5), date(2027, 5, 3), date(2027, 7, 5), date(2027, 7, 19),
        date(2027, 8, 2), date(2027, 9, 6), date(2027, 10, 4), date(2027, 11, 2), date(2027, 12, 6)]
    reasons = {s.date: s.reasons for s in draft.sessions if s.reasons}
    assert reasons == {date(2027, 7, 19): ("date ajoutée par la règle",),
                       date(2027, 11, 2): ("déplacée du lundi 1er novembre (Toussaint) au mardi 2 novembre",)}
    assert all(s.room == "Salle du conseil" and s.time.hour == 14 and s.duration_hours == 3 for s in draft.sessions)
    assert "lundi 4 janvier : pas de séance du 20/12 au 15/02 (règle)" in draft.left_out
    assert "lundi 7 juin : date retirée par la règle" in draft.left_out
    assert draft.applied.startswith("règle : 1er lundi du mois, 14 h, 3 h, Salle du conseil, "
                                    "pas de séance du 20/12 au 15/02")


def test_a_rule_that_skips_avoided_dates() -> None:
    draft = _ccas_draft({"pattern": "dernier lundi", "on_avoided": "sauter"}, closures=[date(2027, 12, 27)])
    dates = [s.date for s in draft.sessions]
    assert len(dates) == 10 and date(2027, 3, 29) not in dates and date(2027, 12, 27) not in dates
    assert all(s.reasons == () for s in draft.sessions)
    assert draft.left_out == ("lundi 29 mars : sautée (jour férié : lundi de Pâques)",
                              "lundi 27 décembre : sautée (fermeture du service)")
    assert draft.applied.endswith("jours évités sautés")


def test_every_two_weeks_by_rule_goes_on_from_the_given_first_date() -> None:
    draft = _ccas_draft({"pattern": "toutes les 2 semaines", "first_date": date(2027, 1, 11)})
    dates = [s.date for s in draft.sessions]
    assert dates[:3] == [date(2027, 1, 11), date(2027, 1, 25), date(2027, 2, 8)] and len(dates) == 26
    # Whit Monday and All Saints' Day fall on the fortnight: held on the Tuesday
    assert {s.date: s.reasons for s in draft.sessions if s.reasons} == {
        date(2027, 5, 18): ("déplacée du lundi 17 mai (lundi de Pentecôte) au mardi 18 mai",),
        date(2027, 11, 2): ("déplacée du lundi 1er novembre (Toussaint) au mardi 2 novembre",)}
    assert all(DaysOff([2027]).is_working(d) for d in dates)


def test_a_rule_for_an_unknown_committee_is_said() -> None:
    _, data = loaded("ccas-lifou")
    rules = [rule_from_table({"committee": name, "pattern": "2e lundi"}, "[[planning.committees]] n° 1")
             for name in ("commission d'aide FACULTATIVE", "Commission d'aide sociale")]
    assert unknown_committees(data.service, rules) == [
        "règle de planning pour « Commission d'aide sociale » : aucune commission de ce nom dans les registres"]
