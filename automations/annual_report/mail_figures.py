"""The annual report's figures on incoming mail: who writes to the service, and how soon it answers.

A mail counts in the year it arrived. It is answered when a « Courrier départ »
row cites its number (its « V/Réf » or its subject, compared as the digest does);
the time to answer runs from the day it arrived to the earliest such row, in
whole days. An answer dated before the mail it answers is a typing error: the
mail counts as answered, its delay is left out of the mean and the median.
Without an outgoing-mail register no answer can be seen: the answer figures are
« non disponible », never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .model import Column, Table
from .text import NBSP, NOT_AVAILABLE, NOT_KEPT, grouped, plural
from ..digest.mail_answers import first_answers, normal_number
from ..digest.mail_facts import shown_sender

TOP_SENDERS = 10
OTHERS = "Autres"
UNFILLED = "Non renseigné"
# key figures (and their labels in the workbook's summary); None when the mail register is not kept
ANSWER_FIGURES = {
    "mail_answered": "Courriers arrivés ayant reçu une réponse",
    "mail_unanswered": "Courriers arrivés sans réponse",
    "mean_days_to_answer": "Délai moyen de réponse au courrier (jours)",
    "median_days_to_answer": "Délai médian de réponse au courrier (jours)",
}


@dataclass(frozen=True)
class MailAnswers:
    received: int
    answered: int | None  # None: no outgoing-mail register to find an answer in
    mean_days: float | None
    median_days: float | None

    @property
    def unanswered(self) -> int | None:
        return None if self.answered is None else self.received - self.answered


@dataclass(frozen=True)
class AnswerIndex:
    """Every incoming mail's day, whether it was answered, and in how many days: computed once for all years."""

    received: pd.Series  # the day each mail arrived (NaT when undated)
    answered: pd.Series | None  # None: no outgoing-mail register
    days: pd.Series  # whole days to the first answer; NaN when none, undated, or dated before the mail

    def of(self, year: int) -> MailAnswers:
        mask = self.received.dt.year == year
        if self.answered is None:
            return MailAnswers(int(mask.sum()), None, None, None)
        days = self.days[mask].dropna()
        return MailAnswers(int(mask.sum()), int(self.answered[mask].sum()),
                           round(float(days.mean()), 1) if len(days) else None,
                           round(float(days.median()), 1) if len(days) else None)


def answer_index(mail_in: pd.DataFrame, mail_out: pd.DataFrame | None) -> AnswerIndex:
    received = pd.to_datetime(mail_in["date"], errors="coerce").dt.normalize()
    if mail_out is None:
        return AnswerIndex(received, None, pd.Series(float("nan"), index=mail_in.index))
    out_dates = pd.to_datetime(mail_out["date"], errors="coerce").dt.date
    first = first_answers(zip((None if pd.isna(d) else d for d in out_dates), _column(mail_out, "reference"),
                              _column(mail_out, "subject")))
    numbers = pd.Series(_column(mail_in, "number"), index=mail_in.index).map(normal_number)
    answered = numbers.isin(list(first))
    answered_on = pd.to_datetime(numbers.map(lambda n: first.get(n)), errors="coerce")
    days = (answered_on - received).dt.days.astype(float)
    return AnswerIndex(received, answered, days.where(days >= 0))


def _column(frame: pd.DataFrame, name: str) -> list[str]:
    if name not in frame:
        return [""] * len(frame)
    return frame[name].fillna("").astype(str).tolist()


def answer_figures(index: AnswerIndex | None, year: int) -> dict[str, Any]:
    if index is None:
        return {name: None for name in ANSWER_FIGURES}
    found = index.of(year)
    return {"mail_answered": found.answered, "mail_unanswered": found.unanswered,
            "mean_days_to_answer": found.mean_days, "median_days_to_answer": found.median_days}


def sender_table(mail_in: pd.DataFrame, year: int, sender_kept: bool) -> Table:
    """The incoming mail of the year by sender: the ten who wrote most, then « Autres », then the total."""
    received = mail_in[pd.to_datetime(mail_in["date"], errors="coerce").dt.year == year]
    columns = (Column("Expéditeur"), Column("Courriers arrivés", "int"), Column("Part", "percent"))
    total = len(received)
    note = (f"Courriers enregistrés en {year} au registre du courrier arrivé, par expéditeur tel qu'écrit au "
            f"registre (sans adresse e-mail) ; les {TOP_SENDERS} plus fréquents, puis les autres.")
    if not sender_kept:
        return Table("courrier_expediteurs", "Courrier par expéditeur",
                     columns, ((NOT_AVAILABLE, total, 1.0 if total else None),),
                     None, f"{note} Colonne « Expéditeur » non tenue : répartition non disponible.", False)
    # each sender as shown (no address), counted once per distinct spelling, then the same shown names together
    raw = pd.Series(_column(received, "sender"), dtype=object).value_counts()
    counts = raw.groupby(raw.index.map(lambda s: shown_sender(s) or UNFILLED)).sum()
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    rows: list[tuple[Any, ...]] = [(name, int(n), n / total) for name, n in ordered[:TOP_SENDERS]]
    rest = sum(n for _, n in ordered[TOP_SENDERS:])
    if rest:
        rows.append((OTHERS, int(rest), rest / total))
    rows.append(("Total", total, 1.0 if total else None))
    return Table("courrier_expediteurs", "Courrier par expéditeur", columns, tuple(rows), None, note, True)


def answer_table(index: AnswerIndex, year: int) -> Table:
    found = index.of(year)
    unknown = found.answered is None
    row = (found.received, *((NOT_AVAILABLE,) * 4 if unknown else
                             (found.answered, found.unanswered, found.mean_days, found.median_days)))
    columns = (Column("Courriers arrivés", "int"), Column("Avec réponse", "int"), Column("Sans réponse", "int"),
               Column("Délai moyen (jours)", "days"), Column("Délai médian (jours)", "days"))
    note = (f"Courriers arrivés en {year}. Une réponse est une ligne du courrier départ qui cite le numéro "
            "d'enregistrement (V/Réf ou objet) ; le délai va de la date d'arrivée à celle de la première réponse.")
    if unknown:
        note += f" Courrier départ : {NOT_KEPT}, les réponses ne peuvent pas être comptées."
    return Table("courrier_reponses", "Réponses au courrier", columns, (row,), None, note, False)


def _days(value: float) -> str:
    number = f"{value:.1f}".replace(".", ",").removesuffix(",0")
    return f"{number}{NBSP}{plural(value, 'jour', 'jours')}"


def answer_sentence(index: AnswerIndex | None, year: int) -> str:
    """The report's sentence on answers to the year's incoming mail, « registre non tenu » said as such."""
    if index is None:
        return f"Courrier arrivé{NBSP}: {NOT_KEPT}, délai de réponse non disponible."
    found = index.of(year)
    received = f"{grouped(found.received)}{NBSP}{plural(found.received, 'courrier arrivé', 'courriers arrivés')}"
    if found.answered is None:
        return (f"Sur {received} en {year}, les réponses ne peuvent pas être comptées (courrier départ{NBSP}: "
                f"{NOT_KEPT}) : délai de réponse {NOT_AVAILABLE}.")
    sentence = (f"Sur {received} en {year}, {grouped(found.answered)} "
                f"{plural(found.answered, 'a reçu', 'ont reçu')} une réponse enregistrée au courrier départ et "
                f"{grouped(found.unanswered or 0)} {plural(found.unanswered or 0, 'reste', 'restent')} sans réponse")
    if found.mean_days is None or found.median_days is None:
        return sentence + f" ; délai de réponse {NOT_AVAILABLE}."
    return (sentence + f" ; le délai de réponse est de {_days(found.mean_days)} en moyenne (médiane{NBSP}: "
            f"{_days(found.median_days)}).")
