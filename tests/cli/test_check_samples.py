"""The data ``check`` compares the annual report's template with: built once per day, service and template."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import docx
import pytest

from automations.annual_report import figures
from automations.cli.template_samples import report_sample

from ..conftest import NOUMEA, FakeClock
from ..service_factory import context, make_service


def test_the_report_sample_is_built_again_only_for_another_day_or_template(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    build_report = figures.build_report

    def counting(data, year, *args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(year)
        return build_report(data, year, *args, **kwargs)

    monkeypatch.setattr(figures, "build_report", counting)
    clock = FakeClock(datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA))
    ctx = context(make_service(tmp_path), clock)
    template = tmp_path / "modeles" / "rapport_activite.docx"
    document = docx.Document(str(template))
    document.add_paragraph(str(tmp_path))  # bytes no other test's template has
    document.save(str(template))

    first = report_sample(ctx)
    first["charts"] = {}  # the caller's own copy: nothing it changes reaches the next check
    again = report_sample(ctx)
    assert built == [2026]
    assert again["year"] == 2026 and again["charts"] != {}
    assert again["generated_on"] == "lundi 23 novembre 2026"

    clock.moment = datetime(2027, 1, 20, 9, 0, tzinfo=NOUMEA)  # another day: another year, another date
    assert report_sample(ctx)["generated_on"] == "mercredi 20 janvier 2027"
    assert built == [2026, 2027]

    document.add_paragraph("Modifié")  # the template edited: read again
    document.save(str(template))
    assert report_sample(ctx)["year"] == 2027
    assert built == [2026, 2027, 2027]
