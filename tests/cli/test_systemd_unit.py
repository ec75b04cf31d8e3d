"""The shipped systemd unit: confined (systemd's own rating), every line understood, writing only its folder."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from ..conftest import PROJECT

UNIT = PROJECT / "deploy" / "commissions.service"
MAX_EXPOSURE = 4.0  # systemd-analyze: 0 is fully confined, 10 not at all; up to 4.0 it says "OK"


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if not found:
        pytest.fail("systemd-analyze est introuvable : installez le paquet Debian « systemd », comme le fait .ci/run ; "
                    "ce test mesure le confinement du service.")
    return found


def settings(unit: Path) -> dict[str, list[str]]:
    """Every value of every key, in order (systemd lets a key come back, and an empty value resets it)."""
    values: dict[str, list[str]] = {}
    for line in unit.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def test_exposure_is_at_most_four() -> None:
    result = subprocess.run([systemd_analyze(), "security", "--offline=true", "--no-pager", str(UNIT)],
                            capture_output=True, text=True, check=False)
    found = re.search(r"Overall exposure level for commissions\.service: (\d+\.\d+) (\w+)", result.stdout)
    assert found, result.stdout + result.stderr
    exposure, verdict = float(found.group(1)), found.group(2)
    assert exposure <= MAX_EXPOSURE and verdict == "OK", result.stdout


def test_every_line_is_understood(tmp_path: Path) -> None:
    """``systemd-analyze verify`` in a copy of a system: the unit, the program it starts, systemd's targets."""
    root = tmp_path / "racine"
    units = root / "etc" / "systemd" / "system"
    units.mkdir(parents=True)
    shutil.copy(UNIT, units / UNIT.name)
    program = Path(shlex.split(settings(UNIT)["ExecStart"][0])[0])
    fake = root / program.relative_to("/")
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    targets = root / "usr" / "lib" / "systemd" / "system"
    targets.mkdir(parents=True)
    for target in Path("/lib/systemd/system").glob("*.target"):
        shutil.copy(target, targets / target.name)
    result = subprocess.run([systemd_analyze(), "verify", f"--root={root}", UNIT.name],
                            capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_writes_only_its_own_folder() -> None:
    values = settings(UNIT)
    folder = Path(values["WorkingDirectory"][0])
    command = shlex.split(values["ExecStart"][0])
    program, script, config = Path(command[0]), Path(command[1]), Path(command[command.index("--config") + 1])
    assert values["ProtectSystem"] == ["strict"] and values["PrivateTmp"] == ["yes"]
    assert values["ReadWritePaths"] == [str(folder)]
    assert config.is_relative_to(folder)  # the journal, documents and registers sit beside the configuration
    read_only = [Path(p) for line in values["ReadOnlyPaths"] for p in line.split()]
    assert any(program.is_relative_to(p) for p in read_only) and any(script.is_relative_to(p) for p in read_only)
    assert values["NoNewPrivileges"] == ["yes"] and values["CapabilityBoundingSet"] == [""]
    assert values["UMask"] == ["0007"]  # nothing the service writes is readable by other accounts
