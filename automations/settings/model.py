"""The configuration as frozen dataclasses; ``load.py`` builds and checks them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ServiceSettings:
    name: str
    email: str
    city: str = "Nouméa"
    address: str = ""
    phone: str = ""
    signatory: str = ""
    signatory_title: str = ""
    timezone: str = "Pacific/Noumea"
    manager: str = ""  # receives the alerts (no free room, quorum not reached) and the weekly digest
    admin: str = ""  # receives one mail per incident of the unattended service, and one when it recovers

    @property
    def mail_domain(self) -> str:
        return self.email.rpartition("@")[2] or "localhost"


@dataclass(frozen=True)
class PathSettings:
    registers: Path
    mapping: Path
    templates: Path
    output: Path
    journal: Path
    backups: Path
    reports: Path | None = None  # the annual reports; "rapports" beside the config when None


@dataclass(frozen=True)
class TransportSettings:
    backend: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InvitationSettings:
    enabled: bool = True
    lead_days: int = 15
    duration_hours: float = 2.0
    suppleants_optional: bool = True


@dataclass(frozen=True)
class PackSettings:
    enabled: bool = True
    lead_days: int = 5


@dataclass(frozen=True)
class MinutesSettings:
    enabled: bool = True
    within_days: int = 30  # sessions held longer ago get no draft: a first run must not draft a whole year


@dataclass(frozen=True)
class DocumentSettings:
    pdf: bool = False  # a PDF next to each Word document, by LibreOffice
    libreoffice: str = ""  # its path, when it is not on the PATH
    pdf_processes: int = 0  # how many LibreOffice convert at once, at most; 0: one per core


@dataclass(frozen=True)
class FollowUpSettings:
    enabled: bool = True
    within_days: int = 30  # decisions of older sessions are left alone on a first run
    letters: bool = True
    notices: bool = True
    vouchers: bool = True
    voucher_aids: tuple[str, ...] = ("Bon alimentaire",)  # kinds of aid issued as numbered vouchers
    voucher_number: str = "BA-{year}-{seq:04d}"
    voucher_valid_days: int = 30
    outgoing_number: str = "D{year}-{seq:04d}"  # numbers of the outgoing-mail register
    outgoing_author: str = ""  # « Rédacteur » of the outgoing-mail rows; the service's name when empty
    mail_corrections: bool = False  # a corrected letter is filed for staff to check, unless this is set


@dataclass(frozen=True)
class DigestSettings:
    enabled: bool = True
    weeks_ahead: int = 2  # sessions shown ahead
    late_after_days: int = 14  # a session's decisions are late this long after it


@dataclass(frozen=True)
class ReportSettings:
    enabled: bool = True  # the year's report mailed to the manager once the year is over
    from_day: str = "01-15"  # MM-DD: from this day, last year's report is due


@dataclass(frozen=True)
class IncomingSettings:
    enabled: bool = False  # mail arriving in the service mailbox registered in the incoming-mail register
    folder: str = ""  # the mailbox's folder read (« À enregistrer »); empty: its inbox
    scans: Path | None = None  # the folder where the copier drops scanned paper mail (PDF), if any
    attachments: Path | None = None  # where each mail's files go, a folder per number; None: output/Courrier arrivé
    number: str = "A{year}-{seq:04d}"  # the register's own numbering, continued
    max_attachment_mb: int = 20  # a bigger file is recorded, not saved
    max_per_run: int = 200  # mails registered by one run; the rest wait for the next
    unanswered_days: int = 15  # the digest lists mail without an answer after this many days


@dataclass(frozen=True)
class ReceiptSettings:
    enabled: bool = False  # each new application acknowledged (« accusé de réception »)
    reminder_days: int = 15  # a reminder this many days after, while documents are still missing
    since: str = ""  # JJ/MM/AAAA: applications filed before this day get no acknowledgement (empty: the first run's)


@dataclass(frozen=True)
class PlanningSettings:
    enabled: bool = False  # drafting next year is asked for by name until the service turns it on
    from_day: tuple[int, int] = (10, 1)  # (month, day) from which next year is drafted
    closures: tuple[date, ...] = ()  # days the service is closed: no session drafted on them
    on_avoided: str = "suivant"  # a date on an avoided day moves to the next working day, or « sauter »
    # each committee's rule, as typed: the planning automation reads them (settings cannot import it)
    committees: tuple[dict[str, Any], ...] = ()
    holds: bool = True  # each written session blocks its members' calendars and its room until its convocation


@dataclass(frozen=True)
class Slot:
    """When an automation runs under ``serve``: on these weekdays (0 = Monday), at these times."""

    weekdays: tuple[int, ...]
    times: tuple[str, ...]  # "HH:MM", in the service's time zone


@dataclass(frozen=True)
class ServeSettings:
    schedule: dict[str, Slot] = field(default_factory=dict)  # automation name -> when, as configured
    heartbeat: Path | None = None  # the state file ``status`` reads; beside the journal when None
    logs: Path | None = None  # folder of the rotated logs; none when None
    log_rotation: str = "jour"  # "jour": a file per day; "taille": by size
    log_max_mb: int = 10
    log_keep: int = 30


@dataclass(frozen=True)
class CommitteeSettings:
    """A committee defined (or completed) in the config, for registers that have no list."""

    name: str
    scheme: str = ""
    invitation_days: int | None = None
    usual_room: str = ""
    duration_hours: float | None = None
    quorum: int | None = None
    pack_days: int | None = None
    anonymise: bool = False


@dataclass(frozen=True)
class RoomSettings:
    name: str
    email: str = ""
    capacity: int | None = None
    site: str = ""


@dataclass(frozen=True)
class WriteBackSettings:
    enabled: bool = True
    keep_backups: int = 10


@dataclass(frozen=True)
class SafetySettings:
    pilot_address: str = ""
    allowed_domains: tuple[str, ...] = ()
    max_mails_per_run: int = 300  # more planned at once is a register gone wrong: nothing is mailed
    retention_months: int = 0  # journal details and generated documents older than this are removed; 0: kept


@dataclass(frozen=True)
class Config:
    source: Path
    service: ServiceSettings
    paths: PathSettings
    transport: TransportSettings
    invitations: InvitationSettings
    write_back: WriteBackSettings
    safety: SafetySettings = SafetySettings()
    packs: PackSettings = PackSettings()
    minutes: MinutesSettings = MinutesSettings()
    documents: DocumentSettings = DocumentSettings()
    follow_ups: FollowUpSettings = FollowUpSettings()
    budget: dict[int, dict[str, int]] = field(default_factory=dict)  # year -> scheme -> envelope (XPF)
    digest: DigestSettings = DigestSettings()
    report: ReportSettings = ReportSettings()
    planning: PlanningSettings = PlanningSettings()
    incoming: IncomingSettings = IncomingSettings()
    receipts: ReceiptSettings = ReceiptSettings()
    serve: ServeSettings = ServeSettings()
    committees: tuple[CommitteeSettings, ...] = ()
    rooms: tuple[RoomSettings, ...] = ()
