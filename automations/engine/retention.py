"""Personal data are not kept forever: journal details and generated documents older than the retention.

With ``[safety] retention_months`` set, each run empties the details of old
journal entries (what a letter said, to whom a meeting went) and removes the
documents generated before the limit. The keys, revisions and fingerprints
stay: what was sent is still never sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from .journal import Journal

PURGED = "(détails effacés : durée de conservation dépassée)"


@dataclass(frozen=True)
class Purged:
    entries: int
    events: int
    documents: int


def purge(journal: Journal, output: Path, months: int, now: datetime) -> Purged:
    if months <= 0:
        return Purged(0, 0, 0)
    cutoff = now - timedelta(days=round(months * 30.44))
    stamp = cutoff.isoformat()
    with journal.transaction() as db:
        entries = db.execute("UPDATE actions SET payload='{}', pending_payload=NULL, last_error=NULL "
                             "WHERE status='done' AND updated_at < ? AND payload != '{}'", (stamp,)).rowcount
        events = db.execute("UPDATE events SET summary=?, external_ref=NULL WHERE at < ? AND summary != ?",
                            (PURGED, stamp, PURGED)).rowcount
        db.execute("DELETE FROM attendance WHERE at < ?", (stamp,))
        db.execute("DELETE FROM alerts WHERE raised_at < ? AND key IN "
                   "(SELECT key FROM actions WHERE revision IS NOT NULL)", (stamp,))
        db.execute("UPDATE writebacks SET cell='{}' WHERE status != 'pending' AND created_at < ?", (stamp,))
    documents = 0
    if output.is_dir():
        limit = cutoff.timestamp()
        for path in sorted(output.rglob("*"), reverse=True):  # files before their folders
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                documents += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return Purged(entries, events, documents)
