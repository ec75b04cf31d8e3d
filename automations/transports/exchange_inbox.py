"""The Exchange mailbox as a source of incoming mail (EWS through exchangelib).

Messages are listed with FindItem over the Inbox, or over a folder found by its display name, sorted by
DateTimeReceived and paged with IndexedPageItemView (Microsoft Learn, "Perform paged searches by using EWS in
Exchange", https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/how-to-perform-paged-
searches-by-using-ews-in-exchange: exchangelib sends MaxEntriesReturned and Offset, then asks from the
IndexedPagingOffset answered while IncludesLastItemInRange is false). Those already carrying the category
« Enregistré » are skipped; the others are read with GetItem and their MimeContent (Microsoft Learn,
"MimeContent": the message's MIME stream, base64). Marking adds the category with UpdateItem
(SetItemField item:Categories), keeping the categories staff set.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .inbox import REGISTERED, IncomingMail, MailSource

if TYPE_CHECKING:
    from .exchange import ExchangeTransport

log = logging.getLogger(__name__)
PAGE_SIZE = 50  # FindItem entries per request; exchangelib asks for the next page while the last is not in range


class ExchangeInbox(MailSource):
    def __init__(self, transport: ExchangeTransport, folder: str | None = None, page_size: int = PAGE_SIZE) -> None:
        self.transport = transport
        self.folder_name = folder or ""
        self.page_size = page_size
        self._folder: Any = None
        box = transport.settings.get("mailbox", "")
        where = f"dossier « {folder} »" if folder else "boîte de réception"
        self.name = f"{where} de « {box} » (Exchange)"

    # -- the folder --------------------------------------------------------
    def _owner(self) -> Any:
        from exchangelib.properties import Mailbox

        return Mailbox(email_address=self.transport.account().primary_smtp_address)

    def folder(self) -> Any:
        """The Inbox by its well-known name, or the folder named ``folder`` found by FindFolder."""
        if self._folder is None:
            self._folder = self._named() if self.folder_name else self._distinguished("inbox")
        return self._folder

    def _distinguished(self, name: str) -> Any:
        from exchangelib.folders import Inbox, MsgFolderRoot, Root
        from exchangelib.properties import DistinguishedFolderId

        account, owner = self.transport.account(), self._owner()
        root = Root(account=account, _distinguished_id=DistinguishedFolderId(id="root", mailbox=owner))
        cls = {"inbox": Inbox, "msgfolderroot": MsgFolderRoot}[name]
        return cls(root=root, _distinguished_id=DistinguishedFolderId(id=name, mailbox=owner))

    def _named(self) -> Any:
        from exchangelib import Q
        from exchangelib.fields import FieldPath
        from exchangelib.folders import DEEP, Folder
        from exchangelib.restriction import Restriction
        from exchangelib.services import FindFolder

        from ..errors import TransportError

        # a deep search from the top of the mailbox: the folder may sit under the Inbox or beside it
        top = self._distinguished("msgfolderroot")
        display = Folder.get_field_by_fieldname("name")
        found = self.transport.call(
            f"la recherche du dossier « {self.folder_name} »",
            lambda: [f for f in FindFolder(account=self.transport.account()).call(
                folders=[top], additional_fields={FieldPath(field=display)},
                restriction=Restriction(Q(name=self.folder_name), folders=[top], applies_to=Restriction.FOLDERS),
                shape="IdOnly", depth=DEEP, max_items=None, offset=0) if not isinstance(f, Exception)])
        if not found:
            raise TransportError(f"Exchange : le dossier « {self.folder_name} » est introuvable dans la boîte "
                                 f"« {self.transport.settings.get('mailbox', '')} » ; vérifiez [incoming] folder.")
        return found[0]

    # -- reading -------------------------------------------------------------
    def new_mails(self, limit: int) -> list[IncomingMail]:
        from exchangelib import Message
        from exchangelib.fields import FieldOrder, FieldPath
        from exchangelib.items import ID_ONLY, SHALLOW, MeetingResponse
        from exchangelib.services import FindItem, GetItem

        folder = self.folder()
        account = self.transport.account()
        listed = {FieldPath(field=Message.get_field_by_fieldname(n)) for n in ("categories", "datetime_received")}
        oldest_first = [FieldOrder(field_path=FieldPath(field=Message.get_field_by_fieldname("datetime_received")))]
        found = self.transport.call("la lecture de la boîte de réception", lambda: [
            i for i in FindItem(account=account, page_size=self.page_size).call(
                folders=[folder], additional_fields=listed, restriction=None, order_fields=oldest_first,
                shape=ID_ONLY, query_string=None, depth=SHALLOW, calendar_view=None, max_items=None, offset=0)
            if not isinstance(i, Exception)])
        # an answer to the service's own invitation (a room's, a member's) is read by the meetings, not registered
        wanted = [(i.id, i.changekey) for i in found
                  if not isinstance(i, MeetingResponse) and REGISTERED not in (i.categories or [])][:limit]
        if not wanted:
            return []
        read = {FieldPath(field=Message.get_field_by_fieldname(n)) for n in ("mime_content", "datetime_received")}
        # one message a request: a MIME stream may weigh tens of MB (base64 adds a third), and Exchange caps the
        # size of a response (web.config maxReceivedMessageSize), so messages are not read in bulk
        items = self.transport.call("la lecture des mails reçus", lambda: list(
            GetItem(account=account, chunk_size=1).call(items=wanted, additional_fields=read, shape=ID_ONLY)))
        # an item deleted between the two requests is simply not listed: the next run sees the rest
        return [IncomingMail(reference=i.id, raw=bytes(i.mime_content or b""), received=_aware(i.datetime_received))
                for i in items if not isinstance(i, Exception)]

    # -- marking -------------------------------------------------------------
    def mark(self, mail: IncomingMail, number: str) -> None:
        from exchangelib import Message
        from exchangelib.fields import FieldPath
        from exchangelib.items import ID_ONLY
        from exchangelib.services import GetItem, UpdateItem

        account = self.transport.account()
        field = Message.get_field_by_fieldname("categories")
        what = f"le classement « {REGISTERED} » du mail {number}"
        # read just before writing: staff may have set or removed categories since the listing
        item = self.transport.call(what, lambda: _only(GetItem(account=account).call(
            items=[(mail.reference, None)], additional_fields={FieldPath(field=field)}, shape=ID_ONLY)))
        if item is None:
            log.info("mail %s supprimé ou déplacé de la boîte depuis sa lecture : rien à classer", number)
            return
        categories = list(item.categories or [])
        if REGISTERED in categories:
            return
        item.categories = [*categories, REGISTERED]
        self.transport.call(what, lambda: list(UpdateItem(account=account).call(
            items=[(item, ["categories"])], conflict_resolution="AlwaysOverwrite", message_disposition="SaveOnly",
            send_meeting_invitations_or_cancellations="SendToNone", suppress_read_receipts=True)))

    def close(self) -> None:
        """Nothing of its own: the connection is the transport's, which sends with it too and closes it."""


def _only(answers: Any) -> Any:
    """The one item GetItem answered; None when staff deleted or moved it meanwhile, another error raised for
    the policy to say."""
    from exchangelib.errors import ErrorItemNotFound

    [item] = list(answers)
    if isinstance(item, ErrorItemNotFound):
        return None
    if isinstance(item, Exception):
        raise item
    return item


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
