"""Sessions planned against sessions held, per committee, for the report's year; and those the tool proposed.

Planned: the planning's rows dated in the year, whatever their status. Each
is then held (« Tenue »), cancelled, postponed, or still « Prévue »: once its
date has passed, a session left « Prévue » was not marked. Like every figure
of the report, none depends on the day it is made. A planning without a status column
holds a session held when a decision of its day is entered (as the report's
other tables count it) and cannot tell a cancelled or postponed one: those
cells say « non disponible », never 0. Proposed: the planned sessions that ``run planning``
wrote into the planning, as the journal records it (``planning/<year>``), and
still at the committee and date it wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd

from ..registers.types import normalize_label
from . import text as annual_text
from .model import Column, Table
from .unkept import mark_unkept

KEY = "planifiees"
UNMARKED = "Restées prévues"
STATES = (("held", "tenue"), ("cancelled", "annulee"), ("postponed", "reportee"))


@dataclass(frozen=True)
class Proposal:
    """What the journal says ``run planning`` wrote into a year's planning."""

    sessions: frozenset[tuple[str, date]]  # (committee as normalize_label gives it, date)
    runs: int  # the writes recorded for the year; only the last one's sessions are kept by the journal


def proposal_of(entries: Mapping[str, Any], year: int) -> Proposal | None:
    """From the planning automation's journal entries; None when the tool never wrote that year's planning."""
    entry = entries.get(f"planning/{year}")
    if entry is None or not entry.delivered:
        return None
    sessions = set()
    for pair in entry.payload.get("sessions", []):
        try:
            sessions.add((normalize_label(str(pair[0])), date.fromisoformat(str(pair[1]))))
        except (IndexError, TypeError, ValueError):
            continue  # an entry of another shape names no session the report can find
    return Proposal(frozenset(sessions), (entry.revision or 0) + 1)


def planned_table(sessions: pd.DataFrame, year: int, status_kept: bool, proposal: Proposal | None) -> Table:
    """``sessions``: the report's sessions (committee, date, status; a planning without status column has its held
    sessions told by their decisions, the others « prevue »)."""
    dates = pd.to_datetime(sessions["date"], errors="coerce")  # an empty frame's column is not yet of dates
    rows = sessions[dates.dt.year == year]
    days = dates[rows.index].dt.date
    status = rows["status"].fillna("").astype(str).str.strip().str.lower().replace("", "prevue")
    counts = pd.DataFrame({"planned": 1, **{name: (status == code).astype(int) for name, code in STATES},
                           "unmarked": (status == "prevue").astype(int)}, index=rows.index)
    columns = [Column("Commission"), Column("Prévues", "int"), Column("Tenues", "int"), Column("Annulées", "int"),
               Column("Reportées", "int"), Column(UNMARKED, "int")]
    if proposal is not None:
        keys = zip(rows["committee"].map(normalize_label), days)
        counts["proposed"] = [int(key in proposal.sessions) for key in keys]
        columns.append(Column("Proposées par l'outil", "int"))
    grouped = counts.groupby(rows["committee"]).sum().sort_index()
    body = [(name, *(int(v) for v in values)) for name, values in zip(grouped.index, grouped.itertuples(index=False))]
    total = ("Total", *(int(v) for v in counts.sum())) if body else ()
    table = Table(KEY, "Séances prévues et tenues", tuple(columns), tuple(body) + ((total,) if total else ()),
                  note=_note(year, proposal), total=bool(body))
    return table if status_kept else _without_status(table)


def _note(year: int, proposal: Proposal | None) -> str:
    note = (f"Prévues : séances de {year} au planning, quel que soit leur statut. Tenues, annulées, reportées : "
            "d'après la colonne de statut du planning ; restées prévues : encore « Prévue », ni tenue, ni annulée, "
            "ni reportée au planning (une séance passée restée « Prévue » n'a pas été marquée).")
    if proposal is not None:
        note += (f" Proposées par l'outil : écrites au planning {year} par la commande « run planning » (d'après "
                 "son journal), à la même commission et à la même date.")
        if proposal.runs > 1:
            note += (f" Le planning a été écrit en {proposal.runs} passages : seules les séances du dernier sont "
                     "comptées.")
    return note


def _without_status(table: Table) -> Table:
    """A planning without a status column: cancelled, postponed and not marked cannot be told."""
    note = table.note + (" Le planning du service n'a pas de colonne de statut : une séance y est tenue dès qu'une "
                         "décision de ce jour est saisie ; les séances annulées ou reportées ne peuvent pas en être "
                         "distinguées des autres.")
    return replace(mark_unkept(table, frozenset()), note=note)


def planned_sentence(table: Table, year: int, status_kept: bool) -> str:
    """The narrative's sentence: planned against held, and what the tool proposed; "" for a year without any."""
    if not table.rows:
        return ""
    total = dict(zip((c.title for c in table.columns), table.rows[-1]))
    planned = int(total["Prévues"])
    sentence = f"Le planning {year} comptait {_count(planned, 'séance prévue', 'séances prévues')}"
    if not status_kept:
        sentence += (f", dont {_count(total['Tenues'], 'tenue', 'tenues')} (une décision de ce jour saisie) ; sans "
                     "colonne de statut au planning, les séances annulées ou reportées n'y sont pas distinguées "
                     f"({annual_text.NOT_AVAILABLE})")
    else:
        parts = [_count(total["Tenues"], "tenue", "tenues"), _count(total["Annulées"], "annulée", "annulées"),
                 _count(total["Reportées"], "reportée", "reportées")]
        if total[UNMARKED]:
            parts.append(_count(total[UNMARKED], "encore « Prévue » au planning", "encore « Prévue » au planning"))
        sentence += " : " + ", ".join(parts[:-1]) + " et " + parts[-1]
    if "Proposées par l'outil" in total:
        proposed = int(total["Proposées par l'outil"])
        sentence += f". L'outil en avait proposé {annual_text.grouped(proposed)} en écrivant le planning"
    return sentence + "."


def _count(value: Any, one: str, many: str) -> str:
    return f"{annual_text.grouped(int(value))}{annual_text.NBSP}{annual_text.plural(int(value), one, many)}"
