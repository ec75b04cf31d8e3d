"""Logs of the service: one line per action with its key (never an applicant's name), rotated by day or size."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from .settings.model import ServeSettings

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
FILE_NAME = "commissions.log"


def configure(settings: ServeSettings, verbose: bool) -> Path | None:
    """Console at WARNING (DEBUG with --verbose); the rotated file, when configured, at INFO (or DEBUG)."""
    root = logging.getLogger()
    for handler in list(root.handlers):  # this program owns the root logger: no handler twice
        root.removeHandler(handler)
        handler.close()
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
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    return target
