"""What the crash harness's fork server loads before forking any run: the program (``child``), and every
shipped template checked and compiled, as a service that has already made a document has them.

Each case's folder is a copy of a scenario whose templates are the shipped ones, byte for byte: the checks
and compilations are kept by content (``template_guard``, ``render``), so every forked run finds them made
instead of making them again (about 0.6 s of a demo run's 1.5 s).
"""

from __future__ import annotations

from pathlib import Path

from automations.documents import render

from . import child  # noqa: F401  (the program, imported once for every run)

for _template in sorted((Path(__file__).resolve().parents[2] / "templates").glob("*.docx")):
    render.prepare(_template)
