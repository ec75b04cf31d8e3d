"""The incoming mail switched on for a service whose mapping has no incoming-mail register: said by check and run."""

from __future__ import annotations

from pathlib import Path

from .runner import NOTHING, Case
from .service import APPLICATIONS, register

NOTICE = ("! Courrier arrivé : aucun registre du courrier arrivé (avec sa colonne de numéro) n'a pu être lu : "
          "aucun courrier n'est enregistré ; « check » dit pourquoi.")


def _without_register(folder: Path) -> Path:
    """The service's mapping has no incoming-mail register."""
    (folder / "boite-de-reception").mkdir()
    config = folder / "config.toml"
    text = config.read_text(encoding="utf-8").replace('kind = "outbox"\n', 'kind = "outbox"\ninbox = "boite-de-reception"\n')
    config.write_text(text + "\n[incoming]\nenabled = true\n", encoding="utf-8")
    return register(folder, APPLICATIONS)


CASES = [
    Case("incoming_without_register", "courrier arrivé activé sans registre du courrier arrivé", _without_register,
         check=(("! Courrier arrivé : registre du courrier arrivé absent de la correspondance — aucun courrier "
                 "arrivé ne sera enregistré."), NOTICE), check_exit=0,
         run=(NOTICE,), watch=NOTHING),  # the other automations write their usual status cells
]
