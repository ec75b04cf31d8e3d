"""The digest as a mail client shows it: HTML drawn by Chromium, nothing fetched from outside, the chart's bars."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from automations.cli import commands
from automations.follow_ups.budget import SchemeBudget
from automations.digest.content import gather
from automations.digest.render import BLUE, ENVELOPE, RED, budget_chart, render_html, render_text
from automations.domain.service import Service
from automations.settings.model import DigestSettings
from automations.transports import Address, Attachment, Mail
from automations.transports.guard import GuardedTransport
from automations.transports.memory import MemoryTransport
from automations.transports.mime import mail_message

from ..conftest import NOUMEA, FakeClock
from ..digest_factory import Tables, demo_service, digests
from ..service_factory import context

NOW = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("Chromium est introuvable (ni « chromium » ni « chromium-browser » dans le PATH) : installez le "
                "paquet Debian « chromium », comme le fait .ci/run ; ce test vérifie le rendu HTML du résumé.")


def screenshot(html: str, tmp_path: Path, width: int, height: int) -> Path:
    """The HTML as Chromium draws it in a window of that size, as a PNG."""
    page = tmp_path / "resume.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "resume.png"
    result = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                             f"--user-data-dir={tmp_path / 'profil'}", f"--screenshot={shot}",
                             f"--window-size={width},{height}", page.as_uri()],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    return shot


@pytest.fixture(scope="module")
def digest(tmp_path_factory) -> tuple[str, dict[str, bytes]]:
    """The demo's digest: its HTML, and its inline images by Content-ID."""
    folder = tmp_path_factory.mktemp("rendu") / "demo"
    commands.run(context(demo_service(folder, NOW.date()), FakeClock(NOW)))
    [message] = digests(folder)
    images = {str(p["Content-ID"]).strip("<>"): p.get_content() for p in message.walk() if p.get("Content-ID")}
    return message.get_body(("html",)).get_content(), images


def _near(pixel: tuple[int, int, int], colour: str, tolerance: int = 4) -> bool:
    wanted = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, wanted))


def test_chromium_draws_the_digest(digest, tmp_path: Path) -> None:
    html, images = digest
    # for this test only: a browser opening a file cannot resolve cid:, so the chart goes in as a data: URI
    for cid, png in images.items():
        html = html.replace(f"cid:{cid}", f"data:image/png;base64,{base64.b64encode(png).decode()}")
    # tall enough for the whole digest: the mail and planning sections come before the budget's chart
    shot = screenshot(html, tmp_path, 1000, 4000)
    with Image.open(shot) as image:
        assert image.size == (1000, 4000)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 24)
    assert colours is not None and len(colours) > 1
    counts = {colour: count for count, colour in colours}
    # the banner's blue, and the chart's envelope grey, which only the chart image has: the image was drawn
    assert sum(n for c, n in counts.items() if _near(c, BLUE)) > 5000
    assert sum(n for c, n in counts.items() if _near(c, ENVELOPE)) > 2000


def test_nothing_is_fetched_from_outside(digest) -> None:
    html, images = digest
    tables = Tables(html)
    assert [i["src"] for i in tables.images] == [f"cid:{cid}" for cid in images]
    lowered = html.lower()
    for outside in ("<link", "<script", "<style", "url(", "src=\"http", "@import", "background=\"http"):
        assert outside not in lowered
    # widths and borders as attributes too: Outlook reads those where it ignores CSS
    for ident in ("en-bref", "seances", "envois", "budget", "registres"):
        assert f'<table id="{ident}" width="632" border="1"' in html


def _pixels(png: bytes) -> set[tuple[int, int, int]]:
    with Image.open(io.BytesIO(png)) as image:
        return {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 24)}


def test_a_scheme_over_its_envelope_has_a_red_bar() -> None:
    within = [SchemeBudget(2026, "Maintien dans le logement", 12_000_000, 4_805_000),
              SchemeBudget(2026, "Première entrée", 10_000_000, 9_999_000)]
    chart = budget_chart(within, 2026)
    assert chart.png.startswith(b"\x89PNG") and chart.width > 0 and chart.height > 0
    colours = _pixels(chart.png)
    assert any(_near(c, BLUE, 0) for c in colours) and not any(_near(c, RED, 0) for c in colours)
    over = within + [SchemeBudget(2026, "Insertion par le logement et l'emploi", 1_700_000, 1_769_000)]
    assert any(_near(c, RED, 0) for c in _pixels(budget_chart(over, 2026).png))
    assert budget_chart(over, 2026).png == budget_chart(over, 2026).png  # the same facts, the same bytes


def _mail(**changes: object) -> Mail:
    fields: dict[str, object] = dict(
        delivery_id="digest/2026-W48#0", subject="Résumé", sender=Address("commissions@province-sud.nc"),
        to=(Address("cheffe@province-sud.nc"),), body_text="Texte", body_html='<body><img src="cid:graphe@x"></body>',
        attachments=(Attachment("Budget.png", b"\x89PNG", "image/png", content_id="graphe@x"),
                     Attachment("Note.docx", b"PK", "application/octet-stream")))
    fields.update(changes)
    return Mail(**fields)  # type: ignore[arg-type]


def test_inline_image_travels_with_the_html_and_files_stay_files() -> None:
    message = mail_message(_mail(), NOW)
    assert [p.get_content_type() for p in message.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "multipart/related", "text/html", "image/png",
        "application/octet-stream"]
    image = next(p for p in message.walk() if p.get_content_type() == "image/png")
    assert (image["Content-ID"], image.get_content_disposition()) == ("<graphe@x>", "inline")
    assert [a.get_filename() for a in message.iter_attachments()] == ["Note.docx"]
    # without an HTML body to show it, an image is a file like any other
    plain = mail_message(_mail(body_html=None), NOW)
    assert [a.get_filename() for a in plain.iter_attachments()] == ["Budget.png", "Note.docx"]


def test_pilot_mode_says_the_real_recipient_in_the_html_too() -> None:
    inner = MemoryTransport()
    GuardedTransport(inner, pilot_address="pilote@province-sud.nc").send_mail(_mail())
    [sent] = inner.sent
    assert sent.body_html.startswith("<body><p ")  # type: ignore[union-attr]
    assert "[Mode pilote] Destinataires réels : cheffe@province-sud.nc" in sent.body_html  # type: ignore[operator]


def test_a_quiet_week_still_reads_well() -> None:
    facts = gather(Service(), [], {}, NOW, DigestSettings(), 30, {}, {})
    text = render_text(facts, "CCAS de Lifou")
    for line in ("Aucune séance dans cette période.", "Rien n'a été envoyé cette semaine.", "Rien en retard.",
                 "Aucune enveloppe pour 2026 dans la configuration ([budget.2026]).",
                 "PROBLÈMES DANS LES REGISTRES : 0 erreur, 0 avertissement"):
        assert line in text
    html = render_html(facts, "CCAS de Lifou")
    assert "Aucun problème dans les registres." in html and "<img" not in html
    assert list(Tables(html).tables) == ["en-bref"]
