"""Small real network servers for tests: a UDP DNS server and an HTTP CONNECT proxy, both on 127.0.0.1.

``dns_server`` answers A, SRV, ... queries from a dict, with NXDOMAIN for
unknown names and an empty answer (NODATA) for a known name of another type.
``connect_proxy`` tunnels ``CONNECT host:443`` to local ports, the way an
office proxy does, and answers 502 for a host it cannot reach.
"""

from __future__ import annotations

import selectors
import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import dns.exception
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

HOST = "127.0.0.1"
TTL = 300
POLL = 0.05  # seconds between checks for shutdown


def _key(name: str) -> str:
    return name.rstrip(".").lower()


@dataclass
class DnsServer:
    port: int
    queries: list[tuple[str, str]] = field(default_factory=list)

    def resolver_attrs(self) -> dict[str, object]:
        """Attributes to set on a ``dns.resolver.Resolver(configure=False)``."""
        return {"nameservers": [HOST], "port": self.port, "timeout": 2.0}


def _dns_answer(wire: bytes, records: dict[tuple[str, str], list[str]], server: DnsServer) -> bytes | None:
    try:
        query = dns.message.from_wire(wire)
    except dns.exception.DNSException:
        return None  # not a DNS query: ignore it, as a real server would
    response = dns.message.make_response(query)
    if not query.question:
        response.set_rcode(dns.rcode.FORMERR)
        return response.to_wire()
    question = query.question[0]
    name, rdtype = _key(question.name.to_text()), dns.rdatatype.to_text(question.rdtype)
    server.queries.append((name, rdtype))
    texts = records.get((name, rdtype))
    if texts:
        response.answer.append(dns.rrset.from_text(question.name, TTL, "IN", rdtype, *texts))
    elif not any(known == name for known, _ in records):
        response.set_rcode(dns.rcode.NXDOMAIN)
    # relative names in the rdata texts are taken as absolute
    return response.to_wire(origin=dns.name.root)


@contextmanager
def dns_server(records: dict[tuple[str, str], list[str]]) -> Iterator[DnsServer]:
    """A UDP DNS server on 127.0.0.1 and a free port answering from ``records``."""
    table = {(_key(name), rdtype.upper()): list(texts) for (name, rdtype), texts in records.items()}
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((HOST, 0))
    sock.settimeout(POLL)
    server = DnsServer(port=sock.getsockname()[1])
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                wire, peer = sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            answer = _dns_answer(wire, table, server)
            if answer is not None:
                with suppress(OSError):
                    sock.sendto(answer, peer)

    thread = threading.Thread(target=serve, name=f"dns-server-{server.port}", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join(timeout=5)
        sock.close()


@dataclass
class ConnectProxy:
    port: int
    tunnels: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


class _ProxyServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True

    def __init__(self, routes: dict[str, int]) -> None:
        super().__init__((HOST, 0), _ProxyHandler)
        self.routes = {host.lower(): port for host, port in routes.items()}
        self.proxy = ConnectProxy(port=self.server_address[1])
        self.lock = threading.Lock()
        self.open_sockets: set[socket.socket] = set()
        self.handlers: set[threading.Thread] = set()

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        # tracked before the thread starts, so that shutdown sees every connection
        self.track(request)
        thread = threading.Thread(target=self.process_request_thread, args=(request, client_address),
                                  name=f"connect-proxy-{self.proxy.port}-client", daemon=True)
        with self.lock:
            self.handlers.add(thread)
        thread.start()

    def track(self, sock: socket.socket) -> None:
        with self.lock:
            self.open_sockets.add(sock)

    def close_all(self) -> None:
        """Cut every open connection: wakes up handlers blocked on them."""
        with self.lock:
            sockets = list(self.open_sockets)
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _ProxyHandler(socketserver.BaseRequestHandler):
    server: _ProxyServer
    request: socket.socket

    def handle(self) -> None:
        client = self.request
        try:
            self._handle(client)
        except OSError:
            pass  # resets and cut connections are part of the game
        finally:
            with self.server.lock:
                self.server.open_sockets.discard(client)
                self.server.handlers.discard(threading.current_thread())

    def _handle(self, client: socket.socket) -> None:
        head = self._read_head(client)
        if head is None:
            return
        method, _, rest = head.partition(" ")
        target = rest.partition(" ")[0]
        if method.upper() != "CONNECT":
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nAllow: CONNECT\r\nContent-Length: 0\r\n\r\n")
            return
        host = target.rpartition(":")[0] if ":" in target else target
        host = host.strip("[]").lower()
        self.server.proxy.tunnels.append(host)
        port = self.server.routes.get(host)
        if port is None:
            client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        try:
            upstream = socket.create_connection((HOST, port), timeout=5)
        except OSError:
            client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        upstream.settimeout(None)
        for end in (client, upstream):  # a relayed chunk goes on at once, as through a real proxy's buffers
            end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(upstream)
        try:
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            _relay(client, upstream)
        finally:
            with self.server.lock:
                self.server.open_sockets.discard(upstream)
            upstream.close()

    @staticmethod
    def _read_head(client: socket.socket) -> str | None:
        """The request line, once the whole head is in; reads byte by byte so nothing of the tunnel is lost."""
        data = b""
        while not data.endswith(b"\r\n\r\n"):
            byte = client.recv(1)
            if not byte or len(data) > 65536:
                return None
            data += byte
        return data.split(b"\r\n", 1)[0].decode("latin-1")


def _relay(left: socket.socket, right: socket.socket) -> None:
    """Copy bytes both ways until one side closes or fails."""
    peers = {left: right, right: left}
    with selectors.DefaultSelector() as selector:
        for sock in peers:
            selector.register(sock, selectors.EVENT_READ)
        while True:
            for key, _ in selector.select():
                source: socket.socket = key.fileobj  # type: ignore[assignment]
                try:
                    chunk = source.recv(65536)
                    if not chunk:
                        return
                    peers[source].sendall(chunk)
                except OSError:
                    return


@contextmanager
def connect_proxy(routes: dict[str, int]) -> Iterator[ConnectProxy]:
    """An HTTP proxy on 127.0.0.1 tunnelling CONNECT to ``routes[host]`` on 127.0.0.1."""
    server = _ProxyServer(routes)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL},
                              name=f"connect-proxy-{server.proxy.port}", daemon=True)
    thread.start()
    try:
        yield server.proxy
    finally:
        server.shutdown()
        server.close_all()
        server.server_close()
        thread.join(timeout=5)
        with server.lock:
            handlers = list(server.handlers)
        for handler in handlers:
            handler.join(timeout=5)
