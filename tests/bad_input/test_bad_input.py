"""The corpus of bad input: each case through `check` and `run`, with its exact French message, the exit
codes of the README, no traceback, only the mails of the valid rows, and the bad register left as it was."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from .cases import CASES
from .runner import verify
from .service import ALL_MAILS


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_handled(case, tmp_path: Path) -> None:
    assert verify(case, tmp_path / "service") == []


def test_the_corpus_sees_a_wrong_expectation(tmp_path: Path) -> None:
    # the refused applicant's letter must not leave: a case expecting it, or another message, fails
    case = next(c for c in CASES if c.name == "text_in_date")
    problems = verify(replace(case, mails=ALL_MAILS, check=("✗ autre message",)), tmp_path / "service")
    assert problems[0] == "check: missing line '✗ autre message'"
    assert any(p.startswith("run mailed ['contentieux@sic.nc', 'gaelle.waheo@mail.nc',") for p in problems)
