"""Turn Word documents into PDF with LibreOffice headless, one process per core for a batch.

Each PDF is written next to its document (same stem, ``.pdf``). The batch is
split into one part per usable core, and each part is converted at the same
time by its own LibreOffice: one process converts documents one after the
other, on one core. Each process runs with its own throw-away profile (so they
never collide with one another nor with a LibreOffice the user has open) and
converts into its own temporary folder: a PDF only reaches its final place,
atomically, once complete.

Profiles and outputs live in one ``pdf-<pid>-…`` folder of the tool's own
temporary folder (``scratch``), a ``soffice-<n>`` folder per process: a
conversion killed outright leaves it behind, and the next conversion removes
it. On Linux and macOS each LibreOffice runs under ``soffice_guard.py``, which
kills it as soon as the tool dies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import scratch as scratch_folders
from ..errors import UserError
from .soffice_processes import kill_tree, never_started, release, remove_stale_pipes, start

# the import filter is forced: otherwise LibreOffice opens a damaged .docx as plain text
WORD_FILTER = "MS Word 2007 XML"
_WATCH_SECONDS = 0.5  # how often a running conversion counts its PDFs
_POLL_SECONDS = 0.05  # how often it looks whether a process has ended, to start the next or finish
# each LibreOffice holds a few hundred MB: past a handful of processes, memory runs out before time is won
MAX_PROCESSES = 8


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


def usable_cores() -> int:
    """The processors this process may run on (its affinity on Linux), else those of the machine."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # Windows, macOS
        return os.cpu_count() or 1


def process_count(documents: int, limit: int = 0) -> int:
    """How many LibreOffice processes convert ``documents`` at once: one per core, at most ``limit`` when it
    is given (``[documents] pdf_processes``), else at most MAX_PROCESSES."""
    return max(1, min(usable_cores(), documents, limit or MAX_PROCESSES))


def convert_to_pdf(documents: Sequence[Path], libreoffice: str = "", timeout: float = 900,
                   progress: Callable[[int], None] | None = None,
                   scratch: Path | None = None, processes: int = 0) -> dict[Path, Path]:
    """Convert ``documents`` (.docx) to PDF next to each one; returns document -> PDF.

    The batch is split into as many parts as there are usable cores (at most
    ``processes`` when it is given, and MAX_PROCESSES), each converted at the
    same time by its own LibreOffice with its own profile; documents from
    different folders that share a name go to different parts. ``timeout``
    bounds the whole batch; ``progress`` is told how many PDFs are done, all
    processes together, while LibreOffice works. ``scratch`` holds the
    temporary folders (the tool's folder in the system's temporary folder by
    default).
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
    slots = process_count(len(unique), processes)
    batch = _Batch(executable, time.monotonic() + timeout, timeout, progress or (lambda done: None))
    try:
        batch.run(_chunks(unique, slots), slots, scratch or scratch_folders.default_root())
    except OSError as exc:  # no temporary folder
        batch.reason(f"dossier temporaire inutilisable : {exc}")
    produced = batch.produced
    result = {doc: doc.with_suffix(".pdf") for doc, source in sources.items() if source in produced}
    missing = [source for source in unique if source not in produced]
    if missing:
        names = [m.name for m in missing]
        shown = names if len(set(names)) == len(names) else [str(m) for m in missing]
        reasons = batch.reasons
        why = f" ({' ; '.join(reasons)})" if reasons else " (document illisible ou endommagé ?)"
        raise PdfFailed(f"Conversion en PDF impossible pour : {', '.join(shown)}{why}.", missing, result)
    return result


def _chunks(sources: list[Path], count: int) -> list[list[Path]]:
    """``sources`` split into ``count`` parts of about the same size, no two documents of a part sharing a name.

    The largest documents are placed first, each into the lightest part free of its name (a file's size
    stands for its pages). Names shared by more than ``count`` documents open further rounds of ``count``
    parts, converted once the first ones are done; the parts come in the order they should start."""
    parts: list[list[Path]] = []
    names: list[set[str]] = []
    weights: list[int] = []
    for source in sorted(sources, key=_size, reverse=True):
        key = _name_key(source)
        free = [i for i in range(len(parts)) if key not in names[i]]
        if not free:  # a new round
            free = list(range(len(parts), len(parts) + count))
            parts += [[] for _ in free]
            names += [set() for _ in free]
            weights += [0 for _ in free]
        first_round = min(i // count for i in free)
        best = min((i for i in free if i // count == first_round), key=lambda i: (weights[i], len(parts[i]), i))
        parts[best].append(source)
        names[best].add(key)
        weights[best] += _size(source)
    order = {source: n for n, source in enumerate(sources)}  # each part converts in the caller's order
    return [sorted(part, key=order.__getitem__) for part in parts if part]


def _name_key(source: Path) -> str:
    return source.stem.casefold()  # Windows and macOS folders ignore case


def _size(source: Path) -> int:
    try:
        return source.stat().st_size
    except OSError:  # LibreOffice will say it cannot read it
        return 0


@dataclass
class _Job:
    """One LibreOffice process: its documents and its own folder (profile, output, temporary files)."""

    sources: list[Path]
    folder: Path
    process: subprocess.Popen[bytes] | None = None
    killed: bool = False  # by the batch's deadline

    @property
    def outdir(self) -> Path:
        return self.folder / "out"

    def pdfs_written(self) -> int:
        return sum(1 for _ in self.outdir.glob("*.pdf"))


class _Batch:
    """The processes of one conversion, started together and watched from this thread alone."""

    def __init__(self, executable: Path, deadline: float, timeout: float, progress: Callable[[int], None]) -> None:
        self.executable, self.deadline, self.timeout, self.progress = executable, deadline, timeout, progress
        self.produced: set[Path] = set()
        self.reasons: list[str] = []
        self._told = 0

    def reason(self, text: str) -> None:
        if text and text not in self.reasons:
            self.reasons.append(text)

    def run(self, chunks: list[list[Path]], slots: int, root: Path) -> None:
        folder = scratch_folders.make_folder(root, "pdf")
        remove_stale_pipes()
        waiting = [_Job(chunk, folder / f"soffice-{n}") for n, chunk in enumerate(chunks, 1)]
        running: list[_Job] = []
        try:
            self._convert(waiting, running, slots)
        except BaseException:  # Ctrl-C: their own groups do not get the signal
            for job in running:
                _kill(job)
            raise
        finally:
            for job in running:
                _close(job)
            shutil.rmtree(folder, ignore_errors=True)

    def _convert(self, waiting: list[_Job], running: list[_Job], slots: int) -> None:
        look = time.monotonic()
        while waiting or running:
            while waiting and len(running) < slots and time.monotonic() < self.deadline:
                job = waiting.pop(0)
                self.reason(_start(self.executable, job))
                if job.process is not None:
                    running.append(job)
            late = time.monotonic() >= self.deadline
            if late:  # the whole batch's time is up: every process still running is killed
                for job in running:
                    if job.process is not None and job.process.poll() is None:
                        _kill(job)
            ended = [job for job in running if job.process is not None and job.process.poll() is not None]
            for job in ended:
                running.remove(job)
                _close(job)
                self.reason(_exit_reason(job, self.timeout))
                self._install(job)  # a part's PDFs are in place as soon as its process is done
            if late:
                if waiting:
                    self.reason(_late(self.timeout))
                return
            # LibreOffice writes each PDF as it goes: their count is the batch's progress
            if ended or time.monotonic() >= look:
                self._tell(len(self.produced) + sum(job.pdfs_written() for job in running))
                look = time.monotonic() + _WATCH_SECONDS
            if running:
                time.sleep(min(_POLL_SECONDS, max(0.0, self.deadline - time.monotonic())))

    def _install(self, job: _Job) -> None:
        for source in job.sources:
            pdf = job.outdir / f"{source.stem}.pdf"
            if _complete(pdf):
                try:
                    _install(pdf, source.with_suffix(".pdf"))
                    self.produced.add(source)
                except OSError as exc:
                    self.reason(f"PDF impossible à enregistrer : {exc}")

    def _tell(self, done: int) -> None:
        if done > self._told:  # a PDF seen half-written and then dropped never takes the count back
            self._told = done
        self.progress(self._told)


def _late(timeout: float) -> str:
    return f"LibreOffice n'a pas terminé en {timeout:g} s"


def _start(executable: Path, job: _Job) -> str:
    """Start LibreOffice on ``job``'s documents; returns a French reason when it could not be started."""
    profile, temp = job.folder / "profile", job.folder / "tmp"
    temp.mkdir(parents=True)
    command = [str(executable), "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
               f"-env:UserInstallation={profile.as_uri()}", f"--infilter={WORD_FILTER}",
               "--convert-to", "pdf", "--outdir", str(job.outdir), *(s.as_uri() for s in job.sources)]
    # LibreOffice's own temporary files go with the rest, not into the system's temporary folder
    env = {**os.environ, "TMPDIR": str(temp), "TMP": str(temp), "TEMP": str(temp)}
    try:
        job.process = start(command, env)
    except OSError as exc:
        return f"LibreOffice n'a pas pu être lancé : {exc}"
    return ""


def _exit_reason(job: _Job, timeout: float) -> str:
    assert job.process is not None
    if job.killed:
        return _late(timeout)
    if never_started(job.process):
        return "LibreOffice n'a pas pu être lancé"
    code = job.process.returncode
    return f"LibreOffice s'est arrêté avec le code {code}" if code else ""


def _kill(job: _Job) -> None:
    if job.process is not None:
        job.killed = True
        kill_tree(job.process)


def _close(job: _Job) -> None:
    if job.process is not None:
        release(job.process)


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
