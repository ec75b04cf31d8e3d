"""Temporary folders and files the tool owns, named after the process that made them.

A process killed outright (SIGKILL, power cut) cannot remove its temporary
files: each of its folders and files carries its PID in its name, and the next
process that works in the same place removes those whose process is gone.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import sys
import tempfile
from pathlib import Path


def default_root() -> Path:
    """The tool's own folder in the system's temporary folder, one per user account."""
    name = "commissions" if sys.platform == "win32" else f"commissions-{os.getuid()}"
    return Path(tempfile.gettempdir()) / name


def owned_root(root: Path) -> Path:
    """``root``, created if needed, refused when it is not a private folder of this user.

    In a shared temporary folder another account could have made the folder
    (or a link) first to read or swap what the tool writes there: OSError then."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(root)
    if not stat.S_ISDIR(info.st_mode):
        raise NotADirectoryError(f"{root} n'est pas un dossier")
    if sys.platform != "win32" and (info.st_uid != os.getuid() or info.st_mode & 0o077):
        raise PermissionError(f"{root} appartient à un autre compte ou est ouvert aux autres comptes")
    return root


def make_folder(root: Path, prefix: str) -> Path:
    """A new folder ``<prefix>-<pid>-<random>`` in ``root``, after removing those of dead processes."""
    owned_root(root)
    sweep(root, prefix)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}-{os.getpid()}-", dir=root))


def make_file(folder: Path, prefix: str, suffix: str) -> tuple[int, Path]:
    """A new file ``<prefix>-<pid>-<random><suffix>`` in ``folder`` (beside the file it will replace, for an
    atomic swap), after removing those of dead processes; returns its open handle and its path."""
    sweep(folder, prefix)
    handle, name = tempfile.mkstemp(prefix=f"{prefix}-{os.getpid()}-", suffix=suffix, dir=folder)
    return handle, Path(name)


def sweep(root: Path, prefix: str) -> list[Path]:
    """Remove the ``<prefix>-<pid>-…`` entries of ``root`` whose process is gone; returns them."""
    pattern = re.compile(re.escape(prefix) + r"-(\d+)-")
    removed = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return []
    for entry in entries:
        found = pattern.match(entry.name)
        if not found or process_alive(int(found.group(1))):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (a reused number keeps a leftover until that process ends too)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return _windows_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another account's process
        return True
    return True


def _windows_alive(pid: int) -> bool:
    # os.kill on Windows would terminate the process: ask the kernel for its exit code instead
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32.OpenProcess.restype = ctypes.c_void_p
    kernel32.GetExitCodeProcess.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_ulong)]
    kernel32.CloseHandle.argtypes = [ctypes.c_void_p]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() == 5  # type: ignore[attr-defined]  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)
