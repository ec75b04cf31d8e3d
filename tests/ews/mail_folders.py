"""Reading a mailbox as Exchange answers it: FindItem's sort order and paging, FindFolder by display name.

Paging follows Microsoft Learn, "IndexedPageItemView" (https://learn.microsoft.com/en-us/exchange/client-developer/
web-service-reference/indexedpageitemview) and "Perform paged searches by using EWS": MaxEntriesReturned items from
Offset (counted from BasePoint Beginning); the answer's RootFolder gives IndexedPagingOffset (where the next page
starts), TotalItemsInView and IncludesLastItemInRange (false while more remain).
"""

from __future__ import annotations

from datetime import datetime, timezone
from xml.etree import ElementTree as ET

from .items import local
from .soap import M, T, m, response_message, sub, t, text_of
from .store import Item, Mailbox

NS = {"t": T, "m": M}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_SORT_KEYS = {"item:DateTimeReceived": lambda i: i.received or _EPOCH, "item:Subject": lambda i: i.subject}


def sort_and_page(found: list[Item], body: ET.Element) -> tuple[list[Item], dict[str, object]]:
    """The page of ``found`` the request asks for, and the RootFolder's paging attributes."""
    for order in reversed(list(body.iterfind("m:SortOrder/t:FieldOrder", NS))):
        uri = order.find("t:FieldURI", NS)
        key = _SORT_KEYS.get(uri.get("FieldURI", "") if uri is not None else "")
        if key is not None:
            found = sorted(found, key=key, reverse=order.get("Order") == "Descending")
    view = body.find("m:IndexedPageItemView", NS)
    total = len(found)
    if view is None:
        return found, {"IndexedPagingOffset": total, "TotalItemsInView": total, "IncludesLastItemInRange": "true"}
    offset = int(view.get("Offset", "0"))
    if view.get("BasePoint", "Beginning") == "End":
        offset = max(total - offset - int(view.get("MaxEntriesReturned", total)), 0)
    size = int(view.get("MaxEntriesReturned", str(total)))
    page = found[offset:offset + size]
    after = offset + len(page)
    return page, {"IndexedPagingOffset": after, "TotalItemsInView": total,
                  "IncludesLastItemInRange": "true" if after >= total else "false"}


def _children(box: Mailbox, parent: str, deep: bool) -> list[tuple[str, str]]:
    """(id, display name) of the folders under ``parent``; the Inbox sits under msgfolderroot."""
    direct = [(fid, name) for fid, (name, up) in box.named.items() if up == parent]
    found = list(direct)
    if deep:
        for fid, _ in direct:
            found += _children(box, fid, deep)
        if parent in ("root", "msgfolderroot"):
            found += _children(box, "inbox", deep)
    return found


def find_folder(request: object, out: ET.Element) -> None:
    """FindFolder under a folder, Shallow or Deep, restricted to DisplayName IsEqualTo a constant."""
    from .operations import _each_folder

    body = request.body  # type: ignore[attr-defined]
    deep = body.get("Traversal", "Shallow") == "Deep"
    wanted = None
    equal = body.find("m:Restriction/t:IsEqualTo", NS)
    if equal is not None:
        wanted = equal.find("t:FieldURIOrConstant/t:Constant", NS).get("Value", "")
    for box, parent in _each_folder(request, out, "m:ParentFolderIds"):  # type: ignore[arg-type]
        folders = [(fid, name) for fid, name in _children(box, parent, deep) if wanted is None or name == wanted]
        msg = response_message(out, "FindFolder")
        root = sub(msg, m("RootFolder"), IndexedPagingOffset=len(folders), TotalItemsInView=len(folders),
                   IncludesLastItemInRange="true")
        holder = sub(root, t("Folders"))
        for fid, name in folders:
            folder = sub(holder, t("Folder"))
            sub(folder, t("FolderId"), Id=f"{fid}:{box.email}", ChangeKey="AQAAAA==")
            sub(folder, t("FolderClass"), "IPF.Note")
            sub(folder, t("DisplayName"), name)
            sub(folder, t("TotalCount"), len(box.folder(fid)))


def wants_mime(body: ET.Element) -> bool:
    """Whether GetItem's shape asks for the MIME stream (IncludeMimeContent, or item:MimeContent added)."""
    shape = body.find("m:ItemShape", NS)
    if shape is None:
        return False
    if text_of(shape, "t:IncludeMimeContent") in ("true", "1"):
        return True
    return any(local(u.tag) == "FieldURI" and u.get("FieldURI") == "item:MimeContent"
               for u in shape.iterfind("t:AdditionalProperties/*", NS))
