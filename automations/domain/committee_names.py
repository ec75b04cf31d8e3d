"""The names a committee gives its documents on disk, and the committees that would share them.

A committee's sessions are filed under ``<documents>/<folder>/<date>/``, the folder being the
committee's slug, and its documents are named after it (« Convocation <committee> 07-12-2026.docx »).
Two committees whose names differ only by what a file name cannot hold (« logement/emploi » and
« logement-emploi », « Commission A » and « Commission A. ») would share that folder and those names,
and their action keys too: one committee's convocation would replace the other's. The later one of the
list is refused with a finding naming both, rather than given a suffix that staff could not guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.actions import slug
from .. import file_names
from ..registers.findings import Finding
from ..registers.reader import Record
from ..registers.types import normalize_label

# the folder name is kept short: the documents' full paths stay within Windows' 260 characters
FOLDER_LENGTH = 60


def committee_folder(committee: str) -> str:
    """``commission-maintien-dans-le-logement``: the folder of a committee's sessions, under the documents."""
    return file_names.file_name(slug(committee), length=FOLDER_LENGTH)


def committee_part(committee: str) -> str:
    """The committee as its documents' names show it: « logement/emploi » as « logement-emploi »."""
    return file_names.file_name(committee, length=file_names.PART)


@dataclass(frozen=True)
class Named:
    key: str  # the committee's normalized name: the same committee, whatever its spelling
    name: str
    row: int | None  # its row in the committees' sheet; None when the config names it


class Folders:
    """The committees met so far, by the folder their documents go to."""

    def __init__(self) -> None:
        self.by_folder: dict[str, Named] = {}

    def add(self, name: str, row: int | None = None) -> Named | None:
        """Note this committee; returns the other committee already filed in the same folder, if any."""
        folder = committee_folder(name)
        known = self.by_folder.get(folder)
        if known is not None and known.key != normalize_label(name):
            return known
        self.by_folder[folder] = Named(normalize_label(name), name, row)
        return None


def clash_finding(record: Record, name: str, other: Named) -> Finding:
    """The committee of ``record`` refused: its documents would replace those of ``other``."""
    where = f"de la ligne {other.row}" if other.row is not None else "de la configuration"
    reason = (f"même dossier et mêmes noms de documents que l'instance « {other.name} » {where} "
              f"(dossier « {committee_folder(name)} ») : les documents de l'une remplaceraient ceux de l'autre ; "
              "renommez l'une des deux ; cette instance et ses séances sont écartées")
    src = record.source
    return Finding(str(src.file), src.sheet, src.row, record.headers.get("name", "name"), name, reason)
