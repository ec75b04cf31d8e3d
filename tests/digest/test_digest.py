"""The weekly digest from the demo service: what it says is what the registers and the outbox say."""

from __future__ import annotations

import io
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from PIL import Image

from automations.cli import commands
from automations import french
from automations.french import plural

from ..conftest import NOUMEA, FakeClock
from ..digest_factory import (MANAGER, Tables, a_date, amount, applications, demo_service, digests,
                             edit_applications, members, outbox, planning, xpf)
from ..service_factory import context

NOW = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)
TODAY = NOW.date()
GRANTED = ("Accord", "Accord partiel", "Avis favorable")
# what each key of the outbox's mails belongs to, by the automations' labels
LABELS = {"invitation": "Convocations", "pack": "Dossiers de séance", "minutes": "Comptes rendus",
          "letter": "Suites des commissions", "notice": "Suites des commissions", "voucher": "Suites des commissions",
          "receipt": "Accusés de réception"}


@dataclass
class Sent:
    folder: Path
    message: EmailMessage
    tables: Tables
    text: str
    html: str
    run_output: str


def _late_cases(folder: Path) -> None:
    """Staff left decisions out of a session four weeks old, an accord without its amount, a letter sent by hand."""
    rows = applications(folder)
    held = [r for r in rows if a_date(r["Date commission"]) == date(2026, 10, 26)
            and r["Dispositif"] == "Maintien dans le logement"]
    insertion = [r for r in rows if a_date(r["Date commission"]) == date(2026, 10, 30) and r["Décision"] == "Accord"]
    expulsions = [r for r in rows if a_date(r["Date commission"]) == date(2026, 10, 28) and r["Décision"]]
    changes: dict[str, dict[str, object]] = {
        str(r["N° dossier"]): {"Décision": None, "Montant accordé": None, "Motif": None, "Fournisseur": None}
        for r in held[:3]}
    changes[str(insertion[0]["N° dossier"])] = {"Montant accordé": None}
    changes[str(expulsions[0]["N° dossier"])] = {"Notifié le": datetime(2026, 11, 2)}
    edit_applications(folder, changes)


@pytest.fixture(scope="module")
def sent(tmp_path_factory) -> Sent:
    folder = tmp_path_factory.mktemp("digest") / "demo"
    config = demo_service(folder, TODAY)
    _late_cases(folder)
    ctx = context(config, FakeClock(NOW))
    report = commands.run(ctx)
    assert report.ok, ctx.out.getvalue()
    [message] = digests(folder)
    html = message.get_body(("html",)).get_content()
    return Sent(folder, message, Tables(html), message.get_body(("plain",)).get_content(), html, ctx.out.getvalue())


def test_the_digest_goes_to_the_manager_once_the_others_have_run(sent: Sent) -> None:
    assert sent.message["To"].addresses[0].addr_spec == MANAGER
    assert sent.message["Subject"] == "Résumé hebdomadaire des commissions – semaine du 23 novembre 2026"
    assert sent.message["X-Commission-Key"] == "digest/2026-W48#0"
    assert "✓ envoi : Résumé hebdomadaire au responsable – semaine du 23 novembre 2026" in sent.run_output


def test_coming_sessions_are_the_plannings(sent: Sent) -> None:
    sessions, schemes = planning(sent.folder)
    coming = sorted((a_date(s["Date"]), s) for s in sessions if 0 <= (a_date(s["Date"]) - TODAY).days <= 14)
    rows = sent.tables.rows("seances")
    assert len(rows) == len(coming) == 3
    register = applications(sent.folder)
    for (day, session), row in zip(coming, rows):
        assert row[0].startswith(french.date_long(day))
        committee, details = row[1].split("\n")
        assert committee == session["Instance"]
        examined = [r for r in register if a_date(r["Date commission"]) == day
                    and r["Dispositif"] == schemes[committee]]
        assert details == f"Prévue, {plural(len(examined), 'dossier', 'dossiers')}"
        # the planning's status columns, as the run filled them in; the demo's outbox books no room
        assert session["Salle réservée"] is None
        room = re.fullmatch(r"… (Salle \w+) \(indiquée dans la convocation, à réserver\)", row[2])
        assert room and room.group(1) == (session["Lieu"] or room.group(1)), row[2]
        assert row[3] == f"✓ envoyée le {session['Invitations envoyées le']:%d/%m/%Y}"
        if session["Dossier envoyé le"]:
            assert row[4] == f"✓ envoyé le {session['Dossier envoyé le']:%d/%m/%Y} ({plural(len(examined), 'dossier', 'dossiers')})"
        else:
            due = day - timedelta(days=7)  # the committee's own pack lead time
            assert row[4] == f"… à envoyer le {due:%d/%m/%Y}"


def test_what_was_sent_is_the_outbox_of_the_week(sent: Sent) -> None:
    # the alerts leave after every automation, the digest included: next week's digest counts them
    mails = [m["X-Commission-Key"].split("/")[0] for _, m in outbox(sent.folder)]
    expected = Counter(LABELS[k] for k in mails if k not in ("digest", "alerte"))
    rows = sent.tables.rows("envois")
    assert {r[0]: int(r[1]) for r in rows[:-1] if int(r[1])} == expected
    # an automation that only prepared documents (the minutes' drafts) is listed with them
    assert all(int(r[2]) > 0 for r in rows[:-1] if not int(r[1]))
    filed = re.search(r"Bilan : \d+ envois?, (\d+) documents? préparés?(?:, (\d+) courriers? enregistrés?)?",
                      sent.run_output)
    # the run's summary counts the mail registered apart; the digest's table counts it with what was filed
    assert rows[-1] == ["Total", str(sum(expected.values())), str(int(filed.group(1)) + int(filed.group(2) or 0))]
    overview = {label: value for label, value in sent.tables.tables["en-bref"]}
    assert overview["Envois de la semaine écoulée"] == str(sum(expected.values()))
    assert f"Convocations : {plural(expected['Convocations'], 'envoi', 'envois')}, 0 document préparé" in sent.text


def test_late_decisions_and_letters_are_the_registers(sent: Sent) -> None:
    register = applications(sent.folder)
    _, schemes = planning(sent.folder)
    committee_of = {scheme: name for name, scheme in schemes.items()}
    groups: dict[tuple[str, date], list[dict[str, object]]] = {}
    for row in register:
        day = a_date(row["Date commission"])
        if day is not None and day <= TODAY:
            groups.setdefault((str(row["Dispositif"]), day), []).append(row)
    undecided = sorted((day, scheme, sum(1 for r in rows if not r["Décision"]), len(rows))
                       for (scheme, day), rows in groups.items()
                       if (TODAY - day).days >= 14 and any(not r["Décision"] for r in rows))
    assert [r for r in sent.tables.rows("retards-decisions")] == [
        [f"{committee_of[scheme]}, séance du {day:%d/%m/%Y}", f"{(TODAY - day).days} jours", str(count), str(total)]
        for day, scheme, count, total in undecided]
    assert undecided and undecided[0][2] == 3
    # decided within the follow-ups' 30 days, not notified since the session nor prepared for the post (the run
    # wrote the others)
    letters: dict[tuple[date, str], list[str]] = {}
    to_post: list[list[str]] = []
    for (scheme, day), rows in sorted(groups.items(), key=lambda item: item[0][1]):
        for r in rows:
            notified = a_date(r["Notifié le"])
            waiting = r["Décision"] and (TODAY - day).days <= 30 and (notified is None or notified < day)
            if waiting and a_date(r["Préparé le"]) == TODAY:
                to_post.append([f"{committee_of[scheme]}, séance du {day:%d/%m/%Y}", str(r["N° dossier"])])
            elif waiting:
                letters.setdefault((day, scheme), []).append(str(r["N° dossier"]))
    # the letters this run prepared for the post wait in their own section, not among the late ones
    listed = [[r[0], short.removeprefix("courrier ")] for r in sent.tables.rows("a-imprimer")
              for short in r[2].split("\n")[0].split(", ") if short.startswith("courrier ")]
    assert sorted(listed) == sorted(to_post) and to_post
    shown = sent.tables.rows("retards-courriers")
    assert [(r[0], r[1], r[2].split("\n")[0]) for r in shown] == [
        (f"{committee_of[scheme]}, séance du {day:%d/%m/%Y}", str(len(numbers)), ", ".join(sorted(numbers)))
        for (day, scheme), numbers in sorted(letters.items())]
    [waiting] = shown
    assert waiting[2].split("\n")[1] == f"montant accordé à saisir : {waiting[2].split(chr(10))[0]}"
    late = sum(u[2] for u in undecided) + sum(len(n) for n in letters.values())
    assert [r[1] for r in sent.tables.tables["en-bref"] if r[0].startswith("Dossiers en retard")] == [str(late)]


def test_budget_is_the_accords_of_the_year_against_the_envelopes(sent: Sent) -> None:
    envelopes = tomllib.loads((sent.folder / "config.toml").read_text(encoding="utf-8"))["budget"]["2026"]
    committed = Counter()
    for row in applications(sent.folder):
        day = a_date(row["Date commission"])
        if day is not None and day.year == 2026 and row["Décision"] in GRANTED:
            committed[row["Dispositif"]] += amount(row["Montant accordé"])
    expected = []
    for scheme, envelope in envelopes.items():
        left = envelope - committed[scheme]
        share = f"{round(100 * committed[scheme] / envelope)} %"
        expected.append([scheme, xpf(envelope), xpf(committed[scheme]), share,
                         f"reste {xpf(left)}" if left >= 0 else f"dépassement de {xpf(-left)}"])
        assert (f"{scheme} : {xpf(committed[scheme])} engagés sur {xpf(envelope)}") in sent.text
    assert sent.tables.rows("budget") == expected
    assert any(row[4].startswith("dépassement") for row in expected)  # the demo's insertion scheme is over


def test_the_chart_is_an_inline_image_the_html_shows(sent: Sent) -> None:
    [image] = sent.tables.images
    assert image["src"].startswith("cid:") and image["width"] == "600" and int(image["height"]) > 0
    [part] = [p for p in sent.message.walk() if p.get("Content-ID") == f"<{image['src'][4:]}>"]
    assert part.get_content_type() == "image/png"
    assert part.get_content_disposition() == "inline"
    related = next(p for p in sent.message.walk() if p.get_content_type() == "multipart/related")
    assert [p.get_content_type() for p in related.iter_parts()] == ["text/html", "image/png"]
    with Image.open(io.BytesIO(part.get_content())) as chart:
        assert chart.format == "PNG" and chart.width > 0 and chart.height > 0
        assert round(600 * chart.height / chart.width) == int(image["height"])


def test_register_problems_are_those_check_finds(sent: Sent) -> None:
    ctx = context(sent.folder / "config.toml", FakeClock(NOW))
    commands.check(ctx)
    errors, warnings = map(int, re.search(r"Problèmes dans les registres : (\d+) erreurs?, (\d+) avertissement",
                                          ctx.out.getvalue()).groups())
    rows = sent.tables.rows("registres")
    assert len(rows) == min(errors + warnings, 20)
    assert [r[0] for r in rows] == ["Erreur"] * errors + ["Avertissement"] * warnings
    # the same lines, without the cell's value (an applicant's address can be one)
    # the lines under check's heading of register problems (mapped headers without a column are listed before it)
    problems = ctx.out.getvalue().partition("Problèmes dans les registres :")[2]
    listed = [re.sub(r" \(valeur « .*? »\)", "", line.strip()[2:]) for line in problems.splitlines()
              if line.strip()[:1] in ("✗", "⚠")]
    # where, the same; why may differ: the run's write-back made a line typed twice a mere duplicate
    assert [where.split(" : ")[0] for _, where in rows] == [line.split(" : ")[0] for line in listed[:20]]
    assert (f"PROBLÈMES DANS LES REGISTRES : {plural(errors, 'erreur', 'erreurs')}, "
            f"{plural(warnings, 'avertissement', 'avertissements')}") in sent.text


def test_no_applicant_is_named(sent: Sent) -> None:
    # a member may share an applicant's name: the register problems name members, which is fine
    named = {f"{last} {first}" for last, first in members(sent.folder)} | {
        f"{first} {last}" for last, first in members(sent.folder)}
    for row in applications(sent.folder):
        for name in (f"{row['Prénom']} {row['Nom']}", f"{row['Nom']} {row['Prénom']}"):
            if name not in named:
                assert name not in sent.text and name not in sent.html
        if row["Courriel"]:
            assert str(row["Courriel"]) not in sent.text and str(row["Courriel"]) not in sent.html


def test_once_a_week_whatever_the_runs(tmp_path: Path) -> None:
    clock = FakeClock(NOW)
    config = demo_service(tmp_path / "demo", TODAY)
    commands.run(context(config, clock))
    assert len(digests(tmp_path / "demo")) == 1
    for moment in (datetime(2026, 11, 25, 10, 0, tzinfo=NOUMEA), datetime(2026, 11, 29, 23, 59, tzinfo=NOUMEA)):
        clock.moment = moment
        assert commands.run(context(config, clock), "digest").done == []
        commands.run(context(config, clock))
        assert len(digests(tmp_path / "demo")) == 1
    clock.moment = datetime(2026, 11, 30, 7, 30, tzinfo=NOUMEA)
    ctx = context(config, clock)
    commands.plan(ctx, "digest")
    assert "Résumé hebdomadaire : 1 action à faire." in ctx.out.getvalue()
    report = commands.run(context(config, clock), "digest")
    assert [a.key for a in report.done] == ["digest/2026-W49"]
    latest = digests(tmp_path / "demo")[-1]
    assert latest["Subject"] == "Résumé hebdomadaire des commissions – semaine du 30 novembre 2026"
    # a week back from now: every mail of the outbox but this one, last week's digest and alerts included
    since = clock.moment - timedelta(days=7)
    week = [m for _, m in outbox(tmp_path / "demo")
            if m["X-Commission-Key"] != "digest/2026-W49#0" and m["Date"].datetime >= since]
    rows = Tables(latest.get_body(("html",)).get_content()).rows("envois")
    assert rows[-1][1] == str(len(week))
    assert {"Résumé hebdomadaire", "Alertes au responsable"} <= {r[0] for r in rows}


def test_no_manager_no_digest(tmp_path: Path) -> None:
    clock = FakeClock(NOW)
    config = demo_service(tmp_path / "demo", TODAY, manager=False)
    ctx = context(config, clock)
    assert commands.run(ctx, "digest").done == []
    said = ctx.out.getvalue()
    assert "résumé hebdomadaire non envoyé : aucun responsable à qui l'envoyer ([service] manager)" in said
    text = config.read_text(encoding="utf-8").replace('timezone = "Pacific/Noumea"\n',
                                                      f'timezone = "Pacific/Noumea"\nmanager = "{MANAGER}"\n')
    config.write_text(text + "\n[digest]\nenabled = false\n", encoding="utf-8")
    ctx = context(config, clock)
    commands.run(ctx)
    assert "Résumé hebdomadaire" not in ctx.out.getvalue()
    assert digests(tmp_path / "demo") == []


def test_what_the_same_run_wrote_back_is_not_pending(sent: Sent) -> None:
    # the run wrote every status cell and register row before the digest was built: nothing is left over
    written = int(re.search(r"(\d+) cellules reportées dans les registres", sent.run_output).group(1))
    assert written > 50
    assert "REPORTS DANS LES REGISTRES" not in sent.text and "en attente" not in sent.html


def test_a_workbook_open_in_excel_is_pending_in_the_digest(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    config = demo_service(folder, TODAY)
    (folder / "registres" / "~$Registre des demandes 2026.xlsx").write_bytes(b"owner")  # open on a desk
    ctx = context(config, FakeClock(NOW))
    commands.run(ctx)
    [message] = digests(folder)
    text = message.get_body(("plain",)).get_content()
    backlog = re.search(r"REPORTS DANS LES REGISTRES\s*\n(.*?)\n\s*\n", text, re.S)
    assert backlog, text
    assert [line.split(" : ")[0] for line in backlog.group(1).splitlines()] == [
        "  ⚠ « Registre des demandes 2026.xlsx »"]
