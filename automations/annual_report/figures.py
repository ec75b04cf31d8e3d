"""The annual activity report's figures: the registers' DataFrames in, final tables out.

``build_report`` is pure and vectorised: every figure is a selection or a
group-by over all the rows at once, so five busy years take a fraction of a
second. A row belongs to the year of the date that matters for the figure:
filing for applications received, the session for what the committees did
(examined, decided, granted, vouchers, suppliers), its own date for a session
or a mail. A row whose needed date is empty is left out of that figure only.
Each category table carries its total row, grouped in the same pass: the
total of a median is the median of all rows, never a sum of medians.

The figures count what the registers say happened, never what the calendar
suggests: an application is examined when its decision is entered or its
session is marked « Tenue »; a session is held when marked so (or, in a
planning without a status column, when one of its applications has a
decision). The same registers give the same report whatever day it is made.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from .mail_figures import ANSWER_FIGURES, answer_figures, answer_index, answer_sentence, answer_table, sender_table
from .model import AnnualData, AnnualReport, Chart, Column, Table
from .planned import Proposal, planned_sentence, planned_table
from .unkept import mark_unkept
from ..domain.words import Words
from ..registers.types import normalize_label

MONTHS = ("Janvier", "Février", "Mars", "Avril", "Mai", "Juin", "Juillet", "Août", "Septembre", "Octobre",
          "Novembre", "Décembre")
# the applications' column each key figure is computed from, when the service may not keep it
NEEDS = {"applications_received": "filed_on", "amount_asked": "amount_asked", "amount_granted": "amount_granted",
         "vouchers_count": "voucher_number", "vouchers_amount": "voucher_number",
         "median_days_to_session": "filed_on", "median_days_to_notification": "notified_on"}
GRANTED = ("accord", "accord_partiel")
PLACES = {"commune": ("Commune", "commune"), "tribe": ("Tribu", "tribu"), "district": ("District", "district")}
UNFILLED = "Non renseigné"
QUANTILE = 0.9

# What the report's narrative may quote, in French; each also comes with ``_previous`` (the year before, 0 or
# None for a service in its first year). ``mail_in`` / ``mail_out`` are None when the mapping has no such register.
KEY_FIGURES = {
    "sessions_held": "Séances tenues",
    "sessions_cancelled": "Séances annulées",
    "sessions_postponed": "Séances reportées",
    "applications_received": "Demandes reçues",
    "applications_examined": "Demandes examinées en séance",
    "applications_decided": "Demandes ayant reçu une décision",
    "accords": "Accords (partiels compris)",
    "partial_accords": "Accords partiels",
    "refusals": "Refus",
    "adjourned": "Ajournements",
    "acceptance_rate": "Taux d'accord",
    "amount_asked": "Montant demandé",
    "amount_granted": "Montant accordé",
    "vouchers_count": "Bons alimentaires émis",
    "vouchers_amount": "Montant des bons alimentaires",
    "median_days_to_session": "Délai médian du dépôt à la séance (jours)",
    "median_days_to_notification": "Délai médian de la séance à la notification (jours)",
    "mail_in": "Courriers arrivés",
    "mail_out": "Courriers départ",
    **ANSWER_FIGURES,
}

_TOTAL = "\uffff"  # the total row's group while grouping: no register cell holds this character alone
_UNDATED = "Les lignes sans date ne sont pas comptées."
_NO_SESSION = "Une demande sans date de séance n'est pas comptée."
_EXAMINED = "c'est-à-dire avec une décision saisie ou dont la séance est marquée « Tenue » au planning"
_HELD = ("Une séance encore « Prévue » n'est pas comptée, même si sa date est passée ; dans un planning sans "
         "colonne de statut, une séance est tenue dès qu'une décision de ce jour est saisie.")


def build_report(data: AnnualData, year: int, service: str, generated_on: date,
                 proposal: Proposal | None = None) -> AnnualReport:
    """``proposal``: what the journal says ``run planning`` wrote into the year's planning, if it did."""
    apps = _applications(data.applications, data.place_columns)
    sessions = _sessions(data.sessions, apps)
    apps["examined"] = apps["decided"] | _in_held_session(apps, sessions)
    mail = {kind: None if frame is None else _dates(frame, "date")
            for kind, frame in (("in", data.mail_in), ("out", data.mail_out))}
    figures = _figures(apps, sessions, mail, year)
    previous = _figures(apps, sessions, mail, year - 1)
    answered = None if data.mail_in is None else answer_index(data.mail_in, data.mail_out)
    figures |= answer_figures(answered, year)
    previous |= answer_figures(answered, year - 1)
    key_figures = figures | {f"{name}_previous": value for name, value in previous.items()}
    status_kept = data.sessions_kept is None or "status" in data.sessions_kept
    planned = planned_table(sessions, year, status_kept, proposal)
    tables = [
        *_session_tables(sessions, year),
        _demand_summary(figures, previous, year),
        _demand_table(apps, year, "scheme", "demandes_dispositif", "Demandes par dispositif", "Dispositif"),
        _demand_table(apps, year, "aid_kind", "demandes_aide", "Demandes par type d'aide", "Type d'aide"),
        _decision_table(figures, previous, year, data.words),
        _amount_table(apps, year),
        # the first place column fills the report's « territoire » slot, whichever it is
        *(_place_table(apps, year, place, "territoire" if i == 0 else f"territoire_{place}")
          for i, place in enumerate(data.place_columns)),
        _delay_table(apps, year),
        _voucher_table(apps, year),
        _supplier_table(apps, year),
    ]
    if mail["in"] is not None or mail["out"] is not None:
        tables.append(_mail_table(mail, year))
    if data.mail_in is not None and answered is not None:
        sender_kept = "sender" in data.mail_in and (data.mail_in_kept is None or "sender" in data.mail_in_kept)
        tables += [sender_table(data.mail_in, year, sender_kept), answer_table(answered, year)]
    tables = [mark_unkept(table, data.kept) for table in tables]
    tables.insert(2, planned)  # after the sessions' tables; marked by the planning's columns, not the applications'
    dated = [apps["filed_year"], apps["year"], sessions["year"],
             *(dates.dt.year for dates in mail.values() if dates is not None)]
    has_data = any(bool((years == year).any()) for years in dated)
    unavailable = frozenset(name for name, column in NEEDS.items() if data.kept is not None and column not in data.kept)
    if data.mail_in is None or data.mail_out is None:  # without both registers no answer can be seen
        unavailable |= frozenset(ANSWER_FIGURES)
    return AnnualReport(year, service, generated_on, key_figures, tables, list(data.excluded), has_data, unavailable,
                        planned_sentence(planned, year, status_kept),
                        answer_sentence(answered, year))


# --- the registers, cleaned once ---------------------------------------------------------------

def _texts(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].fillna("").astype(str).str.strip()


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    # a time of day would turn whole-day delays into fractions
    return pd.to_datetime(frame[column], errors="coerce").dt.normalize()


def _amounts(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(float("nan"), index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def _applications(raw: pd.DataFrame, places: Sequence[str]) -> pd.DataFrame:
    texts = ("decision", "scheme", "aid_kind", "voucher_number", "supplier", *places)
    apps = pd.DataFrame({
        **{column: _dates(raw, column) for column in ("filed_on", "session_date", "notified_on")},
        **{column: _amounts(raw, column) for column in ("amount_asked", "amount_granted")},
        **{column: _texts(raw, column) for column in texts},
    }, index=raw.index)
    apps["filed_year"] = apps["filed_on"].dt.year
    apps["year"] = apps["session_date"].dt.year
    # an entered decision says the application went through a session, whatever today's date
    apps["decided"] = apps["session_date"].notna() & (apps["decision"] != "")
    apps["granted"] = apps["decided"] & apps["decision"].isin(GRANTED)
    return apps


def _sessions(raw: pd.DataFrame, apps: pd.DataFrame) -> pd.DataFrame:
    sessions = pd.DataFrame({"committee": _texts(raw, "committee"), "date": _dates(raw, "date"),
                             "scheme": _texts(raw, "scheme"), "status": _texts(raw, "status").str.lower()},
                            index=raw.index)
    sessions["year"] = sessions["date"].dt.year
    # a planning without a status column (a CCAS's list of sessions): held when a decision of the day is entered,
    # never because its date has passed
    unknown = sessions["status"] == ""
    if unknown.any():
        pairs = _session_pairs(apps[apps["decided"]], sessions[unknown])
        sessions.loc[unknown, "status"] = "prevue"
        sessions.loc[pairs["session"].unique(), "status"] = "tenue"
    return sessions


def _session_pairs(apps: pd.DataFrame, sessions: pd.DataFrame) -> pd.DataFrame:
    """Each application with the session that examines it: the same day, and its committee's scheme when both
    are known (as ``Service.applications_of`` pairs them)."""
    left = pd.DataFrame({"app": apps.index, "date": apps["session_date"], "scheme": apps["scheme"]})
    right = pd.DataFrame({"session": sessions.index, "date": sessions["date"], "scheme": sessions["scheme"]})
    pairs = left.dropna(subset=["date"]).merge(right.dropna(subset=["date"]), on="date", suffixes=("", "_session"))
    labels = {text: normalize_label(text) for text in {*pairs["scheme"], *pairs["scheme_session"]}}
    same = ((pairs["scheme"] == "") | (pairs["scheme_session"] == "")
            | (pairs["scheme"].map(labels) == pairs["scheme_session"].map(labels)))
    return pairs[same]


def _in_held_session(apps: pd.DataFrame, sessions: pd.DataFrame) -> pd.Series:
    held = _session_pairs(apps, sessions[sessions["status"] == "tenue"])
    return pd.Series(apps.index.isin(held["app"]), index=apps.index)


def _examined(apps: pd.DataFrame, year: int) -> pd.DataFrame:
    return apps[(apps["year"] == year) & apps["examined"]]


def _delays(apps: pd.DataFrame, year: int) -> dict[str, pd.Series]:
    """Whole days filing → session and session → notification; a negative delay is a typing error, left out."""
    examined = _examined(apps, year)
    decided = examined[examined["decided"]]
    delays = {"session": (examined["session_date"] - examined["filed_on"]).dt.days,
              "notification": (decided["notified_on"] - decided["session_date"]).dt.days}
    return {name: days[days >= 0].astype(float) for name, days in delays.items()}


def _figures(apps: pd.DataFrame, sessions: pd.DataFrame, mail: dict[str, pd.Series | None],
             year: int) -> dict[str, Any]:
    statuses = sessions.loc[sessions["year"] == year, "status"].value_counts()
    examined = _examined(apps, year)
    decided = examined[examined["decided"]]
    outcomes = decided["decision"].value_counts()
    vouchers = apps[(apps["year"] == year) & (apps["voucher_number"] != "")]
    delays = _delays(apps, year)
    accords = int(outcomes.get("accord", 0) + outcomes.get("accord_partiel", 0))
    return {
        **{name: int(statuses.get(status, 0)) for name, status in
           (("sessions_held", "tenue"), ("sessions_cancelled", "annulee"), ("sessions_postponed", "reportee"))},
        "applications_received": int((apps["filed_year"] == year).sum()),
        "applications_examined": len(examined),
        "applications_decided": len(decided),
        "accords": accords,
        **{name: int(outcomes.get(code, 0)) for name, code in
           (("partial_accords", "accord_partiel"), ("refusals", "refus"), ("adjourned", "ajourne"))},
        "acceptance_rate": accords / len(decided) if len(decided) else None,
        "amount_asked": round(examined["amount_asked"].sum()),
        "amount_granted": round(decided.loc[decided["granted"], "amount_granted"].sum()),
        "vouchers_count": len(vouchers),
        "vouchers_amount": round(vouchers["amount_granted"].sum()),
        "median_days_to_session": _stat(delays["session"], "median"),
        "median_days_to_notification": _stat(delays["notification"], "median"),
        **{f"mail_{kind}": None if dates is None else int((dates.dt.year == year).sum())
           for kind, dates in mail.items()},
    }


# --- from frames to tables ---------------------------------------------------------------------

def _stat(days: pd.Series, name: str) -> float | None:
    if days.empty:
        return None
    value = days.quantile(QUANTILE) if name == "quantile" else getattr(days, name)()
    return round(float(value), 1)


def _change(current: pd.Series, previous: pd.Series) -> pd.Series:
    return (current - previous) / previous.where(previous != 0)


def _cell(value: Any, kind: str) -> Any:
    if kind == "text" or value is None:
        return value
    if isinstance(value, float) and math.isnan(value):
        return None
    if kind in ("int", "xpf"):
        return int(round(value))
    return round(float(value), 1) if kind == "days" else float(value)


def _table(key: str, title: str, columns: Sequence[Column], frame: pd.DataFrame, note: str,
           chart: Chart | None = None, total: bool = True) -> Table:
    """``frame``'s columns, in order, are ``columns``: only the (small) result is walked, never the registers."""
    cells = [[_cell(value, column.kind) for value in frame.iloc[:, i].tolist()] for i, column in enumerate(columns)]
    return Table(key, title, tuple(columns), tuple(zip(*cells)), chart, note, total)


def _grouped(frame: pd.DataFrame, by: str, fill: Sequence[str] = (), **aggregations: tuple[str, str]) -> pd.DataFrame:
    """``aggregations`` per value of ``by``, plus the total over all rows (always there; ``fill`` columns 0)."""
    both = pd.concat([frame, frame.assign(**{by: _TOTAL})], ignore_index=True)
    grouped = both.groupby(by, sort=False).agg(**aggregations)
    grouped = grouped.reindex(grouped.index.union([_TOTAL]))
    return grouped.fillna({column: 0 for column in fill})


def _ranked(frame: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Rows by ``by`` descending then by name, the total last; the index becomes a French ``label``."""
    labels = [UNFILLED if key == "" else "Total" if key == _TOTAL else key for key in frame.index]
    frame = frame.assign(label=labels)
    body = frame.drop(index=_TOTAL)
    body = body.sort_values([by, "label"], ascending=[False, True]) if by else body.sort_values("label")
    return pd.concat([body, frame.loc[[_TOTAL]]])


def _per_month(frame: pd.DataFrame, dates: str, year: int, values: str | None = None) -> pd.Series:
    """How many rows (or the sum of ``values``) per month of ``year``, 1 to 12."""
    rows = frame[frame[dates].dt.year == year]
    grouped = rows.groupby(rows[dates].dt.month)
    counted = grouped.size() if values is None else grouped[values].sum()
    return counted.reindex(range(1, 13), fill_value=0).astype(float)


def _months(columns: dict[str, pd.Series]) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    frame.loc[13] = frame.sum()
    frame.insert(0, "label", [*MONTHS, "Total"])
    return frame


def _years(year: int, title: str, kind: str = "int") -> list[Column]:
    return [Column(f"{title} {year}", kind), Column(f"{title} {year - 1}", kind), Column("Évolution", "change")]


def _session_tables(sessions: pd.DataFrame, year: int) -> list[Table]:
    both = sessions[sessions["year"].isin([year, year - 1])]
    committees = pd.Index(both["committee"].unique()).union([_TOTAL])
    doubled = pd.concat([both, both.assign(committee=_TOTAL)])  # every committee, then all under the total
    now = doubled[doubled["year"] == year]
    held = now[now["status"] == "tenue"]
    frame = held.groupby(["committee", held["date"].dt.month]).size().unstack(fill_value=0)
    frame = frame.reindex(index=committees, columns=range(1, 13), fill_value=0).astype(float)
    frame["total"] = frame.sum(axis=1)
    statuses = now.groupby(["committee", "status"]).size().unstack(fill_value=0)
    frame[["annulee", "reportee"]] = statuses.reindex(index=committees, columns=["annulee", "reportee"], fill_value=0)
    before = doubled[(doubled["year"] == year - 1) & (doubled["status"] == "tenue")]
    frame["previous"] = before.groupby("committee").size().reindex(committees, fill_value=0)
    frame["change"] = _change(frame["total"], frame["previous"])
    frame = _ranked(frame)
    columns = [Column("Commission"), *(Column(month, "int") for month in MONTHS), Column("Total", "int"),
               Column("Annulées", "int"), Column("Reportées", "int"), Column(f"Total {year - 1}", "int"),
               Column("Évolution", "change")]
    by_committee = _table("seances", "Séances par commission", columns,
                          frame[["label", *range(1, 13), "total", "annulee", "reportee", "previous", "change"]],
                          f"Séances tenues (statut « Tenue » au planning) par mois de leur date ; séances annulées et "
                          f"reportées de l'année ; évolution du total par rapport à {year - 1}. {_HELD} {_UNDATED}")
    held = both[both["status"] == "tenue"]
    months = _months({"now": _per_month(held, "date", year), "before": _per_month(held, "date", year - 1)})
    months["change"] = _change(months["now"], months["before"])
    by_month = _table("seances_mois", "Séances tenues par mois", [Column("Mois"), *_years(year, "Séances")], months,
                      f"Séances tenues, toutes commissions, par mois de leur date, en {year} et {year - 1}. "
                      f"{_HELD} {_UNDATED}", Chart("line", "Séances tenues par mois", 0, (1, 2)))
    return [by_committee, by_month]


def _demand_summary(figures: dict[str, Any], previous: dict[str, Any], year: int) -> Table:
    names = {"applications_received": "Reçues", "applications_examined": "Examinées",
             "applications_decided": "Décidées"}
    frame = pd.DataFrame({"label": list(names.values()), "now": [float(figures[n]) for n in names],
                          "before": [float(previous[n]) for n in names]})
    frame["change"] = _change(frame["now"], frame["before"])
    return _table("demandes", "Demandes de l'année", [Column("Demandes"), *_years(year, "Demandes")], frame,
                  f"Reçues : déposées dans l'année (date de dépôt) ; examinées : passées en séance dans l'année, "
                  f"{_EXAMINED} ; décidées : avec une décision saisie. "
                  "Une demande sans la date utile n'est pas comptée.",
                  Chart("column", "Demandes par année", 0, (1, 2)), total=False)


def _demand_table(apps: pd.DataFrame, year: int, by: str, key: str, title: str, label: str) -> Table:
    received = _grouped(apps[apps["filed_year"] == year], by, ["n"], n=("examined", "size"))
    examined = _grouped(_examined(apps, year), by, ["n", "decided"], n=("examined", "size"), decided=("decided", "sum"))
    frame = pd.concat([received["n"].rename("received"), examined.rename(columns={"n": "examined"})], axis=1)
    frame = _ranked(frame.fillna(0), "received")
    columns = [Column(label), Column("Reçues", "int"), Column("Examinées", "int"), Column("Décidées", "int")]
    return _table(key, title, columns, frame[["label", "received", "examined", "decided"]],
                  f"Demandes reçues (date de dépôt en {year}), examinées (séance en {year}, {_EXAMINED}) et "
                  f"décidées (décision saisie). {_UNDATED}")


def _decision_table(figures: dict[str, Any], previous: dict[str, Any], year: int, words: Words) -> Table:
    names = ("accords", "partial_accords", "refusals", "adjourned", "applications_decided")
    frame = pd.DataFrame({"label": [*words.decisions().values(), "Total"],
                          "now": [float(figures[n]) for n in names], "before": [float(previous[n]) for n in names]})
    # « accords » counts the partial ones too; the table shows them apart
    frame.loc[0, ["now", "before"]] -= frame.loc[1, ["now", "before"]]
    decided = frame[["now", "before"]].iloc[-1]
    frame[["share", "share_before"]] = frame[["now", "before"]].div(decided.where(decided != 0))
    frame["change"] = _change(frame["now"], frame["before"])
    columns = [Column("Décision"), Column(f"Nombre {year}", "int"), Column(f"Part {year}", "percent"),
               Column(f"Nombre {year - 1}", "int"), Column(f"Part {year - 1}", "percent"),
               Column("Évolution", "change")]
    frame = frame[["label", "now", "share", "before", "share_before", "change"]]
    return _table("decisions", "Décisions", columns, frame,
                  "Décisions des demandes examinées en séance dans l'année ; la part est calculée sur les demandes "
                  f"décidées (total). {_NO_SESSION}", Chart("pie", f"Décisions {year}", 0, (1,)))


def _amount_table(apps: pd.DataFrame, year: int) -> Table:
    def granted(y: int) -> pd.DataFrame:
        examined = _examined(apps, y)
        return examined[examined["granted"] & examined["amount_granted"].notna()]

    asked = _grouped(_examined(apps, year), "aid_kind", ["asked"], asked=("amount_asked", "sum"))
    now = _grouped(granted(year), "aid_kind", ["n", "sum"], n=("amount_granted", "size"),
                   sum=("amount_granted", "sum"), mean=("amount_granted", "mean"), median=("amount_granted", "median"))
    before = _grouped(granted(year - 1), "aid_kind", ["sum"], sum=("amount_granted", "sum"))
    frame = asked.join(now).fillna({"n": 0, "sum": 0})
    frame["before"] = before["sum"].reindex(frame.index, fill_value=0)
    frame["change"] = _change(frame["sum"], frame["before"])
    frame = _ranked(frame, "sum")
    columns = [Column("Type d'aide"), Column("Montant demandé", "xpf"), Column("Aides accordées", "int"),
               Column("Montant accordé", "xpf"), Column("Montant moyen", "xpf"), Column("Montant médian", "xpf"),
               Column(f"Montant accordé {year - 1}", "xpf"), Column("Évolution", "change")]
    return _table("montants", "Montants par type d'aide", columns,
                  frame[["label", "asked", "n", "sum", "mean", "median", "before", "change"]],
                  "Demandes examinées en séance dans l'année : montant demandé ; accords et accords partiels dont le "
                  "montant accordé est saisi : nombre, somme, moyenne et médiane par aide accordée (F CFP). "
                  f"{_NO_SESSION}",
                  Chart("bar", f"Montant accordé par type d'aide, {year}", 0, (3,)))


def _place_table(apps: pd.DataFrame, year: int, place: str, key: str) -> Table:
    title, noun = PLACES.get(place, (place.capitalize(), place))
    examined = _examined(apps, year).assign(amount=lambda f: f["amount_granted"].where(f["granted"], 0.0))
    frame = _grouped(examined, place, ["n", "granted", "amount"], n=("examined", "size"), granted=("granted", "sum"),
                     amount=("amount", "sum"))
    frame = _ranked(frame, "amount")
    columns = [Column(title), Column("Demandes examinées", "int"), Column("Accords", "int"),
               Column("Montant accordé", "xpf")]
    return _table(key, f"Aides par {noun}", columns, frame[["label", "n", "granted", "amount"]],
                  f"Par {noun} du demandeur : demandes examinées en séance dans l'année, accords (partiels compris) "
                  f"et montant accordé (F CFP) ; du plus grand montant au plus petit. {_NO_SESSION}")


def _delay_table(apps: pd.DataFrame, year: int) -> Table:
    labels = {"session": "Du dépôt à la séance", "notification": "De la séance à la notification"}
    now, before = _delays(apps, year), _delays(apps, year - 1)
    frame = pd.DataFrame({"label": list(labels.values())} | {
        f"{stat}_{y}": [_stat(delays[name], stat) if stat != "size" else len(delays[name]) for name in labels]
        for y, delays in (("now", now), ("before", before)) for stat in ("size", "median", "quantile", "mean")})
    frame["change"] = _change(frame["median_now"].astype(float), frame["median_before"].astype(float))
    columns = [Column("Délai")]
    for y in (year, year - 1):
        columns += [Column(f"Dossiers {y}", "int"), Column(f"Médiane {y}", "days"), Column(f"9e décile {y}", "days"),
                    Column(f"Moyenne {y}", "days")]
    return _table("delais", "Délais de traitement (jours)", [*columns, Column("Évolution médiane", "change")], frame,
                  "Jours entre la date de dépôt et la date de séance (demandes examinées dans l'année), puis entre "
                  "la séance et la notification (demandes décidées) ; une demande sans l'une des deux dates, ou dont "
                  "le délai serait négatif, n'est pas comptée. Médiane : la moitié des dossiers ont attendu moins, "
                  "l'autre moitié plus. 9e décile : 9 dossiers sur 10 ont attendu ce nombre de jours ou moins.",
                  total=False)


def _voucher_table(apps: pd.DataFrame, year: int) -> Table:
    vouchers = apps[apps["voucher_number"] != ""]
    months = _months({f"{name}_{y}": _per_month(vouchers, "session_date", y, values) for y in (year, year - 1)
                      for name, values in (("n", None), ("amount", "amount_granted"))})
    months["change"] = _change(months[f"n_{year}"], months[f"n_{year - 1}"])
    columns = [Column("Mois"), Column(f"Bons {year}", "int"), Column(f"Montant {year}", "xpf"),
               Column(f"Bons {year - 1}", "int"), Column(f"Montant {year - 1}", "xpf"), Column("Évolution", "change")]
    return _table("bons", "Bons émis par mois", columns, months,
                  "Bons numérotés (« Bon n° » rempli), par mois de la séance qui a accordé l'aide ; montant accordé "
                  f"(F CFP). L'évolution porte sur le nombre de bons. {_UNDATED}",
                  Chart("column", "Bons émis par mois", 0, (1, 3)))


def _supplier_table(apps: pd.DataFrame, year: int) -> Table:
    examined = _examined(apps, year)
    paid = examined[examined["granted"] & (examined["supplier"] != "")]
    frame = _ranked(_grouped(paid, "supplier", ["n", "amount"], n=("examined", "size"),
                             amount=("amount_granted", "sum")), "amount")
    columns = [Column("Fournisseur"), Column("Aides accordées", "int"), Column("Montant accordé", "xpf")]
    return _table("fournisseurs", "Aides par fournisseur", columns, frame[["label", "n", "amount"]],
                  "Accords et accords partiels des séances de l'année versés à un fournisseur : nombre d'aides et "
                  f"montant accordé (F CFP) ; du plus grand montant au plus petit. {_NO_SESSION}")


def _mail_table(mail: dict[str, pd.Series | None], year: int) -> Table:
    titles = {"in": "Courrier arrivé", "out": "Courrier départ"}
    present = {kind: dates for kind, dates in mail.items() if dates is not None}
    months = _months({kind: _per_month(dates.to_frame("date"), "date", year) for kind, dates in present.items()})
    columns = [Column("Mois"), *(Column(titles[kind], "int") for kind in present)]
    not_kept = "".join(f" {titles[kind]} : registre non tenu par le service." for kind in titles if kind not in present)
    return _table("courrier", "Courrier par mois", columns, months[["label", *present]],
                  f"Courriers enregistrés en {year} au registre, par mois de leur date. {_UNDATED}{not_kept}",
                  Chart("column", f"Courrier {year}", 0, tuple(range(1, len(present) + 1))))
