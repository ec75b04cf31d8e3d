"""What the minutes say: who attended, the decisions per application, the totals per scheme."""

from __future__ import annotations

from typing import Any

from ..domain import attendance as answers
from ..domain import session_documents as docs
from ..domain.service import Application, Session
from ..domain.words import Words
from ..french import plural, reference_order

_PRESENT, _EXCUSED = answers.LABELS[answers.ACCEPTED], answers.LABELS[answers.DECLINED]


def attendance_context(rows: list[dict[str, str]] | None, session: Session, words: Words) -> dict[str, Any]:
    """From the members' answers kept in the journal; a count typed in the planning stands for the quorum."""
    rows = rows or []
    present = [_person(r, words) for r in rows if r["reponse"] == _PRESENT]
    excused = [_person(r, words) for r in rows if r["reponse"] == _EXCUSED]
    silent = [_person(r, words) for r in rows if r["reponse"] not in (_PRESENT, _EXCUSED)]
    # a substitute counts only when sitting for a titular member
    seated = sum(1 for r in rows if r["reponse"] == _PRESENT and (r["qualite"] == "Titulaire" or r["remplace"]))
    typed = session.record.get("attendance")
    count = typed if isinstance(typed, int) else (seated if rows else None)
    quorum = session.committee.quorum
    if count is None:
        text = ""
    elif quorum:
        text = (f"Quorum de {plural(quorum, 'membre', 'membres')} {'atteint' if count >= quorum else 'non atteint'} "
                f"({plural(count, 'membre siégeant', 'membres siégeant')}).")
    else:
        text = f"{plural(count, 'membre siégeant', 'membres siégeant')}."
    return {"attendance_known": bool(rows), "present": present, "excused": excused, "no_answer": silent,
            "quorum": {"text": text}}


def _person(row: dict[str, str], words: Words) -> dict[str, str]:
    # the journal keeps the tool's word for the member's role: the minutes print the service's
    role = words.role(answers.ROLES[row["qualite"]]) if row["qualite"] in answers.ROLES else row["qualite"]
    return {"full_name": row["nom"], "organisation": row["organisme"], "role": role,
            "replaces": row.get("remplace", "")}


def decisions_context(applications: list[Application], anonymised: bool, words: Words) -> dict[str, Any]:
    ordered = sorted(applications, key=lambda a: reference_order(a.number))
    return {
        "applications": [{"index": i, "number": a.number, "applicant": docs.applicant(a, anonymised),
                          "scheme": a.scheme, "aid_kind": a.aid_kind, "amount_asked": docs.amount(a.amount_asked),
                          "decision": words.decision(a.decision),
                          "amount_granted": docs.amount(granted(a)),
                          "reason": docs.scrub(a.reason, a) if anonymised else a.reason,
                          "own": docs.own_of(a, anonymised)}
                         for i, a in enumerate(ordered, 1)],
        "by_scheme": [{"scheme": scheme, **_totals(group)} for scheme, group in docs.by_scheme(ordered).items()],
        "totals": _totals(ordered),
    }


def granted(application: Application) -> int | None:
    """What was granted: nothing unless the decision is an accord, whatever the cell says."""
    if application.decision not in ("accord", "accord_partiel"):
        return None
    if application.amount_granted is None and application.decision == "accord":
        return application.amount_asked  # a full accord grants what was asked
    return application.amount_granted


def _totals(applications: list[Application]) -> dict[str, Any]:
    decisions = [a.decision for a in applications]
    return {"count": len(applications),
            "accords": sum(1 for d in decisions if d in ("accord", "accord_partiel")),
            "refus": decisions.count("refus"), "ajournes": decisions.count("ajourne"),
            "amount_asked": docs.amount(sum(a.amount_asked or 0 for a in applications)),
            "amount_granted": docs.amount(sum(granted(a) or 0 for a in applications))}
