"""Apply planned actions one at a time: render, send, journal, then write back.

A failed action is recorded and retried on a later run; it never blocks the
others. Before sending, the transport is asked whether this delivery already
exists, so a crash between the send and the journal never sends twice.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from .actions import PRINTED, Action, Plan
from .context import Context
from ..errors import TransportError, UserError
from ..documents.pdf import convert_to_pdf
from .journal import Journal
from ..registers.sidecar import SidecarEntry, write_sidecar
from ..registers.writeback import CellWrite, RowAppend, WorkbookBusy, WorkbookUnsafe, apply_writes
from .registry import Automation
from ..transports.base import Delivered, Meeting, Transport
from ..french import plural

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    done: list[Action] = field(default_factory=list)
    recovered: list[Action] = field(default_factory=list)
    failed: list[tuple[Action, str]] = field(default_factory=list)
    written: int = 0
    notes: list[str] = field(default_factory=list)  # French lines about what was done
    deferred: list[str] = field(default_factory=list)  # French lines
    write_problems: list[str] = field(default_factory=list)
    sidecars: list[str] = field(default_factory=list)  # French: values left in a sidecar workbook for staff
    unreadable: list[str] = field(default_factory=list)  # French: registers that could not be read at all
    interrupted: bool = False  # a stop request ended the run before all its actions

    @property
    def ok(self) -> bool:
        return not self.failed and not self.write_problems


def execute(ctx: Context, automation: Automation, plan: Plan, journal: Journal, transport: Transport,
            report: RunReport) -> None:
    waiting: dict[str, int] = {}
    for action in plan.actions:
        if ctx.stop_requested:
            report.interrupted = True  # the rest is planned again by the next run
            break
        why = automation.waits(action) if automation.waits is not None else None
        if why:  # an earlier action of the run it depends on failed: nothing begun, planned again next run
            waiting[why] = waiting.get(why, 0) + 1
            continue
        try:
            _execute_one(ctx, automation, action, journal, transport, report)
        except TransportError as exc:
            _failed(ctx, automation, action, journal, exc.message, report)
            if exc.fatal:
                raise  # a refused login would refuse every other action: said once, the run stops
        except UserError as exc:
            _failed(ctx, automation, action, journal, exc.message, report)
        except Exception as exc:  # one broken action must not stop the others
            log.debug("action %s : trace de l'erreur", action.key, exc_info=True)  # the trace only with --verbose
            _failed(ctx, automation, action, journal, f"erreur inattendue ({type(exc).__name__} : {exc})", report)
    report.deferred += [f"{automation.label} : {plural(count, 'action attend', 'actions attendent')} le prochain "
                        f"passage ({why})" for why, count in waiting.items()]


def prepare_documents(ctx: Context, plans: list[tuple[Automation, Plan]]) -> list[str]:
    """Render every document of the run first, then make all their PDFs in one conversion (one LibreOffice per core).

    Returns French notices; a document that cannot be rendered is left to its
    action, which then fails alone with the message.
    """
    rendered: list[Path] = []
    work = [(a, action) for a, plan in plans if a.documents is not None for action in plan.actions]
    for automation, action in ctx.tracked(work, len(work), "Documents"):
        try:
            rendered.extend(automation.documents(ctx, action, fresh=True))  # type: ignore[misc]
        except UserError:
            continue
    if not ctx.config.documents.pdf or not rendered:
        return []
    try:
        with ctx.progress(len(rendered), "PDF") as reach:
            convert_to_pdf(rendered, ctx.config.documents.libreoffice, progress=reach,
                           processes=ctx.config.documents.pdf_processes)
    except UserError as exc:
        return [exc.message]
    return []


def _failed(ctx: Context, automation: Automation, action: Action, journal: Journal, message: str,
            report: RunReport) -> None:
    # the key only: a server's refusal may quote an applicant's address; the journal keeps the message
    log.warning("%s, %s rév. %d : échec (détail : python run.py history)", automation.label, action.key,
                action.revision)
    journal.fail(action.key, action.automation, action.kind, action.revision, message, ctx.now())
    report.failed.append((action, message))


def _execute_one(ctx: Context, automation: Automation, action: Action, journal: Journal,
                 transport: Transport, report: RunReport) -> None:
    previous = journal.entry(action.key)
    journal.begin(action.key, action.automation, action.kind, action.revision, action.fingerprint,
                  action.payload, ctx.now())
    fingerprint, payload = action.fingerprint, action.payload
    # a document filed for staff is not sent: there is nothing to look up on the server
    found = transport.lookup(action.delivery_id) if action.kind != "file" else None
    if found is not None:
        # Sent by an attempt that crashed before recording it: record what that attempt sent.
        if previous and previous.pending_revision == action.revision and previous.pending_fingerprint:
            fingerprint, payload = previous.pending_fingerprint, previous.pending_payload or payload
        delivered, recovered = found, True
    else:
        message = automation.build(ctx, action)
        if isinstance(message, Delivered):
            delivered = message
            if message.details.get("note"):
                report.notes.append(f"{action.summary} : {message.details['note']}")
        elif isinstance(message, Meeting):
            delivered = transport.send_meeting(message)
        else:
            delivered = transport.send_mail(message)
        recovered = False
    # what was really sent is what the cells must say
    writes = _queued_writes(ctx, automation, replace(action, payload=payload) if recovered else action)
    journal.complete(action.key, action.automation, action.kind, action.revision, fingerprint, payload,
                     delivered.reference, action.summary, ctx.now(), writes, recovered=recovered)
    (report.recovered if recovered else report.done).append(action)
    if automation.after is not None:
        try:
            automation.after(ctx, action)
        except (TransportError, OSError) as exc:  # done and journaled: the next run does it again
            said = exc.message if isinstance(exc, TransportError) else exc.strerror or str(exc)
            report.notes.append(f"{action.summary} : fait, mais pas marqué dans la boîte ({said}) ; "
                                "ce sera fait au prochain passage")
    log.info("%s, %s rév. %d : %s", automation.label, action.key, action.revision,
             _said(action, transport, recovered))


def _said(action: Action, transport: Transport, recovered: bool) -> str:
    """The log's word for what happened: only a mail that reached a server is « envoyé »."""
    if action.kind == "file":
        return "préparé pour impression" if action.automation in PRINTED else "document préparé"
    if getattr(transport, "inner", transport).name == "outbox":  # an .eml in a folder: nothing left the machine
        return "repris (déjà déposé)" if recovered else "déposé dans la boîte d'envoi"
    return "repris (déjà envoyé)" if recovered else "envoyé"


def _queued_writes(ctx: Context, automation: Automation, action: Action) -> list[tuple[str, str]]:
    if not ctx.config.write_back.enabled:
        return []
    return [(str(workbook), encode_write(w)) for workbook, w in automation.writes(action, ctx.now().date())]


def _tag(value: object) -> object:
    # Dates must come back as dates, not as the text they were stored as.
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    return value


def _untag(value: object) -> object:
    if isinstance(value, dict):
        if "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
        if "$date" in value:
            return date.fromisoformat(value["$date"])
    return value


def encode_write(write: CellWrite | RowAppend) -> str:
    if isinstance(write, RowAppend):
        data = {"op": "append", "sheet": write.sheet, "header_row": write.header_row,
                "values": [[h, _tag(v)] for h, v in write.values], "unique": [write.unique[0], _tag(write.unique[1])]}
        if write.also:  # absent otherwise: the same text as the journals written before it existed
            data["also"] = [[h, _tag(v)] for h, v in write.also]
        return json.dumps(data, ensure_ascii=False)
    # no "op" for a cell: the same text as the journals written before appends existed
    return json.dumps({"sheet": write.sheet, "header_row": write.header_row, "row": write.row,
                       "expect": [[h, _tag(v)] for h, v in write.expect], "column": write.column,
                       "value": _tag(write.value)}, ensure_ascii=False)


def decode_write(data: str) -> CellWrite | RowAppend:
    raw = json.loads(data)
    op = raw.get("op", "cell")
    if op == "append":
        return RowAppend(sheet=raw["sheet"], header_row=raw["header_row"],
                         values=tuple((h, _untag(v)) for h, v in raw["values"]),
                         unique=(raw["unique"][0], _untag(raw["unique"][1])),
                         also=tuple((h, _untag(v)) for h, v in raw.get("also", ())))
    if op != "cell":
        raise ValueError(f"unknown write operation {op!r}")
    return CellWrite(sheet=raw["sheet"], header_row=raw["header_row"], row=raw["row"],
                     expect=tuple((h, _untag(v)) for h, v in raw["expect"]), column=raw["column"],
                     value=_untag(raw["value"]))


def _where(path: Path, write: CellWrite | RowAppend) -> str:
    if isinstance(write, CellWrite):
        return f"« {path.name} », feuille « {write.sheet} », colonne « {write.column} »"
    header, value = write.unique
    shown = value.strftime("%d/%m/%Y") if isinstance(value, date) else value
    return f"« {path.name} », feuille « {write.sheet} », ajout de la ligne {header} = {shown}"


def _once(lines: list[str], message: str) -> None:
    """A run may write back twice (see ``Automation.reads_backlog``): a workbook still busy is said once."""
    if message not in lines:
        lines.append(message)


def apply_pending_writes(ctx: Context, journal: Journal, report: RunReport) -> None:
    """Write queued status cells and rows, one save per workbook; a busy workbook waits for the next run.

    Each workbook is written on its own: whatever stops one (even an error nobody foresaw) is said for that
    workbook, its writes stay queued for the next run, and the other workbooks are still written.
    """
    if not ctx.config.write_back.enabled:
        return
    by_workbook: dict[str, list[tuple[int, CellWrite | RowAppend]]] = defaultdict(list)
    for write_id, workbook, cell in journal.pending_writes():
        by_workbook[workbook].append((write_id, decode_write(cell)))
    for workbook, items in by_workbook.items():
        path = Path(workbook)
        try:
            _write_workbook(ctx, journal, path, items, report)
        except Exception as exc:
            log.debug("report dans « %s » : trace de l'erreur", path.name, exc_info=True)  # only with --verbose
            message = (f"« {path.name} » : erreur inattendue pendant le report ({type(exc).__name__} : {exc}) ; "
                       "les valeurs attendent le prochain passage.")
            journal.note_write_error([i for i, _ in items], message)
            _once(report.write_problems, message)


def _write_workbook(ctx: Context, journal: Journal, path: Path, items: list[tuple[int, CellWrite | RowAppend]],
                    report: RunReport) -> None:
    ids = [i for i, _ in items]
    try:
        outcome = apply_writes(path, [w for _, w in items], backup_dir=ctx.config.paths.backups,
                               now=ctx.now(), keep_backups=ctx.config.write_back.keep_backups)
    except WorkbookBusy as exc:
        journal.note_write_error(ids, exc.message)
        _once(report.deferred, exc.message)
        return
    except WorkbookUnsafe as exc:
        _to_sidecar(ctx, journal, path, items, exc, report)
        return
    except UserError as exc:
        journal.note_write_error(ids, exc.message)
        _once(report.write_problems, exc.message)
        return
    missing = {id(w): reason for w, reason in outcome.not_found}
    done = [i for i, w in items if id(w) not in missing]
    journal.mark_writes(done, "done", ctx.now())
    report.written += len(done)
    for write_id, write in items:
        if id(write) in missing:
            journal.mark_writes([write_id], "failed", ctx.now(), missing[id(write)])
            report.write_problems.append(f"{_where(path, write)} : {missing[id(write)]}")


def _to_sidecar(ctx: Context, journal: Journal, path: Path, items: list[tuple[int, CellWrite | RowAppend]],
                refusal: WorkbookUnsafe, report: RunReport) -> None:
    """A register saving would strip: its values go to the sidecar workbook beside it, for staff to copy."""
    ids = [i for i, _ in items]
    # marked first, so that every value is listed with the moment its action asked for it
    journal.mark_writes(ids, "sidecar", ctx.now(), refusal.message)
    entries = [SidecarEntry(datetime.fromisoformat(at), decode_write(cell))
               for at, cell in journal.sidecar_writes(str(path))]
    try:
        target = write_sidecar(path, entries, refusal.reason)
    except UserError as exc:  # the sidecar itself open in Excel: everything waits for the next run
        journal.mark_writes(ids, "pending", ctx.now(), exc.message)
        _once(report.deferred, exc.message)
        return
    report.sidecars.append(f"« {path.name} » n'est pas enregistré par l'outil ({refusal.reason.removeprefix('il ')}) : "
                           f"{plural(len(items), 'valeur', 'valeurs')} de plus à reporter à la main, "
                           f"listées dans « {target.name} ».")
