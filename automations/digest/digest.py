"""The weekly digest: one mail to the manager on the state of the commissions.

Its key is the ISO week (``digest/2026-W48``): whatever the schedule, the
first run of a week on which the digest is selected sends it, and every
other run of that week finds it done. The facts are gathered when the mail
is built, not when the run is planned, so that what this very run sent
before it (convocations, letters) is counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

from ..follow_ups import follow_ups
from ..convocations import invitations
from ..packs import meeting_pack
from ..planning import planning
from ..engine.actions import Action, Plan, fingerprint
from ..engine.context import Context
from .content import SENT_DAYS, DigestFacts, gather, iso_week
from .mail_facts import INCOMING, RECEIPTS, mail_facts
from .planning_facts import planning_facts
from .render import budget_chart, render_html, render_text, title
from .. import french
from ..engine.journal import Journal
from ..registers.sidecar import backlog_lines
from ..registers.writeback import CellWrite
from ..domain.service import Service
from ..transports.base import Address, Attachment, Mail

NAME = "digest"
LABEL = "Résumé hebdomadaire"


def key_of(today: date) -> str:
    return f"digest/{iso_week(today)}"


def plan(ctx: Context, service: Service, journal: Journal, labels: Mapping[str, str]) -> Plan:
    result = Plan(NAME)
    manager = ctx.config.service.manager
    if not ctx.config.digest.enabled or not manager:
        result.notices.append("résumé hebdomadaire non envoyé : " + (
            "désactivé ([digest] enabled = false)" if not ctx.config.digest.enabled
            else "aucun responsable à qui l'envoyer ([service] manager)"))
        return result
    today = ctx.now().date()
    key = key_of(today)
    entry = journal.entry(key)
    if entry is not None and entry.delivered:
        return result
    monday = today - timedelta(days=today.weekday())
    result.actions.append(Action(
        key=key, automation=NAME, kind="create", revision=0, fingerprint=fingerprint({"week": iso_week(today)}),
        summary=f"Résumé hebdomadaire au responsable – semaine du {french.date_medium(monday)}",
        payload={"week": iso_week(today), "to": manager},
        subject={"service": service, "journal": journal, "labels": dict(labels)}))
    return result


def facts(ctx: Context, action: Action) -> DigestFacts:
    """The digest's facts now: the journal the run holds already has this run's earlier sends."""
    journal: Journal = action.subject["journal"]
    now = ctx.now()
    entries = {name: journal.entries(name) for name in (invitations.NAME, meeting_pack.NAME, follow_ups.NAME)}
    service: Service = action.subject["service"]
    settings = ctx.config.planning
    next_year = planning_facts(service, journal.entries(planning.NAME), entries[invitations.NAME], settings,
                               now.date(), planning.start_of_drafting(settings, now.date()))
    incoming = journal.entries(INCOMING)
    # a service without an incoming-mail register, nor mail registered by the tool, gets no « Courrier » section
    kept = bool(service.mail_in) or bool(incoming) or ctx.config.incoming.enabled
    mail = mail_facts(service, incoming, now.date(), ctx.config.incoming.unanswered_days,
                      journal.entries(RECEIPTS)) if kept else None
    return gather(service, journal.events_since(now - timedelta(days=SENT_DAYS)), entries, now,
                  ctx.config.digest, ctx.config.follow_ups.within_days, ctx.config.budget, action.subject["labels"],
                  backlog_lines(journal.write_backlog()), next_year, mail)


def build(ctx: Context, action: Action) -> Mail:
    service = ctx.config.service
    found = facts(ctx, action)
    chart = budget_chart(found.budget, found.year) if found.budget else None
    cid = f"budget-{action.payload['week'].lower()}@{service.mail_domain}"
    images = (Attachment(f"Budget {found.year}.png", chart.png, "image/png", content_id=cid),) if chart else ()
    return Mail(delivery_id=action.delivery_id, subject=title(found), sender=Address(service.email, service.name),
                to=(Address(action.payload["to"]),), body_text=render_text(found, service.name),
                body_html=render_html(found, service.name, chart, cid if chart else None), attachments=images)


def writes(action: Action, today: date) -> list[tuple[Path, CellWrite]]:
    return []
