"""The service's mailbox read over IMAP, for services that send through SMTP.

A registered mail gets the keyword ``Enregistre`` (RFC 3501 keywords are atoms: no accent). A server that
does not keep keywords (its PERMANENTFLAGS have no ``\\*``, as Exchange's IMAP) gets the mail moved into the
folder « Enregistrés » instead, so that it is not read again. A mail's handle is « UIDVALIDITY:UID »: a UID
only means something while the folder keeps its UIDVALIDITY, so a mark under another one is left for the
next run, which finds the mail again.
"""

from __future__ import annotations

import base64
import imaplib
import re
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ..errors import TransportError
from ..settings.secrets import missing, secret
from .inbox import REGISTERED, IncomingMail, MailSource

KEYWORD = "Enregistre"
REGISTERED_FOLDER = REGISTERED + "s"  # « Enregistrés »
SECURITY = ("ssl", "starttls", "none")
DEFAULT_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")
_BATCH = 25  # messages per UID FETCH: a few megabytes at most with ordinary mail
_MONTHS = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}


def folder_name(name: str) -> bytes:
    """``name`` in IMAP's modified UTF-7 (RFC 3501 §5.1.3), quoted: « À enregistrer » → ``"&AMA- enregistrer"``."""
    encoded, pending = bytearray(), []

    def flush() -> None:
        if pending:
            utf16 = "".join(pending).encode("utf-16-be")
            encoded.extend(b"&" + base64.b64encode(utf16).rstrip(b"=").replace(b"/", b",") + b"-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            encoded.extend(b"&-" if char == "&" else char.encode("ascii"))
        else:
            pending.append(char)
    flush()
    return b'"' + bytes(encoded).replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def internal_date(text: str) -> datetime | None:
    """IMAP's INTERNALDATE (« 17-Jul-2026 08:44:25 +1100 ») as an aware datetime; None if unreadable."""
    found = re.fullmatch(r"\s*(\d{1,2})-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)", text)
    if not found or found[2].title() not in _MONTHS:
        return None
    day, _, year, hour, minute, second, sign, off_h, off_m = found.groups()
    offset = timedelta(hours=int(off_h), minutes=int(off_m)) * (-1 if sign == "-" else 1)
    return datetime(int(year), _MONTHS[found[2].title()], int(day), int(hour), int(minute), int(second),
                    tzinfo=timezone(offset))


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str
    username: str
    password_env: str
    ca_file: str | None
    timeout: float

    @classmethod
    def from_transport(cls, settings: Mapping[str, Any], base: Path) -> ImapSettings | None:
        """The IMAP part of an smtp ``[transport]`` table; None without ``imap_host``."""
        host = str(settings.get("imap_host", ""))
        if not host:
            return None
        security = str(settings.get("imap_security", "ssl"))
        ca_file = settings.get("ca_file")
        return cls(host=host, port=int(settings.get("imap_port", DEFAULT_PORTS.get(security, 993))),
                   security=security,
                   username=str(settings.get("imap_username") or settings.get("username", "")),
                   password_env=str(settings.get("imap_password_env") or settings.get("password_env", "")),
                   ca_file=str(base / str(ca_file)) if ca_file else None,
                   timeout=float(settings.get("timeout", 30)))


def check_settings(settings: Mapping[str, Any]) -> list[str]:
    """What is wrong with the ``imap_*`` keys of an smtp ``[transport]`` table (French)."""
    problems: list[str] = []
    host = settings.get("imap_host")
    if host is None:
        extra = sorted(k for k in settings if k.startswith("imap_"))
        return [f"{', '.join(extra)} : sans imap_host, la boîte de réception n'est pas lue"] if extra else []
    if not isinstance(host, str) or not host:
        problems.append("imap_host : nom du serveur IMAP attendu (par exemple « imap.province-sud.nc »)")
    security = settings.get("imap_security", "ssl")
    if security not in SECURITY:
        problems.append(f"imap_security : « {security} » inconnu (au choix : {', '.join(SECURITY)})")
    elif security == "none" and host not in LOCAL_HOSTS:
        problems.append("imap_security : « none » (mot de passe en clair) n'est accepté que pour un serveur sur "
                        "cette machine (127.0.0.1) ; choisissez « ssl » ou « starttls »")
    if "imap_port" in settings and not isinstance(settings["imap_port"], int):
        problems.append("imap_port : un nombre entier est attendu")
    if not (settings.get("imap_username") or settings.get("username")):
        problems.append("imap_username : indiquez le compte de la boîte de réception")
    if not (settings.get("imap_password_env") or settings.get("password_env")):
        problems.append("imap_password_env : indiquez le NOM de la variable qui contient le mot de passe IMAP")
    return problems


class ImapInbox(MailSource):
    """One folder of the service's mailbox; connects on first use, keeps the connection until ``close``."""

    def __init__(self, settings: ImapSettings, folder: str = "") -> None:
        self.settings = settings
        self.folder = folder or "INBOX"
        self.name = f"boîte IMAP {settings.username} sur {settings.host} (dossier {self.folder})"
        self._client: imaplib.IMAP4 | None = None
        self._validity = ""
        self._keywords = True
        self._capabilities: set[str] = set()
        self._target_ready = False

    # -- connection -------------------------------------------------------
    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Every failure of the server or the network as one French line."""
        where = f"{self.settings.host}:{self.settings.port}"
        try:
            yield
        except TransportError:
            raise
        except ssl.SSLError as exc:
            self._drop()
            raise TransportError(f"IMAP : connexion chiffrée impossible avec {where} ({exc.reason or exc}) ; "
                                 "vérifiez « imap_security », « imap_port » et le certificat du serveur.") from exc
        except (OSError, imaplib.IMAP4.abort) as exc:
            self._drop()
            raise TransportError(f"IMAP : serveur {where} injoignable ({exc}) ; "
                                 "nouvel essai au prochain passage.") from exc
        except imaplib.IMAP4.error as exc:
            self._drop()
            raise TransportError(f"IMAP : le serveur {where} a refusé une commande ({_said(exc)}).") from exc

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.shutdown()
            except OSError:
                pass

    def _context(self) -> ssl.SSLContext:
        # certificate and host name always verified; ca_file adds a private authority
        return ssl.create_default_context(cafile=self.settings.ca_file)

    def _connect(self) -> imaplib.IMAP4:
        if self._client is not None:
            return self._client
        s = self.settings
        password = secret(s.password_env)
        if not password:
            raise TransportError(f"IMAP, mot de passe de {s.username} : {missing(s.password_env)}.")
        with self._errors():
            if s.security == "ssl":
                client: imaplib.IMAP4 = imaplib.IMAP4_SSL(s.host, s.port, ssl_context=self._context(),
                                                          timeout=s.timeout)
            else:
                client = imaplib.IMAP4(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    client.starttls(ssl_context=self._context())
            self._client = client
            try:
                self._login(client, password)
            except imaplib.IMAP4.error as exc:
                if isinstance(exc, imaplib.IMAP4.abort):
                    raise
                self._drop()
                raise TransportError(f"IMAP : le serveur {s.host} refuse l'identifiant « {s.username} » "
                                     f"({_said(exc)}) ; vérifiez l'identifiant et le mot de passe de la variable "
                                     f"« {s.password_env} ».") from exc
            self._select(client)
        return client

    def _login(self, client: imaplib.IMAP4, password: str) -> None:
        user = self.settings.username
        if (user + password).isascii():
            client.login(user, password)
        elif "AUTH=PLAIN" in client.capabilities:  # LOGIN is ASCII only; PLAIN carries UTF-8 (RFC 4616)
            client.authenticate("PLAIN", lambda _: f"\0{user}\0{password}".encode("utf-8"))
        else:
            self._drop()
            raise TransportError(f"IMAP : le serveur {self.settings.host} n'accepte que des identifiants sans "
                                 f"accent (il ne propose pas AUTH=PLAIN) ; donnez au compte {user} un mot de passe "
                                 "sans accent.")

    def _select(self, client: imaplib.IMAP4) -> None:
        status, said = client.select(folder_name(self.folder))  # type: ignore[arg-type]
        if status != "OK":
            self._drop()
            raise TransportError(f"IMAP : le dossier « {self.folder} » est introuvable dans la boîte de "
                                 f"{self.settings.username} ({_text(said)}) ; vérifiez [incoming] folder.")
        validity = client.response("UIDVALIDITY")[1]
        self._validity = _text(validity) if validity and validity[0] else ""
        permanent = client.response("PERMANENTFLAGS")[1]
        # RFC 3501: without PERMANENTFLAGS every flag is permanent; with it, keywords need « \* » or ours
        flags = _text(permanent) if permanent and permanent[0] else "\\*"
        self._keywords = "\\*" in flags or KEYWORD.lower() in flags.lower()
        self._capabilities = {c.upper() for c in client.capabilities}

    def verify(self) -> str:
        """Log in and open the folder without reading a mail: what ``check`` reports."""
        self._connect()
        return f"boîte IMAP de {self.settings.username} ouverte sur {self.settings.host}:{self.settings.port} " \
               f"(dossier {self.folder})"

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.logout()
            except (OSError, imaplib.IMAP4.error):
                pass
            self._client = None

    # -- reading ----------------------------------------------------------
    def new_mails(self, limit: int) -> list[IncomingMail]:
        client = self._connect()
        with self._errors():
            # where keywords last, a registered mail stays and carries ours; else it has left the folder
            criteria = f"UNDELETED UNKEYWORD {KEYWORD}" if self._keywords else "UNDELETED"
            found = _ok(client.uid("SEARCH", criteria))[0] or b""  # some servers leave out an empty « * SEARCH »
            uids = sorted(int(u) for u in found.split())[:max(limit, 0)]
            mails: list[IncomingMail] = []
            for start in range(0, len(uids), _BATCH):
                wanted = ",".join(str(u) for u in uids[start:start + _BATCH])
                fetched = _fetched(_ok(client.uid("FETCH", wanted, "(UID INTERNALDATE BODY.PEEK[])")))
                mails += [IncomingMail(reference=f"{self._validity}:{uid}", raw=raw, received=received)
                          for uid, (raw, received) in sorted(fetched.items())]
        return mails

    # -- marking ----------------------------------------------------------
    def mark(self, mail: IncomingMail, number: str) -> None:
        client = self._connect()
        validity, _, uid = mail.reference.partition(":")
        if validity != self._validity or not uid.isdigit():
            return  # the folder was rebuilt: the next run finds the mail again and marks it then
        with self._errors():
            if self._keywords:
                _ok(client.uid("STORE", uid, "+FLAGS.SILENT", f"({KEYWORD})"))
                return
            target = folder_name(REGISTERED_FOLDER).decode("ascii")
            if not self._target_ready:
                client.create(target)  # « already exists » is the usual answer after the first time
                self._target_ready = True
            if "MOVE" in self._capabilities:
                _ok(client.uid("MOVE", uid, target))
                return
            if not (_ok(client.uid("SEARCH", f"UID {uid} UNDELETED"))[0] or b"").split():
                return  # copied and marked deleted already: a second copy would show twice to staff
            _ok(client.uid("COPY", uid, target))
            _ok(client.uid("STORE", uid, "+FLAGS.SILENT", "(\\Deleted)"))
            if "UIDPLUS" in self._capabilities:  # only this mail: others marked deleted by staff stay
                _ok(client.uid("EXPUNGE", uid))


def _ok(answer: tuple[str, list[Any]]) -> list[Any]:
    status, data = answer
    if status != "OK":
        raise imaplib.IMAP4.error(_text(data))
    return data


def _text(data: list[Any]) -> str:
    return " ".join(d.decode("utf-8", "replace") if isinstance(d, bytes) else str(d) for d in data if d)


def _said(exc: Exception) -> str:
    text = str(exc)
    return text[2:-1] if text.startswith(("b'", 'b"')) else text


def _fetched(data: list[Any]) -> dict[int, tuple[bytes, datetime | None]]:
    """imaplib's FETCH answer: (meta, literal) pairs, each followed by the rest of its meta (« UID 7) »)."""
    found: dict[int, tuple[bytes, datetime | None]] = {}
    items = list(data)
    for index, item in enumerate(items):
        if not isinstance(item, tuple):
            continue
        meta, raw = item[0], item[1]
        after = items[index + 1] if index + 1 < len(items) and isinstance(items[index + 1], bytes) else b""
        words = (meta + b" " + after).decode("ascii", "replace")
        uid = re.search(r"\bUID (\d+)", words)
        date = re.search(r'INTERNALDATE "([^"]+)"', words)
        if uid:
            found[int(uid[1])] = (raw, internal_date(date[1]) if date else None)
    return found

