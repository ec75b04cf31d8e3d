"""``[incoming]`` and ``[receipts]``: the mail the service receives, and the acknowledgements of applications."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from ..number_format import number_format_problem
from .model import IncomingSettings, ReceiptSettings
from .section import Section


def incoming_settings(s: Section, base: Path) -> IncomingSettings:
    scans = s.text("scans", "")
    attachments = s.text("attachments", "")
    settings = IncomingSettings(
        enabled=s.boolean("enabled", False), folder=s.text("folder", ""),
        scans=(base / scans).resolve() if scans else None,
        attachments=(base / attachments).resolve() if attachments else None,
        number=s.text("number", "A{year}-{seq:04d}"),
        max_attachment_mb=s.integer("max_attachment_mb", 20, minimum=1, maximum=1024),
        max_per_run=s.integer("max_per_run", 200, minimum=1, maximum=10_000),
        unanswered_days=s.integer("unanswered_days", 15, minimum=1, maximum=366))
    problem = number_format_problem(settings.number)
    if problem:
        s.problem("number", problem)
    s.finish()
    return settings


def receipt_settings(s: Section) -> ReceiptSettings:
    settings = ReceiptSettings(enabled=s.boolean("enabled", False),
                               reminder_days=s.integer("reminder_days", 15, minimum=1, maximum=366),
                               since=s.text("since", ""))
    if settings.since and since_day(settings.since) is None:
        s.problem("since", f"date invalide « {settings.since} » (format JJ/MM/AAAA, par exemple \"01/12/2026\")")
    s.finish()
    return settings


def since_day(text: str) -> date | None:
    """``[receipts] since`` as a day: JJ/MM/AAAA, as staff write dates."""
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None
