"""The run's print batch: every letter, notice and voucher prepared for the post, in one PDF to print at once.

A document for someone without an e-mail address is only prepared: staff
print, sign and post it. Rather than opening each file of each session's
folder, they print one PDF per run, saved in « À imprimer » under the
documents folder with the run's date and time in its name, in the order
they file the post: committee, session, dossier (its letter, then its
voucher), then the session's supplier notices. Each document keeps its own
Word file and PDF in its session's folder. Without PDFs (``[documents] pdf
= false``, or LibreOffice missing) there is no batch: the run says so and the
Word files are printed one by one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from pypdf import PdfWriter

from . import follow_ups
from .actions import PRINTED, Action
from .context import Context
from .documents.french import plural
from .errors import UserError

FOLDER = "À imprimer"


def to_print(actions: Sequence[Action]) -> list[Action]:
    """The run's documents to print, in batch order."""
    return sorted((a for a in actions if a.kind == "file" and a.automation in PRINTED), key=follow_ups.print_order)


def assemble(ctx: Context, actions: Sequence[Action]) -> list[str]:
    """Write the run's batch; returns the French lines the run shows about it."""
    documents: list[Path] = []
    for action in to_print(actions):
        try:
            documents += follow_ups.document(ctx, action, fresh=False)
        except UserError:
            continue  # cannot happen once the action is done; said by the action itself otherwise
    if not documents:
        return []
    if not ctx.config.documents.pdf:
        return [(f"À imprimer : {plural(len(documents), 'document', 'documents')} Word dans les dossiers des "
                 "séances (Courriers, "
                 "Fournisseurs, Bons) ; sans PDF ([documents] pdf = false), pas de fichier unique à imprimer.")]
    pdfs = [doc.with_suffix(".pdf") for doc in documents]
    present = [pdf for pdf in pdfs if pdf.is_file()]
    if not present:
        return [(f"À imprimer : {plural(len(documents), 'document', 'documents')} Word dans les dossiers des "
                 "séances ; leurs PDF "
                 "n'ont pas pu être faits, pas de fichier unique à imprimer.")]
    target = _target(ctx)
    _write(present, target)
    lines = [f"À imprimer : {plural(len(present), 'document réuni', 'documents réunis')} dans « {target} » "
             "(instance, séance, dossier)."]
    if len(present) < len(pdfs):
        missing = ", ".join(f"« {doc.name} »" for doc, pdf in zip(documents, pdfs) if not pdf.is_file())
        lines.append(f"À imprimer aussi, à part (pas de PDF) : {missing}.")
    return lines


def _target(ctx: Context) -> Path:
    folder = ctx.config.paths.output / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"À imprimer {ctx.now():%Y-%m-%d %Hh%M}"
    target, n = folder / f"{stem}.pdf", 1
    while target.exists():  # two runs in the same minute: the first batch stays as it was
        n += 1
        target = folder / f"{stem} ({n}).pdf"
    return target


def _write(pdfs: Sequence[Path], target: Path) -> None:
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(str(pdf))
    partial = target.with_name(f".{target.name}.partiel")
    with partial.open("wb") as handle:
        writer.write(handle)
    os.replace(partial, target)  # a batch is never seen half-written
