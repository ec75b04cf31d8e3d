"""The Graph endpoints that read the service's received mail, over the shared store.

- "List messages" (Microsoft Learn, https://learn.microsoft.com/en-us/graph/api/user-list-messages): a folder's
  messages with $select, $orderby=receivedDateTime, $top and $skip; the answer gives @odata.nextLink while more
  remain ("Paging Microsoft Graph data in your app": the client follows the link as it is). The server answers
  at most ``Graph.mail_page`` messages a page, whatever $top asks, as Graph's server-side paging may.
- "List mailFolders" and "List childFolders", filtered by $filter=displayName eq '…' (quotes doubled).
- "Get message" with $select=categories, and "Update message" (routes.py) replacing the categories.
- "Get MIME content of a message" (https://learn.microsoft.com/en-us/graph/outlook-get-mime-message):
  GET /messages/{id}/$value gives the MIME stream as it is, Content-Type text/plain.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlencode

from .shapes import GraphError, message_out, selected

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_DISPLAY_NAME = re.compile(r"^displayName eq '((?:[^']|'')*)'$")
_ORDER = re.compile(r"^receivedDateTime(?: (asc|desc))?$")


def list_messages(graph: Any, p: dict[str, str], q: Mapping[str, str], body: Any) -> Any:
    from .routes import Reply

    box = graph.box(p["user"])
    folder = p["folder"].lower() if p["folder"].lower() in ("inbox", "sentitems", "drafts") else p["folder"]
    if folder not in ("inbox", "sentitems", "drafts") and folder not in box.named:
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    if "$filter" in q:
        raise GraphError(400, "ErrorInvalidUrlQueryFilter", f"filtre non géré par le serveur de test : {q['$filter']}")
    found = box.folder(folder)
    if "$orderby" in q:
        order = _ORDER.match(q["$orderby"])
        if order is None:
            raise GraphError(400, "BadRequest", f"$orderby non géré par le serveur de test : {q['$orderby']}")
        found = sorted(found, key=lambda i: i.received or _EPOCH, reverse=order.group(1) == "desc")
    skip = int(q.get("$skip", "0"))
    size = min(int(q.get("$top", "10")), graph.mail_page)
    page = found[skip:skip + size]
    shape: dict[str, Any] = {"value": [{**selected(message_out(i), q), **_derived(i)} for i in page]}
    if skip + size < len(found):
        following = {**q, "$skip": str(skip + size)}
        shape["@odata.nextLink"] = (f"{graph.origin}/v1.0/users/{quote(p['user'], safe='@')}/mailFolders/"
                                    f"{quote(p['folder'])}/messages?{urlencode(following, quote_via=quote)}")
    return Reply(200, shape)


def _derived(item: Any) -> dict[str, str]:
    """A meeting message is an eventMessage: Graph names its derived type with @odata.type, $select or not."""
    kinds = {"MeetingResponse": "eventMessageResponse", "MeetingRequest": "eventMessageRequest",
             "MeetingCancellation": "eventMessage"}
    return {"@odata.type": f"#microsoft.graph.{kinds[item.kind]}"} if item.kind in kinds else {}


def _folders(graph: Any, p: dict[str, str], q: Mapping[str, str], parent: str) -> Any:
    from .routes import Reply

    box = graph.box(p["user"])
    wanted = None
    if "$filter" in q:
        found = _DISPLAY_NAME.match(q["$filter"])
        if found is None:
            raise GraphError(400, "ErrorInvalidUrlQueryFilter", f"filtre non géré par le serveur de test : "
                                                                f"{q['$filter']}")
        wanted = found.group(1).replace("''", "'")
    folders = [{"id": fid, "displayName": name, "parentFolderId": up, "totalItemCount": len(box.folder(fid))}
               for fid, (name, up) in box.named.items() if up == parent and wanted in (None, name)]
    if parent == "msgfolderroot" and wanted in (None, "Boîte de réception"):
        folders.insert(0, {"id": "inbox", "displayName": "Boîte de réception", "parentFolderId": "msgfolderroot",
                           "totalItemCount": len(box.folder("inbox"))})
    return Reply(200, {"value": [selected(f, q) for f in folders]})


def root_folders(graph: Any, p: dict[str, str], q: Mapping[str, str], body: Any) -> Any:
    return _folders(graph, p, q, "msgfolderroot")


def child_folders(graph: Any, p: dict[str, str], q: Mapping[str, str], body: Any) -> Any:
    parent = p["folder"].lower() if p["folder"].lower() == "inbox" else p["folder"]
    return _folders(graph, p, q, parent)


def get_message(graph: Any, p: dict[str, str], q: Mapping[str, str], body: Any) -> Any:
    from .routes import Reply

    return Reply(200, selected(message_out(graph.item(graph.box(p["user"]), p["id"])), q))


def mime_content(graph: Any, p: dict[str, str], q: Mapping[str, str], body: Any) -> Any:
    from .routes import Reply

    box = graph.box(p["user"])
    item = graph.item(box, p["id"])
    return Reply(200, item.mime, {"Content-Type": "text/plain"})


_USER = r"/users/(?P<user>[^/]+)"
# after the routes of Sent Items and Drafts, which search by extended property
MAIL_ROUTES = [
    ("GET", _USER + r"/mailFolders/(?P<folder>[^/]+)/messages", "GET folder messages", list_messages),
    ("GET", _USER + r"/mailFolders", "GET mailFolders", root_folders),
    ("GET", _USER + r"/mailFolders/(?P<folder>[^/]+)/childFolders", "GET childFolders", child_folders),
    ("GET", _USER + r"/messages/(?P<id>[^/]+)/\$value", "GET $value", mime_content),
    ("GET", _USER + r"/messages/(?P<id>[^/]+)", "GET message", get_message),
]
