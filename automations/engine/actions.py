"""What the planners return: actions to carry out, and notices for the administrator."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from .journal import dumps


@dataclass(frozen=True)
class Action:
    key: str  # stable idempotency key, e.g. invitation/<committee>/<first date>
    automation: str
    kind: str  # create | update | cancel, or file: a document saved for staff, nothing sent
    revision: int  # 0 for the first delivery, then +1 per update or cancellation
    fingerprint: str  # of what the delivery depends on
    summary: str  # French, without any applicant's personal data
    payload: dict[str, Any]  # the state recorded in the journal once delivered
    subject: Any = None  # the domain object the builder needs (not stored)

    @property
    def delivery_id(self) -> str:
        return f"{self.key}#{self.revision}"


@dataclass
class Plan:
    automation: str
    actions: list[Action] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)  # French, also mailed once to the manager
    facts: list[str] = field(default_factory=list)  # French, for information (the budget used)
    attendance: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # meeting key -> expected rows


KIND_LABELS = {"create": "envoi", "update": "mise à jour", "cancel": "annulation", "file": "document"}
# automations whose documents filed for staff are letters to print, sign and post: never « envoyé »
PRINTED = frozenset({"followups", "receipts"})
# automations whose filed action records something received: a mail registered, not a document made
REGISTERING = frozenset({"incoming"})


def done_label(kind: str, automation: str) -> str:
    """What a carried-out action did, in French: a filed document was prepared, nothing left."""
    if kind == "file" and automation in PRINTED:
        return "préparé pour impression"
    if kind == "file" and automation in REGISTERING:
        return "enregistré"
    return KIND_LABELS.get(kind, kind)


def planned_label(kind: str, automation: str) -> str:
    if kind == "file" and automation in PRINTED:
        return "à préparer pour impression"
    if kind == "file" and automation in REGISTERING:
        return "à enregistrer"
    return KIND_LABELS.get(kind, kind)


def fingerprint(data: dict[str, Any]) -> str:
    return hashlib.sha256(dumps(data).encode("utf-8")).hexdigest()[:20]


def slug(text: str) -> str:
    """ASCII, lower-case, dash-separated: stable in keys and file names."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
