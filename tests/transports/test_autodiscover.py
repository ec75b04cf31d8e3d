"""Finding the Exchange server by autodiscover, over the wire: a DNS server, an office proxy, the EWS server.

The service's domain is resolved by a DNS server on 127.0.0.1 and reached
through an HTTP proxy (CONNECT), as in an office whose workstations go out
through one; no name leaves the machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from exchangelib.autodiscover import Autodiscovery, clear_cache

from automations.errors import TransportError
from automations.transports import BACKENDS

from ..ews.network import ConnectProxy, DnsServer, connect_proxy, dns_server
from ..ews.server import PASSWORD, SERVICE, EwsServer, ews_server
from .test_transports import STAMP, meeting

DOMAIN = "province-sud.nc"
NAMES = (DOMAIN, f"autodiscover.{DOMAIN}", f"mail.{DOMAIN}")


@pytest.fixture
def office(tmp_path: Path, monkeypatch) -> Iterator[tuple[EwsServer, ConnectProxy]]:
    monkeypatch.setenv("EWS_TEST_PASSWORD", PASSWORD)
    with ews_server(tmp_path, *NAMES) as server, connect_proxy({name: server.port for name in NAMES}) as proxy:
        server.public_host = f"mail.{DOMAIN}"
        for variable in ("HTTPS_PROXY", "https_proxy"):
            monkeypatch.setenv(variable, proxy.url)
        for variable in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(variable, raising=False)
        clear_cache()  # exchangelib keeps what it found on disk, per domain
        yield server, proxy
        clear_cache()


def _use(monkeypatch, dns: DnsServer) -> None:
    monkeypatch.setattr(Autodiscovery, "DNS_RESOLVER_ATTRS", dns.resolver_attrs())


def _transport(server: EwsServer, tmp_path: Path, **overrides: object):
    settings = server.settings(autodiscover=True, **overrides)
    del settings["server"]
    assert BACKENDS["exchange"].check_settings(settings) == []
    return BACKENDS["exchange"](settings, base=tmp_path, now=lambda: STAMP)


def test_autodiscover_host_of_the_domain(office, tmp_path: Path, monkeypatch) -> None:
    server, proxy = office
    with dns_server({(f"autodiscover.{DOMAIN}", "A"): ["10.2.0.15"],
                     (f"mail.{DOMAIN}", "A"): ["10.2.0.16"]}) as dns:
        _use(monkeypatch, dns)
        transport = _transport(server, tmp_path, auth="ntlm", username=f"PROVINCE\\svc-commissions")
        assert transport.verify().startswith(f"Exchange joignable, boîte « {SERVICE} » ouverte")
        transport.send_meeting(meeting())
    assert [i.subject for i in server.store.calendar(SERVICE)] == [meeting().subject]
    # https://province-sud.nc has no address; https://autodiscover.province-sud.nc answers with the EWS address
    assert (DOMAIN, "A") in dns.queries and (f"autodiscover.{DOMAIN}", "A") in dns.queries
    assert server.count("GetUserSettings") == 1
    assert set(proxy.tunnels) == {f"autodiscover.{DOMAIN}", f"mail.{DOMAIN}"}


def test_autodiscover_by_dns_srv_record(office, tmp_path: Path, monkeypatch) -> None:
    server, proxy = office
    with dns_server({(f"_autodiscover._tcp.{DOMAIN}", "SRV"): [f"0 0 443 mail.{DOMAIN}."],
                     (f"mail.{DOMAIN}", "A"): ["10.2.0.16"]}) as dns:
        _use(monkeypatch, dns)
        transport = _transport(server, tmp_path)
        transport.send_meeting(meeting())
    assert (f"_autodiscover._tcp.{DOMAIN}", "SRV") in dns.queries
    assert set(proxy.tunnels) == {f"mail.{DOMAIN}"}
    assert [i.subject for i in server.store.calendar(SERVICE)] == [meeting().subject]


def test_autodiscover_that_finds_nothing_says_what_to_set(office, tmp_path: Path, monkeypatch) -> None:
    server, proxy = office
    with dns_server({}) as dns:
        _use(monkeypatch, dns)
        transport = _transport(server, tmp_path)
        with pytest.raises(TransportError) as caught:
            transport.verify()
    assert caught.value.fatal
    assert caught.value.message.startswith(
        f"Exchange : la découverte automatique (autodiscover) n'a pas trouvé le serveur de « {SERVICE} »")
    assert 'server = "https://.../EWS/Exchange.asmx"' in caught.value.message
    assert proxy.tunnels == [] and server.requests == []


def test_autodiscover_for_an_unknown_mailbox(office, tmp_path: Path, monkeypatch) -> None:
    server, _ = office
    with dns_server({(f"autodiscover.{DOMAIN}", "A"): ["10.2.0.15"]}) as dns:
        _use(monkeypatch, dns)
        transport = _transport(server, tmp_path, mailbox=f"inconnu@{DOMAIN}")
        with pytest.raises(TransportError, match=f"la boîte « inconnu@{DOMAIN} » est inconnue"):
            transport.verify()
    assert server.store.calendar(SERVICE) == []
