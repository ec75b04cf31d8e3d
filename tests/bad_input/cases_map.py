"""Mistakes in the mapping: a misspelled field name is refused before anything is read or sent, and a
header the sheets do not have is a warning naming the closest header."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .cases_layout import CLEAN, notified_rows
from .runner import NOTHING, Case
from .service import APPLICATIONS, register


def _mapping(old: str, new: str) -> Callable[[Path], Path]:
    """The administrator's edit of the mapping; the applications register is watched."""
    def make(folder: Path) -> Path:
        mapping = folder / "correspondance.toml"
        text = mapping.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        mapping.write_text(text.replace(old, new), encoding="utf-8")
        return register(folder, APPLICATIONS)
    return make


def _refused(name: str, title: str, old: str, new: str, problem: str) -> Case:
    """The mapping is refused by both commands: nothing read, nothing sent, no register written."""
    line = f"- [registers.applications.fields] {problem}"
    return Case(name, title, _mapping(old, new), check=(line,), run=(line,), check_exit=2, run_exit=2,
                mails=frozenset())


CASES = [
    _refused("misspelled_field", "nom de champ mal orthographié dans la correspondance",
             "amount_granted = {", "amount_grantd = {",
             "amount_grantd : champ inconnu — vouliez-vous dire amount_granted ?"),
    _refused("misspelled_write_back_field", "champ de suivi mal orthographié dans la correspondance",
             "notified_on = {", "notifed_on = {", "notifed_on : champ inconnu — vouliez-vous dire notified_on ?"),
    Case("unmatched_optional_header", "en-tête facultatif de la correspondance absent de la feuille",
         _mapping('commune = { headers = ["Commune"]', 'commune = { headers = ["Communes"]'),
         check=("⚠ « Registre des demandes 2026.xlsx », feuille « Demandes », ligne 1 : champ « commune » sans "
                "colonne (en-têtes essayés : « Communes ») ; en-têtes proches dans la feuille : « Commune » ; ce "
                "champ restera vide", CLEAN),
         check_exit=0, watch=NOTHING, after=(notified_rows(2, 3, 4),)),
]
