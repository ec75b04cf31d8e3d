"""Run a LibreOffice command and take its whole process tree down when the tool dies.

Started by ``soffice_processes.py`` as a script (standard library only, nothing of the
package), as the leader of a new process group, with a pipe on its standard
input whose other end only the tool holds. ``soffice`` is a launcher whose
``soffice.bin`` child would outlive a killed tool for many seconds; when the
tool dies, however it dies, the kernel closes the pipe, this guard reads the
end of it and kills its own group: the launcher, ``soffice.bin`` and itself.

Usage: python soffice_guard.py <command> [arguments...]; exits with the command's code, or
NOT_STARTED when it could not be started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

NOT_STARTED = 127  # as a shell says a command it could not run


def _watch_parent() -> None:
    # nothing is ever written: read() returns b"" only once every writer is gone
    while os.read(0, 4096):
        pass
    if os.getpgrp() == os.getpid():  # only the group it leads: never the caller's, if started without one
        os.killpg(0, signal.SIGKILL)


def main(command: list[str]) -> int:
    try:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    except OSError:
        return NOT_STARTED
    threading.Thread(target=_watch_parent, daemon=True).start()
    code = child.wait()
    return 128 - code if code < 0 else code  # killed by signal n: 128 + n, as a shell says it


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
