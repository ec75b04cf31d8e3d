"""The annual report's incoming mail: by sender (the ten first and « Autres »), answered or not, and the mean and
median time to answer; in the workbook's sheets, the Word report's tables and sentence, and the printed PDF."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest

from automations.annual_report.figures import build_report
from automations.annual_report.report import make_report
from automations.annual_report.model import AnnualData
from automations.documents.pdf import convert_to_pdf, find_libreoffice

from ..conftest import NOUMEA
from ..follow_ups.test_follow_ups_samples import copy_service
from .test_annual_report import ctx_for, sheet

NOW = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)
BOOK = "CCAS We - registres.xlsx"
NBSP = "\u00a0"


def _incoming(folder: Path) -> list[tuple[date, str, str]]:
    rows = openpyxl.load_workbook(folder / BOOK, read_only=True)["Courrier arrivée"].iter_rows(values_only=True)
    return [(r[0].date(), r[1], r[2] or "") for r in rows if isinstance(r[0], datetime)]


def _answer(folder: Path, answers: list[tuple[datetime, str]]) -> None:
    """Staff's « Courrier départ » rows citing incoming numbers in their subject."""
    book = openpyxl.load_workbook(folder / BOOK)
    departures = book["Courrier départ"]
    for n, (day, subject) in enumerate(answers, start=900):
        departures.append([day, f"D2026-{n:04d}", "CAFAT", subject, "Accueil CCAS"])
    book.save(folder / BOOK)


def _report(tmp_path: Path) -> tuple[Path, object]:
    config = copy_service(tmp_path, "ccas-lifou")
    folder = tmp_path / "registres"
    mail = sorted((r for r in _incoming(folder) if r[0].year == 2026), key=lambda r: r[1])
    # three answered: after 4, 10 and 30 days; a fourth cited by a departure dated before it arrived (typo)
    (a, b, c, d) = mail[0], mail[1], mail[2], mail[3]
    _answer(folder, [(datetime.combine(a[0], datetime.min.time()) + pd.Timedelta(days=4), f"Réponse {a[1]}"),
                     (datetime.combine(b[0], datetime.min.time()) + pd.Timedelta(days=10), f"V/Réf {b[1].lower()}"),
                     (datetime.combine(c[0], datetime.min.time()) + pd.Timedelta(days=30), f"Suite à {c[1]}."),
                     (datetime.combine(d[0], datetime.min.time()) - pd.Timedelta(days=3), f"Réponse {d[1]}")])
    files = make_report(ctx_for(config, NOW, reports=tmp_path / "rapports", journal=tmp_path / "j.sqlite"), 2026)
    return folder, files


def test_ccas_mail_by_sender_and_time_to_answer(tmp_path: Path) -> None:
    folder, files = _report(tmp_path)
    mail = [r for r in _incoming(folder) if r[0].year == 2026]
    counts = Counter(r[2] or "Non renseigné" for r in mail)
    report = files.report

    senders = report.table("courrier_expediteurs")
    expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    assert [row[:2] for row in senders.rows] == [*expected, ("Total", len(mail))]  # five senders: no « Autres »
    answers = report.table("courrier_reponses")
    assert answers.rows == ((len(mail), 4, len(mail) - 4, 14.7, 10.0),)
    assert report.key_figures["median_days_to_answer"] == 10.0
    assert 100 < len(mail) < 1000  # no thousands to group
    assert report.mail_answers == (f"Sur {len(mail)}{NBSP}courriers arrivés en 2026, 4 ont reçu une réponse "
                                   f"enregistrée au courrier départ et {len(mail) - 4} restent sans réponse ; le "
                                   f"délai de réponse est de 14,7{NBSP}jours en moyenne (médiane{NBSP}: "
                                   f"10{NBSP}jours).")

    workbook = openpyxl.load_workbook(files.workbook)
    rows = sheet(workbook, "Courrier par expéditeur")
    shares = {r[0]: r[1:] for r in rows if r and r[0]}
    assert shares["Particulier"] == (counts["Particulier"], pytest.approx(counts["Particulier"] / len(mail)))
    assert shares["Total"] == (len(mail), 1)
    assert (len(mail), 4, len(mail) - 4, 14.7, 10) in sheet(workbook, "Réponses au courrier")
    summary = {r[0]: r[1] for r in sheet(workbook, "Synthèse") if r and r[0]}
    assert summary["Délai moyen de réponse au courrier (jours)"] == 14.7
    assert summary["Courriers arrivés sans réponse"] == len(mail) - 4

    document = docx.Document(str(files.document))
    titles = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert ["Expéditeur", "Courriers arrivés", "Part"] in titles
    assert ["Courriers arrivés", "Avec réponse", "Sans réponse", "Délai moyen (jours)",
            "Délai médian (jours)"] in titles
    assert report.mail_answers in [p.text for p in document.paragraphs]


def test_the_printed_report_shows_senders_and_time_to_answer(tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None or find_libreoffice() is None:
        pytest.fail("pdftotext et LibreOffice sont nécessaires pour imprimer le rapport")
    folder, files = _report(tmp_path)
    pdf = convert_to_pdf([files.document])[files.document]
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())

    assert "Courrier par expéditeur" in text and "Réponses au courrier" in text
    assert "4 ont reçu une réponse enregistrée au courrier départ" in text
    assert "le délai de réponse est de 14,7 jours en moyenne (médiane : 10 jours)" in text


def _data(mail_in: pd.DataFrame | None, mail_out: pd.DataFrame | None, **kept: frozenset[str]) -> AnnualData:
    apps = pd.DataFrame({n: [] for n in ("number", "filed_on", "session_date", "decision", "amount_asked",
                                         "amount_granted", "scheme", "aid_kind", "commune", "notified_on",
                                         "voucher_number", "supplier")})
    sessions = pd.DataFrame({n: [] for n in ("committee", "date", "status", "scheme")})
    return AnnualData(apps, sessions, mail_in, mail_out, **kept)


def _mail_in(senders: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"date": pd.to_datetime([f"2026-03-{1 + i % 28:02d}" for i in range(len(senders))]),
                         "number": [f"A2026-{i:04d}" for i in range(1, len(senders) + 1)], "sender": senders})


def test_ten_senders_then_others_and_no_address() -> None:
    senders = [f"Expéditeur {chr(65 + i)}" for i in range(12) for _ in range(12 - i)]
    senders += ["Jean Wamo <jean.wamo@mail.nc>"] * 20 + [""]
    report = build_report(_data(_mail_in(senders), pd.DataFrame({"date": [], "reference": [], "subject": []})),
                          2026, "CCAS", date(2026, 11, 23))
    rows = report.table("courrier_expediteurs").rows
    assert [r[:2] for r in rows] == [("Jean Wamo", 20), *((f"Expéditeur {chr(65 + i)}", 12 - i) for i in range(9)),
                                     ("Autres", 3 + 2 + 1 + 1), ("Total", len(senders))]
    assert "@" not in repr(report.tables)
    assert report.mail_answers.endswith(f"0 a reçu une réponse enregistrée au courrier départ et "
                                        f"{len(senders)} restent sans réponse ; délai de réponse non disponible.")


def test_registers_not_kept_are_said_so() -> None:
    without_out = build_report(_data(_mail_in(["CAFAT"] * 3), None), 2026, "CCAS", date(2026, 11, 23))
    assert without_out.table("courrier_reponses").rows == ((3, *("non disponible",) * 4),)
    assert "mean_days_to_answer" in without_out.unavailable
    assert without_out.mail_answers == ("Sur 3\u00a0courriers arrivés en 2026, les réponses ne peuvent pas être "
                                        "comptées (courrier départ\u00a0: registre non tenu) : délai de réponse "
                                        "non disponible.")

    neither = build_report(_data(None, None), 2026, "CCAS", date(2026, 11, 23))
    assert "courrier_expediteurs" not in [t.key for t in neither.tables]
    assert neither.mail_answers == "Courrier arrivé\u00a0: registre non tenu, délai de réponse non disponible."

    no_sender = build_report(_data(_mail_in(["x"] * 2), None, mail_in_kept=frozenset({"date", "number"})),
                             2026, "CCAS", date(2026, 11, 23))
    assert no_sender.table("courrier_expediteurs").rows == (("non disponible", 2, 1.0),)
