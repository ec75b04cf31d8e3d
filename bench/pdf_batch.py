"""PDF of a batch of one-page letters, the tool's way (one LibreOffice per core) against two naive ways.

    python -m bench pdf

Two cases: ``pdf`` against one LibreOffice run per document, ``pdf-coeurs``
against a single LibreOffice for the whole batch; the latter then checks that
both ways made the same PDFs (same pages, same text). The letters are
convocations rendered from the shipped ``convocation.docx``
(``bench/letters.py``), each under its own name in one folder, as a run's
documents are; each way of ``pdf-coeurs`` converts its own copy, so that both
sets of PDFs stay to be compared. Each way first converts one letter,
unmeasured, so that both start with the disk cache and fonts warm. Needs
LibreOffice.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from automations.documents.pdf import convert_to_pdf, find_libreoffice, process_count
from automations.french import plural

from .letters import render_letters

WARM_UP = "Convocation de chauffe.docx"
CORES = "pdf-coeurs"  # the case whose naive way is a single LibreOffice, and whose PDFs are compared


def prepare(folder: Path, key: str, count: int) -> None:
    """``count`` letters and one to warm LibreOffice up, under ``folder``: one copy per way for ``pdf-coeurs``."""
    written = render_letters(folder / "lettres", count + 1)
    written[-1].rename(written[-1].with_name(WARM_UP))
    if key == CORES:
        for way in ("naif", "outil"):
            shutil.copytree(folder / "lettres", folder / way, dirs_exist_ok=True)  # --data kept from a previous run


def measure(folder: Path, key: str, way: str) -> tuple[float, str]:
    return convert(folder / way if key == CORES else folder / "lettres", way, "lot" if key == CORES else "document")


def finish(folder: Path, key: str) -> str:
    return same_pdfs(folder / "naif", folder / "outil") if key == CORES else ""


def letters(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("Convocation *.docx") if p.name != WARM_UP)


def convert(folder: Path, way: str, naive: str) -> tuple[float, str]:
    """Seconds to convert the letters of ``folder``, and a French detail.

    ``outil``: the tool's conversion; ``naif``: one LibreOffice per document (``naive`` = "document") or a single
    one for the batch (``naive`` = "lot")."""
    if find_libreoffice() is None:
        raise SystemExit("LibreOffice est introuvable : conversion en PDF impossible.")
    documents = letters(folder)
    convert_to_pdf([folder / WARM_UP])
    started = time.perf_counter()
    if way == "outil":
        produced = convert_to_pdf(documents)
        detail = f"{process_count(len(documents))} LibreOffice en même temps"
    elif naive == "lot":
        produced = convert_to_pdf(documents, processes=1)
        detail = "un seul LibreOffice"
    else:
        produced = {}
        for document in documents:
            produced.update(convert_to_pdf([document]))
        detail = ""
    seconds = time.perf_counter() - started
    if len(produced) != len(documents):
        lost = len(documents) - len(produced)
        raise SystemExit(f"{lost} PDF manquant{'s' if lost > 1 else ''}")
    return seconds, detail


def same_pdfs(first: Path, second: Path) -> str:
    """A French verdict: whether each letter has the same pages and text in both folders."""
    from pypdf import PdfReader

    def read(pdf: Path) -> tuple[int, str]:
        reader = PdfReader(pdf)
        return len(reader.pages), re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))

    names = [document.with_suffix(".pdf").name for document in letters(first)]
    different = [name for name in names if read(first / name) != read(second / name)]
    if not names or different:
        return f"PDF DIFFÉRENTS : {', '.join(different[:3]) or 'aucun PDF'}"
    return f"PDF identiques ({plural(len(names), 'PDF comparé', 'PDF comparés')} : pages et texte)"
