"""PDF conversion of meeting packs: one LibreOffice process for the batch against one per document.

    python bench/pdf_batch.py

Builds 10 meeting packs of 40 applications each with python-docx, converts
them in one batch with ``convert_to_pdf``, then the naive way measured in the
same run (one ``convert_to_pdf`` call, hence one LibreOffice start, per
document), and prints both times, the ratio and the pages of one PDF.
Needs LibreOffice and pypdf (test extra).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import docx
from docx.document import Document as WordDocument
from docx.enum.text import WD_BREAK
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from automations.documents.pdf import convert_to_pdf, find_libreoffice  # noqa: E402

SESSIONS, APPLICATIONS = 10, 40
AIDES = ["Aide au loyer", "Impayés d'énergie", "Caution", "Frais de déménagement", "Dette locative"]


def new_page(document: WordDocument) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def make_documents(folder: Path, sessions: int, applications: int) -> list[Path]:
    """Meeting packs: a cover page, a summary table, then one page per application."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for session in range(1, sessions + 1):
        document = docx.Document()
        document.add_heading("Commission maintien dans le logement", level=0)
        document.add_paragraph(f"Dossier de séance n° {session} – séance du {session} décembre 2026, salle Kaori")
        document.add_paragraph("Document confidentiel : réservé aux membres de la commission.")
        new_page(document)
        document.add_heading("Récapitulatif des demandes", level=1)
        summary = document.add_table(rows=1, cols=4)
        summary.style = "Table Grid"
        for cell, title in zip(summary.rows[0].cells, ("N°", "Demandeur", "Aide demandée", "Montant (F CFP)")):
            cell.text = title
        for n in range(1, applications + 1):
            for cell, value in zip(summary.add_row().cells,
                                   (str(n), f"Mme Hélène Wénéhoua {n}", AIDES[n % len(AIDES)], f"{n * 12_500:,}".replace(",", " "))):
                cell.text = value
        for n in range(1, applications + 1):
            new_page(document)
            document.add_heading(f"Demande n° {n} – Mme Hélène Wénéhoua {n}", level=1)
            details = document.add_table(rows=0, cols=2)
            details.style = "Table Grid"
            for label, value in (("Commune", "Nouméa"), ("Composition du foyer", f"{n % 5 + 1} personne(s)"),
                                 ("Aide demandée", AIDES[n % len(AIDES)]), ("Montant", f"{n * 12_500} F CFP"),
                                 ("Avis du travailleur social", "Favorable, sous réserve d'un plan d'apurement.")):
                row = details.add_row().cells
                row[0].text, row[1].text = label, value
            document.add_paragraph("Situation : ménage en difficulté passagère après une perte d'emploi ; "
                                   "l'échéancier proposé a été accepté par le bailleur.")
        path = folder / f"Dossier de séance {session:02d}.docx"
        document.save(str(path))
        paths.append(path)
    return paths


def main() -> None:
    if find_libreoffice() is None:
        sys.exit("LibreOffice est introuvable : banc d'essai impossible.")
    with tempfile.TemporaryDirectory() as tmp:
        documents = make_documents(Path(tmp) / "dossiers", SESSIONS, APPLICATIONS)
        convert_to_pdf(documents[:1])  # warm-up: disk cache, fonts
        start = time.perf_counter()
        pdfs = convert_to_pdf(documents)
        batch = time.perf_counter() - start
        start = time.perf_counter()
        for document in documents:
            convert_to_pdf([document])
        naive = time.perf_counter() - start
        pages = len(PdfReader(pdfs[documents[0]]).pages)
    print(f"Conversion en PDF de {SESSIONS} dossiers de séance ({APPLICATIONS} demandes chacun, "
          f"{pages} pages par PDF) :")
    print(f"  un seul LibreOffice pour le lot     : {batch:6.1f} s")
    print(f"  un LibreOffice par document (naïf)  : {naive:6.1f} s")
    print(f"  rapport                             : {naive / batch:6.1f}x")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
