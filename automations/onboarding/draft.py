"""The drafting command: a folder of workbooks in, a commented mapping.toml and config.toml out."""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..registers.mapping import RESERVED_OWN_NAMES, ROLE_CHOICES, ROLE_FIELDS, ROLE_LABELS
from .choices import DEFAULTS, propose
from .header_rows import Table, tables
from .recognise import Recognised, field_type, recognise
from .values import guess_type, share_read
from .vocabulary import canonical

# status columns the tool fills in, as the shipped mappings declare them
WRITE_BACK = frozenset({"room_booked", "invitation_sent_on", "pack_sent_on", "minutes_sent_on", "notified_on",
                        "prepared_on", "voucher_number", "handed_on"})
_KEYS = {"committees": ("name",), "sessions": ("committee", "date"), "rooms": ("name",),
         "applications": ("number",), "suppliers": ("name",), "mail_in": ("number",), "mail_out": ("number",)}
# registers the automations cannot do without, and what happens with none
_NEEDED = {"sessions": "convocations, dossiers de séance et comptes rendus n'ont aucune séance",
           "members": "convocations et dossiers de séance n'ont aucun destinataire",
           "applications": "lettres de décision, avis aux fournisseurs, bons et rapport d'activité n'ont aucune demande"}
_YEAR = re.compile(r"(?<!\d)20\d\d(?!\d)")
_WORKBOOKS = ("*.xlsx", "*.xlsm", "*.xls")


@dataclass
class FieldDraft:
    name: str
    headers: list[str]
    type: str
    required: bool = False
    write_back: bool = False
    default: str | None = None
    value: str | None = None  # a constant, when the register has no such column
    choices: dict[str, list[str]] = field(default_factory=dict)
    note: str = ""  # « À VÉRIFIER » comment written above the field


@dataclass
class RegisterDraft:
    role: str
    files: list[str]
    sheets: list[str]
    key: list[str]
    fields: dict[str, FieldDraft]
    own: dict[str, FieldDraft]
    places: list[str]  # « file », feuille « sheet », en-têtes ligne N: for the comment and the summary


@dataclass
class Draft:
    folder: Path
    registers: dict[str, RegisterDraft]
    questions: list[str]
    committees: list[str]  # committees for config.toml when no register lists them
    rooms: list[str] = field(default_factory=list)  # rooms the sessions name, when no register lists them


def _pattern(name: str) -> str:
    # one workbook a year: the year becomes a wildcard, so next year's workbook is read too
    return "*".join(glob.escape(part) for part in _YEAR.split(name))


def _own_name(header: str, taken: set[str]) -> str:
    base = "_".join(canonical(header).split()) or "colonne"
    base = base if base[0].isalpha() else f"col_{base}"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def _where(table: Table) -> str:
    return f"« {table.file.name} », feuille « {table.sheet} »"


def draft(folder: Path) -> Draft:
    """Read every workbook of the folder and draft the registers they hold (nothing is written)."""
    if not folder.is_dir():
        raise UsageError(f"dossier introuvable : {folder}")
    paths = sorted({p for pattern in _WORKBOOKS for p in folder.glob(pattern)
                    if not p.name.startswith(("~$", "."))})
    if not paths:
        raise UsageError(f"aucun classeur Excel (.xlsx, .xlsm, .xls) dans {folder}")
    questions: list[str] = []
    found: dict[str, list[Recognised]] = {}
    for path in paths:
        for table in tables(path, questions):
            recognised = recognise(table)
            if recognised is None:
                questions.append(f"{_where(table)} : aucun registre reconnu dans ses en-têtes ; elle n'est pas décrite")
                continue
            if table.guessed:
                questions.append(f"{_where(table)} : ligne d'en-têtes supposée à la ligne {table.header_row}")
            found.setdefault(recognised.role, []).append(recognised)
    if not found:
        said = "".join(f"\n  - {q}" for q in questions)
        raise UsageError(f"aucun registre reconnu dans les classeurs de {folder} : rien n'est écrit{said}")
    registers = {role: _register(role, items, questions) for role, items in found.items()}
    committees: list[str] = []
    sessions = registers.get("sessions")
    if sessions is not None and "committees" not in registers:
        committee = sessions.fields.get("committee")
        if committee is not None and committee.value is not None:
            committees = [committee.value]
        elif committee is not None:
            names = {str(v).strip() for r in found["sessions"] for n, m in r.fields.items() if n == "committee"
                     for v in m.column.values}
            committees = sorted(names)
    rooms: list[str] = []
    if sessions is not None and "rooms" not in registers:
        rooms = sorted({str(v).strip() for r in found["sessions"] if "room" in r.fields
                        for v in r.fields["room"].column.values})
    for role, without in _NEEDED.items():
        if role not in registers:
            questions.append(f"aucun registre des {ROLE_LABELS[role]} reconnu : {without} ; s'il existe, "
                             "décrivez-le dans mapping.toml")
    return Draft(folder, registers, questions, committees, rooms)


def _register(role: str, items: list[Recognised], questions: list[str]) -> RegisterDraft:
    fields: dict[str, FieldDraft] = {}
    own: dict[str, FieldDraft] = {}
    # an own column may not bear a known field's name, nor one a template would read as something else
    taken: set[str] = set(ROLE_FIELDS[role]) | RESERVED_OWN_NAMES
    for item in items:
        for name, matched in item.fields.items():
            draft_field = fields.get(name)
            if draft_field is None:
                draft_field = fields[name] = FieldDraft(name, [], field_type(role, name),
                                                        write_back=name in WRITE_BACK)
                _check_values(draft_field, matched.column.values, item.table, questions)
            if matched.column.header not in draft_field.headers:
                draft_field.headers.append(matched.column.header)
            if not matched.exact:
                draft_field.note = (f"À VÉRIFIER : l'en-tête « {matched.column.header} » ressemble à un en-tête "
                                    f"connu de « {name} », sans lui être identique")
                questions.append(f"{_where(item.table)} : « {matched.column.header} » lu comme « {name} » "
                                 "(en-tête approchant)")
        for column, name in item.again:
            questions.append(f"{_where(item.table)} : « {column.header} » nomme aussi « {name} », déjà lu dans "
                             f"« {item.fields[name].column.header} » ; elle est gardée comme colonne propre au service")
        for column in item.own:
            if any(column.header in f.headers for f in own.values()):
                continue
            name = _own_name(column.header, taken)
            own[name] = FieldDraft(name, [column.header], guess_type(column.header, column.values))
    for name, draft_field in fields.items():
        if draft_field.type == "choice":
            values = [v for item in items if name in item.fields for v in item.fields[name].column.values]
            _choices(role, draft_field, values, questions, items[0].table)
    key = _key(role, fields, items[0], questions)
    _mark_required(role, fields, key)
    if len({tuple(sorted(c.header for c in item.table.columns)) for item in items}) > 1:
        shown = " ; ".join(_where(item.table) for item in items)
        questions.append(f"registre des {ROLE_LABELS[role]} reconnu dans des feuilles aux en-têtes différents "
                         f"({shown}) : vérifiez qu'elles tiennent toutes ce registre, retirez les autres de "
                         "« sheets » ou « files »")
    files = list(dict.fromkeys(_pattern(item.table.file.name) for item in items))
    sheets = list(dict.fromkeys(_pattern(item.table.sheet) for item in items))
    places = [f"{_where(item.table)}, en-têtes ligne {item.table.header_row}" for item in items]
    return RegisterDraft(role, files, sheets, key, fields, own, places)


def _mark_required(role: str, fields: dict[str, FieldDraft], key: list[str]) -> None:
    """The key's columns, a person's name and a mail's date: a row without them is left out, as the shipped
    mappings do."""
    for name in key:
        # a member's first name identifies them with the last name, but may be blank
        fields[name].required = name != "first_name" and fields[name].value is None
    if role.startswith("mail_") and "date" in fields:
        fields["date"].required = True
    if role in ("members", "applications"):
        name = "full_name" if "full_name" in fields and "last_name" not in key else "last_name"
        if name in fields:
            fields[name].required = True


def _key(role: str, fields: dict[str, FieldDraft], first: Recognised, questions: list[str]) -> list[str]:
    if role == "members":
        wanted = ("full_name",) if "full_name" in fields else ("last_name", "first_name", "committee")
        return [n for n in wanted if n in fields]
    key = list(_KEYS[role])
    if role == "sessions" and "committee" not in fields:
        # one committee only, whose name no column gives: a constant the administrator names
        fields["committee"] = FieldDraft("committee", [], "text", value=first.table.sheet,
                                         note="À VÉRIFIER : aucune colonne n'indique l'instance ; toutes les séances "
                                              "sont rattachées à celle-ci : donnez son nom exact")
        questions.append(f"{_where(first.table)} : aucune colonne d'instance ; les séances sont rattachées à "
                         f"« {first.table.sheet} » (nom à vérifier, ici et dans [[committees]] de config.toml)")
    missing = [n for n in key if n not in fields]
    if missing:
        questions.append(f"registre des {ROLE_LABELS[role]} ({_where(first.table)}) : aucune colonne pour "
                         f"{', '.join(missing)}, qui identifie chaque ligne ; indiquez-la dans mapping.toml")
    return [n for n in key if n in fields]


def _check_values(f: FieldDraft, values: tuple[object, ...], table: Table, questions: list[str]) -> None:
    if f.type in ("text", "choice", "bool"):
        return
    _, refused = share_read(f.type, list(values))
    if refused:
        shown = ", ".join(f"« {v} »" for v in list(dict.fromkeys(str(r) for r in refused))[:3])
        f.note = f"À VÉRIFIER : {len(refused)} valeur(s) illisible(s) comme « {f.type} », par exemple {shown}"
        questions.append(f"{_where(table)}, colonne « {f.headers[0] if f.headers else f.name} » : "
                         f"{len(refused)} valeur(s) ne se lisent pas comme {f.type} ({shown}) ; ces lignes "
                         "seront signalées par check")


def _choices(role: str, f: FieldDraft, values: list[object], questions: list[str], table: Table) -> None:
    proposal = propose(role, f.name, values)
    f.choices = proposal.choices
    f.default = DEFAULTS.get((role, f.name))
    allowed = sorted(ROLE_CHOICES.get((role, f.name), ()))
    if proposal.unknown:
        shown = ", ".join(f"« {u} »" for u in proposal.unknown)
        f.note = (f"À VÉRIFIER : sens inconnu pour {shown} : ajoutez chacune à la bonne valeur "
                  f"({', '.join(allowed)})")
        questions.append(f"{_where(table)}, colonne « {f.headers[0]} » : sens inconnu pour {shown} "
                         f"(au choix : {', '.join(allowed)})")
    absent = [a for a in allowed if a not in f.choices]
    if absent and not f.note:
        f.note = f"valeurs encore jamais saisies : {', '.join(absent)} (ajoutez leurs libellés s'ils servent)"


def relative(target: Path, start: Path) -> str:
    try:
        return Path(os.path.relpath(target.resolve(), start.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return target.resolve().as_posix()
