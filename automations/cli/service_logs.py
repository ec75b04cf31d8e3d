"""Logs of the service: one line per action with its key (never an applicant's name), rotated by day or size."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from ..invisible import printable
from ..settings.model import ServeSettings

FILE_NAME = "commissions.log"
# what a reader of the console or of the file sees instead of Python's English level names
LEVELS = {logging.DEBUG: "détail", logging.INFO: "info", logging.WARNING: "attention", logging.ERROR: "erreur",
          logging.CRITICAL: "erreur grave"}


class FrenchFormatter(logging.Formatter):
    """``attention : …`` on the console, ``2026-11-23 07:30:00 info : …`` in the file; no module names."""

    def __init__(self, dated: bool) -> None:
        super().__init__("%(asctime)s %(level_fr)s : %(message)s" if dated else "%(level_fr)s : %(message)s",
                         datefmt="%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        record.level_fr = LEVELS.get(record.levelno, "info")
        # a message may quote a register or a server's answer: its escape sequences are shown, not obeyed
        return printable(super().format(record))


def configure_console(verbose: bool) -> None:
    """Before the configuration is read: the console only, in French."""
    root = _bare_root()
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console = logging.StreamHandler()
    console.setFormatter(FrenchFormatter(dated=False))
    root.addHandler(console)


def _bare_root() -> logging.Logger:
    root = logging.getLogger()
    for handler in list(root.handlers):  # this program owns the root logger: no handler twice
        root.removeHandler(handler)
        handler.close()
    return root


def configure(settings: ServeSettings, verbose: bool) -> Path | None:
    """Console at WARNING (DEBUG with --verbose); the rotated file, when configured, at INFO (or DEBUG)."""
    root = _bare_root()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    handlers: list[logging.Handler] = [console]
    target = None
    if settings.logs is not None:
        settings.logs.mkdir(parents=True, exist_ok=True)
        target = settings.logs / FILE_NAME
        if settings.log_rotation == "taille":
            handlers.append(logging.handlers.RotatingFileHandler(
                target, maxBytes=settings.log_max_mb * 1024 * 1024, backupCount=settings.log_keep, encoding="utf-8"))
        else:
            handlers.append(logging.handlers.TimedRotatingFileHandler(
                target, when="midnight", backupCount=settings.log_keep, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(FrenchFormatter(dated=handler is not console))
        root.addHandler(handler)
    return target
