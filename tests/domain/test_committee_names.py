"""A committee's name on disk: each kind of session document its own file in the session's folder, whatever
the name staff typed; the attachment named as the file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from automations.cli import commands

from ..bad_input.cases_names import rename_committee
from ..conftest import NOUMEA
from ..packs.test_meeting_pack import APPLICATIONS, outbox
from ..service_factory import context, make_service, write_applications

SESSION = date(2026, 12, 2)


@pytest.mark.parametrize("committee, folder, shown", [
    ("x/../../../../ESCAPED", "x-escaped", "x-..-..-..-..-ESCAPED"),
    ("Commission insertion logement/emploi", "commission-insertion-logement-emploi",
     "Commission insertion logement-emploi"),
])
def test_convocation_and_pack_are_two_files_in_the_session_folder(tmp_path: Path, clock, committee: str,
                                                                   folder: str, shown: str) -> None:
    config = make_service(tmp_path / "service")
    write_applications(config.parent, APPLICATIONS)
    rename_committee(config.parent, committee)
    clock.moment = datetime(2026, 11, 27, 7, 30, tzinfo=NOUMEA)  # both the invitation and the pack are due
    commands.run(context(config, clock))
    session = config.parent / "documents" / folder / SESSION.isoformat()
    convocation, pack = f"Convocation {shown} 02-12-2026.docx", f"Dossier de séance {shown} 02-12-2026.docx"
    assert sorted(p.name for p in session.iterdir()) == [convocation, pack]
    stray = [p for p in tmp_path.rglob("*.docx") if config.parent / "documents" not in p.parents
             and config.parent / "modeles" not in p.parents]
    assert stray == []
    attached = sorted(a.get_filename() for m in outbox(config) for a in m.iter_attachments())
    assert attached == [convocation, pack]


def test_ordinary_names_are_unchanged() -> None:
    from automations.domain.committee_names import committee_folder, committee_part

    name = "Commission maintien dans le logement"
    assert committee_folder(name) == "commission-maintien-dans-le-logement"
    assert committee_part(name) == name
    assert committee_part("Commission première entrée") == "Commission première entrée"
    assert committee_folder("") == "sans-nom" and committee_folder("CON") == "_con"
