"""Graph's JSON in and out of the test store (the EWS test server's): events, messages, attachments, OData.

Only the query forms the graph transport sends are understood; anything else is refused as Graph refuses
a query it cannot run, so a transport that drifts from them fails its tests.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from ..ews.store import FileAttachment, Item, Person, Store

PUBLIC_STRINGS = "{00020329-0000-0000-c000-000000000046}"
RESPONSES = {"Accept": "accepted", "Decline": "declined", "Tentative": "tentativelyAccepted", "Unknown": "none",
             "NoResponseReceived": "notResponded", "Organizer": "organizer"}
# freeBusyStatus (Microsoft Learn, "event resource type", showAs; "scheduleItem resource type", status), kept in
# the store under EWS's LegacyFreeBusyStatus names: one mailbox, two APIs
SHOW_AS = {"free": "Free", "tentative": "Tentative", "busy": "Busy", "oof": "OOF",
           "workingElsewhere": "WorkingElsewhere", "unknown": "NoData"}
FREE_BUSY = {v: k for k, v in SHOW_AS.items()}
_ANY = re.compile(r"^singleValueExtendedProperties/Any\(ep: ep/id eq '((?:[^']|'')*)' and ep/value eq "
                  r"'((?:[^']|'')*)'\)$")
_EXPAND = re.compile(r"^singleValueExtendedProperties\(\$filter=id eq '((?:[^']|'')*)'\)$")
_PROPERTY = re.compile(r"^String (\{[0-9a-fA-F-]+\}) Name (\S+)$")


class GraphError(Exception):
    """Answered as Graph's error object, with its HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def property_name(prop_id: str) -> str:
    """The store keeps named properties by name, as EWS does; only PS_PUBLIC_STRINGS ones are the same."""
    found = _PROPERTY.match(prop_id.strip())
    if found is None:
        raise GraphError(400, "ErrorInvalidProperty", f"The property id '{prop_id}' is not valid.")
    guid, name = found.groups()
    return name if guid.lower() == PUBLIC_STRINGS else f"{guid.lower()}:{name}"


def property_id(name: str) -> str:
    return f"String {PUBLIC_STRINGS} Name {name}"


def matches(item: Item, query: Mapping[str, str]) -> bool:
    wanted = query.get("$filter")
    if wanted is None:
        return True
    found = _ANY.match(wanted)
    if found is None:
        raise GraphError(400, "ErrorInvalidUrlQueryFilter", f"filtre non géré par le serveur de test : {wanted}")
    prop, value = (g.replace("''", "'") for g in found.groups())
    return item.extended.get(property_name(prop)) == value


def expanded(query: Mapping[str, str]) -> set[str] | None:
    wanted = query.get("$expand")
    if wanted is None:
        return None
    found = _EXPAND.match(wanted)
    if found is None:
        raise GraphError(400, "BadRequest", f"$expand non géré par le serveur de test : {wanted}")
    return {property_name(found.group(1).replace("''", "'"))}


def selected(shape: dict[str, Any], query: Mapping[str, str]) -> dict[str, Any]:
    if "$select" not in query:
        return shape
    keep = set(query["$select"].split(",")) | {"id", "singleValueExtendedProperties"}
    return {k: v for k, v in shape.items() if k in keep}


def parse_time(value: Mapping[str, str]) -> datetime:
    from exchangelib.winzone import MS_TIMEZONE_TO_IANA_MAP

    zone_name = value.get("timeZone", "UTC")
    if zone_name == "UTC":
        zone: Any = timezone.utc
    elif zone_name in MS_TIMEZONE_TO_IANA_MAP:
        zone = ZoneInfo(MS_TIMEZONE_TO_IANA_MAP[zone_name])
    else:
        raise GraphError(400, "TimeZoneNotSupportedException", f"A valid TimeZone value must be specified. "
                                                               f"The following TimeZone value is not supported: "
                                                               f"'{zone_name}'.")
    return datetime.fromisoformat(value["dateTime"]).replace(tzinfo=zone)


def utc(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")
            + "0", "timeZone": "UTC"}


def _person(entry: Mapping[str, Any]) -> Person:
    address = entry.get("emailAddress") or {}
    return Person(email=str(address.get("address", "")).lower(), name=str(address.get("name", "")))


def attachment_in(store: Store, entry: Mapping[str, Any]) -> FileAttachment:
    if entry.get("@odata.type") != "#microsoft.graph.fileAttachment":
        raise GraphError(400, "ErrorInvalidRequest", "seules les pièces jointes fileAttachment sont gérées")
    return FileAttachment(attachment_id=store.new_id("AAMkAtt"), name=str(entry.get("name", "")),
                          content_type=str(entry.get("contentType", "application/octet-stream")),
                          content=base64.b64decode(entry.get("contentBytes", "")),
                          content_id=str(entry.get("contentId") or ""), is_inline=bool(entry.get("isInline")))


def attachment_out(attachment: FileAttachment) -> dict[str, Any]:
    return {"@odata.type": "#microsoft.graph.fileAttachment", "id": attachment.attachment_id,
            "name": attachment.name, "contentType": attachment.content_type, "size": len(attachment.content),
            "isInline": attachment.is_inline, "contentId": attachment.content_id or None}


def apply(item: Item, store: Store, body: Mapping[str, Any]) -> None:
    """Copy the fields of an event or a message the request gives onto the stored item."""
    for name, value in body.items():
        if name == "subject":
            item.subject = str(value)
        elif name == "body":
            item.body = str(value.get("content", ""))
            item.body_type = "HTML" if str(value.get("contentType", "text")).lower() == "html" else "Text"
        elif name == "start":
            item.start = parse_time(value)
        elif name == "end":
            item.end = parse_time(value)
        elif name == "location":
            item.location = str(value.get("displayName", ""))
        elif name == "showAs":
            if value not in SHOW_AS:
                raise GraphError(400, "RequestBodyRead", f"Requested value '{value}' was not found.")
            item.free_busy = SHOW_AS[value]
        elif name == "attendees":
            people = {"required": [], "optional": [], "resource": []}  # type: dict[str, list[Person]]
            for entry in value:
                people[str(entry.get("type", "required"))].append(_person(entry))
            item.required, item.optional, item.resources = people["required"], people["optional"], people["resource"]
        elif name == "toRecipients":
            item.to = [_person(e) for e in value]
        elif name == "ccRecipients":
            item.cc = [_person(e) for e in value]
        elif name == "categories":
            item.categories = [str(c) for c in value]
        elif name == "singleValueExtendedProperties":
            for prop in value:
                item.extended[property_name(str(prop["id"]))] = str(prop["value"])
        elif name == "attachments" and item.kind == "Message":
            # an event's creating request cannot carry attachments: Graph drops them without a word
            item.attachments.extend(attachment_in(store, e) for e in value)


def _properties(item: Item, wanted: set[str] | None) -> list[dict[str, str]]:
    return [{"id": property_id(name), "value": value} for name, value in item.extended.items()
            if wanted is not None and name in wanted]


def event_out(item: Item, organizer: Person, wanted: set[str] | None = None,
              transaction: str | None = None) -> dict[str, Any]:
    people = [(p, "required") for p in item.required] + [(p, "optional") for p in item.optional] + [
        (p, "resource") for p in item.resources]
    shape: dict[str, Any] = {
        "id": item.item_id, "subject": item.subject, "isCancelled": item.cancelled,
        "body": {"contentType": item.body_type.lower(), "content": item.body},
        "location": {"displayName": item.location}, "showAs": FREE_BUSY.get(item.free_busy, "unknown"),
        "organizer": {"emailAddress": {"name": organizer.name, "address": organizer.email}},
        "attendees": [{"type": kind, "status": {"response": RESPONSES.get(p.response, "none")},
                       "emailAddress": {"name": p.name, "address": p.email}} for p, kind in people],
        "hasAttachments": bool(item.attachments)}
    if item.start and item.end:
        shape.update(start=utc(item.start), end=utc(item.end))
    if item.uid:
        shape["iCalUId"] = item.uid
    if transaction:
        shape["transactionId"] = transaction
    if wanted is not None:
        shape["singleValueExtendedProperties"] = _properties(item, wanted)
    return shape


def message_out(item: Item, wanted: set[str] | None = None) -> dict[str, Any]:
    shape: dict[str, Any] = {"id": item.item_id, "subject": item.subject, "isDraft": item.folder == "drafts",
                             "hasAttachments": bool(item.attachments), "categories": list(item.categories)}
    if item.received is not None:
        shape["receivedDateTime"] = item.received.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if wanted is not None:
        shape["singleValueExtendedProperties"] = _properties(item, wanted)
    return shape
