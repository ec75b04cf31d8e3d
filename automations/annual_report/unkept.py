"""Table cells computed from a column the service does not keep: said « non disponible », never shown as 0.

The tables are computed on every application whatever the mapping holds: a
register without « Montant accordé » would show 0 F CFP granted, a figure no
one can tell from a real zero. Each table's columns (or, for the delays, its
rows) name the field they are computed from; their cells are replaced by the
words, and a chart drawn from them is dropped.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .model import Table
from .text import NOT_AVAILABLE

# table key -> (column title pattern, field it is computed from); the first pattern a title matches decides
_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "montants": (("Montant demandé", "amount_asked"), ("Montant|Aides accordées|Évolution", "amount_granted")),
    "fournisseurs": (("Montant accordé", "amount_granted"),),
    "bons": (("Montant", "amount_granted"), ("Bons|Évolution", "voucher_number")),
    # the sessions' planned against held: the planning's status column (held is told by the decisions entered)
    "planifiees": (("Annulées|Reportées|Restées", "status"),),
}
_PLACE_COLUMNS = (("Montant accordé", "amount_granted"),)
# the delays' rows: the label of the row -> the fields its days are computed from
_DELAY_ROWS = {"Du dépôt à la séance": ("filed_on",), "De la séance à la notification": ("notified_on",)}


def mark_unkept(table: Table, kept: frozenset[str] | None) -> Table:
    """``table`` with its cells from a field not in ``kept`` (None: all kept) replaced by « non disponible »."""
    if kept is None:
        return table
    if table.key == "delais":
        rows = tuple(row if all(f in kept for f in _DELAY_ROWS.get(str(row[0]), ())) else
                     (row[0], *(NOT_AVAILABLE for _ in row[1:])) for row in table.rows)
        return replace(table, rows=rows)
    rules = _COLUMNS.get(table.key) or (_PLACE_COLUMNS if table.key.startswith("territoire") else ())
    gone = [i for i, column in enumerate(table.columns) if i > 0 and
            next((f for pattern, f in rules if re.match(pattern, column.title)), None) not in (None, *kept)]
    if not gone:
        return table
    rows = tuple(tuple(NOT_AVAILABLE if i in gone else value for i, value in enumerate(row)) for row in table.rows)
    chart = table.chart if table.chart is None or not set(table.chart.values) & set(gone) else None
    return replace(table, rows=rows, chart=chart)
