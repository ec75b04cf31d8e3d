"""A template compiled once renders the same documents as docxtpl rendering it anew for each letter."""

from __future__ import annotations

import os
import shutil
import zipfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docxtpl import DocxTemplate, RichText
from jinja2.sandbox import SandboxedEnvironment

from automations.documents.render import render_docx
from automations.documents.typography import typeset_values
from automations.engine.journal import Journal
from automations.cli.template_samples import follow_up_samples, receipt_samples, report_sample, samples

from ..conftest import NOUMEA, PROJECT, FakeClock
from ..service_factory import context, make_service
from .test_shipped_templates import SHIPPED

TEMPLATES = PROJECT / "templates"


def naive(template: Path, data: dict[str, Any], target: Path) -> Path:
    """docxtpl's own way, as the tool rendered every document before: open, render, save, per letter; the
    values typeset as the tool does before rendering either way."""
    document = DocxTemplate(str(template))
    document.render(typeset_values(data), jinja_env=SandboxedEnvironment(autoescape=True), autoescape=True)
    document.save(str(target))
    return target


def reading(path: Path) -> list[str]:
    """What a reader sees: body paragraphs (with their line breaks), every table cell, then headers and footers."""
    document = docx.Document(str(path))
    # python-docx shows a line break and a raw newline alike: Word shows only the break
    lines = [f"{p.text} [{len(p._p.findall('.//' + qn('w:br')))} saut(s)]" for p in document.paragraphs]
    for table in document.tables:
        lines += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    for section in document.sections:
        lines += [f"en-tête : {p.text}" for p in section.header.paragraphs]
        lines += [f"pied : {p.text}" for p in section.footer.paragraphs]
    return lines


@pytest.fixture(scope="module")
def sample_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("service")
    ctx = context(make_service(folder), FakeClock(datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)))
    with Journal(folder / "journal.sqlite3", readonly=True) as journal:
        data = {**samples(ctx), **follow_up_samples(ctx, journal), **receipt_samples(ctx),
                "rapport_activite.docx": report_sample(ctx)}
    # charts are images added to one opened template: the annual report is rendered by docxtpl, which adds them
    report = data["rapport_activite.docx"]
    report["charts"] = defaultdict(str)
    report["others"] = [{**other, "chart": ""} for other in report["others"]]
    # values that exercise the escaping and docxtpl's line breaks in every template
    for sample in data.values():
        if isinstance(sample.get("service"), dict):
            sample["service"] = {**sample["service"], "name": "CCAS de Lifou & <Wé>",
                                 "address": "BP 12\nWé, Lifou"}
    return data


def test_every_shipped_template_has_sample_data(sample_data: dict[str, dict[str, Any]]) -> None:
    assert set(sample_data) == set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_compiled_output_reads_the_same_as_docxtpl(tmp_path: Path, sample_data: dict[str, dict[str, Any]],
                                                  name: str) -> None:
    data = sample_data[name]
    expected = reading(naive(TEMPLATES / name, data, tmp_path / "docxtpl.docx"))
    first = render_docx(TEMPLATES / name, data, tmp_path / "compiled-1.docx")
    again = render_docx(TEMPLATES / name, data, tmp_path / "compiled-2.docx")  # from the cache
    assert len(expected) > 10
    assert reading(first) == expected
    assert reading(again) == expected
    body = "\n".join(expected)
    assert "{{" not in body and "{%" not in body and "&amp;" not in body


def test_line_breaks_and_rich_text_as_docxtpl_renders_them(tmp_path: Path) -> None:
    template = tmp_path / "modele.docx"
    document = docx.Document()
    document.add_paragraph("Adresse : {{ address }}")
    document.add_paragraph("{{r notice }}")
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text = "{%tr for row in rows %}"
    table.cell(1, 0).text = "{{ row.name }}"
    table.cell(1, 1).text = "{{ row.amount }}"
    table.cell(2, 0).text = "{%tr endfor %}"
    document.sections[0].header.paragraphs[0].text = "En-tête {{ service }}"
    document.save(str(template))
    rich = RichText("Important", bold=True)
    rich.add(" : à lire", italic=True)
    data = {"address": "12 rue Jules Ferry\nNouméa", "notice": rich, "service": "CCAS",
            "rows": [{"name": "Aide A", "amount": "1 000 F"}, {"name": "Aide B", "amount": "2 000 F"}]}
    expected = reading(naive(template, data, tmp_path / "docxtpl.docx"))
    compiled = reading(render_docx(template, data, tmp_path / "compiled.docx"))
    assert compiled == expected
    assert "Adresse : 12 rue Jules Ferry\nNouméa [1 saut(s)]" in compiled
    assert "Important : à lire [0 saut(s)]" in compiled
    assert "Aide B | 2 000 F" in compiled and "en-tête : En-tête CCAS" in compiled
    runs = docx.Document(str(tmp_path / "compiled.docx")).paragraphs[1].runs
    assert [(r.text, r.bold, r.italic) for r in runs if r.text] == [("Important", True, None), (" : à lire", None, True)]


def test_a_template_edited_under_a_running_service_is_compiled_again(tmp_path: Path) -> None:
    template = tmp_path / "modele.docx"
    for version, text in enumerate(("Bonjour {{ name }}", "Madame, Monsieur {{ name }}, nouvelle version")):
        document = docx.Document()
        document.add_paragraph(text)
        document.save(str(template))
        os.utime(template, ns=(10**18 + version, 10**18 + version))  # a new date even within the same instant
        target = render_docx(template, {"name": "Wéa"}, tmp_path / f"sortie-{version}.docx")
        assert reading(target)[0] == text.replace("{{ name }}", "Wéa") + " [0 saut(s)]"


def test_an_edit_that_keeps_the_size_and_the_date_is_still_seen(tmp_path: Path) -> None:
    # a network share may keep a date to the second and a one-word fix may keep the size: the bytes decide
    original = tmp_path / "original.docx"
    document = docx.Document()
    document.add_paragraph("Bonjour {{ name }}, votre aide est accordée")
    document.save(str(original))
    template = tmp_path / "modele.docx"
    sizes = set()
    for word in ("accordée", "ajournée"):
        with zipfile.ZipFile(original) as source, zipfile.ZipFile(template, "w", zipfile.ZIP_STORED) as edited:
            for info in source.infolist():
                data = source.read(info)
                if info.filename == "word/document.xml":
                    data = data.replace("accordée".encode(), word.encode())
                edited.writestr(zipfile.ZipInfo(info.filename, (2026, 11, 23, 9, 0, 0)), data)
        os.utime(template, ns=(10**18, 10**18))
        sizes.add(template.stat().st_size)
        target = render_docx(template, {"name": "Wéa"}, tmp_path / f"sortie-{word}.docx")
        assert reading(target)[0] == f"Bonjour Wéa, votre aide est {word} [0 saut(s)]"
    assert len(sizes) == 1


def test_a_service_folder_copied_does_not_compile_its_templates_again(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from automations.documents import render

    built: list[Path] = []
    original = render.CompiledTemplate

    def counted(path: Path, env: SandboxedEnvironment) -> Any:
        built.append(path)
        return original(path, env)

    monkeypatch.setattr(render, "CompiledTemplate", counted)
    document = docx.Document()
    document.add_paragraph("Convocation de {{ name }} : exemplaire unique")
    first, second = tmp_path / "service-a" / "modele.docx", tmp_path / "service-b" / "modele.docx"
    first.parent.mkdir()
    document.save(str(first))
    second.parent.mkdir()
    shutil.copyfile(first, second)  # copied: two saves may differ by the time written in the zip
    for version, template in enumerate((first, second)):
        target = render_docx(template, {"name": "Wéa"}, tmp_path / f"sortie-{version}.docx")
        assert reading(target)[0] == "Convocation de Wéa : exemplaire unique [0 saut(s)]"
    assert built == [first]
