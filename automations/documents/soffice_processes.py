"""LibreOffice processes of a conversion: started under the guard, killed with their whole tree.

On Linux and macOS each LibreOffice is started through ``soffice_guard.py``,
as the leader of a process group of its own, with a pipe on its standard input
that only the tool holds: when the tool dies, even by SIGKILL, the guard kills
LibreOffice. On Windows it gets a process group of its own, killed with
``taskkill /T``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from .soffice_guard import NOT_STARTED

_GUARD = Path(__file__).with_name("soffice_guard.py")


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start ``command`` (LibreOffice and its arguments) in a process group of its own; OSError if it cannot."""
    # no output pipes a stray child could hold open
    group = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)  # Windows only
    if not group:
        command = [sys.executable, "-I", "-S", str(_GUARD), *command]
    return subprocess.Popen(command, stdin=subprocess.PIPE if not group else subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            start_new_session=not group, creationflags=group)


def never_started(process: subprocess.Popen[bytes]) -> bool:
    """Whether the guard said it could not start LibreOffice."""
    return process.returncode == NOT_STARTED and process.args[0] == sys.executable  # type: ignore[index]


def release(process: subprocess.Popen[bytes]) -> None:
    """Close the guard's pipe once LibreOffice is done with."""
    if process.stdin:
        process.stdin.close()


def kill_tree(process: subprocess.Popen[bytes]) -> None:
    """Kill ``process`` and everything it started, and wait until they are gone."""
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


def remove_stale_pipes() -> None:
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
