"""Every case of the corpus, in the order of the summary table."""

from __future__ import annotations

from . import cases_cells, cases_files, cases_fs, cases_layout
from .runner import Case

CASES: list[Case] = [*cases_layout.CASES, *cases_cells.CASES, *cases_files.CASES, *cases_fs.CASES]
