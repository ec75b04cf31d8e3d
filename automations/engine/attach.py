"""The files a mail carries: each Word document, and its PDF when the config asks for one and it is up to date."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .context import Context
from ..transports.base import Attachment

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def pdf_of(document: Path) -> Path | None:
    """The PDF made from this document, unless the document changed since."""
    pdf = document.with_suffix(".pdf")
    if pdf.is_file() and pdf.stat().st_mtime >= document.stat().st_mtime:
        return pdf
    return None


def attachments_for(ctx: Context, documents: Sequence[Path]) -> tuple[Attachment, ...]:
    files: list[Attachment] = []
    for document in documents:
        files.append(Attachment(document.name, document.read_bytes(), DOCX))
        pdf = pdf_of(document) if ctx.config.documents.pdf else None
        if pdf is not None:
            files.append(Attachment(pdf.name, pdf.read_bytes(), PDF))
    return tuple(files)
