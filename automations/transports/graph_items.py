"""The JSON the graph transport sends: events, messages, attachments, and the filters that find them again."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .base import Address, Attachment, Mail, Meeting

# PS_PUBLIC_STRINGS, the set of the exchange transport's named properties: a mailbox moved from EWS to
# Graph keeps finding the meetings and mails made before the move
PUBLIC_STRINGS = "{00020329-0000-0000-C000-000000000046}"
KEY_PROPERTY = f"String {PUBLIC_STRINGS} Name CommissionKey"
DELIVERY_PROPERTY = f"String {PUBLIC_STRINGS} Name CommissionDelivery"
# the transactionId of an event is derived from its delivery, so a re-posted creation is recognised
_TRANSACTIONS = uuid.UUID("5b0e8a4e-3c1d-4f3b-9d2a-6c7e1f0a9b84")

MIB = 1024 * 1024
# "Attach large files to Outlook messages or events" (Microsoft Learn): a request carries at most 4 MB, and
# a file travels there in base64 (4/3 of its size). What fits in this many encoded bytes, the JSON around it
# included, goes in a request; a file that does not goes through an upload session
REQUEST_BUDGET = 3_500_000
CHUNK = 10 * 320 * 1024  # upload chunks must be multiples of 320 KiB, under 4 MB


def encoded_size(attachment: Attachment) -> int:
    """The bytes the file takes in a request's JSON: base64, with room for its name and type."""
    return 4 * ((len(attachment.content) + 2) // 3) + 1024


def odata_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def has_property(prop: str, value: str) -> str:
    return f"singleValueExtendedProperties/Any(ep: ep/id eq {odata_quote(prop)} and ep/value eq {odata_quote(value)})"


def with_query(path: str, params: Mapping[str, str]) -> str:
    return f"{path}?{urlencode(params, quote_via=quote, safe='$,()/')}"


def searched_by_key(path: str, key: str, select: str) -> str:
    """Items carrying this action key, each with the id of the last delivery applied to it."""
    return with_query(path, {"$filter": has_property(KEY_PROPERTY, key), "$select": select, "$top": "50",
                             "$expand": f"singleValueExtendedProperties($filter=id eq {odata_quote(DELIVERY_PROPERTY)})"})


def delivery_of(item: Mapping[str, Any]) -> str:
    return next((str(p.get("value", "")) for p in item.get("singleValueExtendedProperties", [])
                 if str(p.get("id", "")).lower() == DELIVERY_PROPERTY.lower()), "")


def transaction_id(delivery_id: str) -> str:
    return str(uuid.uuid5(_TRANSACTIONS, delivery_id))


def _email(address: Address) -> dict[str, str]:
    return {"address": address.email, "name": address.name or address.email}


def recipients(addresses: Sequence[Address]) -> list[dict[str, Any]]:
    return [{"emailAddress": _email(a)} for a in addresses]


def attendees(meeting: Meeting) -> list[dict[str, Any]]:
    """Members required or optional; the room as a resource, which books it."""
    people = [(a, "required") for a in meeting.required] + [(a, "optional") for a in meeting.optional]
    if meeting.room and meeting.room.email:
        people.append((meeting.room, "resource"))
    return [{"emailAddress": _email(a), "type": kind} for a, kind in people]


def windows_zone(name: str) -> str | None:
    """Graph's calendar takes Windows zone names (Pacific/Noumea is not among the IANA ones it knows)."""
    from exchangelib.winzone import IANA_TO_MS_TIMEZONE_MAP

    found = IANA_TO_MS_TIMEZONE_MAP.get(name)
    return found[0] if found else None


def when(moment: datetime, zone: str) -> dict[str, str]:
    windows = windows_zone(zone)
    try:
        local = moment.astimezone(ZoneInfo(zone)) if windows else moment.astimezone(timezone.utc)
    except ZoneInfoNotFoundError:
        local, windows = moment.astimezone(timezone.utc), None
    return {"dateTime": local.replace(tzinfo=None).isoformat(timespec="seconds"), "timeZone": windows or "UTC"}


def parse_time(value: Mapping[str, str]) -> datetime:
    """A dateTimeTimeZone Graph returns; asked in UTC (Prefer: outlook.timezone), it says so."""
    moment = datetime.fromisoformat(str(value["dateTime"])[:26])
    zone = str(value.get("timeZone", "UTC"))
    try:
        return moment.replace(tzinfo=timezone.utc if zone.upper() == "UTC" else ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return moment.replace(tzinfo=timezone.utc)


def event_fields(meeting: Meeting) -> dict[str, Any]:
    # showAs, a freeBusyStatus (Microsoft Learn, "event resource type"): a held date is tentative, the
    # convocation's PATCH turns the same event busy
    return {"subject": meeting.title, "body": {"contentType": "text", "content": meeting.body_text},
            "start": when(meeting.start, meeting.timezone), "end": when(meeting.end, meeting.timezone),
            "location": {"displayName": meeting.location}, "showAs": "tentative" if meeting.hold else "busy"}


def file_attachment(attachment: Attachment) -> dict[str, Any]:
    # an image of the HTML body travels inline, named by the Content-ID its <img src="cid:..."> gives
    item: dict[str, Any] = {"@odata.type": "#microsoft.graph.fileAttachment", "name": attachment.filename,
                            "contentType": attachment.mimetype,
                            "contentBytes": base64.b64encode(attachment.content).decode("ascii"),
                            "isInline": bool(attachment.content_id)}
    if attachment.content_id:
        item["contentId"] = attachment.content_id
    return item


def upload_item(attachment: Attachment) -> dict[str, Any]:
    item: dict[str, Any] = {"attachmentType": "file", "name": attachment.filename, "size": len(attachment.content),
                            "contentType": attachment.mimetype, "isInline": bool(attachment.content_id)}
    if attachment.content_id:
        item["contentId"] = attachment.content_id
    return {"AttachmentItem": item}


def split(attachments: Sequence[Attachment]) -> tuple[list[Attachment], list[Attachment]]:
    """Those that fit together in one request once encoded, and the rest (each posted alone, or uploaded)."""
    inline: list[Attachment] = []
    separate: list[Attachment] = []
    budget = REQUEST_BUDGET
    for attachment in attachments:
        size = encoded_size(attachment)
        if size <= budget:
            inline.append(attachment)
            budget -= size
        else:
            separate.append(attachment)
    return inline, separate


def fits_alone(attachment: Attachment) -> bool:
    """Whether the file may be posted whole in its own request; else it needs an upload session."""
    return encoded_size(attachment) <= REQUEST_BUDGET


def properties(key: str, delivery_id: str | None) -> list[dict[str, str]]:
    found = [{"id": KEY_PROPERTY, "value": key}]
    if delivery_id is not None:
        found.append({"id": DELIVERY_PROPERTY, "value": delivery_id})
    return found


def message(mail: Mail, key: str, inline: Sequence[Attachment], stamped: bool = True) -> dict[str, Any]:
    """The message; ``stamped`` with its delivery id, which a draft only gets in the request that sends it."""
    body = ({"contentType": "HTML", "content": mail.body_html} if mail.body_html
            else {"contentType": "Text", "content": mail.body_text})
    item: dict[str, Any] = {"subject": mail.subject, "body": body, "toRecipients": recipients(mail.to),
                            "singleValueExtendedProperties": properties(key, mail.delivery_id if stamped else None)}
    if mail.cc:
        item["ccRecipients"] = recipients(mail.cc)
    if inline:
        item["attachments"] = [file_attachment(a) for a in inline]
    return item
