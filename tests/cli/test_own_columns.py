"""A column of the service's own reaches the documents: declared in the mapping, typed in a template by staff."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl

from automations.cli import commands

from ..conftest import NOUMEA
from ..follow_up_factory import HEADER as DECIDED_HEADER, application, make_follow_up_service
from ..follow_ups.test_follow_ups import text_of
from ..minutes.test_minutes import APPLICATIONS as DECIDED, DRAFT
from ..minutes.test_minutes import service as minutes_service  # noqa: F401 - the fixture, by its name
from ..packs.test_meeting_pack import APPLICATIONS, attachment, outbox, packs, table_rows
from ..printed import xpf
from ..service_factory import APPLICATION_HEADER, context, make_service, set_committee

OWN_FIELDS = """
[registers.applications.own_fields]
quartier = { headers = ["Quartier"] }
aide_caf = { headers = ["Aide CAF"], type = "amount" }
"""


def declare_own_fields(config: Path) -> None:
    mapping = config.parent / "correspondance.toml"
    mapping.write_text(mapping.read_text(encoding="utf-8") + OWN_FIELDS, encoding="utf-8")


def write_register(folder: Path, header: list[str], rows: list[list[object]]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Demandes"
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(folder / "registres" / "Registre des demandes 2026.xlsx")


def edit_template(config: Path, name: str, old: str, new: str) -> None:
    """Staff change a field of a Word template (its first occurrence), as they would type it in Word."""
    path = config.parent / "modeles" / name
    document = docx.Document(str(path))
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    run = next(r for r in runs if old in r.text)
    run.text = run.text.replace(old, new)
    document.save(str(path))


def pack_service(tmp_path: Path, clock, quartier_of_first: str = "Rivière-Salée") -> Path:
    config = make_service(tmp_path / "service")
    declare_own_fields(config)
    width = len(APPLICATION_HEADER)
    own = [[quartier_of_first, 12000], ["Ducos", None], [None, "8 500 XPF"], [None, None], [None, None]]
    write_register(config.parent, [*APPLICATION_HEADER, "Quartier", "Aide CAF"],
                   [row + [None] * (width - len(row)) + extra for row, extra in zip(APPLICATIONS, own, strict=True)])
    # the last column of the pack's applications table now shows the neighbourhood and the CAF's aid
    edit_template(config, "dossier_seance.docx", "{{ a.social_worker }}",
                  "{{ a.own.quartier }} / {{ a.own.aide_caf }}")
    clock.moment = datetime(2026, 11, 27, 7, 30, tzinfo=NOUMEA)  # five days before the session
    return config


def test_own_columns_print_in_the_packs_applications_table(tmp_path: Path, clock) -> None:
    config = pack_service(tmp_path, clock)
    commands.run(context(config, clock))
    [pack] = packs(config)
    rows = table_rows(docx.Document(io.BytesIO(attachment(pack, ".docx"))), "N°")
    shown = {row[0]: row[-1] for row in rows[1:-1]}
    assert shown == {"DEL-2026-0101": f"Rivière-Salée / {xpf(12000)}", "DEL-2026-0102": "Ducos /",
                     "DEL-2026-0103": f"/ {xpf(8500)}"}


def test_an_anonymised_pack_scrubs_the_applicants_name_from_own_columns(tmp_path: Path, clock) -> None:
    config = pack_service(tmp_path, clock, quartier_of_first="Chez Mme Waheo, Dumbéa")
    set_committee(config.parent, "Dossier anonymisé", "Oui")
    commands.run(context(config, clock))
    [pack] = packs(config)
    rows = table_rows(docx.Document(io.BytesIO(attachment(pack, ".docx"))), "N°")
    assert rows[1][0] == "DEL-2026-0101" and rows[1][-1] == f"Chez Mme W., Dumbéa / {xpf(12000)}"


def test_own_column_prints_in_the_decision_letter(tmp_path: Path, clock) -> None:
    config = make_follow_up_service(tmp_path / "service")
    declare_own_fields(config)
    rows = [application("DEL-2026-0301", "WAHEO", "Gaëlle", "Impayés de loyer", 180000, "Accord", 180000,
                        supplier="SIC", email="gaelle.waheo@mail.nc") + ["Rivière-Salée", "12 000 XPF"]]
    write_register(config.parent, [*DECIDED_HEADER, "Quartier", "Aide CAF"], rows)
    edit_template(config, "lettre_accord.docx", "Votre demande d'aide – {{ application.aid_kind }}",
                  "Votre demande d'aide – {{ application.aid_kind }} (quartier {{ application.own.quartier }})")
    commands.run(context(config, clock), "followups")
    [letter] = [m for m in outbox(config) if "demande d'aide" in m["Subject"]]
    text = text_of(docx.Document(io.BytesIO(attachment(letter, ".docx"))))
    assert "Votre demande d'aide – Impayés de loyer (quartier Rivière-Salée)" in text.replace("\xa0", " ")


def test_own_column_prints_in_the_minutes_decisions_table(minutes_service: Path, clock) -> None:  # noqa: F811
    config = minutes_service
    declare_own_fields(config)
    width = len(APPLICATION_HEADER)
    write_register(config.parent, [*APPLICATION_HEADER, "Quartier", "Aide CAF"],
                   [row + [None] * (width - len(row)) + [f"Quartier {i}", None] for i, row in enumerate(DECIDED, 1)])
    edit_template(config, "compte_rendu.docx", "{{ a.reason }}", "{{ a.own.quartier }}")
    commands.run(context(config, clock))
    document = docx.Document(str(config.parent / DRAFT))
    rows = table_rows(document, "N°")
    assert {row[0]: row[-1] for row in rows[1:] if row[0].startswith("DEL-")} == {
        "DEL-2026-0201": "Quartier 1", "DEL-2026-0202": "Quartier 2", "DEL-2026-0203": "Quartier 3",
        "DEL-2026-0204": "Quartier 4"}


def check_lines(config: Path, clock) -> list[str]:
    ctx = context(config, clock)
    commands.check(ctx)
    return ctx.out.getvalue().splitlines()  # type: ignore[attr-defined]


def test_check_reads_templates_against_the_declared_own_columns(tmp_path: Path, clock) -> None:
    config = pack_service(tmp_path, clock)
    assert "  ✓ Modèle « dossier_seance.docx » : correct." in check_lines(config, clock)
    edit_template(config, "dossier_seance.docx", "{{ a.own.quartier }}", "{{ a.own.quartiers }}")
    lines = check_lines(config, clock)
    at = lines.index("  ✗ Modèle « dossier_seance.docx » : 1 champ que l'outil ne fournit pas (il restera vide "
                     "dans les documents) :")
    assert lines[at + 1].startswith("      - « {{ a.own.quartiers }} » (tableau ")
    assert lines[at + 1].endswith(") : colonne propre non déclarée dans correspondance.toml (ajoutez-la sous "
                                  "[registers.applications.own_fields]) ; vouliez-vous dire « quartier » ?")
