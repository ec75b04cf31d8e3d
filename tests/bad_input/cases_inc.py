"""The incoming mail switched on while its register cannot be read: said by check and run, nothing registered."""

from __future__ import annotations

from pathlib import Path

from .runner import NOTHING, Case
from .service import APPLICATIONS, register

NOTICE = ("! Courrier arrivé : aucun registre du courrier arrivé (avec sa colonne de numéro) n'a pu être lu : "
          "aucun courrier n'est enregistré ; « check » dit pourquoi.")


def _without_register(folder: Path) -> Path:
    """The Province's mapping names « Courrier arrivé *.xlsx », which this service does not keep."""
    (folder / "boite-de-reception").mkdir()
    config = folder / "config.toml"
    text = config.read_text(encoding="utf-8").replace('kind = "outbox"\n', 'kind = "outbox"\ninbox = "boite-de-reception"\n')
    config.write_text(text + "\n[incoming]\nenabled = true\n", encoding="utf-8")
    return register(folder, APPLICATIONS)


CASES = [
    Case("incoming_without_register", "courrier arrivé activé, son registre introuvable", _without_register,
         check=(NOTICE,),  # below the register's own finding, which names the folder searched
         run=(NOTICE,), watch=NOTHING),  # the other automations write their usual status cells
]
