"""The commands, each a typed function over a :class:`Context`; the CLI only wraps them."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from datetime import time as time_of_day
from pathlib import Path

from ..alerts import alerts
from ..planning import planning
from ..domain import attendance
from . import heartbeat
from ..engine import idle
from . import incidents
from ..convocations import invitations
from ..engine import field_needs, print_batch
from ..engine.actions import KIND_LABELS, PRINTED, REGISTERING, Plan, done_label, planned_label
from ..engine.context import Context
from .. import french
from ..french import plural
from ..errors import EXIT_OK, EXIT_PROBLEMS, UsageError, UserError
from ..documents.pdf import find_libreoffice, unavailable_message
from ..engine.executor import RunReport, apply_pending_writes, execute, prepare_documents
from ..registers.sidecar import backlog_lines, sidecar_path
from ..registers.workbook_guard import GRANT_FOLDER, folder_refusal, read_only_finding, target_of
from ..registers.xlsx_writer import package_refusal
from ..engine import journal_health
from ..engine.journal import Journal
from ..engine.journal_backup import backup_journal
from ..engine.journal_health import JournalError
from ..registers.findings import Finding, Severity
from ..registers.mapping import Mapping, load_mapping
from ..registers.read_cache import ReadCache
from ..registers.reader import Registers, read_registers, register_files
from ..registers.types import normalize_label
from ..engine.registry import ALERTS, AUTOMATIONS, Automation, choices, labels
from ..engine.retention import purge
from ..engine.run_lock import exclusive_run
from ..domain.service import Room, Service, build_service
from ..settings import Config
from .template_samples import check_templates
from ..transports.base import RoomChoice, Transport


@dataclass
class Loaded:
    mapping: Mapping
    registers: Registers
    service: Service

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.service.findings if f.severity is Severity.ERROR]


def load(ctx: Context) -> Loaded:
    mapping = load_mapping(ctx.config.paths.mapping)
    with ReadCache.beside(ctx.config.paths.journal) as cache:
        registers = read_registers(mapping, ctx.config.paths.registers, ctx.now().year, cache)
    service = build_service(registers, ctx.config, ctx.now().date())
    return Loaded(mapping, registers, service)


def selected(ctx: Context, name: str | Sequence[str] | None) -> list[Automation]:
    """One automation by name; several (those enabled among them, for a scheduled tick); or all enabled."""
    if name is None:
        return [a for a in AUTOMATIONS.values() if a.enabled(ctx)]
    if not isinstance(name, str):
        return [a for a in AUTOMATIONS.values() if a.name in name and a.enabled(ctx)]
    if name not in AUTOMATIONS:
        raise UsageError(f"Automatisation inconnue « {name} » (au choix : {choices()}).")
    return [AUTOMATIONS[name]]


def make_plans(ctx: Context, loaded: Loaded, journal: Journal, name: str | Sequence[str] | None,
               transport: Transport) -> list[tuple[Automation, Plan]]:
    """Plans never send: the transport is only asked read-only questions (is a room free?)."""
    add_listed_rooms(loaded.service, transport)
    return [(a, a.plan(ctx, loaded.service, journal, transport)) for a in selected(ctx, name)]


def add_listed_rooms(service: Service, transport: Transport) -> None:
    """Rooms of the server's room list join the known ones, so a room typed by name gets its address."""
    known = {r.email.lower() for r in service.rooms.values() if r.email}
    for room in transport.rooms():
        if room.email and room.email.lower() not in known and service.room(room.name) is None:
            service.rooms[normalize_label(room.name)] = Room(room.name, room.email, room.capacity)


def _say_rooms(ctx: Context, service: Service, transport: Transport) -> bool:
    checked = transport.check_rooms([RoomChoice(r.name, r.email, r.capacity) for r in service.rooms.values()])
    for room, problem in checked:
        size = f"{room.capacity} places" if room.capacity else "capacité inconnue : elle ne remplacera pas une salle occupée"
        ctx.say(f"  {'✗' if problem else '✓'} Salle « {room.name} » ({room.email}, {size})"
                + (f" : {problem}" if problem else " : disponibilités lisibles"))
    return not any(problem for _, problem in checked)


def config_exposure(config: Config) -> str | None:
    """A config readable by every account of the server names the mail server and its account: say so.

    A config never holds a secret (they are refused in it); what it may leak is where and as whom the
    service sends. With the outbox transport (the demo, the shipped examples) it names no server and no
    account: nothing to protect, so a clone with ordinary permissions is not warned about.
    """
    if os.name != "posix" or config.transport.backend == "outbox":
        return None  # Windows rights are ACLs: the install section of the README sets them
    mode = config.source.stat().st_mode
    if mode & (stat.S_IROTH | stat.S_IWOTH):
        return (f"le fichier de configuration, qui désigne le serveur d'envoi et son compte, est lisible par tous "
                f"les utilisateurs de la machine : chmod 600 \"{config.source}\" (ou 640 avec le groupe du service)")
    return None


def check(ctx: Context) -> int:
    cfg = ctx.config
    ctx.say(f"Configuration : {cfg.source} — correcte.")
    exposure = config_exposure(cfg)
    if exposure:
        ctx.say(f"⚠ Configuration : {exposure}.")
    rule_problems = planning.rule_problems(cfg)
    for problem in rule_problems:
        ctx.say(f"✗ Configuration : {problem}")
    journal_problem = journal_state(ctx)
    if journal_problem:
        ctx.say(f"✗ {journal_problem}")
        # the rest is checked as if no journal existed yet: nothing is read from, nor written to, the damaged one
        ctx = replace(ctx, config=replace(cfg, paths=replace(cfg.paths, journal=_nowhere(cfg.paths.journal))))
        cfg = ctx.config
    loaded = load(ctx)
    ctx.say(f"Correspondance des registres : {loaded.mapping.source.name} — correcte.")
    for line in field_needs.missing_lines(ctx, loaded.mapping):
        ctx.say(f"  ! {line}")
    templates_ok = True
    ctx.say(f"Modèles ({cfg.paths.templates}) :")
    for report in check_templates(ctx, loaded.mapping):
        fine = report.broken is None and not report.missing
        templates_ok = templates_ok and fine
        for line in report.lines(ctx.verbose):
            ctx.say(f"    {line}" if line.startswith(" ") else f"  {'✓' if fine else '✗'} {line}")
    pdf_problem = _pdf_problem(ctx)
    if pdf_problem:
        ctx.say(f"✗ {pdf_problem}")
    transport = ctx.make_transport()
    ctx.say("")
    ctx.say("Registres lus :")
    for path in loaded.registers.files:
        ctx.say(f"  - {path.name}")
        why = package_refusal(path) if cfg.write_back.enabled else None
        if why is not None:
            ctx.say(f"    ⚠ l'outil n'y écrira pas ({why}) ; ce qu'il faudrait y reporter ira dans "
                    f"« {sidecar_path(path).name} ».")
    if cfg.write_back.enabled:
        _say_unwritable(ctx, loaded)
    with Journal(cfg.paths.journal, readonly=True) as journal:
        for line in backlog_lines(journal.write_backlog()):
            ctx.say(f"  ⚠ {line}")
    for role, records in loaded.registers.records.items():
        spec = loaded.mapping.registers[role]
        ctx.say(f"  {spec.label} : {plural(len(records), 'ligne exploitable', 'lignes exploitables')}")
    _say_unmatched(ctx, loaded.registers)
    _say_findings(ctx, loaded.service.findings)
    try:
        ctx.say(f"Envois : {transport.verify()} — correct.")
        with Journal(cfg.paths.journal, readonly=True) as journal:
            plans = make_plans(ctx, loaded, journal, None, transport)
        transport_ok = _say_rooms(ctx, loaded.service, transport)
        for automation, plan in plans:
            for notice in plan.notices:
                ctx.say(f"  ! {automation.label} : {notice}")
            for alert in plan.alerts:
                ctx.say(f"  ⚑ {automation.label} : {alert}")
    except UserError as exc:
        ctx.say(f"Envois : ✗ {exc.message}")
        transport_ok = False
    finally:
        transport.close()
    ok = templates_ok and not pdf_problem and not loaded.errors and transport_ok and not journal_problem \
         and not rule_problems
    return EXIT_OK if ok else EXIT_PROBLEMS


def journal_state(ctx: Context) -> str | None:
    """French, when the journal cannot be acted on: damaged, unreadable, or lost while documents exist."""
    path = ctx.config.paths.journal
    try:
        with Journal(path, readonly=True) as journal:
            used = journal.used()
    except JournalError as exc:
        return exc.message
    return journal_health.lost_journal(path, used, ctx.config.paths.output)


def _nowhere(journal: Path) -> Path:
    """A journal path where none exists: read-only journals there are empty and in memory."""
    return journal.with_name(f".{journal.stem}-absent-{os.getpid()}{journal.suffix}")


def _say_unwritable(ctx: Context, loaded: Loaded) -> None:
    """Workbooks the tool fills that it will not be able to write, found before a run acts on them: a warning,
    as a workbook saving would strip is, since mails still leave and the journal keeps what waits."""
    written = {path for role, spec in loaded.mapping.registers.items()
               if any(fs.write_back for fs in spec.fields.values()) or role == "mail_out"
               for path in loaded.registers.files if path in register_files(spec, ctx.config.paths.registers)}
    folders: dict[Path, list[Path]] = {}
    for path in sorted(written):
        folders.setdefault(target_of(path).parent, []).append(path)
        finding = read_only_finding(path)
        if finding is not None:
            ctx.say(f"  ⚠ « {path.name} » : {finding}")
    for folder, paths in folders.items():
        refused = folder_refusal(folder)
        if refused is None:
            continue
        where = ("Dossier des registres" if folder == ctx.config.paths.registers.resolve()
                 else f"Dossier « {folder} » (où se trouve « {paths[0].name} »)")
        ctx.say(f"  ⚠ {where} : l'outil ne peut pas y créer de fichier ({refused}), il ne pourra reporter le suivi "
                f"dans aucun classeur : {GRANT_FOLDER}")


def _pdf_problem(ctx: Context) -> str | None:
    """PDFs asked for but LibreOffice absent: the Word documents still leave, without their PDF."""
    office = ctx.config.documents.libreoffice
    if not ctx.config.documents.pdf or find_libreoffice(office) is not None:
        return None
    return f"PDF demandés ([documents] pdf = true) mais {unavailable_message(office)}"


def _say_unmatched(ctx: Context, registers: Registers) -> None:
    """Headers of the mapping found in no column: a misspelling would leave its field empty without a word."""
    if not registers.unmatched:
        return
    ctx.say("")
    ctx.say(f"Correspondance : {plural(len(registers.unmatched), 'champ sans colonne', 'champs sans colonne')} "
            "dans les feuilles lues.")
    for unmatched in registers.unmatched:
        ctx.say(f"  ⚠ {unmatched.describe()}")


def _say_findings(ctx: Context, findings: list[Finding]) -> None:
    errors = [f for f in findings if f.severity is Severity.ERROR]
    warnings = [f for f in findings if f.severity is Severity.WARNING]
    ctx.say("")
    if not findings:
        ctx.say("Aucun problème dans les registres.")
        return
    ctx.say(f"Problèmes dans les registres : {plural(len(errors), 'erreur', 'erreurs')}, "
            f"{plural(len(warnings), 'avertissement', 'avertissements')}.")
    for finding in errors:
        ctx.say(f"  ✗ {finding.describe()}")
    for finding in warnings:
        ctx.say(f"  ⚠ {finding.describe()}")


def plan(ctx: Context, name: str | None = None) -> int:
    loaded = load(ctx)
    transport = ctx.make_transport()
    try:
        with Journal(ctx.config.paths.journal, readonly=True) as journal:
            plans = make_plans(ctx, loaded, journal, name, transport)
            raised = {a for _, current in plans for a in current.alerts}
            waiting = [a for a in alerts.unsent(journal) if a not in raised] if ctx.config.service.manager else []
            lost = journal_health.lost_journal(ctx.config.paths.journal, journal.used(), ctx.config.paths.output)
    finally:
        transport.close()
    if lost:  # what follows is what a run would redo: it refuses to
        ctx.say(f"✗ {lost}")
    for alert in waiting:  # raised by an earlier run that ended before its mail: the next run sends it
        ctx.say(f"  ⚑ Pour le responsable (levée par un passage précédent, pas encore envoyée) : {alert}")
    total = 0
    pdf_problem = _pdf_problem(ctx)
    if pdf_problem:
        ctx.say(f"✗ {pdf_problem}")
    for automation, current in plans:
        ctx.say(f"{automation.label} : {plural(len(current.actions), 'action', 'actions')} à faire.")
        for action in current.actions:
            ctx.say(f"  - {planned_label(action.kind, action.automation)} : {action.summary}")
        for fact in current.facts:
            ctx.say(f"  · {fact}")
        for notice in current.notices:
            ctx.say(f"  ! {notice}")
        for alert in current.alerts:
            ctx.say(f"  ⚑ Pour le responsable : {alert}" if ctx.config.service.manager else
                    f"  ⚑ À traiter (aucun responsable à prévenir : [service] manager) : {alert}")
        total += len(current.actions)
    if loaded.errors:
        ctx.say(_excluded(len(loaded.errors)))
    if total == 0:
        ctx.say("Rien à faire pour l'instant.")
    return EXIT_OK


def run(ctx: Context, name: str | Sequence[str] | None = None) -> RunReport:
    with exclusive_run(ctx.config.paths.journal, ctx.lock_wait_seconds):
        # a scheduled tick with nothing new to plan from reads no register (see idle.py)
        inputs = idle.inputs(ctx, [a.name for a in selected(ctx, name)])
        since = idle.unchanged_since(ctx, inputs) if inputs is not None else None
        if since is not None:
            idle.say_skipped(ctx, since)
            return RunReport()
        report, planned = _run(ctx, name)
        if inputs is not None:
            idle.remember(ctx, inputs, report, planned)
        return report


def _run(ctx: Context, name: str | Sequence[str] | None) -> tuple[RunReport, int]:
    """The run's report, and how many actions its plans had (before any hold)."""
    # read under the lock: a run that waited sees what the previous one wrote back
    loaded = load(ctx)
    report = RunReport(unreadable=[f.describe() for f in loaded.errors if f.row is None])
    with Journal(ctx.config.paths.journal) as journal:
        lost = journal_health.lost_journal(ctx.config.paths.journal, journal.used(), ctx.config.paths.output)
        if lost:
            raise JournalError(lost)
        journal.note_first_run(ctx.now())
        transport = ctx.make_transport()
        try:
            plans = make_plans(ctx, loaded, journal, name, transport)
            planned = sum(len(current.actions) for _, current in plans)
            hold_mass_mailing(ctx, plans)
            raised = [a for _, current in plans for a in current.alerts]
            # kept before any action can clear what raised them: a run killed before the alert's mail sends it
            alerts.remember(journal, raised, ctx.config.service.manager, ctx.now())
            for notice in prepare_documents(ctx, plans):
                ctx.say(f"  ! Documents : {notice}")
            for automation, current in plans:
                if automation.reads_backlog and current.actions:
                    apply_pending_writes(ctx, journal, report)
                execute(ctx, automation, current, journal, transport, report)
                for fact in current.facts:
                    ctx.say(f"  · {fact}")
                for notice in current.notices:
                    ctx.say(f"  ! {automation.label} : {notice}")
                for key, rows in current.attendance.items():
                    journal.note_attendance(key, rows, ctx.now())
            report.notes += print_batch.assemble(ctx, journal)
            raised = [a for _, current in plans for a in current.alerts]  # with any an action added
            for alert in dict.fromkeys(raised):
                ctx.say(f"  ⚑ {alert}")
            execute(ctx, ALERTS, alerts.plan([*alerts.unsent(journal), *raised], journal.entries(alerts.NAME),
                                             ctx.config.service.manager), journal, transport, report)
        finally:
            transport.close()
        apply_pending_writes(ctx, journal, report)
        purged = purge(journal, ctx.config.paths.output, ctx.config.safety.retention_months, ctx.now())
        # the way back from a journal damaged later: a copy of this one (checked when opened) with all this run
        # did, beside the registers' copies
        backup_journal(journal, ctx.config.paths.backups, ctx.now(), ctx.config.write_back.keep_backups)
    _say_report(ctx, report, len(loaded.errors))
    if purged.entries or purged.documents:
        ctx.say(f"Conservation ({ctx.config.safety.retention_months} mois) : détails de "
                f"{plural(purged.entries, 'action', 'actions')} effacés du journal, "
                f"{plural(purged.documents, 'document ancien supprimé', 'documents anciens supprimés')}.")
    return report, planned


def hold_mass_mailing(ctx: Context, plans: list[tuple[Automation, Plan]]) -> int:
    """Past the cap, no mail leaves in this run: a register gone wrong must not write to thousands of people.

    Documents filed for staff are still made; the manager is alerted once. Returns the mails held.
    """
    cap = ctx.config.safety.max_mails_per_run
    mails = sum(1 for _, current in plans for action in current.actions if action.kind != "file")
    if mails <= cap:
        return 0
    for _, current in plans:
        current.actions = [action for action in current.actions if action.kind == "file"]
    alert = (f"Envois suspendus : {mails} e-mails prévus en un seul passage, au-delà du plafond de {cap} "
             "([safety] max_mails_per_run). Aucun e-mail n'est parti ; vérifiez les registres (une colonne de "
             "date ou de décision remplie par erreur ?), puis relevez le plafond si ces envois sont voulus.")
    plans[0][1].alerts.append(alert)  # printed with the run's alerts, and mailed once to the manager
    return mails


def _say_report(ctx: Context, report: RunReport, excluded: int) -> None:
    for action in report.done:
        ctx.say(f"  ✓ {done_label(action.kind, action.automation)} : {action.summary}")
    for action in report.recovered:
        ctx.say(f"  ✓ {action.summary} (déjà envoyé lors d'un passage interrompu : enregistré sans renvoi)")
    for action, message in report.failed:
        ctx.say(f"  ✗ {action.summary} : {message} (nouvel essai au prochain passage)")
    for line in report.notes:
        ctx.say(f"  ! {line}")
    for line in report.deferred:
        ctx.say(f"  … {line}")
    for line in report.write_problems:
        ctx.say(f"  ✗ Report dans le registre impossible : {line}")
    for line in report.sidecars:
        ctx.say(f"  ⚠ {line}")
    for line in report.unreadable:  # a whole register or sheet left out: more than a row
        ctx.say(f"  ✗ Registre non lu : {line}")
    done = report.done + report.recovered
    received = [a for a in done if a.kind == "file" and a.automation in REGISTERING]
    filed = sum(1 for a in done if a.kind == "file") - len(received)
    documents = f", {plural(filed, 'document préparé', 'documents préparés')}" if filed else ""
    # a second copy of a registered mail is only marked: no new row to count
    registered = sum(1 for a in received if "copy_of" not in a.payload)
    documents += f", {plural(registered, 'courrier enregistré', 'courriers enregistrés')}" if registered else ""
    ctx.say(f"Bilan : {plural(len(done) - filed - len(received), 'envoi', 'envois')}{documents}, "
            f"{plural(len(report.failed), 'échec', 'échecs')}, "
            f"{plural(report.written, 'cellule reportée', 'cellules reportées')} dans les registres.")
    if excluded:
        ctx.say(_excluded(excluded))


def _excluded(count: int) -> str:
    return (f"{plural(count, 'ligne de registre écartée', 'lignes de registre écartées')} : "
            "lancez « check » pour le détail.")


def run_exit_code(report: RunReport) -> int:
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def say_service_state(ctx: Context) -> None:
    """What ``serve`` last wrote: alive or not, and per automation its last run and its next one."""
    beat = heartbeat.read(heartbeat.path_of(ctx))
    if beat is None:
        ctx.say(f"Service planifié : pas lancé sur ce journal (« {ctx.command('serve')} »).")
        ctx.say("")
        return
    if heartbeat.alive(beat, ctx.now()):
        ctx.say(f"Service planifié : en marche depuis le {_moment(beat.started_at)} (processus {beat.pid}), "
                f"dernier signe de vie le {_moment(beat.updated_at)}.")
    elif beat.stopped_at:
        ctx.say(f"Service planifié : arrêté le {_moment(beat.stopped_at)}.")
    else:
        ctx.say(f"Service planifié : ne répond plus depuis le {_moment(beat.updated_at)} "
                "(arrêté brutalement ou bloqué ?).")
    for name, state in beat.automations.items():
        label = AUTOMATIONS[name].label if name in AUTOMATIONS else name
        last = (f"dernier passage le {_moment(state.last_run)} : {state.outcome}"
                + (f" ({state.message})" if state.message else "")) if state.last_run else "pas encore lancé"
        following = f" ; prochain le {_moment(state.next_run)}" if state.next_run and not beat.stopped_at else ""
        ctx.say(f"  {label} : {last}{following}")
    ctx.say("")


def _moment(stamp: str) -> str:
    moment = datetime.fromisoformat(stamp)
    return f"{french.date_short(moment.date())} à {french.time_fr(moment.timetz())}"


def status(ctx: Context, days: int = 60) -> int:
    """The scheduled service's state, then the coming sessions: convened or not, the room, the answers."""
    say_service_state(ctx)
    loaded = load(ctx)
    today = ctx.now().date()
    coming = sorted((s for s in loaded.service.sessions if s.status == "prevue" and 0 <= (s.date - today).days <= days),
                    key=lambda s: (s.date, s.time or time_of_day.min))
    if not coming:
        ctx.say(f"Aucune séance prévue dans les {days} prochains jours.")
        return EXIT_OK
    transport = ctx.make_transport()
    try:
        with Journal(ctx.config.paths.journal, readonly=True) as journal:
            entries = {e.payload.get("natural"): e for e in journal.entries(invitations.NAME).values()}
        ctx.say(f"Séances des {days} prochains jours :")
        for session in coming:
            start = session.start(ctx.zone)
            when = f"{french.date_short(session.date)} {french.time_fr(start.timetz()) if start else '(heure ?)'}"
            ctx.say(f"  {when} – {session.committee.name}")
            entry = entries.get(invitations.natural_key(session))
            if entry is None or not entry.delivered:
                ctx.say("      convocation pas encore envoyée")
                continue
            ctx.say(f"      convoquée ({entry.payload.get('room', '')}), révision {entry.revision}")
            answers = transport.answers(entry.key)
            if answers is None:
                ctx.say("      réponses des membres : non lisibles avec ce transport")
                continue
            required, optional = invitations.invited_members(loaded.service, session, entry.payload)
            rows = attendance.expected(required, optional, answers, entry.payload.get("replaces", {}))
            ctx.say(f"      {attendance.summary(rows, session.committee.quorum)}")
    finally:
        transport.close()
    return EXIT_OK


def history(ctx: Context, limit: int = 50) -> int:
    with Journal(ctx.config.paths.journal, readonly=True) as journal:
        events = journal.events(limit)
        total = journal.event_count() if events else 0
        backlog = backlog_lines(journal.write_backlog())
    if not events:
        ctx.say("Le journal est vide : rien n'a encore été fait.")
    names = {**labels(), incidents.NAME: incidents.LABEL}
    if total > len(events):  # said first: the entries left out are the oldest, above the first one shown
        ctx.say(f"{plural(len(events), 'dernière entrée', 'dernières entrées')} sur {total} ; "
                "--limit pour en voir plus.")
    width = max(len(label) for label in names.values())
    for event in events:
        outcome = _OUTCOMES.get(event.outcome, event.outcome)
        if event.outcome == "prepared" or (event.outcome == "sent" and event.kind == "file"):
            # journals written before « prepared » existed said « sent » for a filed document too
            outcome = "préparé (à imprimer)" if event.automation in PRINTED else "préparé"
        elif event.outcome == "recovered" and event.kind == "file":
            outcome = "préparé (reprise)"
        ctx.say(f"{_when(event.at)}  {names.get(event.automation, event.automation):<{width}}  "
                f"{KIND_LABELS.get(event.kind, event.kind):<13} {outcome:<20} {event.summary}")
        ctx.say(f"{'':18}clé : {event.key} (révision {event.revision})")
    for line in backlog:
        ctx.say(line)
    return EXIT_OK


# (outcome, a document filed rather than sent) -> what the history says
_OUTCOMES = {"sent": "envoyé", "recovered": "envoyé (reprise)", "failed": "échec"}


def _when(stamp: str) -> str:
    return f"{stamp[8:10]}/{stamp[5:7]}/{stamp[0:4]} {stamp[11:16]}"
