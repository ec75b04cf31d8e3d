"""``python run.py serve``: the automations on their schedule, unattended, for months.

Each automation runs on the days and at the times of ``[schedule.<name>]``
(the ``schedule`` library, in the service's time zone). Automations plan from
the registers and the journal, so everything missed while the server was
off is caught up by the run made at start. One instance per journal: a
second ``serve`` refuses to start (an operating-system lock, freed when the
process dies). SIGTERM or Ctrl-C stops it after the action under way. A state
file says when each automation ran, how it went and when it runs next
(``python run.py status``); an automation that starts failing sends the
administrator one mail, and one more when it works again.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

import schedule
from filelock import FileLock, Timeout

from . import commands, heartbeat, incidents
from ..engine.context import TEST_CLOCK_VARIABLE, Context
from ..errors import EXIT_OK, ConfigError, UserError
from ..engine.executor import RunReport, execute
from .heartbeat import AutomationState, Heartbeat
from ..engine.journal import Journal
from ..engine.registry import AUTOMATIONS, Automation, choices
from ..engine.run_lock import exclusive_run
from ..settings.schedule import DEFAULT_SCHEDULE
from ..french import plural

log = logging.getLogger(__name__)

SHOWN_KEYS = 3  # failed actions named in a tick's message
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
INCIDENTS = Automation(name=incidents.NAME, label=incidents.LABEL,
                       plan=lambda ctx, service, journal, transport: incidents.plan(journal, ctx.config.service.admin),
                       build=incidents.build, writes=incidents.writes, enabled=lambda ctx: True)


def serve_lock_path(ctx: Context) -> str:
    journal = ctx.config.paths.journal
    return str(journal.with_name(journal.name + ".serve.lock"))


class Server:
    """The scheduler, the ticks it triggers, and the state file they keep up to date."""

    def __init__(self, ctx: Context, tick_seconds: float = 60.0,
                 on_tick: Callable[[datetime, tuple[str, ...]], None] | None = None) -> None:
        self.ctx = ctx
        self.tick_seconds = tick_seconds
        self.on_tick = on_tick
        self.scheduler = schedule.Scheduler()
        self.path = heartbeat.path_of(ctx)
        started = ctx.now().isoformat()
        self.beat = Heartbeat(pid=os.getpid(), started_at=started, updated_at=started, tick_seconds=tick_seconds)
        self.names = self._plan_jobs()

    def _plan_jobs(self) -> tuple[str, ...]:
        configured = self.ctx.config.serve.schedule
        unknown = [name for name in configured if name not in AUTOMATIONS]
        if unknown:
            raise ConfigError(str(self.ctx.config.source), [
                f"[schedule.{name}] : automatisation inconnue (au choix : {choices()})"
                for name in unknown])
        slots = {**{n: s for n, s in DEFAULT_SCHEDULE.items() if n in AUTOMATIONS}, **configured}
        moments: dict[tuple[int, str], list[str]] = {}
        for name, slot in slots.items():
            if not AUTOMATIONS[name].enabled(self.ctx):
                continue
            for day in slot.weekdays:
                for at in slot.times:
                    moments.setdefault((day, at), []).append(name)
        zone = self.ctx.config.service.timezone
        for (day, at), names in sorted(moments.items()):
            # automations due at the same moment share one run: the registers are read once
            getattr(self.scheduler.every(), DAY_NAMES[day]).at(at, zone).do(self.tick, tuple(names))
        scheduled = {name for names in moments.values() for name in names}
        return tuple(name for name in AUTOMATIONS if name in scheduled)

    def tick(self, names: Sequence[str]) -> None:
        started = self.ctx.now()
        if self.on_tick is not None:
            self.on_tick(started, tuple(names))
        failures: dict[str, str | None] = {}
        try:
            # what a run prints quotes register cells and servers' refusals: under serve, standard output
            # ends in the system's log, so the key-only log lines, the heartbeat and the journal tell it
            report = commands.run(replace(self.ctx, out=io.StringIO()), list(names))
            for name in names:
                failures[name] = _failure(report, name)
            outcome = "interrompu" if report.interrupted else None
        except UserError as exc:
            failures = {name: exc.message for name in names}
            outcome = None
        except Exception as exc:  # a tick must never end the service
            # the type only: an exception's text may quote a register's cell; the trace with --verbose
            log.error("passage %s : erreur inattendue (%s)", _labels(names), type(exc).__name__)
            log.debug("passage %s : trace de l'erreur", _labels(names), exc_info=True)
            failures = {name: f"erreur inattendue ({type(exc).__name__}) ; la commande "
                              f"« {self.ctx.command('--traceback', 'run', name)} » montre où" for name in names}
            outcome = None
        for name in names:
            state = self.beat.automations.setdefault(name, AutomationState())
            state.last_run = started.isoformat()
            state.outcome = outcome or ("échec" if failures[name] else "réussi")
            state.message = failures[name] or ""
            log.info("passage %s : %s%s", _labels([name]), state.outcome,
                     f" ({state.message})" if state.message else "")
        self._report_incidents(failures)
        self.write_heartbeat()

    def _report_incidents(self, failures: dict[str, str | None]) -> None:
        try:
            with exclusive_run(self.ctx.config.paths.journal, self.ctx.lock_wait_seconds), \
                    Journal(self.ctx.config.paths.journal) as journal:
                for name, failure in failures.items():
                    incidents.record(journal, name, failure, self.ctx.now())
                pending = incidents.plan(journal, self.ctx.config.service.admin)
                if not pending.actions:
                    return
                transport = self.ctx.make_transport()
                try:
                    execute(self.ctx, INCIDENTS, pending, journal, transport, RunReport())
                finally:
                    transport.close()
        except UserError as exc:  # the mail is retried at the next tick
            log.warning("message d'incident non envoyé : %s", exc.message)

    def next_runs(self) -> dict[str, datetime]:
        found: dict[str, datetime] = {}
        for job in self.scheduler.jobs:
            if job.next_run is None:
                continue
            moment = job.next_run.astimezone(self.ctx.zone)  # schedule keeps naive local times
            for name in job.job_func.args[0]:  # type: ignore[union-attr]
                if name not in found or moment < found[name]:
                    found[name] = moment
        return found

    def write_heartbeat(self, stopped: bool = False) -> None:
        now = self.ctx.now().isoformat()
        self.beat.updated_at = now
        if stopped:
            self.beat.stopped_at = now
        for name, moment in self.next_runs().items():
            self.beat.automations.setdefault(name, AutomationState()).next_run = moment.isoformat()
        heartbeat.write(self.path, self.beat)


def _labels(names: Sequence[str]) -> str:
    """``Convocations, Suites des commissions``: what people read, not the names typed after ``run``."""
    return ", ".join(AUTOMATIONS[name].label for name in names)


def _failure(report: RunReport, name: str) -> str | None:
    if report.unreadable:
        return f"registre illisible : {report.unreadable[0]}"
    # keys only: a server's refusal may quote an applicant's address, and this goes to the log and the admin
    failed = [action.key for action, _ in report.failed if action.automation == name]
    if failed:
        more = f" et {plural(len(failed) - SHOWN_KEYS, 'autre', 'autres')}" if len(failed) > SHOWN_KEYS else ""
        return (f"{plural(len(failed), 'action', 'actions')} en échec : {', '.join(failed[:SHOWN_KEYS])}{more} "
                "(le message de chacune : python run.py history)")
    return None


def serve(ctx: Context, *, until: datetime | None = None, tick_seconds: float = 60.0,
          on_tick: Callable[[datetime, tuple[str, ...]], None] | None = None) -> int:
    """Run until a stop request (or ``until``, for tests on a simulated clock)."""
    lock = FileLock(serve_lock_path(ctx), timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise UserError(f"Le service tourne déjà pour ce journal (verrou « {serve_lock_path(ctx)} ») : "
                        f"un seul « serve » à la fois. « {ctx.command('status')} » dit où il en est.") from exc
    ctx.progress_bars = False  # a service's output goes to its logs, for months: no bars in them
    if os.environ.get(TEST_CLOCK_VARIABLE):
        log.warning("La variable %s (réservée aux tests) fixe la date du jour : retirez-la de ce serveur.",
                    TEST_CLOCK_VARIABLE)
    try:
        server = Server(ctx, tick_seconds, on_tick)
        ctx.say(f"Service démarré : {_labels(server.names)} ; état dans {server.path}.")
        server.tick(server.names)  # what was missed while the server was off is done now
        while not ctx.stop_requested and (until is None or ctx.now() < until):
            server.scheduler.run_pending()
            server.write_heartbeat()
            idle = server.scheduler.idle_seconds
            ctx.pause(max(0.0, min(idle if idle is not None else tick_seconds, tick_seconds)))
        server.write_heartbeat(stopped=True)
        ctx.say("Service arrêté." if ctx.stop_requested else "Fin de la période demandée.")
    finally:
        lock.release()
    return EXIT_OK
