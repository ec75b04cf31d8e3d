"""The print batch: every letter, notice and voucher prepared for the post, in one PDF to print at once.

A document for someone without an e-mail address is only prepared: staff
print, sign and post it. Rather than opening each file of each session's
folder, they print one PDF per run, saved in « À imprimer » under the
documents folder with the run's date and time in its name, in the order
they file the post: committee, session, dossier (its letter, then its
voucher), then the session's supplier notices. Each document keeps its own
Word file and PDF in its session's folder. Without PDFs (``[documents] pdf
= false``, or LibreOffice missing) there is no batch: the run says so and the
Word files are printed one by one.

What goes into a batch is read from the journal (documents prepared and in no
batch yet), not from the run's own list: a run killed between preparing the
letters and writing their batch leaves them to the next run's batch.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .actions import PRINTED
from .context import Context
from ..french import plural
from .journal import Event, Journal

FOLDER = "À imprimer"


def order(key: str, payload: dict[str, Any]) -> tuple[str, str, str, int]:
    """Where a document goes in the batch: committee, session, dossier (its letter, then its voucher),
    then the session's supplier notices by supplier."""
    part = key.split("/", 1)[0]
    committee = str(payload.get("natural", "")).rpartition("/")[0]
    day = str(payload.get("date", ""))
    if part == "notice":
        return committee, day, "\uffff" + str(payload.get("supplier", "")), 0
    return committee, day, str(payload.get("application", "")), 0 if part == "letter" else 1


def to_print(journal: Journal) -> list[Event]:
    """The documents prepared for the post and in no batch yet, in batch order."""
    waiting = journal.unbatched(PRINTED)
    return [event for event, payload in sorted(waiting, key=lambda item: order(item[0].key, item[1]))
            if event.external_ref]


def assemble(ctx: Context, journal: Journal) -> list[str]:
    """Write the batch of what waits to be printed; returns the French lines the run shows about it."""
    events = to_print(journal)
    documents = [Path(str(event.external_ref)) for event in events]
    if not documents:
        return []
    batched = [(event.key, event.revision) for event in events]
    if not ctx.config.documents.pdf:
        journal.note_batched(batched, "", ctx.now())
        return [(f"À imprimer : {plural(len(documents), 'document', 'documents')} Word dans les dossiers des "
                 f"séances (Courriers, Fournisseurs, Bons){_receipts(events)} ; sans PDF ([documents] pdf = false), "
                 "pas de fichier unique à imprimer.")]
    pdfs = [doc.with_suffix(".pdf") for doc in documents]
    present = [pdf for pdf in pdfs if pdf.is_file()]
    if not present:
        journal.note_batched(batched, "", ctx.now())
        return [(f"À imprimer : {plural(len(documents), 'document', 'documents')} Word dans les dossiers des "
                 f"séances{_receipts(events)} ; leurs PDF "
                 "n'ont pas pu être faits, pas de fichier unique à imprimer.")]
    target = _target(ctx)
    _write(present, target)
    journal.note_batched(batched, target.name, ctx.now())  # after the file: a kill in between makes it again
    lines = [f"À imprimer : {plural(len(present), 'document réuni', 'documents réunis')} dans « {target} » "
             "(instance, séance, dossier)."]
    if len(present) < len(pdfs):
        missing = ", ".join(f"« {doc.name} »" for doc, pdf in zip(documents, pdfs) if not pdf.is_file())
        lines.append(f"À imprimer aussi, à part (pas de PDF) : {missing}.")
    return lines


def _receipts(events: Sequence[Event]) -> str:
    """Acknowledgements are filed apart from the sessions' folders: said when the batch holds some."""
    return " et dans « Accusés de réception »" if any(e.key.startswith("receipt/") for e in events) else ""


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
    from pypdf import PdfWriter  # only a run that prints a batch needs it, not every command's start

    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(str(pdf))
    partial = target.with_name(f".{target.name}.partiel")
    with partial.open("wb") as handle:
        writer.write(handle)
    os.replace(partial, target)  # a batch is never seen half-written
