"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, TLS from a throwaway authority, login required."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from .tls import local_authority

USER, PASSWORD = "commissions@province-sud.nc", "mot-de-passe-de-test"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage


@dataclass
class Inbox:
    received: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login.decode(), auth_data.password.decode()) == (
            USER, PASSWORD)
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpServer:
    inbox: Inbox
    port: int
    ca_file: Path
    security: str

    def settings(self, **overrides: object) -> dict[str, object]:
        settings: dict[str, object] = {"host": "127.0.0.1", "port": self.port, "security": self.security,
                                       "username": USER, "password_env": "SMTP_TEST_PASSWORD",
                                       "ca_file": str(self.ca_file), "timeout": 10, "retries": 2}
        settings.update(overrides)
        return settings


@contextmanager
def smtp_server(folder: Path, security: str = "starttls") -> Iterator[SmtpServer]:
    ca_file = folder / "autorite-de-test.pem"
    context = local_authority(ca_file)
    inbox = Inbox()
    port = free_port()
    options: dict[str, object] = {"authenticator": inbox.authenticate, "auth_required": True}
    if security == "ssl":
        # aiosmtpd only counts STARTTLS as TLS for AUTH; here the whole connection is TLS already
        options.update(ssl_context=context, auth_require_tls=False)
    else:
        options.update(tls_context=context, require_starttls=True)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, server_hostname="localhost", **options)
    controller.start()
    try:
        yield SmtpServer(inbox, port, ca_file, security)
    finally:
        controller.stop()
