"""The Microsoft 365 mailbox as a source of incoming mail (Microsoft Graph).

- The messages of the Inbox, or of the folder found by its display name at the top of the mailbox or under the
  Inbox ("List mailFolders", "List childFolders" with $filter=displayName eq '…'), oldest first
  ($orderby=receivedDateTime), following @odata.nextLink as it is ("Paging Microsoft Graph data in your app",
  https://learn.microsoft.com/graph/paging).
  Those whose categories hold « Enregistré » are skipped here: Graph's $filter cannot negate a lambda on
  categories.
- Each new message read as MIME: GET /messages/{id}/$value ("Get MIME content of a message",
  https://learn.microsoft.com/graph/outlook-get-mime-message), one request each: $batch would carry it in JSON.
- Marking: PATCH /messages/{id} with the categories it has plus « Enregistré » ("Update message"): the array is
  replaced as a whole, so the current categories are read first and those staff set are kept.
The application needs Mail.ReadWrite (application permission) on the service's mailbox.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..errors import TransportError
from .inbox import REGISTERED, IncomingMail, MailSource

if TYPE_CHECKING:
    from .graph import GraphTransport

log = logging.getLogger(__name__)
# "eventMessageResponse resource type" (Microsoft Learn): a meeting answer, listed among the folder's messages
# with its derived type given by @odata.type
EVENT_RESPONSE = "#microsoft.graph.eventMessageResponse"
PAGE_SIZE = 50  # $top asked; Graph may answer fewer a page, the next link says where the rest is


class GraphInbox(MailSource):
    def __init__(self, transport: GraphTransport, folder: str | None = None, page_size: int = PAGE_SIZE) -> None:
        self.client = transport.client
        self.call = transport.call
        self.folder_name = folder or ""
        self.page_size = page_size
        self._folder_id = "" if folder else "inbox"
        where = f"dossier « {folder} »" if folder else "boîte de réception"
        self.name = f"{where} de « {self.client.mailbox} » (Microsoft 365)"

    def folder_id(self) -> str:
        """The Inbox by its well-known name, or the id of the folder named ``folder``."""
        if not self._folder_id:
            odata = self.folder_name.replace("'", "''")
            query = "?$filter=" + quote(f"displayName eq '{odata}'") + "&$select=id,displayName"
            user = self.client.user
            for parent in ("/mailFolders", "/mailFolders/inbox/childFolders"):
                found = self.call(f"la recherche du dossier « {self.folder_name} »",
                                  lambda parent=parent: self.client.request("GET", user(parent + query)) or {})
                if found.get("value"):
                    self._folder_id = str(found["value"][0]["id"])
                    break
            else:
                raise TransportError(f"Microsoft Graph : le dossier « {self.folder_name} » est introuvable dans "
                                     f"la boîte « {self.client.mailbox} » (ni à la racine, ni dans la boîte de "
                                     "réception) ; vérifiez [incoming] folder.")
        return self._folder_id

    def new_mails(self, limit: int) -> list[IncomingMail]:
        path = self.client.user(f"/mailFolders/{quote(self.folder_id(), safe='')}/messages"
                                f"?$select=id,receivedDateTime,categories&$orderby=receivedDateTime%20asc"
                                f"&$top={self.page_size}")
        listed = self.call("la lecture de la boîte de réception", lambda: self.client.pages(path))
        # an answer to the service's own invitation (a room's, a member's) is read by the meetings, not registered
        wanted = [m for m in listed if m.get("@odata.type") != EVENT_RESPONSE
                  and REGISTERED not in (m.get("categories") or [])][:limit]
        mails = []
        for message in wanted:
            path = self._message(message["id"], "/$value")
            raw = self.call("la lecture d'un mail reçu", lambda path=path: self.client.content(path, missing_ok=True))
            if raw is None:
                continue  # deleted or moved by staff since the listing: the next run sees where it went
            mails.append(IncomingMail(reference=str(message["id"]), raw=raw,
                                      received=_received(message.get("receivedDateTime"))))
        return mails

    def mark(self, mail: IncomingMail, number: str) -> None:
        what = f"le classement « {REGISTERED} » du mail {number}"
        path = self._message(mail.reference)
        # read just before writing: PATCH replaces the whole list, and staff may have changed it since
        current = self.call(what, lambda: self.client.request("GET", path + "?$select=categories", missing_ok=True))
        if current is None or "error" in current:
            log.info("mail %s supprimé ou déplacé de la boîte depuis sa lecture : rien à classer", number)
            return
        categories = list(current.get("categories") or [])
        if REGISTERED in categories:
            return
        self.call(what, lambda: self.client.request("PATCH", path, {"categories": [*categories, REGISTERED]}))

    def _message(self, message_id: str, tail: str = "") -> str:
        return self.client.user(f"/messages/{quote(message_id, safe='')}{tail}")

    def close(self) -> None:
        """Nothing of its own: the session is the transport's, which sends with it too and closes it."""


def _received(value: Any) -> datetime | None:
    """receivedDateTime, an ISO 8601 moment in UTC (« 2026-03-02T07:00:00Z »)."""
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
