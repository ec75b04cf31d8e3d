"""A committee's planning rule typed wrong: ``check`` names the key, ``run`` says it and sends everything else."""

from __future__ import annotations

from pathlib import Path

from .runner import NOTHING, Case
from .service import APPLICATIONS, register

SAID = ("[[planning.committees]] n° 1 pattern : « un lundi sur deux » n'est pas compris : écrivez par exemple "
        "« 2e lundi », « dernier jeudi » ou « toutes les 2 semaines, le mardi »")


def _wrong_rule(folder: Path) -> Path:
    config = folder / "config.toml"
    with config.open("a", encoding="utf-8") as typed:
        typed.write('\n[planning]\nenabled = true\n\n[[planning.committees]]\n'
                    'committee = "Commission maintien dans le logement"\npattern = "un lundi sur deux"\n')
    return register(folder, APPLICATIONS)


CASES = [
    Case("planning_rule_not_understood", "règle de planning d'une instance mal écrite", _wrong_rule,
         check=(f"✗ Configuration : {SAID}",),
         run=(f"! Planning de l'année suivante : non préparé, règle invalide (config.toml) : {SAID}",),
         watch=NOTHING),  # the other automations write their usual status cells
]
