"""Write-back and the file system: a register behind a symbolic link, a read-only workbook, a folder that refuses
new files. Nothing is overwritten that staff protected, and a link stays a link."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from automations.errors import UserError
from automations.registers.backups import backups_of
from automations.registers.writeback import apply_writes

from .test_writeback import NOW, build, write

WRITE = write(5, "Commission A", date(2026, 12, 2), "Invitations envoyées le", date(2026, 11, 23))


def _filled(path: Path) -> object:
    return openpyxl.load_workbook(path)["Planning 2026"]["F5"].value


def test_a_linked_register_is_written_through_its_link_which_stays_a_link(tmp_path: Path) -> None:
    shared = tmp_path / "partage" / "Planning secrétariat.xlsx"
    shared.parent.mkdir()
    build(shared)
    link = tmp_path / "registres" / "Planning 2026.xlsx"
    link.parent.mkdir()
    link.symlink_to(shared)
    backups = tmp_path / "sauvegardes"

    outcome = apply_writes(link, [WRITE], backup_dir=backups, now=NOW)

    assert outcome.written == [WRITE]
    assert link.is_symlink() and link.resolve() == shared.resolve()
    assert _filled(shared) is not None  # the workbook staff open from the share holds the date
    assert [p.name for p in backups_of(backups, shared)] == ["Planning secrétariat.20261123-073000.xlsx"]
    assert _filled(backups_of(backups, shared)[0]) is None  # the copy is the workbook before the write
    assert sorted(p.name for p in shared.parent.iterdir()) == ["Planning secrétariat.xlsx"]  # no temp left
    assert sorted(p.name for p in link.parent.iterdir()) == ["Planning 2026.xlsx"]


def test_a_read_only_workbook_is_refused_even_for_root(tmp_path: Path) -> None:
    path = tmp_path / "Planning 2026.xlsx"
    build(path)
    path.chmod(0o444)
    before = path.read_bytes()

    with pytest.raises(UserError) as refused:
        apply_writes(path, [WRITE], backup_dir=tmp_path / "sauvegardes", now=NOW)

    assert refused.value.message == ("« Planning 2026.xlsx » est en lecture seule : le suivi attend le prochain "
                                     "passage ; retirez la lecture seule (Propriétés du fichier, ou chmod u+w).")
    assert path.read_bytes() == before
    assert not (tmp_path / "sauvegardes").exists() or not any((tmp_path / "sauvegardes").iterdir())


def _refused_in_folder(tmp_path: Path, lock: list[str], unlock: list[str]) -> str:
    """The message of a write into a folder made unwritable by ``lock``; the workbook and folder left as they were."""
    folder = tmp_path / "registres"
    folder.mkdir()
    path = folder / "Planning 2026.xlsx"
    build(path)
    before = path.read_bytes()
    subprocess.run([*lock, str(folder)], check=True)
    try:
        with pytest.raises(UserError) as refused:
            apply_writes(path, [WRITE], backup_dir=tmp_path / "sauvegardes", now=NOW)
    finally:
        subprocess.run([*unlock, str(folder)], check=True)
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["Planning 2026.xlsx"]
    backups = tmp_path / "sauvegardes"
    assert not backups.exists() or list(backups.iterdir()) == []  # the copy of an untouched workbook is removed
    return refused.value.message


def test_a_folder_refusing_new_files_is_said_in_french_and_leaves_the_workbook(tmp_path: Path) -> None:
    # an immutable folder refuses even root, as a read-only share does
    message = _refused_in_folder(tmp_path, ["chattr", "+i"], ["chattr", "-i"])

    assert message == (
        "« Planning 2026.xlsx » : l'outil ne peut pas écrire dans le dossier « registres » (Operation not permitted) : "
        "le suivi attend le prochain passage ; donnez au compte du service le droit d'écrire dans ce dossier.")


def test_a_folder_without_write_rights_is_refused_even_for_root(tmp_path: Path) -> None:
    message = _refused_in_folder(tmp_path, ["chmod", "555"], ["chmod", "755"])

    assert message == (
        "« Planning 2026.xlsx » : l'outil ne peut pas écrire dans le dossier « registres » (dossier en lecture seule) : "
        "le suivi attend le prochain passage ; donnez au compte du service le droit d'écrire dans ce dossier.")
