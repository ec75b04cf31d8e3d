"""A conversion killed outright (SIGKILL of the tool) leaves no LibreOffice running and no profile behind,
however many LibreOffice processes it had started."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from automations.documents.pdf import convert_to_pdf

from ..conftest import NOUMEA, PROJECT, child_env
from .test_pdf import TITLE, cores, make_docx

MOMENT = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)
CONVERT = """
import sys
from pathlib import Path
from automations.documents.pdf import convert_to_pdf
convert_to_pdf([Path(p) for p in sys.argv[2:]], scratch=Path(sys.argv[1]))
"""


def stat_fields(pid: int) -> list[str] | None:
    """state, ppid, pgrp... of a process, or None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def running(pid: int) -> bool:
    fields = stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")  # a zombie holds nothing


def descendants(root: int) -> dict[int, str]:
    """Every process below ``root``, with its command name."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = stat_fields(int(stat.parent.name))
        if fields:
            parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    names = {}
    for pid in found:
        try:
            names[pid] = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            pass
    return names


def stale_pipes() -> set[Path]:
    """LibreOffice's sockets in /tmp (always there, whatever TMPDIR says) that nobody listens on."""
    stale = set()
    for pipe in Path("/tmp").glob(f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_*"):
        try:
            with socket.socket(socket.AF_UNIX) as probe:
                probe.connect(str(pipe))
        except ConnectionRefusedError:
            stale.add(pipe)
        except OSError:
            pass
    return stale


def killed_listener() -> Path:
    """The socket a LibreOffice killed while listening leaves in /tmp: bound, then its owner gone."""
    pipe = Path("/tmp") / f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_{os.urandom(16).hex()}"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(pipe))
    listener.listen()
    listener.close()
    return pipe


def poll(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def long_document(path: Path) -> Path:
    """Enough pages that LibreOffice is still converting for many seconds."""
    return make_docx(path, [f"{TITLE} – page {n}. " + "Texte de la demande d'aide examinée. " * 120
                            for n in range(1, 400)])


def holding(folder: Path) -> list[str]:
    """The processes whose command line names something in ``folder``."""
    alive = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(folder).encode() in cmdline.read_bytes() and running(int(cmdline.parent.name)):
                alive.append(cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            pass
    return alive


def test_killed_conversion_leaves_no_libreoffice_and_next_one_sweeps(tmp_path: Path) -> None:
    scratch = tmp_path / "temporaire"
    stale_before = stale_pipes()
    documents = [long_document(tmp_path / "docs" / f"Dossier {n}.docx") for n in (1, 2)]
    processes = min(cores(), 2)
    child = subprocess.Popen([sys.executable, "-c", CONVERT, str(scratch), *map(str, documents)], cwd=PROJECT,
                             env=child_env(MOMENT))
    try:
        # mid-conversion: a soffice.bin per core runs, each writing its own profile in the tool's folder
        assert poll(lambda: list(descendants(child.pid).values()).count("soffice.bin") == processes
                    and len(list(scratch.glob("pdf-*/soffice-*/profile/user"))) == processes
                    and len(list(scratch.glob("pdf-*/soffice-*/tmp/*"))) >= processes, 60)  # their temporary files
        tree = descendants(child.pid)  # per process: the guard, the soffice launcher (oosplash) and soffice.bin
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        survivors = lambda: [f"{pid} {name}" for pid, name in tree.items() if running(pid)]
        assert poll(lambda: not survivors(), 3), survivors()
    finally:
        child.kill()
        child.wait()
    assert holding(tmp_path) == []
    left = [p.name for p in scratch.iterdir()]
    assert len(left) == 1 and left[0].startswith(f"pdf-{child.pid}-")  # a SIGKILL cannot clean up
    assert len(list(scratch.glob("pdf-*/soffice-*/profile"))) == processes
    assert not any(document.with_suffix(".pdf").exists() for document in documents)
    # LibreOffice restarts itself once on a new profile, removing its socket and opening it again,
    # so whether the kill left one depends on the instant: one killed for sure is added beside it
    left_pipes = stale_pipes() - stale_before | {killed_listener()}

    small = make_docx(tmp_path / "docs" / "Convocation.docx", ["Convocation à la séance du 2 décembre"])
    assert convert_to_pdf([small], scratch=scratch) == {small: small.with_suffix(".pdf")}
    assert list(scratch.iterdir()) == []
    assert not any(pipe.exists() for pipe in left_pipes)


def test_folders_of_running_processes_are_kept(tmp_path: Path) -> None:
    scratch = tmp_path / "temporaire"
    scratch.mkdir(mode=0o700)
    other = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        mine = scratch / f"pdf-{os.getpid()}-enCours"
        theirs = scratch / f"pdf-{other.pid}-enCours"
        lookalike = scratch / "pdf-dossier-du-personnel"
        for folder in (mine, theirs, lookalike):
            (folder / "profile").mkdir(parents=True)
        document = make_docx(tmp_path / "Convocation.docx", [TITLE])
        convert_to_pdf([document], scratch=scratch)
        assert sorted(p.name for p in scratch.iterdir()) == sorted([mine.name, theirs.name, lookalike.name])
    finally:
        other.stdin.close()  # type: ignore[union-attr]
        other.wait()


def test_a_temporary_folder_of_another_account_is_refused(tmp_path: Path) -> None:
    scratch = tmp_path / "temporaire"
    scratch.mkdir(mode=0o777)
    scratch.chmod(0o777)  # as if another account had made it first, open to all
    document = make_docx(tmp_path / "Convocation.docx", [TITLE])
    with pytest.raises(Exception, match=r"dossier temporaire inutilisable : .*ouvert aux autres comptes"):
        convert_to_pdf([document], scratch=scratch)
    assert list(scratch.iterdir()) == []
