"""Exchange through EWS (exchangelib): meetings in the organizer's calendar, rooms booked, mails in Sent Items.

Every item the transport creates carries two extended properties: the
action's stable key (to find the meeting again for an update or a
cancellation) and the id of the last delivery applied to it (to tell, after a
crash or a dropped connection, whether that delivery already happened). One
FindItem over the calendar and Sent Items answers both questions: in Sent
Items, a meeting sent with SendToAllAndSaveCopy is kept as the meeting
message (t:MeetingRequest, t:MeetingCancellation; [MS-OXWSMTGS] 2.2.5.3),
which carries the calendar item's named properties, so the properties are
registered on those item classes too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .base import ACCEPTED, DECLINED, NONE, TENTATIVE, Address, Attachment, Delivered, Mail, Meeting, RoomChoice
from .ews_connection import Caller, check_settings, open_account
from .inbox import MailSource
from .mailbox import MailboxTransport, key_of

_KEYS = {"server", "autodiscover", "auth", "username", "password_env", "mailbox", "access", "tenant_id",
         "client_id", "client_secret_env", "authority", "ca_file", "max_wait", "retries", "room_list"}


def _register_properties() -> None:
    from exchangelib import CalendarItem, ExtendedProperty, Message
    from exchangelib.items import MeetingCancellation, MeetingMessage, MeetingRequest, MeetingResponse

    class CommissionKey(ExtendedProperty):
        distinguished_property_set_id = "PublicStrings"
        property_name = "CommissionKey"
        property_type = "String"

    class CommissionDelivery(ExtendedProperty):
        distinguished_property_set_id = "PublicStrings"
        property_name = "CommissionDelivery"
        property_type = "String"

    # each item class keeps its own list of fields: a property registered on Message is not on MeetingRequest
    for model in (CalendarItem, Message, MeetingRequest, MeetingCancellation, MeetingMessage, MeetingResponse):
        names = {f.name for f in model.FIELDS}
        if "commission_key" not in names:
            model.register("commission_key", CommissionKey)
            model.register("commission_delivery", CommissionDelivery)


_ANSWERS = {"Accept": ACCEPTED, "Decline": DECLINED, "Tentative": TENTATIVE}
_ROOM_ANSWERS = {"Accept": "accepted", "Decline": "declined", "Tentative": "tentative"}
# GetRooms gives at most the first 100 rooms of a list, without paging: a list that long is expanded instead
GET_ROOMS_LIMIT = 100


@dataclass
class _Stored:
    item_id: str
    changekey: str
    delivery: str
    meeting: bool


class ExchangeTransport(MailboxTransport):
    name = "exchange"
    unknown_room = "inconnue d'Exchange ou disponibilités non lisibles (adresse à vérifier, droits de lecture)"

    def __init__(self, settings: Mapping[str, Any], *, base: Path, now: Callable[[], datetime]) -> None:
        super().__init__(settings, base=base, now=now)
        self._account: Any = None
        self._folders: tuple[Any, Any] | None = None
        self._stored: dict[str, list[_Stored]] = {}  # key -> items found by the last look-up
        self.call = Caller(settings)

    @classmethod
    def check_settings(cls, settings: Mapping[str, Any]) -> list[str]:
        return check_settings(settings, _KEYS)

    # -- connection -------------------------------------------------------
    def account(self) -> Any:
        if self._account is None:
            _register_properties()
            self._account = open_account(self.settings, self.base)
        return self._account

    def folders(self) -> tuple[Any, Any]:
        """The calendar and Sent Items, addressed by their well-known names: no GetFolder needed."""
        if self._folders is None:
            from exchangelib.folders import Calendar, Root, SentItems
            from exchangelib.properties import DistinguishedFolderId, Mailbox

            account = self.account()
            owner = Mailbox(email_address=account.primary_smtp_address)
            root = Root(account=account, _distinguished_id=DistinguishedFolderId(id="root", mailbox=owner))
            self._folders = tuple(  # type: ignore[assignment]
                cls(root=root, _distinguished_id=DistinguishedFolderId(id=cls.DISTINGUISHED_FOLDER_ID, mailbox=owner))
                for cls in (Calendar, SentItems))
        return self._folders  # type: ignore[return-value]

    def inbox(self, folder: str | None = None) -> MailSource:
        """The Inbox, or the folder named ``folder`` (« À enregistrer »), read for the incoming automation."""
        from .exchange_inbox import ExchangeInbox

        return ExchangeInbox(self, folder)

    def verify(self) -> str:
        calendar, _ = self.folders()
        opened = self.call("l'ouverture de la boîte", lambda: type(calendar).get_distinguished(root=calendar.root))
        return (f"Exchange joignable, boîte « {self.account().primary_smtp_address} » ouverte "
                f"(calendrier : {opened.total_count} éléments)")

    # -- look-ups ----------------------------------------------------------
    def _search(self, key: str) -> list[_Stored]:
        from exchangelib import CalendarItem, Q
        from exchangelib.fields import FieldPath
        from exchangelib.items import ID_ONLY, SHALLOW
        from exchangelib.restriction import Restriction
        from exchangelib.services import FindItem

        folders = self.folders()
        # exchangelib would follow FindItem with a GetItem for extended properties; EWS returns short string
        # properties in FindItem itself, so the service is called directly: one request for both folders
        wanted = {FieldPath(field=CalendarItem.get_field_by_fieldname(n)) for n in ("commission_key", "commission_delivery")}
        found = FindItem(account=self.account(), page_size=50).call(
            folders=folders, additional_fields=wanted, shape=ID_ONLY, depth=SHALLOW, order_fields=None,
            restriction=Restriction(Q(commission_key=key), folders=folders, applies_to=Restriction.ITEMS),
            query_string=None, calendar_view=None, max_items=None, offset=0)
        # the calendar item says which delivery was applied last; each meeting message in Sent Items, which
        # delivery it carried (it stays there when staff delete the meeting from the calendar). An item of a
        # class without the property registered is read as carrying none rather than failing the look-up
        stored = [_Stored(i.id, i.changekey, getattr(i, "commission_delivery", None) or "",
                          isinstance(i, CalendarItem))
                  for i in found if not isinstance(i, Exception)]
        self._stored[key] = stored
        return stored

    # -- sending ----------------------------------------------------------
    @staticmethod
    def _attendees(addresses: Sequence[Address]) -> list[Any]:
        from exchangelib import Attendee, Mailbox

        return [Attendee(mailbox=Mailbox(email_address=a.email, name=a.name or None), response_type="Unknown")
                for a in addresses]

    @staticmethod
    def _files(attachments: Sequence[Attachment]) -> list[Any]:
        from exchangelib import FileAttachment

        # an image of the HTML body travels inline, named by the Content-ID its <img src="cid:..."> gives
        return [FileAttachment(name=a.filename, content=a.content, content_type=a.mimetype,
                               is_inline=bool(a.content_id), content_id=a.content_id) for a in attachments]

    def send_mail(self, mail: Mail) -> Delivered:
        from exchangelib import HTMLBody, Mailbox, Message

        account = self.account()
        _, sent = self.folders()
        message = Message(account=account, folder=sent, subject=mail.subject,
                          body=HTMLBody(mail.body_html) if mail.body_html else mail.body_text,
                          to_recipients=[Mailbox(email_address=a.email, name=a.name or None) for a in mail.to],
                          cc_recipients=[Mailbox(email_address=a.email, name=a.name or None) for a in mail.cc] or None,
                          attachments=self._files(mail.attachments),
                          commission_key=key_of(mail.delivery_id), commission_delivery=mail.delivery_id)
        self.call(f"l'envoi du mail « {mail.subject} »", lambda: message.send_and_save(),
                  recheck=lambda: self._delivered(mail.delivery_id))
        return Delivered(reference=f"exchange:{mail.delivery_id}")

    def _fields(self, meeting: Meeting) -> dict[str, Any]:
        from exchangelib import EWSTimeZone

        zone = EWSTimeZone(meeting.timezone)
        return dict(subject=meeting.title, body=meeting.body_text, location=meeting.location,
                    start=meeting.start.astimezone(zone),
                    end=meeting.end.astimezone(zone),
                    required_attendees=self._attendees(meeting.required),
                    optional_attendees=self._attendees(meeting.optional) or None,
                    resources=self._attendees([meeting.room]) if meeting.room and meeting.room.email else None,
                    # calendar:LegacyFreeBusyStatus (exchangelib CalendarItem.legacy_free_busy_status): a held date
                    # shows tentative; set on every update too, so the convocation turns the held item busy.
                    # The requests sent carry it as IntendedFreeBusyStatus, which the attendees' copies take
                    legacy_free_busy_status="Tentative" if meeting.hold else "Busy",
                    commission_delivery=meeting.delivery_id)

    def _create(self, meeting: Meeting, key: str) -> str:
        from exchangelib import CalendarItem
        from exchangelib.items import SEND_TO_ALL_AND_SAVE_COPY

        calendar, _ = self.folders()
        item = CalendarItem(account=self.account(), folder=calendar, uid=meeting.uid, commission_key=key,
                            attachments=self._files(meeting.attachments), **self._fields(meeting))
        done = self.call(f"l'invitation « {meeting.subject} »",
                         lambda: item.save(send_meeting_invitations=SEND_TO_ALL_AND_SAVE_COPY),
                         recheck=lambda: self._delivered(meeting.delivery_id))
        return done.reference if isinstance(done, Delivered) else str(item.id)

    def _update(self, stored: _Stored, meeting: Meeting) -> str:
        from exchangelib.items import SEND_TO_ALL_AND_SAVE_COPY

        what = f"la mise à jour « {meeting.subject} »"
        item = self.call(what, lambda: self._get_item(stored, "attachments"))
        # the new convocation replaces the old one before the update is sent, so everyone gets the right one
        if item.attachments:
            self.call(what, lambda: item.detach(list(item.attachments)))
        if meeting.attachments:
            self.call(what, lambda: item.attach(self._files(meeting.attachments)))
        fields = self._fields(meeting)
        for name, value in fields.items():
            setattr(item, name, value)
        self.call(what, lambda: item.save(update_fields=list(fields),
                                          send_meeting_invitations=SEND_TO_ALL_AND_SAVE_COPY),
                  recheck=lambda: self._delivered(meeting.delivery_id))
        return str(item.id)

    def _cancel(self, stored: _Stored, meeting: Meeting) -> None:
        from exchangelib.items import CancelCalendarItem
        from exchangelib.properties import ReferenceItemId

        _, sent = self.folders()
        cancellation = CancelCalendarItem(account=self.account(), new_body=meeting.body_text,
                                          reference_item_id=ReferenceItemId(id=stored.item_id,
                                                                            changekey=stored.changekey))
        key = key_of(meeting.delivery_id)
        # once cancelled the meeting leaves the calendar, which is how a rerun knows it was done;
        # the copy goes to Sent Items by its well-known name, as other sends do, without a GetFolder
        self.call(f"l'annulation « {meeting.subject} »", lambda: cancellation.send(copy_to_folder=sent),
                  recheck=lambda: None if any(s.meeting for s in self._search(key)) else True)

    def answers(self, key: str) -> dict[str, str] | None:
        """Each attendee's own answer in Outlook, read from the organizer's copy of the meeting."""
        stored = self._meeting(key)
        if stored is None:
            return None
        item = self.call("la lecture des réponses",
                         lambda: self._get_item(stored, "required_attendees", "optional_attendees"))
        people = [*(item.required_attendees or []), *(item.optional_attendees or [])]
        return {a.mailbox.email_address.lower(): _ANSWERS.get(a.response_type or "", NONE) for a in people}

    def room_answer(self, delivery_id: str) -> str | None:
        """The room's answer, as its booking assistant set it on the organizer's meeting (ResponseType of the
        resource attendee): a decline by any room of the meeting wins, then tentative, then accepted when every
        room accepted; None while a room has not answered or when the meeting books no room."""
        stored = self._meeting(key_of(delivery_id))
        if stored is None:
            return None
        item = self.call("la lecture de la réponse de la salle", lambda: self._get_item(stored, "resources"))
        answers = [_ROOM_ANSWERS.get(a.response_type or "") for a in item.resources or []]
        for answer in ("declined", "tentative"):
            if answer in answers:
                return answer
        return "accepted" if answers and all(answers) else None

    def _get_item(self, stored: _Stored, *names: str) -> Any:
        """The meeting with just these fields, in one GetItem (the folder API would add a GetFolder)."""
        from exchangelib import CalendarItem
        from exchangelib.fields import FieldPath
        from exchangelib.items import ID_ONLY
        from exchangelib.services import GetItem

        fields = {FieldPath(field=CalendarItem.get_field_by_fieldname(n)) for n in names}
        [item] = list(GetItem(account=self.account()).call(items=[(stored.item_id, stored.changekey)],
                                                          additional_fields=fields, shape=ID_ONLY))
        if isinstance(item, Exception):
            raise item
        return item

    # -- rooms -------------------------------------------------------------
    def rooms(self) -> list[RoomChoice]:
        """The rooms of the configured room list (``room_list``), or of every room list with ``"*"``."""
        wanted = str(self.settings.get("room_list", ""))
        if not wanted:
            return []
        protocol = self.account().protocol
        lists = ([r.email_address for r in self.call("la liste des salles", lambda: list(protocol.get_roomlists()))]
                 if wanted == "*" else [wanted])
        found: dict[str, RoomChoice] = {}
        for room_list in lists:
            what = f"les salles de « {room_list} »"
            rooms = [(r.name, r.email_address) for r in self.call(what, lambda: list(protocol.get_rooms(room_list)))]
            if len(rooms) >= GET_ROOMS_LIMIT:
                # a room list is a distribution group of rooms; ExpandDL gives its whole membership (Microsoft
                # Learn, "ExpandDL operation") where GetRooms stops at 100
                rooms += [(m.name, m.email_address)
                          for m in self.call(what, lambda: protocol.expand_dl(room_list)) if m.email_address]
            for name, email in rooms:
                found.setdefault(email.lower(), RoomChoice(name or email, email.lower()))
        return list(found.values())

    def busy_slots(self, emails: Sequence[str], start: datetime,
                   end: datetime) -> dict[str, list[tuple[datetime, datetime]] | None]:
        """Busy slots per mailbox in one GetUserAvailability (exchangelib sends one per 100 mailboxes, the most
        Exchange takes); None for a mailbox Exchange does not know."""
        from exchangelib import EWSDateTime, EWSTimeZone
        from exchangelib.properties import FreeBusyViewOptions, MailboxData, StandardTime, TimeWindow
        from exchangelib.properties import DaylightTime, TimeZone
        from exchangelib.services import GetUserAvailability

        # asked in UTC, which needs no GetServerTimeZones round trip first
        utc = timezone.utc
        never = dict(bias=0, time=datetime(2000, 1, 1).time(), occurrence=1, iso_month=1, weekday=1)
        zone = TimeZone(bias=0, standard_time=StandardTime(**never), daylight_time=DaylightTime(**never))
        window = TimeWindow(start=EWSDateTime.from_datetime(start.astimezone(utc)),
                            end=EWSDateTime.from_datetime(end.astimezone(utc)))
        views = GetUserAvailability(self.account().protocol).call(
            tzinfo=EWSTimeZone("UTC"), timezone=zone,
            mailbox_data=[MailboxData(email=e, attendee_type="Room", exclude_conflicts=False) for e in emails],
            free_busy_view_options=FreeBusyViewOptions(time_window=window, requested_view="FreeBusy"))
        slots: dict[str, list[tuple[datetime, datetime]] | None] = {}
        for email, view in zip(emails, views):
            if isinstance(view, Exception):
                slots[email.lower()] = None
                continue
            slots[email.lower()] = [(e.start, e.end) for e in (view.calendar_events or [])
                                    if e.busy_type not in ("Free", "WorkingElsewhere")]
        return slots

    def close(self) -> None:
        if self._account is not None:
            self._account.protocol.close()
            self._account, self._folders = None, None
