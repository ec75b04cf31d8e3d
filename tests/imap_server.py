"""A real IMAP4rev1 server for tests: Twisted's ``imap4.IMAP4Server`` on 127.0.0.1, over TLS, login required.

Twisted speaks the protocol (LOGIN, SELECT, UID SEARCH/FETCH/STORE/COPY, CAPABILITY, STARTTLS, literals,
modified UTF-7 folder names); this module gives it mailboxes kept in memory, and three things its server
leaves out: KEYWORD/UNKEYWORD in SEARCH (it answers « no match » to both), the PERMANENTFLAGS of SELECT, and
MOVE (RFC 6851). ``keywords=False`` makes a server like Exchange's IMAP, whose PERMANENTFLAGS have no ``\\*``:
a keyword stored there lasts only the session.
"""

from __future__ import annotations

import email
import email.policy
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import trustme
from OpenSSL import SSL
from twisted.cred.checkers import InMemoryUsernamePasswordDatabaseDontUse
from twisted.cred.portal import Portal
from twisted.internet import protocol, reactor
from twisted.internet.interfaces import IOpenSSLContextFactory
from twisted.internet.threads import blockingCallFromThread
from twisted.mail import imap4
from zope.interface import implementer

USER, PASSWORD = "commissions@province-sud.nc", "mot-de-passe-imap-de-test"
_SYSTEM_FLAGS = ("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft")


@implementer(imap4.IMessage, imap4.IMessageFile)
class Message:
    """One stored message: its bytes exactly as appended, its UID, flags and arrival date."""

    def __init__(self, raw: bytes, uid: int, flags: list[str], received: datetime) -> None:
        self.raw, self.uid, self.flags, self.received = raw, uid, flags, received

    def getUID(self) -> int:  # noqa: N802 - Twisted's interface names
        return self.uid

    def getFlags(self) -> list[str]:  # noqa: N802
        return list(self.flags)

    def getInternalDate(self) -> str:  # noqa: N802
        return self.received.strftime("%d-%b-%Y %H:%M:%S %z")

    def open(self) -> io.BytesIO:
        return io.BytesIO(self.raw)

    def getHeaders(self, negate: bool, *names: str) -> dict[str, str]:  # noqa: N802
        wanted = {str(n).lower() for n in names}
        parsed = email.message_from_bytes(self.raw, policy=email.policy.compat32)
        return {k.lower(): str(v) for k, v in parsed.items() if (k.lower() in wanted) != negate or not names}

    def getBodyFile(self) -> io.BytesIO:  # noqa: N802
        head, _, body = self.raw.partition(b"\r\n\r\n")
        return io.BytesIO(body if _ else b"")

    def getSize(self) -> int:  # noqa: N802
        return len(self.raw)

    def isMultipart(self) -> bool:  # noqa: N802
        return False

    def getSubPart(self, part: int) -> Any:  # noqa: N802
        raise IndexError(part)


@implementer(imap4.IMailbox)
class Mailbox:
    def __init__(self, validity: int, keywords: bool) -> None:
        self.messages: list[Message] = []
        self.validity, self.next_uid, self.keywords = validity, 1, keywords
        self.listeners: list[Any] = []

    def permanent_flags(self) -> list[str]:
        return [*_SYSTEM_FLAGS, "\\*"] if self.keywords else list(_SYSTEM_FLAGS)

    def getFlags(self) -> list[str]:  # noqa: N802
        return list(_SYSTEM_FLAGS)

    def getHierarchicalDelimiter(self) -> str:  # noqa: N802
        return "/"

    def getUIDValidity(self) -> int:  # noqa: N802
        return self.validity

    def getUIDNext(self) -> int:  # noqa: N802
        return self.next_uid

    def getUID(self, message: int) -> int:  # noqa: N802
        return self.messages[message - 1].uid

    def getMessageCount(self) -> int:  # noqa: N802
        return len(self.messages)

    def getRecentCount(self) -> int:  # noqa: N802
        return 0

    def getUnseenCount(self) -> int:  # noqa: N802
        return sum("\\Seen" not in m.flags for m in self.messages)

    def isWriteable(self) -> bool:  # noqa: N802
        return True

    def destroy(self) -> None:
        self.messages.clear()

    def requestStatus(self, names: list[str]) -> Any:  # noqa: N802
        return imap4.statusRequestHelper(self, names)

    def addListener(self, listener: Any) -> None:  # noqa: N802
        self.listeners.append(listener)

    def removeListener(self, listener: Any) -> None:  # noqa: N802
        self.listeners.remove(listener)

    def addMessage(self, message: Any, flags: Any = (), date: Any = None) -> int:  # noqa: N802
        raw = message.read() if hasattr(message, "read") else bytes(message)
        received = date if isinstance(date, datetime) else datetime.now().astimezone()
        return self.append(raw, [str(f) for f in flags], received)

    def append(self, raw: bytes, flags: list[str], received: datetime) -> int:
        uid, self.next_uid = self.next_uid, self.next_uid + 1
        self.messages.append(Message(raw, uid, flags, received))
        return uid

    def expunge(self) -> list[int]:
        gone = [seq for seq, m in enumerate(self.messages, 1) if "\\Deleted" in m.flags]
        self.messages = [m for m in self.messages if "\\Deleted" not in m.flags]
        return gone

    def fetch(self, messages: imap4.MessageSet, uid: bool) -> list[tuple[int, Message]]:
        if uid:
            messages.last = self.next_uid - 1 or 1
            return [(seq, m) for seq, m in enumerate(self.messages, 1) if m.uid in messages]
        messages.last = len(self.messages) or 1
        return [(seq, m) for seq, m in enumerate(self.messages, 1) if seq in messages]

    def store(self, messages: imap4.MessageSet, flags: list[str], mode: int, uid: bool) -> dict[int, list[str]]:
        kept = [f for f in flags if f in _SYSTEM_FLAGS or self.keywords]  # a refused keyword is not kept
        changed = {}
        for seq, message in self.fetch(messages, uid):
            if mode > 0:
                message.flags += [f for f in kept if f not in message.flags]
            elif mode < 0:
                message.flags = [f for f in message.flags if f not in kept]
            else:
                message.flags = list(kept)
            changed[seq] = message.getFlags()
        return changed


class Account(imap4.MemoryAccount):
    def __init__(self, keywords: bool) -> None:
        super().__init__(USER)
        self.keywords = keywords

    def _emptyMailbox(self, name: str, id: int) -> Mailbox:  # noqa: N802
        return Mailbox(validity=4000 + id, keywords=self.keywords)


class Server(imap4.IMAP4Server):
    """Twisted's server with the parts of RFC 3501 and RFC 6851 it leaves out."""

    move = True

    def capabilities(self) -> dict[bytes, Any]:
        found = super().capabilities()
        if self.move:
            found[b"MOVE"] = None
        return found

    def _cbSelectWork(self, mbox: Any, cmdName: bytes, tag: bytes) -> None:  # noqa: N802, N803
        if mbox is not None:
            flags = " ".join(mbox.permanent_flags()).encode()
            self.sendPositiveResponse(None, b"[PERMANENTFLAGS (" + flags + b")] Flags permitted")
        super()._cbSelectWork(mbox, cmdName, tag)

    def search_KEYWORD(self, query: list[Any], id: int, msg: Message) -> bool:  # noqa: N802, A002
        word = query.pop(0)
        word = word.decode() if isinstance(word, bytes) else str(word)
        return word.lower() in (f.lower() for f in msg.getFlags())

    def search_UNKEYWORD(self, query: list[Any], id: int, msg: Message) -> bool:  # noqa: N802, A002
        return not self.search_KEYWORD(query, id, msg)

    def do_UID(self, tag: bytes, command: bytes, line: bytes) -> None:  # noqa: N802
        if command.upper() == b"MOVE" and self.move:
            self.dispatchCommand(tag, b"MOVE", line, uid=1)
        else:
            super().do_UID(tag, command, line)

    select_UID = (do_UID, imap4.IMAP4Server.arg_atom, imap4.IMAP4Server.arg_line)

    def do_MOVE(self, tag: bytes, messages: imap4.MessageSet, mailbox: bytes, uid: int = 0) -> None:  # noqa: N802
        target = self.account.select(imap4._parseMbox(mailbox))
        if target is None:
            self.sendNegativeResponse(tag, b"[TRYCREATE] No such mailbox")
            return
        for _, message in self.mbox.fetch(messages, uid):
            target.append(message.raw, [f for f in message.flags if f != "\\Deleted"], message.received)
            message.flags.append("\\Deleted")
        for seq in reversed(self.mbox.expunge()):
            self.sendUntaggedResponse(b"%d EXPUNGE" % seq)
        self.sendPositiveResponse(tag, b"MOVE completed")

    select_MOVE = (do_MOVE, imap4.IMAP4Server.arg_seqset, imap4.IMAP4Server.arg_finalastring)


@implementer(imap4.IAccount)
class _Realm:
    def __init__(self, account: Account) -> None:
        self.account = account

    def requestAvatar(self, avatar_id: Any, mind: Any, *interfaces: Any) -> tuple[Any, Any, Any]:  # noqa: N802
        return imap4.IAccount, self.account, lambda: None


class _Factory(protocol.Factory):
    def __init__(self, portal: Portal, starttls: Any, move: bool) -> None:
        self.portal, self.starttls, self.move = portal, starttls, move

    def buildProtocol(self, addr: Any) -> Server:  # noqa: N802
        server = Server(chal={b"PLAIN": imap4.PLAINCredentials}, contextFactory=self.starttls)
        server.portal, server.factory, server.move = self.portal, self, self.move
        return server


@implementer(IOpenSSLContextFactory)
class _Tls:
    """What Twisted asks of a TLS context factory."""

    def __init__(self, certificate: trustme.LeafCert) -> None:
        self.context = SSL.Context(SSL.TLS_SERVER_METHOD)
        certificate.configure_cert(self.context)

    def getContext(self) -> SSL.Context:  # noqa: N802
        return self.context


_started = threading.Lock()


def _running_reactor() -> Any:
    """Twisted's reactor, run once per process in a thread of its own (it cannot be restarted)."""
    with _started:
        if not reactor.running:
            threading.Thread(target=reactor.run, kwargs={"installSignalHandlers": False}, daemon=True).start()
            while not reactor.running:
                threading.Event().wait(0.01)
    return reactor


@dataclass
class ImapServer:
    account: Account
    port: int
    ca_file: Path
    security: str
    folders: list[str] = field(default_factory=list)

    def settings(self, **overrides: object) -> dict[str, object]:
        """The ``[transport]`` table of an smtp service whose mail arrives here."""
        settings: dict[str, object] = {"host": "127.0.0.1", "username": USER, "password_env": "SMTP_TEST_PASSWORD",
                                       "imap_host": "127.0.0.1", "imap_port": self.port,
                                       "imap_security": self.security, "imap_password_env": "IMAP_TEST_PASSWORD",
                                       "ca_file": str(self.ca_file), "timeout": 10}
        settings.update(overrides)
        return settings

    def _box(self, folder: str) -> Mailbox:
        box = self.account.select(folder)
        if box is None:
            self.account.create(folder)
            box = self.account.select(folder)
        return box

    def append(self, raw: bytes, received: datetime, folder: str = "INBOX") -> int:
        """Deliver ``raw`` (an .eml's bytes) into ``folder``; returns its UID."""
        return blockingCallFromThread(reactor, lambda: self._box(folder).append(raw, [], received))

    def flags(self, folder: str = "INBOX") -> dict[int, list[str]]:
        """Each message's flags, by UID, as the server keeps them."""
        return blockingCallFromThread(reactor, lambda: {m.uid: m.getFlags() for m in self._box(folder).messages})

    def raw(self, folder: str) -> list[bytes]:
        return blockingCallFromThread(reactor, lambda: [m.raw for m in self._box(folder).messages])

    def validity(self, folder: str = "INBOX") -> int:
        return blockingCallFromThread(reactor, lambda: self._box(folder).validity)


@contextmanager
def imap_server(folder: Path, security: str = "ssl", *, keywords: bool = True, move: bool = True,
                password: str = PASSWORD) -> Iterator[ImapServer]:
    """An IMAP server on 127.0.0.1: implicit TLS (« ssl ») or STARTTLS, its authority's certificate in ``folder``."""
    ca_file = folder / "autorite-imap.pem"
    authority = trustme.CA()
    authority.cert_pem.write_to_path(str(ca_file))
    tls = _Tls(authority.issue_cert("127.0.0.1", "localhost"))
    checker = InMemoryUsernamePasswordDatabaseDontUse()
    checker.addUser(USER.encode(), password.encode("utf-8"))
    account = Account(keywords)
    account.addMailbox("INBOX")
    portal = Portal(_Realm(account), [checker])
    running = _running_reactor()
    factory = _Factory(portal, tls if security == "starttls" else None, move)
    if security == "ssl":
        listening = blockingCallFromThread(running, running.listenSSL, 0, factory, tls, interface="127.0.0.1")
    else:
        listening = blockingCallFromThread(running, running.listenTCP, 0, factory, interface="127.0.0.1")
    try:
        yield ImapServer(account, listening.getHost().port, ca_file, security)
    finally:
        blockingCallFromThread(running, listening.stopListening)
