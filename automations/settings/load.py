"""Read ``config.toml`` into a :class:`Config`, reporting every problem at once.

Each accessor names the failing key (``[section] key``) and says why in French;
nothing is raised until the whole file has been looked at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..addresses import address_problem
from ..errors import ConfigError
from ..number_format import number_format_problem
from .mail_in import incoming_settings, receipt_settings
from .schedule import read_slot
from .section import Section, day_from, read_toml
from .model import (
    CommitteeSettings,
    Config,
    DigestSettings,
    DocumentSettings,
    FollowUpSettings,
    InvitationSettings,
    MinutesSettings,
    PackSettings,
    PathSettings,
    PlanningSettings,
    ReportSettings,
    RoomSettings,
    SafetySettings,
    ServeSettings,
    ServiceSettings,
    TransportSettings,
    WriteBackSettings,
)

# Bounds of the settings dates are computed from: a year of lead time, a session of a day at most.
_DAYS = 365
_HOURS = 24
_PDF_PROCESSES = 64  # LibreOffice processes at once: past that, memory runs out first


def load_config(path: Path, *, backends: dict[str, Callable[[dict[str, Any]], list[str]]] | None = None) -> Config:
    """Read and check the configuration; raise :class:`ConfigError` listing every problem."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(str(path), [f"fichier introuvable. {how_to_start()}"])
    raw = read_toml(path)
    problems: list[str] = []
    config = _build(raw, path.resolve(), problems, backends)
    if problems:
        raise ConfigError(str(path), problems)
    return config


def how_to_start() -> str:
    """Where a newcomer begins: the demonstration, or the commented example next to ``run.py``."""
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    return ("Pour commencer : « python run.py demo » crée un service de démonstration complet ; pour le vôtre, "
            f"copiez « {example} » en « config.toml » et adaptez-le (chaque clé y est expliquée).")


def _build(raw: dict[str, Any], path: Path, problems: list[str], backends: Any) -> Config:
    base = path.parent
    root = Section(raw, "", problems)

    s = root.table("service")
    service = ServiceSettings(
        name=s.text("name"), email=s.text("email"), city=s.text("city", "Nouméa"),
        address=s.text("address", ""), phone=s.text("phone", ""),
        signatory=s.text("signatory", ""), signatory_title=s.text("signatory_title", ""),
        timezone=s.text("timezone", "Pacific/Noumea"), manager=s.text("manager", ""), admin=s.text("admin", ""),
    )
    for key, value in (("email", service.email), ("manager", service.manager), ("admin", service.admin)):
        if value and (problem := address_problem(value)):
            s.problem(key, f"adresse e-mail invalide « {value} » : {problem}")
    try:
        ZoneInfo(service.timezone or "")
    except (ZoneInfoNotFoundError, ValueError):
        s.problem("timezone", f"fuseau horaire inconnu « {service.timezone} » (exemple : Pacific/Noumea)")
    s.finish()

    p = root.table("paths")
    paths = PathSettings(
        registers=p.path("registers", base), mapping=p.path("mapping", base),
        templates=p.path("templates", base, "templates"), output=p.path("output", base, "documents"),
        journal=p.path("journal", base, "journal.sqlite3"), backups=p.path("backups", base, "sauvegardes"),
        reports=p.path("reports", base, "rapports"),
    )
    if paths.registers and not paths.registers.is_dir():
        p.problem("registers", f"dossier introuvable : {paths.registers}")
    if paths.mapping and not paths.mapping.is_file():
        p.problem("mapping", f"fichier introuvable : {paths.mapping}")
    if not paths.templates.is_dir():
        p.problem("templates", f"dossier introuvable : {paths.templates}")
    p.finish()

    t = root.table("transport")
    backend = t.text("kind", "outbox")
    options = {k: v for k, v in t.data.items() if k != "kind" and not t.reject_secret(k)}
    t.seen.update(t.data)
    check = (backends or {}).get(backend)
    if backends is not None and check is None:
        t.problem("kind", f"transport inconnu « {backend} » (au choix : {', '.join(sorted(backends))})")
    elif check is not None:
        problems.extend(f"[transport] {message}" for message in check(options))
    t.finish()

    i = root.table("invitations")
    invitations = InvitationSettings(
        enabled=i.boolean("enabled", True), lead_days=i.integer("lead_days", 15, minimum=1, maximum=_DAYS),
        duration_hours=i.number("duration_hours", 2.0, maximum=_HOURS),
        suppleants_optional=i.boolean("suppleants_optional", True),
    )
    i.finish()

    k = root.table("packs")
    packs = PackSettings(enabled=k.boolean("enabled", True), lead_days=k.integer("lead_days", 5, minimum=1, maximum=_DAYS))
    k.finish()

    n = root.table("minutes")
    minutes = MinutesSettings(enabled=n.boolean("enabled", True),
                              within_days=n.integer("within_days", 30, minimum=1, maximum=_DAYS))
    n.finish()

    d = root.table("documents")
    office = d.text("libreoffice", "")
    documents = DocumentSettings(pdf=d.boolean("pdf", False),
                                 libreoffice=str((base / office).resolve()) if office else "",
                                 pdf_processes=d.integer("pdf_processes", 0, minimum=0, maximum=_PDF_PROCESSES))
    if office and not Path(documents.libreoffice).is_file():
        d.problem("libreoffice", f"fichier introuvable : {office}")
    d.finish()

    follow_ups = _follow_ups(root.table("follow_ups"))
    budget = _budget(root.table("budget"))
    g_ = root.table("digest")
    digest = DigestSettings(enabled=g_.boolean("enabled", True), weeks_ahead=g_.integer("weeks_ahead", 2, minimum=1, maximum=52),
                            late_after_days=g_.integer("late_after_days", 14, minimum=1, maximum=_DAYS))
    g_.finish()
    serve = _serve(root.table("serve"), root.table("schedule"), base)
    r = root.table("report")
    report = ReportSettings(enabled=r.boolean("enabled", True), from_day=r.text("from_day", "01-15"))
    if not re.fullmatch(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", report.from_day):
        r.problem("from_day", f"date invalide « {report.from_day} » (format MM-JJ, par exemple \"01-15\")")
    r.finish()
    planning = _planning(root.table("planning"))
    incoming = incoming_settings(root.table("incoming"), base)
    receipts = receipt_settings(root.table("receipts"))

    w = root.table("write_back")
    write_back = WriteBackSettings(enabled=w.boolean("enabled", True), keep_backups=w.integer("keep_backups", 10, minimum=1))
    w.finish()

    g = root.table("safety")
    safety = SafetySettings(pilot_address=g.text("pilot_address", ""),
                            allowed_domains=g.strings("allowed_domains", ()),
                            max_mails_per_run=g.integer("max_mails_per_run", 300, minimum=1),
                            retention_months=g.integer("retention_months", 0, minimum=0, maximum=1200))
    if safety.pilot_address and (problem := address_problem(safety.pilot_address)):
        g.problem("pilot_address", f"adresse e-mail invalide « {safety.pilot_address} » : {problem}")
    g.finish()

    committees = []
    for c in root.tables("committees"):
        committees.append(CommitteeSettings(
            name=c.text("name"), scheme=c.text("scheme", ""),
            invitation_days=c.integer("invitation_days", None, minimum=1, maximum=_DAYS),
            usual_room=c.text("usual_room", ""), duration_hours=c.number("duration_hours", None, maximum=_HOURS),
            quorum=c.integer("quorum", None, minimum=1),
            pack_days=c.integer("pack_days", None, minimum=1, maximum=_DAYS), anonymise=c.boolean("anonymise", False),
        ))
        c.finish()
    rooms = []
    for r in root.tables("rooms"):
        rooms.append(RoomSettings(name=r.text("name"), email=r.text("email", ""),
                                  capacity=r.integer("capacity", None, minimum=1), site=r.text("site", "")))
        r.finish()
    root.finish()

    return Config(source=path, service=service, paths=paths,
                  transport=TransportSettings(backend=backend, options=options),
                  invitations=invitations, write_back=write_back, safety=safety,
                  packs=packs, minutes=minutes, documents=documents, follow_ups=follow_ups, budget=budget,
                  digest=digest, serve=serve, report=report, planning=planning, incoming=incoming, receipts=receipts,
                  committees=tuple(committees), rooms=tuple(rooms))


def _follow_ups(f: Section) -> FollowUpSettings:
    settings = FollowUpSettings(
        enabled=f.boolean("enabled", True), within_days=f.integer("within_days", 30, minimum=1, maximum=_DAYS),
        letters=f.boolean("letters", True), notices=f.boolean("notices", True),
        vouchers=f.boolean("vouchers", True), voucher_aids=f.strings("voucher_aids", ("Bon alimentaire",)),
        voucher_number=f.text("voucher_number", "BA-{year}-{seq:04d}"),
        voucher_valid_days=f.integer("voucher_valid_days", 30, minimum=1, maximum=10 * _DAYS),
        outgoing_number=f.text("outgoing_number", "D{year}-{seq:04d}"),
        outgoing_author=f.text("outgoing_author", ""), mail_corrections=f.boolean("mail_corrections", False))
    for key in ("voucher_number", "outgoing_number"):
        problem = number_format_problem(getattr(settings, key))
        if problem:
            f.problem(key, problem)
    f.finish()
    return settings


_ON_AVOIDED = ("suivant", "sauter")


def _planning(p: Section) -> PlanningSettings:
    """``[planning]``; each ``[[planning.committees]]`` table is kept as typed, the planning reads its rule."""
    start = p.text("from", "01/10")
    match = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})\s*", start or "")
    from_day = (int(match.group(2)), int(match.group(1))) if match else (10, 1)
    if match is None or day_from(f"{match.group(1)}/{match.group(2)}/2024") is None:
        p.problem("from", f"jour invalide « {start} » (format jj/mm, par exemple \"01/10\" pour le 1er octobre)")
        from_day = (10, 1)
    closures = []
    p.seen.add("closures")
    typed = p.data.get("closures", [])
    for item in typed if isinstance(typed, list) else [typed]:
        day = day_from(item)
        if day is None:
            p.problem("closures", f"une date est attendue (« 24/12/2027 » ou 2027-12-24), trouvé « {item} »")
        else:
            closures.append(day)
    on_avoided = p.text("on_avoided", "suivant").strip().casefold()
    if on_avoided not in _ON_AVOIDED:
        p.problem("on_avoided", f"« {on_avoided} » : « suivant » ou « sauter » attendu")
        on_avoided = "suivant"
    p.seen.add("committees")
    tables = p.data.get("committees", [])
    # each table's keys are checked by the planning's own reading of the rule (``rule_from_table``)
    committees = [dict(t) for t in tables if isinstance(t, dict)] if isinstance(tables, list) else []
    if not isinstance(tables, list) or len(committees) != len(tables):
        p.problem("committees", "une liste de tables [[planning.committees]] est attendue")
    settings = PlanningSettings(enabled=p.boolean("enabled", False), from_day=from_day, closures=tuple(closures),
                                on_avoided=on_avoided, committees=tuple(committees), holds=p.boolean("holds", True))
    p.finish()
    return settings


def _budget(b: Section) -> dict[int, dict[str, int]]:
    """``[budget.2026]`` tables: the year's envelope per scheme, in XPF."""
    envelopes: dict[int, dict[str, int]] = {}
    for year_key in list(b.data):
        b.seen.add(year_key)
        table = b.data[year_key]
        if not year_key.isdigit() or len(year_key) != 4 or not isinstance(table, dict):
            b.problem(year_key, "attendu : une table par année, par exemple [budget.2026], "
                                "avec un montant par dispositif")
            continue
        year = Section(table, f"[budget.{year_key}]", b.problems)
        envelopes[int(year_key)] = {scheme: year.integer(scheme, minimum=0) for scheme in list(table)}
        year.finish()
    b.finish()
    return envelopes


def _serve(v: Section, schedule: Section, base: Path) -> ServeSettings:
    heartbeat = v.text("heartbeat", "")
    logs = v.text("logs", "")
    rotation = v.text("log_rotation", "jour")
    if rotation not in ("jour", "taille"):
        v.problem("log_rotation", f"« {rotation} » inconnu (au choix : \"jour\", \"taille\")")
    settings = ServeSettings(
        schedule={}, heartbeat=(base / heartbeat).resolve() if heartbeat else None,
        logs=(base / logs).resolve() if logs else None, log_rotation=rotation,
        log_max_mb=v.integer("log_max_mb", 10, minimum=1), log_keep=v.integer("log_keep", 30, minimum=1))
    v.finish()
    for name in list(schedule.data):
        schedule.seen.add(name)
        slot = read_slot(Section(schedule.data[name], f"[schedule.{name}]", schedule.problems))
        if slot is not None:
            settings.schedule[name] = slot
    schedule.finish()
    return settings
