"""PDF of a batch of one-page letters: one LibreOffice run for the batch against one run per document.

    python -m bench pdf

The letters are convocations rendered from the shipped ``convocation.docx``
(``bench/letters.py``), each under its own name in one folder, as a run's
documents are. Each way first converts one letter, unmeasured, so that both
start with the disk cache and fonts warm. Needs LibreOffice.
"""

from __future__ import annotations

import time
from pathlib import Path

from automations.documents.pdf import convert_to_pdf, find_libreoffice

from .letters import render_letters


def prepare(folder: Path, count: int) -> list[Path]:
    return render_letters(folder, count)


def convert(documents: list[Path], way: str, warm_up: Path) -> float:
    """Seconds to convert ``documents``: all at once (``outil``) or one LibreOffice per document (``naif``)."""
    if find_libreoffice() is None:
        raise SystemExit("LibreOffice est introuvable : conversion en PDF impossible.")
    convert_to_pdf([warm_up])
    started = time.perf_counter()
    if way == "outil":
        produced = convert_to_pdf(documents)
    else:
        produced = {}
        for document in documents:
            produced.update(convert_to_pdf([document]))
    seconds = time.perf_counter() - started
    if len(produced) != len(documents):
        raise SystemExit(f"{len(documents) - len(produced)} PDF manquant{'s' if len(documents) - len(produced) > 1 else ''}")
    return seconds
