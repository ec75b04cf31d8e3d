"""The state file ``serve`` keeps up to date, which ``status`` reads: is it alive, and how did each run go.

Written through a temporary file and an atomic replace, so ``status`` never
reads half a file; it holds no personal data.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from ..engine.context import Context
from ..scratch import make_file


@dataclass
class AutomationState:
    last_run: str | None = None  # ISO, service time zone
    outcome: str = ""  # "réussi" | "échec" | "interrompu"
    message: str = ""
    next_run: str | None = None


@dataclass
class Heartbeat:
    pid: int
    started_at: str
    updated_at: str
    tick_seconds: float = 60.0
    automations: dict[str, AutomationState] = field(default_factory=dict)
    stopped_at: str | None = None


def path_of(ctx: Context) -> Path:
    configured = ctx.config.serve.heartbeat
    journal = ctx.config.paths.journal
    return configured or journal.with_name("serve-etat.json")


def write(path: Path, beat: Heartbeat) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = make_file(path.parent, ".serve-etat", ".json")  # a killed writer's copy goes next time
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(asdict(beat), stream, ensure_ascii=False, indent=1)
    os.replace(name, path)


def read(path: Path) -> Heartbeat | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        states = {name: AutomationState(**state) for name, state in raw.pop("automations", {}).items()}
        return Heartbeat(**raw, automations=states)
    except (OSError, ValueError, TypeError):
        return None


def alive(beat: Heartbeat, now: datetime) -> bool:
    """Beating recently, and not stopped: a service killed without a word stops beating.

    A run may last longer than a tick (a batch of letters): ten minutes more are allowed.
    """
    if beat.stopped_at is not None:
        return False
    age = (now - datetime.fromisoformat(beat.updated_at)).total_seconds()
    return age <= 3 * beat.tick_seconds + 600
