"""Every word a person reads from the command line is French and plain: help, errors, logs, counts."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from automations.cli import commands
from automations.cli.main import main
from automations.french import plural
from automations.errors import ConfigError
from automations.settings import load_config
from automations.settings.toml_errors import explain
from automations.transports import settings_checks

from .conftest import NOUMEA, PROJECT, child_env, pinned_clock_env
from .follow_up_factory import make_follow_up_service
from .service_factory import context, make_service

MOMENT = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)
COMMANDS = ["demo", "check", "draft", "plan", "run", "serve", "secret", "restore", "report", "status", "history"]
ENGLISH = re.compile(r"\b(YEAR|COPY|WORKBOOK|DAYS|LIMIT|DIR|NAME|CONFIG|COMMAND|AUTOMATION|automation|workbook|"
                     r"usage|positional|optional|show this help)\b")


def cli(config: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(PROJECT / "run.py"), "--config", str(config), *args],
                          capture_output=True, text=True, cwd=cwd or config.parent, timeout=180,
                          env=child_env(MOMENT))


# -- the command line's own words ----------------------------------------------------------------------------

@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)], ids=["général", *COMMANDS])
def test_every_help_is_french_down_to_its_placeholders(command: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as ended:
        main([*command, "-h"])
    assert ended.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("Utilisation : python run.py")
    assert not ENGLISH.search(out), ENGLISH.search(out)


def test_the_placeholders_say_what_to_type(capsys) -> None:
    usages = {}
    for command in ("restore", "report", "status", "history", "plan", "demo"):
        with pytest.raises(SystemExit):
            main([command, "-h"])
        usages[command] = capsys.readouterr().out.splitlines()[0]
    assert usages == {
        "restore": "Utilisation : python run.py restore [-h] [--copy N] CLASSEUR",
        "report": "Utilisation : python run.py report [-h] --year ANNÉE",
        "status": "Utilisation : python run.py status [-h] [--days N]",
        "history": "Utilisation : python run.py history [-h] [--limit N]",
        "plan": "Utilisation : python run.py plan [-h] [AUTOMATISATION]",
        "demo": "Utilisation : python run.py demo [-h] [--dir DOSSIER]",
    }
    with pytest.raises(SystemExit):
        main(["-h"])
    assert "--config FICHIER  fichier de configuration" in capsys.readouterr().out


def test_the_automations_to_choose_from_are_named_with_what_they_do(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["plan", "-h"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert ("AUTOMATISATION une seule automatisation : invitations (convocations), packs (dossiers de séance), "
            "minutes (comptes rendus), followups (suites des commissions), receipts (accusés de réception), "
            "report (rapport d'activité), planning (planning de l'année suivante), incoming (courrier arrivé), "
            "digest (résumé hebdomadaire)") in help_text


def test_no_command_shows_the_help_not_a_reproach(capsys) -> None:
    assert main([]) == 2  # nothing was done: a script calling it learns so
    printed = capsys.readouterr()
    assert printed.err == ""
    assert printed.out.startswith("Utilisation : python run.py [-h] [--config FICHIER]")
    assert re.search(r"^    check +vérifier configuration", printed.out, re.M)
    assert "manquants" not in printed.out


@pytest.mark.parametrize("argv, expected", [
    (["report", "--year", "deux"], "Erreur : l'option --year attend un nombre entier, pas « deux »\n"
                                   "Utilisation : python run.py report [-h] --year ANNÉE\n"),
    (["report"], "Erreur : arguments obligatoires manquants : --year\n"
                 "Utilisation : python run.py report [-h] --year ANNÉE\n"),
    (["restore"], "Erreur : arguments obligatoires manquants : CLASSEUR\n"
                  "Utilisation : python run.py restore [-h] [--copy N] CLASSEUR\n"),
    (["--verbose=oui", "check"], "Erreur : l'option --verbose ne prend pas de valeur (« oui » en trop)\n"
                                 "Utilisation : python run.py [-h] [--config FICHIER] [--verbose] [--traceback]\n"
                                 "                            COMMANDE ...\n"),
    (["envoyer"], "Erreur : choix invalide « envoyer » (au choix : demo, check, draft, plan, run, serve, secret, "
                  "restore, report, status, history)\n"
                  "Utilisation : python run.py [-h] [--config FICHIER] [--verbose] [--traceback]\n"
                  "                            COMMANDE ...\n"),
])
def test_argument_errors_are_french(argv: list[str], expected: str, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # the usage line wraps at the terminal's width
    assert main(argv) == 2
    assert capsys.readouterr().err == expected


def test_an_unknown_automation_lists_the_choices_with_their_french_names(tmp_path: Path, capsys) -> None:
    config = make_service(tmp_path)
    assert main(["--config", str(config), "plan", "pigeons"]) == 2
    assert capsys.readouterr().err == (
        "Erreur : Automatisation inconnue « pigeons » (au choix : invitations (convocations), packs (dossiers de "
        "séance), minutes (comptes rendus), followups (suites des commissions), receipts (accusés de réception), "
        "report (rapport d'activité), planning (planning de l'année suivante), incoming (courrier arrivé), "
        "digest (résumé hebdomadaire)).\n")


# -- configuration files ----------------------------------------------------------------------------------

def test_a_missing_config_says_how_to_start(tmp_path: Path, capsys) -> None:
    assert main(["--config", str(tmp_path / "config.toml"), "check"]) == 2
    err = capsys.readouterr().err
    assert err == (f"Erreur : Configuration invalide ({tmp_path / 'config.toml'}) :\n"
                   "  - fichier introuvable. Pour commencer : « python run.py demo » crée un service de "
                   "démonstration complet ; pour le vôtre, copiez "
                   f"« {PROJECT / 'config.example.toml'} » en « config.toml » et adaptez-le (chaque clé y est "
                   "expliquée).\n")
    assert (PROJECT / "config.example.toml").is_file()


@pytest.mark.parametrize("text, where_what", [
    ('[service\nname = "CCAS"\n', "ligne 1, colonne 9 : « ] » manquant à la fin du nom de la table"),
    ('[service]\nname = "CCAS"\n[service]\n', "ligne 3, colonne 9 : la table [service] est déclarée deux fois"),
    ('[service]\nname = "CCAS"\nname = "CCAS bis"\n',
     "ligne 3, colonne 18 : cette clé a déjà une valeur plus haut dans le fichier (clé en double ?)"),
    ('[paths]\nregisters = "C:\\Registres"\n',
     "ligne 2, colonne 18 : « \\ » seul dans un texte entre guillemets : écrivez « \\\\ », "
     "ou mettez le chemin entre apostrophes ('…')"),
    ("[service]\nname = CCAS\n", "ligne 2, colonne 8 : valeur invalide : un texte s'écrit entre guillemets, "
                                 "un nombre sans, un booléen true ou false"),
    ('[service]\nname = "CCAS" email = "a@b.nc"\n',
     "ligne 2, colonne 15 : fin de ligne attendue après « clé = valeur » (deux réglages sur une même ligne ?)"),
])
def test_toml_syntax_errors_are_french_with_line_and_column(tmp_path: Path, text: str, where_what: str,
                                                             capsys) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    assert main(["--config", str(config), "check"]) == 2
    assert capsys.readouterr().err == f"Erreur : Configuration invalide ({config}) :\n  - {where_what}\n"


def test_a_broken_mapping_is_named_with_line_and_column(tmp_path: Path, capsys) -> None:
    config = make_service(tmp_path)
    mapping = tmp_path / "correspondance.toml"
    mapping.write_text(mapping.read_text(encoding="utf-8") + "\n[registers.extra\n", encoding="utf-8")
    line = mapping.read_text(encoding="utf-8").count("\n")
    assert main(["--config", str(config), "check"]) == 2
    assert capsys.readouterr().err == (f"Erreur : Correspondance des registres invalide ({mapping}) :\n"
                                       f"  - ligne {line}, colonne 17 : « ] » manquant à la fin du nom de la table\n")


def test_a_config_saved_in_another_encoding_says_so(tmp_path: Path, capsys) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes('[service]\nname = "Comité"\n'.encode("cp1252"))
    assert main(["--config", str(config), "check"]) == 2
    err = capsys.readouterr().err
    assert "  - ligne 2 : le fichier n'est pas enregistré en UTF-8 (octet 0xe9) : enregistrez-le en UTF-8" in err
    assert "codec" not in err


def _tomllib_messages() -> list[str]:
    """Every message tomllib's parser raises, its placeholders filled as the parser fills them."""
    source = Path(tomllib.__file__).with_name("_parser.py").read_text(encoding="utf-8")
    found = re.findall(r"suffixed_err\(\s*src,\s*\w+,\s*(f?)\"((?:[^\"\\]|\\.)*)\"", source)
    assert len(found) >= 25  # the parser of Python 3.11 has 30 of them
    messages = []
    for is_format, text in found:
        text = text.encode().decode("unicode_escape")
        if is_format:
            text = re.sub(r"\{\w*key\w*\}", "('budget', '2026')", text)
            text = re.sub(r"\{[^}]+!r\}", "'x'", text)
        messages.append(text)
    return messages


@pytest.mark.parametrize("message", _tomllib_messages())
def test_each_message_of_tomllib_has_its_french_wording(message: str) -> None:
    french = explain(tomllib.TOMLDecodeError(f"{message} (at line 4, column 7)"))
    assert french.startswith("ligne 4, colonne 7 : ")
    assert "syntaxe TOML incorrecte" not in french  # not the fallback: a wording of its own
    assert not re.search(r"\b(Expected|Cannot|Invalid|Unclosed|Unterminated|Illegal|Found|Duplicate)\b", french)
    assert "budget', '2026" not in french  # a key is shown as it is written, budget.2026


def test_an_unknown_toml_message_still_gets_a_french_sentence() -> None:
    error = tomllib.TOMLDecodeError("Something new in Python 3.19 (at line 3, column 2)")
    assert explain(error) == "ligne 3, colonne 2 : syntaxe TOML incorrecte"
    assert explain(tomllib.TOMLDecodeError("Odd (at end of document)")) == ("à la fin du fichier : "
                                                                          "syntaxe TOML incorrecte")


def test_the_memory_transport_of_the_tests_is_not_offered(tmp_path: Path) -> None:
    config = make_service(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace('kind = "outbox"', 'kind = "memory"'),
                      encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(config, backends=settings_checks())
    assert refused.value.problems[0] == ("[transport] kind : transport inconnu « memory » "
                                         "(au choix : exchange, graph, outbox, smtp)")
    for shipped in (PROJECT / "README.md", PROJECT / "config.example.toml"):
        assert '"memory"' not in shipped.read_text(encoding="utf-8")


def test_the_shipped_example_configs_do_not_warn_about_their_own_permissions(tmp_path: Path) -> None:
    # a git clone leaves them readable by everyone (644): they name no mail server nor account
    folder = tmp_path / "clone"
    (folder / "registres").mkdir(parents=True)
    (folder / "mappings").mkdir()
    shutil.copy(PROJECT / "mappings" / "province-sud-del.toml", folder / "mappings")
    shutil.copytree(PROJECT / "templates", folder / "templates")
    shutil.copy(PROJECT / "config.example.toml", folder / "config.toml")
    (folder / "config.toml").chmod(0o644)
    checked = cli(folder / "config.toml", "check")
    assert checked.stdout.startswith(f"Configuration : {folder / 'config.toml'} — correcte.\n")
    assert "lisible par tous" not in checked.stdout
    for example in sorted((PROJECT / "examples").glob("*/config.toml")):
        assert example.stat().st_mode & 0o004
        assert commands.config_exposure(load_config(example, backends=settings_checks())) is None


# -- what the commands print -----------------------------------------------------------------------------

def test_plural_agreement() -> None:
    assert [plural(n, "séance annulée", "séances annulées") for n in (0, 1, 2, 12)] == [
        "0 séance annulée", "1 séance annulée", "2 séances annulées", "12 séances annulées"]


def test_a_run_speaks_plain_french_on_both_outputs(tmp_path: Path) -> None:
    config = make_follow_up_service(tmp_path / "s")
    text = config.read_text(encoding="utf-8")
    # the guard refuses the applicants' own domains: some actions fail, and the log says so on stderr
    config.write_text(text + '\n[safety]\nallowed_domains = ["province-sud.nc"]\n', encoding="utf-8")
    done = cli(config, "run", "followups")
    assert done.returncode == 1
    warnings = done.stderr.splitlines()
    assert warnings and all(re.fullmatch(r"attention : Suites des commissions, \S+ rév\. \d+ : échec "
                                         r"\(détail : python run\.py history\)", line) for line in warnings), warnings
    assert "WARNING" not in done.stderr and "automations." not in done.stderr
    assert "(s)" not in done.stdout
    [summary] = [line for line in done.stdout.splitlines() if line.startswith("Bilan")]
    assert re.fullmatch(r"Bilan : \d+ envois?, \d+ documents? préparés?, \d+ échecs, \d+ cellules? reportées? "
                        r"dans les registres\.", summary), summary
    assert "échec" in summary and "1 échecs" not in summary and "0 échecs" not in summary
    plan = cli(config, "plan")
    assert "Suites des commissions : 0 action à faire." in plan.stdout.splitlines() or \
        re.search(r"Suites des commissions : (\d{2,}|[2-9]) actions à faire\.", plan.stdout)
    assert "(s)" not in plan.stdout


def test_check_says_counts_in_french_and_no_template_internals(tmp_path: Path) -> None:
    config = make_follow_up_service(tmp_path / "s")
    checked = cli(config, "check")
    out = checked.stdout
    assert "(s)" not in out
    counted = re.findall(r"^  \S[^:]* : (\d+) (lignes? exploitables?)$", out, re.M)
    assert counted and all(words == ("ligne exploitable" if int(n) < 2 else "lignes exploitables")
                           for n, words in counted), counted
    assert "données non utilisées" not in out and "has." not in out and "_previous" not in out
    assert "✓ Modèle « rapport_activite.docx » : correct." in out


def test_check_names_an_unknown_field_as_typed_in_word_and_where(tmp_path: Path, clock) -> None:
    import docx

    config = make_follow_up_service(tmp_path / "s")
    template = tmp_path / "s" / "modeles" / "convocation.docx"
    document = docx.Document(str(template))
    document.add_paragraph("Salle : {{ session.salle }}")
    document.save(str(template))
    ctx = context(config, clock)
    commands.check(ctx)
    out = ctx.out.getvalue()  # type: ignore[attr-defined]
    paragraphs = len(document.paragraphs)
    assert ("  ✗ Modèle « convocation.docx » : 1 champ que l'outil ne fournit pas (il restera vide dans les "
            "documents) :\n"
            f"      - « {{{{ session.salle }}}} » (paragraphe {paragraphs})\n") in out


def test_history_says_it_shows_only_the_last_entries_and_names_automations_in_french(tmp_path: Path) -> None:
    config = make_follow_up_service(tmp_path / "s")
    assert cli(config, "run").returncode == 0
    shown = cli(config, "history", "--limit", "2").stdout.splitlines()
    everything = cli(config, "history", "--limit", "1000").stdout.splitlines()
    total = sum(1 for line in everything if line[:2].isdigit())
    assert total > 2
    assert shown[0] == f"2 dernières entrées sur {total} ; --limit pour en voir plus."
    assert not everything[0].startswith(("2 dernières", f"{total} dernières"))  # all shown: nothing to say
    entries = [line for line in everything if line[:2].isdigit()]
    assert all(re.match(r"\d\d/\d\d/\d{4} \d\d:\d\d  (Convocations|Dossiers de séance|Comptes rendus|"
                        r"Suites des commissions|Résumé hebdomadaire|Alertes au responsable) ", line)
               for line in entries), entries
    assert not any(re.search(r"\b(followups|packs|invitations|minutes|digest)\b  ", line) for line in entries)


def test_restore_suggests_the_command_on_the_same_config(tmp_path: Path, monkeypatch, capsys) -> None:
    config = make_follow_up_service(tmp_path / "s")
    monkeypatch.setenv(*pinned_clock_env(MOMENT).popitem())  # the session's follow-ups are due on that day
    assert main(["--config", str(config), "run", "followups"]) in (0, 1)
    register = next(p.name for p in (tmp_path / "s" / "sauvegardes").glob("*.xlsx")).split(".")[0]
    workbook = next(p.name for p in (tmp_path / "s" / "registres").glob("*.xlsx") if p.stem in register)
    capsys.readouterr()
    assert main(["--config", str(config), "restore", workbook]) == 0
    assert (f"Pour remettre la copie 1 : python run.py --config \"{config}\" restore \"{workbook}\" --copy 1"
            in capsys.readouterr().out)
    monkeypatch.chdir(config.parent)  # the default config: nothing to add
    assert main(["restore", workbook]) == 0
    assert f"Pour remettre la copie 1 : python run.py restore \"{workbook}\" --copy 1" in capsys.readouterr().out


def test_status_cut_short_by_its_reader_ends_quietly(tmp_path: Path) -> None:
    config = make_follow_up_service(tmp_path / "s")
    # « python run.py status | head -1 »: the reader is gone before the program writes
    child = subprocess.Popen([sys.executable, str(PROJECT / "run.py"), "--config", str(config), "status"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=child_env(MOMENT))
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()
    err = child.stderr.read().decode("utf-8")
    assert child.wait(timeout=180) == 1
    assert err == ""


def test_serve_names_its_automations_in_french(tmp_path: Path, clock) -> None:
    from automations.cli.serve import serve

    config = make_follow_up_service(tmp_path / "s")
    ctx = context(config, clock)
    ctx.sleep = lambda seconds: None
    serve(ctx, until=clock.moment)
    first = ctx.out.getvalue().splitlines()[0]  # type: ignore[attr-defined]
    assert first.startswith("Service démarré : Convocations, Dossiers de séance, Comptes rendus, "
                            "Suites des commissions, ")
    assert not re.search(r"\b(invitations|packs|minutes|followups)\b", first)


def test_the_digest_counts_agree(tmp_path: Path) -> None:
    from automations.digest.content import Problems
    from automations.digest.render import _problem_count

    assert _problem_count(Problems(1, 0, ())) == "1 erreur, 0 avertissement"
    assert _problem_count(Problems(3, 2, ())) == "3 erreurs, 2 avertissements"


