"""Committee names that would become paths: « ../ », a slash, Windows' reserved characters and device
names, a right-to-left override, a final dot.

Staff rename the committee everywhere (committees list, planning, members). The run still sends every
mail, and every document lands in the documents folder under a name Windows accepts: the convocation's
file and its attachment read « logement-emploi » where the register says « logement/emploi ». Two
committees whose names give the same files are refused by `check`, the later one with its sessions.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from pathvalidate import ValidationError, validate_filename

from . import runner
from .runner import NOTHING, Case, row_of
from .service import ALL_MAILS, INVITATION, PLANNING, coming, held, register

INSTANCES = "« Planning des instances 2026.xlsx », feuille « Instances »"
PLAN = "« Planning des instances 2026.xlsx », feuille « Planning 2026 »"
CLEAN_CHECK = "Problèmes dans les registres : 0 erreur, 2 avertissements."  # the two of the clean service


def rename_committee(folder: Path, name: str) -> Path:
    """The committee renamed in its list, on each session of the planning and for each member."""
    path = register(folder, PLANNING)
    wb = openpyxl.load_workbook(path)
    for sheet, column, first in (("Instances", 1, 2), ("Planning 2026", 1, 5), ("Membres", 6, 3)):
        ws = wb[sheet]
        for row in range(first, ws.max_row + 1):
            if ws.cell(row=row, column=column).value:
                ws.cell(row=row, column=column, value=name)
    wb.save(path)
    return path


def _rename(name: str):  # type: ignore[no-untyped-def]
    return lambda folder: rename_committee(folder, name)


def _day(value) -> str:  # type: ignore[no-untyped-def]
    return value().strftime("%d-%m-%Y")


def _all_inside(folder: Path) -> list[str]:
    """Every Word document the run made is in the documents folder, none beside it or above it."""
    documents = folder / "documents"
    stray = [str(p) for p in folder.parent.rglob("*.docx")
             if documents not in p.parents and folder / "modeles" not in p.parents]
    return [f"document written outside documents/: {p}" for p in stray]


def _windows_accepts(folder: Path) -> list[str]:
    problems = []
    for path in (folder / "documents").rglob("*"):
        try:
            validate_filename(path.name, platform="windows")
        except ValidationError as exc:
            problems.append(f"Windows refuses {path.name!r}: {exc}")
    return problems


def _filed(committee_folder: str, name: str):  # type: ignore[no-untyped-def]
    """The convocation, the minutes' draft and the letters where staff look for them, under these names."""
    def after(folder: Path) -> list[str]:
        root = folder / "documents" / committee_folder
        expected = [root / coming().isoformat() / f"Convocation {name} {_day(coming)}.docx",
                    root / held().isoformat() / f"Compte rendu {name} {_day(held)}.docx",
                    root / held().isoformat() / "Courriers" / "Décision DEL-2026-0303 (refus).docx"]
        return [f"missing {p.relative_to(folder)}" for p in expected if not p.is_file()]
    return after


def _attached(name: str):  # type: ignore[no-untyped-def]
    """The invitation carries the convocation under its file's name."""
    def after(folder: Path) -> list[str]:
        invitation = next(m for m in runner.messages(folder) if "wassissi.lalie@fsh.nc" in m["To"])
        names = [a.get_filename() for a in invitation.iter_attachments()]
        wanted = f"Convocation {name} {_day(coming)}.docx"
        return [] if names == [wanted] else [f"invitation attachments {names}, expected [{wanted!r}]"]
    return after


def _case(case: str, title: str, committee: str, committee_folder: str, name: str) -> Case:
    return Case(case, title, _rename(committee), check=(CLEAN_CHECK,), check_exit=0,
                run=(f"✓ envoi : Convocation – {committee}, séance du {coming().strftime('%d/%m/%Y')}",),
                watch=NOTHING,
                after=(_all_inside, _windows_accepts, _filed(committee_folder, name), _attached(name)))


def _two_committees(folder: Path) -> Path:
    """« logement/emploi » keeps the sessions; « logement:emploi » is added with a session the same day."""
    path = rename_committee(folder, "Commission insertion logement/emploi")
    wb = openpyxl.load_workbook(path)
    wb["Instances"].append(["Commission insertion logement:emploi", "Insertion", 15, 5, "Salle Niaouli", 2])
    wb["Planning 2026"].append(["Commission insertion logement:emploi", coming(), "14h00", 2, "Salle Niaouli",
                                "M. le président", "Prévue", "Examen des dossiers"])
    wb.save(path)
    return path


CLASH = ("✗ " + INSTANCES + ", ligne 3, colonne « Instance » (valeur « Commission insertion logement:emploi ») : "
         "même dossier et mêmes noms de documents que l'instance « Commission insertion logement/emploi » de la "
         "ligne 2 (dossier « commission-insertion-logement-emploi ») : les documents de l'une remplaceraient ceux "
         "de l'autre ; renommez l'une des deux ; cette instance et ses séances sont écartées")
REFUSED_SESSION = ("✗ " + PLAN + ", ligne 7, colonne « Instance » (valeur « Commission insertion logement:emploi ») : "
                   "instance écartée : ses documents remplaceraient ceux d'une autre instance (voir la liste des "
                   "instances) ; la séance est ignorée")

CASES = [
    _case("committee_dot_dot", "nom d'instance avec « ../ » (sortie du dossier)", "x/../../../../ESCAPED",
          "x-escaped", "x-..-..-..-..-ESCAPED"),
    _case("committee_slash", "nom d'instance avec une barre oblique", "Commission insertion logement/emploi",
          "commission-insertion-logement-emploi", "Commission insertion logement-emploi"),
    _case("committee_reserved_characters", "nom d'instance avec < > : \" | ? *", 'Commission <a>:"b"|c?*',
          "commission-a-b-c", "Commission -a-'b'-c"),
    # an invisible character in a column that identifies rows is refused before any name is made of it
    # (registers/types.py); file_name() would drop it too (tests/test_file_names.py)
    Case("committee_rlo", "nom d'instance avec un caractère d'inversion (U+202E)", _rename("Commission \u202eexe.cod"),
         check=("✗ " + INSTANCES + ", ligne 2, colonne « Instance » (valeur « Commission <U+202E>exe.cod ») : "
                "caractère invisible (U+202E) dans une colonne qui identifie la ligne : retapez la valeur ; la ligne "
                "est écartée",),
         run=("7 lignes de registre écartées : lancez « check » pour le détail.",),
         mails=ALL_MAILS - {INVITATION}, watch=NOTHING, after=(_all_inside, _windows_accepts)),
    _case("committee_final_dot", "nom d'instance finissant par un point, avec une barre oblique",
          "Commission A./B.", "commission-a-b", "Commission A.-B"),
    _case("committee_device_name", "instance nommée CON (nom réservé de Windows)", "CON", "_con", "_CON"),
    Case("committees_same_files", "deux instances aux mêmes noms de fichiers", _two_committees,
         check=(CLASH, REFUSED_SESSION),
         run=("2 lignes de registre écartées : lancez « check » pour le détail.",),
         watch=row_of(7, "Planning 2026"), after=(_all_inside,)),
]
