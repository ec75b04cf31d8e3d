"""The test network helpers themselves: a real DNS server and a real CONNECT proxy."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dns.resolver
import pytest
import requests

from tests.ews.network import DnsServer, connect_proxy, dns_server
from tests.tls import local_authority, serving

RECORDS = {
    ("autodiscover.province-sud.nc", "A"): ["127.0.0.1"],
    ("_autodiscover._tcp.province-sud.nc.", "SRV"): ["0 0 443 mail.province-sud.nc."],
}


class Bonjour(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # the body is not held back behind the headers (see tests/graph/server.py)

    def do_GET(self) -> None:  # noqa: N802 - http.server's hook name
        body = b"bonjour"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        pass


@contextmanager
def https_server(host: str, tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """An HTTPS server on 127.0.0.1 with a certificate for ``host``; yields its port and the CA file."""
    ca_file = tmp_path / "ca.pem"
    context = local_authority(ca_file, host)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Bonjour)
    with serving(httpd, context):
        yield httpd.server_address[1], ca_file


def resolver_for(server: DnsServer) -> dns.resolver.Resolver:
    resolver = dns.resolver.Resolver(configure=False)
    for name, value in server.resolver_attrs().items():
        setattr(resolver, name, value)
    resolver.lifetime = 3.0
    return resolver


def test_dns_server_answers_records_nxdomain_and_nodata() -> None:
    with dns_server(RECORDS) as server:
        resolver = resolver_for(server)
        assert [r.to_text() for r in resolver.resolve("Autodiscover.Province-Sud.nc", "A")] == ["127.0.0.1"]
        srv = resolver.resolve("_autodiscover._tcp.province-sud.nc.", "SRV")
        assert [r.to_text() for r in srv] == ["0 0 443 mail.province-sud.nc."]
        with pytest.raises(dns.resolver.NXDOMAIN):
            resolver.resolve("inconnu.province-sud.nc", "A")
        with pytest.raises(dns.resolver.NoAnswer):
            resolver.resolve("autodiscover.province-sud.nc", "AAAA")
    assert server.queries == [
        ("autodiscover.province-sud.nc", "A"),
        ("_autodiscover._tcp.province-sud.nc", "SRV"),
        ("inconnu.province-sud.nc", "A"),
        ("autodiscover.province-sud.nc", "AAAA"),
    ]


def test_connect_proxy_tunnels_https_to_a_routed_host(tmp_path: Path) -> None:
    with https_server("example-route.test", tmp_path) as (port, ca_file):
        with connect_proxy({"example-route.test": port}) as proxy:
            response = requests.get("https://example-route.test/x", proxies={"https": proxy.url},
                                    verify=str(ca_file), timeout=5)
            assert response.status_code == 200
            assert response.text == "bonjour"
            assert proxy.tunnels == ["example-route.test"]
    assert not [t for t in threading.enumerate() if t.name.startswith("connect-proxy-")]


def test_connect_proxy_answers_bad_gateway_for_an_unknown_host() -> None:
    with connect_proxy({}) as proxy:
        with pytest.raises(requests.exceptions.ProxyError):
            requests.get("https://inconnu.test/x", proxies={"https": proxy.url}, timeout=5)
        assert proxy.tunnels == ["inconnu.test"]


def test_connect_proxy_refuses_other_methods() -> None:
    with connect_proxy({}) as proxy:
        response = requests.get("http://example-route.test/x", proxies={"http": proxy.url}, timeout=5)
        assert response.status_code == 405
        assert proxy.tunnels == []


def test_connect_proxy_shuts_down_with_a_tunnel_still_open() -> None:
    with socket.create_server(("127.0.0.1", 0)) as upstream:
        start = time.monotonic()
        with connect_proxy({"example-route.test": upstream.getsockname()[1]}) as proxy:
            client = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
            client.sendall(b"CONNECT example-route.test:443 HTTP/1.1\r\nHost: example-route.test:443\r\n\r\n")
            assert client.recv(1024) == b"HTTP/1.1 200 Connection established\r\n\r\n"
            accepted, _ = upstream.accept()
            client.sendall(b"ping")
            accepted.settimeout(5)
            assert accepted.recv(4) == b"ping"
        # both ends of the tunnel were cut, and nothing of the proxy is left running
        assert time.monotonic() - start < 2
        assert client.recv(1024) == b""
        assert accepted.recv(1024) == b""
        client.close()
        accepted.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("connect-proxy-")]
