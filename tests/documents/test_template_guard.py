"""Hostile Word templates: refused before python-docx reads a part whole, with one French line, in check and in run."""

from __future__ import annotations

import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from automations.documents.render import render_docx
from automations.documents.template_check import check_template
from automations.errors import TemplateError

from ..bad_input import files
from ..conftest import PROJECT

SHIPPED = PROJECT / "templates" / "convocation.docx"


def _peak(call) -> int:  # type: ignore[no-untyped-def]
    """Bytes Python allocated at most during ``call``: python-docx holds each part it reads as one bytes object."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_template_inflating_past_the_limit_is_refused_without_being_inflated(tmp_path: Path) -> None:
    bomb = tmp_path / "convocation.docx"
    size = files.docx_bomb(SHIPPED, bomb, mib=40)
    assert bomb.stat().st_size < 1024 * 1024 < size  # small on disk, 40 MiB once inflated

    reports: list = []
    peak = _peak(lambda: reports.append(check_template(bomb, {})))

    assert reports[0].lines() == [
        "Modèle « convocation.docx » refusé (la partie « word/document.xml » ferait 40 Mo une fois décompressée, "
        "au plus 32 Mo) : fichier piégé ou abîmé, il n'est pas ouvert ; remettez le modèle d'origine ou "
        "enregistrez-le de nouveau dans Word"]
    assert peak < 8 * 1024 * 1024  # nothing near the inflated size was ever held


def test_a_template_declaring_two_gigabytes_is_refused_from_its_headers(tmp_path: Path) -> None:
    # the body is small, but its header says 2 GiB: python-docx would try to inflate that much
    lying = tmp_path / "convocation.docx"
    body = b"<w:document/>"
    files.with_document(SHIPPED, lying, zlib.compress(body)[2:-4], zlib.crc32(body), 2 * 1024 ** 3)

    report = check_template(lying, {})

    assert report.broken is not None
    assert "la partie « word/document.xml » ferait 2,0 Go une fois décompressée" in report.broken


def test_a_template_nesting_its_xml_too_deep_is_refused_in_check_and_in_run(tmp_path: Path) -> None:
    nested = tmp_path / "convocation.docx"
    files.docx_nested(SHIPPED, nested, depth=300)
    expected = ("Modèle « convocation.docx » refusé (la partie « word/document.xml » imbrique ses éléments XML sur "
                "plus de 256 niveaux) : fichier piégé ou abîmé, il n'est pas ouvert ; remettez le modèle d'origine "
                "ou enregistrez-le de nouveau dans Word")

    assert check_template(nested, {}).lines() == [expected]
    target = tmp_path / "out" / "lettre.docx"
    with pytest.raises(TemplateError) as refused:
        render_docx(nested, {"x": 1}, target)
    assert refused.value.message == expected
    assert not target.exists()


def test_a_template_whose_body_is_longer_than_declared_is_refused_as_damaged(tmp_path: Path) -> None:
    # the header declares 64 bytes: the readers would stop there and parse a cut document
    lying = tmp_path / "convocation.docx"
    body = b"<w:document>" + b"<w:p/>" * 10_000 + b"</w:document>"
    files.with_document(SHIPPED, lying, zlib.compress(body)[2:-4], zlib.crc32(body[:64]), 64)

    report = check_template(lying, {})

    assert report.broken is not None
    assert ("la partie « word/document.xml » ne correspond pas à ce que l'archive annonce (taille ou somme de "
            "contrôle)") in report.broken


def test_a_template_of_thousands_of_parts_is_refused(tmp_path: Path) -> None:
    crowded = tmp_path / "convocation.docx"
    with zipfile.ZipFile(SHIPPED) as source, zipfile.ZipFile(crowded, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        for n in range(2_100):
            target.writestr(f"word/media/vide{n}.bin", b"")

    report = check_template(crowded, {})

    assert report.broken is not None and "éléments dans l'archive, au plus 2000" in report.broken


def test_a_bomb_makes_no_document_in_run(tmp_path: Path) -> None:
    bomb = tmp_path / "convocation.docx"
    files.docx_bomb(SHIPPED, bomb, mib=40)
    target = tmp_path / "out" / "convocation séance.docx"

    with pytest.raises(TemplateError) as refused:
        render_docx(bomb, {"x": 1}, target)

    assert refused.value.message.startswith("Modèle « convocation.docx » refusé (la partie « word/document.xml » "
                                            "ferait 40 Mo")
    assert not target.exists()


def test_the_shipped_templates_pass_the_guard() -> None:
    for template in sorted((PROJECT / "templates").glob("*.docx")):
        assert check_template(template, {}).broken is None, template.name


def test_a_template_is_inspected_once_for_its_content_wherever_it_lies(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Streaming every part is most of what checking a template costs: a copy of the same bytes in another
    folder (another service, a backup put back) gets the same verdict without being inflated again."""
    from automations import archive_guard
    from automations.documents.template_guard import refusal

    inspected: list[str] = []
    inspect = archive_guard.inspect

    def counting(archive, limits):  # type: ignore[no-untyped-def]
        inspected.append(str(archive.filename))
        return inspect(archive, limits)

    monkeypatch.setattr(archive_guard, "inspect", counting)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, copy = tmp_path / "a" / "convocation.docx", tmp_path / "b" / "convocation.docx"
    files.docx_bomb(SHIPPED, first, mib=43)  # a size no other test uses: bytes of its own
    copy.write_bytes(first.read_bytes())
    said = ("Modèle « convocation.docx » refusé (la partie « word/document.xml » ferait {} Mo une fois décompressée, "
            "au plus 32 Mo) : fichier piégé ou abîmé, il n'est pas ouvert ; remettez le modèle d'origine ou "
            "enregistrez-le de nouveau dans Word")

    assert refusal(first) == said.format(43)
    assert refusal(copy) == said.format(43)
    assert inspected == [str(first)]

    files.docx_bomb(SHIPPED, copy, mib=47)  # changed: inspected again
    assert refusal(copy) == said.format(47)
    assert inspected == [str(first), str(copy)]
