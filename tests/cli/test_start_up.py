"""What every ``python run.py …`` loads before doing anything: the libraries of one command stay with it."""

from __future__ import annotations

import subprocess
import sys

from ..conftest import PROJECT, USUAL_MOMENT, child_env


def test_the_program_starts_without_loading_pandas_nor_pypdf() -> None:
    """pandas (a third of a second at every start) serves the annual report and its sample in ``check`` only,
    pypdf the print batch only: ``run``, ``status`` or ``serve`` must not wait for them."""
    loaded = subprocess.run([sys.executable, "-c", "import sys, automations.cli.main; "
                             "print([m for m in ('pandas', 'pypdf') if m in sys.modules])"],
                            cwd=PROJECT, env=child_env(USUAL_MOMENT), capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stderr
