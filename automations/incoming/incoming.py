"""Incoming mail (courrier arrivé): each mail or scanned letter registered once, with a gap-free number.

``plan`` asks the sources (the transport's mailbox, the copier's folder) for the mails they hold, and
plans one action per mail the journal does not know by its Message-ID (a scan: by its bytes). ``build``
gives the number (the register's own series, continued, gap-free across crashes: ``Numbering``) and
files the attachments in a folder named after it; the row goes to the register through the executor's
write-back. Only once the journal holds the mail is it marked in the mailbox (``after``): a crash in
between leaves it unmarked, and the next run, finding its Message-ID in the journal, only marks it.
A second copy of a registered mail (same Message-ID, other bytes) is marked too, and said, with no new row;
the very mail found again (a run stopped before marking it) is only marked.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .. import french
from ..domain.mail_register import IncomingRegister
from ..domain.service import Service
from ..engine.actions import Action, Plan, fingerprint
from ..engine.context import Context
from ..engine.journal import Entry, Journal
from ..errors import TransportError
from ..file_names import file_name, inside
from ..follow_ups.numbering import Numbering, runs_across_years
from ..number_format import NumberFormat
from ..registers.writeback import CellWrite, RowAppend
from ..transports.base import Delivered, Transport
from ..transports.inbox import IncomingMail, MailSource
from .attachments import attachments_text, file_attachments
from .parse import ParsedMail, Part, parse
from .scans import ScanFolder

NAME = "incoming"
LABEL = "Courrier arrivé"
SERIES = "mail_in"
COPY = "incoming-copy/"  # a second copy of a registered mail, or one found unmarked after a crash
FOLDER = "Courrier arrivé"  # under the documents folder, when [incoming] attachments is not set
SCANNED_NOTE = "courrier papier numérisé : expéditeur et objet à compléter"
# what each transport's mailbox is called in the journal
_SOURCES = {"outbox": "eml", "smtp": "imap", "exchange": "exchange", "graph": "graph"}


@dataclass
class Arrival:
    """What an action carries to its build (not stored): the mail, where to mark it, how to number it."""

    mail: IncomingMail
    source: MailSource
    parsed: ParsedMail
    journal: Journal
    numbering: Numbering
    register: IncomingRegister
    original: str = ""  # a copy's: the key of the registered mail


def key_of(parsed: ParsedMail, scanned: bool) -> str:
    if scanned:
        return f"incoming/scan-{parsed.digest[:20]}"
    return f"incoming/{hashlib.sha256(parsed.message_id.encode('utf-8')).hexdigest()[:20]}"


def attachments_root(ctx: Context) -> Path:
    return ctx.config.incoming.attachments or ctx.config.paths.output / FOLDER


def _scanned(mail: IncomingMail, now: datetime) -> ParsedMail:
    name = mail.name or Path(mail.reference).name
    digest = hashlib.sha256(mail.raw).hexdigest()
    return ParsedMail(message_id="", sender="", subject="", received=mail.received or now,
                      attachments=[Part(name=name, data=mail.raw)], notes=[SCANNED_NOTE], digest=digest)


def _sources(ctx: Context, transport: Transport) -> list[tuple[MailSource, str]]:
    found: list[tuple[MailSource, str]] = []
    inbox = transport.inbox(ctx.config.incoming.folder or None)
    if inbox is not None:
        found.append((inbox, _SOURCES.get(transport.name, transport.name)))
    if ctx.config.incoming.scans is not None:
        found.append((ScanFolder(ctx.config.incoming.scans), "scan"))
    return found


def plan(ctx: Context, service: Service, journal: Journal, transport: Transport) -> Plan:
    result = Plan(NAME)
    settings = ctx.config.incoming
    register = service.incoming
    if register is None:
        result.notices.append("aucun registre du courrier arrivé (avec sa colonne de numéro) n'a pu être lu : "
                              "aucun courrier n'est enregistré ; « check » dit pourquoi.")
        return result
    sources = _sources(ctx, transport)
    if not sources:
        result.notices.append(f"le transport « {transport.name} » n'a pas de boîte de réception "
                              "et [incoming] scans n'est pas renseigné : aucun courrier à enregistrer.")
        return result
    now = ctx.now()
    fmt = NumberFormat(settings.number)
    numbering = Numbering(journal, SERIES, fmt, register.numbers,
                          across_years=runs_across_years(fmt, register.numbers))
    entries = journal.entries(NAME)
    planned: set[str] = set()
    room = settings.max_per_run
    for source, kind in sources:
        try:
            mails = source.new_mails(room + 1)
        except TransportError as exc:
            result.notices.append(f"{source.name} : {exc.message}")
            continue
        if len(mails) > room:
            result.notices.append(f"{source.name} : d'autres courriers attendent le prochain "
                                  f"passage ({settings.max_per_run} au plus par passage).")
            mails = mails[:room]
        room -= len(mails)
        for mail in mails:
            parsed = _scanned(mail, now) if mail.scanned else parse(mail.raw, mail.received, now)
            key = key_of(parsed, mail.scanned)
            arrival = Arrival(mail, source, parsed, journal, numbering, register)
            entry = entries.get(key)
            if entry is not None and entry.delivered and entry.payload.get("sha256") == parsed.digest:
                result.notices.append(_mark_again(arrival, entry.payload, journal.readonly))
            elif key in planned or (entry is not None and entry.delivered):
                result.actions.append(_copy(arrival, key, kind, entries))
            else:
                planned.add(key)
                result.actions.append(_registration(arrival, key, kind))
    numbering.live = {a.delivery_id for a in result.actions if not a.key.startswith(COPY)}
    return result


def _when(parsed: ParsedMail) -> str:
    return f"{french.date_long(parsed.received.date())} à {french.time_fr(parsed.received.time())}"


def _registration(arrival: Arrival, key: str, kind: str) -> Action:
    parsed = arrival.parsed
    payload = {"number": None, "message_id": parsed.message_id, "received": parsed.received.isoformat(),
               "sender": parsed.sender, "subject": parsed.subject, "attachments": [], "refused": [],
               "notes": list(parsed.notes), "source": kind, "sha256": parsed.digest}
    what = f"courrier numérisé « {arrival.mail.name} »" if arrival.mail.scanned else f"courrier reçu le {_when(parsed)}"
    return Action(key=key, automation=NAME, kind="file", revision=0,
                  fingerprint=fingerprint({"message_id": parsed.message_id, "sha256": parsed.digest}),
                  summary=f"Courrier arrivé : {what}", payload=payload, subject=arrival)


def _mark_again(arrival: Arrival, registered: dict[str, object], readonly: bool) -> str:
    """The very mail registered (same bytes), still unmarked: a run stopped between its journal and its mark.

    Marked here, before any action: the journal already holds all there is to do for it.
    """
    number = str(registered.get("number") or "")
    if readonly:
        return f"un courrier déjà enregistré sous {number} sera marqué comme enregistré."
    arrival.source.mark(arrival.mail, number)
    return f"un courrier déjà enregistré sous {number} était encore à marquer : c'est fait."


def _copy(arrival: Arrival, original: str, kind: str, entries: dict[str, Entry]) -> Action:
    """A second copy of a registered mail (same Message-ID, other bytes): marked, said, no new row."""
    arrival.original = original
    mail = arrival.mail
    key = COPY + hashlib.sha256(f"{original}\n{arrival.parsed.digest}".encode()).hexdigest()[:20]
    payload = {"copy_of": original, "message_id": arrival.parsed.message_id, "source": kind}
    earlier = entries.get(key)  # the same copy sent once more: one more revision
    revision = earlier.revision + 1 if earlier is not None and earlier.revision is not None else 0
    what = f"courrier numérisé « {mail.name} »" if mail.scanned else f"courrier reçu le {_when(arrival.parsed)}"
    return Action(key=key, automation=NAME, kind="file", revision=revision, fingerprint=fingerprint(payload),
                  summary=f"Courrier arrivé : {what}", payload=payload, subject=arrival)


def waits(action: Action) -> str | None:
    """A copy waits for the mail it copies: registered earlier in the same run, its attempt may have failed."""
    arrival: Arrival = action.subject
    if not action.key.startswith(COPY):
        return None
    entry = arrival.journal.entry(arrival.original)
    return None if entry is not None and entry.delivered else "le courrier dont il est la copie n'est pas enregistré"


def build(ctx: Context, action: Action) -> Delivered:
    arrival: Arrival = action.subject
    if action.key.startswith(COPY):
        entry = arrival.journal.entry(arrival.original)
        number = str(entry.payload.get("number") or "") if entry is not None else ""
        arrival.source.mark(arrival.mail, number)
        return Delivered(reference=arrival.mail.reference, details={
            "note": f"déjà enregistré sous {number} (même identifiant de message) : marqué, sans nouvelle ligne"})
    now = ctx.now()
    number = arrival.numbering.number(action.delivery_id, now.year, now)
    root = attachments_root(ctx)
    folder = inside(root, file_name(number))
    filed = file_attachments(arrival.parsed.attachments, folder, ctx.config.incoming.max_attachment_mb)
    action.payload.update(number=number, attachments=filed.saved, refused=[list(r) for r in filed.refused])
    said = [f"enregistré sous {number}", *arrival.parsed.notes,
            *(f"pièce jointe « {name} » non enregistrée : {why}" for name, why in filed.refused)]
    return Delivered(reference=str(folder), details={"note": " ; ".join(said)})


def after(ctx: Context, action: Action) -> None:
    """Once the journal holds the mail: say it in the mailbox (a copy was marked by its build)."""
    if action.key.startswith(COPY):
        return
    arrival: Arrival = action.subject
    arrival.source.mark(arrival.mail, str(action.payload["number"]))


def writes(action: Action, today: date) -> list[tuple[Path, CellWrite | RowAppend]]:
    if action.key.startswith(COPY) or not action.payload.get("number"):
        return []
    arrival: Arrival = action.subject
    payload = action.payload
    received = datetime.fromisoformat(payload["received"]).date()
    return [arrival.register.row(str(payload["number"]), received, payload["sender"], payload["subject"],
                                 attachments_text(payload["attachments"], payload["refused"]),
                                 " ; ".join(payload["notes"]))]
