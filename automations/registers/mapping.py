"""The mapping: where each register lives in the staff's workbooks, and how to read it.

One TOML file per service (``mappings/``). It names, per register role, the
files (glob), the sheets (glob), the header row (a number or ``"auto"``), and
per field the header aliases, the type, whether it is required, a default or a
constant value, and whether the tool may write it back.

Fields the tool knows sit under ``[registers.<role>.fields]``: any other name there is refused, with the
closest known name suggested. A column the tool has no name for (a neighbourhood, a file number of the
service's own) is declared under ``[registers.<role>.own_fields.<name>]``, with the same keys: it is read
like the others and its value sits in each record under that name.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, MappingError
from ..settings.section import Section, read_toml
from .types import TYPE_NAMES, ConversionError, FieldType, Range, make_type

# Fields the code relies on, per role, with the type each must have; only these may sit under `fields`.
ROLE_FIELDS: dict[str, dict[str, str]] = {
    "committees": {"name": "text", "scheme": "text", "invitation_days": "integer",
                   "pack_days": "integer", "usual_room": "text", "duration_hours": "number",
                   "quorum": "integer", "anonymise": "bool"},
    "sessions": {"committee": "text", "number": "text", "date": "date", "time": "time",
                 "duration_hours": "number", "end_time": "time", "room": "text", "chair": "text", "status": "choice",
                 "agenda": "text", "attendance": "integer", "room_booked": "text",
                 "invitation_sent_on": "date", "pack_sent_on": "date", "minutes_sent_on": "date",
                 "minutes_validated": "bool"},
    "members": {"last_name": "text", "first_name": "text", "full_name": "text",
                "organisation": "text", "function": "text", "email": "email",
                "committee": "text", "role": "choice", "substitute_for": "text"},
    "rooms": {"name": "text", "email": "email", "capacity": "integer", "site": "text"},
    "applications": {"number": "text", "filed_on": "date", "last_name": "text", "first_name": "text",
                     "full_name": "text", "commune": "text", "tribe": "text", "district": "text",
                     "scheme": "text", "aid_kind": "text", "amount_asked": "amount",
                     "social_worker": "text", "session_date": "date", "decision": "choice",
                     "amount_granted": "amount", "reason": "text", "notes": "text", "supplier": "text",
                     "notified_on": "date", "prepared_on": "date", "voucher_number": "text", "handed_on": "date",
                     "email": "email", "address": "text", "missing_documents": "text", "receipt_sent_on": "date",
                     "receipt_prepared_on": "date", "reminder_sent_on": "date"},
    "suppliers": {"name": "text", "category": "text", "email": "email", "phone": "text",
                  "address": "text", "ridet": "text"},
    "mail_in": {"date": "date", "number": "text", "sender": "text", "subject": "text",
                "recipient": "text", "follow_up": "text", "attachments": "text", "notes": "text"},
    "mail_out": {"date": "date", "number": "text", "recipient": "text", "subject": "text",
                 "author": "text", "reference": "text"},
}

# Text fields that may span lines (an agenda, a postal address, a reason): every other text field the code
# relies on holds on one line, since it reaches a mail header, a key or a one-line message.
MULTILINE_FIELDS = frozenset({("sessions", "agenda"), ("applications", "address"), ("applications", "reason"),
                              ("applications", "notes"), ("applications", "missing_documents"),
                              ("mail_in", "attachments"), ("mail_in", "notes"),
                              ("suppliers", "address"), ("mail_in", "subject"), ("mail_in", "follow_up")})

# Canonical values the code understands for its choice fields.
ROLE_CHOICES: dict[tuple[str, str], frozenset[str]] = {
    ("sessions", "status"): frozenset({"prevue", "tenue", "annulee", "reportee"}),
    ("members", "role"): frozenset({"titulaire", "suppleant"}),
    ("applications", "decision"): frozenset({"accord", "accord_partiel", "refus", "ajourne"}),
}

# Bounds of the numeric fields the code computes with: beyond them a value is a typing error (a session of
# 1,000,000 hours, invitations a thousand years ahead), and dates computed from it would overflow.
_SESSION_HOURS = Range(0, 24, min_open=True, unit=" h", what="durée d'une séance")
_LEAD_DAYS = Range(0, 365, unit=" jours", what="délai")
_COUNT = Range(0, what="nombre")
ROLE_RANGES: dict[tuple[str, str], Range] = {
    ("committees", "duration_hours"): _SESSION_HOURS, ("sessions", "duration_hours"): _SESSION_HOURS,
    ("committees", "invitation_days"): _LEAD_DAYS, ("committees", "pack_days"): _LEAD_DAYS,
    ("committees", "quorum"): _COUNT, ("sessions", "attendance"): _COUNT, ("rooms", "capacity"): _COUNT,
}

# Roles whose register receives rows the tool appends (not only status cells).
APPENDED_ROLES = frozenset({"mail_out", "mail_in"})
# lists, not records of a year: a service keeping a workbook a year copies them into each, so only one is read
LIST_ROLES = frozenset({"committees", "members", "rooms", "suppliers"})

ROLE_LABELS = {
    "committees": "instances", "sessions": "séances", "members": "membres", "rooms": "salles",
    "applications": "demandes", "suppliers": "fournisseurs", "mail_in": "courrier arrivé",
    "mail_out": "courrier départ",
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    headers: tuple[str, ...]
    type: FieldType
    required: bool = False
    write_back: bool = False
    default: Any = None
    value: Any = None  # a constant for every row, when the register has no such column

    @property
    def is_constant(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class RegisterSpec:
    role: str
    files: tuple[str, ...]
    sheets: tuple[str, ...]
    header_row: int | None  # None: detected below title and blank rows
    key: tuple[str, ...]
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    own_fields: dict[str, FieldSpec] = field(default_factory=dict)  # the service's own columns, by their name

    @property
    def label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def all_fields(self) -> dict[str, FieldSpec]:
        """Every field read from the sheet: the known ones, then the service's own."""
        return {**self.fields, **self.own_fields}


@dataclass(frozen=True)
class Mapping:
    source: Path
    name: str
    registers: dict[str, RegisterSpec]

    def get(self, role: str) -> RegisterSpec | None:
        return self.registers.get(role)


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping; raise :class:`MappingError` listing every problem."""
    try:
        raw = read_toml(path)
    except ConfigError as exc:
        raise MappingError(exc.source, exc.problems) from None
    problems: list[str] = []
    root = Section(raw, "", problems)
    name = root.text("name", Path(path).stem)
    registers: dict[str, RegisterSpec] = {}
    tables = root.table("registers")
    for role in tables.data:
        tables.seen.add(role)
        if role not in ROLE_FIELDS:
            tables.problem(role, f"registre inconnu (au choix : {', '.join(ROLE_FIELDS)})")
            continue
        registers[role] = _register(role, Section(tables.data[role], f"[registers.{role}]", problems), problems)
    if not registers:
        problems.append("[registers] : aucun registre décrit")
    root.finish()
    if problems:
        raise MappingError(str(path), problems)
    return Mapping(source=Path(path), name=name, registers=registers)


def _register(role: str, s: Section, problems: list[str]) -> RegisterSpec:
    files = s.strings("files")
    sheets = s.strings("sheets", ("*",))
    header = s._get("header_row", "auto", (int, str), "un numéro de ligne ou \"auto\"")
    header_row: int | None = None
    if isinstance(header, int) and header >= 1:
        header_row = header
    elif header != "auto":
        s.problem("header_row", f"un numéro de ligne (1, 2...) ou \"auto\" est attendu, trouvé « {header} »")
    key = s.strings("key", ())
    fields = _known_fields(role, s, problems)
    own_fields = _own_fields(role, s, problems)
    for name in key:
        if name not in fields and name not in own_fields:
            s.problem("key", f"le champ « {name} » de la clé n'est pas décrit dans [registers.{role}.fields]")
    s.finish()
    return RegisterSpec(role=role, files=files, sheets=sheets, header_row=header_row, key=key, fields=fields,
                        own_fields=own_fields)


def _known_fields(role: str, s: Section, problems: list[str]) -> dict[str, FieldSpec]:
    section = s.table("fields")
    section.where = f"[registers.{role}.fields]"
    known = ROLE_FIELDS[role]
    fields: dict[str, FieldSpec] = {}
    for name in section.data:
        section.seen.add(name)
        if name not in known:
            section.problem(name, _unknown_field(role, name))
            continue
        spec = _field(role, name, Section(section.data[name], f"[registers.{role}.fields.{name}]", problems))
        if spec is not None:
            fields[name] = spec
    return fields


def _unknown_field(role: str, name: str) -> str:
    close = difflib.get_close_matches(name, ROLE_FIELDS[role], n=1)
    if close:
        return f"champ inconnu — vouliez-vous dire {close[0]} ?"
    return (f"champ inconnu (champs des {ROLE_LABELS[role]} : {', '.join(ROLE_FIELDS[role])}) ; une colonne propre "
            f"au service se décrit dans [registers.{role}.own_fields.{name}]")


_OWN_NAME = re.compile(r"[a-z][a-z0-9_]*")
# ``own.items`` in a template would print the table's own method, not the column: such names are refused
RESERVED_OWN_NAMES = frozenset(name for name in dir(dict) if not name.startswith("_"))


def _own_fields(role: str, s: Section, problems: list[str]) -> dict[str, FieldSpec]:
    section = s.table("own_fields")
    section.where = f"[registers.{role}.own_fields]"
    fields: dict[str, FieldSpec] = {}
    for name in section.data:
        section.seen.add(name)
        if not _OWN_NAME.fullmatch(name):
            section.problem(name, "nom de champ invalide : lettres minuscules sans accent, chiffres et « _ », "
                            "en commençant par une lettre (par exemple quartier, numero_caf)")
            continue
        if name in ROLE_FIELDS[role]:
            section.problem(name, f"c'est un champ connu de l'outil : décrivez-le dans [registers.{role}.fields]")
            continue
        if name in RESERVED_OWN_NAMES:
            section.problem(name, f"nom réservé (les modèles liraient autre chose que la colonne) : choisissez-en un "
                            f"autre, par exemple « {name}_2 »")
            continue
        spec = _field(role, name, Section(section.data[name], f"[registers.{role}.own_fields.{name}]", problems),
                      own=True)
        if spec is not None:
            fields[name] = spec
    return fields


def _field(role: str, name: str, s: Section, own: bool = False) -> FieldSpec | None:
    type_name = s.text("type", "text")
    expected = None if own else ROLE_FIELDS[role].get(name)
    if type_name not in TYPE_NAMES:
        s.problem("type", f"type inconnu « {type_name} » (au choix : {', '.join(TYPE_NAMES)})")
        type_name = "text"
    elif expected and type_name != expected:
        s.problem("type", f"le champ « {name} » doit être de type « {expected} »")
    choices = s.table("choices").data if type_name == "choice" else None
    if choices is not None:
        s.seen.add("choices")
        allowed = None if own else ROLE_CHOICES.get((role, name))
        for canonical, aliases in choices.items():
            if allowed and canonical not in allowed:
                s.problem("choices", f"valeur « {canonical} » inconnue (au choix : {', '.join(sorted(allowed))})")
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                s.problem("choices", f"« {canonical} » : une liste de textes est attendue")
                return None
    try:
        one_line = not own and (role, name) not in MULTILINE_FIELDS
        field_type = make_type(type_name, choices, ROLE_RANGES.get((role, name)) if type_name == expected else None,
                               one_line=one_line)
    except ValueError as exc:
        s.problem("type", str(exc))
        return None
    value = s.data.get("value")
    s.seen.add("value")
    headers = s.strings("headers", ())
    if not headers and value is None:
        s.problem("headers", "indiquez au moins un en-tête de colonne (ou une valeur constante « value »)")
    default = _converted(s, "default", field_type)
    constant = _converted(s, "value", field_type)
    if own and "write_back" in s.data:
        # the tool has nothing to write in a column it has no name for
        s.seen.add("write_back")
        s.problem("write_back", "l'outil ne reporte rien dans une colonne propre au service")
    spec = FieldSpec(name=name, headers=headers, type=field_type, required=s.boolean("required", False),
                     write_back=not own and s.boolean("write_back", False), default=default, value=constant)
    s.finish()
    return spec


def _converted(s: Section, key: str, field_type: FieldType) -> Any:
    s.seen.add(key)
    raw = s.data.get(key)
    if raw is None:
        return None
    try:
        return field_type.convert(raw)
    except ConversionError as exc:
        s.problem(key, exc.reason)
        return None
