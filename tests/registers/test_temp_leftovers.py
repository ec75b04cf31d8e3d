"""A writer killed just before its atomic swap leaves a temporary copy; the next write removes it, and only it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import openpyxl

from automations.registers.sidecar import sidecar_path, write_sidecar

from ..conftest import NOUMEA, PROJECT, child_env

MOMENT = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)
KILLED_AT_SWAP = """
import os, signal, sys
os.replace = lambda *args: os.kill(os.getpid(), signal.SIGKILL)  # killed between the copy and the swap
"""


def killed_at_swap(code: str) -> None:
    """Run ``code`` in a child process SIGKILLed when it swaps a temporary copy into place."""
    child = subprocess.run([sys.executable, "-c", KILLED_AT_SWAP + code], cwd=PROJECT, env=child_env(MOMENT),
                           capture_output=True, text=True, check=False)
    assert child.returncode == -9, child.stderr


def test_the_sidecar_of_a_killed_run_leaves_no_copy_in_the_staff_folder(tmp_path: Path) -> None:
    register = tmp_path / "registres" / "Planning des instances 2026.xlsx"
    register.parent.mkdir()
    openpyxl.Workbook().save(register)
    killed_at_swap(f"from pathlib import Path\nfrom automations.registers.sidecar import write_sidecar\n"
                   f"write_sidecar(Path({str(register)!r}), [], 'il contient des graphiques')")
    assert len(list(register.parent.iterdir())) == 2  # the register and the killed run's copy
    running = register.parent / f".suivi-{os.getpid()}-enCours.xlsx"  # a live process's copy, being written
    running.write_bytes(b"")

    write_sidecar(register, [], "il contient des graphiques")
    assert sorted(p.name for p in register.parent.iterdir()) == sorted(
        [register.name, sidecar_path(register).name, running.name])
