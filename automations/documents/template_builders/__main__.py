"""Build the shipped Word templates with python-docx: ``python -m automations.documents.template_builders [folder]``.

The templates are docxtpl (Jinja2) documents that staff then edit in Word; each one is built by
its own module (``template_*.py``) from the pieces of ``docx_parts.py``, then its text gets the
no-break spaces of French typography (``documents/typography.py``), as rendered values
do. They are written into ``templates/`` unless another folder is given.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from docx.document import Document

from . import (template_accuse_reception, template_avis_fournisseur, template_bon_alimentaire,
               template_compte_rendu, template_convocation, template_dossier_seance, template_lettre_accord,
               template_lettre_accord_partiel, template_lettre_ajourne, template_lettre_refus,
               template_rapport_activite, template_relance_pieces)
from .docx_parts import typeset

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"

BUILDERS: dict[str, Callable[[], Document]] = {
    "convocation.docx": template_convocation.build,
    "dossier_seance.docx": template_dossier_seance.build,
    "compte_rendu.docx": template_compte_rendu.build,
    "lettre_accord.docx": template_lettre_accord.build,
    "lettre_accord_partiel.docx": template_lettre_accord_partiel.build,
    "lettre_refus.docx": template_lettre_refus.build,
    "lettre_ajourne.docx": template_lettre_ajourne.build,
    "avis_fournisseur.docx": template_avis_fournisseur.build,
    "bon_alimentaire.docx": template_bon_alimentaire.build,
    "rapport_activite.docx": template_rapport_activite.build,
    "accuse_reception.docx": template_accuse_reception.build,
    "relance_pieces.docx": template_relance_pieces.build,
}


# the annual report's template keeps its text as its own module writes it
UNTYPESET = {"rapport_activite.docx"}


def build_all(target: Path) -> list[Path]:
    """Write every template into ``target``; returns the paths of those that changed."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in BUILDERS.items():
        buffer = io.BytesIO()
        document = build()
        (document if name in UNTYPESET else typeset(document)).save(buffer)
        path = target / name
        if not path.is_file() or _parts(path.read_bytes()) != _parts(buffer.getvalue()):
            path.write_bytes(buffer.getvalue())
            written.append(path)
    return written


def _parts(docx: bytes) -> dict[str, bytes]:
    """A .docx file's parts; they stay the same from one build to the next, unlike the zip's dates."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATES
    changed = build_all(folder)
    names = ", ".join(path.name for path in changed) or "aucun (tous étaient déjà à jour)"
    print(f"Modèles écrits dans {folder} : {names}")
