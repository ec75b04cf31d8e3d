"""``python run.py draft <dossier> [--sortie DOSSIER]``: write the drafted files and say what is left to decide."""

from __future__ import annotations

import errno
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
    _write(out, [(targets[0], mapping_text(result)), (targets[1], config_text(result, out, TEMPLATES))])

    def say(line: str) -> None:
        print(line, file=stream)

    say(f"Registres reconnus dans {folder} :")
    for register in result.registers.values():
        names = ", ".join(f"« {f.headers[0]} »" for f in register.own.values())
        own = f", {len(register.own)} colonne(s) propre(s) au service ({names})" if register.own else ""
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


def _write(out: Path, files: list[tuple[Path, str]]) -> None:
    """Both files or neither: each is created, never replaced (a file appearing meanwhile stays as it is)."""
    written: list[Path] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for path, text in files:
            with path.open("x", encoding="utf-8", newline="\n") as handle:
                written.append(path)
                handle.write(text)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise UsageError(f"impossible d'écrire dans {out} ({_reason(exc)}) : rien n'est écrit ; choisissez un autre "
                         "dossier avec --sortie") from exc


def _reason(exc: OSError) -> str:
    # the system's words are English: the cases an administrator meets, in French
    if isinstance(exc, FileExistsError):
        return "un fichier porte déjà ce nom"
    if isinstance(exc, PermissionError):
        return "accès refusé au compte qui lance la commande"
    if isinstance(exc, NotADirectoryError):
        return "un fichier du chemin n'est pas un dossier"
    if exc.errno == errno.ENOSPC:
        return "disque plein"
    if exc.errno == errno.EROFS:
        return "disque en lecture seule"
    return f"erreur système {exc.errno}"
