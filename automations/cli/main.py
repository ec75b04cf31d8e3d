"""Command line: parse arguments, build the context, map errors to one French line.

This is the only place where an exception becomes a message and an exit code.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import textwrap
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from . import commands, service_logs
from ..engine.context import Context, process_clock
from ..errors import EXIT_PROBLEMS, EXIT_USAGE, UsageError, UserError
from ..invisible import printable
from ..engine.registry import choices
from ..settings import load_config
from ..transports import settings_checks


def _invalid_choice(found: re.Match[str]) -> str:
    choices = found[2].replace("'", "")  # argparse quotes each choice: 'demo', 'check'…
    return f"choix invalide « {found[1]} » (au choix : {choices})"


# argparse's own messages (Python 3.11), each to French; the last line drops the English prefix of any other
_ARGPARSE_FR: list[tuple[str, Any]] = [
    (r"invalid choice: '?([^' ]+)'? \(choose from (.*)\)", _invalid_choice),
    (r"the following arguments are required: (.*)", r"arguments obligatoires manquants : \1"),
    (r"unrecognized arguments: (.*)", r"arguments non reconnus : \1"),
    (r"argument (\S+): expected one argument", r"l'option \1 attend une valeur"),
    (r"argument (\S+): expected at most one argument", r"\1 attend une valeur au plus"),
    (r"argument (\S+): expected at least one argument", r"\1 attend au moins une valeur"),
    (r"argument (\S+): invalid int value: '(.*)'", r"l'option \1 attend un nombre entier, pas « \2 »"),
    (r"argument (\S+): ignored explicit argument '(.*)'", r"l'option \1 ne prend pas de valeur (« \2 » en trop)"),
    (r"argument (\S+): not allowed with argument (\S+)", r"l'option \1 ne va pas avec \2"),
    (r"ambiguous option: (\S+) could match (.*)", r"option ambiguë \1 : \2 ?"),
    (r"unexpected option string: (.*)", r"option inattendue : \1"),
    (r"^argument [^:]+: ", ""),
]


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        # argparse passes "" when it builds a sub-command's name: that one must stay bare
        super().add_usage(usage, actions, groups, "Utilisation : " if prefix is None else prefix)

    def _split_lines(self, text, width):  # type: ignore[no-untyped-def]
        # a name like ./service-demo stays whole on its line
        return textwrap.wrap(self._whitespace_matcher.sub(" ", text).strip(), width, break_on_hyphens=False)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")

    def error(self, message: str) -> NoReturn:
        for pattern, french in _ARGPARSE_FR:
            message = re.sub(pattern, french, message)
        raise UsageError(f"{message}\n{self.format_usage().strip()}")


def build_parser() -> _Parser:
    parser = _Parser(prog="python run.py",
                     description="Automatisation des commissions : convocations, registres, journal.")
    parser.add_argument("--config", type=Path, default=Path("config.toml"), metavar="FICHIER",
                        help="fichier de configuration (par défaut : config.toml)")
    parser.add_argument("--verbose", action="store_true", help="journal détaillé pour l'administrateur")
    parser.add_argument("--traceback", action="store_true",
                        help="afficher la trace complète d'une erreur (pour l'administrateur)")
    sub = parser.add_subparsers(dest="command", title="commandes", metavar="COMMANDE", parser_class=_Parser)
    demo = sub.add_parser("demo", help="créer un service de démonstration et tout y exécuter")
    demo.add_argument("--dir", type=Path, default=None, metavar="DOSSIER",
                      help="dossier du service de démonstration (par défaut : ./service-demo)")
    sub.add_parser("check", help="vérifier configuration, correspondance, modèles et registres")
    drafting = sub.add_parser("draft", help="ébaucher mapping.toml et config.toml à partir des classeurs d'un dossier")
    drafting.add_argument("folder", type=Path, metavar="DOSSIER", help="le dossier des classeurs du service")
    drafting.add_argument("--sortie", type=Path, default=Path("."), metavar="DOSSIER",
                          help="où écrire mapping.toml et config.toml (par défaut : le dossier courant)")
    names = choices()
    for name, text in (("plan", "montrer ce qui serait fait maintenant"), ("run", "le faire")):
        command = sub.add_parser(name, help=text)
        command.add_argument("automation", nargs="?", default=None, metavar="AUTOMATISATION",
                             help=f"une seule automatisation : {names}")
    sub.add_parser("serve", help="tourner en continu : chaque automatisation à ses jours et heures")
    keep = sub.add_parser("secret", help="enregistrer un mot de passe ou un secret dans le trousseau du système")
    keep.add_argument("name", metavar="NOM", help="le nom que la configuration donne au secret (password_env…)")
    restore = sub.add_parser("restore", help="lister les copies datées d'un registre ou du journal, ou en remettre une")
    restore.add_argument("workbook", metavar="CLASSEUR",
                         help="le classeur, par son nom dans le dossier des registres, ou « journal »")
    restore.add_argument("--copy", type=int, default=None, metavar="N",
                         help="le numéro de la copie à remettre (1 : la plus récente)")
    report = sub.add_parser("report", help="écrire le rapport d'activité d'une année (classeur Excel et rapport Word)")
    report.add_argument("--year", type=int, required=True, metavar="ANNÉE",
                        help="l'année du rapport, par exemple 2026")
    status = sub.add_parser("status", help="le service planifié, puis les séances à venir : convocation, salle, "
                                           "réponses des membres")
    status.add_argument("--days", type=int, default=60, metavar="N", help="horizon en jours (par défaut : 60)")
    history = sub.add_parser("history", help="ce qui a été fait, d'après le journal")
    history.add_argument("--limit", type=int, default=50, metavar="N", help="nombre d'entrées (par défaut : 50)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    show_traceback = "--traceback" in (argv if argv is not None else sys.argv[1:])
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:  # no command: what the commands are, rather than a reproach
            parser.print_help()
            return EXIT_USAGE
        service_logs.configure_console(args.verbose)
        code = dispatch(args)
        sys.stdout.flush()  # a reader gone away is noticed here, not in the interpreter's last flush
        return code
    except BrokenPipeError:
        return _quiet_after_broken_pipe()
    except UserError as exc:
        if show_traceback:
            traceback.print_exc()
        print(printable(f"Erreur : {exc.format_message()}"), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return EXIT_PROBLEMS
    except Exception as exc:  # the last barrier: no traceback reaches a user
        if show_traceback:
            traceback.print_exc()
        print(printable(f"Erreur inattendue : {type(exc).__name__} : {exc}. "
                        "Relancez avec --traceback et transmettez le message à l'administrateur."), file=sys.stderr)
        return EXIT_PROBLEMS


def _quiet_after_broken_pipe() -> int:
    """The reader went away (``status | head -1``): end quietly, as Python's documentation on SIGPIPE advises."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush of stdout must not fail again
    except (OSError, ValueError):  # no real file behind stdout (tests capture it): nothing left to flush
        pass
    return EXIT_PROBLEMS


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from .demo import run_demo

        return run_demo(args.dir, clock=process_clock())
    if args.command == "draft":
        from ..onboarding.command import draft_command

        return draft_command(args.folder, args.sortie, sys.stdout)
    if args.command == "secret":
        from ..settings.secrets import secret_command

        return secret_command(args.name)
    config = load_config(args.config, backends=settings_checks())
    ctx = Context(config=config, clock=process_clock(), verbose=args.verbose)
    service_logs.configure(config.serve, args.verbose)
    if args.command == "serve":
        from .serve import serve

        for name in ("SIGTERM", "SIGINT", "SIGBREAK"):  # SIGBREAK: Ctrl-Break on Windows
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), lambda *_: ctx.stop.set())
        return serve(ctx)
    if args.command == "check":
        return commands.check(ctx)
    if args.command == "plan":
        return commands.plan(ctx, args.automation)
    if args.command == "run":
        return commands.run_exit_code(commands.run(ctx, args.automation))
    if args.command == "restore":
        from .restore import restore

        return restore(ctx, args.workbook, args.copy)
    if args.command == "report":
        from ..annual_report.report import report_command

        return report_command(ctx, args.year)
    if args.command == "status":
        return commands.status(ctx, args.days)
    if args.command == "history":
        return commands.history(ctx, args.limit)
    raise UsageError(f"commande inconnue « {args.command} »")  # pragma: no cover - argparse stops it first


__all__ = ["EXIT_USAGE", "main"]
