"""PDF conversion with the real LibreOffice: one process per batch, French text intact, failures named."""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_BREAK
from pypdf import PdfReader

from automations.documents.pdf import PdfFailed, PdfUnavailable, _groups, convert_to_pdf, find_libreoffice

SOFFICE = find_libreoffice()

TITLE = "Dossier de séance – Commission maintien dans le logement"
DECISIONS = "Relevé de décisions – aide accordée à l'unanimité"


def make_docx(path: Path, pages: list[str]) -> Path:
    """A Word document with one paragraph per page, separated by page breaks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    for number, text in enumerate(pages):
        paragraph = document.add_paragraph(text)
        if number < len(pages) - 1:
            paragraph.add_run().add_break(WD_BREAK.PAGE)
    document.save(str(path))
    return path


def pdf_text(path: Path) -> tuple[int, str]:
    reader = PdfReader(path)
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text).strip()


@dataclass
class Batch:
    documents: list[Path]
    result: dict[Path, Path] | PdfFailed
    starts: list[str]  # one line per LibreOffice process
    progress: list[int]  # PDFs done, as told while converting


def counted_soffice(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``soffice`` first on PATH that logs each start, then runs the real one."""
    assert SOFFICE is not None
    log = folder / "starts.log"
    wrapper = folder / "bin" / "soffice"
    wrapper.parent.mkdir(parents=True)
    wrapper.write_text(f'#!/bin/sh\necho "$$" >> {shlex.quote(str(log))}\n'
                       f'exec {shlex.quote(str(SOFFICE.resolve()))} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    return log


def run_batch(folder: Path, documents: list[Path]) -> Batch:
    progress: list[int] = []
    with pytest.MonkeyPatch.context() as monkeypatch:
        log = counted_soffice(folder, monkeypatch)
        result: dict[Path, Path] | PdfFailed
        try:
            result = convert_to_pdf(documents, progress=progress.append)
        except PdfFailed as exc:
            result = exc
    starts = log.read_text().splitlines() if log.exists() else []
    return Batch(documents, result, starts, progress)


@pytest.fixture(scope="module")
def same_names(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """Two documents named alike in two folders, plus a third: two groups."""
    root = tmp_path_factory.mktemp("same-names")
    documents = [
        make_docx(root / "commission" / "Dossier.docx", [f"{TITLE} – page {n}" for n in (1, 2, 3)]),
        make_docx(root / "décisions" / "Dossier.docx", [DECISIONS]),
        make_docx(root / "décisions" / "Convocation n°2 #5.docx", ["Convocation à la séance du 2 décembre"]),
    ]
    return run_batch(root, documents)


@pytest.fixture(scope="module")
def with_corrupt(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """Three distinct names, one of them random bytes: one process."""
    root = tmp_path_factory.mktemp("corrupt")
    corrupt = root / "Abîmé.docx"
    corrupt.write_bytes(os.urandom(4096))
    documents = [make_docx(root / "Séance.docx", [TITLE]), corrupt,
                 make_docx(root / "Suites.docx", [DECISIONS, "Deuxième page"])]
    return run_batch(root, documents)


def test_pdfs_next_to_each_document(same_names: Batch) -> None:
    assert isinstance(same_names.result, dict)
    assert same_names.result == {d: d.with_suffix(".pdf") for d in same_names.documents}
    for document in same_names.documents:
        assert document.with_suffix(".pdf").is_file()
        assert [p.name for p in document.parent.iterdir() if p.name.startswith(".")] == []


def test_progress_counts_the_pdfs_as_they_come(same_names: Batch, with_corrupt: Batch) -> None:
    assert same_names.progress == sorted(same_names.progress) and same_names.progress[-1] == 3
    assert with_corrupt.progress == sorted(with_corrupt.progress) and with_corrupt.progress[-1] == 2


def test_pages_and_french_text(same_names: Batch) -> None:
    pages, text = pdf_text(same_names.documents[0].with_suffix(".pdf"))
    assert pages == 3
    for n in (1, 2, 3):
        assert f"{TITLE} – page {n}" in text
    pages, text = pdf_text(same_names.documents[1].with_suffix(".pdf"))
    assert (pages, DECISIONS in text, TITLE in text) == (1, True, False)
    assert "2 décembre" in pdf_text(same_names.documents[2].with_suffix(".pdf"))[1]


def test_one_process_per_group_of_distinct_names(same_names: Batch, with_corrupt: Batch) -> None:
    assert len(same_names.starts) == 2
    assert len(with_corrupt.starts) == 1


def test_corrupt_document_named_and_others_produced(with_corrupt: Batch) -> None:
    good, corrupt, other = with_corrupt.documents
    error = with_corrupt.result
    assert isinstance(error, PdfFailed)
    assert error.message.startswith("Conversion en PDF impossible pour : Abîmé.docx")
    assert "Séance.docx" not in error.message and "Suites.docx" not in error.message
    assert error.missing == [corrupt]
    assert error.produced == {good: good.with_suffix(".pdf"), other: other.with_suffix(".pdf")}
    assert not corrupt.with_suffix(".pdf").exists()
    assert pdf_text(good.with_suffix(".pdf")) == (1, TITLE)
    assert pdf_text(other.with_suffix(".pdf"))[0] == 2


def test_timeout_kills_libreoffice_and_leaves_no_pdf(tmp_path: Path) -> None:
    document = make_docx(tmp_path / "Lent.docx", [TITLE])
    with pytest.raises(PdfFailed, match=r"Lent\.docx \(LibreOffice n'a pas terminé en 0\.3 s\)"):
        convert_to_pdf([document], timeout=0.3)
    assert list(tmp_path.iterdir()) == [document]
    if Path("/proc/self/cmdline").exists():  # no LibreOffice left running on that document
        alive = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                alive += [cmdline] if str(tmp_path).encode() in cmdline.read_bytes() else []
            except OSError:
                pass
        assert alive == []


def test_missing_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = make_docx(tmp_path / "Dossier.docx", [TITLE])
    with pytest.raises(PdfUnavailable) as configured:
        convert_to_pdf([document], libreoffice="/nonexistent/soffice")
    assert configured.value.message.startswith("LibreOffice est introuvable")
    assert "/nonexistent/soffice" in configured.value.message
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_libreoffice() is None
    with pytest.raises(PdfUnavailable) as on_path:
        convert_to_pdf([document])
    assert on_path.value.message.startswith("LibreOffice est introuvable : les PDF ne peuvent pas être produits")
    assert "[documents] libreoffice" in on_path.value.message
    assert not document.with_suffix(".pdf").exists()


def test_empty_batch_starts_nothing() -> None:
    assert convert_to_pdf([], libreoffice="/nonexistent/soffice") == {}


def test_find_configured(tmp_path: Path) -> None:
    executable = tmp_path / "soffice"
    executable.write_text("")
    assert find_libreoffice(str(executable)) == executable
    assert find_libreoffice(str(tmp_path)) is None


def test_fewest_groups_with_distinct_names() -> None:
    paths = [Path(p) for p in ("/a/Dossier.docx", "/b/dossier.docx", "/c/Dossier.docx", "/a/Suites.docx",
                               "/b/Suites.docx", "/a/Convocation.docx")]
    assert _groups(paths) == [[paths[0], paths[3], paths[5]], [paths[1], paths[4]], [paths[2]]]

