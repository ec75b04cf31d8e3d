"""What the weekly digest says of the service's mail: received, not answered, acknowledged, incomplete files.

Pure: the mail registers' rows, the applications, the ``incoming`` journal's
entries and ``today`` in, French facts out. A sender is shown as the register
writes it (« Particulier », « CAFAT »), never with an e-mail address; an
application appears by its number only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from .. import french
from ..domain.service import Application, Service
from ..engine.journal import Entry
from ..invisible import printable
from ..registers.reader import Record, Source
from .mail_answers import first_answers, normal_number

SHOWN = 10
WEEK_DAYS = 7
# mail older than a year is the archive's, not the week's business: the digest does not chase it
UNANSWERED_LOOKBACK_DAYS = 365
INCOMING = "incoming"
RECEIPTS = "receipts"
_EMAIL = re.compile(r"<?\s*[^\s@<>«»()\"']+@[^\s@<>«»()\"']+\s*>?")
HIDDEN_ADDRESS = "(adresse e-mail masquée)"


@dataclass(frozen=True)
class MailItem:
    number: str
    day: date
    sender: str  # as the register writes it, any e-mail address taken out
    subject: str


@dataclass(frozen=True)
class MailFacts:
    received: int  # in the last seven days
    latest: tuple[MailItem, ...]  # the latest first
    unanswered_days: int
    unanswered_from: date  # the oldest day of mail still chased
    unanswered: int
    oldest_unanswered: tuple[MailItem, ...]  # the oldest first
    receipts_sent: tuple[str, ...]  # dossier numbers, acknowledged by mail this week
    receipts_prepared: tuple[str, ...]  # acknowledgements prepared for print this week
    reminders: tuple[str, ...]  # reminders for missing documents this week
    incomplete: int  # applications with documents missing and no decision
    oldest_incomplete: tuple[tuple[str, date | None], ...]  # (dossier number, filed on), the oldest first
    troubles: tuple[str, ...]  # French: what registering this week's mail could not do as usual


def shown_sender(sender: str) -> str:
    """The sender without any e-mail address: « Jean Dupont <jd@…> » reads « Jean Dupont »."""
    text = " ".join(_EMAIL.sub(" ", str(sender or "")).replace('"', " ").split())
    if not text and sender:
        return HIDDEN_ADDRESS
    return printable(text.strip(" ,;"))


def _item(record: Record, day: date) -> MailItem:
    return MailItem(str(record.get("number", "")), day, shown_sender(record.get("sender", "")),
                    printable(str(record.get("subject", ""))))


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _journaled(incoming: Mapping[str, Entry], registered: set[str]) -> list[tuple[date, Record]]:
    """Mail registered by the tool whose row the registers read at the run's start do not hold yet (the same
    run wrote it, or its write waits): the journal says it arrived."""
    found = []
    for entry in incoming.values():
        payload = entry.payload
        number = str(payload.get("number") or "")
        if not entry.delivered or not entry.key.startswith(f"{INCOMING}/") or not number \
                or normal_number(number) in registered or not payload.get("received"):
            continue
        day = datetime.fromisoformat(str(payload["received"])).date()
        found.append((day, Record("mail_in", Source(Path(""), "", 0, 0),
                                  {"number": number, "date": day, "sender": payload.get("sender", ""),
                                   "subject": payload.get("subject", "")})))
    return found


def _receipts(receipts: Mapping[str, Entry], start: date, today: date) -> dict[str, set[str]]:
    """This week's acknowledgements and reminders as the journal records them: « sent » only for what was
    mailed (kind ``create``), the rest prepared for the post."""
    found: dict[str, set[str]] = {"receipt_sent_on": set(), "receipt_prepared_on": set(), "reminder_sent_on": set()}
    for entry in receipts.values():
        on = str(entry.payload.get("on") or entry.updated_at[:10])
        if not entry.delivered or not start.isoformat() <= on <= today.isoformat():
            continue
        number = str(entry.payload.get("number", ""))
        if entry.payload.get("kind") == "relance":
            found["reminder_sent_on"].add(number)
        else:
            found["receipt_sent_on" if entry.kind == "create" else "receipt_prepared_on"].add(number)
    return found


def mail_facts(service: Service, incoming: Mapping[str, Entry], today: date, unanswered_days: int,
               receipts: Mapping[str, Entry] | None = None) -> MailFacts:
    week_start = today - timedelta(days=WEEK_DAYS - 1)
    dated = [(day, r) for r in service.mail_in if (day := _day(r.get("date"))) is not None]
    dated += _journaled(incoming, {normal_number(r.get("number", "")) for r in service.mail_in})
    journaled = _receipts(receipts or {}, week_start, today)
    this_week = sorted(((d, r) for d, r in dated if week_start <= d <= today),
                       key=lambda pair: (pair[0], str(pair[1].get("number", ""))), reverse=True)
    answers = first_answers((_day(r.get("date")), str(r.get("reference", "")), str(r.get("subject", "")))
                            for r in service.mail_out)
    start, last = today - timedelta(days=UNANSWERED_LOOKBACK_DAYS), today - timedelta(days=unanswered_days)
    # a « Suite donnée » written by staff says the mail was dealt with, answer or not
    waiting = sorted(((d, r) for d, r in dated if start <= d <= last and not r.get("follow_up")
                      and normal_number(r.get("number", "")) not in answers),
                     key=lambda pair: (pair[0], str(pair[1].get("number", ""))))
    applications = service.applications
    incomplete = sorted((a for a in applications if _missing(a) and not a.decision),
                        key=lambda a: (a.filed_on or date.max, a.number))
    return MailFacts(
        received=len(this_week), latest=tuple(_item(r, d) for d, r in this_week[:SHOWN]),
        unanswered_days=unanswered_days, unanswered_from=start, unanswered=len(waiting),
        oldest_unanswered=tuple(_item(r, d) for d, r in waiting[:SHOWN]),
        receipts_sent=_in_week(applications, "receipt_sent_on", week_start, today, journaled),
        receipts_prepared=_in_week(applications, "receipt_prepared_on", week_start, today, journaled),
        reminders=_in_week(applications, "reminder_sent_on", week_start, today, journaled),
        incomplete=len(incomplete), oldest_incomplete=tuple((a.number, a.filed_on) for a in incomplete[:SHOWN]),
        troubles=_troubles(incoming, week_start))


def _missing(application: Application) -> bool:
    record = application.record
    return record is not None and bool(str(record.get("missing_documents", "")).strip())


def _in_week(applications: Sequence[Application], name: str, start: date, today: date,
             journaled: Mapping[str, set[str]]) -> tuple[str, ...]:
    numbers = {a.number for a in applications
               if a.record is not None and (day := _day(a.record.get(name))) is not None and start <= day <= today}
    return tuple(french.by_reference(numbers | journaled.get(name, set())))


def _troubles(incoming: Mapping[str, Entry], start: date) -> tuple[str, ...]:
    """One line per attachment refused and per note of the mail registered this week, by its number."""
    lines = []
    for entry in sorted(incoming.values(), key=lambda e: (e.updated_at, e.key)):
        if not entry.delivered or entry.updated_at[:10] < start.isoformat():
            continue
        payload = entry.payload
        number = str(payload.get("number", "") or "?")
        for refused in payload.get("refused") or ():
            name, reason = (list(refused) + ["", ""])[:2] if isinstance(refused, (list, tuple)) else (refused, "")
            why = f" ({printable(str(reason))})" if reason else ""
            lines.append(f"{number} : pièce non enregistrée : {printable(str(name))}{why}")
        lines += [f"{number} : {printable(str(note))}" for note in payload.get("notes") or ()]
    return tuple(lines)


# -- in French, for both renderings ----------------------------------------------------------------------------

def item_line(item: MailItem) -> str:
    return f"{item.number} du {french.date_short(item.day)} – {item.sender or 'expéditeur non indiqué'} – " \
           f"{item.subject or 'sans objet'}"


def unanswered_title(facts: MailFacts) -> str:
    return (f"Sans réponse après {facts.unanswered_days} jours (reçus depuis le "
            f"{french.date_short(facts.unanswered_from)}) : {facts.unanswered}")


def receipts_line(facts: MailFacts) -> str:
    sent = f"Accusés de réception envoyés : {len(facts.receipts_sent)}"
    if facts.receipts_sent:
        sent += f" ({', '.join(facts.receipts_sent)})"
    prepared = f"préparés pour impression : {len(facts.receipts_prepared)}"
    if facts.receipts_prepared:
        prepared += f" ({', '.join(facts.receipts_prepared)})"
    return f"{sent} ; {prepared}."


def reminders_line(facts: MailFacts) -> str:
    line = f"Relances pour pièces manquantes : {len(facts.reminders)}"
    return line + (f" ({', '.join(facts.reminders)})." if facts.reminders else ".")


def incomplete_line(facts: MailFacts) -> str:
    return f"Dossiers incomplets sans décision : {facts.incomplete}"


def incomplete_item(number: str, filed_on: date | None) -> str:
    return f"{number} (déposé le {french.date_short(filed_on)})" if filed_on else f"{number} (date de dépôt absente)"


def mail_lines(facts: MailFacts) -> list[str]:
    lines = [f"Courriers arrivés ces 7 derniers jours : {facts.received}"]
    lines += [f"  - {item_line(item)}" for item in facts.latest]
    if facts.received > len(facts.latest):
        lines.append(f"  … et {french.plural(facts.received - len(facts.latest), 'autre', 'autres')}")
    lines.append(unanswered_title(facts))
    lines += [f"  - {item_line(item)}" for item in facts.oldest_unanswered]
    if facts.unanswered > len(facts.oldest_unanswered):
        lines.append(f"  … et {french.plural(facts.unanswered - len(facts.oldest_unanswered), 'autre', 'autres')}")
    lines += [receipts_line(facts), reminders_line(facts), incomplete_line(facts)]
    lines += [f"  - {incomplete_item(number, filed)}" for number, filed in facts.oldest_incomplete]
    if facts.incomplete > len(facts.oldest_incomplete):
        lines.append(f"  … et {french.plural(facts.incomplete - len(facts.oldest_incomplete), 'autre', 'autres')}")
    if facts.troubles:
        lines.append("Courriers enregistrés avec une remarque :")
        lines += [f"  ⚠ {line}" for line in facts.troubles]
    return lines
