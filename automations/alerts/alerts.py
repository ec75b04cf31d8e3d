"""Alerts for the manager: what the automations could not do alone (no free room, quorum not reached).

Each alert is mailed once to the manager named in the config (``[service]
manager``); its key is a fingerprint of its text, so a run every quarter of
an hour does not repeat it, and a new situation gives a new alert. An alert
is kept in the journal as soon as a plan raises it, and stays due until its
mail is recorded: a crash never loses it.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from ..engine.actions import Action, Plan, fingerprint
from ..engine.context import Context
from ..engine.journal import Entry, Journal
from ..registers.writeback import CellWrite
from ..transports.base import Address, Mail

NAME = "alertes"
LABEL = "Alertes au responsable"


def key_of(text: str) -> str:
    return f"alerte/{fingerprint({'text': text})}"


def remember(journal: Journal, alerts: list[str], manager: str, now: datetime) -> None:
    """Keep the run's alerts in the journal before any action runs.

    Most alerts are raised while some work is pending (the letters of a session over budget, a corrected
    notice): once that work is done they are not raised again. Kept here, an alert whose mail a killed run
    never sent is still due on the next run (``unsent``)."""
    if manager:  # without a manager nothing is mailed: nothing to keep
        journal.note_alerts([(key_of(text), text) for text in dict.fromkeys(alerts)], now)


def unsent(journal: Journal) -> list[str]:
    return journal.unsent_alerts()


def plan(alerts: list[str], entries: dict[str, Entry], manager: str) -> Plan:
    result = Plan(NAME)
    if not manager:
        return result
    for text in dict.fromkeys(alerts):  # same text from two places: one mail
        key = key_of(text)
        entry = entries.get(key)
        if entry is not None and entry.delivered:
            continue
        heading = text.split(" : ")[0]  # the committee and session the alert is about
        result.actions.append(Action(key=key, automation=NAME, kind="create", revision=0,
                                     fingerprint=fingerprint({"text": text}),
                                     summary=f"Alerte au responsable – {heading}",
                                     payload={"text": text, "heading": heading, "to": manager}))
    return result


def build(ctx: Context, action: Action) -> Mail:
    service = ctx.config.service
    text = action.payload["text"]
    return Mail(delivery_id=action.delivery_id, subject=f"[Commissions] À traiter – {action.payload['heading']}",
                sender=Address(service.email, service.name), to=(Address(action.payload["to"]),),
                body_text=(f"Bonjour,\n\n{text}\n\nCe message est envoyé une seule fois pour cette situation.\n\n"
                           f"{service.name}"))


def writes(action: Action, today: date) -> list[tuple[Path, CellWrite]]:
    return []
