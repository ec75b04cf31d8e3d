"""The exchange transport end to end, against the EWS test server: what Outlook users and rooms would see."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
import requests

from automations.cli import commands
from automations.errors import TransportError
from automations.transports import BACKENDS

from ..ews.server import PASSWORD, SERVICE, USER, EwsServer, ews_server
from ..service_factory import context, edit_planning, make_service
from .test_transports import STAMP, mail, meeting

PLANNING = Path("registres") / "Planning des instances 2026.xlsx"


def exchange_config(config: Path, settings: dict[str, object], kind: str = "exchange") -> None:
    lines = [f"{key} = {value!r}".replace("'", '"') for key, value in settings.items()]
    text = config.read_text(encoding="utf-8").replace(
        'kind = "outbox"\nfolder = "boite-d-envoi"', f'kind = "{kind}"\n' + "\n".join(lines))
    text = text.replace('\ninbox = "boite-de-reception"', "")  # the demo's inbox folder: an outbox key
    config.write_text(text, encoding="utf-8")


def add_rooms(server: EwsServer) -> None:
    server.store.add_mailbox("salle.kaori@province-sud.nc", "Salle Kaori", room=True, capacity=20)
    server.store.add_mailbox("salle.niaouli@province-sud.nc", "Salle Niaouli", room=True, capacity=12)


@pytest.fixture
def exchange(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("EWS_TEST_PASSWORD", PASSWORD)
    with ews_server(tmp_path) as server:
        add_rooms(server)
        config = make_service(tmp_path / "service")
        exchange_config(config, server.settings())
        yield server, config


def planning_row(config: Path, number: int) -> dict[str, object]:
    ws = openpyxl.load_workbook(config.parent / PLANNING)["Planning 2026"]
    header = [c.value for c in ws[4]]
    return dict(zip(header, [c.value for c in ws[number]]))


def test_server_busy_back_off_is_honoured(exchange, clock) -> None:
    server, config = exchange
    server.fail_next("CreateItem", "busy", back_off_ms=300)
    report = commands.run(context(config, clock))
    assert [a.kind for a in report.done] == ["create"]
    creates = [r for r in server.requests if r.operation == "CreateItem"]
    assert len(creates) == 2
    assert creates[1].at - creates[0].at >= 0.3
    assert len(server.store.calendar(SERVICE)) == 1


def test_connection_dropped_after_create_gives_no_duplicate(exchange, clock) -> None:
    server, config = exchange
    server.fail_next("CreateItem", "drop")
    report = commands.run(context(config, clock))
    # the transport asked the server, found the meeting and did not create it again
    assert server.count("CreateItem") == 1
    assert len(server.store.calendar(SERVICE)) == 1
    assert len(server.store.deliveries_to("wassissi.lalie@fsh.nc")) == 1
    assert [a.kind for a in report.done + report.recovered] == ["create"]
    again = commands.run(context(config, clock))
    assert again.done == [] and again.failed == []
    assert len(server.store.deliveries_to("wassissi.lalie@fsh.nc")) == 1


def test_refused_login_is_reported_once_in_french(exchange, clock, monkeypatch) -> None:
    server, config = exchange
    monkeypatch.setenv("EWS_TEST_PASSWORD", "faux")
    ctx = context(config, clock)
    with pytest.raises(TransportError) as caught:
        commands.run(ctx)
    assert caught.value.message.startswith("Exchange : identifiants refusés pour « svc-commissions »")
    assert server.store.calendar(SERVICE) == []
    check_ctx = context(config, clock)
    assert commands.check(check_ctx) == 1
    assert "Envois : ✗ Exchange : identifiants refusés" in check_ctx.out.getvalue()


def test_certificate_is_verified(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("EWS_TEST_PASSWORD", PASSWORD)
    with ews_server(tmp_path) as server:
        settings = server.settings()
        del settings["ca_file"]
        transport = BACKENDS["exchange"](settings, base=tmp_path, now=lambda: STAMP)
        with pytest.raises(TransportError, match="certificat du serveur refusé"):
            transport.verify()
        assert server.requests == []


def test_oauth2_client_credentials(tmp_path: Path, monkeypatch) -> None:
    from ..ews.server import CLIENT_ID, CLIENT_SECRET, TENANT

    monkeypatch.setenv("EWS_TEST_SECRET", CLIENT_SECRET)
    with ews_server(tmp_path) as server:
        settings = server.settings(auth="oauth2", tenant_id=TENANT, client_id=CLIENT_ID,
                                   client_secret_env="EWS_TEST_SECRET", authority=f"https://localhost:{server.port}")
        del settings["username"], settings["password_env"]
        assert BACKENDS["exchange"].check_settings(settings) == []
        transport = BACKENDS["exchange"](settings, base=tmp_path, now=lambda: STAMP)
        transport.send_mail(mail())
        assert server.token_requests == 1
        [request] = server.requests
        assert request.acting == SERVICE  # the application acts for the service mailbox
        [copy] = server.store.mailbox(SERVICE).folder("sentitems")
        assert copy.subject == "Décision de la commission – réponse"


def test_mail_is_sent_and_saved_with_its_attachment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("EWS_TEST_PASSWORD", PASSWORD)
    with ews_server(tmp_path) as server:
        transport = BACKENDS["exchange"](server.settings(), base=tmp_path, now=lambda: STAMP)
        transport.send_mail(mail())
        [delivery] = server.store.deliveries_to("therese.xowie@ville-noumea.nc")
        assert delivery.kind == "Message"
        assert delivery.item.body.startswith("Madame,")
        assert [(a.name, a.content) for a in delivery.item.attachments] == [("Lettre été.docx", b"PK\x03\x04 docx")]
        [copy] = server.store.mailbox(SERVICE).folder("sentitems")
        assert copy.extended == {"CommissionKey": "test/mail", "CommissionDelivery": "test/mail#0"}


def test_settings_are_checked() -> None:
    check = BACKENDS["exchange"].check_settings
    assert check({"server": "http://mail/EWS/Exchange.asmx", "mailbox": "a@b.nc", "auth": "kerberos",
                  "retries": -1}) == [
        "server : « http://mail/EWS/Exchange.asmx » doit commencer par https:// (le mot de passe ne circule pas "
        "en clair)",
        "auth : « kerberos » inconnu (au choix : ntlm, basic, oauth2)",
        "retries : nombre positif attendu, pas « -1 »"]
    assert check({"mailbox": "a@b.nc", "auth": "oauth2", "autodiscover": True})[0] == (
        "tenant_id : obligatoire avec auth = \"oauth2\"")


ONLINE = ("Exchange Online n'accepte plus EWS (bloqué depuis le 1er octobre 2026, arrêté en avril 2027) : "
          "utilisez le transport kind = \"graph\" (Microsoft Graph), voir le README, « Microsoft 365 »")


@pytest.mark.parametrize("settings, key", [
    ({"server": "https://outlook.office365.com/EWS/Exchange.asmx", "username": "u", "password_env": "P"}, "server"),
    ({"server": "https://outlook.office365.us/EWS/Exchange.asmx", "username": "u", "password_env": "P"}, "server"),
    ({"autodiscover": True, "mailbox": "commissions@provincesud.onmicrosoft.com", "username": "u",
      "password_env": "P"}, "mailbox"),
    ({"autodiscover": True, "auth": "oauth2", "tenant_id": "t", "client_id": "c", "client_secret_env": "S"}, "auth"),
])
def test_check_sends_exchange_online_to_graph(settings: dict[str, object], key: str) -> None:
    problems = BACKENDS["exchange"].check_settings({"mailbox": "commissions@province-sud.nc", **settings})
    assert problems == [f"{key} : {ONLINE}"]


def test_an_exchange_of_the_service_stays_accepted() -> None:
    check = BACKENDS["exchange"].check_settings
    assert check({"server": "https://mail.province-sud.nc/EWS/Exchange.asmx", "mailbox": "commissions@province-sud.nc",
                  "username": "u", "password_env": "P"}) == []
    # modern authentication against the service's own AD FS is not Exchange Online
    assert check({"server": "https://mail.province-sud.nc/EWS/Exchange.asmx", "mailbox": "commissions@province-sud.nc",
                  "auth": "oauth2", "authority": "https://adfs.province-sud.nc/adfs", "tenant_id": "t",
                  "client_id": "c", "client_secret_env": "S"}) == []


def test_impersonation_acts_for_the_shared_mailbox(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("EWS_TEST_PASSWORD", PASSWORD)
    with ews_server(tmp_path) as server:
        server.store.add_mailbox("ccas@lifou.nc", "CCAS de Lifou")
        transport = BACKENDS["exchange"](server.settings(mailbox="ccas@lifou.nc", access="impersonation"),
                                         base=tmp_path, now=lambda: STAMP)
        transport.send_meeting(meeting())
        assert [i.subject for i in server.store.calendar("ccas@lifou.nc")] == [meeting().subject]
        assert server.store.calendar(SERVICE) == []


def test_interrupted_run_is_recovered_by_the_next_one_without_duplicate(exchange, clock) -> None:
    server, config = exchange
    # the line drops after Exchange sent the invitations, then the check is refused: the run stops there
    server.fail_next("CreateItem", "drop")
    server.fail_next("FindItem", "unauthorized", skip=1)
    with pytest.raises(TransportError):
        commands.run(context(config, clock))
    assert len(server.store.calendar(SERVICE)) == 1
    ctx = context(config, clock)
    report = commands.run(ctx)
    assert [a.kind for a in report.recovered] == ["create"] and report.done == []
    assert "déjà envoyé lors d'un passage interrompu" in ctx.out.getvalue()
    assert server.count("CreateItem") == 1
    assert len(server.store.deliveries_to("wassissi.lalie@fsh.nc")) == 1
    assert planning_row(config, 6)["Salle réservée"] == "Salle Kaori"


def test_ntlm_login_as_on_premises_exchange(tmp_path: Path, monkeypatch) -> None:
    from ..ews.server import DOMAIN, USER

    monkeypatch.setenv("EWS_TEST_PASSWORD", PASSWORD)
    with ews_server(tmp_path) as server:
        settings = server.settings(auth="ntlm", username=f"{DOMAIN}\\{USER}")
        transport = BACKENDS["exchange"](settings, base=tmp_path, now=lambda: STAMP)
        assert transport.verify().startswith(f"Exchange joignable, boîte « {SERVICE} » ouverte")
        transport.send_meeting(meeting())
        assert server.logins == {f"{DOMAIN}\\{USER}"}
        assert [i.subject for i in server.store.calendar(SERVICE)] == [meeting().subject]
        monkeypatch.setenv("EWS_TEST_PASSWORD", "faux")
        refused = BACKENDS["exchange"](settings, base=tmp_path, now=lambda: STAMP)
        with pytest.raises(TransportError, match="identifiants refusés"):
            refused.verify()


def test_meeting_copies_in_sent_items_are_found_by_the_lookup(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("EWS_TEST_PASSWORD", PASSWORD)
    with ews_server(tmp_path) as server:
        add_rooms(server)
        transport = BACKENDS["exchange"](server.settings(), base=tmp_path, now=lambda: STAMP)
        first = transport.send_meeting(meeting())
        moved = meeting("invitation/x/2026-12-02#1")
        hour = timedelta(hours=1)
        transport.send_meeting(replace(moved, start=moved.start + hour, end=moved.end + hour))
        box = server.store.mailbox(SERVICE)
        # Exchange keeps what it sent, the meeting requests, each with the properties of the meeting at the time
        key = "invitation/x/2026-12-02"
        assert [(i.kind, i.extended) for i in box.folder("sentitems")] == [
            ("MeetingRequest", {"CommissionKey": key, "CommissionDelivery": f"{key}#0"}),
            ("MeetingRequest", {"CommissionKey": key, "CommissionDelivery": f"{key}#1"})]
        assert transport.lookup(f"{key}#1").reference == first.reference  # the meeting itself, updated
        assert transport.lookup(f"{key}#0") is not None
        # staff delete the meeting from the calendar: the copy in Sent Items still says the update went out
        [item] = server.store.calendar(SERVICE)
        item.folder = "deleteditems"
        assert transport.lookup(f"{key}#1").reference == f"exchange:{key}#1"
        # a cancellation leaves its own copy, which does not make a new revision look sent
        item.folder = "calendar"
        assert transport.lookup(f"{key}#2") is None  # as the run asks before each send
        transport.send_meeting(meeting(f"{key}#2", method="CANCEL"))
        assert [i.kind for i in box.folder("sentitems")] == ["MeetingRequest", "MeetingRequest", "MeetingCancellation"]
        assert box.folder("sentitems")[-1].extended["CommissionDelivery"] == f"{key}#1"
        assert transport.lookup(f"{key}#3") is None
        transport.close()


def test_find_item_answers_meeting_copies_under_their_own_element(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("EWS_TEST_PASSWORD", PASSWORD)
    with ews_server(tmp_path) as server:
        transport = BACKENDS["exchange"](server.settings(), base=tmp_path, now=lambda: STAMP)
        transport.send_meeting(meeting())
        transport.close()
        find = server.requests[-2]
        assert find.operation == "FindItem"
        answer = requests.post(server.url, data=find.body, auth=(USER, PASSWORD), verify=str(server.ca_file),
                               headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=10)
        # the FindItem of the look-up, replayed: the calendar holds the meeting, Sent Items the request sent
        assert answer.status_code == 200
        text = answer.text
        assert "<t:CalendarItem>" in text and "<t:MeetingRequest>" in text
        assert "<t:ItemClass>IPM.Schedule.Meeting.Request</t:ItemClass>" in text
        assert text.count('PropertyName="CommissionDelivery"') == 2


def test_connection_dropped_after_an_update_gives_no_duplicate(exchange, clock) -> None:
    server, config = exchange
    commands.run(context(config, clock))
    edit_planning(config.parent, 6, Heure="14h00")
    server.fail_next("UpdateItem", "drop")
    report = commands.run(context(config, clock))
    # the check after the drop read the calendar and Sent Items, where the update's meeting request now is
    assert [a.kind for a in report.done + report.recovered] == ["update"] and report.failed == []
    assert server.count("UpdateItem") == 1
    assert [d.kind for d in server.store.deliveries_to("wassissi.lalie@fsh.nc")] == ["MeetingRequest"] * 2
    key = "invitation/commission-maintien-dans-le-logement/2026-12-02"
    assert [(i.kind, i.extended["CommissionDelivery"]) for i in server.store.mailbox(SERVICE).folder("sentitems")] == [
        ("MeetingRequest", f"{key}#0"), ("MeetingRequest", f"{key}#1")]
    again = commands.run(context(config, clock))
    assert again.done == [] and again.failed == []
