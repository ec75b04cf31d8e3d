"""Acknowledgements of applications: a filing date typed in the future is said with its cell, by ``check`` and
``run``, and no acknowledgement leaves for it; every other mail of the run leaves as usual."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .runner import NOTHING, Case
from .service import APPLICATIONS, ROW_TROLUE, edit_application, register, today

FUTURE = ("! Accusés de réception : « Registre des demandes 2026.xlsx », feuille « Demandes », ligne 3, colonne "
          "« Date de dépôt » (valeur « 20/11/2062 ») : date de dépôt à venir ; le dossier DEL-2026-0303 ne reçoit "
          "pas d'accusé de réception tant qu'elle n'est pas corrigée.")


def _filed_in_2062(folder: Path) -> Path:
    config = folder / "config.toml"
    # acknowledged from today: the register's other applications are its history
    config.write_text(config.read_text(encoding="utf-8")
                      + f'\n[receipts]\nenabled = true\nsince = "{today():%d/%m/%Y}"\n', encoding="utf-8")
    edit_application(folder, ROW_TROLUE, Date_de_dépôt=date(2062, 11, 20))
    return register(folder, APPLICATIONS)


CASES = [
    Case("receipt_filed_in_the_future", "accusé de réception : date de dépôt à venir (2062 pour 2026)",
         _filed_in_2062, check=(FUTURE,), check_exit=0, run=(FUTURE,), watch=NOTHING),
]
