"""The graph transport on its own against the Graph test server: large attachments, credentials, rooms, settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from automations.errors import TransportError
from automations.transports import BACKENDS, Address, Attachment, RoomChoice
from automations.transports.guard import GuardedTransport

from ..conftest import NOUMEA
from ..graph.server import CLIENT_SECRET, SERVICE, graph_server
from .test_transports import STAMP, mail, meeting

BIG = bytes(range(256)) * (4 * 1024 * 1024 // 256)  # 4 MB: over Graph's 3 MB for an attachment posted whole
PDF = "application/pdf"


@pytest.fixture
def server(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("GRAPH_TEST_SECRET", CLIENT_SECRET)
    with graph_server(tmp_path) as running:
        running.store.add_mailbox("salle.kaori@province-sud.nc", "Salle Kaori", room=True, capacity=20)
        yield running


def transport(server, tmp_path: Path, **overrides: object):
    return BACKENDS["graph"](server.settings(**overrides), base=tmp_path, now=lambda: STAMP)


def test_a_4_mb_attachment_goes_through_an_upload_session(server, tmp_path: Path) -> None:
    graph = transport(server, tmp_path)
    pack = replace(mail("pack/x#0"), attachments=(*mail().attachments, Attachment("Dossier de séance.pdf", BIG, PDF)))
    assert graph.lookup("pack/x#0") is None  # as the executor does before any send
    graph.send_mail(pack)
    # too big for one request: a draft with the small file, the big one in 320 KiB multiples, then one batch
    # giving the draft its delivery id and sending it
    assert server.operations() == ["$batch", "POST message", "POST createUploadSession", "PUT upload",
                                   "PUT upload", "$batch"]
    assert server.batched()[-2:] == ["PATCH message", "POST send"]
    assert server.graph.chunks == [3_276_800, len(BIG) - 3_276_800]
    assert graph.lookup("pack/x#0").reference == "graph:pack/x#0"  # accepted, still in Drafts
    server.graph.settle()
    [delivery] = server.store.deliveries_to("therese.xowie@ville-noumea.nc")
    assert [(a.name, a.content) for a in delivery.item.attachments] == [
        ("Lettre été.docx", b"PK\x03\x04 docx"), ("Dossier de séance.pdf", BIG)]
    [copy] = server.store.mailbox(SERVICE).folder("sentitems")
    assert copy.extended == {"CommissionKey": "pack/x", "CommissionDelivery": "pack/x#0"}
    assert graph.lookup("pack/x#0").reference == "graph:pack/x#0"


def test_a_meeting_with_a_4_mb_attachment_invites_with_it(server, tmp_path: Path) -> None:
    graph = transport(server, tmp_path)
    graph.send_meeting(replace(meeting(), attachments=(Attachment("Dossier.pdf", BIG, PDF),)))
    assert server.operations() == ["$batch", "POST event", "POST createUploadSession", "PUT upload", "PUT upload",
                                   "PATCH event"]
    [request] = server.store.deliveries_to("wassissi.lalie@fsh.nc")
    assert [(a.name, a.content) for a in request.item.attachments] == [("Dossier.pdf", BIG)]


def test_an_inline_image_of_an_html_mail_stays_inline(server, tmp_path: Path) -> None:
    graph = transport(server, tmp_path)
    chart = Attachment("Budget.png", b"\x89PNG fake", "image/png", content_id="budget@province-sud.nc")
    graph.send_mail(replace(mail(), body_html='<p>Budget</p><img src="cid:budget@province-sud.nc">',
                            attachments=(chart,)))
    assert server.operations() == ["POST sendMail"]
    [delivery] = server.store.deliveries_to("therese.xowie@ville-noumea.nc")
    assert delivery.item.body_type == "HTML"
    [image] = delivery.item.attachments
    assert (image.name, image.content_id, image.is_inline) == ("Budget.png", "budget@province-sud.nc", True)


def test_the_token_is_kept_for_the_next_transports_of_the_process(server, tmp_path: Path) -> None:
    for _ in range(3):
        graph = transport(server, tmp_path)
        graph.verify()
        graph.close()
    assert server.count("discovery") == 1 and server.count("token") == 1


def test_certificate_credential_signs_its_assertion(server, tmp_path: Path) -> None:
    (tmp_path / "ancien").mkdir()
    (tmp_path / "nouveau").mkdir()
    old_pem, old_thumbprint = server.issue_app_certificate(tmp_path / "ancien")
    pem, thumbprint = server.issue_app_certificate(tmp_path / "nouveau")  # Entra now holds this one only

    def settings(path: Path, **extra: object) -> dict[str, object]:
        found = server.settings(certificate=str(path.relative_to(tmp_path)), **extra)
        del found["client_secret_env"]
        return found

    for extra in ({"certificate_thumbprint": thumbprint}, {}):  # without it, msal reads the certificate's own
        assert BACKENDS["graph"].check_settings(settings(pem, **extra)) == []
        graph = BACKENDS["graph"](settings(pem, **extra), base=tmp_path, now=lambda: STAMP)
        assert graph.verify().startswith(f"Microsoft Graph joignable, boîte « {SERVICE} » ouverte")
    assert server.count("token") == 2
    refused = BACKENDS["graph"](settings(old_pem, certificate_thumbprint=old_thumbprint), base=tmp_path,
                                now=lambda: STAMP)
    with pytest.raises(TransportError) as caught:
        refused.verify()
    assert caught.value.message == (
        "Microsoft Graph : Microsoft Entra refuse l'application « appli-commissions » (invalid_client, "
        "AADSTS7000215) ; vérifiez le certificat « appli-commissions.pem » et son empreinte, déposés dans "
        "l'inscription de l'application, ainsi que client_id et tenant_id.")


@pytest.mark.usefixtures("keyring_file")  # the message says the keyring lacks it: a known, empty one
def test_missing_secret_variable_is_named(server, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("GRAPH_TEST_SECRET")
    with pytest.raises(TransportError) as caught:
        transport(server, tmp_path).verify()
    assert caught.value.fatal and caught.value.message == (
        "Microsoft Graph, secret de l'application : ni la variable d'environnement « GRAPH_TEST_SECRET » ni le "
        "trousseau du système (entrée « GRAPH_TEST_SECRET » du service « automatisation-commissions ») ne donnent ce "
        "secret ; définissez la variable pour le compte qui lance le service, ou enregistrez-le avec "
        "« python run.py secret GRAPH_TEST_SECRET ».")
    assert server.requests == []


def test_unknown_tenant_and_unknown_mailbox_stop_with_what_to_fix(server, tmp_path: Path) -> None:
    with pytest.raises(TransportError, match="Microsoft Entra ne connaît pas le locataire « province-nord »"):
        transport(server, tmp_path, tenant_id="province-nord").verify()
    with pytest.raises(TransportError) as caught:
        transport(server, tmp_path, mailbox="inconnue@province-sud.nc").lookup("test/mail#0")
    assert caught.value.fatal and caught.value.message == (
        "Microsoft Graph : la boîte « inconnue@province-sud.nc » est inconnue de Microsoft 365 ou sans messagerie "
        "Exchange Online (ErrorInvalidUser) ; vérifiez mailbox dans [transport].")


def test_application_access_policy_refusal_says_what_to_grant(server, tmp_path: Path) -> None:
    server.store.add_mailbox("ccas@lifou.nc", "CCAS de Lifou")
    server.policy = {"ccas@lifou.nc"}
    with pytest.raises(TransportError) as caught:
        transport(server, tmp_path).send_meeting(meeting())
    assert caught.value.fatal
    assert caught.value.message.startswith("Microsoft Graph : accès refusé pour la recherche de la réunion "
                                           "(ErrorAccessDenied) ; l'application doit avoir les permissions Mail.Send")
    assert f"la stratégie d'accès de l'application doit inclure la boîte « {SERVICE} »" in caught.value.message
    transport(server, tmp_path, mailbox="ccas@lifou.nc").send_meeting(meeting())
    assert [i.subject for i in server.store.calendar("ccas@lifou.nc")] == [meeting().subject]


def test_server_certificate_is_verified(server, tmp_path: Path) -> None:
    settings = server.settings()
    del settings["ca_file"]
    graph = BACKENDS["graph"](settings, base=tmp_path, now=lambda: STAMP)
    with pytest.raises(TransportError, match="certificat du serveur refusé"):
        graph.verify()
    assert server.requests == []


def test_rooms_from_the_tenant_or_a_room_list(server, tmp_path: Path) -> None:
    server.store.add_mailbox("salle.niaouli@province-sud.nc", "Salle Niaouli", room=True, capacity=12)
    server.store.add_mailbox("salle.banian@province-sud.nc", "Salle Banian", room=True, capacity=30)
    server.store.room_lists["salles.foch@province-sud.nc"] = (
        "Immeuble Foch", ["salle.kaori@province-sud.nc", "salle.niaouli@province-sud.nc"])
    everywhere = transport(server, tmp_path, room_list="*").rooms()
    assert [(r.name, r.email, r.capacity) for r in everywhere] == [
        ("Salle Kaori", "salle.kaori@province-sud.nc", 20), ("Salle Niaouli", "salle.niaouli@province-sud.nc", 12),
        ("Salle Banian", "salle.banian@province-sud.nc", 30)]
    foch = transport(server, tmp_path, room_list="salles.foch@province-sud.nc").rooms()
    assert [r.name for r in foch] == ["Salle Kaori", "Salle Niaouli"]
    assert transport(server, tmp_path).rooms() == []


def test_rooms_past_the_hundredth_are_found(server, tmp_path: Path) -> None:
    for n in range(1, 130):
        server.store.add_mailbox(f"salle.{n:03}@province-sud.nc", f"Salle {n:03}", room=True, capacity=10)
    server.store.room_lists["salles.nord@province-sud.nc"] = (
        "Province Nord", [f"salle.{n:03}@province-sud.nc" for n in range(1, 101)])
    # pages of 100 with no next link, as Microsoft 365 answers: the transport asks for the next one itself
    found = transport(server, tmp_path, room_list="*").rooms()
    assert len(found) == 130 and found[-1] == RoomChoice("Salle 129", "salle.129@province-sud.nc", 10)
    assert server.operations() == ["GET rooms"] * 2
    # exactly 100: the second page, empty, says there is no more
    assert len(transport(server, tmp_path, room_list="salles.nord@province-sud.nc").rooms()) == 100
    assert server.operations() == ["GET rooms"] * 4


def test_free_room_and_check_rooms_read_the_schedules(server, tmp_path: Path) -> None:
    graph = transport(server, tmp_path)
    kaori = RoomChoice("Salle Kaori", "salle.kaori@province-sud.nc", 20)
    ghost = RoomChoice("Salle Fantôme", "fantome@province-sud.nc", 8)
    server.store.mailbox("salle.kaori@province-sud.nc").busy.append(
        (datetime(2026, 12, 2, 9, 0, tzinfo=NOUMEA), datetime(2026, 12, 2, 11, 0, tzinfo=NOUMEA), "formation"))
    morning = (datetime(2026, 12, 2, 8, 30, tzinfo=NOUMEA), datetime(2026, 12, 2, 10, 30, tzinfo=NOUMEA))
    afternoon = (datetime(2026, 12, 2, 14, 0, tzinfo=NOUMEA), datetime(2026, 12, 2, 16, 0, tzinfo=NOUMEA))
    assert graph.free_room([kaori, ghost], *morning) is None  # one busy, the other unknown
    assert graph.free_room([ghost, kaori], *afternoon) == kaori
    assert graph.check_rooms([kaori, ghost]) == [
        (kaori, None),
        (ghost, "inconnue de Microsoft 365 ou disponibilités non lisibles (adresse à vérifier, droits de lecture)")]
    assert server.operations() == ["POST getSchedule"] * 3


def test_settings_are_checked() -> None:
    check = BACKENDS["graph"].check_settings
    assert check({"mailbox": "a@b.nc", "tenant_id": "t", "client_id": "c", "client_secret_env": "S"}) == []
    assert check({"graph_url": "http://graph.local/v1.0", "retries": -1, "password_env": "X"}) == [
        "password_env : clé inconnue pour le transport « graph »",
        "mailbox : adresse de la boîte du service (organisatrice des réunions) obligatoire",
        "tenant_id : identifiant du locataire Microsoft 365 (Microsoft Entra) obligatoire",
        "client_id : identifiant de l'application inscrite dans Microsoft Entra obligatoire",
        "client_secret_env : NOM de la variable d'environnement du secret de l'application obligatoire (ou "
        "certificate, chemin du certificat de l'application)",
        "graph_url : « http://graph.local/v1.0 » doit commencer par https://",
        "retries : nombre positif attendu, pas « -1 »"]


def _sent_once(server, graph, delivery_id: str) -> None:
    """One delivery, found by the look-up while in Drafts and once in Sent Items, no draft left behind."""
    assert len(server.store.deliveries_to("therese.xowie@ville-noumea.nc")) == 1
    assert graph.lookup(delivery_id).reference == f"graph:{delivery_id}"
    server.graph.settle()
    box = server.store.mailbox(SERVICE)
    assert box.folder("drafts") == [] and len(box.folder("sentitems")) == 1
    assert graph.lookup(delivery_id).reference == f"graph:{delivery_id}"


SMALL = [("POST sendMail", 0)]
LARGE = [("POST message", 0), ("POST createUploadSession", 0), ("PUT upload", 0), ("PUT upload", 1),
         ("PATCH message", 0), ("POST send", 0)]


@pytest.mark.parametrize(("size", "operation", "skip"), [("small", *s) for s in SMALL] + [("large", *s) for s in LARGE])
def test_a_line_dropped_at_any_request_of_a_send_gives_one_delivery(server, tmp_path: Path, size: str,
                                                                    operation: str, skip: int) -> None:
    graph = transport(server, tmp_path)
    graph.pause = lambda seconds: None
    sent = mail("lettre/x#0") if size == "small" else replace(
        mail("lettre/x#0"), attachments=(*mail().attachments, Attachment("Dossier de séance.pdf", BIG, PDF)))
    # the server does the work, then the line goes dead before its answer; the message stays in Drafts a while
    server.fail_next(operation, "drop", skip=skip)
    assert graph.lookup("lettre/x#0") is None
    graph.send_mail(sent)
    assert server.faults == []
    _sent_once(server, graph, "lettre/x#0")
    [delivery] = server.store.deliveries_to("therese.xowie@ville-noumea.nc")
    assert [a.name for a in delivery.item.attachments] == [a.filename for a in sent.attachments]


def test_a_draft_never_sent_is_replaced_and_sent_once(server, tmp_path: Path) -> None:
    big = replace(mail("lettre/x#0"), attachments=(Attachment("Dossier de séance.pdf", BIG, PDF),))
    server.fail_next("PATCH message", "forbidden")  # the run stops before the send: a draft is left
    with pytest.raises(TransportError):
        transport(server, tmp_path).send_mail(big)
    [left] = server.store.mailbox(SERVICE).folder("drafts")
    assert server.store.delivered == [] and "CommissionDelivery" not in left.extended
    graph = transport(server, tmp_path)
    assert graph.lookup("lettre/x#0") is None  # a draft without its delivery id was never sent
    graph.send_mail(big)
    assert left.item_id not in server.store.mailbox(SERVICE).items
    _sent_once(server, graph, "lettre/x#0")


def test_a_file_of_2_9_mib_goes_through_an_upload_session(server, tmp_path: Path) -> None:
    graph = transport(server, tmp_path)
    file = Attachment("Dossier de séance.pdf", b"%PDF" * (int(2.9 * 1024 * 1024) // 4), PDF)
    graph.send_mail(replace(mail(), attachments=(file,)))
    # in base64 the file alone would make a request of about 3.9 MiB: past the 4 MB Graph takes
    assert "POST createUploadSession" in server.operations() and "POST attachment" not in server.operations()
    assert server.largest <= 4_000_000
    [delivery] = server.store.deliveries_to("therese.xowie@ville-noumea.nc")
    assert [(a.name, a.content) for a in delivery.item.attachments] == [(file.filename, file.content)]


def test_a_request_throttled_inside_a_batch_is_sent_again_alone_after_its_delay(server, tmp_path: Path) -> None:
    graph = transport(server, tmp_path)
    slept: list[float] = []
    graph.pause = slept.append
    # "JSON batching" (Microsoft Learn): one request of a batch answered 429 with its own Retry-After
    server.fail_next("GET drafts", "throttle", retry_after=2)
    server.fail_next("POST attachment", "throttle", retry_after=5)
    graph.send_meeting(replace(meeting(), attachments=mail().attachments))
    assert slept == [2.0, 5.0]
    assert server.operations() == ["$batch", "$batch", "POST event", "$batch", "$batch"]
    assert server.batched() == ["GET events", "GET drafts", "GET sentitems", "GET drafts",
                                "POST attachment", "PATCH event", "POST attachment", "PATCH event"]
    [request] = server.store.deliveries_to("wassissi.lalie@fsh.nc")
    assert [a.name for a in request.item.attachments] == ["Lettre été.docx"]


def test_the_room_answers_after_the_invitation_and_may_decline(server, tmp_path: Path) -> None:
    server.store.add_mailbox("salle.niaouli@province-sud.nc", "Salle Niaouli", room=True, capacity=12)
    server.graph.declining["salle.niaouli@province-sud.nc"] = "capacité dépassée"
    graph = transport(server, tmp_path)
    graph.send_meeting(meeting())
    # the booking assistant answers after the invitation: no answer yet, the room booked meanwhile
    assert transport(server, tmp_path).room_answer("invitation/x/2026-12-02#0") is None
    other = replace(meeting("invitation/y/2026-12-02#0"), uid="invitation-y@province-sud.nc",
                    room=Address("salle.niaouli@province-sud.nc", "Salle Niaouli"))
    graph.send_meeting(other)
    server.graph.settle()
    fresh = transport(server, tmp_path)
    assert fresh.room_answer("invitation/x/2026-12-02#0") == "accepted"
    assert fresh.room_answer("invitation/y/2026-12-02#0") == "declined"  # by its policy
    assert server.store.mailbox("salle.niaouli@province-sud.nc").busy == []
    assert fresh.room_answer("invitation/z/2026-12-02#0") is None  # no such meeting
    # a third meeting on the same slot in Kaori: declined on the conflict
    third = replace(meeting("invitation/z/2026-12-02#0"), uid="invitation-z@province-sud.nc")
    fresh.send_meeting(third)
    server.graph.settle()
    assert transport(server, tmp_path).room_answer("invitation/z/2026-12-02#0") == "declined"
    # the recipients' allow-list lets the answer through; in pilot mode no room was invited
    guarded = GuardedTransport(transport(server, tmp_path), allowed_domains=["province-sud.nc"])
    assert guarded.room_answer("invitation/z/2026-12-02#0") == "declined"
    pilot = GuardedTransport(transport(server, tmp_path), pilot_address="pilote@province-sud.nc")
    assert pilot.room_answer("invitation/z/2026-12-02#0") is None
    assert BACKENDS["outbox"]({"folder": "boite"}, base=tmp_path, now=lambda: STAMP).room_answer("x#0") is None


@pytest.mark.parametrize(("operation", "skip"), [("POST event", 0), ("POST createUploadSession", 0),
                                                 ("PUT upload", 0), ("PUT upload", 1), ("PATCH event", 0)])
def test_a_line_dropped_at_any_request_of_an_invitation_gives_one(server, tmp_path: Path, operation: str,
                                                                    skip: int) -> None:
    graph = transport(server, tmp_path)
    graph.pause = lambda seconds: None
    server.fail_next(operation, "drop", skip=skip)
    sent = replace(meeting(), attachments=(Attachment("Dossier.pdf", BIG, PDF),))
    assert graph.lookup(sent.delivery_id) is None
    graph.send_meeting(sent)
    assert server.faults == []
    [request] = server.store.deliveries_to("wassissi.lalie@fsh.nc")
    assert [(a.name, a.content) for a in request.item.attachments] == [("Dossier.pdf", BIG)]
    [event] = server.store.calendar(SERVICE)
    assert [a.name for a in event.attachments] == ["Dossier.pdf"]
    assert graph.lookup(sent.delivery_id).reference == event.item_id
