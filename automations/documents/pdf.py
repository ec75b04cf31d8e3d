"""Turn Word documents into PDF with LibreOffice headless, one process per batch.

Each PDF is written next to its document (same stem, ``.pdf``). LibreOffice
runs with a throw-away profile, so it never collides with a LibreOffice the
user has open, and converts into a temporary folder: a PDF only reaches its
final place, atomically, once complete.

Profile and output live in a ``pdf-<pid>-…`` folder of the tool's own
temporary folder (``scratch``): a conversion killed outright leaves it behind,
and the next conversion removes it. On Linux and macOS LibreOffice runs under
``soffice_guard.py``, which kills it as soon as the tool dies.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .. import scratch as scratch_folders
from ..errors import UserError
from .soffice_guard import NOT_STARTED

# the import filter is forced: otherwise LibreOffice opens a damaged .docx as plain text
WORD_FILTER = "MS Word 2007 XML"
_WATCH_SECONDS = 0.5  # how often a running conversion counts its PDFs
_GUARD = Path(__file__).with_name("soffice_guard.py")


class PdfUnavailable(UserError):
    """LibreOffice cannot be found: no PDF at all."""


class PdfFailed(UserError):
    """Some documents have no PDF; the others are in place."""

    def __init__(self, message: str, missing: Sequence[Path] = (), produced: dict[Path, Path] | None = None) -> None:
        super().__init__(message)
        self.missing = list(missing)
        self.produced = dict(produced or {})


def find_libreoffice(configured: str = "") -> Path | None:
    """The configured executable if it exists, else soffice/libreoffice on PATH, else the usual Windows place."""
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_file() else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    if sys.platform == "win32":
        for root in (os.environ.get("ProgramFiles", r"C:\Program Files"), os.environ.get("ProgramFiles(x86)")):
            if root and Path(root, "LibreOffice", "program", "soffice.exe").is_file():
                return Path(root, "LibreOffice", "program", "soffice.exe")
    return None


def unavailable_message(libreoffice: str = "") -> str:
    where = f" (chemin indiqué : {libreoffice})" if libreoffice else ""
    return (f"LibreOffice est introuvable{where} : les PDF ne peuvent pas être produits (les documents Word "
            "sont envoyés quand même). Installez LibreOffice (paquet Debian libreoffice-writer) ou indiquez "
            "son chemin dans [documents] libreoffice.")


def convert_to_pdf(documents: Sequence[Path], libreoffice: str = "", timeout: float = 900,
                   progress: Callable[[int], None] | None = None,
                   scratch: Path | None = None) -> dict[Path, Path]:
    """Convert ``documents`` (.docx) to PDF next to each one; returns document -> PDF.

    One LibreOffice process converts the whole batch, or one per group when
    documents from different folders share a name. ``timeout`` bounds the batch;
    ``progress`` is told how many PDFs are done while LibreOffice works.
    ``scratch`` holds the temporary folders (the tool's folder in the system's
    temporary folder by default).
    Raises PdfUnavailable without LibreOffice, PdfFailed naming the documents
    left without a PDF (those produced are in place, see ``PdfFailed.produced``).
    """
    if not documents:
        return {}
    executable = find_libreoffice(libreoffice)
    if executable is None:
        raise PdfUnavailable(unavailable_message(libreoffice))
    sources = {doc: Path(os.path.abspath(doc)) for doc in documents}
    unique = list(dict.fromkeys(sources.values()))
    deadline = time.monotonic() + timeout
    produced: set[Path] = set()
    reasons: list[str] = []
    root = scratch or scratch_folders.default_root()
    for group in _groups(unique):
        try:
            found = _convert_group(executable, group, root, deadline - time.monotonic(), timeout, produced,
                                   lambda done: (progress(len(produced) + done) if progress else None))
        except OSError as exc:  # no temporary folder
            found = [f"dossier temporaire inutilisable : {exc}"]
        for reason in found:
            if reason not in reasons:
                reasons.append(reason)
    result = {doc: doc.with_suffix(".pdf") for doc, source in sources.items() if source in produced}
    missing = [source for source in unique if source not in produced]
    if missing:
        names = [m.name for m in missing]
        shown = names if len(set(names)) == len(names) else [str(m) for m in missing]
        why = f" ({' ; '.join(reasons)})" if reasons else " (document illisible ou endommagé ?)"
        raise PdfFailed(f"Conversion en PDF impossible pour : {', '.join(shown)}{why}.", missing, result)
    return result


def _groups(sources: list[Path]) -> list[list[Path]]:
    """The fewest groups in which no two documents share a name (LibreOffice writes into one folder)."""
    groups: list[list[Path]] = []
    seen: dict[str, int] = {}
    for source in sources:
        key = source.stem.casefold()  # Windows and macOS folders ignore case
        index = seen.get(key, 0)
        seen[key] = index + 1
        if index == len(groups):
            groups.append([])
        groups[index].append(source)
    return groups


def _convert_group(executable: Path, group: list[Path], root: Path, remaining: float, timeout: float,
                   produced: set[Path], progress: Callable[[int], None]) -> list[str]:
    """Convert one group and move its PDFs into place; returns why some may be missing, if known."""
    folder = scratch_folders.make_folder(root, "pdf")
    _remove_stale_pipes()
    try:
        outdir, profile, temp = folder / "out", folder / "profile", folder / "tmp"
        temp.mkdir()
        reasons: list[str] = []
        if remaining <= 0:
            reasons.append(f"LibreOffice n'a pas terminé en {timeout:g} s")
        else:
            command = [str(executable), "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                       f"-env:UserInstallation={profile.as_uri()}", f"--infilter={WORD_FILTER}",
                       "--convert-to", "pdf", "--outdir", str(outdir), *(s.as_uri() for s in group)]
            # LibreOffice writes each PDF as it goes: their count is the batch's progress
            # LibreOffice's own temporary files go with the rest, not into the system's temporary folder
            env = {**os.environ, "TMPDIR": str(temp), "TMP": str(temp), "TEMP": str(temp)}
            reason = _run(command, env, remaining, timeout,
                          lambda: progress(sum(1 for _ in outdir.glob("*.pdf"))))
            if reason:
                reasons.append(reason)
        for source in group:
            pdf = outdir / f"{source.stem}.pdf"
            if _complete(pdf):
                try:
                    _install(pdf, source.with_suffix(".pdf"))
                    produced.add(source)
                except OSError as exc:
                    reasons.append(f"PDF impossible à enregistrer : {exc}")
        return reasons
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(command: list[str], env: dict[str, str], remaining: float, timeout: float,
         watch: Callable[[], None] = lambda: None) -> str:
    """Run LibreOffice, killing its whole process tree on timeout; returns a French reason or "".

    ``watch`` is called about twice a second while it runs, and once when it is done."""
    # its own process group, so that the whole tree can be killed; no output pipes a stray child could
    # hold open. Outside Windows the guard's stdin is a pipe only this process writes to: when it dies,
    # even by SIGKILL, the guard sees the pipe close and kills LibreOffice
    group = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)  # Windows only
    if not group:
        command = [sys.executable, "-I", "-S", str(_GUARD), *command]
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE if not group else subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                   start_new_session=not group, creationflags=group)
    except OSError as exc:
        return f"LibreOffice n'a pas pu être lancé : {exc}"
    try:
        return _wait(process, remaining, timeout, watch)
    finally:
        if process.stdin:
            process.stdin.close()


def _wait(process: subprocess.Popen[bytes], remaining: float, timeout: float, watch: Callable[[], None]) -> str:
    deadline = time.monotonic() + remaining
    try:
        while True:
            try:
                code = process.wait(timeout=max(0.0, min(_WATCH_SECONDS, deadline - time.monotonic())))
                watch()  # the last PDFs, written since the previous look
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    raise
                watch()
    except subprocess.TimeoutExpired:
        _kill(process)
        return f"LibreOffice n'a pas terminé en {timeout:g} s"
    except BaseException:  # Ctrl-C: its own group does not get the signal
        _kill(process)
        raise
    if code == NOT_STARTED and process.args[0] == sys.executable:
        return "LibreOffice n'a pas pu être lancé"
    return f"LibreOffice s'est arrêté avec le code {code}" if code else ""


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        if sys.platform == "win32":
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True, check=False)
        else:
            os.killpg(process.pid, signal.SIGKILL)  # soffice is a launcher: soffice.bin is its child
    except OSError:
        pass
    process.kill()
    process.wait()
    if sys.platform != "win32":
        _await_group_end(process.pid)


def _await_group_end(group: int, seconds: float = 5.0) -> None:
    """SIGKILL is delivered, not yet acted on: soffice.bin may still hold the document for a moment,
    so the caller waits until the group is gone (a zombie left for init to reap holds nothing)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except OSError:
            return
        if all(_is_zombie(pid) for pid in _members(group)):
            return
        time.sleep(0.05)


def _members(group: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # the fields after the command's closing parenthesis: state, ppid, pgrp
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group:
            found.append(int(stat.parent.name))
    return found


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True


def _remove_stale_pipes() -> None:
    """Remove the sockets killed LibreOffice processes of this account left in /tmp.

    LibreOffice listens on ``/tmp/OSL_PIPE_<uid>_SingleOfficeIPC_<hash of the profile>`` whatever
    TMPDIR says, and only removes it when it ends normally: one per killed conversion would pile up.
    A socket nobody listens on any more refuses connections; a running LibreOffice's is kept."""
    if not hasattr(os, "getuid"):  # Windows: named pipes vanish with their process
        return
    for pipe in Path("/tmp").glob(f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_*"):
        try:
            if pipe.is_symlink() or not pipe.is_socket() or pipe.stat().st_uid != os.getuid():
                continue
            with socket.socket(socket.AF_UNIX) as probe:
                probe.settimeout(1)
                probe.connect(str(pipe))
        except ConnectionRefusedError:
            pipe.unlink(missing_ok=True)
        except OSError:
            continue


def _complete(pdf: Path) -> bool:
    """A whole PDF: the header at the start, the end-of-file marker at the end."""
    try:
        with pdf.open("rb") as stream:
            if stream.read(5) != b"%PDF-":
                return False
            stream.seek(max(0, pdf.stat().st_size - 1024))
            return b"%%EOF" in stream.read()
    except OSError:
        return False


def _install(pdf: Path, target: Path) -> None:
    """Move ``pdf`` to ``target`` atomically, through a hidden copy when another file system is in between."""
    try:
        os.replace(pdf, target)
    except OSError:
        temp = target.with_name(f".{target.name}.tmp")
        try:
            shutil.copyfile(pdf, temp)
            os.replace(temp, target)
        finally:
            temp.unlink(missing_ok=True)
