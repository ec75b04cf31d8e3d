"""Read ``config.toml`` into a :class:`Config`, reporting every problem at once.

Each accessor names the failing key (``[section] key``) and says why in French;
nothing is raised until the whole file has been looked at.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import ConfigError
from .section import Section, read_toml
from .model import (
    CommitteeSettings,
    Config,
    DocumentSettings,
    InvitationSettings,
    MinutesSettings,
    PackSettings,
    PathSettings,
    RoomSettings,
    SafetySettings,
    ServiceSettings,
    TransportSettings,
    WriteBackSettings,
)

def load_config(path: Path, *, backends: dict[str, Callable[[dict[str, Any]], list[str]]] | None = None) -> Config:
    """Read and check the configuration; raise :class:`ConfigError` listing every problem."""
    path = Path(path)
    raw = read_toml(path)
    problems: list[str] = []
    config = _build(raw, path.resolve(), problems, backends)
    if problems:
        raise ConfigError(str(path), problems)
    return config


def _build(raw: dict[str, Any], path: Path, problems: list[str], backends: Any) -> Config:
    base = path.parent
    root = Section(raw, "", problems)

    s = root.table("service")
    service = ServiceSettings(
        name=s.text("name"), email=s.text("email"), city=s.text("city", "Nouméa"),
        address=s.text("address", ""), phone=s.text("phone", ""),
        signatory=s.text("signatory", ""), signatory_title=s.text("signatory_title", ""),
        timezone=s.text("timezone", "Pacific/Noumea"), manager=s.text("manager", ""),
    )
    for key, value in (("email", service.email), ("manager", service.manager)):
        if value and "@" not in value:
            s.problem(key, f"adresse e-mail invalide « {value} »")
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
        enabled=i.boolean("enabled", True), lead_days=i.integer("lead_days", 15, minimum=1),
        duration_hours=i.number("duration_hours", 2.0),
        suppleants_optional=i.boolean("suppleants_optional", True),
    )
    i.finish()

    k = root.table("packs")
    packs = PackSettings(enabled=k.boolean("enabled", True), lead_days=k.integer("lead_days", 5, minimum=1))
    k.finish()

    n = root.table("minutes")
    minutes = MinutesSettings(enabled=n.boolean("enabled", True),
                              within_days=n.integer("within_days", 30, minimum=1))
    n.finish()

    d = root.table("documents")
    office = d.text("libreoffice", "")
    documents = DocumentSettings(pdf=d.boolean("pdf", False),
                                 libreoffice=str((base / office).resolve()) if office else "")
    if office and not Path(documents.libreoffice).is_file():
        d.problem("libreoffice", f"fichier introuvable : {office}")
    d.finish()

    w = root.table("write_back")
    write_back = WriteBackSettings(enabled=w.boolean("enabled", True), keep_backups=w.integer("keep_backups", 10, minimum=1))
    w.finish()

    g = root.table("safety")
    safety = SafetySettings(pilot_address=g.text("pilot_address", ""),
                            allowed_domains=g.strings("allowed_domains", ()))
    if safety.pilot_address and "@" not in safety.pilot_address:
        g.problem("pilot_address", f"adresse e-mail invalide « {safety.pilot_address} »")
    g.finish()

    committees = []
    for c in root.tables("committees"):
        committees.append(CommitteeSettings(
            name=c.text("name"), scheme=c.text("scheme", ""),
            invitation_days=c.integer("invitation_days", None, minimum=1),
            usual_room=c.text("usual_room", ""), duration_hours=c.number("duration_hours", None),
            quorum=c.integer("quorum", None, minimum=1),
            pack_days=c.integer("pack_days", None, minimum=1), anonymise=c.boolean("anonymise", False),
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
                  packs=packs, minutes=minutes, documents=documents,
                  committees=tuple(committees), rooms=tuple(rooms))
