"""Any mail server over SMTP: mails as they are, meetings as iMIP invitations.

SMTP cannot be asked what it already delivered, so the transport keeps its own
sent log. A line is appended and synced when the whole message is on the wire
but for the final dot that makes the server take it, and another once the
server has said so: a process that dies in between (the server may have the
mail) is taken as having sent it, as RFC 1047 advises, and a send that fails
in the process is marked so and retried. The Message-ID derived from the
delivery id lets Exchange and most servers drop a resend after a dropped
connection.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from ..errors import TransportError
from ..settings.secrets import missing, secret
from . import imap_inbox
from .base import Delivered, Mail, Meeting, Transport
from .inbox import MailSource
from .mime import mail_message, meeting_message

_SECURITY = ("starttls", "ssl", "none")
_KEYS = {"host", "port", "security", "username", "password_env", "timeout", "ca_file", "sent_log", "retries",
         "imap_host", "imap_port", "imap_security", "imap_username", "imap_password_env"}
_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
# the sent log's last column, after the delivery id, the Message-ID and the moment; none once sent
_ENDING, _DROPPED = "fin en cours", "non remis"


class _Client(smtplib.SMTP):
    """smtplib's client, running ``before_end`` when a message is sent but for the dot line that ends it."""

    before_end: Callable[[], None] | None = None
    _in_data = False

    def data(self, msg: bytes | str) -> tuple[int, bytes]:
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s: bytes | str) -> None:
        if self._in_data and self.before_end is not None and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            super().send(s[:-3])
            self.before_end()
            s = s[-3:]
        super().send(s)


class _SslClient(_Client, smtplib.SMTP_SSL):
    pass


class SmtpTransport(Transport):
    name = "smtp"
    room_booking = "invitee"  # iMIP to the room's address: only its mailbox knows whether it accepted

    def __init__(self, settings: Mapping[str, Any], *, base: Path, now: Callable[[], datetime]) -> None:
        super().__init__(settings, base=base, now=now)
        self.host = str(settings.get("host", ""))
        self.security = str(settings.get("security", "starttls"))
        self.port = int(settings.get("port", _DEFAULT_PORTS.get(self.security, 587)))
        self.username = str(settings.get("username", ""))
        self.password_env = str(settings.get("password_env", ""))
        self.timeout = float(settings.get("timeout", 30))
        self.retries = int(settings.get("retries", 3))
        self.ca_file = settings.get("ca_file")
        self.sent_log = base / str(settings.get("sent_log", "smtp-envois.log"))
        self._client: _Client | None = None
        self._inboxes: list[imap_inbox.ImapInbox] = []  # the mailboxes read, logged out by close()
        self.imap = imap_inbox.ImapSettings.from_transport(settings, base)

    @classmethod
    def check_settings(cls, settings: Mapping[str, Any]) -> list[str]:
        problems = [f"{key} : clé inconnue pour le transport « smtp »" for key in sorted(set(settings) - _KEYS)]
        if not isinstance(settings.get("host"), str) or not settings.get("host"):
            problems.append("host : nom du serveur SMTP obligatoire (par exemple « smtp.province-sud.nc »)")
        if settings.get("security", "starttls") not in _SECURITY:
            problems.append(f"security : « {settings.get('security')} » inconnu (au choix : {', '.join(_SECURITY)})")
        if "port" in settings and not isinstance(settings["port"], int):
            problems.append("port : un nombre entier est attendu")
        if settings.get("username") and not settings.get("password_env"):
            problems.append("password_env : indiquez la variable d'environnement qui contient le mot de passe")
        return problems + imap_inbox.check_settings(settings)

    def inbox(self, folder: str | None = None) -> MailSource | None:
        """The service's mailbox over IMAP, when ``imap_host`` names its server."""
        if self.imap is None:
            return None
        opened = imap_inbox.ImapInbox(self.imap, folder or "")
        self._inboxes.append(opened)  # logged out with the transport, once the run has marked its mails
        return opened

    # -- connection -------------------------------------------------------
    def _context(self) -> ssl.SSLContext:
        # certificate and host name are always verified; ca_file adds a private authority
        return ssl.create_default_context(cafile=self.ca_file) if self.ca_file else ssl.create_default_context()

    def _password(self) -> str:
        password = secret(self.password_env)
        if not password:
            raise TransportError(f"SMTP, mot de passe de {self.username} : {missing(self.password_env)}.")
        return password

    def _connect(self) -> _Client:
        if self._client is not None:
            return self._client
        try:
            if self.security == "ssl":
                client: _Client = _SslClient(self.host, self.port, timeout=self.timeout,
                                             context=self._context())
            else:
                client = _Client(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    client.starttls(context=self._context())
            if self.username:
                client.login(self.username, self._password())
        except smtplib.SMTPAuthenticationError as exc:
            raise TransportError(f"SMTP : le serveur {self.host} refuse l'identifiant « {self.username} » "
                                 f"(code {exc.smtp_code}) ; vérifiez l'identifiant et le mot de passe de la "
                                 f"variable « {self.password_env} ».") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise TransportError(f"SMTP : le serveur {self.host}:{self.port} ne propose pas l'authentification "
                                 "sur cette connexion ; vérifiez « security » et « port ».") from exc
        except ssl.SSLError as exc:
            raise TransportError(f"SMTP : connexion chiffrée impossible avec {self.host}:{self.port} "
                                 f"({exc.reason or exc}) ; vérifiez « security » et le certificat du serveur.") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise ConnectionError(str(exc)) from exc
        self._client = client
        return client

    def close(self) -> None:
        for opened in self._inboxes:
            opened.close()
        self._inboxes.clear()
        if self._client is not None:
            try:
                self._client.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._client = None

    def verify(self) -> str:
        """Connect and log in without sending: what ``check`` reports."""
        self._with_retries(self._connect)
        self.close()
        said = f"serveur SMTP {self.host}:{self.port} joignable" + (f", connexion de {self.username} acceptée"
                                                                 if self.username else "")
        inbox = self.inbox()
        if isinstance(inbox, imap_inbox.ImapInbox):
            try:
                said += " ; " + inbox.verify()
            finally:
                inbox.close()
        return said

    def _with_retries(self, operation: Callable[[], Any]) -> Any:
        delay = 0.5
        for attempt in range(1, self.retries + 1):
            try:
                return operation()
            except (ConnectionError, smtplib.SMTPServerDisconnected, socket.timeout) as exc:
                self._client = None
                if attempt == self.retries:
                    raise TransportError(f"SMTP : serveur {self.host}:{self.port} injoignable après "
                                         f"{self.retries} essais ({exc}) ; nouvel essai au prochain passage.") from exc
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    # -- sending ----------------------------------------------------------
    def _send(self, delivery_id: str, message: EmailMessage) -> Delivered:
        reference = str(message["Message-ID"])
        ending = False

        def end() -> None:
            nonlocal ending
            self._record(delivery_id, reference, _ENDING)
            ending = True

        def attempt() -> None:
            client = self._connect()
            client.before_end = end
            try:
                client.send_message(message)
            except smtplib.SMTPRecipientsRefused as exc:
                refused = ", ".join(sorted(exc.recipients))
                who = "destinataire refusé" if len(exc.recipients) == 1 else "destinataires refusés"
                raise TransportError(f"SMTP : {who} par le serveur : {refused}") from exc
            except smtplib.SMTPResponseException as exc:
                if 400 <= exc.smtp_code < 500:  # temporary: try again
                    raise ConnectionError(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
                raise TransportError(f"SMTP : envoi refusé par le serveur (code {exc.smtp_code}).") from exc

        try:
            self._with_retries(attempt)
        except Exception:
            if ending:  # refused or cut off, as this process saw: a later run sends it again
                self._record(delivery_id, reference, _DROPPED)
            raise
        self._record(delivery_id, reference)
        return Delivered(reference=reference)

    def _record(self, delivery_id: str, reference: str, state: str = "") -> None:
        self.sent_log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.sent_log, "a", encoding="utf-8") as handle:
            handle.write("\t".join((delivery_id, reference, self.now().isoformat(), state)).rstrip("\t") + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def send_mail(self, mail: Mail) -> Delivered:
        return self._send(mail.delivery_id, mail_message(mail, self.now()))

    def send_meeting(self, meeting: Meeting) -> Delivered:
        withdrawn = meeting.for_removed()
        if withdrawn is not None and self.lookup(withdrawn.delivery_id) is None:
            self._send(withdrawn.delivery_id, meeting_message(withdrawn, self.now()))
        return self._send(meeting.delivery_id, meeting_message(meeting, self.now()))

    def lookup(self, delivery_id: str) -> Delivered | None:
        if not self.sent_log.exists():
            return None
        found = None
        with open(self.sent_log, encoding="utf-8") as handle:
            for line in handle:
                sent_id, reference, _, state = (line.rstrip("\n").split("\t") + ["", "", ""])[:4]
                if sent_id == delivery_id:  # the last line about it tells
                    found = None if state == _DROPPED else Delivered(reference=reference)
        return found
