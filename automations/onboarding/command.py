"""``python run.py draft <dossier> [--sortie DOSSIER]``: write the drafted files and say what is left to decide."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from ..errors import UsageError
from ..registers.mapping import ROLE_LABELS
from .draft import draft
from .toml_writer import config_text, mapping_text

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def draft_command(folder: Path, out: Path, stream: TextIO) -> int:
    """Draft mapping.toml and config.toml in ``out`` from the workbooks of ``folder``; never overwrites a file."""
    targets = [out / "mapping.toml", out / "config.toml"]
    present = [t for t in targets if t.exists()]
    if present:
        names = ", ".join(f"« {t} »" for t in present)
        raise UsageError(f"{names} existe déjà : rien n'est écrasé ; choisissez un autre dossier avec --sortie, "
                         "ou déplacez ce fichier")
    result = draft(folder)
    out.mkdir(parents=True, exist_ok=True)
    targets[0].write_text(mapping_text(result), encoding="utf-8")
    targets[1].write_text(config_text(result, out, TEMPLATES), encoding="utf-8")
    say = lambda line="": print(line, file=stream)  # noqa: E731
    say(f"Registres reconnus dans {folder} :")
    for register in result.registers.values():
        own = f", {len(register.own)} colonne(s) propre(s) au service" if register.own else ""
        say(f"  - {ROLE_LABELS[register.role]} : {len(register.fields)} champ(s){own} — " + " ; ".join(register.places))
    say(f"Écrits : {targets[0]} et {targets[1]}.")
    if result.questions:
        say(f"Questions pour l'administrateur ({len(result.questions)}), marquées « À VÉRIFIER » dans les fichiers :")
        for question in result.questions:
            say(f"  - {question}")
    else:
        say("Aucune question : tout a été reconnu.")
    say(f"Ensuite : python run.py --config {targets[1]} check")
    return 0
