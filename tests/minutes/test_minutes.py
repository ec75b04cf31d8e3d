"""Minutes end to end: the draft staff find after a held session, their edits kept, the validated file circulated."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from automations.cli import commands
from automations.engine.journal import Journal

from ..conftest import NOUMEA
from ..printed import xpf
from ..service_factory import COMMITTEE, context, edit_planning, make_service, planning_rows, write_applications
from ..packs.test_meeting_pack import outbox, table_rows

SCHEME = "Maintien dans le logement"
HELD = date(2026, 11, 10)
FOLDER = Path("documents") / "commission-maintien-dans-le-logement" / "2026-11-10"
DRAFT = FOLDER / "Compte rendu Commission maintien dans le logement 10-11-2026.docx"
APPLICATIONS = [
    ["DEL-2026-0201", date(2026, 10, 20), "WAHEO", "Gaëlle", "Dumbéa", SCHEME, "Impayés de loyer", 180000,
     "Mme Tein", HELD, "Accord", 180000],
    ["DEL-2026-0202", date(2026, 10, 21), "GOPE", "Sione", "Nouméa", SCHEME, "Facture d'électricité", 45500,
     "M. Sako", HELD, "Accord partiel", 20000],
    ["DEL-2026-0203", date(2026, 10, 22), "TROLUE", "Malia", "Païta", "Énergie", "Facture d'eau", 32000,
     "Mme Tein", HELD, "Refus", None, "Ressources supérieures au plafond"],
    ["DEL-2026-0204", date(2026, 10, 23), "SAKO", "Yann", "Thio", SCHEME, "Impayés de loyer", 99000,
     "M. Waia", HELD, "Ajourné"],
]
ATTENDANCE = [
    {"nom": "LALIE Wassissi", "organisme": "FSH", "qualite": "Titulaire", "reponse": "décline", "remplace": ""},
    {"nom": "XOWIE Thérèse", "organisme": "Ville de Nouméa", "qualite": "Titulaire", "reponse": "accepte",
     "remplace": ""},
    {"nom": "OUNOU Ko", "organisme": "CAFAT", "qualite": "Suppléant", "reponse": "accepte",
     "remplace": "LALIE Wassissi"},
]


@pytest.fixture
def service(tmp_path: Path, clock):
    rows = planning_rows()
    rows[0][1] = HELD  # held thirteen days ago
    config = make_service(tmp_path / "service", rows)
    # the committee in the register has no scheme: every application of the day is examined
    wb = openpyxl.load_workbook(config.parent / "registres" / "Planning des instances 2026.xlsx")
    wb["Instances"]["B2"] = None
    wb.save(config.parent / "registres" / "Planning des instances 2026.xlsx")
    write_applications(config.parent, APPLICATIONS)
    with Journal(config.parent / "journal.sqlite3") as journal:
        journal.note_attendance("invitation/commission-maintien-dans-le-logement/2026-11-10", ATTENDANCE,
                                clock())
    return config


def text_of(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def minutes_mails(config: Path):
    return [m for m in outbox(config) if m["Subject"].startswith("Compte rendu")]


def test_draft_is_filed_for_staff_with_attendance_decisions_and_totals(service: Path, clock) -> None:
    ctx = context(service, clock)
    commands.run(ctx)
    assert f"✓ document : Projet de compte rendu – {COMMITTEE}, séance du 10/11/2026" in ctx.out.getvalue()
    assert minutes_mails(service) == []
    draft = service.parent / DRAFT
    text = text_of(draft)
    assert f"PROJET – Compte rendu de la séance de la {COMMITTEE}" in text
    assert "mardi 10 novembre 2026" in text
    assert "XOWIE Thérèse (Ville de Nouméa), Titulaire" in text
    assert "OUNOU Ko (CAFAT), Suppléant, suppléant(e) de LALIE Wassissi" in text
    assert "LALIE Wassissi (FSH), Titulaire" in text  # excused
    document = docx.Document(str(draft))
    decisions = table_rows(document, "N°")
    assert [r[0] for r in decisions[1:-1]] == ["DEL-2026-0201", "DEL-2026-0202", "DEL-2026-0203", "DEL-2026-0204"]
    assert decisions[2][1:] == ["Sione GOPE", SCHEME, "Facture d'électricité", xpf(45500), "Accord partiel",
                                xpf(20000), ""]
    assert decisions[3][5:] == ["Refus", "", "Ressources supérieures au plafond"]
    # totals: what the register says, the refused and postponed granting nothing
    assert decisions[-1][4] == xpf(356500) and decisions[-1][6] == xpf(200000)
    per_scheme = table_rows(document, "Dispositif")
    assert per_scheme[1] == ["Maintien dans le logement", "3", "2", "0", "1", xpf(324500), xpf(200000)]
    assert per_scheme[2] == ["Énergie", "1", "0", "1", "0", xpf(32000), xpf(0)]
    again = context(service, clock)
    commands.run(again)
    assert "Bilan : 0 envoi, 0 échec" in again.out.getvalue()


def test_draft_follows_the_register_until_staff_edit_it(service: Path, clock) -> None:
    commands.run(context(service, clock))
    changed = [row[:] for row in APPLICATIONS]
    changed[3][10:12] = ["Accord", 99000]
    write_applications(service.parent, changed)
    commands.run(context(service, clock))
    draft = service.parent / DRAFT
    assert table_rows(docx.Document(str(draft)), "N°")[4][5] == "Accord"
    # staff write their own text into the draft
    edited = docx.Document(str(draft))
    edited.add_paragraph("Débat : la commission souhaite un suivi renforcé du dossier DEL-2026-0204.")
    edited.save(str(draft))
    changed[0][10:12] = ["Refus", None]
    write_applications(service.parent, changed)
    ctx = context(service, clock)
    commands.run(ctx)
    assert "projet modifié à la main : conservé tel quel" in ctx.out.getvalue()
    assert "suivi renforcé" in text_of(draft)
    assert table_rows(docx.Document(str(draft)), "N°")[1][5] == "Accord"  # theirs, untouched


def test_validated_minutes_are_circulated_once_as_staff_left_them(service: Path, clock) -> None:
    commands.run(context(service, clock))
    draft = service.parent / DRAFT
    edited = docx.Document(str(draft))
    edited.paragraphs[1].text = edited.paragraphs[1].text.replace("PROJET – ", "")
    edited.add_paragraph("Débat : la commission souhaite un suivi renforcé.")
    edited.save(str(draft))
    clock.moment = datetime(2026, 11, 25, 9, 0, tzinfo=NOUMEA)
    edit_planning(service.parent, 5, CR_validé="Oui")
    ctx = context(service, clock)
    commands.run(ctx)
    assert f"✓ envoi : Diffusion du compte rendu validé – {COMMITTEE}, séance du 10/11/2026" in ctx.out.getvalue()
    [mail] = minutes_mails(service)
    assert mail["Subject"] == f"Compte rendu – {COMMITTEE} – séance du mardi 10 novembre 2026"
    assert {a.addr_spec for a in mail["To"].addresses} == {
        "wassissi.lalie@fsh.nc", "therese.xowie@ville-noumea.nc", "ko.ounou@cafat.nc"}
    [attached] = list(mail.iter_attachments())
    sent = "\n".join(p.text for p in docx.Document(io.BytesIO(attached.get_content())).paragraphs)
    assert "suivi renforcé" in sent
    ws = openpyxl.load_workbook(service.parent / "registres" / "Planning des instances 2026.xlsx")["Planning 2026"]
    header = [c.value for c in ws[4]]
    assert ws.cell(5, header.index("CR diffusé le") + 1).value.date() == date(2026, 11, 25)
    commands.run(context(service, clock))
    assert len(minutes_mails(service)) == 1


WAITS = (f"{COMMITTEE}, séance du 10/11/2026 : « CR validé » indique « Oui », mais le projet vient d'être "
         "préparé : à relire avant diffusion ; il sera diffusé au passage suivant.")


def test_minutes_validated_before_any_draft_are_drafted_first_and_circulated_on_the_next_run(service: Path,
                                                                                            clock) -> None:
    edit_planning(service.parent, 5, CR_validé="Oui")
    planned = context(service, clock)
    commands.plan(planned)
    out = planned.out.getvalue()
    assert f"- document : Projet de compte rendu – {COMMITTEE}, séance du 10/11/2026" in out
    assert "Diffusion du compte rendu" not in out and WAITS in out
    ctx = context(service, clock)
    commands.run(ctx)
    # nobody could have read a draft rendered by this very run: nothing is circulated yet, and the run says why
    assert minutes_mails(service) == [] and WAITS in ctx.out.getvalue()
    assert "PROJET" in text_of(service.parent / DRAFT)
    ws = openpyxl.load_workbook(service.parent / "registres" / "Planning des instances 2026.xlsx")["Planning 2026"]
    assert ws.cell(5, [c.value for c in ws[4]].index("CR diffusé le") + 1).value is None
    clock.moment = datetime(2026, 11, 24, 9, 0, tzinfo=NOUMEA)
    commands.run(context(service, clock))
    [mail] = minutes_mails(service)
    [attached] = list(mail.iter_attachments())
    sent = "\n".join(p.text for p in docx.Document(io.BytesIO(attached.get_content())).paragraphs)
    assert sent.count("Compte rendu de la séance") == 1 and "PROJET" not in sent
    assert "PROJET" not in text_of(service.parent / DRAFT)


def test_a_validated_draft_the_registers_have_left_behind_is_not_circulated(service: Path, clock) -> None:
    commands.run(context(service, clock))
    changed = [row[:] for row in APPLICATIONS]
    changed[3][10:12] = ["Accord", 99000]  # corrected in the register, and the minutes marked validated
    write_applications(service.parent, changed)
    edit_planning(service.parent, 5, CR_validé="Oui")
    ctx = context(service, clock)
    commands.run(ctx)
    assert minutes_mails(service) == []
    assert "les registres ont changé depuis le projet validé : rien n'est diffusé" in ctx.out.getvalue()
    draft = service.parent / DRAFT
    assert table_rows(docx.Document(str(draft)), "N°")[4][5] == "Ajourné"  # the text staff read, untouched
    # staff bring the change into the draft themselves: their file is the one circulated
    edited = docx.Document(str(draft))
    edited.paragraphs[1].text = edited.paragraphs[1].text.replace("PROJET – ", "")
    edited.add_paragraph("Le dossier DEL-2026-0204, ajourné en séance, a reçu un accord le 20 novembre.")
    edited.save(str(draft))
    commands.run(context(service, clock))
    [mail] = minutes_mails(service)
    [attached] = list(mail.iter_attachments())
    assert "reçu un accord le 20 novembre" in "\n".join(
        p.text for p in docx.Document(io.BytesIO(attached.get_content())).paragraphs)


def test_a_validated_draft_gone_from_its_folder_is_not_circulated(service: Path, clock) -> None:
    commands.run(context(service, clock))
    (service.parent / DRAFT).unlink()
    edit_planning(service.parent, 5, CR_validé="Oui")
    ctx = context(service, clock)
    commands.plan(ctx)
    assert "le projet de compte rendu est introuvable (déplacé ou supprimé) : rien n'est diffusé" in ctx.out.getvalue()
    assert "Diffusion du compte rendu" not in ctx.out.getvalue()


def test_no_draft_for_old_sessions_and_a_word_for_a_past_session_still_planned(tmp_path: Path, clock) -> None:
    rows = planning_rows()  # held on 14 October: beyond the thirty days
    rows.append([COMMITTEE, date(2026, 11, 16), "8h30", 2, "Salle Kaori", None, "Prévue", None, None, None, None,
                 None])
    config = make_service(tmp_path / "service", rows)
    ctx = context(config, clock)
    commands.plan(ctx)
    out = ctx.out.getvalue()
    assert "Comptes rendus : 0 action à faire." in out
    assert (f"{COMMITTEE}, séance du 16/11/2026 : séance passée toujours « Prévue » ; indiquez « Tenue » "
            "dans le planning pour préparer son compte rendu.") in out


def test_a_run_killed_after_rendering_the_draft_does_not_take_it_for_staff_s(service: Path, clock,
                                                                             monkeypatch) -> None:
    commands.run(context(service, clock))
    changed = [row[:] for row in APPLICATIONS]
    changed[3][10:12] = ["Accord", 99000]
    write_applications(service.parent, changed)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies once the new draft is in place, before the journal knows

    monkeypatch.setattr(Journal, "complete", killed)
    with pytest.raises(KeyboardInterrupt):
        commands.run(context(service, clock))
    monkeypatch.undo()
    draft = service.parent / DRAFT
    assert table_rows(docx.Document(str(draft)), "N°")[4][5] == "Accord"
    changed[0][10:12] = ["Refus", None]
    write_applications(service.parent, changed)
    ctx = context(service, clock)
    commands.run(ctx)
    assert "modifié à la main" not in ctx.out.getvalue()  # type: ignore[attr-defined]
    assert table_rows(docx.Document(str(draft)), "N°")[1][5] == "Refus"  # the draft still follows the register
    assert not list(draft.parent.glob(".*"))  # no half-made copy left beside it


def test_a_draft_saved_by_staff_the_same_day_is_seen_by_the_next_idle_run(service: Path, clock) -> None:
    commands.run(context(service, clock))
    changed = [row[:] for row in APPLICATIONS]
    changed[3][10:12] = ["Accord", 99000]
    write_applications(service.parent, changed)
    edit_planning(service.parent, 5, CR_validé="Oui")
    suppliers = openpyxl.Workbook()  # every register readable: a run with nothing to do is remembered as idle
    suppliers.active.title = "Fournisseurs"
    suppliers.active.append(["Raison sociale", "Catégorie", "Courriel"])
    suppliers.save(service.parent / "registres" / "Fournisseurs.xlsx")
    commands.run(context(service, clock), "minutes")  # only the notice: nothing to do
    idle = context(service, clock)
    commands.run(idle, "minutes")
    assert "Rien à faire" in idle.out.getvalue()
    draft = service.parent / DRAFT
    edited = docx.Document(str(draft))
    edited.add_paragraph("Le dossier DEL-2026-0204 a reçu un accord après la séance.")
    edited.save(str(draft))
    ctx = context(service, clock)
    commands.run(ctx, "minutes")
    assert "Rien à faire" not in ctx.out.getvalue()
    assert len(minutes_mails(service)) == 1


def test_a_planning_without_a_status_column_is_said_once_not_per_session(tmp_path: Path, clock) -> None:
    rows = planning_rows()
    rows.append([COMMITTEE, date(2026, 11, 16), "8h30", 2, "Salle Kaori", None, "Prévue", None, None, None, None,
                 None])
    config = make_service(tmp_path / "service", rows)
    mapping = config.parent / "correspondance.toml"
    # the service keeps no status: the mapped header is found in no column
    mapping.write_text(mapping.read_text(encoding="utf-8").replace('headers = ["Statut"]', 'headers = ["État"]'),
                       encoding="utf-8")
    ctx = context(config, clock)
    commands.plan(ctx)
    out = ctx.out.getvalue()
    assert "toujours « Prévue »" not in out  # no column to mark it in
    assert out.count("le planning n'a pas de colonne de statut des séances") == 1
    assert ("aucun compte rendu n'est préparé pour 1 séance passée ; ajoutez une colonne « Statut » (décrite "
            "dans la correspondance) et indiquez « Tenue » pour une séance tenue.") in out
