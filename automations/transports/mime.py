"""Mails and meeting requests as RFC 5322 messages, shared by outbox and SMTP."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.headerregistry import Address as MailAddress
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from .ics import meeting_ics
from .base import Address, Attachment, Mail, Meeting, written

KEY_HEADER = "X-Commission-Key"


# CRLF line ends as RFC 5322 wants. Headers fold only past 998 characters: the standard
# library loses the space between two encoded words when it folds there, and Outlook
# would show "logement– jeudi".
WIRE = SMTP.clone(max_line_length=998)


def as_bytes(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=WIRE)


def delivery_hash(delivery_id: str) -> str:
    return hashlib.sha256(delivery_id.encode("utf-8")).hexdigest()[:16]


# A display name longer than this is a register cell gone wrong: a word of it longer than a header line
# could never be folded, and RFC 5322 refuses lines over 998 characters.
NAME_LIMIT = 100


def display_name(name: str) -> str:
    """The name as a header shows it: on one line, cut with « … » past NAME_LIMIT characters."""
    name = " ".join(name.split())  # the registers fold line breaks; a name from elsewhere must not break a header
    return name if len(name) <= NAME_LIMIT else name[:NAME_LIMIT - 1].rstrip() + "…"


def _address(address: Address, where: str) -> MailAddress:
    # the standard library would encode an accented local part as =?utf-8?...?= inside the address:
    # refused instead; an accented display name is encoded, as it should be
    local, _, domain = written(address, where).email.rpartition("@")
    return MailAddress(display_name=display_name(address.name), username=local, domain=domain)


def _attach(message: EmailMessage, attachment: Attachment) -> None:
    maintype, _, subtype = attachment.mimetype.partition("/")
    message.add_attachment(attachment.content, maintype=maintype, subtype=subtype or "octet-stream",
                           filename=attachment.filename)


def _base(delivery_id: str, subject: str, sender: Address, to: tuple[Address, ...],
          cc: tuple[Address, ...] = ()) -> EmailMessage:
    # made with the wire policy, which smtplib's send_message also flattens with: under its default one an
    # SMTP mail lost that space too
    message = EmailMessage(policy=WIRE)
    message["Subject"] = subject
    message["From"] = _address(sender, "De")
    message["To"] = [_address(a, "À") for a in to]
    if cc:
        message["Cc"] = [_address(a, "Cc") for a in cc]
    domain = sender.email.rpartition("@")[2] or "localhost"
    # A Message-ID derived from the delivery id lets any server spot a resend.
    message["Message-ID"] = f"<{delivery_hash(delivery_id)}@{domain}>"
    message[KEY_HEADER] = delivery_id
    return message


def mail_message(mail: Mail, sent_at: datetime) -> EmailMessage:
    """multipart/alternative (text, then HTML with its inline images in a multipart/related), then the files."""
    message = _base(mail.delivery_id, mail.subject, mail.sender, mail.to, mail.cc)
    message["Date"] = format_datetime(sent_at)
    message.set_content(mail.body_text, cte="quoted-printable")
    inline = [a for a in mail.attachments if a.content_id] if mail.body_html else []
    if mail.body_html:
        message.add_alternative(mail.body_html, subtype="html", cte="quoted-printable")
        html = message.get_payload()[-1]
        for image in inline:
            maintype, _, subtype = image.mimetype.partition("/")
            # Outlook shows a related part with a Content-ID in the body, and lists it as a file without one
            html.add_related(image.content, maintype=maintype, subtype=subtype or "octet-stream",
                             cid=f"<{image.content_id}>", disposition="inline", filename=image.filename)
    for attachment in mail.attachments:
        if attachment not in inline:
            _attach(message, attachment)
    return message


def meeting_message(meeting: Meeting, sent_at: datetime) -> EmailMessage:
    """multipart/mixed: (text/plain + text/calendar; method=...) then the documents."""
    message = _base(meeting.delivery_id, meeting.subject, meeting.organizer, meeting.recipients)
    message["Date"] = format_datetime(sent_at)
    message.set_content(meeting.body_text, cte="quoted-printable")
    ics = meeting_ics(meeting)
    message.add_alternative(ics, maintype="text", subtype="calendar",
                            params={"method": meeting.method, "charset": "utf-8"})
    message.make_mixed()
    for attachment in meeting.attachments:
        _attach(message, attachment)
    return message
