"""The session an application is expected at, as its acknowledgement announces it.

The date staff entered (« Date commission ») wins when the planning holds a
session of a matching committee that day. Otherwise it is the next planned
session of a committee examining the application's scheme whose meeting pack
has not gone yet: a session closer than its committee's ``pack_days`` has its
pack made, and a new file would not be in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..domain.service import Application, Committee, Service, Session
from ..registers.types import normalize_label

# only a session still to be held takes new files
_OPEN = ("prevue",)


@dataclass(frozen=True)
class Expected:
    committee: Committee | None  # None: no committee examines the application's scheme
    session: Session | None  # None: no session planned yet (« date communiquée ultérieurement »)


def _examines(committee: Committee, application: Application) -> bool:
    scheme = normalize_label(committee.scheme)
    # a committee without a scheme (a CCAS's single commission) examines every application
    return not scheme or not application.scheme or normalize_label(application.scheme) == scheme


def expected(service: Service, application: Application, today: date) -> Expected:
    candidates = sorted((s for s in service.sessions
                         if s.status in _OPEN and s.date >= today and _examines(s.committee, application)),
                        key=lambda s: (s.date, s.committee.name))
    if application.session_date is not None:
        for session in candidates:
            if session.date == application.session_date:
                return Expected(session.committee, session)
    for session in candidates:
        if (session.date - today).days >= session.committee.pack_days:
            return Expected(session.committee, session)
    committees = [c for c in service.committees.values() if _examines(c, application)]
    # several committees without any session: none is named rather than a wrong one
    return Expected(committees[0] if len(committees) == 1 else None, None)
