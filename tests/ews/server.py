"""An EWS server for tests: HTTPS on 127.0.0.1, real SOAP in and out, stateful, with faults on demand.

It answers the operations of ``operations.py``, checks Basic or OAuth2
bearer logins, serves an OAuth2 token endpoint, counts requests per
operation, and can fail the next request of an operation: ErrorServerBusy
with a back-off, HTTP 401, or the connection dropped after the work was done.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs
from xml.etree import ElementTree as ET

import spnego
import spnego.exceptions

from ..tls import local_authority, serving
from . import autodiscover
from .operations import OPERATIONS, OperationFault, Request, answer
from .soap import S, T, envelope, fault
from .store import Store

USER, PASSWORD = "svc-commissions", "mot-de-passe-ews"
DOMAIN = "PROVINCE"  # NTLM logins are DOMAIN\\user
SERVICE = "commissions@province-sud.nc"
TENANT, CLIENT_ID, CLIENT_SECRET = "province-sud", "appli-commissions", "secret-oauth-de-test"


@dataclass
class Fault:
    operation: str
    kind: str  # busy | unauthorized | drop
    back_off_ms: int = 0
    skip: int = 0  # let this many requests of the operation through first


@dataclass
class Seen:
    operation: str
    at: float
    body: bytes
    acting: str


@dataclass
class EwsServer:
    store: Store
    port: int
    ca_file: Path
    requests: list[Seen] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    token_requests: int = 0
    logins: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    public_host: str = ""  # the name autodiscover gives for EWS, when clients come through a proxy

    @property
    def url(self) -> str:
        host = self.public_host or f"localhost:{self.port}"
        return f"https://{host}/EWS/Exchange.asmx"

    def settings(self, **overrides: object) -> dict[str, object]:
        settings: dict[str, object] = {"server": self.url, "auth": "basic", "username": USER,
                                       "password_env": "EWS_TEST_PASSWORD", "mailbox": SERVICE,
                                       "ca_file": str(self.ca_file), "max_wait": 5}
        settings.update(overrides)
        return settings

    def fail_next(self, operation: str, kind: str, back_off_ms: int = 0, skip: int = 0) -> None:
        self.faults.append(Fault(operation, kind, back_off_ms, skip))

    def count(self, operation: str | None = None) -> int:
        return sum(1 for r in self.requests if operation is None or r.operation == operation)

    def operations(self) -> list[str]:
        return [r.operation for r in self.requests]

    def take_fault(self, operation: str) -> Fault | None:
        with self.lock:
            for index, pending in enumerate(self.faults):
                if pending.operation == operation:
                    if pending.skip:
                        pending.skip -= 1
                        return None
                    return self.faults.pop(index)
        return None


def _operation_of(body: ET.Element) -> ET.Element:
    soap_body = body.find(f"{{{S}}}Body")
    if soap_body is None or not len(soap_body):
        raise OperationFault("ErrorInvalidRequest", "corps SOAP absent")
    return soap_body[0]


def _make_handler(server: EwsServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body go out in two writes: without TCP_NODELAY the body waits for the client's delayed
        # acknowledgement of the headers (about 40 ms on Linux), on every request of a kept-alive connection
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass

        def _reply(self, status: int, payload: bytes, content_type: str = "text/xml; charset=utf-8",
                   extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        ntlm: Any = None  # the NTLM handshake of this connection, which NTLM authenticates as a whole

        def _refuse(self) -> None:
            self.send_response(401)
            self.send_header("WWW-Authenticate", "NTLM")
            self.send_header("WWW-Authenticate", 'Basic realm="EWS"')
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _ntlm_step(self, token: str) -> str | None:
            """One leg of NTLM: a challenge is sent back (None), or the login once it is complete."""
            if self.ntlm is None or self.ntlm.complete:
                self.ntlm = spnego.server(protocol="ntlm")
            try:
                answer = self.ntlm.step(base64.b64decode(token))
            except spnego.exceptions.SpnegoError:
                self.ntlm = None
                return None
            if not self.ntlm.complete:
                self.send_response(401)
                self.send_header("WWW-Authenticate", f"NTLM {base64.b64encode(answer).decode()}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return ""
            return str(self.ntlm.client_principal)

        def _login(self) -> str | None:
            header = self.headers.get("Authorization", "")
            if header.startswith("NTLM "):
                return self._ntlm_step(header[5:])
            if header.startswith("Basic "):
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
                return user if (user, password) == (USER, PASSWORD) else None
            if header.startswith("Bearer ") and header[7:] in server.tokens:
                return CLIENT_ID
            return None

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path.endswith("/oauth2/v2.0/token"):
                self._token(data)
                return
            login = self._login()
            if login == "":
                return  # NTLM challenge sent on this connection
            if login is None:
                self._refuse()
                return
            server.logins.add(login)
            root = ET.fromstring(data)
            if self.path.lower() == autodiscover.PATH:
                server.requests.append(Seen("GetUserSettings", time.monotonic(), data, login))
                self._reply(200, autodiscover.user_settings(root, set(server.store.mailboxes), server.url))
                return
            operation_elem = _operation_of(root)
            operation = operation_elem.tag.rpartition("}")[2]
            header = root.find(f"{{{S}}}Header")
            version_elem = header.find(f"{{{T}}}RequestServerVersion") if header is not None else None
            version = version_elem.get("Version", "Exchange2016") if version_elem is not None else "Exchange2016"
            impersonated = header.find(f".//{{{T}}}PrimarySmtpAddress") if header is not None else None
            acting = (impersonated.text if impersonated is not None else SERVICE).lower()
            server.requests.append(Seen(operation, time.monotonic(), data, acting))
            pending = server.take_fault(operation)
            if pending and pending.kind == "unauthorized":
                self._refuse()
                return
            if pending and pending.kind == "busy":
                self._reply(500, fault("ErrorServerBusy", "The server cannot service this request right now. "
                                       "Try again later.", pending.back_off_ms))
                return
            if operation not in OPERATIONS:
                self._reply(500, fault("ErrorInvalidRequest", f"opération non gérée : {operation}"))
                return
            try:
                with server.lock:
                    response = answer(Request(operation, operation_elem, acting, server.store))
            except OperationFault as failure:
                self._reply(500, fault(failure.code, str(failure)))
                return
            if pending and pending.kind == "drop":
                # the work is done server-side, then the line goes dead before the answer
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self._reply(200, envelope(response, version))

        def do_HEAD(self) -> None:  # noqa: N802 - http.server's name
            # autodiscover checks that a redirect target answers before following it
            self._reply(200, b"")

        def _token(self, data: bytes) -> None:
            server.token_requests += 1
            form = {k: v[0] for k, v in parse_qs(data.decode()).items()}
            if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET) or (
                    f"/{TENANT}/" not in self.path):
                self._reply(401, json.dumps({"error": "invalid_client"}).encode(), "application/json")
                return
            token = f"jeton-{len(server.tokens) + 1}"
            server.tokens.add(token)
            self._reply(200, json.dumps({"access_token": token, "token_type": "Bearer",
                                         "expires_in": 3600}).encode(), "application/json")

    return Handler


@contextmanager
def ews_server(folder: Path, *names: str) -> Iterator[EwsServer]:
    """The server, with a certificate for localhost and the given host names."""
    ca_file = folder / "autorite-ews.pem"
    context = local_authority(ca_file, *names)
    # pyspnego's NTLM acceptor reads its accounts from this file
    users = folder / "comptes-ntlm.txt"
    # a domain controller also takes the bare user name, which autodiscover's NTLM may send
    users.write_text(f"{DOMAIN}:{USER}:{PASSWORD}\n:{USER}:{PASSWORD}\n", encoding="utf-8")
    previous_users = os.environ.get("NTLM_USER_FILE")
    os.environ["NTLM_USER_FILE"] = str(users)
    store = Store()
    store.add_mailbox(SERVICE, "Service accompagnement social")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server = EwsServer(store=store, port=httpd.server_address[1], ca_file=ca_file)
    httpd.RequestHandlerClass = _make_handler(server)
    try:
        with serving(httpd, context):
            yield server
    finally:
        if previous_users is None:
            os.environ.pop("NTLM_USER_FILE", None)
        else:
            os.environ["NTLM_USER_FILE"] = previous_users


__all__ = ["CLIENT_ID", "CLIENT_SECRET", "PASSWORD", "SERVICE", "TENANT", "USER", "EwsServer",
           "ews_server"]
