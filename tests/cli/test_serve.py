"""``serve`` on a simulated clock: the day's ticks, catching up after a gap, one instance, a clean stop,
one mail per incident, and a week of the demo service without a duplicate."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import os
import signal
import subprocess
import sys
import time
import types
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import schedule

from automations.cli import commands, heartbeat
from automations.cli.main import main
from automations.engine.context import Context
from automations.cli.demo import set_up
from automations.engine.journal import Journal
from automations.cli.serve import serve
from automations.settings import load_config
from automations.transports import settings_checks
from automations.transports.outbox import OutboxTransport

from ..conftest import NOUMEA, PROJECT, FakeClock
from ..follow_up_factory import make_follow_up_service as make_service

ALL = ("invitations", "packs", "minutes", "followups", "report")  # the report is due once a year, from January


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch):
    """A clock the schedule library reads too, and that a pause moves forward instead of sleeping."""
    clock = FakeClock(datetime(2026, 11, 24, 0, 0, tzinfo=NOUMEA))

    class SimulatedDatetime(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            moment = clock()
            return moment.astimezone(tz) if tz else moment.astimezone().replace(tzinfo=None)

    monkeypatch.setattr(schedule, "datetime", types.SimpleNamespace(
        datetime=SimulatedDatetime, timedelta=dt.timedelta, time=dt.time, date=dt.date))

    def pause(seconds: float) -> None:
        clock.moment += timedelta(seconds=seconds)

    return clock, pause


def simulated(config: Path, clock: FakeClock, pause) -> Context:  # type: ignore[no-untyped-def]
    ctx = Context(config=load_config(config, backends=settings_checks()), clock=clock, out=io.StringIO(),
                  sleep=pause)
    return ctx


def run_serve(ctx: Context, until: datetime, tick: float = 600) -> list[tuple[datetime, tuple[str, ...]]]:
    ticks: list[tuple[datetime, tuple[str, ...]]] = []
    serve(ctx, until=until, tick_seconds=tick, on_tick=lambda moment, names: ticks.append((moment, names)))
    return ticks


def outbox(folder: Path) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted((folder / "boite-d-envoi").glob("*/*.eml"))]


def test_a_day_of_schedule(tmp_path: Path, sim) -> None:
    clock, pause = sim
    config = make_service(tmp_path / "s")
    ticks = run_serve(simulated(config, clock, pause), until=datetime(2026, 11, 25, 0, 0, tzinfo=NOUMEA))
    assert [(moment.strftime("%H:%M"), names) for moment, names in ticks] == [
        ("00:00", ALL),  # the catch-up run at start
        ("07:30", ("invitations", "packs", "minutes", "report")),
        *((f"{hour:02d}:00", ("followups",)) for hour in range(8, 18))]
    beat = heartbeat.read(config.parent / "serve-etat.json")
    assert beat is not None and beat.stopped_at is not None
    assert beat.automations["followups"].last_run.startswith("2026-11-24T17:00")
    assert beat.automations["followups"].next_run.startswith("2026-11-25T08:00")
    assert beat.automations["invitations"].outcome == "réussi"


def test_a_configured_schedule_and_a_weekend(tmp_path: Path, sim) -> None:
    clock, pause = sim
    config = make_service(tmp_path / "s")
    with config.open("a", encoding="utf-8") as stream:
        stream.write('[schedule.followups]\ndays = ["lundi", "jeudi"]\nat = ["12:15"]\n'
                     '[schedule.invitations]\ndays = "tous les jours"\nat = ["06:00"]\n')
    clock.moment = datetime(2026, 11, 27, 23, 0, tzinfo=NOUMEA)  # a Friday night
    ticks = run_serve(simulated(config, clock, pause), until=datetime(2026, 11, 30, 13, 0, tzinfo=NOUMEA))
    assert [(moment.strftime("%a %H:%M"), names) for moment, names in ticks[1:]] == [
        ("Sat 06:00", ("invitations",)), ("Sun 06:00", ("invitations",)), ("Mon 06:00", ("invitations",)),
        ("Mon 07:30", ("packs", "minutes", "report")), ("Mon 12:15", ("followups",))]


def test_what_was_missed_while_off_is_caught_up_at_start(tmp_path: Path, sim) -> None:
    clock, pause = sim
    config = make_service(tmp_path / "s")  # a session on 2 December, convened 15 days before: from 17 November
    clock.moment = datetime(2026, 11, 9, 7, 0, tzinfo=NOUMEA)
    run_serve(simulated(config, clock, pause), until=datetime(2026, 11, 9, 12, 0, tzinfo=NOUMEA))
    assert outbox(config.parent) == []
    clock.moment = datetime(2026, 11, 22, 10, 0, tzinfo=NOUMEA)  # back on a Sunday: no tick is scheduled
    ticks = run_serve(simulated(config, clock, pause), until=datetime(2026, 11, 22, 10, 30, tzinfo=NOUMEA))
    assert [names for _, names in ticks] == [ALL]
    [mail] = [m for m in outbox(config.parent) if "Convocation" in m["Subject"]]
    assert mail["Subject"].startswith("Convocation") and "2 décembre 2026" in mail["Subject"]


class StoppingOutbox(OutboxTransport):
    """The outbox, and SIGTERM arriving while the second mail of the run is being sent."""

    sent = 0

    def send_mail(self, mail):  # type: ignore[no-untyped-def]
        delivered = super().send_mail(mail)
        StoppingOutbox.sent += 1
        if StoppingOutbox.sent == 2:
            os.kill(os.getpid(), signal.SIGTERM)
        return delivered


def test_sigterm_during_a_run_stops_after_the_action_under_way(tmp_path: Path, sim) -> None:
    clock, pause = sim
    clock.moment = datetime(2026, 11, 23, 7, 0, tzinfo=NOUMEA)
    folder = tmp_path / "demo"
    set_up(folder, clock().date(), manager="", report_now=False)
    ctx = simulated(folder / "config.toml", clock, pause)
    ctx.transport_factory = lambda c: StoppingOutbox(c.config.transport.options, base=folder, now=c.now)
    StoppingOutbox.sent = 0
    previous = signal.signal(signal.SIGTERM, lambda *_: ctx.stop.set())
    try:
        ticks = run_serve(ctx, until=datetime(2026, 11, 23, 18, 0, tzinfo=NOUMEA))
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert len(ticks) == 1 and "Service arrêté." in ctx.out.getvalue()  # type: ignore[attr-defined]
    with Journal(folder / "journal.sqlite3") as journal:
        rows = journal.db.execute("SELECT key, status, pending_revision FROM actions").fetchall()
        assert all(r["status"] == "done" and r["pending_revision"] is None for r in rows)  # nothing half-recorded
        # three meetings, then the two packs: the signal came during the second pack, which was completed
        assert len(journal.events()) == len(rows) == len(outbox(folder)) == 5
        assert {r["key"].split("/")[0] for r in rows} == {"invitation", "pack"}
    assert heartbeat.read(folder / "serve-etat.json").automations["invitations"].outcome == "interrompu"

    again = simulated(folder / "config.toml", clock, pause)
    run_serve(again, until=clock() + timedelta(minutes=5))
    sent = outbox(folder)
    assert len(sent) == 24 and len({m["Message-ID"] for m in sent}) == 24  # 2 of them acknowledgements


def test_one_mail_per_incident_and_one_when_it_recovers(tmp_path: Path, sim) -> None:
    clock, pause = sim
    config = make_service(tmp_path / "s")
    text = config.read_text(encoding="utf-8").replace(
        'manager = "cheffe@province-sud.nc"\n', 'manager = "cheffe@province-sud.nc"\nadmin = "info@province-sud.nc"\n')
    config.write_text(text, encoding="utf-8")
    planning = config.parent / "registres" / "Planning des instances 2026.xlsx"
    good = planning.read_bytes()
    planning.write_bytes(b"not a workbook")  # staff saved something else under its name
    clock.moment = datetime(2026, 11, 23, 6, 0, tzinfo=NOUMEA)
    run_serve(simulated(config, clock, pause), until=datetime(2026, 11, 23, 13, 30, tzinfo=NOUMEA))
    to_admin = [m for m in outbox(config.parent) if m["To"].addresses[0].addr_spec == "info@province-sud.nc"]
    # one mail per automation for the whole morning of failed ticks
    assert sorted(m["Subject"] for m in to_admin) == ["[Commissions] Incident : comptes rendus",
                                                      "[Commissions] Incident : convocations",
                                                      "[Commissions] Incident : dossiers de séance",
                                                      "[Commissions] Incident : rapport d'activité",
                                                      "[Commissions] Incident : suites des commissions"]
    body = next(m for m in to_admin if m["Subject"].endswith("convocations")).get_body().get_content()
    assert "registre illisible" in body and "Planning des instances 2026.xlsx" in body
    assert "lundi 23 novembre 2026 à 6 h" in body
    status_ctx = simulated(config, clock, pause)
    commands.say_service_state(status_ctx)
    assert "Convocations : dernier passage le 23/11/2026 à 7 h 30 : échec (registre illisible" in \
        status_ctx.out.getvalue()  # type: ignore[attr-defined]

    planning.write_bytes(good)
    run_serve(simulated(config, clock, pause), until=datetime(2026, 11, 23, 18, 30, tzinfo=NOUMEA))
    to_admin = [m for m in outbox(config.parent) if m["To"].addresses[0].addr_spec == "info@province-sud.nc"]
    assert len(to_admin) == 10
    assert sorted(m["Subject"] for m in to_admin if "Rétabli" in m["Subject"]) == [
        "[Commissions] Rétabli : comptes rendus", "[Commissions] Rétabli : convocations",
        "[Commissions] Rétabli : dossiers de séance", "[Commissions] Rétabli : rapport d'activité",
        "[Commissions] Rétabli : suites des commissions"]


def test_a_week_of_the_demo_service_without_a_duplicate(tmp_path: Path, sim) -> None:
    clock, pause = sim
    clock.moment = datetime(2026, 11, 23, 7, 0, tzinfo=NOUMEA)
    folder = tmp_path / "demo"
    set_up(folder, clock().date(), manager="cheffe@province-sud.nc", report_now=False)
    config = folder / "config.toml"
    ticks = run_serve(simulated(config, clock, pause), until=datetime(2026, 11, 30, 9, 0, tzinfo=NOUMEA), tick=900)
    # the demo acknowledges its new applications and registers the mail in its inbox folder
    assert ticks[0][1] == ("invitations", "packs", "minutes", "followups", "receipts", "report", "incoming",
                           "digest")
    weekdays = [moment for moment, _ in ticks[1:]]
    assert len(weekdays) == 5 * 11 + 4 and all(m.weekday() < 5 for m in weekdays)
    # the digest's own slot, Monday 8:05; this week's already left with the run made at start
    assert [m.strftime("%d/%m %H:%M") for m, names in ticks if "digest" in names] == [
        "23/11 07:00", "23/11 08:05", "30/11 08:05"]
    with Journal(folder / "journal.sqlite3") as journal:
        events = journal.events(1000)
    sent = [(e.key, e.revision) for e in events if e.outcome in ("sent", "recovered")]
    assert len(sent) == len(set(sent)) and not [e for e in events if e.outcome == "failed"]
    messages = outbox(folder)
    assert len({m["Message-ID"] for m in messages}) == len(messages) == sum(1 for e in events if e.kind != "file")
    # the second committee's session, 20 days ahead at the start, entered its 15 days on Saturday:
    # it was convened at the first scheduled run after, Monday 7:30
    convened = [e for e in events if e.automation == "invitations"]
    assert len(convened) == 4 and convened[-1].at.startswith("2026-11-30T07:30")
    digests = [m["Subject"] for m in messages if m["Subject"].startswith("Résumé hebdomadaire")]
    assert digests == ["Résumé hebdomadaire des commissions – semaine du 23 novembre 2026",
                       "Résumé hebdomadaire des commissions – semaine du 30 novembre 2026"]
    ctx = simulated(folder / "config.toml", clock, pause)
    commands.plan(ctx)
    assert "Rien à faire pour l'instant." in ctx.out.getvalue()  # type: ignore[attr-defined]


def test_a_second_serve_refuses_and_sigterm_stops_the_first(tmp_path: Path) -> None:
    config = make_service(tmp_path / "s")
    first = subprocess.Popen([sys.executable, str(PROJECT / "run.py"), "--config", str(config), "serve"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    state = config.parent / "serve-etat.json"
    deadline = time.monotonic() + 60
    while heartbeat.read(state) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert heartbeat.read(state) is not None, first.stderr.read() if first.poll() is not None else "no heartbeat"
    second = subprocess.run([sys.executable, str(PROJECT / "run.py"), "--config", str(config), "serve"],
                            capture_output=True, text=True, timeout=60)
    assert second.returncode == 1
    assert second.stderr.startswith("Erreur : Le service tourne déjà pour ce journal")
    first.send_signal(signal.SIGTERM)
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert "Service arrêté." in out
    assert heartbeat.read(state).stopped_at is not None  # type: ignore[union-attr]
    assert main(["--config", str(config), "status"]) == 0


def serve_with_logs(ctx: Context, until: datetime) -> Path:
    """Serve with the service's own log file, then give the test process its logging back."""
    import logging

    from automations.cli import service_logs

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        target = service_logs.configure(ctx.config.serve, verbose=False)
        run_serve(ctx, until=until)
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
    return target


def test_logs_one_line_per_action_with_its_key_and_no_name(tmp_path: Path, sim) -> None:
    clock, pause = sim
    config = make_service(tmp_path / "s")
    with config.open("a", encoding="utf-8") as stream:
        stream.write('\n[serve]\nlogs = "journaux"\nlog_rotation = "taille"\nlog_max_mb = 1\nlog_keep = 3\n')
    ctx = simulated(config, clock, pause)
    target = serve_with_logs(ctx, until=datetime(2026, 11, 24, 9, 0, tzinfo=NOUMEA))
    assert target == config.parent / "journaux" / "commissions.log"
    text = target.read_text(encoding="utf-8")
    assert " info : Suites des commissions, letter/del-2026-0301/2026-11-13 rév. 0 : déposé dans la boîte d'envoi" in text
    assert " info : passage Suites des commissions : réussi" in text
    assert "INFO" not in text and "automations." not in text  # no English level, no module name
    for name in ("WAHEO", "Gaëlle", "gaelle.waheo"):  # the applicants stay out of the logs
        assert name not in text


def test_a_refusal_quoting_an_applicant_reaches_log_and_admin_as_keys(tmp_path: Path, sim) -> None:
    clock, pause = sim
    config = make_service(tmp_path / "s")
    text = config.read_text(encoding="utf-8").replace(
        'manager = "cheffe@province-sud.nc"\n', 'manager = "cheffe@province-sud.nc"\nadmin = "info@province-sud.nc"\n')
    # the guard refuses the applicants' own domains, and names the addresses in its refusal
    config.write_text(text + '\n[safety]\nallowed_domains = ["province-sud.nc"]\n'
                             '\n[serve]\nlogs = "journaux"\n', encoding="utf-8")
    ctx = simulated(config, clock, pause)
    target = serve_with_logs(ctx, until=datetime(2026, 11, 23, 9, 0, tzinfo=NOUMEA))
    with Journal(config.parent / "journal.sqlite3") as journal:
        refused = [e for e in journal.events(100, "followups") if e.outcome == "failed"]
    assert refused and "gaelle.waheo" in " ".join(e.summary for e in refused)  # the journal keeps the detail
    log_text = target.read_text(encoding="utf-8")
    [incident] = [m for m in outbox(config.parent) if m["Subject"] == "[Commissions] Incident : suites des commissions"]
    body = incident.get_body().get_content()
    assert len(refused) > 1
    assert f"{len(refused)} actions en échec : letter/" in body and "python run.py history" in body
    assert f"passage Suites des commissions : échec ({len(refused)} actions en échec : letter/" in log_text
    printed = ctx.out.getvalue()  # type: ignore[attr-defined]
    assert printed.startswith("Service démarré")  # standard output under serve: the system's log
    for name in ("WAHEO", "Gaëlle", "gaelle.waheo"):
        assert name not in log_text and name not in body and name not in printed
