"""The service's own words in what staff, members and the manager read; a missing value said, not shown empty;
dossier references in a reader's order (MD/22 before MD/113)."""

from __future__ import annotations

import io
import shutil
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from automations import french
from automations.annual_report.report import make_report, report_command
from automations.cli import commands
from automations.cli.demo import set_up
from automations.digest.content import gather
from automations.digest.render import render_html, render_text
from automations.engine.journal import Journal

from ..annual_report.test_annual_report import ctx_for, sheet
from ..conftest import NOUMEA
from ..follow_up_factory import application, make_follow_up_service
from ..minutes.test_minutes import ATTENDANCE, DRAFT, text_of
from ..packs.test_meeting_pack import attachment, packs, table_rows
from ..service_factory import COMMITTEE, context, make_service, planning_rows, write_applications

SCHEME = "Maintien dans le logement"
HELD = date(2026, 11, 10)
COMING = date(2026, 12, 2)
# the service writes its decisions, roles and statuses its own way: the first spelling is the one it prints
OWN_WORDS = {
    'accord = ["Accord", "Avis favorable"]': 'accord = ["Avis favorable", "Accord"]',
    'refus = ["Refus", "Avis défavorable"]': 'refus = ["Avis défavorable", "Refus"]',
    'accord_partiel = ["Accord partiel"]': 'accord_partiel = ["Favorable en partie", "Accord partiel"]',
    'ajourne = ["Ajourné", "Ajournée"]': 'ajourne = ["Sursis à statuer", "Ajourné"]',
    'suppleant = ["Suppléant", "Suppléante"]': 'suppleant = ["Membre suppléant", "Suppléant"]',
    'prevue = ["Prévue", "Planifiée", "À venir"]': 'prevue = ["Programmée", "Prévue"]',
    'tenue = ["Tenue", "Réalisée"]': 'tenue = ["Réalisée", "Tenue"]',
}


def own_words(mapping: Path, extra: dict[str, str] | None = None) -> None:
    text = mapping.read_text(encoding="utf-8")
    for old, new in {**OWN_WORDS, **(extra or {})}.items():
        assert old in text
        text = text.replace(old, new)
    mapping.write_text(text, encoding="utf-8")


def test_references_sort_as_a_reader_counts() -> None:
    assert french.by_reference(["MD/113", "MD/22", "MD/3", "md/21", "2026-10", "2026-9"]) == [
        "2026-9", "2026-10", "MD/3", "md/21", "MD/22", "MD/113"]


@pytest.fixture
def held(tmp_path: Path, clock) -> Path:
    rows = planning_rows()
    rows[0][1], rows[0][2] = HELD, None  # held, its time never typed in the planning
    config = make_service(tmp_path / "service", rows)
    own_words(config.parent / "correspondance.toml")
    wb = openpyxl.load_workbook(config.parent / "registres" / "Planning des instances 2026.xlsx")
    wb["Instances"]["B2"] = None
    wb.save(config.parent / "registres" / "Planning des instances 2026.xlsx")
    write_applications(config.parent, [
        ["MD/113", date(2026, 10, 20), "WAHEO", "Gaëlle", "Dumbéa", SCHEME, "Impayés de loyer", 180000,
         "Mme Tein", HELD, "Accord", 180000],
        ["MD/22", date(2026, 10, 21), "GOPE", "Sione", "Nouméa", SCHEME, "Facture d'électricité", 45500,
         "M. Sako", HELD, "Avis défavorable", None, "Ressources supérieures au plafond"],
        ["MD/3", date(2026, 10, 22), "SAKO", "Yann", "Thio", SCHEME, "Impayés de loyer", 99000,
         "M. Waia", HELD, "Ajourné"],
    ])
    with Journal(config.parent / "journal.sqlite3") as journal:
        journal.note_attendance("invitation/commission-maintien-dans-le-logement/2026-11-10", ATTENDANCE, clock())
    return config


def test_minutes_print_the_service_words_in_reference_order(held: Path, clock) -> None:
    commands.run(context(held, clock))
    draft = held.parent / DRAFT
    text = text_of(draft).replace("\xa0", " ")
    # no « de  à  » where the planning gives no time
    assert "Séance du mardi 10 novembre 2026, Salle Kaori" in text
    assert "OUNOU Ko (CAFAT), Membre suppléant, suppléant(e) de LALIE Wassissi" in text
    rows = table_rows(docx.Document(str(draft)), "N°")
    assert [(r[0], r[5]) for r in rows[1:4]] == [
        ("MD/3", "Sursis à statuer"), ("MD/22", "Avis défavorable"), ("MD/113", "Avis favorable")]


def test_plan_asks_staff_to_type_the_service_words(tmp_path: Path, clock) -> None:
    rows = planning_rows()
    rows[0][1], rows[0][6] = date(2026, 11, 20), "Programmée"  # past, and not yet marked as held
    config = make_service(tmp_path / "service", rows)
    own_words(config.parent / "correspondance.toml")
    clock.moment = datetime(2026, 11, 27, 7, 30, tzinfo=NOUMEA)
    ctx = context(config, clock)
    commands.plan(ctx)
    assert (f"{COMMITTEE}, séance du 20/11/2026 : séance passée toujours « Programmée » ; indiquez « Réalisée » "
            "dans le planning pour préparer son compte rendu.") in ctx.out.getvalue()


def test_the_digest_lists_letters_still_to_send_in_reference_order(held: Path, clock) -> None:
    ctx = context(held, clock)
    facts = gather(commands.load(ctx).service, [], {}, clock(), ctx.config.digest, 30, {}, {})
    text = render_text(facts, "Service")
    assert f"{COMMITTEE}, séance du 10/11/2026 : 3 courriers (MD/3, MD/22, MD/113)" in text


@pytest.fixture
def coming(tmp_path: Path, clock) -> Path:
    config = make_service(tmp_path / "service")
    own_words(config.parent / "correspondance.toml")
    write_applications(config.parent, [
        ["MD/113", date(2026, 11, 2), "WAHEO", "Gaëlle", "Dumbéa", SCHEME, "Impayés de loyer", 180000,
         "Mme Tein", COMING],
        # filed on an unknown day, no social worker: the pack says so instead of an empty line
        ["MD/22", None, "GOPE", "Sione", "Nouméa", SCHEME, "Facture d'électricité", 45500, None, COMING],
    ])
    clock.moment = datetime(2026, 11, 27, 7, 30, tzinfo=NOUMEA)
    return config


def pack_of(config: Path, clock) -> docx.document.Document:
    commands.run(context(config, clock))
    [pack] = packs(config)
    return docx.Document(io.BytesIO(attachment(pack, ".docx")))


def test_the_pack_prints_the_service_words_in_reference_order(coming: Path, clock) -> None:
    document = pack_of(coming, clock)
    roles = {r[0]: r[3] for r in table_rows(document, "Nom")[1:]}
    assert roles["OUNOU Ko"] == "Membre suppléant" and roles["XOWIE Thérèse"] == "Titulaire"
    text = "\n".join(p.text for p in document.paragraphs).replace("\xa0", " ")
    assert ("☐ Avis favorable     ☐ Favorable en partie : ............ F CFP     ☐ Avis défavorable     "
            "☐ Sursis à statuer") in text
    assert "☐ Accord" not in text
    assert [r[0] for r in table_rows(document, "N°")[1:3]] == ["MD/22", "MD/113"]


def test_the_convocation_names_the_members_role_in_the_service_words(coming: Path, clock) -> None:
    commands.run(context(coming, clock))
    [convocation] = (coming.parent / "documents").rglob("Convocation *.docx")
    roles = {r[0]: r[3] for r in table_rows(docx.Document(str(convocation)), "Nom")[1:]}
    assert roles["OUNOU Ko"] == "Membre suppléant" and roles["LALIE Wassissi"] == "Titulaire"


def test_the_pack_says_what_the_register_leaves_empty(coming: Path, clock) -> None:
    document = pack_of(coming, clock)
    details = {d["Demandeur"]: d for d in (
        {r.cells[0].text.strip(): r.cells[1].text.strip() for r in t.rows}
        for t in document.tables if t.rows[0].cells[0].text.strip() == "Demandeur")}
    gope, waheo = details["Sione GOPE"], details["Gaëlle WAHEO"]
    assert gope["Date de dépôt"] == gope["Référent"] == gope["Observations"] == "non renseigné"
    assert waheo["Date de dépôt"] == "02/11/2026" and waheo["Référent"] == "Mme Tein"
    header = [p.text for p in document.paragraphs[:4]]
    assert "commissions@province-sud.nc" in header and not any(line.startswith("Tél.") for line in header)


def test_the_digest_shows_the_session_status_in_the_service_words(coming: Path, clock) -> None:
    ctx = context(coming, clock)
    facts = gather(commands.load(ctx).service, [], {}, clock(), ctx.config.digest, 30, {}, {})
    text, page = render_text(facts, "Service"), render_html(facts, "Service")
    assert "– Commission maintien dans le logement – Programmée, 2 dossiers" in text
    assert ">Programmée, 2 dossiers</span>" in page
    assert "Prévue" not in text and "Prévue" not in page


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    set_up(folder, date(2026, 11, 23))
    return folder


def test_the_report_says_not_available_and_prints_the_service_words(demo: Path, tmp_path: Path) -> None:
    service = tmp_path / "service"
    shutil.copytree(demo, service)
    # a register with no « Date de dépôt »: the received count is not known, it is not 0
    own_words(service / "correspondance.toml",
              {'filed_on = { headers = ["Date de dépôt"], type = "date" }\n': ""})
    moment = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)
    files = make_report(ctx_for(service / "config.toml", moment, reports=tmp_path / "rapports"), 2026)
    lines = [p.text.replace("\u00a0", " ") for p in docx.Document(str(files.document)).paragraphs]
    (received,) = [line for line in lines if line.startswith("Le service a reçu")]
    assert received.startswith("Le service a reçu un nombre de demandes d'aide non disponible en 2026 "
                               "(non disponible en 2025).")
    (delays,) = [line for line in lines if line.startswith("Entre le dépôt d'une demande")]
    assert "il s'est écoulé en médiane un délai non disponible (non disponible en 2025)" in delays
    summary = {row[0]: row[1:3] for row in sheet(openpyxl.load_workbook(files.workbook), "Synthèse") if row[0]}
    assert summary["Demandes reçues"] == ("non disponible", "non disponible")
    assert summary["Délai médian du dépôt à la séance (jours)"] == ("non disponible", "non disponible")
    assert summary["Demandes examinées en séance"][0] == 107
    labels = [row[0] for row in files.report.table("decisions").rows]
    assert labels[:4] == ["Avis favorable", "Favorable en partie", "Avis défavorable", "Sursis à statuer"]
    # the delays table too: the row computed from the filing date says so, the other keeps its days
    delays_table = {row[0]: row[1:] for row in files.report.table("delais").rows}
    assert set(delays_table["Du dépôt à la séance"]) == {"non disponible"}
    assert "non disponible" not in delays_table["De la séance à la notification"]


def test_the_report_command_says_the_amount_granted_is_not_available(demo: Path, tmp_path: Path) -> None:
    service = tmp_path / "service"
    shutil.copytree(demo, service)
    own_words(service / "correspondance.toml",
              {'amount_granted = { headers = ["Montant accordé"], type = "amount" }\n': ""})
    ctx = ctx_for(service / "config.toml", datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA), reports=tmp_path / "r")
    assert report_command(ctx, 2026) == 0
    assert "  15 séances tenues, 107 demandes examinées, montant accordé non disponible.\n" in ctx.out.getvalue()
    # every table's amount columns say so too, never 0 F CFP; counts that need no amount stay
    workbook = openpyxl.load_workbook(next((tmp_path / "r").rglob("*.xlsx")))
    amounts = sheet(workbook, "Montants par type d'aide")
    header = next(row for row in amounts if row[0] == "Type d'aide")
    total = next(row for row in amounts if row[0] == "Total")
    shown = dict(zip(header, total))
    assert shown["Montant accordé"] == "non disponible" and shown["Montant moyen"] == "non disponible"
    assert isinstance(shown["Montant demandé"], (int, float)) and shown["Montant demandé"] > 0
    document = docx.Document(str(next((tmp_path / "r").rglob("*.docx"))))
    cells = {cell.text.replace("\u00a0", " ") for table in document.tables for row in table.rows for cell in row.cells}
    assert "non disponible" in cells and "0 F CFP" not in cells


def test_a_supplier_notice_lists_its_aids_in_reference_order(tmp_path: Path, clock) -> None:
    rows = [application(number, "WAHEO", "Gaëlle", "Impayés de loyer", 10000, "Accord", 10000, supplier="SIC")
            for number in ("MD/113", "MD/22", "MD/3")]
    config = make_follow_up_service(tmp_path / "service", rows)
    commands.run(context(config, clock), "followups")
    [notice] = [p for p in (config.parent / "documents").rglob("Avis SIC *.docx")]
    assert [r[1] for r in table_rows(docx.Document(str(notice)), "N°")[1:-1]] == ["MD/3", "MD/22", "MD/113"]
