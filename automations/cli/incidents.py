"""Incidents of the unattended service: one mail to the administrator when an automation starts failing,
one when it works again, never one per tick.

An incident opens at the first failed tick of an automation (a register that
cannot be read, a server that does not answer, a broken template) and closes
at its first successful one. Both mails are actions with their own key,
sent through the executor: a mail that cannot leave (the mail server is the
incident) is retried at the next tick, and never sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..engine.actions import Action, Plan, fingerprint
from ..engine.context import Context
from .. import french
from ..engine.journal import Journal
from ..registers.writeback import CellWrite, RowAppend
from ..transports.base import Address, Mail

NAME = "incidents"
LABEL = "Incidents du service"
LABELS = {"invitations": "convocations", "packs": "dossiers de séance", "minutes": "comptes rendus",
          "followups": "suites des commissions", "digest": "résumé hebdomadaire", "report": "rapport d'activité"}


@dataclass(frozen=True)
class Incident:
    automation: str
    opened_at: str
    message: str
    closed_at: str | None


def record(journal: Journal, automation: str, failure: str | None, now: datetime) -> None:
    """Open an incident at a first failure, close the open one at a success."""
    with journal.transaction() as db:
        open_one = db.execute("SELECT opened_at FROM incidents WHERE automation=? AND closed_at IS NULL",
                              (automation,)).fetchone()
        if failure and open_one is None:
            db.execute("INSERT INTO incidents (automation, opened_at, message) VALUES (?, ?, ?)",
                       (automation, now.isoformat(), failure))
        elif not failure and open_one is not None:
            db.execute("UPDATE incidents SET closed_at=? WHERE automation=? AND opened_at=?",
                       (now.isoformat(), automation, open_one["opened_at"]))


def incidents(journal: Journal) -> list[Incident]:
    rows = journal.db.execute("SELECT * FROM incidents ORDER BY opened_at")
    return [Incident(r["automation"], r["opened_at"], r["message"], r["closed_at"]) for r in rows]


def plan(journal: Journal, admin: str) -> Plan:
    """The mails not yet sent: an opening per incident, a closing per closed one."""
    result = Plan(NAME)
    if not admin:
        return result
    entries = journal.entries(NAME)
    for incident in incidents(journal):
        stamp = incident.opened_at.replace(":", "").replace("-", "")[:15]
        keys = [(f"incident/{incident.automation}/{stamp}", "open")]
        if incident.closed_at:
            keys.append((f"incident/{incident.automation}/{stamp}/fin", "closed"))
        for key, state in keys:
            entry = entries.get(key)
            if entry is not None and entry.delivered:
                continue
            facts = {"automation": incident.automation, "opened_at": incident.opened_at, "state": state,
                     "message": incident.message, "closed_at": incident.closed_at, "to": admin}
            what = LABELS.get(incident.automation, incident.automation)
            summary = (f"Incident « {what} » signalé à l'administrateur" if state == "open"
                       else f"Fin de l'incident « {what} » signalée à l'administrateur")
            result.actions.append(Action(key=key, automation=NAME, kind="create", revision=0,
                                         fingerprint=fingerprint(facts), summary=summary, payload=facts))
    return result


def _when(stamp: str) -> str:
    moment = datetime.fromisoformat(stamp)
    return f"{french.date_long(moment.date())} à {french.time_fr(moment.timetz())}"


def build(ctx: Context, action: Action) -> Mail:
    facts = action.payload
    what = LABELS.get(facts["automation"], facts["automation"])
    service = ctx.config.service
    if facts["state"] == "open":
        subject = f"[Commissions] Incident : {what}"
        body = (f"Bonjour,\n\nL'automatisation « {what} » échoue depuis le {_when(facts['opened_at'])} :\n\n"
                f"{facts['message']}\n\nElle est relancée à chaque passage prévu ; un second message dira quand "
                "elle fonctionne de nouveau. Aucun autre message ne sera envoyé pour cet incident.\n\n"
                "Pour le détail : python run.py status, et les journaux du service.\n\n"
                f"{service.name}")
    else:
        subject = f"[Commissions] Rétabli : {what}"
        body = (f"Bonjour,\n\nL'automatisation « {what} » fonctionne de nouveau depuis le "
                f"{_when(facts['closed_at'])} (incident ouvert le {_when(facts['opened_at'])}).\n\n"
                "Les actions en attente ont été reprises.\n\n"
                f"{service.name}")
    return Mail(delivery_id=action.delivery_id, subject=subject, sender=Address(service.email, service.name),
                to=(Address(facts["to"]),), body_text=body)


def writes(action: Action, today: date) -> list[tuple[Path, CellWrite | RowAppend]]:
    return []
