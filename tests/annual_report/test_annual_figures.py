"""The annual report's figures against answers computed here, one generated row at a time, without pandas."""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest

from automations.annual_report.figures import KEY_FIGURES, MONTHS, build_report
from automations.annual_report.model import KINDS, AnnualData, AnnualReport, ExcludedRow, Table
from automations.annual_report.text import NOT_AVAILABLE

YEAR = 2025
GENERATED = date(2025, 11, 20)  # the day the report is made: the figures must not depend on it
COMMITTEES = ("Maintien dans le logement", "Première entrée", "Aide facultative")
SCHEMES = ("Maintien dans le logement", "Première entrée", "Prévention des expulsions", "")
AIDS = ("Loyer", "Bons alimentaires", "Électricité", "Eau", "")
COMMUNES = ("Nouméa", "Dumbéa", "Mont-Dore", "Païta", "")
TRIBES = ("Hnathalo", "Mou", "Drueulu", "Xepenehe", "")
DISTRICTS = ("Gaica", "Lösi", "Wetr")
SUPPLIERS = ("EEC", "CDE", "SIC", "Casino Johnston")
GRANTED = ("accord", "accord_partiel")
NAN = float("nan")


@dataclass
class App:
    number: str
    filed_on: date | None
    session_date: date | None
    decision: str
    amount_asked: float
    amount_granted: float
    scheme: str
    aid_kind: str
    commune: str
    tribe: str
    district: str
    notified_on: date | None
    voucher_number: str
    supplier: str
    # worked out here from the sittings, not a register column: its session is marked held (or inferred so)
    on_held_session: bool = False


@dataclass
class Sitting:
    committee: str
    date: date | None
    status: str


@dataclass
class Generated:
    apps: list[App]
    sittings: list[Sitting]
    mail_in: list[date | None]
    mail_out: list[date | None]
    report: AnnualReport


def _app(rng: random.Random, i: int, ccas: bool = False, first: date = date(2023, 10, 1), days: int = 800,
         sittings: Sequence[Sitting] = ()) -> App:
    filed: date | None = first + timedelta(days=rng.randrange(days))
    session: date | None = filed + timedelta(days=rng.randrange(3, 70))
    dated = [s for s in sittings if s.date is not None]
    sitting = rng.choice(dated) if dated and rng.random() < 0.7 else None
    if sitting is not None:  # most applications go to a session of the planning
        session = sitting.date
        filed = session - timedelta(days=rng.randrange(3, 70))
    draw = rng.random()
    if draw < 0.03:
        filed = None
    elif draw < 0.06:
        session = None
    elif draw < 0.08:  # filed typed after the session: a negative delay, left out of the delays
        filed = session + timedelta(days=rng.randrange(1, 9))
    # a held session's decisions are mostly entered; a session still « prévue », even past, has none, but for a
    # decision typed ahead, which the register then holds; a planning without status: decisions tell
    held = sitting is not None and sitting.status in ("tenue", "")
    decided = held and rng.random() > 0.1 if sitting is not None else session is not None and session <= GENERATED
    decision = rng.choice(("accord", "accord", "accord_partiel", "refus", "ajourne")) if decided else ""
    if not decision and rng.random() < 0.05:
        decision = "accord"
    asked = rng.randrange(4, 300) * 500.0 if rng.random() > 0.05 else NAN
    granted = NAN
    if decision in GRANTED and rng.random() > 0.06:
        granted = rng.randrange(2, 200) * 250.0
    elif decision == "refus" and rng.random() < 0.2:  # an amount typed on a refusal is not granted money
        granted = 10_000.0
    aid = rng.choice(AIDS)
    notified = None
    if decision and session is not None and rng.random() > 0.12:
        notified = session + timedelta(days=rng.randrange(-3, 45))
    supplier = rng.choice(SUPPLIERS) if decision in GRANTED and aid != "Bons alimentaires" and rng.random() > 0.2 \
        else ""
    return App(f"D{i:05d}", filed, session, decision, asked, granted, rng.choice(SCHEMES), aid,
               "" if ccas else rng.choice(COMMUNES), rng.choice(TRIBES) if ccas else "",
               rng.choice(DISTRICTS) if ccas else "", notified,
               f"BA-{i:05d}" if decision in GRANTED and aid == "Bons alimentaires" else "", supplier)


def _sittings(rng: random.Random) -> list[Sitting]:
    sittings = [Sitting("Commission des expulsions", date(2024, 3, 12), "tenue"),  # a committee gone in 2025
                Sitting("Commission des expulsions", date(2024, 9, 10), "tenue"),
                Sitting("Aide facultative", date(2023, 12, 5), "tenue"),
                Sitting("Aide facultative", None, "tenue"), Sitting("Première entrée", None, "annulee")]
    for committee in COMMITTEES:
        for year in (2024, 2025):
            for month in range(1, 13):
                for _ in range(rng.randrange(0, 3)):
                    day = date(year, month, rng.randrange(1, 29))
                    # "": a planning without a status column (a CCAS's)
                    status = rng.choices(("tenue", "annulee", "reportee", "prevue", ""), (70, 8, 8, 7, 7))[0]
                    sittings.append(Sitting(committee, day, "prevue" if day > GENERATED and status else status))
    return sittings


def _dates(values: Sequence[date | None]) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values)), dtype="datetime64[ns]")


def _data(apps: list[App], sittings: list[Sitting], mail_in: list[date | None] | None,
          mail_out: list[date | None] | None, places: tuple[str, ...] = ("commune",)) -> AnnualData:
    columns = {name: [getattr(a, name) for a in apps] for name in App.__dataclass_fields__ if name != "on_held_session"}
    applications = pd.DataFrame({name: _dates(values) if name in ("filed_on", "session_date", "notified_on")
                                 else pd.Series(values, dtype=float if name.startswith("amount") else object)
                                 for name, values in columns.items()})
    sessions = pd.DataFrame({"committee": pd.Series([s.committee for s in sittings], dtype=object),
                             "date": _dates([s.date for s in sittings]),
                             "status": pd.Series([s.status for s in sittings], dtype=object)})
    mail = [None if dates is None else pd.DataFrame({"date": _dates(dates)}) for dates in (mail_in, mail_out)]
    excluded = [ExcludedRow("Demandes.xlsx", "2025", 14, "Date commission", "date impossible")]
    return AnnualData(applications, sessions, mail[0], mail[1], excluded, places)


def _generate(seed: int, ccas: bool = False, mail: bool = True) -> Generated:
    rng = random.Random(seed)
    sittings = _sittings(rng)
    apps = _held(sittings, [_app(rng, i, ccas, sittings=sittings) for i in range(450)])

    def letters(n: int) -> list[date | None]:
        return [None if rng.random() < 0.03 else date(2023, 12, 1) + timedelta(days=rng.randrange(760))
                for _ in range(n)]

    mail_in, mail_out = (letters(320), letters(210)) if mail else (None, None)
    places = ("tribe", "district") if ccas else ("commune",)
    report = build_report(_data(apps, sittings, mail_in, mail_out, places), YEAR, "DPLE", GENERATED)
    return Generated(apps, sittings, mail_in or [], mail_out or [], report)


@pytest.fixture(scope="module")
def generated() -> Generated:
    return _generate(2025)


# --- the expected figures, by hand ---------------------------------------------------------------

def status(sitting: Sitting, apps: Iterable[App]) -> str:
    """A sitting's status; without one (a CCAS's planning), held when a decision of its day is entered."""
    if sitting.status:
        return sitting.status
    return "tenue" if any(a.decision and a.session_date == sitting.date for a in apps) else "prevue"


def _held(sittings: list[Sitting], apps: list[App]) -> list[App]:
    held = {s.date for s in sittings if s.date is not None and status(s, apps) == "tenue"}
    for a in apps:
        a.on_held_session = a.session_date in held
    return apps


def in_year(day: date | None, year: int) -> bool:
    return day is not None and day.year == year


def examined(apps: Iterable[App], year: int) -> list[App]:
    """Went through a session: its decision entered, or its session held; never because of the day's date."""
    return [a for a in apps if in_year(a.session_date, year) and (a.decision != "" or a.on_held_session)]


def decided(apps: Iterable[App], year: int) -> list[App]:
    return [a for a in examined(apps, year) if a.decision]


def granted(apps: Iterable[App], year: int) -> list[App]:
    return [a for a in decided(apps, year) if a.decision in GRANTED]


def change(current: float, previous: float) -> float | None:
    return None if previous == 0 else (current - previous) / previous


def money(values: Iterable[float]) -> float:
    return sum(v for v in values if not math.isnan(v))


def label(value: str) -> str:
    return value or "Non renseigné"


def percentile_90(values: Sequence[float]) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * 0.9
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def tally(rows: Iterable[tuple[str, Sequence[float]]]) -> dict[str, list[float]]:
    """The values of ``rows`` summed per name, position by position."""
    sums: dict[str, list[float]] = {}
    for name, values in rows:
        current = sums.setdefault(name, [0] * len(values))
        for i, value in enumerate(values):
            current[i] += value
    return sums


def ranked(rows: dict[str, list[Any]], sort_on: int) -> list[list[Any]]:
    """Rows by their value at ``sort_on`` (counted after the name) descending, then by name."""
    return sorted(([name, *values] for name, values in rows.items()), key=lambda row: (-row[sort_on + 1], row[0]))


def per_month(days: Sequence[date | None], year: int, weights: Sequence[float] | None = None) -> list[float]:
    """How many ``days`` (or the sum of their ``weights``, empty ones aside) fall in each month of ``year``."""
    counts = [0.0] * 12
    for i, day in enumerate(days):
        weight = 1.0 if weights is None else weights[i]
        if in_year(day, year) and not math.isnan(weight):
            counts[day.month - 1] += weight
    return counts


def delays(apps: list[App], year: int) -> tuple[list[int], list[int]]:
    to_session = [(a.session_date - a.filed_on).days for a in examined(apps, year) if a.filed_on is not None]
    to_notice = [(a.notified_on - a.session_date).days for a in decided(apps, year) if a.notified_on is not None]
    return [d for d in to_session if d >= 0], [d for d in to_notice if d >= 0]


def stats(days: list[int]) -> list[Any]:
    if not days:
        return [0, None, None, None]
    return [len(days), round(statistics.median(days), 1), round(percentile_90(days), 1),
            round(sum(days) / len(days), 1)]


def assert_rows(table: Table, expected: Sequence[Sequence[Any]]) -> None:
    assert len(table.rows) == len(expected), (table.key, table.rows, expected)
    for got, want in zip(table.rows, expected):
        assert len(got) == len(want) == len(table.columns), (table.key, got, want)
        for column, cell, value in zip(table.columns, got, want):
            where = (table.key, column.title, got[0])
            if value is None:
                assert cell is None, where
            elif column.kind in ("percent", "change", "days"):
                assert cell == pytest.approx(value, abs=1e-9), where
            elif column.kind in ("int", "xpf"):
                assert type(cell) is int and cell == round(value), where
            else:
                assert cell == value, where


def with_total(rows: list[list[Any]], sums: Sequence[int], extra: Callable[[list[Any]], list[Any]]) -> list[list[Any]]:
    """``rows`` then « Total »: the sum of the columns at ``sums``, and what ``extra`` derives from it."""
    total: list[Any] = ["Total", *(sum(row[i] for row in rows) for i in sums)]
    return [*rows, [*total, *extra(total)]]


def key_figures(apps: list[App], sittings: list[Sitting], mail_in: list[date | None] | None,
                mail_out: list[date | None] | None, year: int) -> dict[str, Any]:
    outcomes = [a.decision for a in decided(apps, year)]
    accords = sum(d in GRANTED for d in outcomes)
    vouchers = [a for a in apps if a.voucher_number and in_year(a.session_date, year)]
    to_session, to_notice = delays(apps, year)
    statuses = [status(s, apps) for s in sittings if in_year(s.date, year)]
    return {
        "sessions_held": statuses.count("tenue"), "sessions_cancelled": statuses.count("annulee"),
        "sessions_postponed": statuses.count("reportee"),
        "applications_received": sum(in_year(a.filed_on, year) for a in apps),
        "applications_examined": len(examined(apps, year)), "applications_decided": len(outcomes),
        "accords": accords, "partial_accords": outcomes.count("accord_partiel"),
        "refusals": outcomes.count("refus"), "adjourned": outcomes.count("ajourne"),
        "acceptance_rate": accords / len(outcomes) if outcomes else None,
        "amount_asked": round(money(a.amount_asked for a in examined(apps, year))),
        "amount_granted": round(money(a.amount_granted for a in granted(apps, year))),
        "vouchers_count": len(vouchers), "vouchers_amount": round(money(a.amount_granted for a in vouchers)),
        "median_days_to_session": round(statistics.median(to_session), 1) if to_session else None,
        "median_days_to_notification": round(statistics.median(to_notice), 1) if to_notice else None,
        "mail_in": None if mail_in is None else sum(in_year(d, year) for d in mail_in),
        "mail_out": None if mail_out is None else sum(in_year(d, year) for d in mail_out),
    }


# --- the tables -----------------------------------------------------------------------------------

def test_sessions_per_committee_and_per_month(generated: Generated) -> None:
    sittings = [(s, status(s, generated.apps)) for s in generated.sittings
                if s.date is not None and s.date.year in (YEAR, YEAR - 1)]
    rows = tally((s.committee, [now == "tenue" and s.date.year == YEAR and s.date.month == m for m in range(1, 13)]
                  + [now == wanted and s.date.year == year for wanted, year in
                     (("annulee", YEAR), ("reportee", YEAR), ("tenue", YEAR - 1))]) for s, now in sittings)
    table = [[name, *counts[:12], sum(counts[:12]), *counts[12:]] for name, counts in sorted(rows.items())]
    expected = with_total(table, range(1, 17), lambda total: [change(total[13], total[16])])
    for row in expected[:-1]:
        row.append(change(row[13], row[16]))
    assert_rows(generated.report.table("seances"), expected)
    assert expected[0][0] == "Aide facultative" and "Commission des expulsions" in rows
    assert [c.title for c in generated.report.table("seances").columns[1:13]] == list(MONTHS)

    held = [s.date for s in generated.sittings if status(s, generated.apps) == "tenue"]
    now, before = per_month(held, YEAR), per_month(held, YEAR - 1)
    months = [[MONTHS[m], now[m], before[m], change(now[m], before[m])] for m in range(12)]
    assert_rows(generated.report.table("seances_mois"),
                with_total(months, (1, 2), lambda total: [change(total[1], total[2])]))


def test_applications_received_examined_decided(generated: Generated) -> None:
    apps = generated.apps

    def counts(year: int) -> list[int]:
        return [sum(in_year(a.filed_on, year) for a in apps), len(examined(apps, year)), len(decided(apps, year))]

    now, before = counts(YEAR), counts(YEAR - 1)
    assert_rows(generated.report.table("demandes"), [[name, now[i], before[i], change(now[i], before[i])]
                                                    for i, name in enumerate(("Reçues", "Examinées", "Décidées"))])
    for key, field in (("demandes_dispositif", "scheme"), ("demandes_aide", "aid_kind")):
        rows = tally([*((label(getattr(a, field)), [1, 0, 0]) for a in apps if in_year(a.filed_on, YEAR)),
                      *((label(getattr(a, field)), [0, 1, bool(a.decision)]) for a in examined(apps, YEAR))])
        assert_rows(generated.report.table(key), with_total(ranked(rows, 0), (1, 2, 3), lambda total: []))


def test_decisions_counts_rates_and_change(generated: Generated) -> None:
    outcomes = {year: [a.decision for a in decided(generated.apps, year)] for year in (YEAR, YEAR - 1)}
    expected = []
    for code, name in (("accord", "Accord"), ("accord_partiel", "Accord partiel"), ("refus", "Refus"),
                       ("ajourne", "Ajourné"), (None, "Total")):
        now, before = (len(outcomes[y]) if code is None else outcomes[y].count(code) for y in (YEAR, YEAR - 1))
        expected.append([name, now, now / len(outcomes[YEAR]), before, before / len(outcomes[YEAR - 1]),
                         change(now, before)])
    table = generated.report.table("decisions")
    assert_rows(table, expected)
    assert table.chart is not None and table.chart.kind == "pie"


def test_amounts_per_aid_kind(generated: Generated) -> None:
    apps = generated.apps

    def amounts(year: int, aid: str | None = None) -> list[float]:
        return [a.amount_granted for a in granted(apps, year)
                if aid in (None, label(a.aid_kind)) and not math.isnan(a.amount_granted)]

    rows = {}
    for aid in {label(a.aid_kind) for a in examined(apps, YEAR)}:
        now, before = amounts(YEAR, aid), sum(amounts(YEAR - 1, aid))
        rows[aid] = [money(a.amount_asked for a in examined(apps, YEAR) if label(a.aid_kind) == aid), len(now),
                     sum(now), sum(now) / len(now) if now else None, statistics.median(now) if now else None, before,
                     change(sum(now), before)]
    everything = amounts(YEAR)
    expected = with_total(ranked(rows, 2), (1, 2, 3), lambda total: [
        sum(everything) / len(everything), statistics.median(everything), sum(amounts(YEAR - 1)),
        change(total[3], sum(amounts(YEAR - 1)))])
    assert_rows(generated.report.table("montants"), expected)
    assert expected[-1][3] == generated.report.key_figures["amount_granted"]


def _places(apps: list[App], place: str) -> list[list[Any]]:
    rows = tally((label(getattr(a, place)), [1, a.decision in GRANTED, money([a.amount_granted])
                                             if a.decision in GRANTED else 0.0]) for a in examined(apps, YEAR))
    return with_total(ranked(rows, 2), (1, 2, 3), lambda total: [])


def test_territory_per_commune(generated: Generated) -> None:
    assert_rows(generated.report.table("territoire"), _places(generated.apps, "commune"))


def test_delays_median_decile_mean(generated: Generated) -> None:
    now, before = delays(generated.apps, YEAR), delays(generated.apps, YEAR - 1)
    expected = [[name, *stats(now[i]), *stats(before[i])] for i, name in
                enumerate(("Du dépôt à la séance", "De la séance à la notification"))]
    for row in expected:
        row.append(change(row[2], row[6]))
    table = generated.report.table("delais")
    assert_rows(table, expected)
    assert "9 dossiers sur 10" in table.note and not table.total


def test_vouchers_and_suppliers(generated: Generated) -> None:
    vouchers = [a for a in generated.apps if a.voucher_number]
    columns = [per_month([a.session_date for a in vouchers], year, weights)
               for year in (YEAR, YEAR - 1) for weights in (None, [a.amount_granted for a in vouchers])]
    months = [[MONTHS[m], *(c[m] for c in columns), change(columns[0][m], columns[2][m])] for m in range(12)]
    assert_rows(generated.report.table("bons"),
                with_total(months, (1, 2, 3, 4), lambda total: [change(total[1], total[3])]))
    rows = tally((a.supplier, [1, money([a.amount_granted])]) for a in granted(generated.apps, YEAR) if a.supplier)
    assert_rows(generated.report.table("fournisseurs"), with_total(ranked(rows, 1), (1, 2), lambda total: []))


def test_mail_per_month(generated: Generated) -> None:
    incoming, outgoing = per_month(generated.mail_in, YEAR), per_month(generated.mail_out, YEAR)
    months = [[MONTHS[m], incoming[m], outgoing[m]] for m in range(12)]
    assert_rows(generated.report.table("courrier"), with_total(months, (1, 2), lambda total: []))


def test_key_figures_both_years(generated: Generated) -> None:
    figures = generated.report.key_figures
    for year, suffix in ((YEAR, ""), (YEAR - 1, "_previous")):
        expected = key_figures(generated.apps, generated.sittings, generated.mail_in, generated.mail_out, year)
        for name, value in expected.items():
            assert figures[f"{name}{suffix}"] == pytest.approx(value, abs=1e-9), name
    assert set(figures) == set(KEY_FIGURES) | {f"{name}_previous" for name in KEY_FIGURES}
    assert generated.report.excluded == [ExcludedRow("Demandes.xlsx", "2025", 14, "Date commission",
                                                     "date impossible")]


def _check_shape(report: AnnualReport) -> None:
    keys = [t.key for t in report.tables]
    assert len(keys) == len(set(keys))
    for table in report.tables:
        assert table.key.isascii() and table.key.isidentifier()
        assert 0 < len(table.title) <= 31, table.title
        assert table.note and all(c.kind in KINDS for c in table.columns)
        for row in table.rows:
            assert len(row) == len(table.columns)
            for column, cell in zip(table.columns, row):
                expected_type = {"text": str, "int": int, "xpf": int}.get(column.kind, float)
                # « non disponible »: a figure from a register or column the service does not keep
                assert cell is None or cell == NOT_AVAILABLE or type(cell) is expected_type, (table.key, column.title,
                                                                                             cell)
        if table.total:
            assert table.rows[-1][0] == "Total"
        if table.chart:
            assert max(table.chart.values) < len(table.columns)


def test_titles_keys_and_shapes(generated: Generated) -> None:
    _check_shape(generated.report)
    assert [t.key for t in generated.report.tables] == [
        "seances", "seances_mois", "planifiees", "demandes", "demandes_dispositif", "demandes_aide", "decisions",
        "montants", "territoire", "delais", "bons", "fournisseurs", "courrier", "courrier_expediteurs",
        "courrier_reponses"]


# --- the edges ----------------------------------------------------------------------------------

def test_a_year_without_data_gives_zeros() -> None:
    empty = AnnualData(pd.DataFrame(), pd.DataFrame(), pd.DataFrame({"date": _dates([])}), None)
    for report in (build_report(empty, YEAR, "CCAS", GENERATED), build_report(
            _data([], [], [], []), YEAR, "CCAS", GENERATED)):
        _check_shape(report)
        assert all(report.key_figures[name] in (0, None) for name in KEY_FIGURES)
        assert report.table("montants").rows == (("Total", 0, 0, 0, None, None, 0, None),)
        assert report.table("seances_mois").rows[-1] == ("Total", 0, 0, None)
        assert report.table("decisions").rows[-1] == ("Total", 0, None, 0, None, None)
        assert report.table("delais").rows[0] == ("Du dépôt à la séance", 0, None, None, None, 0, None, None, None,
                                                   None)
    future = _generate(7)  # its years are 2023 to 2025
    report = build_report(_data(future.apps, future.sittings, future.mail_in, future.mail_out), 2031, "DPLE",
                          date(2031, 3, 1))
    assert report.key_figures["applications_received"] == report.key_figures["applications_received_previous"] == 0
    assert report.table("fournisseurs").rows == (("Total", 0, 0),)


def test_a_first_year_has_no_previous_year() -> None:
    g = _generate(11)
    apps = [a for a in g.apps if in_year(a.filed_on, YEAR) and in_year(a.session_date, YEAR)]
    sittings = [s for s in g.sittings if in_year(s.date, YEAR)]
    report = build_report(_data(apps, sittings, None, None), YEAR, "CCAS", GENERATED)
    assert report.key_figures["applications_examined_previous"] == 0
    assert all(row[-1] is None for row in report.table("seances").rows)
    assert report.table("demandes").rows[0][1:] == (len(apps), 0, None)


def test_tribes_and_districts_of_a_ccas() -> None:
    g = _generate(3, ccas=True)
    _check_shape(g.report)
    keys = [t.key for t in g.report.tables]
    assert "territoire" in keys and "territoire_district" in keys and "territoire_tribe" not in keys
    assert_rows(g.report.table("territoire"), _places(g.apps, "tribe"))
    assert_rows(g.report.table("territoire_district"), _places(g.apps, "district"))
    assert g.report.table("territoire").title == "Aides par tribu"


def test_without_mail_registers_no_mail_table() -> None:
    g = _generate(5, mail=False)
    assert "courrier" not in [t.key for t in g.report.tables]
    assert g.report.key_figures["mail_in"] is None and g.report.key_figures["mail_out_previous"] is None
    only_in = build_report(_data(g.apps, g.sittings, [date(2025, 2, 3), None, date(2024, 2, 3)], None), YEAR, "DPLE",
                           GENERATED)
    table = only_in.table("courrier")
    assert [c.title for c in table.columns] == ["Mois", "Courrier arrivé"]
    assert table.rows[1] == ("Février", 1) and table.rows[-1] == ("Total", 1)


def test_five_busy_years_are_quick() -> None:
    rng = random.Random(5)
    apps = [_app(rng, i, first=date(2021, 1, 1), days=5 * 365) for i in range(50_000)]
    data = _data(apps, _sittings(rng) * 3, [a.filed_on for a in apps], [a.notified_on for a in apps])
    started = time.perf_counter()
    report = build_report(data, YEAR, "DPLE", GENERATED)
    assert time.perf_counter() - started < 2.0
    assert report.key_figures["applications_received"] > 9000


# --- what happened, whatever the day ---------------------------------------------------------------

def test_the_same_registers_give_the_same_report_whatever_the_day() -> None:
    g = _generate(13)
    data = _data(g.apps, g.sittings, g.mail_in, g.mail_out)
    reports = [build_report(data, YEAR, "DPLE", day) for day in (GENERATED, date(2025, 12, 31), date(2027, 6, 15))]
    for report in reports[1:]:
        assert report.key_figures == reports[0].key_figures
        assert report.tables == reports[0].tables


def _one_day(status: str, decision: str, session: date = date(2025, 11, 26)) -> AnnualReport:
    """One application on one session of the planning, the report made two weeks after the session."""
    app = App("D1", date(2025, 10, 1), session, decision, 50_000.0, 50_000.0 if decision == "accord" else NAN,
              "Première entrée", "Loyer", "Nouméa", "", "", None, "", "")
    sitting = Sitting("Première entrée", session, status)
    return build_report(_data([app], [sitting], None, None), YEAR, "DPLE", date(2025, 12, 10))


def test_an_application_is_examined_when_decided_or_its_session_held() -> None:
    # a past session still « prévue », no decision entered: nothing happened that the registers say
    waiting = _one_day("prevue", "")
    assert waiting.key_figures["applications_examined"] == 0 and waiting.key_figures["sessions_held"] == 0
    assert waiting.key_figures["amount_asked"] == 0
    assert waiting.table("delais").rows[0][1] == 0
    assert waiting.table("territoire").rows[-1] == ("Total", 0, 0, 0)
    # the session marked held: examined, even before its decision is typed
    held = _one_day("tenue", "")
    assert held.key_figures["applications_examined"] == 1 and held.key_figures["applications_decided"] == 0
    assert held.key_figures["amount_asked"] == 50_000 and held.key_figures["sessions_held"] == 1
    # the decision entered: examined and decided, whatever the planning says
    decided = _one_day("prevue", "accord")
    assert decided.key_figures["applications_examined"] == decided.key_figures["applications_decided"] == 1
    assert decided.key_figures["amount_granted"] == 50_000
    # a planning without status column: the session is held once a decision of its day is entered
    assert _one_day("", "").key_figures["sessions_held"] == 0
    assert _one_day("", "refus").key_figures["sessions_held"] == 1


def test_a_session_examines_only_its_committees_scheme() -> None:
    """Two committees meet the same day; only one is marked held: the other's applications wait."""
    day = date(2025, 6, 10)
    apps = [App(f"D{i}", date(2025, 5, 1), day, "", 10_000.0, NAN, scheme, "Loyer", "Nouméa", "", "", None, "", "")
            for i, scheme in enumerate(("Première entrée", "Maintien dans le logement", "Maintien dans le logement"))]
    data = _data(apps, [Sitting("Première entrée", day, "tenue"), Sitting("Maintien", day, "prevue")], None, None)
    data.sessions["scheme"] = ["Première entrée", "Maintien dans le logement"]
    report = build_report(data, YEAR, "DPLE", GENERATED)
    assert report.key_figures["applications_examined"] == 1
    assert {r[0]: r[2] for r in report.table("demandes_dispositif").rows} == {
        "Première entrée": 1, "Maintien dans le logement": 0, "Total": 1}


def test_the_notes_speak_plain_french(generated: Generated) -> None:
    """No library's jargon (numpy's « linear » method...) in what the manager reads."""
    for table in generated.report.tables:
        text = " ".join([table.title, table.note, *(c.title for c in table.columns)]).casefold()
        for word in ("numpy", "pandas", "linear", "quantile", "interpolation"):
            assert word not in text, (table.key, word)
