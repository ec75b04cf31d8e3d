"""The commission's decisions as the applications register holds them, grouped by the session that took them.

A group is the applications examined on one day by one committee. The
committee comes from the planning when it has a session that day for the
application's scheme, else from the committees whose scheme it is: in many
services the register's « Date commission » is all that links the two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .session_documents import session_folder, session_key
from ..engine.context import Context
from .. import french
from ..registers.types import normalize_label
from .service import Application, Committee, Service, Session
from .words import Words

GRANTED = ("accord", "accord_partiel")
# the tool's words, in file names only: a letter's file keeps its name whatever the mapping says
OUTCOME_LABELS = {"accord": "accord", "accord_partiel": "accord partiel", "refus": "refus", "ajourne": "ajournement"}


@dataclass(frozen=True)
class DecisionGroup:
    date: date
    committee: Committee | None
    session: Session | None  # the planning's session, when the planning has it
    applications: tuple[Application, ...]  # every application examined that day, decided or not
    words: Words = field(default_factory=Words, compare=False)  # the service's words for its decisions

    @property
    def name(self) -> str:
        return self.committee.name if self.committee else "Commission"

    @property
    def natural(self) -> str:
        return session_key(self.name, self.date)

    @property
    def label(self) -> str:
        return f"{self.name}, séance du {french.date_short(self.date)}"

    @property
    def decided(self) -> list[Application]:
        return [a for a in self.applications if a.decision]

    @property
    def undecided(self) -> list[Application]:
        return [a for a in self.applications if not a.decision]

    def scheme_of(self, application: Application) -> str:
        return application.scheme or (self.committee.scheme if self.committee else "")

    @property
    def called_off(self) -> bool:
        """The planning says the session did not take place: its decisions get no follow-up."""
        return self.session is not None and self.session.status in ("annulee", "reportee")

    def notified_since(self, application: Application) -> bool:
        """Notified on or after this session (by hand, or by a letter written back); an older date
        is the notice of an earlier adjournment."""
        return application.notified_on is not None and application.notified_on >= self.date

    def folder(self, ctx: Context) -> Path:
        """The session's folder, shared with its convocation, pack and minutes."""
        return session_folder(ctx, self.name, self.date)


def granted(application: Application) -> int:
    return application.amount_granted or 0 if application.decision in GRANTED else 0


def decision_groups(service: Service, today: date) -> list[DecisionGroup]:
    """Groups of every session held by ``today``, oldest first."""
    found: dict[tuple[str, date], tuple[Committee | None, Session | None, list[Application]]] = {}
    for application in service.applications:
        day = application.session_date
        if day is None or day > today:
            continue
        session = _session_of(service, application, day)
        committee = session.committee if session else _committee_of(service, application)
        key = (normalize_label(committee.name) if committee else normalize_label(application.scheme), day)
        found.setdefault(key, (committee, session, []))[2].append(application)
    groups = [DecisionGroup(day, committee, session, tuple(apps), service.words)
              for (_, day), (committee, session, apps) in found.items()]
    return sorted(groups, key=lambda g: (g.date, g.name))


def _session_of(service: Service, application: Application, day: date) -> Session | None:
    scheme = normalize_label(application.scheme)
    same_day = [s for s in service.sessions if s.date == day]
    exact = [s for s in same_day if scheme and normalize_label(s.committee.scheme) == scheme]
    loose = [s for s in same_day if not scheme or not s.committee.scheme]
    return (exact or loose or [None])[0]


def _committee_of(service: Service, application: Application) -> Committee | None:
    scheme = normalize_label(application.scheme)
    committees = list(service.committees.values())
    matching = [c for c in committees if scheme and normalize_label(c.scheme) == scheme]
    if matching:
        return matching[0]
    return committees[0] if len(committees) == 1 else None
