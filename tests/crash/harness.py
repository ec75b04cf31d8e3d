"""Kill a real run at a chosen point, rerun it until it is clean, and compare with an uninterrupted run.

A scenario is a service folder and a transport (the outbox, or a real SMTP or
EWS server in this process). Its reference is the same folder run once
without a kill, counting how often each kill point is reached, so a case can
ask for the first, middle or last occurrence. Every case starts from a fresh
copy, kills the child running ``tests.crash.child`` (forked from a server that imported the
program once) with SIGKILL, reruns ``run``
until it exits 0, then reads what a person would check: the mails delivered
(by delivery id), the journal, the workbooks with openpyxl and calamine, the
backups, the documents, and leftover temporary files.
"""

from __future__ import annotations

import collections
import email
import hashlib
import email.policy
import json
import multiprocessing
import multiprocessing.context
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
from python_calamine import CalamineWorkbook

from automations.cli.demo import set_up

from ..conftest import pinned_clock_env
from ..follow_up_factory import make_follow_up_service
from ..receipts.receipt_factory import make_receipt_service, new_applications
from ..service_factory import make_service

PROJECT = Path(__file__).resolve().parents[2]
DAY = date(2026, 11, 23)
MOMENT = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Pacific/Noumea"))
_STATUS_LOST = 255  # multiprocessing's exit code of a forkserver child whose end was not reported
RERUNS = 3  # a crashed run is followed by at most this many runs without a kill
Deliveries = Callable[[], "collections.Counter[str]"]


@dataclass(frozen=True)
class Case:
    scenario: str
    point: str
    at: str  # "first", "middle", "last" occurrence of the point in the reference run, or a number

    @property
    def name(self) -> str:
        return f"{self.scenario}-{self.point}-{self.at}"


@dataclass
class State:
    """What a person finds after the runs."""

    deliveries: collections.Counter[str]
    journal: dict[str, tuple[str, int | None]]
    journal_problems: list[str]
    workbooks: dict[str, Any]  # name -> values read by openpyxl and by calamine, or why it is unreadable
    damaged: list[str]  # backups unreadable, temporary files left
    documents: set[str]
    document_problems: list[str]


@dataclass
class Outcome:
    case: Case
    n: int = 0
    killed: bool = False
    runs: int = 0  # runs after the kill, up to the clean one
    duplicates: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)  # workbooks
    other: list[str] = field(default_factory=list)  # journal, documents, reruns never clean

    @property
    def clean(self) -> bool:
        return self.killed and not (self.duplicates or self.lost or self.damaged or self.other)


# -- scenarios -------------------------------------------------------------------------------------------


def _demo(folder: Path) -> Path:
    set_up(folder, DAY, manager="", report_now=False)
    config = folder / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("pdf = true", "pdf = false"), encoding="utf-8")
    return config


def _follow_ups(folder: Path, extra: str = "") -> Path:
    return make_follow_up_service(folder, extra=extra)


def _with_pdf(folder: Path) -> Path:
    return _follow_ups(folder, "\n[documents]\npdf = true\n")


def _over_budget(folder: Path) -> Path:
    """The session's accords take its scheme past the year's envelope: the manager is alerted after the letters."""
    return _follow_ups(folder, '\n[budget.2026]\n"Maintien dans le logement" = 300000\n')


def _withdrawn_member(folder: Path) -> Path:
    """A convened session from which a member has since been withdrawn: the update cancels for them first."""
    config = make_service(folder)
    if _run_child(folder, config, "none", 0, MOMENT - timedelta(days=1)) != 0:
        raise RuntimeError(f"the first run of the withdrawn scenario failed: see {folder / 'runs.log'}")
    path = folder / "registres" / "Planning des instances 2026.xlsx"
    workbook = openpyxl.load_workbook(path)
    members = workbook["Membres"]
    [row] = [c.row for c in members["E"] if c.value == "therese.xowie@ville-noumea.nc"]
    members.delete_rows(row)
    workbook.save(path)
    return config


def _planning(folder: Path) -> Path:
    """From the 1st of October next year is drafted: next year's workbook made, each session held in calendars."""
    config = make_service(folder)
    config.write_text(config.read_text(encoding="utf-8") + PLANNING_RULE, encoding="utf-8")
    return config


def _incoming(folder: Path) -> Path:
    """The demo's inbox only: six mails, one with two attachments, one a second copy of another (same Message-ID)."""
    from tests.incoming.mails import drop, mail

    config = _demo(folder)
    text = config.read_text(encoding="utf-8")
    for section in ("[packs]\n", "[follow_ups]\n"):
        text = text.replace(section, f"{section}enabled = false\n")
    text = text.replace("[invitations]\nenabled = true", "[invitations]\nenabled = false")
    config.write_text(text + "\n[minutes]\nenabled = false\n", encoding="utf-8")
    inbox = folder / "boite-de-reception"
    drop(inbox, "04-pieces.eml", mail("<pieces@cafat.nc>", "CAFAT <c@cafat.nc>", "Pièces du dossier", attachments=[
        ("avis.txt", b"avis de la caisse"), ("releve.txt", b"releve")]), 2_000_000_000)
    drop(inbox, "05-copie.eml", mail("<pieces@cafat.nc>", "CAFAT <c@cafat.nc>", "Pièces du dossier (copie)"),
         2_000_000_100)
    drop(inbox, "06-mairie.eml", mail("<rdv@we.nc>", subject="Rendez-vous"), 2_000_000_200)
    return config


def _incoming_deliveries(folder: Path) -> collections.Counter[str]:
    """Each row added to the register (number, sender, subject) and each mail filed away or left in the inbox."""
    found: collections.Counter[str] = collections.Counter()
    sheet = openpyxl.load_workbook(folder / "registres" / f"Courrier arrivé {DAY.year}.xlsx")["Courrier arrivé"]
    for row in list(sheet.iter_rows(min_row=2, values_only=True))[8:]:
        if row[1]:
            found[f"ligne {row[1]} : {row[2]} – {row[3]}"] += 1
            found[f"numéro {row[1]}"] += 1
    inbox = folder / "boite-de-reception"
    found.update(f"rangé : {p.name}" for p in (inbox / "enregistrés").glob("*.eml"))
    found.update(f"pas rangé : {p.name}" for p in inbox.glob("*.eml"))
    return found


PLANNING_RULE = """
[planning]
enabled = true

[[planning.committees]]
committee = "Commission maintien dans le logement"
pattern = "1er lundi"
time = "9 h"
duration_hours = 2
room = "Salle Kaori"
pauses = ["01/06 – 31/12"]
"""


def _receipts(folder: Path) -> Path:
    """New applications acknowledged: two by mail, one filed to print, each date written in the register."""
    return make_receipt_service(folder, new_applications())


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "demo": _demo, "followups": _follow_ups, "pdf": _with_pdf, "smtp": _follow_ups, "exchange": _follow_ups,
    "withdrawn": _withdrawn_member, "budget": _over_budget, "planning": _planning, "incoming": _incoming,
}
BUILDERS["receipts"] = _receipts


def _outbox_deliveries(folder: Path) -> collections.Counter[str]:
    found: collections.Counter[str] = collections.Counter()
    for path in sorted((folder / "boite-d-envoi").glob("*/*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        found[str(message["X-Commission-Key"])] += 1
    return found


@contextmanager
def _transport(scenario: str, folder: Path, config: Path) -> Iterator[tuple[Deliveries, dict[str, str]]]:
    """The transport's server, if any, with the config pointed at it: what it delivered, the secrets to pass."""
    if scenario == "smtp":
        from ..smtp_server import PASSWORD, smtp_server
        from ..transports.test_smtp import smtp_config

        with smtp_server(folder) as server:
            smtp_config(config, server.settings())
            yield (lambda: collections.Counter(str(r.message["X-Commission-Key"]) for r in server.inbox.received),
                   {"SMTP_TEST_PASSWORD": PASSWORD})
        return
    if scenario == "exchange":
        from ..ews.server import PASSWORD as EWS_PASSWORD
        from ..ews.server import ews_server
        from ..transports.test_exchange import add_rooms, exchange_config

        with ews_server(folder) as server:
            add_rooms(server)
            exchange_config(config, server.settings())
            # what reached each person: one delivery id, recipient and kind once
            yield (lambda: collections.Counter(f"{d.item.extended.get('CommissionDelivery')} → {d.recipient} ({d.kind})"
                                               for d in server.store.delivered),
                   {"EWS_TEST_PASSWORD": EWS_PASSWORD})
        return
    if scenario == "incoming":
        yield (lambda: _incoming_deliveries(folder)), {}
        return
    yield (lambda: _outbox_deliveries(folder)), {}


# -- runs ------------------------------------------------------------------------------------------------


_forks: list[multiprocessing.context.ForkServerContext] = []


def _fork_server() -> multiprocessing.context.ForkServerContext:
    """One process per test process that imports the program once (``preload``) and forks each run's child
    from there: a child is still a process of its own, killed by SIGKILL, without paying the interpreter's
    start-up."""
    if not _forks:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["tests.crash.preload"])
        _forks.append(context)
    return _forks[0]


def _run_child(folder: Path, config: Path, point: str, n: int, moment: datetime,
               env: dict[str, str] | None = None) -> int:
    killed = folder.with_name(f"{folder.name}.tue")
    killed.unlink(missing_ok=True)
    environment = {**os.environ, **(env or {}), **pinned_clock_env(moment),
                   "CRASH_COUNTS": str(folder / "points.json"), "CRASH_KILLED": str(killed)}
    if sys.platform == "win32":  # no fork there: a fresh interpreter, as before
        done = subprocess.run([sys.executable, "-m", "tests.crash.child", point, str(n), str(config)], cwd=PROJECT,
                              env=environment, stdin=subprocess.DEVNULL, capture_output=True, timeout=600,
                              check=False)
        code, said = done.returncode, done.stdout.decode() + done.stderr.decode()
    else:
        code, said = _forked_child([point, str(n), str(config)], environment)
        if code == _STATUS_LOST and killed.exists():
            # multiprocessing reports 255 when the fork server's report of a child's end does not arrive
            # (popen_forkserver.poll: "perhaps the forkserver process itself got killed"; cpython#140867,
            # under load): the child said it was about to kill itself, so it was the kill
            said += f"(statut perdu par le serveur de fork, {_fork_server_state()} : l'arrêt voulu a bien eu lieu)\n"
            code = -signal.SIGKILL
    with (folder / "runs.log").open("a", encoding="utf-8") as log:  # what each run said, to look into a failure
        log.write(f"--- {point} {n} at {moment.isoformat()}: exit {code}\n")
        log.write(said)
    return code


def _fork_server_state() -> str:
    """Whether the fork server still runs, for the log of a run whose end it did not report."""
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return f"serveur {pid} introuvable"
    return f"serveur {pid} {'terminé' if state in 'ZX' else 'en marche'}"


def _forked_child(argv: list[str], environment: dict[str, str]) -> tuple[int, str]:
    """``python -m tests.crash.child ARGV`` forked from the fork server: its exit code (the negative of
    the signal that killed it) and what it printed."""
    from . import child

    with tempfile.TemporaryDirectory(prefix="arret-sortie-") as where:
        output = Path(where) / "sortie.txt"
        process = _fork_server().Process(target=child.forked, args=(argv, environment, str(PROJECT), str(output)))
        process.start()
        process.join(600)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise subprocess.TimeoutExpired(argv, 600)
        said = output.read_bytes().decode(errors="replace") if output.exists() else ""
    return process.exitcode, said


def _values(path: Path) -> dict[str, Any]:
    """Every sheet's cell values, as openpyxl and as calamine read them: the same for equal workbooks."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        by_openpyxl = {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}
    finally:
        workbook.close()
    calamine = CalamineWorkbook.from_path(str(path))
    by_calamine = {name: calamine.get_sheet_by_name(name).to_python() for name in calamine.sheet_names}
    return {"openpyxl": by_openpyxl, "calamine": by_calamine}


def _read(path: Path) -> dict[str, Any] | str:
    """The workbook's values, or why openpyxl or calamine cannot read it."""
    try:
        return _values(path)
    except Exception as exc:  # any failure to read is what is being counted
        return f"{type(exc).__name__}: {exc}"


def _journal(path: Path) -> tuple[dict[str, tuple[str, int | None]], list[str]]:
    db = sqlite3.connect(path)
    try:
        problems = [f"integrity_check : {row[0]}" for row in db.execute("PRAGMA integrity_check") if row[0] != "ok"]
        actions = {key: (status, revision) for key, status, revision in
                   db.execute("SELECT key, status, revision FROM actions")}
        pending = db.execute("SELECT COUNT(*) FROM writebacks WHERE status != 'done'").fetchone()[0]
    finally:
        db.close()
    if pending:
        problems.append(f"{pending} report(s) dans les registres non faits")
    return actions, problems


def _pages(pdf: Path) -> str:
    from pypdf import PdfReader

    try:
        pages = PdfReader(str(pdf)).pages
        text = "\n".join(page.extract_text() or "" for page in pages)
    except Exception as exc:  # noqa: BLE001 - a broken batch is reported, not a crash of the harness
        return f"illisible ({type(exc).__name__})"
    return f"{len(pages)} pages ({hashlib.sha256(text.encode()).hexdigest()[:12]})"


def _documents(folder: Path) -> tuple[set[str], list[str]]:
    names: set[str] = set()
    problems: list[str] = []
    output = folder / "documents"
    for path in sorted(output.rglob("*")) if output.is_dir() else []:
        if path.is_dir():
            continue
        relative = str(path.relative_to(folder))
        if path.name.startswith("."):
            problems.append(f"fichier temporaire resté : {relative}")
            continue
        if path.parent.name == "À imprimer" and path.suffix == ".pdf":
            # a print batch is named after the minute of the run that made it, which a rerun moves:
            # what must match is what it holds
            relative = f"{path.parent.relative_to(folder)} : lot de {_pages(path)}"
        names.add(relative)
        if path.suffix == ".docx":
            try:
                with zipfile.ZipFile(path) as archive:
                    if archive.testzip() is not None or "word/document.xml" not in archive.namelist():
                        problems.append(f"document abîmé : {relative}")
            except zipfile.BadZipFile:
                problems.append(f"document abîmé : {relative}")
        elif path.suffix == ".pdf":
            data = path.read_bytes()
            if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
                problems.append(f"PDF incomplet : {relative}")
    for path in sorted((folder / "boite-d-envoi").rglob(".*")):
        problems.append(f"fichier temporaire resté : {path.relative_to(folder)}")
    return names, problems


def read_state(folder: Path, deliveries: Deliveries) -> State:
    workbooks: dict[str, Any] = {}
    damaged: list[str] = []
    for path in sorted((folder / "registres").iterdir()):
        if path.name.startswith("."):
            damaged.append(f"fichier temporaire resté : registres/{path.name}")
            continue
        workbooks[path.name] = _read(path)
    backups = folder / "sauvegardes"
    for path in sorted(backups.iterdir()) if backups.is_dir() else []:
        if path.name.startswith("."):
            damaged.append(f"fichier temporaire resté : sauvegardes/{path.name}")
            continue
        if path.suffix == ".sqlite3":  # the journal's copies, beside the registers'
            damaged += [f"copie du journal abîmée : {path.name} ({line})" for line in _journal(path)[1]
                        if line.startswith("integrity_check")]
            continue
        problem = _read(path)
        if isinstance(problem, str):
            damaged.append(f"copie de sauvegarde illisible : {path.name} ({problem})")
    journal, journal_problems = _journal(folder / "journal.sqlite3")
    documents, document_problems = _documents(folder)
    return State(deliveries(), journal, journal_problems, workbooks, damaged, documents, document_problems)


def compare(expected: State, actual: State, outcome: Outcome) -> None:
    for delivery, count in sorted(actual.deliveries.items()):
        if count > 1 or delivery not in expected.deliveries:
            outcome.duplicates.append(f"{delivery} reçu {count} fois")
    outcome.lost += [f"{d} jamais reçu" for d in sorted(set(expected.deliveries) - set(actual.deliveries))]
    for key, wanted in sorted(expected.journal.items()):
        got = actual.journal.get(key)
        if got != wanted:
            outcome.lost.append(f"action {key} : {got or 'absente'} au lieu de {wanted} au journal")
    outcome.other += [f"action en trop au journal : {key}" for key in sorted(set(actual.journal) - set(expected.journal))]
    outcome.lost += [f"document absent : {name}" for name in sorted(expected.documents - actual.documents)]
    for name, values in sorted(expected.workbooks.items()):
        got = actual.workbooks.get(name)
        if isinstance(got, str):
            outcome.damaged.append(f"{name} illisible : {got}")
        elif got != values:
            which = [reader for reader in ("openpyxl", "calamine") if got is None or got[reader] != values[reader]]
            outcome.damaged.append(f"{name} : cellules différentes de l'état attendu ({', '.join(which)})")
    outcome.damaged += actual.damaged
    outcome.other += actual.journal_problems + actual.document_problems
    outcome.other += [f"document en trop : {name}" for name in sorted(actual.documents - expected.documents)]


# -- cases -----------------------------------------------------------------------------------------------


@dataclass
class Reference:
    template: Path  # the scenario's folder before any run, copied for each case
    state: State
    counts: dict[str, int]


def _fresh_copy(template: Path, into: Path) -> Path:
    shutil.copytree(template, into, symlinks=True)
    return into / "config.toml"


def reference(scenario: str, workdir: Path) -> Reference:
    template = workdir / f"{scenario}-modele"
    BUILDERS[scenario](template)
    folder = workdir / f"{scenario}-reference"
    config = _fresh_copy(template, folder)
    with _transport(scenario, folder, config) as (deliveries, secrets):
        code = _run_child(folder, config, "count", 0, MOMENT, secrets)
        if code != 0:
            raise RuntimeError(f"reference run of {scenario} failed ({code}): see {folder / 'runs.log'}")
        state = read_state(folder, deliveries)
    counts = json.loads((folder / "points.json").read_text(encoding="utf-8"))
    return Reference(template, state, counts)


def occurrence(case: Case, counts: dict[str, int]) -> int:
    total = counts.get(case.point, 0)
    named = {"first": 1, "middle": (total + 1) // 2, "last": total}
    return named[case.at] if case.at in named else int(case.at)  # 0 when the point is never reached


def run_case(case: Case, ref: Reference, workdir: Path) -> Outcome:
    outcome = Outcome(case, n=occurrence(case, ref.counts))
    if outcome.n < 1:
        outcome.other.append(f"point jamais atteint dans la course de référence ({case.point})")
        return outcome
    folder = workdir / case.name
    config = _fresh_copy(ref.template, folder)
    with _transport(case.scenario, folder, config) as (deliveries, secrets):
        code = _run_child(folder, config, case.point, outcome.n, MOMENT, secrets)
        outcome.killed = code == -signal.SIGKILL
        if not outcome.killed:
            outcome.other.append(f"le processus n'a pas été tué (code {code})")
        for index in range(1, RERUNS + 1):
            outcome.runs = index
            if _run_child(folder, config, "none", 0, MOMENT + timedelta(minutes=3 * index), secrets) == 0:
                break
        else:
            outcome.other.append(f"encore en échec après {RERUNS} passages : voir {folder / 'runs.log'}")
        compare(ref.state, read_state(folder, deliveries), outcome)
    return outcome


def run_matrix(cases: list[Case], workdir: Path | None = None, workers: int | None = None) -> list[Outcome]:
    """Every case, ``workers`` at a time (the machine's CPUs, two at most): one outcome per case, in order."""
    workers = workers or min(2, os.cpu_count() or 1)
    with (nullcontext(workdir) if workdir else tempfile.TemporaryDirectory(prefix="arrets-")) as where:
        root = Path(where)
        scenarios = list(dict.fromkeys(c.scenario for c in cases))
        with ThreadPoolExecutor(workers) as pool:
            references = dict(zip(scenarios, pool.map(lambda s: reference(s, root), scenarios)))
            return list(pool.map(lambda c: run_case(c, references[c.scenario], root), cases))
