"""The reference is generated from the code's tables: the committed page is exactly what the code says."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

from automations.cli.reference import DEFAULT_PATH, render

from ..conftest import NOUMEA, PROJECT, child_env


def test_the_committed_reference_is_up_to_date() -> None:
    assert DEFAULT_PATH == PROJECT / "REFERENCE.md"
    assert DEFAULT_PATH.read_text(encoding="utf-8") == render(), \
        "REFERENCE.md is stale: python -m automations.cli.reference"


def test_the_command_writes_the_reference_in_french(tmp_path: Path) -> None:
    target = tmp_path / "reference.md"
    done = subprocess.run([sys.executable, "-m", "automations.cli.reference", str(target)], cwd=PROJECT,
                          capture_output=True, text=True, env=child_env(datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"Référence écrite : {target}\n"
    text = target.read_text(encoding="utf-8")
    # a field: its type, meaning, the automations using it, written back or not
    assert ("| `notified_on` | `date` | date d'envoi du courrier de décision | Suites des commissions, "
            "Rapport d'activité | oui | non |") in text
    assert "| `end_time` | `time` | heure de fin, à la place de la durée | Convocations | non | non |" in text
    assert "Valeurs de `decision` : `accord` (accord) ; `accord_partiel` (accord partiel)" in text
    # a config key: meaning and the default load.py gives
    assert "| `lead_days` | délai d'envoi, en jours avant la séance, quand l'instance n'en donne pas | `15` |" in text
    assert "| `name` | nom exact de l'instance, tel qu'écrit dans le planning | obligatoire |" in text
    assert "### `[[rooms]]`" in text and "| `timezone` | fuseau horaire des séances | `\"Pacific/Noumea\"` |" in text
    assert "| `own_fields` |" in text


def test_the_readme_onboarding_starts_from_the_draft_and_links_the_reference() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Un nouveau service"):]
    section = section[:section.index("\n## ", 3)]
    assert section.index("python run.py draft") < section.index("python run.py check")
    assert "[REFERENCE.md](REFERENCE.md)" in section
