"""The French reference of registers, fields and configuration keys, generated from the code's own tables.

``python -m automations.cli.reference [FICHIER]`` writes it (``REFERENCE.md`` at the project's root by
default); a test regenerates it and compares it with the committed file, so it cannot drift from the code.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..engine.field_needs import NEEDS
from ..engine.registry import AUTOMATIONS, labels
from ..registers.field_catalog import (CHOICE_MEANINGS, FIELD_KEYS, MAPPING_KEYS, REGISTER_KEYS, TYPE_MEANINGS,
                                       field_type, known_fields, register_title)
from ..registers.mapping import ROLE_CHOICES, ROLE_FIELDS
from ..registers.types import TYPE_NAMES
from ..settings.schedule import DAYS, DEFAULT_SCHEDULE
from ..settings.keys import KEYS, SECTIONS, TRANSPORT_KEYS, recorded_defaults

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "REFERENCE.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table(head: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    head = list(head)
    lines = [f"| {' | '.join(head)} |", f"|{'---|' * len(head)}"]
    lines += [f"| {' | '.join(_cell(c) for c in row)} |" for row in rows]
    return [*lines, ""]


def _default(value: Any, required: bool) -> str:
    if required:
        return "obligatoire"
    if value is None:
        return "aucun"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (int, float)):
        return f"`{value:g}`"
    if isinstance(value, (tuple, list)):
        return f"`[{', '.join(f'{chr(34)}{v}{chr(34)}' for v in value)}]`"
    return f"`\"{value}\"`" if value else "vide"


def _automations(names: Iterable[str]) -> str:
    french = labels()
    return ", ".join(french[n] for n in names) or "aucune (pour le personnel)"


def _mapping_part() -> list[str]:
    lines = ["## La correspondance des registres", "",
             "Un fichier TOML par service (dossier `mappings/`), désigné par `[paths] mapping`.", "",
             "### Clés du fichier", ""]
    lines += _table(("clé", "sens", "par défaut"), ((f"`{k}`", m, d) for k, (m, d) in MAPPING_KEYS.items()))
    lines += ["### Clés d'un registre (`[registers.<registre>]`)", ""]
    lines += _table(("clé", "sens", "par défaut"), ((f"`{k}`", m, d) for k, (m, d) in REGISTER_KEYS.items()))
    lines += ["### Clés d'un champ (`[registers.<registre>.fields.<champ>]`, et de même sous `own_fields`)", ""]
    lines += _table(("clé", "sens", "par défaut"), ((f"`{k}`", m, d) for k, (m, d) in FIELD_KEYS.items()))
    lines += ["### Types", ""]
    lines += _table(("type", "valeurs"), ((f"`{name}`", TYPE_MEANINGS[name]) for name in TYPE_NAMES))
    return lines


def _registers_part() -> list[str]:
    lines = ["## Les registres et leurs champs", "",
             "Un champ absent de ces listes est refusé sous `fields` : une colonne propre au service se décrit "
             "sous `own_fields`. « Reporté » : l'outil remplit la colonne (`write_back = true`). "
             "« Indispensable » : le registre ne sert à rien sans ce champ.", ""]
    for role in ROLE_FIELDS:
        lines += [f"### `{role}` — {register_title(role)}", ""]
        rows = []
        for name, info in known_fields(role).items():
            rows.append((f"`{name}`", f"`{field_type(role, name)}`", info.meaning, _automations(info.uses),
                         "oui" if info.written else "non", "oui" if info.essential else "non"))
        lines += _table(("champ", "type", "sens", "automatisations", "reporté", "indispensable"), rows)
        for (choice_role, name), values in ROLE_CHOICES.items():
            if choice_role == role:
                meanings = CHOICE_MEANINGS[(role, name)]
                lines += [f"Valeurs de `{name}` : " + " ; ".join(f"`{v}` ({meanings[v]})" for v in sorted(values))
                          + ".", ""]
    return lines


def _needs_part() -> list[str]:
    lines = ["## Ce que fait une automatisation sans un champ", "",
             "`check` le dit pour chaque automatisation active, d'après la correspondance.", ""]
    french = labels()
    rows = ((need.part or french[need.automation], f"`{need.role}`", " ou ".join(f"`{f}`" for f in need.fields),
             need.without) for need in NEEDS)
    return lines + _table(("automatisation", "registre", "champ", "sans lui"), rows)


def _config_part() -> list[str]:
    defaults = recorded_defaults()
    lines = ["## La configuration (`config.toml`)", "",
             "Les chemins relatifs partent du dossier du fichier. Aucun secret dans ce fichier : une clé en "
             "`_env` donne le NOM d'une variable d'environnement (ou d'une entrée du trousseau).", ""]
    for section, meaning in SECTIONS.items():
        title = f"[[{section}]]" if section in ("committees", "rooms", "planning.committees") else f"[{section}]"
        lines += [f"### `{title}`", "", f"{meaning[0].upper()}{meaning[1:]}.", ""]
        keys = KEYS.get(section, {})
        if keys:
            lines += _table(("clé", "sens", "par défaut"),
                            ((f"`{k}`", m, _default(*defaults[(section, k)])) for k, m in keys.items()))
        if section == "schedule":
            lines += ["Sans table, chaque automatisation passe :", ""]
            lines += _table(("automatisation", "jours", "heures"), (
                (f"`{name}`", ", ".join(DAYS[d] for d in slot.weekdays), ", ".join(slot.times))
                for name, slot in DEFAULT_SCHEDULE.items()))
        if section == "transport":
            for kind, options in TRANSPORT_KEYS.items():
                lines += [f"Avec `kind = \"{kind}\"` :", ""]
                lines += _table(("clé", "sens", "par défaut"), ((f"`{k}`", m, d) for k, (m, d) in options.items()))
    return lines


def render() -> str:
    lines = ["# Référence des registres, des champs et de la configuration", "",
             "Page produite par `python -m automations.cli.reference` à partir des définitions du code : "
             "ne pas la modifier à la main.", "",
             "## Les automatisations", ""]
    lines += _table(("nom", "ce qu'elle fait"), ((f"`{a.name}`", a.label) for a in AUTOMATIONS.values()))
    lines += [*_mapping_part(), *_registers_part(), *_needs_part(), *_config_part()]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else DEFAULT_PATH
    target.write_text(render(), encoding="utf-8")
    print(f"Référence écrite : {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
