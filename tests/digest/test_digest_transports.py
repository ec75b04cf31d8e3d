"""The digest sent by SMTP, by Exchange and by Graph: the manager receives the HTML, its chart inline, and the text."""

from __future__ import annotations

import io
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from automations.cli import commands

from ..conftest import NOUMEA, FakeClock
from ..digest_factory import MANAGER, Tables, add_manager, demo_service
from ..ews.server import PASSWORD as EWS_PASSWORD
from ..ews.server import SERVICE, ews_server
from ..graph.server import CLIENT_SECRET as GRAPH_SECRET
from ..graph.server import graph_server
from ..service_factory import context
from ..smtp_server import PASSWORD as SMTP_PASSWORD
from ..smtp_server import smtp_server
from ..transports.test_exchange import exchange_config
from ..transports.test_smtp import smtp_config

NOW = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)
CID = "budget-2026-w48@province-sud.nc"


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> Path:
    """The demo after its run on the outbox, without a manager: the week's work is in its journal."""
    folder = tmp_path_factory.mktemp("envois") / "demo"
    commands.run(context(demo_service(folder, NOW.date(), manager=False), FakeClock(NOW)))
    return folder


@pytest.fixture
def service(ran: Path, tmp_path: Path) -> Path:
    """A copy of that service whose config now names the manager; its config file is returned."""
    folder = shutil.copytree(ran, tmp_path / "service")
    add_manager(folder / "config.toml")
    return folder / "config.toml"


def _chart(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return image.size


def test_by_smtp(service: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SMTP_TEST_PASSWORD", SMTP_PASSWORD)
    with smtp_server(tmp_path) as server:
        smtp_config(service, server.settings())
        report = commands.run(context(service, FakeClock(NOW)), "digest")
        assert [a.key for a in report.done] == ["digest/2026-W48"]
        assert commands.run(context(service, FakeClock(NOW)), "digest").done == []
        [received] = server.inbox.received
    assert received.rcpt_tos == [MANAGER]
    message = received.message
    assert message["Subject"] == "Résumé hebdomadaire des commissions – semaine du 23 novembre 2026"
    assert [p.get_content_type() for p in message.walk()] == [
        "multipart/alternative", "text/plain", "multipart/related", "text/html", "image/png"]
    text = message.get_body(("plain",)).get_content()
    assert "EN BREF" in text and "Envois de la semaine écoulée : 24" in text
    html = message.get_body(("html",)).get_content()
    assert [i["src"] for i in Tables(html).images] == [f"cid:{CID}"]
    image = next(p for p in message.walk() if p.get_content_type() == "image/png")
    assert image["Content-ID"] == f"<{CID}>" and image.get_content_disposition() == "inline"
    assert min(_chart(image.get_content())) > 0


@pytest.mark.parametrize("kind", ["exchange", "graph"])
def test_by_exchange_or_graph(kind: str, service: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("EWS_TEST_PASSWORD", EWS_PASSWORD)
    monkeypatch.setenv("GRAPH_TEST_SECRET", GRAPH_SECRET)
    with (ews_server if kind == "exchange" else graph_server)(tmp_path) as server:
        exchange_config(service, server.settings(), kind=kind)
        report = commands.run(context(service, FakeClock(NOW)), "digest")
        assert [a.key for a in report.done] == ["digest/2026-W48"]
        assert commands.run(context(service, FakeClock(NOW)), "digest").done == []
        [delivery] = server.store.deliveries_to(MANAGER)
        if kind == "graph":
            server.graph.settle()  # Microsoft 365 moves a sent mail from Drafts to Sent Items once processed
        [copy] = server.store.mailbox(SERVICE).folder("sentitems")
    assert delivery.kind == "Message"
    assert delivery.subject == "Résumé hebdomadaire des commissions – semaine du 23 novembre 2026"
    # Exchange and Microsoft 365 take the HTML body; they make the text part themselves for clients that want one
    item = delivery.item
    assert item.body_type == "HTML"
    tables = Tables(item.body)
    assert [i["src"] for i in tables.images] == [f"cid:{CID}"]
    assert tables.rows("envois")[-1][:2] == ["Total", "24"]  # the demo's 22 sends and 2 acknowledgements
    [chart] = item.attachments
    assert (chart.name, chart.content_type, chart.content_id, chart.is_inline) == (
        "Budget 2026.png", "image/png", CID, True)
    assert min(_chart(chart.content)) > 0
    assert copy.extended == {"CommissionKey": "digest/2026-W48", "CommissionDelivery": "digest/2026-W48#0"}
