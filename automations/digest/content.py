"""What the weekly digest tells the manager, gathered from the registers and the journal.

``gather`` is pure: from the service, the journal's events and entries and
``now`` it returns the facts both parts of the mail show. No applicant's name
is ever taken: applications appear by their number, actions by their summary
(which the planners write without personal data), register problems without
the value of their cell (an applicant's e-mail address can be that value).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from ..follow_ups import budget, decision_letters, follow_ups
from ..convocations import invitations
from ..packs import meeting_pack
from ..engine.actions import PRINTED
from ..follow_ups.budget import SchemeBudget
from ..domain.decisions import GRANTED, DecisionGroup, decision_groups
from ..domain.words import DECISION, Words
from .. import french
from ..engine.journal import Entry, Event
from ..registers.findings import Severity
from ..domain.service import Service, Session
from ..settings.model import DigestSettings
from .mail_facts import MailFacts
from .planning_facts import PlanningFacts

SHOWN_PROBLEMS = 20
SHOWN_SUMMARIES = 12
SENT_DAYS = 7

DONE, PLANNED, MISSING, NOT_NEEDED = "done", "planned", "missing", "not-needed"


@dataclass(frozen=True)
class Step:
    """Where a coming session stands on one of its preparations (room, convocation, pack)."""

    state: str  # DONE, PLANNED (not due yet), MISSING (due and not done), NOT_NEEDED (a cancelled session)
    text: str  # French


@dataclass(frozen=True)
class ComingSession:
    day: date
    start: time | None
    committee: str
    status: str  # French
    applications: int
    room: Step
    invitation: Step
    pack: Step


@dataclass(frozen=True)
class SentGroup:
    automation: str
    label: str  # French
    sent: int  # mails and meetings
    filed: int  # documents saved for staff, nothing sent
    summaries: tuple[str, ...]  # the first ones, oldest first; documents to print are listed apart
    listable: int  # how many the summaries could show

    @property
    def more(self) -> int:
        return self.listable - len(self.summaries)


@dataclass(frozen=True)
class UndecidedSession:
    label: str
    day: date
    days_since: int
    undecided: int
    examined: int


@dataclass(frozen=True)
class UnsentLetters:
    label: str
    day: date
    numbers: tuple[str, ...]  # applications decided, not notified
    waiting_amount: tuple[str, ...]  # among them, accords whose « Montant accordé » is empty


@dataclass(frozen=True)
class ToPrint:
    """A letter, notice or voucher the tool prepared for the post, which staff have still to print and post."""

    label: str  # the session
    what: str  # French: the document, by its dossier number or its supplier
    since: date  # the day it was prepared
    short: str = ""  # French, a few words for a list: « courrier DEL-2026-0302 »


@dataclass(frozen=True)
class Problems:
    errors: int
    warnings: int
    shown: tuple[tuple[bool, str], ...]  # (is an error, where and why), errors first

    @property
    def more(self) -> int:
        return self.errors + self.warnings - len(self.shown)


@dataclass(frozen=True)
class DigestFacts:
    now: datetime
    week: str  # ISO week, « 2026-W48 »
    monday: date
    ahead_until: date
    sent_since: datetime
    late_after_days: int
    sessions: tuple[ComingSession, ...]
    sent: tuple[SentGroup, ...]
    undecided: tuple[UndecidedSession, ...]
    unsent: tuple[UnsentLetters, ...]
    year: int
    budget: tuple[SchemeBudget, ...]
    problems: Problems
    backlog: tuple[str, ...] = ()  # French: what the registers still lack (pending writes, sidecar workbooks)
    to_print: tuple[ToPrint, ...] = ()
    planning: PlanningFacts | None = None  # next year's planning, in its season or once written
    mail: MailFacts | None = None  # the service's mail, when it keeps an incoming-mail register

    @property
    def total_sent(self) -> int:
        return sum(g.sent for g in self.sent)

    @property
    def total_filed(self) -> int:
        return sum(g.filed for g in self.sent)

    @property
    def late(self) -> int:
        return sum(s.undecided for s in self.undecided) + sum(len(u.numbers) for u in self.unsent)


def iso_week(moment: date) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def gather(service: Service, events: Sequence[Event], entries: Mapping[str, Mapping[str, Entry]], now: datetime,
           settings: DigestSettings, follow_up_days: int, envelopes: dict[int, dict[str, int]],
           labels: Mapping[str, str], backlog: Sequence[str] = (),
           planning: PlanningFacts | None = None, mail: MailFacts | None = None) -> DigestFacts:
    """``entries``: the journal's entries of the invitations, packs and follow-ups, by automation name."""
    today = now.date()
    groups = decision_groups(service, today)
    held = [g for g in groups if not g.called_off]  # the follow-ups give them nothing: staff move them
    since = now - timedelta(days=SENT_DAYS)
    return DigestFacts(
        now=now, week=iso_week(today), monday=today - timedelta(days=today.weekday()),
        ahead_until=today + timedelta(days=7 * settings.weeks_ahead), sent_since=since,
        late_after_days=settings.late_after_days,
        sessions=_coming(service, entries, today, settings.weeks_ahead),
        sent=_sent(events, since, now, labels),
        undecided=tuple(UndecidedSession(g.label, g.date, (today - g.date).days, len(g.undecided), len(g.applications))
                        for g in held if (today - g.date).days >= settings.late_after_days and g.undecided),
        unsent=_unsent(held, entries.get(follow_ups.NAME, {}), today, follow_up_days),
        year=today.year, budget=tuple(budget.usage(groups, envelopes, today.year)),
        problems=_problems(service), backlog=tuple(backlog),
        to_print=_to_print(held, entries.get(follow_ups.NAME, {}), since, today, follow_up_days, service.words),
        planning=planning, mail=mail)


def _coming(service: Service, entries: Mapping[str, Mapping[str, Entry]], today: date,
            weeks: int) -> tuple[ComingSession, ...]:
    sent = {e.payload.get("natural", e.key.removeprefix("invitation/")): e
            for e in entries.get(invitations.NAME, {}).values()}
    packs = entries.get(meeting_pack.NAME, {})
    coming = sorted((s for s in service.sessions if 0 <= (s.date - today).days <= 7 * weeks),
                    key=lambda s: (s.date, s.time or time.min, s.committee.name))
    result = []
    for session in coming:
        invitation = sent.get(invitations.natural_key(session))
        count = len(service.applications_of(session))
        if session.status in ("annulee", "reportee"):
            steps = (Step(NOT_NEEDED, "—"), _cancellation(invitation), Step(NOT_NEEDED, "—"))
        else:
            steps = (_room(session, invitation), _invitation(session, invitation, today),
                     _pack(session, packs.get(meeting_pack.key_of(session)), count, today))
        result.append(ComingSession(session.date, session.time, session.committee.name,
                                    service.words.status(session.status), count, *steps))
    return tuple(result)


def _on(entry: Entry) -> str:
    return french.date_short(date.fromisoformat(entry.updated_at[:10]))


def _retried(entry: Entry) -> bool:
    """A delivered action whose next delivery (an update) failed: it is tried again at the next run."""
    return entry.status == "failed"


def _delivered(entry: Entry | None) -> bool:
    return entry is not None and entry.delivered


def _cancellation(entry: Entry | None) -> Step:
    if entry is None or not entry.delivered:
        return Step(NOT_NEEDED, "—")
    if entry.payload.get("state") == "cancelled":
        return Step(DONE, f"annulation envoyée le {_on(entry)}")
    return Step(MISSING, "convoquée : annulation pas encore envoyée aux membres")


def _room(session: Session, invitation: Entry | None) -> Step:
    """Booked only when a server booked it or staff wrote it in the planning; a room merely named
    in the convocation (outbox, pilot mode, no address) or invited by mail (smtp) is not."""
    if invitation is not None and invitation.delivered and invitation.payload.get("room"):
        room = invitation.payload["room"]
        # entries made before the transport said what it does with rooms: nothing is claimed
        booking = invitation.payload.get("room_booking", "indiquee")
        if booking == "reservee":
            return Step(DONE, f"{room} (réservée)")
        if not session.record.get("room_booked"):
            if booking == "invitee":
                return Step(PLANNED, f"{room} (invitée par e-mail, réservation non confirmée)")
            return Step(PLANNED, f"{room} (indiquée dans la convocation, à réserver)")
    booked = session.record.get("room_booked")
    if booked:
        return Step(DONE, f"{booked} (réservée, d'après le planning)")
    planned = session.room or session.committee.usual_room
    if planned:
        return Step(PLANNED, f"{planned} (pas encore réservée)")
    return Step(MISSING, "aucune salle indiquée")


def _due(day: date, today: date, late: str) -> Step:
    if day > today:
        return Step(PLANNED, f"à envoyer le {french.date_short(day)}")
    return Step(MISSING, late)


def _invitation(session: Session, entry: Entry | None, today: date) -> Step:
    if entry is not None and entry.delivered and entry.payload.get("state") == invitations.HOLD:
        # the date held in the members' calendars by the planning: the convocation itself is still to come
        return _due(session.date - timedelta(days=session.committee.invitation_days), today,
                    "pas envoyée (date seulement réservée) : délai de convocation dépassé")
    if entry is not None and entry.delivered:
        if _retried(entry):
            return Step(MISSING, "envoyée ; échec de sa mise à jour, nouvel essai au prochain passage")
        if entry.revision:
            return Step(DONE, f"envoyée, mise à jour le {_on(entry)}")
        return Step(DONE, f"envoyée le {_on(entry)}")
    if session.invitation_sent_on is not None:
        return Step(DONE, f"envoyée le {french.date_short(session.invitation_sent_on)} (d'après le planning)")
    if entry is not None and entry.status == "failed":
        return Step(MISSING, "échec de l'envoi, nouvel essai au prochain passage")
    return _due(session.date - timedelta(days=session.committee.invitation_days), today,
                "pas envoyée : délai de convocation dépassé")


def _pack(session: Session, entry: Entry | None, count: int, today: date) -> Step:
    if entry is not None and entry.delivered:
        if _retried(entry):
            return Step(MISSING, "envoyé ; échec de sa mise à jour, nouvel essai au prochain passage")
        numbers = len(entry.payload.get("numbers", []))
        return Step(DONE, f"envoyé le {_on(entry)} ({french.plural(numbers, 'dossier', 'dossiers')})")
    if session.pack_sent_on is not None:
        return Step(DONE, f"envoyé le {french.date_short(session.pack_sent_on)} (d'après le planning)")
    if entry is not None and entry.status == "failed":
        return Step(MISSING, "échec de l'envoi, nouvel essai au prochain passage")
    due = session.date - timedelta(days=session.committee.pack_days)
    if count == 0:
        return Step(PLANNED if due > today else MISSING, "aucun dossier inscrit à cette séance")
    return _due(due, today, "pas envoyé : délai du dossier dépassé")


def _sent(events: Sequence[Event], since: datetime, now: datetime,
          labels: Mapping[str, str]) -> tuple[SentGroup, ...]:
    by_automation: dict[str, list[Event]] = {}
    for event in events:
        if event.outcome in ("sent", "recovered", "prepared") and since <= datetime.fromisoformat(event.at) <= now:
            by_automation.setdefault(event.automation, []).append(event)
    order = list(labels)
    names = sorted(by_automation, key=lambda n: (order.index(n) if n in order else len(order), n))
    # a document to print is counted as prepared, and listed with what waits for the post, not with what left
    shown = {name: [e for e in by_automation[name] if not (e.kind == "file" and name in PRINTED)] for name in names}
    return tuple(SentGroup(name, labels.get(name, name), sum(1 for e in by_automation[name] if e.kind != "file"),
                           sum(1 for e in by_automation[name] if e.kind == "file"),
                           tuple(e.summary for e in shown[name][:SHOWN_SUMMARIES]), len(shown[name]))
                 for name in names)


def _to_print(groups: list[DecisionGroup], entries: Mapping[str, Entry], since: datetime, today: date,
              window: int, words: Words) -> tuple[ToPrint, ...]:
    """Documents prepared for the post and not known to have left.

    A decision letter waits until staff fill « Notifié le » on or after the day
    it was prepared (within the follow-ups' window). Nothing in the registers
    says a supplier notice or a voucher was posted or handed over: they are
    listed in the week they were prepared.
    """
    sessions = {g.natural: g for g in groups}
    result = []
    for key, entry in entries.items():
        group = sessions.get(entry.payload.get("natural", ""))
        if not entry.delivered or entry.kind != "file" or group is None:
            continue
        prepared = date.fromisoformat(entry.updated_at[:10])
        part, payload = key.split("/", 1)[0], entry.payload
        if part == "letter":
            number = payload.get("application")
            application = next((a for a in group.applications if a.number == number), None)
            posted = application is not None and application.notified_on is not None \
                and application.notified_on >= prepared
            if posted or (today - group.date).days > window:
                continue
            what = (f"{'Courrier rectificatif' if entry.revision else 'Courrier de décision'} "
                    f"({words.label(DECISION, payload.get('decision'), '?')}) – dossier {number}")
            short = f"{'rectificatif' if entry.revision else 'courrier'} {number}"
        elif datetime.fromisoformat(entry.updated_at) < since:
            continue
        elif part == "notice":
            what, short = f"Avis au fournisseur {payload.get('supplier', '')}", f"avis {payload.get('supplier', '')}"
        else:
            what, short = f"Bon – dossier {payload.get('application', '')}", f"bon {payload.get('application', '')}"
        result.append(ToPrint(group.label, what, prepared, short))
    return tuple(sorted(result, key=lambda t: (t.since, t.label, t.what)))


def _unsent(groups: list[DecisionGroup], letters: Mapping[str, Entry], today: date,
            window: int) -> tuple[UnsentLetters, ...]:
    result = []
    for group in groups:
        if (today - group.date).days > window:
            continue  # the follow-ups leave older sessions alone: so does the digest
        late = [a for a in group.decided if not _delivered(letters.get(decision_letters.key_of(a, group.date)))
                and not group.notified_since(a)]
        if late:
            result.append(UnsentLetters(group.label, group.date, tuple(french.by_reference(a.number for a in late)),
                                        tuple(french.by_reference(a.number for a in late if a.decision in GRANTED
                                                                 and not a.amount_granted))))
    return tuple(result)


def _problems(service: Service) -> Problems:
    errors = [f for f in service.findings if f.severity is Severity.ERROR]
    warnings = [f for f in service.findings if f.severity is not Severity.ERROR]
    shown = [(f.severity is Severity.ERROR, replace(f, value=None).describe())
             for f in (errors + warnings)[:SHOWN_PROBLEMS]]
    return Problems(len(errors), len(warnings), tuple(shown))
