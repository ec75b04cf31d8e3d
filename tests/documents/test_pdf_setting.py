"""``[documents] pdf_processes``: how many LibreOffice a run's conversion may start at once, checked as it is read."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from automations.engine.actions import Action, Plan
from automations.engine.context import Context
from automations.engine.executor import prepare_documents
from automations.engine.registry import Automation
from automations.errors import ConfigError
from automations.settings import load_config
from automations.transports import settings_checks

from ..settings.test_config import VALID, write
from .test_pdf import DECISIONS, TITLE, counted_soffice, make_docx


def write_config(folder: Path, documents: str) -> Path:
    return write(folder, VALID + "[documents]\npdf = true\n" + documents)


def test_a_run_limited_to_one_libreoffice_starts_only_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(write_config(tmp_path, "pdf_processes = 1\n"), backends=settings_checks())
    assert config.documents.pdf_processes == 1
    documents = [make_docx(tmp_path / "documents" / f"{name}.docx", [text]) for name, text in
                 (("Convocation", "Convocation à la séance du 2 décembre"), ("Dossier", TITLE), ("Relevé", DECISIONS))]
    files = {f"lettre/{n}": document for n, document in enumerate(documents)}
    automation = Automation(name="lettres", label="Lettres", plan=lambda *a: Plan("lettres"), build=lambda *a: None,
                            writes=lambda *a: [], enabled=lambda ctx: True,
                            documents=lambda ctx, action, fresh: [files[action.key]])
    plan = Plan("lettres", [Action(key, "lettres", "create", 0, "", "lettre", {}) for key in files])
    log = counted_soffice(tmp_path, monkeypatch)
    ctx = Context(config=config, out=io.StringIO())
    assert prepare_documents(ctx, [(automation, plan)]) == []
    assert all(document.with_suffix(".pdf").is_file() for document in documents)
    starts = [line for line in log.read_text().splitlines() if line.startswith("start ")]
    assert len(starts) == 1  # one per core otherwise: test_pdf.py


def test_the_default_is_one_per_core_and_a_wrong_value_is_named(tmp_path: Path) -> None:
    assert load_config(write_config(tmp_path, ""), backends=settings_checks()).documents.pdf_processes == 0
    for value, problem in (("-1", "doit valoir au moins 0"), ('"deux"', "un nombre entier attendu, trouvé « deux »"),
                           ("100", "doit valoir au plus 64")):
        with pytest.raises(ConfigError) as caught:
            load_config(write_config(tmp_path, f"pdf_processes = {value}\n"), backends=settings_checks())
        assert caught.value.problems == [f"[documents] pdf_processes : {problem}"]
