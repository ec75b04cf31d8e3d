"""PDF conversion with the real LibreOffice: one process per core, French text intact, failures named."""

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

from automations.documents.pdf import (MAX_PROCESSES, PdfFailed, PdfUnavailable, _chunks, convert_to_pdf,
                                       find_libreoffice, process_count)

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
    concurrent: bool  # every LibreOffice had started before the first one ended


def counted_soffice(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``soffice`` first on PATH that logs each start and end around the real one."""
    assert SOFFICE is not None
    log = folder / "starts.log"
    wrapper = folder / "bin" / "soffice"
    wrapper.parent.mkdir(parents=True)
    wrapper.write_text(f'#!/bin/sh\necho "start $$" >> {shlex.quote(str(log))}\n'
                       f'{shlex.quote(str(SOFFICE.resolve()))} "$@"\ncode=$?\n'
                       f'echo "end $$" >> {shlex.quote(str(log))}\nexit $code\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    return log


def run_batch(folder: Path, documents: list[Path], processes: int = 0) -> Batch:
    progress: list[int] = []
    with pytest.MonkeyPatch.context() as monkeypatch:
        log = counted_soffice(folder, monkeypatch)
        result: dict[Path, Path] | PdfFailed
        try:
            result = convert_to_pdf(documents, progress=progress.append, processes=processes)
        except PdfFailed as exc:
            result = exc
    lines = log.read_text().splitlines() if log.exists() else []
    starts = [line for line in lines if line.startswith("start ")]
    ends = [n for n, line in enumerate(lines) if line.startswith("end ")]
    concurrent = bool(ends) and all(n < ends[0] for n, line in enumerate(lines) if line.startswith("start "))
    return Batch(documents, result, starts, progress, concurrent)


def cores() -> int:
    """The processors this test may run on, as the system says."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


SIX = {"Convocation": ["Convocation à la séance du 2 décembre"],
       "Dossier de séance": [f"{TITLE} – page {n}" for n in (1, 2, 3, 4)],
       "Relevé": [DECISIONS, "Deuxième page : reports et refus motivés"],
       "Courrier accord": ["Madame, votre demande d'aide de 125 000 F CFP est accordée."],
       "Avis fournisseur": ["Avis au fournisseur : règlement de 48 500 F CFP à l'EEC"],
       "Bon alimentaire": ["Bon n° BA-2026-0042, valable jusqu'au vendredi 18 décembre 2026"]}


@pytest.fixture(scope="module")
def six_in_parallel(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """Six small documents, the tool's way: one LibreOffice per core."""
    root = tmp_path_factory.mktemp("parallel")
    return run_batch(root, [make_docx(root / "docs" / f"{name}.docx", pages) for name, pages in SIX.items()])


@pytest.fixture(scope="module")
def six_in_one(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """The same six documents through a single LibreOffice."""
    root = tmp_path_factory.mktemp("single")
    return run_batch(root, [make_docx(root / "docs" / f"{name}.docx", pages) for name, pages in SIX.items()],
                     processes=1)


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


def test_one_libreoffice_per_core_at_the_same_time(six_in_parallel: Batch, six_in_one: Batch,
                                                   with_corrupt: Batch) -> None:
    assert len(six_in_parallel.starts) == min(cores(), 6)
    assert six_in_parallel.concurrent or cores() == 1
    assert len(six_in_one.starts) == 1
    assert len(with_corrupt.starts) == min(cores(), 3)


def test_documents_sharing_a_name_never_share_a_process(same_names: Batch) -> None:
    assert len(same_names.starts) == max(2, min(cores(), 3))
    assert same_names.concurrent


def test_same_pdfs_from_every_core_as_from_one_process(six_in_parallel: Batch, six_in_one: Batch) -> None:
    assert isinstance(six_in_parallel.result, dict) and isinstance(six_in_one.result, dict)
    assert list(six_in_parallel.result) == six_in_parallel.documents  # in the caller's order
    assert six_in_parallel.progress == sorted(six_in_parallel.progress) and six_in_parallel.progress[-1] == 6
    for mine, alone in zip(six_in_parallel.documents, six_in_one.documents):
        pages, text = pdf_text(six_in_parallel.result[mine])
        assert (pages, text) == pdf_text(six_in_one.result[alone])
        assert (pages, text) == (len(SIX[mine.stem]), " ".join(SIX[mine.stem]))


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


def test_timeout_kills_every_libreoffice_and_leaves_no_pdf(tmp_path: Path) -> None:
    documents = [make_docx(tmp_path / "Lent.docx", [TITLE]), make_docx(tmp_path / "Lent aussi.docx", [DECISIONS])]
    late = r"pour : Lent\.docx, Lent aussi\.docx \(LibreOffice n'a pas terminé en 0\.3 s\)\.$"  # said once for all
    with pytest.raises(PdfFailed, match=late):
        convert_to_pdf(documents, timeout=0.3)
    assert sorted(tmp_path.iterdir()) == sorted(documents)
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


def test_parts_of_about_the_same_size(tmp_path: Path) -> None:
    sizes = {"Dossier A": 90_000, "Courrier 1": 10_000, "Dossier B": 50_000, "Courrier 2": 40_000,
             "Avis": 30_000, "Bon": 20_000, "Relevé": 60_000}
    paths = []
    for name, size in sizes.items():
        paths.append(tmp_path / f"{name}.docx")
        paths[-1].write_bytes(b"x" * size)
    parts = _chunks(paths, 2)
    assert sorted(sum(sizes[p.stem] for p in part) for part in parts) == [150_000, 150_000]
    assert sorted(p for part in parts for p in part) == sorted(paths)
    for part in parts:  # each part in the caller's order
        assert part == sorted(part, key=paths.index)


def test_a_name_shared_by_more_documents_than_processes_waits_for_a_second_round() -> None:
    paths = [Path(p) for p in ("/a/Dossier.docx", "/b/dossier.docx", "/c/Dossier.docx", "/a/Suites.docx",
                               "/b/Suites.docx", "/a/Convocation.docx")]
    parts = _chunks(paths, 2)
    assert len(parts) == 3 and sorted(p for part in parts for p in part) == sorted(paths)
    for part in parts:
        assert len({p.stem.casefold() for p in part}) == len(part)
    assert parts[2] == [paths[2]]  # the two first parts start together, the third once one is done
    assert len(_chunks(paths, 6)) == 6


def test_processes_follow_the_cores_within_the_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(32)), raising=False)
    assert process_count(100) == MAX_PROCESSES == 8
    assert (process_count(3), process_count(100, limit=12), process_count(100, limit=1)) == (3, 12, 1)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert (process_count(100), process_count(100, limit=4), process_count(1)) == (2, 2, 1)

