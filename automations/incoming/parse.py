"""A received mail's raw bytes read into what the register needs, whatever state the bytes are in.

The ``email`` package (policy ``default``) is lenient: a broken boundary, bad base64 or raw 8-bit
headers still give a message, with the damage listed in its ``defects``. Each defect becomes a French
note beside the row, so a damaged mail is registered like any other and staff know why a part may be
missing. Nothing here raises on garbage.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime

UNKNOWN_SENDER = "expéditeur inconnu"
NO_SUBJECT = "(sans objet)"

# the email package's defect classes, in the words of staff
_DEFECTS = {
    "StartBoundaryNotFoundDefect": "délimiteur de pièces jointes introuvable",
    "CloseBoundaryNotFoundDefect": "fin des pièces jointes manquante",
    "MultipartInvariantViolationDefect": "structure du message incohérente",
    "MissingHeaderBodySeparatorDefect": "en-têtes et corps mal séparés",
    "FirstHeaderLineIsContinuationDefect": "en-têtes mal formés",
    "MisplacedEnvelopeHeaderDefect": "en-têtes mal formés",
    "InvalidHeaderDefect": "en-tête illisible",
    "HeaderMissingRequiredValue": "en-tête incomplet",
    "NonPrintableDefect": "caractères non imprimables dans un en-tête",
    "ObsoleteHeaderDefect": "en-tête à l'ancienne mode",
    "UndecodableBytesDefect": "caractères non décodables dans un en-tête",
    "InvalidBase64PaddingDefect": "pièce jointe mal encodée (base64)",
    "InvalidBase64CharactersDefect": "pièce jointe mal encodée (base64)",
    "InvalidBase64LengthDefect": "pièce jointe mal encodée (base64)",
    "NoBoundaryInMultipartDefect": "délimiteur de pièces jointes absent",
    "InvalidMultipartContentTransferEncodingDefect": "encodage des pièces jointes invalide",
}


@dataclass(frozen=True)
class Part:
    name: str  # as the sender named it (unsafe: made safe by attachments.py)
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class ParsedMail:
    message_id: str  # normalized: « <id@host> », lower-case host part
    sender: str  # « Nom <adresse> », the address alone, or UNKNOWN_SENDER
    subject: str
    received: datetime
    attachments: list[Part] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # French
    digest: str = ""  # sha256 of the raw bytes


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def normalize_message_id(value: str) -> str:
    """``<Local@Host>`` as one string: brackets, no spaces, the host part lower-cased (RFC 5322 §3.6.4)."""
    text = "".join(str(value).split()).strip("<>")
    local, at, host = text.rpartition("@")
    return f"<{local}@{host.lower()}>" if at else f"<{text}>"


def _header(message: Message, name: str, notes: list[str]) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header the parser cannot even turn into text
        notes.append(f"message abîmé : en-tête « {name} » illisible")
        return ""
    if value is None:
        return ""
    defects = [type(d).__name__ for d in getattr(value, "defects", ())]
    if "UndecodableBytesDefect" in defects or "\ufffd" in str(value):
        # raw 8-bit bytes, sent without encoding: UTF-8, else Windows' Western code page (Outlook's old default)
        recovered = _eight_bit(message, name)
        if recovered is not None:
            notes.append(f"en-tête « {name} » non encodé : lu en {recovered[1]}")
            return one_line(recovered[0])
    for defect in defects:
        said = f"message abîmé : {_DEFECTS.get(defect, 'en-tête mal formé')} ({name})"
        if said not in notes:
            notes.append(said)
    return one_line(str(value))


def _eight_bit(message: Message, name: str) -> tuple[str, str] | None:
    for key, raw in message.raw_items():
        if key.lower() != name.lower():
            continue
        data = str(raw).encode("ascii", "surrogateescape")
        for encoding, label in (("utf-8", "UTF-8"), ("cp1252", "Windows-1252")):
            try:
                return data.decode(encoding), label
            except UnicodeDecodeError:
                continue
    return None


def _sender(message: Message, notes: list[str]) -> str:
    text = _header(message, "From", notes)
    if not text:
        notes.append("expéditeur absent du message")
        return UNKNOWN_SENDER
    try:
        pairs = [(n, a) for n, a in getaddresses([text]) if a or n]
    except Exception:  # any address parsing failure: the header's text is kept as typed
        pairs = []
    if not pairs:
        return text
    name, address = pairs[0]
    if name and address:
        return f"{one_line(name)} <{address}>"
    return one_line(address or name)


def _received(given: datetime | None, message: Message, now: datetime, notes: list[str]) -> datetime:
    if given is not None:
        # the mailbox's own time (UTC from Exchange, Graph, IMAP) as the service's clock reads it: its day
        return given.astimezone(now.tzinfo) if given.tzinfo is not None else given.replace(tzinfo=now.tzinfo)
    text = _header(message, "Date", notes)
    if text:
        try:
            parsed = parsedate_to_datetime(text)
            if parsed.tzinfo is not None:
                return parsed.astimezone(now.tzinfo)
            return parsed.replace(tzinfo=now.tzinfo)
        except (TypeError, ValueError, IndexError, OverflowError):
            notes.append(f"date du message illisible (« {text[:40]} ») : date d'enregistrement retenue")
    return now


def _parts(message: Message, notes: list[str]) -> list[Part]:
    found: list[Part] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        disposition = part.get_content_disposition()
        if not name and disposition != "attachment":
            continue  # the body itself
        try:
            data = part.get_payload(decode=True) or b""
        except Exception:  # a part that cannot be decoded is noted; the mail is registered all the same
            data = b""
            notes.append(f"pièce jointe « {one_line(str(name or ''))} » illisible")
        found.append(Part(name=one_line(str(name or "")) or "piece-jointe", data=data))
    return found


def parse(raw: bytes, received: datetime | None, now: datetime) -> ParsedMail:
    notes: list[str] = []
    digest = hashlib.sha256(raw).hexdigest()
    try:
        message: Message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception:  # defensive: the parser is lenient, but a mail must never be lost to it
        message = EmailMessage()
        notes.append("message illisible : enregistré tel quel")
    sender = _sender(message, notes)
    subject = _header(message, "Subject", notes) or NO_SUBJECT
    given_id = _header(message, "Message-ID", notes)
    if given_id:
        message_id = normalize_message_id(given_id)
    else:
        message_id = f"<sans-identifiant-{digest[:32]}@local>"
        notes.append("message sans identifiant (Message-ID) : reconnu par son contenu")
    when = _received(received, message, now, notes)
    attachments = _parts(message, notes)
    seen: set[str] = set()
    for part in message.walk():
        for defect in getattr(part, "defects", []):
            said = _DEFECTS.get(type(defect).__name__, "message mal formé")
            if said not in seen:
                seen.add(said)
                notes.append(f"message abîmé : {said}")
    return ParsedMail(message_id=message_id, sender=sender, subject=subject, received=when,
                      attachments=attachments, notes=notes, digest=digest)
