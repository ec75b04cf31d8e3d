"""The digest's facts from a hand-made service and journal: each state of a coming session, what is late, what not."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from automations.digest.content import DONE, MISSING, NOT_NEEDED, PLANNED, Step, ToPrint, gather
from automations.digest.render import render_html, render_text
from automations.engine.journal import Entry, Event
from automations.registers.findings import Finding, Severity
from automations.registers.reader import Record, Source
from automations.domain.service import Application, Committee, Service, Session
from automations.domain.session_documents import session_key
from automations.settings.model import DigestSettings

from ..conftest import NOUMEA
from ..digest_factory import Tables

NOW = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)
TODAY = NOW.date()
KAORI = Committee("Commission maintien dans le logement", "Maintien dans le logement", 15, "Salle Kaori",
                  pack_days=5)
ROOMLESS = Committee("Commission première entrée", "Première entrée", 15, "", pack_days=5)
LABELS = {"invitations": "Convocations", "packs": "Dossiers de séance", "followups": "Suites des commissions"}


def _record(row: int) -> Record:
    return Record("sessions", Source(Path("Planning.xlsx"), "Planning", row, 1), {})


def _session(committee: Committee, offset: int, status: str = "prevue", row: int = 5) -> Session:
    return Session(committee, TODAY + timedelta(days=offset), time(8, 30), 2, "", "", status, "", _record(row))


def _app(number: str, offset: int, decision: str | None = None, granted: int | None = None,
         notified: date | None = None, committee: Committee = KAORI) -> Application:
    return Application(number, "WAIA", "Marie", scheme=committee.scheme, amount_asked=100_000,
                       session_date=TODAY + timedelta(days=offset), decision=decision, amount_granted=granted,
                       notified_on=notified, email="marie.waia@mail.nc")


def _entry(key: str, payload: dict[str, Any], status: str = "done", revision: int | None = 0) -> Entry:
    return Entry(key, key.split("/")[0], status, "create", revision, "f", payload, None, 0, None, None, None, None,
                 "2026-11-20T07:30:00+11:00")


def _event(automation: str, at: datetime, outcome: str = "sent", kind: str = "create", n: int = 0) -> Event:
    return Event(f"{automation}/{n}", automation, kind, 0, outcome, f"{automation} n° {n}", None, at.isoformat())


def _service() -> Service:
    sessions = [
        _session(KAORI, 3),  # convened, but its update failed; its pack is late
        _session(KAORI, 10, "annulee", row=6),  # cancelled after its convocation left
        _session(ROOMLESS, 12, row=7),  # no room anywhere, convocation due, no application yet
        _session(KAORI, 20, row=8),  # beyond the two weeks
        _session(KAORI, -20, "tenue", row=9), _session(KAORI, -10, "tenue", row=10),
        _session(ROOMLESS, -40, "annulee", row=11), _session(KAORI, -40, "tenue", row=12),
    ]
    applications = [
        _app("A1", 3), _app("A2", 3),
        _app("B1", -20), _app("B2", -20, "accord", 50_000),
        _app("B3", -20, "refus", notified=TODAY - timedelta(days=18)),
        _app("C1", -10, "accord"), _app("C2", -10, "refus"), _app("C3", -10),
        _app("D1", -40, committee=ROOMLESS), _app("E1", -40, "accord", 70_000),
    ]
    findings = [Finding("Registre des demandes 2026.xlsx", "Demandes", 10 + n, "Courriel", "marie.waia@mail",
                        "adresse e-mail invalide", Severity.WARNING) for n in range(22)]
    findings += [Finding("Planning.xlsx", "Planning", n, "Date", "32/13/2026", "date inexistante") for n in range(3)]
    return Service(committees={"k": KAORI, "r": ROOMLESS}, sessions=sessions, applications=applications,
                   findings=findings)


def _facts():  # type: ignore[no-untyped-def]
    invitation = {"natural": "commission-maintien-dans-le-logement/" + (TODAY + timedelta(days=3)).isoformat(),
                  "room": "Salle Kaori", "room_booking": "reservee", "state": "active"}
    cancelled = {**invitation, "natural": invitation["natural"][:-10] + (TODAY + timedelta(days=10)).isoformat()}
    letter = f"letter/b2/{(TODAY - timedelta(days=20)).isoformat()}"
    entries = {
        "invitations": {"invitation/a": _entry("invitation/a", invitation, status="failed"),
                        "invitation/b": _entry("invitation/b", cancelled)},
        "packs": {},
        "followups": {letter: _entry(letter, {})},
    }
    events = [_event("followups", NOW - timedelta(days=1), n=1), _event("followups", NOW - timedelta(days=2), n=2),
              _event("followups", NOW - timedelta(days=2), outcome="prepared", kind="file", n=3),
              _event("followups", NOW - timedelta(days=3), outcome="failed", n=4),
              _event("invitations", NOW - timedelta(days=6), outcome="recovered", n=5),
              _event("invitations", NOW - timedelta(days=8), n=6), _event("autre", NOW, n=7)]
    envelopes = {2026: {"Maintien dans le logement": 100_000}}
    return gather(_service(), events, entries, NOW, DigestSettings(), 30, envelopes, LABELS)


def test_each_coming_session_says_where_it_stands() -> None:
    facts = _facts()
    assert [(s.day, s.committee, s.status, s.applications) for s in facts.sessions] == [
        (TODAY + timedelta(days=3), KAORI.name, "Prévue", 2),
        (TODAY + timedelta(days=10), KAORI.name, "Annulée", 0),
        (TODAY + timedelta(days=12), ROOMLESS.name, "Prévue", 0)]
    convened, cancelled, roomless = facts.sessions
    assert (convened.room, convened.invitation, convened.pack) == (
        Step(DONE, "Salle Kaori (réservée)"),
        Step(MISSING, "envoyée ; échec de sa mise à jour, nouvel essai au prochain passage"),
        Step(MISSING, "pas envoyé : délai du dossier dépassé"))
    assert (cancelled.room, cancelled.invitation, cancelled.pack) == (
        Step(NOT_NEEDED, "—"), Step(MISSING, "convoquée : annulation pas encore envoyée aux membres"),
        Step(NOT_NEEDED, "—"))
    assert (roomless.room, roomless.invitation, roomless.pack) == (
        Step(MISSING, "aucune salle indiquée"), Step(MISSING, "pas envoyée : délai de convocation dépassé"),
        Step(PLANNED, "aucun dossier inscrit à cette séance"))


def test_late_means_undecided_after_two_weeks_or_decided_and_not_notified() -> None:
    facts = _facts()
    # 20 days after: B1 undecided; 10 days after: not late yet; the cancelled session's application is moved by staff
    assert [(u.day, u.days_since, u.undecided, u.examined) for u in facts.undecided] == [
        (TODAY - timedelta(days=20), 20, 1, 3)]
    # B2's letter left, B3 was notified by hand; C1 waits for its amount; E1 is older than the follow-ups' 30 days
    assert [(u.day, u.numbers, u.waiting_amount) for u in facts.unsent] == [
        (TODAY - timedelta(days=10), ("C1", "C2"), ("C1",))]
    assert facts.late == 3


def test_the_weeks_sends_by_automation_in_the_runs_order() -> None:
    facts = _facts()
    assert [(g.automation, g.label, g.sent, g.filed, g.summaries) for g in facts.sent] == [
        ("invitations", "Convocations", 1, 0, ("invitations n° 5",)),
        # the document prepared for the post is counted apart, and listed with what waits to be printed
        ("followups", "Suites des commissions", 2, 1, ("followups n° 1", "followups n° 2")),
        ("autre", "autre", 1, 0, ("autre n° 7",))]
    assert (facts.total_sent, facts.total_filed) == (4, 1)


def test_register_problems_without_their_values_errors_first() -> None:
    problems = _facts().problems
    assert (problems.errors, problems.warnings, len(problems.shown), problems.more) == (3, 22, 20, 5)
    assert [error for error, _ in problems.shown] == [True] * 3 + [False] * 17
    assert problems.shown[0][1] == ("« Planning.xlsx », feuille « Planning », ligne 0, colonne « Date » : "
                                    "date inexistante")
    assert not any("marie.waia" in text for _, text in problems.shown)


def test_budget_and_week() -> None:
    facts = _facts()
    [line] = facts.budget
    assert (line.scheme, line.envelope, line.committed) == ("Maintien dans le logement", 100_000, 120_000)
    assert (facts.week, facts.monday, facts.ahead_until) == ("2026-W48", TODAY, TODAY + timedelta(days=14))


@pytest.mark.parametrize("booking, step", [
    ("reservee", Step(DONE, "Salle Kaori (réservée)")),
    ("invitee", Step(PLANNED, "Salle Kaori (invitée par e-mail, réservation non confirmée)")),
    ("indiquee", Step(PLANNED, "Salle Kaori (indiquée dans la convocation, à réserver)")),
    (None, Step(PLANNED, "Salle Kaori (indiquée dans la convocation, à réserver)")),
])
def test_a_room_is_said_booked_only_when_a_server_booked_it(booking: str | None, step: Step) -> None:
    invitation = {"natural": "commission-maintien-dans-le-logement/" + (TODAY + timedelta(days=3)).isoformat(),
                  "room": "Salle Kaori", "state": "active"}
    if booking:
        invitation["room_booking"] = booking
    entries = {"invitations": {"invitation/a": _entry("invitation/a", invitation)}, "packs": {}, "followups": {}}
    facts = gather(_service(), [], entries, NOW, DigestSettings(), 30, {}, LABELS)
    assert facts.sessions[0].room == step


def _prepared(key: str, payload: dict[str, Any], at: datetime) -> Entry:
    """A follow-up document the tool filed for staff to print and post."""
    return Entry(key, "followups", "done", "file", 0, "f", payload, None, 0, None, None, None, None, at.isoformat())


def test_documents_to_print_are_listed_until_posted_and_never_as_sent() -> None:
    c_day, b_day = TODAY - timedelta(days=10), TODAY - timedelta(days=20)
    c_session, b_session = session_key(KAORI.name, c_day), session_key(KAORI.name, b_day)
    entries = {"followups": {
        # prepared two days ago, « Notifié le » still empty: waits for the post
        f"letter/c2/{c_day}": _prepared(f"letter/c2/{c_day}", {"application": "C2", "decision": "refus",
                                                                "natural": c_session}, NOW - timedelta(days=2)),
        # prepared 19 days ago, posted the day after (staff filled « Notifié le »)
        f"letter/b3/{b_day}": _prepared(f"letter/b3/{b_day}", {"application": "B3", "decision": "refus",
                                                                "natural": b_session}, NOW - timedelta(days=19)),
        # a notice is listed the week it was prepared: nothing tells when it was posted
        "notice/c/casino": _prepared("notice/c/casino", {"supplier": "Casino Johnston", "natural": c_session},
                                     NOW - timedelta(days=3)),
        "notice/b/sic": _prepared("notice/b/sic", {"supplier": "SIC", "natural": b_session}, NOW - timedelta(days=9)),
        f"letter/b2/{b_day}": _entry(f"letter/b2/{b_day}", {"application": "B2", "natural": b_session}),  # mailed
    }}
    events = [_event("followups", NOW - timedelta(days=2), outcome="prepared", kind="file", n=1),
              _event("followups", NOW - timedelta(days=3), outcome="prepared", kind="file", n=2),
              _event("followups", NOW - timedelta(days=1), n=3)]
    facts = gather(_service(), events, entries, NOW, DigestSettings(), 30, {}, LABELS)
    label = f"{KAORI.name}, séance du {c_day:%d/%m/%Y}"
    assert facts.to_print == (
        ToPrint(label, "Avis au fournisseur Casino Johnston", TODAY - timedelta(days=3), "avis Casino Johnston"),
        ToPrint(label, "Courrier de décision (Refus) – dossier C2", TODAY - timedelta(days=2), "courrier C2"))
    assert [u.numbers for u in facts.unsent] == [("C1",)]  # C2's letter is prepared: not late, waiting for the post
    [group] = facts.sent
    assert (group.sent, group.filed, group.summaries, group.more) == (1, 2, ("followups n° 3",), 0)
    assert facts.total_sent == 1

    text = render_text(facts, "DEL")
    assert (f"À IMPRIMER ET POSTER\n  - {label} : Avis au fournisseur Casino Johnston, préparé le 20/11/2026\n"
            f"  - {label} : Courrier de décision (Refus) – dossier C2, préparé le 21/11/2026\n") in text
    assert "Suites des commissions : 1 envoi, 2 documents préparés\n    - followups n° 3\n" in text
    tables = Tables(render_html(facts, "DEL"))
    assert tables.rows("a-imprimer") == [
        [label, "2", "avis Casino Johnston, courrier C2\npréparés depuis le 20/11/2026"]]
    assert dict(tables.tables["en-bref"])["À imprimer et poster"] == "2"

    # staff post C2's letter and fill « Notifié le »: it leaves the list
    service = _service()
    service.applications = [replace(a, notified_on=TODAY) if a.number == "C2" else a for a in service.applications]
    assert [t.what for t in gather(service, events, entries, NOW, DigestSettings(), 30, {}, LABELS).to_print] == [
        "Avis au fournisseur Casino Johnston"]


def test_a_date_held_by_the_planning_is_not_a_convocation_sent() -> None:
    hold = {"natural": "commission-maintien-dans-le-logement/" + (TODAY + timedelta(days=3)).isoformat(),
            "room": "Salle Kaori", "room_booking": "reservee", "state": "hold"}
    entries = {"invitations": {"invitation/a": _entry("invitation/a", hold)}, "packs": {}, "followups": {}}
    facts = gather(_service(), [], entries, NOW, DigestSettings(), 30, {}, LABELS)
    held = facts.sessions[0]
    assert held.room == Step(DONE, "Salle Kaori (réservée)")  # the holding invitation booked it
    assert held.invitation == Step(MISSING, "pas envoyée (date seulement réservée) : délai de convocation dépassé")
