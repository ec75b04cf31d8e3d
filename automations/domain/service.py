"""The service's committees, sessions, members and rooms, built from the registers.

Registers give records; this module turns them into the domain objects the
automations plan from, completes them from the config, and reports what does
not hold together (a session naming an unknown committee, a member without an
e-mail) as findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from .committee_names import Folders, clash_finding
from .look_alikes import without_look_alikes
from .mail_register import IncomingRegister, OutgoingRegister, incoming_register, outgoing_register
from .own_fields import own_values
from .words import Words
from ..registers.findings import Finding, Severity
from ..registers.mapping import FieldSpec, RegisterSpec
from ..registers.reader import Layout, Record, Registers
from ..registers.types import normalize_label
from ..settings import Config
from ..settings.model import RoomSettings
from .. import french
from ..french import plural


# A planning holds the coming year or two: a session further away is most likely a mistyped year.
_FAR_DAYS = 2 * 366

# A room reads the same whether the config or a register describes it.
Room = RoomSettings


@dataclass(frozen=True)
class Committee:
    name: str
    scheme: str = ""
    invitation_days: int = 15
    usual_room: str = ""
    duration_hours: float = 2.0
    quorum: int | None = None  # members who must attend for the committee to decide
    pack_days: int = 5  # the meeting pack leaves this many days before the session
    anonymise: bool = False  # the pack shows applicants as initials: it leaves the service
    own: dict[str, str] = field(default_factory=dict, compare=False)  # the service's own columns, in French


@dataclass(frozen=True)
class Member:
    full_name: str
    email: str
    organisation: str = ""
    function: str = ""
    role: str = "titulaire"
    committee: str | None = None  # None: member of every committee
    substitute_for: str = ""  # a substitute's titular member (name or e-mail), when the register says so
    own: dict[str, str] = field(default_factory=dict, compare=False)  # the service's own columns, in French


@dataclass(frozen=True)
class Session:
    committee: Committee
    date: date
    time: time | None
    duration_hours: float
    room: str  # as typed in the planning; may be empty
    chair: str
    status: str
    agenda: str
    record: Record
    invitation_sent_on: date | None = None
    pack_sent_on: date | None = None
    minutes_sent_on: date | None = None
    minutes_validated: bool = False
    own: dict[str, str] = field(default_factory=dict, compare=False)  # the service's own columns, in French

    def start(self, zone: ZoneInfo) -> datetime | None:
        return datetime.combine(self.date, self.time, zone) if self.time else None

    def end(self, zone: ZoneInfo) -> datetime | None:
        start = self.start(zone)
        return start + timedelta(hours=self.duration_hours) if start else None


@dataclass(frozen=True)
class Application:
    """An application for aid, as the applications register holds it."""

    number: str
    last_name: str
    first_name: str = ""
    commune: str = ""
    scheme: str = ""
    aid_kind: str = ""
    amount_asked: int | None = None
    social_worker: str = ""
    filed_on: date | None = None
    session_date: date | None = None
    decision: str | None = None  # accord | accord_partiel | refus | ajourne
    amount_granted: int | None = None
    reason: str = ""
    notes: str = ""
    supplier: str = ""  # who is paid, or where a voucher is spent
    email: str = ""
    address: str = ""
    notified_on: date | None = None
    voucher_number: str = ""
    record: Record | None = field(default=None, compare=False, repr=False)
    own: dict[str, str] = field(default_factory=dict, compare=False)  # the service's own columns, in French

    @property
    def applicant(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


@dataclass(frozen=True)
class Supplier:
    name: str
    email: str = ""
    address: str = ""
    category: str = ""
    ridet: str = ""
    own: dict[str, str] = field(default_factory=dict, compare=False)  # the service's own columns, in French


@dataclass(frozen=True)
class PlanningSheets:
    """Where the planning is kept: what next year's sessions are written into."""

    spec: RegisterSpec
    layouts: tuple[Layout, ...]  # the sheets read
    files: tuple[Path, ...]  # every workbook its patterns matched


@dataclass
class Service:
    committees: dict[str, Committee] = field(default_factory=dict)  # by normalized name
    rooms: dict[str, Room] = field(default_factory=dict)  # by normalized name
    members: list[Member] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    suppliers: dict[str, Supplier] = field(default_factory=dict)  # by normalized name
    outgoing: OutgoingRegister | None = None  # the outgoing-mail register rows are added to
    incoming: IncomingRegister | None = None  # the incoming-mail register received mail is registered in
    findings: list[Finding] = field(default_factory=list)
    # committees left out because their documents would replace another's (normalized names)
    refused: set[str] = field(default_factory=set)
    words: Words = field(default_factory=Words)  # the service's own words for decisions, statuses, roles
    planning: PlanningSheets | None = None
    # the mail registers' rows as read (the incoming mail, and the outgoing mail that may answer it)
    mail_in: list[Record] = field(default_factory=list)
    mail_out: list[Record] = field(default_factory=list)

    def committee(self, name: str) -> Committee | None:
        return self.committees.get(normalize_label(name))

    def room(self, name: str) -> Room | None:
        return self.rooms.get(normalize_label(name)) if name else None

    def members_of(self, committee: Committee) -> list[Member]:
        key = normalize_label(committee.name)
        return [m for m in self.members if m.committee is None or normalize_label(m.committee) == key]

    def applications_of(self, session: Session) -> list[Application]:
        """The applications a session examines: its date, and its committee's scheme when it has one."""
        scheme = normalize_label(session.committee.scheme)
        # a register without a scheme column (a CCAS's single commission) sends every application of the day
        return [a for a in self.applications if a.session_date == session.date
                and (not scheme or not a.scheme or normalize_label(a.scheme) == scheme)]

    def supplier(self, name: str) -> Supplier | None:
        return self.suppliers.get(normalize_label(name)) if name else None


def build_service(registers: Registers, config: Config, today: date) -> Service:
    service = Service(findings=list(registers.findings), outgoing=outgoing_register(registers, today),
                      words=Words(registers.labels))
    service.mail_in, service.mail_out = list(registers.of("mail_in")), list(registers.of("mail_out"))
    service.incoming = incoming_register(registers, today)
    if "sessions" in registers.specs:
        service.planning = PlanningSheets(registers.specs["sessions"], tuple(registers.layouts.get("sessions", [])),
                                          tuple(registers.role_files.get("sessions", [])))
    defaults = config.invitations
    for c in config.committees:
        service.committees[normalize_label(c.name)] = Committee(
            name=c.name, scheme=c.scheme, invitation_days=c.invitation_days or defaults.lead_days,
            usual_room=c.usual_room, duration_hours=c.duration_hours or defaults.duration_hours,
            quorum=c.quorum, pack_days=c.pack_days or config.packs.lead_days, anonymise=c.anonymise,
            own=own_values(None, registers.own_fields.get("committees", {})))
    folders = Folders()
    for configured in service.committees.values():
        folders.add(configured.name)
    for r in registers.of("committees"):
        key = normalize_label(r.get("name", ""))
        other = folders.add(r.get("name", ""), r.source.row)
        if other is not None:
            service.findings.append(clash_finding(r, r.get("name", ""), other))
            service.refused.add(key)
            continue
        known = service.committees.get(key)
        service.committees[key] = Committee(
            name=r.get("name"), scheme=r.get("scheme", known.scheme if known else ""),
            invitation_days=r.get("invitation_days", known.invitation_days if known else defaults.lead_days),
            usual_room=r.get("usual_room", known.usual_room if known else ""),
            duration_hours=r.get("duration_hours", known.duration_hours if known else defaults.duration_hours),
            quorum=r.get("quorum", known.quorum if known else None),
            pack_days=r.get("pack_days", known.pack_days if known else config.packs.lead_days),
            anonymise=r.get("anonymise", known.anonymise if known else False),
            own=own_values(r, registers.own_fields.get("committees", {})))
    for room in config.rooms:
        service.rooms[normalize_label(room.name)] = room
    for r in registers.of("rooms"):
        service.rooms[normalize_label(r.get("name"))] = Room(r.get("name"), r.get("email", ""),
                                                             r.get("capacity"), r.get("site", ""))
    for r in registers.of("members"):
        member = _member(r, service, registers.own_fields.get("members", {}))
        if member is not None:
            service.members.append(member)
    for r in registers.of("sessions"):
        session = _session(r, service, defaults.duration_hours, today, registers.own_fields.get("sessions", {}))
        if session is not None:
            service.sessions.append(session)
    # two committees the keys cannot tell apart, meeting the same day: neither session is acted on
    service.sessions = without_look_alikes(service.sessions, lambda s: s.record, "committee", "nom d'instance",
                                           service.findings, scope=lambda s: s.date)
    for r in registers.of("suppliers"):
        supplier = Supplier(name=r.get("name"), email=r.get("email", ""), address=r.get("address", ""),
                            category=r.get("category", ""), ridet=r.get("ridet", ""),
                            own=own_values(r, registers.own_fields.get("suppliers", {})))
        service.suppliers[normalize_label(supplier.name)] = supplier
        if not supplier.email and not _said(service, r, "email"):
            service.findings.append(_finding(r, "email", None, f"fournisseur sans adresse e-mail ({supplier.name}) : "
                                             "ses avis seront préparés pour un envoi par courrier", Severity.WARNING))
    for r in registers.of("applications"):
        service.applications.append(Application(
            number=str(r.get("number")), last_name=r.get("last_name") or r.get("full_name", ""), first_name=r.get("first_name", ""),
            commune=r.get("commune", "") or r.get("tribe", ""), scheme=r.get("scheme", ""), aid_kind=r.get("aid_kind", ""),
            amount_asked=r.get("amount_asked"), social_worker=r.get("social_worker", ""),
            filed_on=r.get("filed_on"), session_date=r.get("session_date"), decision=r.get("decision"),
            amount_granted=r.get("amount_granted"), reason=r.get("reason", ""), notes=r.get("notes", ""),
            supplier=r.get("supplier", ""), email=r.get("email", ""), address=r.get("address", ""),
            notified_on=r.get("notified_on"), voucher_number=str(r.get("voucher_number", "")), record=r,
            own=own_values(r, registers.own_fields.get("applications", {}))))
    # two numbers (or supplier names) the keys cannot tell apart: neither row is acted on
    service.applications = without_look_alikes(service.applications, lambda a: a.record, "number", "numéro",
                                               service.findings)
    service.applications = without_look_alikes(service.applications, lambda a: a.record, "supplier", "fournisseur",
                                               service.findings)
    if "suppliers" in registers.records:
        _unknown_suppliers(registers.of("applications"), service)
    return service


def _unknown_suppliers(records: list[Record], service: Service) -> None:
    """One finding per supplier name the suppliers register does not know, at its first row."""
    first: dict[str, tuple[Record, int]] = {}
    for r in records:
        name = r.get("supplier")
        if name and service.supplier(name) is None:
            record, count = first.get(normalize_label(name), (r, 0))
            first[normalize_label(name)] = (record, count + 1)
    for record, count in first.values():
        name = record.get("supplier")
        service.findings.append(_finding(record, "supplier", name, f"fournisseur absent du registre des fournisseurs "
                                         f"({plural(count, 'demande', 'demandes')}) : ses avis seront préparés "
                                         "sans adresse, "
                                         "à compléter et envoyer à la main", Severity.WARNING))


def _finding(record: Record, field_name: str, value: object, reason: str,
             severity: Severity = Severity.ERROR) -> Finding:
    src = record.source
    return Finding(str(src.file), src.sheet, src.row, record.headers.get(field_name, field_name),
                   value, reason, severity)


def _said(service: Service, record: Record, field_name: str) -> bool:
    """Whether reading already found this cell unusable (an address refused): one finding per cell."""
    column = record.headers.get(field_name, field_name)
    src = record.source
    return any(f.row == src.row and f.column == column and f.sheet == src.sheet and f.file == str(src.file)
               for f in service.findings)


def _member(r: Record, service: Service, own: dict[str, FieldSpec]) -> Member | None:
    name = r.get("full_name") or " ".join(p for p in (r.get("last_name"), r.get("first_name")) if p)
    committee = r.get("committee")
    if committee and normalize_label(committee) in service.refused:
        return None  # the committee's own finding says why its members are left out
    if committee and service.committee(committee) is None:
        service.findings.append(_finding(r, "committee", committee,
                                         "instance inconnue : elle ne figure pas dans la liste des instances"))
        return None
    if not r.get("email") and not _said(service, r, "email"):
        service.findings.append(_finding(r, "email", None,
                                         f"membre sans adresse e-mail ({name}) : il ne recevra pas les convocations",
                                         Severity.WARNING))
    return Member(full_name=name, email=r.get("email", ""), organisation=r.get("organisation", ""),
                  function=r.get("function", ""), role=r.get("role", "titulaire"),
                  substitute_for=r.get("substitute_for", ""), own=own_values(r, own),
                  committee=service.committee(committee).name if committee else None)


def _duration(r: Record, service: Service, usual_hours: float) -> float:
    """The session's hours: its duration, else its end minus its start, else the committee's usual duration."""
    given = r.get("duration_hours")
    start, end = r.get("time"), r.get("end_time")
    if given is not None or start is None or end is None:
        return given if given is not None else usual_hours
    if end <= start:
        usual = f"{usual_hours:g}".replace(".", ",")
        service.findings.append(_finding(r, "end_time", french.time_fr(end),
                                         f"heure de fin avant l'heure de début ({french.time_fr(start)}) : "
                                         f"corrigez-la ; la durée habituelle de l'instance ({usual} h) est retenue",
                                         Severity.WARNING))
        return usual_hours
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds() / 3600


def _session(r: Record, service: Service, default_hours: float, today: date,
             own: dict[str, FieldSpec]) -> Session | None:
    committee = service.committee(r.get("committee", ""))
    if committee is None and normalize_label(r.get("committee", "")) in service.refused:
        service.findings.append(_finding(r, "committee", r.get("committee"),
                                         "instance écartée : ses documents remplaceraient ceux d'une autre "
                                         "instance (voir la liste des instances) ; la séance est ignorée"))
        return None
    if committee is None:
        service.findings.append(_finding(r, "committee", r.get("committee"),
                                         "instance inconnue : ajoutez-la à la liste des instances "
                                         "ou corrigez son nom ; la séance est ignorée"))
        return None
    session = Session(
        committee=committee, date=r.get("date"), time=r.get("time"),
        duration_hours=_duration(r, service, committee.duration_hours or default_hours),
        room=r.get("room", ""), chair=r.get("chair", ""), status=r.get("status", "prevue"),
        agenda=r.get("agenda", ""), record=r, invitation_sent_on=r.get("invitation_sent_on"),
        pack_sent_on=r.get("pack_sent_on"), minutes_sent_on=r.get("minutes_sent_on"),
        minutes_validated=bool(r.get("minutes_validated", False)), own=own_values(r, own))
    if session.status == "prevue" and session.date >= today:
        if (session.date - today).days > _FAR_DAYS:  # a year mistyped (2099 for 2029): nothing would ever leave
            service.findings.append(_finding(r, "date", session.date.strftime("%d/%m/%Y"),
                                             "séance prévue dans plus de deux ans : vérifiez l'année ; "
                                             "rien ne partira pour elle d'ici là", Severity.WARNING))
        if session.time is None:
            service.findings.append(_finding(r, "time", None, "séance prévue sans heure : "
                                             "la convocation ne peut pas être envoyée"))
        room = session.room or committee.usual_room
        if not room:
            service.findings.append(_finding(r, "room", None, "séance sans salle : ni lieu indiqué, "
                                             "ni salle habituelle pour cette instance"))
        elif not session.room:
            service.findings.append(_finding(r, "room", None, "séance sans salle indiquée : la salle habituelle "
                                             f"« {room} » de l'instance est retenue", Severity.WARNING))
        if room and service.rooms and service.room(room) is None:
            service.findings.append(_finding(r, "room", room, "salle inconnue de la liste des salles : "
                                             "elle ne pourra pas être réservée", Severity.WARNING))
    return session
