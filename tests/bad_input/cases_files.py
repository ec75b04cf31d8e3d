"""Bad files: legacy, macro-enabled, encrypted, truncated or hostile workbooks, a CSV taken for a register,
a workbook open in Excel, and a register changed between the reading and the write-back."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from . import files
from .cases_cells import ONE_LEFT_OUT
from .cases_layout import ONLY_INVITATION, notified_rows
from .runner import NOTHING, Case, cli, sent
from .service import APPLICATIONS, ROW_TROLUE, applications, edit_application, register
from ..follow_up_factory import HEADER

NAME = "« Registre des demandes 2026.xlsx »"
RESAVE = "ouvrez-le dans Excel et enregistrez-le au format « Classeur Excel (*.xlsx) »"
LOCK = f"~${APPLICATIONS}"
LEGACY = ("classeur Excel 97-2003 (.xls), que l'outil lit mais où il ne peut rien reporter ; enregistrez-le au format "
          "« Classeur Excel (*.xlsx) » et corrigez les fichiers de la correspondance")


def _replaced(write: Callable[[Path, bytes], None]) -> Callable[[Path], Path]:
    """The applications register replaced by what ``write`` makes of its bytes."""
    def make(folder: Path) -> Path:
        path = register(folder, APPLICATIONS)
        write(path, path.read_bytes())
        return path
    return make


def _mapped(pattern: str, make: Callable[[Path], Path]) -> Callable[[Path], Path]:
    """The mapping's applications register found by ``pattern`` instead of « Registre des demandes *.xlsx »."""
    def mapped(folder: Path) -> Path:
        mapping = folder / "correspondance.toml"
        text = mapping.read_text(encoding="utf-8")
        mapping.write_text(text.replace('files = ["Registre des demandes *.xlsx"]', f'files = ["{pattern}"]'),
                           encoding="utf-8")
        return make(folder)
    return mapped


def _converted(suffix: str, convert: Callable[[Path, Path], None]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        source = register(folder, APPLICATIONS)
        target = source.with_suffix(suffix)
        convert(source, target)
        source.unlink()
        return target
    return make


CSV = ("✗ « Registre des demandes 2026 (export).csv » : fichier illisible (fichier texte CSV, pas un classeur Excel) : "
       f"{RESAVE}, ou corrigez les fichiers de la correspondance")
VBA = files.OLE_VBA_PROJECT
MILLION_MB = round(files.million_rows_size(HEADER, applications()[0]) / 1024 ** 2)


def _macros_kept(folder: Path) -> list[str]:
    with zipfile.ZipFile(register(folder, "Registre des demandes 2026.xlsm")) as archive:
        kept = archive.read(files.VBA_PART) == VBA
        types = archive.read("[Content_Types].xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    problems = [] if kept else ["vbaProject.bin changed by the write-back"]
    if b"macroEnabled.main+xml" not in types or b"vbaProject.bin" not in rels:
        problems.append("the workbook is no longer macro-enabled")
    return problems


def _csv_beside(folder: Path) -> Path:
    csv = register(folder, "Registre des demandes 2026 (export).csv")
    csv.write_text(";".join(HEADER) + "\n" + "\n".join(";".join(str(v or "") for v in row) for row in applications()),
                   encoding="utf-8")
    return csv


def _xls_inside(path: Path, data: bytes) -> None:
    legacy = path.with_name("ancien.xls")
    files.legacy_xls(path, legacy)
    legacy.replace(path)


def _encrypt(path: Path, data: bytes) -> None:
    plain = path.with_name("clair.xlsx")
    plain.write_bytes(data)
    files.encrypt(plain, path, "Commission2026")
    plain.unlink()


def _bomb(path: Path, data: bytes) -> None:
    files.zip_bomb(path, "Demandes", HEADER, applications()[0], gib=3)


def _million(path: Path, data: bytes) -> None:
    files.million_rows(path, "Demandes", HEADER, applications()[0])


def _locked(folder: Path) -> Path:
    path = register(folder, APPLICATIONS)
    path.with_name(LOCK).write_text("Secrétariat", encoding="utf-8")
    return path


def _written_once_closed(folder: Path) -> list[str]:
    """Excel closed: the next run writes what waited, and sends nothing again."""
    register(folder, LOCK).unlink()
    return written_again(folder)


def written_again(folder: Path) -> list[str]:
    """The next run writes what waited, and sends nothing again."""
    before = sent(folder)
    again = cli(folder / "config.toml", "run")
    problems = [] if again.code == 0 else [f"second run: exit code {again.code}\n{again.text}"]
    if sent(folder) != before:
        problems.append("the second run sent mail again")
    return problems + notified_rows(2, 3, 4)(folder)


def _renumbered(folder: Path) -> None:
    # staff corrected the file number of the refused application meanwhile
    edit_application(folder, ROW_TROLUE, **{"N° dossier": "DEL-2026-0313"})


def _notified_none(folder: Path) -> list[str]:
    return notified_rows()(folder) if register(folder, APPLICATIONS).is_file() else []


def _removed(folder: Path) -> None:
    register(folder, APPLICATIONS).unlink()


def _encrypted_meanwhile(folder: Path) -> None:
    path = register(folder, APPLICATIONS)
    _encrypt(path, path.read_bytes())


def _unread(reason: str, title: str, name: str, make: Callable[[Path], Path]) -> Case:
    return Case(name, title, make, check=(f"✗ {NAME} : {reason}",),
                run=(f"✗ Registre non lu : {NAME} : {reason}", ONE_LEFT_OUT), mails=ONLY_INVITATION)


CASES = [
    Case("legacy_xls", "classeur Excel 97-2003 (.xls) décrit dans la correspondance",
         _mapped("Registre des demandes *.xls", _converted(".xls", files.legacy_xls)), check_exit=0,
         check=(f"⚠ « Registre des demandes 2026.xls » : {LEGACY}",)),
    _unread(f"fichier illisible (classeur Excel 97-2003 enregistré sous l'extension « .xlsx ») : {RESAVE}",
            "classeur .xls renommé en .xlsx", "xls_named_xlsx",
            _replaced(_xls_inside)),
    Case("xlsm_macros", "classeur avec macros (.xlsm) : macros gardées au report",
         _mapped("Registre des demandes *.xlsm", _converted(".xlsm", lambda s, t: files.macro_workbook(s, t, VBA))),
         check=("Problèmes dans les registres : 0 erreur, 2 avertissements.",), check_exit=0, watch=NOTHING,
         after=(_macros_kept,)),
    Case("csv_export", "export CSV pris pour un registre", _mapped("Registre des demandes *", _csv_beside),
         check=(CSV,), run=(f"✗ Registre non lu : {CSV[2:]}", ONE_LEFT_OUT)),
    _unread("fichier illisible (classeur protégé par un mot de passe à l'ouverture) : enregistrez-le sans mot de "
            "passe (Fichier > Informations > Protéger le classeur > Chiffrer avec mot de passe)",
            "classeur protégé par un mot de passe", "password", _replaced(_encrypt)),
    _unread("fichier illisible (classeur abîmé ou incomplet : copie interrompue ?) : remettez-le depuis une "
            "sauvegarde, ou enregistrez-le de nouveau dans Excel", "classeur tronqué", "truncated",
            _replaced(lambda path, data: path.write_bytes(data[: len(data) // 2]))),
    _unread(f"fichier illisible (page web ou texte, pas un classeur Excel : un export renommé ?) : {RESAVE}",
            "page web nommée .xlsx", "html_named_xlsx",
            _replaced(lambda path, data: path.write_text("<html><body><table><tr><td>N° dossier</td></tr></table>"
                                                         "</body></html>", encoding="utf-8"))),
    _unread("fichier illisible (fichier vide, 0 octet : sa copie a échoué ?) : remettez-le depuis une sauvegarde",
            "fichier vide", "empty_file", _replaced(lambda path, data: path.write_bytes(b""))),
    _unread("classeur refusé (la feuille « Demandes » ferait 3,0 Go une fois décompressée, au plus 256 Mo par "
            "feuille) : archive piégée ou feuille démesurée (des centaines de milliers de lignes), il n'est pas lu",
            "bombe zip (3 Go une fois décompressée)", "zip_bomb", _replaced(_bomb)),
    _unread("classeur refusé (XML avec des déclarations d'entités, ce qu'aucun classeur Excel ne contient) : fichier "
            "piégé ou abîmé, il n'est pas lu", "bombe d'entités XML", "entity_bomb",
            _replaced(lambda path, data: files.declare_entities(path))),
    _unread(f"classeur refusé (la feuille « Demandes » ferait {MILLION_MB} Mo une fois décompressée, au plus 256 Mo par feuille) : "
            "archive piégée ou feuille démesurée (des centaines de milliers de lignes), il n'est pas lu",
            "feuille d'un million de lignes", "million_rows", _replaced(_million)),
    Case("locked_by_excel", "classeur ouvert dans Excel pendant le passage", _locked, check=(), check_exit=0,
         run=(f"… {NAME} est ouvert dans Excel (fichier « {LOCK} ») : écriture reportée au prochain passage.",),
         after=(_written_once_closed,)),
    Case("renumbered_before_writeback", "ligne modifiée entre la lecture et le report", lambda f: register(f, APPLICATIONS),
         check=(), check_exit=0, run_exit=1, watch=NOTHING, between=_renumbered,
         run=(f"✗ Report dans le registre impossible : {NAME}, feuille « Demandes », colonne « Notifié le » : ligne "
              "introuvable (N° dossier = DEL-2026-0303) : elle a été supprimée ou ses valeurs ont changé",),
         after=(notified_rows(2, 4),)),
    Case("removed_before_writeback", "registre supprimé entre la lecture et le report", lambda f: register(f, APPLICATIONS),
         check=(), check_exit=0, run_exit=1, watch=NOTHING, between=_removed,
         run=(f"✗ Report dans le registre impossible : {NAME} introuvable pour l'écriture du suivi : le classeur a "
              "été déplacé, renommé ou supprimé depuis sa lecture ; le report attend qu'il soit remis à sa place.",)),
    Case("encrypted_before_writeback", "registre remplacé par un classeur protégé avant le report",
         lambda f: register(f, APPLICATIONS), check=(), check_exit=0, run_exit=1, watch=NOTHING,
         between=_encrypted_meanwhile,
         run=(f"✗ Report dans le registre impossible : {NAME} illisible pour l'écriture du suivi : fichier illisible "
              "(classeur protégé par un mot de passe à l'ouverture) : enregistrez-le sans mot de passe (Fichier > "
              "Informations > Protéger le classeur > Chiffrer avec mot de passe).",)),
]
