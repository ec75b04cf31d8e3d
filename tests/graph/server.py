"""A Microsoft Graph server for tests: HTTPS on 127.0.0.1, Graph's JSON in and out, stateful, with faults on demand.

It answers msal's OpenID discovery and client-credentials token requests for one tenant (a secret, or an
assertion signed with the application's certificate), the Graph endpoints of ``routes.py`` and their
$batch, and upload sessions' chunks. It counts requests per operation and can fail the next request of an
operation: 429 or 503 with Retry-After, 401 for an expired token, 403, or the connection dropped after
the work was done.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import trustme

from ..ews.server import EwsServer
from ..ews.store import Store
from ..tls import local_authority, serving
from .routes import Graph, GraphError, Reply, route, upload_chunk

SERVICE = "commissions@province-sud.nc"
TENANT, CLIENT_ID, CLIENT_SECRET = "province-sud", "appli-commissions", "secret-graph-de-test"
# "Attach large files to Outlook messages or events" (Microsoft Learn): a request to Graph carries at most 4 MB;
# larger files go through an upload session, whose chunks are under 4 MB too
BODY_LIMIT = 4_000_000
_FAULTS = {"throttle": (429, "TooManyRequests", "Application is over its MailboxConcurrency limit."),
           "unavailable": (503, "ServiceUnavailable", "Service unavailable, please retry."),
           "forbidden": (403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")}


@dataclass
class Fault:
    operation: str
    kind: str  # throttle | unavailable | forbidden | expired | drop
    retry_after: int = 1
    skip: int = 0  # let this many requests of the operation through first


@dataclass
class Seen:
    operation: str
    at: float
    batched: bool = False  # a request inside a $batch, not one on the wire


@dataclass
class GraphServer:
    graph: Graph
    port: int
    ca_file: Path
    requests: list[Seen] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    tokens: dict[str, bool] = field(default_factory=dict)  # token -> still valid
    token_requests: int = 0
    certificate: Any = None  # the application's certificate (cryptography), once one is issued
    policy: set[str] | None = None  # the mailboxes an application access policy lets the application reach
    largest: int = 0  # the largest request body received (Graph requests and upload chunks)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def store(self) -> Store:
        return self.graph.store

    @property
    def origin(self) -> str:
        return f"https://localhost:{self.port}"

    def settings(self, **overrides: object) -> dict[str, object]:
        settings: dict[str, object] = {"mailbox": SERVICE, "tenant_id": TENANT, "client_id": CLIENT_ID,
                                       "client_secret_env": "GRAPH_TEST_SECRET", "authority": self.origin,
                                       "graph_url": f"{self.origin}/v1.0", "ca_file": str(self.ca_file),
                                       "max_wait": 10}
        settings.update(overrides)
        return settings

    def fail_next(self, operation: str, kind: str, retry_after: int = 1, skip: int = 0) -> None:
        self.faults.append(Fault(operation, kind, retry_after, skip))

    # the same queue of faults as the EWS test server's
    take_fault = EwsServer.take_fault

    def operations(self) -> list[str]:
        """Graph requests on the wire, in order, token and discovery apart."""
        return [r.operation for r in self.requests if not r.batched and r.operation not in ("discovery", "token")]

    def batched(self) -> list[str]:
        """The requests carried inside the $batch requests, in order."""
        return [r.operation for r in self.requests if r.batched]

    def count(self, operation: str) -> int:
        return sum(1 for r in self.requests if r.operation == operation)

    def expire_tokens(self) -> None:
        self.tokens = dict.fromkeys(self.tokens, False)

    def issue_app_certificate(self, folder: Path) -> tuple[Path, str]:
        """The application's certificate and private key in one PEM file, and its SHA-1 thumbprint."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes

        # Entra takes RSA certificates
        leaf = trustme.CA().issue_cert("appli-commissions.province-sud.nc", key_type=trustme.KeyType.RSA)
        path = folder / "appli-commissions.pem"
        path.write_bytes(leaf.private_key_pem.bytes() + leaf.cert_chain_pems[0].bytes())
        self.certificate = x509.load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes())
        return path, self.certificate.fingerprint(hashes.SHA1()).hex().upper()


def _error(status: int, code: str, message: str) -> Reply:
    return Reply(status, {"error": {"code": code, "message": message}})


def _make_handler(server: GraphServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body go out in two writes: without TCP_NODELAY the body waits for the client's delayed
        # acknowledgement of the headers (about 40 ms on Linux), on every request of a kept-alive connection
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass

        def _reply(self, reply: Reply, content_type: str = "application/json") -> None:
            headers = dict(reply.headers)
            if isinstance(reply.body, bytes):  # a message's MIME stream ($value), sent as it is
                payload, content_type = reply.body, headers.pop("Content-Type", "application/octet-stream")
            else:
                payload = json.dumps(reply.body).encode() if reply.body is not None else b""
            self.send_response(reply.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _drop(self) -> None:
            # the work is done server-side, then the line goes dead before the answer
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

        def do_GET(self) -> None:  # noqa: N802 - http.server's names
            self._handle("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._handle("POST")

        def do_PATCH(self) -> None:  # noqa: N802
            self._handle("PATCH")

        def do_DELETE(self) -> None:  # noqa: N802
            self._handle("DELETE")

        def do_PUT(self) -> None:  # noqa: N802
            self._handle("PUT")

        def _handle(self, method: str) -> None:
            data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            path, _, query = self.path.partition("?")
            if path.endswith("/v2.0/.well-known/openid-configuration"):
                server.requests.append(Seen("discovery", time.monotonic()))
                self._reply(self._discovery(path.split("/")[1]))
            elif path.endswith("/oauth2/v2.0/token"):
                server.requests.append(Seen("token", time.monotonic()))
                self._reply(self._token(path.split("/")[1], data))
            elif path.startswith("/upload/"):
                self._upload(path.rpartition("/")[2], data)
            elif path.startswith("/v1.0/"):
                self._graph(method, path[len("/v1.0"):], query, data)
            else:
                self._reply(_error(404, "NotFound", path))

        def _graph(self, method: str, path: str, query: str, data: bytes) -> None:
            try:
                operation = "$batch" if path == "/$batch" else route(method, path)[0]
            except GraphError as failure:
                operation = f"{method} ?"
                server.requests.append(Seen(operation, time.monotonic()))
                self._reply(_error(failure.status, failure.code, failure.message))
                return
            server.requests.append(Seen(operation, time.monotonic()))
            server.largest = max(server.largest, len(data))
            with server.lock:
                server.graph.tick()
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if not server.tokens.get(token):
                self._reply(_error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is "
                                                                      "expired."))
                return
            if len(data) > BODY_LIMIT:
                self._reply(_error(413, "RequestBodyTooLarge", "The maximum request length supported is 4MB."))
                return
            pending = server.take_fault(operation)
            if pending and pending.kind == "expired":
                server.expire_tokens()
                self._reply(_error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is "
                                                                      "expired."))
                return
            if pending and pending.kind in _FAULTS:
                self._reply(_fault(pending))
                return
            body = json.loads(data) if data else None
            if operation == "$batch" and len(body["requests"]) > 20:
                reply, drop = _error(400, "BadRequest", "Maximum number of requests in a batch is 20."), False
            elif operation == "$batch":
                replies, drop = self._batch(body["requests"])
                reply = Reply(200, {"responses": replies})
            else:
                reply, drop = self._one(method, path, query, body), bool(pending and pending.kind == "drop")
            if drop:
                self._drop()
                return
            self._reply(reply)

        def _one(self, method: str, path: str, query: str, body: Any) -> Reply:
            try:
                _, handler, params = route(method, path)
                if server.policy is not None and params.get("user", "").lower() not in server.policy:
                    raise GraphError(403, "ErrorAccessDenied", "Access to OData is disabled: [RAOP] : Blocked by "
                                                               "tenant configured AppOnly AccessPolicy settings.")
                with server.lock:
                    return handler(server.graph, params, {k: v[0] for k, v in parse_qs(query).items()}, body)
            except GraphError as failure:
                return _error(failure.status, failure.code, failure.message)

        def _batch(self, requests: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
            statuses: dict[str, int] = {}
            replies, drop = [], False
            for request in requests:
                path, _, query = str(request["url"]).partition("?")
                try:
                    operation = route(request["method"], path)[0]
                except GraphError:
                    operation = f"{request['method']} ?"
                server.requests.append(Seen(operation, time.monotonic(), batched=True))
                pending = server.take_fault(operation)
                if any(statuses.get(d, 200) >= 400 for d in request.get("dependsOn", [])):
                    reply = _error(424, "FailedDependency", "A request this one depends on failed.")
                elif pending and pending.kind in _FAULTS:
                    # "JSON batching" and "Microsoft Graph throttling guidance" (Microsoft Learn): a request
                    # of a batch is throttled on its own, its 429 and Retry-After inside the batch's answer
                    # (itself a 200); the client retries that request after the delay
                    reply = _fault(pending)
                else:
                    reply = self._one(request["method"], path, query, request.get("body"))
                    drop = drop or bool(pending and pending.kind == "drop")
                statuses[str(request["id"])] = reply.status
                replies.append({"id": request["id"], "status": reply.status, "headers": reply.headers,
                                "body": reply.body})
            # Graph answers a batch in any order: the client must match the ids
            return list(reversed(replies)), drop

        def _upload(self, session: str, data: bytes) -> None:
            server.requests.append(Seen("PUT upload", time.monotonic()))
            server.largest = max(server.largest, len(data))
            if len(data) > BODY_LIMIT:
                self._reply(_error(413, "RequestBodyTooLarge", "The maximum request length supported is 4MB."))
                return
            if self.headers.get("Authorization"):
                # the session URL is pre-authenticated: Graph refuses a chunk that also carries a token
                self._reply(_error(401, "InvalidAuthenticationToken", "Do not send a token to an upload URL."))
                return
            pending = server.take_fault("PUT upload")
            if pending and pending.kind in _FAULTS:
                self._reply(_fault(pending))
                return
            try:
                with server.lock:
                    reply = upload_chunk(server.graph, session, self.headers.get("Content-Range", ""), data)
            except GraphError as failure:
                reply = _error(failure.status, failure.code, failure.message)
            if pending and pending.kind == "drop":
                self._drop()
                return
            self._reply(reply)

        def _discovery(self, tenant: str) -> Reply:
            if tenant != TENANT:
                return Reply(400, {"error": "invalid_tenant", "error_description":
                                   f"AADSTS90002: Tenant '{tenant}' not found."})
            base = f"{server.origin}/{TENANT}"
            return Reply(200, {"issuer": f"{base}/v2.0", "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                               "token_endpoint": f"{base}/oauth2/v2.0/token",
                               "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"]})

        def _token(self, tenant: str, data: bytes) -> Reply:
            server.token_requests += 1
            form = {k: v[0] for k, v in parse_qs(data.decode()).items()}
            if tenant != TENANT or form.get("client_id") != CLIENT_ID:
                return Reply(400, {"error": "unauthorized_client", "error_description":
                                   f"AADSTS700016: Application with identifier '{form.get('client_id')}' was not "
                                   "found in the directory."})
            if form.get("grant_type") != "client_credentials" or form.get("scope") != f"{server.origin}/.default":
                return Reply(400, {"error": "invalid_scope", "error_description": "AADSTS1002012: bad scope."})
            if not self._credential_ok(form, f"{server.origin}/{TENANT}/oauth2/v2.0/token"):
                return Reply(401, {"error": "invalid_client", "error_description":
                                   "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent "
                                   "in the request is the client secret value."})
            token = f"jeton-{len(server.tokens) + 1}"
            server.tokens[token] = True
            return Reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3599})

        def _credential_ok(self, form: dict[str, str], audience: str) -> bool:
            if "client_secret" in form:
                return form["client_secret"] == CLIENT_SECRET
            if server.certificate is None or "client_assertion" not in form:
                return False
            import base64

            import jwt
            from cryptography.hazmat.primitives import hashes

            assertion = form["client_assertion"]
            header = jwt.get_unverified_header(assertion)
            thumbprints = {"x5t": hashes.SHA1(), "x5t#S256": hashes.SHA256()}
            named = [k for k in thumbprints if k in header]
            if not named or base64.urlsafe_b64decode(header[named[0]] + "==") != server.certificate.fingerprint(
                    thumbprints[named[0]]):
                return False
            try:
                claims = jwt.decode(assertion, server.certificate.public_key(), algorithms=["RS256", "PS256"],
                                    audience=audience)
            except jwt.PyJWTError:
                return False
            return claims.get("iss") == claims.get("sub") == CLIENT_ID

    return Handler


def _fault(pending: Fault) -> Reply:
    status, code, message = _FAULTS[pending.kind]
    reply = _error(status, code, message)
    if pending.kind != "forbidden":
        reply.headers["Retry-After"] = str(pending.retry_after)
    return reply


@contextmanager
def graph_server(folder: Path) -> Iterator[GraphServer]:
    """The server, with a certificate for localhost from an authority written to ``folder``."""
    ca_file = folder / "autorite-graph.pem"
    context = local_authority(ca_file)
    store = Store()
    store.add_mailbox(SERVICE, "Service accompagnement social")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = httpd.server_address[1]
    server = GraphServer(graph=Graph(store=store, origin=f"https://localhost:{port}"), port=port, ca_file=ca_file)
    httpd.RequestHandlerClass = _make_handler(server)
    with serving(httpd, context):
        yield server


__all__ = ["CLIENT_ID", "CLIENT_SECRET", "SERVICE", "TENANT", "GraphServer", "graph_server"]
