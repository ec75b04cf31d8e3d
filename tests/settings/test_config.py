"""Loading config.toml: every problem reported at once, in French, naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from automations.errors import ConfigError
from automations.settings import load_config
from automations.transports import settings_checks

from ..conftest import PROJECT


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "registres").mkdir(exist_ok=True)
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "map.toml").write_text("", encoding="utf-8")
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


VALID = """
[service]
name = "CCAS de We"
email = "ccas@lifou.nc"
[paths]
registers = "registres"
mapping = "map.toml"
templates = "templates"
"""


def test_valid_config_gets_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID), backends=settings_checks())
    assert config.service.timezone == "Pacific/Noumea"
    assert config.service.city == "Nouméa"
    assert config.transport.backend == "outbox"
    assert config.invitations.lead_days == 15
    assert config.paths.journal == tmp_path / "journal.sqlite3"
    assert config.paths.registers == tmp_path / "registres"


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = """
[service]
email = "pas-une-adresse"
timezone = "Mars/Olympus"
colour = "bleu"
[paths]
registers = "absent"
mapping = "map.toml"
[invitations]
lead_days = "quinze"
[transport]
kind = "pigeon"
password = "secret123"
"""
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), backends=settings_checks())
    problems = caught.value.problems
    assert "[service] name : clé obligatoire absente" in problems
    assert "[service] email : adresse e-mail invalide « pas-une-adresse » : il manque « @ »" in problems
    assert any(p.startswith("[service] timezone : fuseau horaire inconnu « Mars/Olympus »") for p in problems)
    assert "[service] colour : clé inconnue" in problems
    assert any(p.startswith("[paths] registers : dossier introuvable") for p in problems)
    assert "[invitations] lead_days : un nombre entier attendu, trouvé « quinze »" in problems
    assert any(p.startswith("[transport] kind : transport inconnu « pigeon »") for p in problems)
    assert any("password" in p and "variable d'environnement" in p for p in problems)
    message = caught.value.format_message()
    assert message.startswith(f"Configuration invalide ({tmp_path / 'config.toml'}) :")
    assert "secret123" not in message


def test_unreadable_toml_is_reported_in_french(tmp_path: Path) -> None:
    path = write(tmp_path, "[service\nname = ")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == ["ligne 1, colonne 9 : « ] » manquant à la fin du nom de la table"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nulle-part.toml")
    assert caught.value.problems[0].startswith("fichier introuvable. Pour commencer : « python run.py demo »")


def test_example_config_is_complete_and_commented() -> None:
    text = (PROJECT / "config.example.toml").read_text(encoding="utf-8")
    lines = text.splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "[")) and "=" in stripped:
            above = lines[index - 1].strip()
            assert above.startswith("#") or "#" in stripped, f"clé sans commentaire : {stripped}"


def test_example_config_loads(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(PROJECT / "mappings", tmp_path / "mappings")
    shutil.copytree(PROJECT / "templates", tmp_path / "templates")
    (tmp_path / "registres").mkdir()
    shutil.copyfile(PROJECT / "config.example.toml", tmp_path / "config.toml")
    config = load_config(tmp_path / "config.toml", backends=settings_checks())
    assert config.transport.options == {"folder": "boite-d-envoi"}
    assert config.paths.mapping == tmp_path / "mappings" / "province-sud-del.toml"


def test_document_settings_are_checked(tmp_path: Path) -> None:
    text = VALID + '[packs]\nlead_days = 0\n[documents]\npdf = "oui"\nlibreoffice = "absent/soffice.exe"\n'
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), backends=settings_checks())
    assert caught.value.problems == [
        "[packs] lead_days : doit valoir au moins 1",
        "[documents] pdf : true ou false attendu, trouvé « oui »",
        "[documents] libreoffice : fichier introuvable : absent/soffice.exe"]
    config = load_config(write(tmp_path, VALID + "[documents]\npdf = true\n"), backends=settings_checks())
    assert config.documents.pdf and config.packs.lead_days == 5 and config.minutes.within_days == 30


def test_follow_up_and_budget_settings_are_checked(tmp_path: Path) -> None:
    text = VALID + ('[follow_ups]\nvoucher_number = "BA-{seq:04d}"\noutgoing_number = "D{year}-{seq:04d"\n'
                    'voucher_valid_days = 0\n[budget.2026]\n"Maintien" = "beaucoup"\n[budget.deux]\nx = 1\n')
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), backends=settings_checks())
    problems = caught.value.problems
    assert any(p.startswith("[follow_ups] voucher_number : le modèle de numéro « BA-{seq:04d} » doit contenir "
                            "{year} et {seq}") for p in problems)
    assert any(p.startswith("[follow_ups] outgoing_number : modèle de numéro illisible") for p in problems)
    assert any(p.startswith("[follow_ups] voucher_valid_days") for p in problems)
    assert "[budget.2026] Maintien : un nombre entier attendu, trouvé « beaucoup »" in problems
    assert any(p.startswith("[budget] deux : attendu : une table par année") for p in problems)


def test_budget_envelopes_are_read_per_year(tmp_path: Path) -> None:
    text = VALID + '[budget.2026]\n"Maintien dans le logement" = 25000000\n[budget.2027]\n"Première entrée" = 1\n'
    config = load_config(write(tmp_path, text), backends=settings_checks())
    assert config.budget == {2026: {"Maintien dans le logement": 25000000}, 2027: {"Première entrée": 1}}
    assert config.follow_ups.voucher_aids == ("Bon alimentaire",) and config.follow_ups.within_days == 30


def test_schedule_settings_are_checked(tmp_path: Path) -> None:
    text = VALID + ('[schedule.invitations]\ndays = "lundi-vendrdi"\nat = ["7h30"]\n'
                    '[schedule.packs]\nat = ["07:30"]\nevery_minutes = 30\n'
                    '[schedule.followups]\nevery_minutes = 30\nbetween = ["17:00", "08:00"]\n'
                    '[serve]\nlog_rotation = "semaine"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), backends=settings_checks())
    problems = caught.value.problems
    assert any(p.startswith("[schedule.invitations] days : jour inconnu « lundi-vendrdi »") for p in problems)
    assert any(p.startswith("[schedule.packs] at : indiquez soit « at »") for p in problems)
    assert any(p.startswith("[schedule.followups] between : attendu : deux heures") for p in problems)
    assert "[serve] log_rotation : « semaine » inconnu (au choix : \"jour\", \"taille\")" in problems


def test_schedule_days_and_every_minutes(tmp_path: Path) -> None:
    text = VALID + ('[schedule.followups]\ndays = ["samedi-lundi", "mercredi"]\nevery_minutes = 90\n'
                    'between = ["08:00", "12:00"]\n')
    config = load_config(write(tmp_path, text), backends=settings_checks())
    slot = config.serve.schedule["followups"]
    assert slot.weekdays == (0, 2, 5, 6) and slot.times == ("08:00", "09:30", "11:00")


def test_addresses_the_tool_sends_to_are_checked_like_the_registers(tmp_path: Path) -> None:
    text = VALID.replace('email = "ccas@lifou.nc"', 'email = "ccas@lifou.nc"\nmanager = "élodie.wamo@lifou.nc"\n'
                         'admin = "support; info@lifou.nc"') + '[safety]\npilot_address = "pilote @lifou.nc"\n'
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), backends=settings_checks())
    assert caught.value.problems == [
        "[service] manager : adresse e-mail invalide « élodie.wamo@lifou.nc » : accents ou caractères spéciaux "
        "avant « @ », que les serveurs de messagerie refusent : vérifiez-la auprès de la personne",
        "[service] admin : adresse e-mail invalide « support; info@lifou.nc » : plusieurs adresses, une seule "
        "est possible",
        "[safety] pilot_address : adresse e-mail invalide « pilote @lifou.nc » : espace dans l'adresse"]


def test_settings_dates_are_computed_from_are_bounded(tmp_path: Path) -> None:
    # a lead time of a hundred million days or a session of 1e12 hours would overflow every date computed from them
    text = VALID + ("[invitations]\nlead_days = 100000000\nduration_hours = 1e12\n[digest]\nweeks_ahead = 1000\n"
                    "[budget.2026]\n\"Maintien\" = 9000000000000000000\n")
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), backends=settings_checks())
    assert caught.value.problems == [
        "[invitations] lead_days : doit valoir au plus 365",
        "[invitations] duration_hours : doit valoir au plus 24",
        "[budget.2026] Maintien : doit valoir au plus 1000000000000",
        "[digest] weeks_ahead : doit valoir au plus 52"]
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, VALID + "[invitations]\nduration_hours = nan\n"), backends=settings_checks())
    assert caught.value.problems == ["[invitations] duration_hours : doit être positif"]
