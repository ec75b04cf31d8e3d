"""Registers made into committees, sessions and members, with the references checked."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from automations.cli import commands
from automations import french
from automations.registers.findings import Severity

from ..conftest import NOUMEA
from ..service_factory import COMMITTEE, context, make_service, planning_rows


def test_unknown_committee_and_session_without_time_are_findings(tmp_path: Path, clock) -> None:
    rows = planning_rows() + [
        ["Commission des fêtes", date(2026, 12, 4), "9h", 2, "Salle Kaori", None, "Prévue", None,
         None, None, None, None],
        [COMMITTEE, date(2026, 12, 9), None, 2, "Salle Kaori", None, "Prévue", None, None, None, None, None],
        [COMMITTEE, date(2026, 12, 10), "9h", 2, "Salle des fêtes", None, "Prévue", None, None, None, None, None],
    ]
    config = make_service(tmp_path, rows)
    loaded = commands.load(context(config, clock))
    by_row = {f.row: f for f in loaded.service.findings}
    assert by_row[8].reason.startswith("instance inconnue : ajoutez-la à la liste des instances")
    assert by_row[8].column == "Instance" and by_row[8].value == "Commission des fêtes"
    assert by_row[9].reason == "séance prévue sans heure : la convocation ne peut pas être envoyée"
    assert by_row[10].severity is Severity.WARNING
    assert by_row[10].reason.startswith("salle inconnue de la liste des salles")
    assert by_row[6].reason.startswith("séance sans salle indiquée : la salle habituelle « Salle Kaori »")
    assert len(loaded.service.sessions) == 5  # the unknown committee's session is left out
    members = loaded.service.members_of(loaded.service.committee(COMMITTEE))
    assert [m.role for m in members] == ["titulaire", "titulaire", "suppleant", "titulaire"]


def test_session_without_time_is_not_sent_and_plan_says_why(tmp_path: Path, clock) -> None:
    rows = planning_rows()
    rows[1][2] = None
    config = make_service(tmp_path, rows)
    ctx = context(config, clock)
    assert commands.plan(ctx) == 0
    assert "Rien à faire pour l'instant." in ctx.out.getvalue()
    assert commands.run(ctx).done == []


def test_check_lists_findings_and_exit_code(tmp_path: Path, clock) -> None:
    config = make_service(tmp_path)
    ctx = context(config, clock)
    assert commands.check(ctx) == 1
    out = ctx.out.getvalue()
    assert "Problèmes dans les registres : 2 erreurs, 2 avertissements." in out
    assert ("✗ « registres » : registre des fournisseurs : aucun fichier ne correspond à « Fournisseurs.xlsx » "
            f"dans ce dossier ({tmp_path / 'registres'})") in out
    assert "membre sans adresse e-mail (WAIA Josépha)" in out
    assert not (tmp_path / "journal.sqlite3").exists()


def test_plan_shows_what_run_will_do(tmp_path: Path, clock) -> None:
    config = make_service(tmp_path)
    ctx = context(config, clock)
    commands.plan(ctx, "invitations")
    assert ctx.out.getvalue().splitlines()[:2] == [
        "Convocations : 1 action à faire.",
        "  - envoi : Convocation – Commission maintien dans le logement, séance du 02/12/2026"]
    assert not (tmp_path / "boite-d-envoi").exists()


def test_french_formatting() -> None:
    assert french.date_long(date(2025, 5, 16)) == "vendredi 16 mai 2025"
    assert french.amount_xpf(125000) == "125 000 F CFP"
    assert french.time_fr(datetime(2026, 1, 1, 8, 30, tzinfo=NOUMEA).timetz()) == "8 h 30"
    assert french.of_name("Comité prévention des expulsions") == "du Comité prévention des expulsions"
    assert french.of_name("Commission première entrée") == "de la Commission première entrée"
