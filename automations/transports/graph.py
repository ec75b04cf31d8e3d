"""Microsoft 365 through Microsoft Graph: meetings in the organizer's calendar, rooms booked, mails in Sent Items.

The same behaviour as the exchange transport, for mailboxes in Exchange Online, where EWS is switched off.
Every event or mail it makes carries the exchange transport's two extended properties (the action's key, and
the id of the last delivery applied), so one $batch of three searches, the calendar, Drafts and Sent Items,
tells whether a delivery happened: Microsoft documents that a message accepted by sendMail or /send stays in
Drafts until transport has processed it, and only then reaches Sent Items ("Things to know about send mail").
A message in Drafts carrying its delivery id was therefore accepted for sending: it is never sent again. An event is created silent, without attendees (Graph cannot attach files in the
creating request, and attendees would be invited before the convocation is attached); its attachments and
one PATCH adding the attendees and the delivery id then go in one $batch: Graph invites at that PATCH.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .base import ACCEPTED, DECLINED, NONE, TENTATIVE, Attachment, Delivered, Mail, Meeting, RoomChoice
from .graph_client import Call, GraphClient, check_settings
from .graph_items import (
    CHUNK, DELIVERY_PROPERTY, attendees, delivery_of, event_fields, file_attachment, fits_alone, message,
    parse_time, properties, searched_by_key, split, transaction_id, upload_item,
)
from .inbox import MailSource
from .mailbox import MailboxTransport, key_of
from ..french import plural

PLACES_PAGE = 100  # "List places" (Microsoft Learn): 100 rooms a page unless $top says otherwise
_ANSWERS = {"accepted": ACCEPTED, "declined": DECLINED, "tentativelyAccepted": TENTATIVE}
_ROOM_ANSWERS = {"accepted": "accepted", "declined": "declined", "tentativelyAccepted": "tentative"}


@dataclass
class _Stored:
    item_id: str
    delivery: str  # empty for an event created but not yet sent to its attendees
    meeting: bool
    attendees: list[dict[str, Any]] = field(default_factory=list)
    draft: bool = False  # a message still in Drafts: being built (no delivery id) or accepted, not yet moved


class GraphTransport(MailboxTransport):
    name = "graph"
    unknown_room = ("inconnue de Microsoft 365 ou disponibilités non lisibles (adresse à vérifier, droits de "
                    "lecture)")

    def __init__(self, settings: Mapping[str, Any], *, base: Path, now: Callable[[], datetime]) -> None:
        super().__init__(settings, base=base, now=now)
        self.client = GraphClient(settings, base, sleep=lambda seconds: self.pause(seconds))
        self.call = self.client.call
        self._stored: dict[str, list[_Stored]] = {}  # key -> items found by the last look-up

    @classmethod
    def check_settings(cls, settings: Mapping[str, Any]) -> list[str]:
        return check_settings(settings)

    def inbox(self, folder: str | None = None) -> MailSource:
        """The Inbox, or the folder named ``folder`` (« À enregistrer »), read for the incoming automation."""
        from .graph_inbox import GraphInbox

        return GraphInbox(self, folder)

    def verify(self) -> str:
        user = self.client.user
        calendar, sent = self.call("l'ouverture de la boîte", lambda: self.client.batch([
            Call("GET", user("/calendar?$select=name")),
            Call("GET", user("/mailFolders/sentitems?$select=displayName,totalItemCount"))]))
        return (f"Microsoft Graph joignable, boîte « {self.client.mailbox} » ouverte (calendrier « "
                f"{calendar.get('name', '')} », {sent.get('displayName', 'Éléments envoyés')} : "
                f"{plural(sent.get('totalItemCount', 0), 'message', 'messages')})")

    # -- look-ups ----------------------------------------------------------
    def _search(self, key: str) -> list[_Stored]:
        user = self.client.user
        events, drafts, mails = self.client.batch([
            Call("GET", searched_by_key(user("/events"), key, "id,attendees")),
            Call("GET", searched_by_key(user("/mailFolders/drafts/messages"), key, "id")),
            Call("GET", searched_by_key(user("/mailFolders/sentitems/messages"), key, "id"))])
        stored = [_Stored(e["id"], delivery_of(e), True, e.get("attendees") or []) for e in events.get("value", [])]
        stored += [_Stored(m["id"], delivery_of(m), False, draft=True) for m in drafts.get("value", [])]
        stored += [_Stored(m["id"], delivery_of(m), False) for m in mails.get("value", [])]
        self._stored[key] = stored
        return stored

    # -- sending ----------------------------------------------------------
    def _attach(self, parent: str, attachment: Attachment) -> None:
        """One attachment on its own: posted whole when its encoded form fits a request, else uploaded."""
        if fits_alone(attachment):
            self.client.request("POST", f"{parent}/attachments", file_attachment(attachment))
            return
        session = self.client.request("POST", f"{parent}/attachments/createUploadSession", upload_item(attachment))
        self.client.upload(session["uploadUrl"], attachment.content, CHUNK)

    def send_mail(self, mail: Mail) -> Delivered:
        key = key_of(mail.delivery_id)
        inline, separate = split(mail.attachments)
        what = f"l'envoi du mail « {mail.subject} »"

        def recheck() -> Delivered | None:
            return self._delivered(mail.delivery_id)

        if not separate:
            # accepted, the message is in Drafts with its delivery id until it moves to Sent Items: the
            # re-check finds it in either
            body = {"message": message(mail, key, inline), "saveToSentItems": True}
            self.call(what, lambda: self.client.request("POST", self.client.user("/sendMail"), body),
                      recheck=recheck)
        else:
            self._send_draft(mail, key, inline, separate, what, recheck)
        self._stored.pop(key, None)
        return Delivered(reference=f"graph:{mail.delivery_id}")

    def _send_draft(self, mail: Mail, key: str, inline: list[Attachment], separate: list[Attachment], what: str,
                    recheck: Callable[[], Delivered | None]) -> None:
        """Too large for one request: a draft without the delivery id, its other files one by one, then one
        $batch stamping the delivery id and sending. Until that batch, a draft is known unsent."""
        user = self.client.user
        if key not in self._stored:
            self.call(what, lambda: self._search(key))
        for stale in [s for s in self._stored[key] if s.draft and not s.delivery]:
            # left by an attempt cut short before its send: removed, so that it never goes out
            self.call(what, lambda i=stale.item_id: self.client.request(  # type: ignore[misc]
                "DELETE", user(f"/messages/{quote(i, safe='')}"), missing_ok=True))

        def unsent_draft() -> dict[str, str] | None:
            return next(({"id": s.item_id} for s in self._search(key) if s.draft and not s.delivery), None)

        draft = self.call(what, lambda: self.client.request("POST", user("/messages"),
                                                            message(mail, key, inline, stamped=False)),
                          recheck=unsent_draft)
        path = user(f"/messages/{quote(draft['id'], safe='')}")
        for attachment in separate:
            self.call(what, lambda a=attachment: self._attach(path, a),  # type: ignore[misc]
                      recheck=lambda a=attachment: self._attached(path, a))  # type: ignore[misc]
        # both in one $batch, carried out together by Graph: a stamped draft was handed to /send
        self.call(what, lambda: self.client.batch([
            Call("PATCH", path, {"singleValueExtendedProperties": [
                {"id": DELIVERY_PROPERTY, "value": mail.delivery_id}]}),
            Call("POST", f"{path}/send")], sequential=True), recheck=recheck)

    def _attached(self, parent: str, attachment: Attachment) -> bool | None:
        """True when the file is already on the item (its request went through before the line dropped)."""
        names = [a.get("name") for a in self.client.pages(f"{parent}/attachments?$select=name")]
        return True if attachment.filename in names else None

    def _create(self, meeting: Meeting, key: str) -> str:
        what = f"l'invitation « {meeting.subject} »"
        body = {**event_fields(meeting), "transactionId": transaction_id(meeting.delivery_id),
                "singleValueExtendedProperties": properties(key, None)}

        def silent_event() -> dict[str, str] | None:
            return next(({"id": s.item_id} for s in self._search(key) if s.meeting), None)

        created = self.call(what, lambda: self.client.request("POST", self.client.user("/events"), body),
                            recheck=silent_event)
        return self._deliver(created["id"], meeting, what, fresh=True)

    def _update(self, stored: _Stored, meeting: Meeting) -> str:
        return self._deliver(stored.item_id, meeting, f"la mise à jour « {meeting.subject} »", fresh=False)

    def _deliver(self, event_id: str, meeting: Meeting, what: str, *, fresh: bool) -> str:
        """The convocation replaces the attachments, then the PATCH with the attendees sends it to everyone
        (a cancellation to those it drops); in one $batch, in that order."""
        path = self.client.user(f"/events/{event_id}")
        state = {"fresh": fresh}

        def deliver() -> str:
            # attachments of an earlier version, or of an attempt cut short, leave first
            stale = [] if state.pop("fresh", False) else [
                a["id"] for a in self.client.pages(f"{path}/attachments?$select=id")]
            inline, separate = split(meeting.attachments)
            for attachment in separate:
                self._attach(path, attachment)
            calls = [Call("DELETE", f"{path}/attachments/{quote(i, safe='')}", missing_ok=True) for i in stale]
            calls += [Call("POST", f"{path}/attachments", file_attachment(a)) for a in inline]
            calls.append(Call("PATCH", path, {**event_fields(meeting), "attendees": attendees(meeting),
                                              "singleValueExtendedProperties": [
                                                  {"id": DELIVERY_PROPERTY, "value": meeting.delivery_id}]}))
            self.client.batch(calls, sequential=True)
            return event_id

        done = self.call(what, deliver, recheck=lambda: self._delivered(meeting.delivery_id))
        return done.reference if isinstance(done, Delivered) else done

    def _cancel(self, stored: _Stored, meeting: Meeting) -> None:
        path = self.client.user(f"/events/{stored.item_id}")
        what = f"l'annulation « {meeting.subject} »"
        if not stored.delivery:
            # created by a run stopped before its invitation: nobody was invited, nobody is told
            self.call(what, lambda: self.client.request("DELETE", path, missing_ok=True))
            return
        key = key_of(meeting.delivery_id)
        # once cancelled the meeting leaves the calendar, which is how a rerun knows it was done
        self.call(what, lambda: self.client.request("POST", f"{path}/cancel", {"comment": meeting.body_text}),
                  recheck=lambda: None if any(s.meeting for s in self._search(key)) else True)

    def answers(self, key: str) -> dict[str, str] | None:
        """Each attendee's own answer in Outlook, as the organizer's event holds it."""
        stored = self._meeting(key)
        if stored is None:
            return None
        return {str(a["emailAddress"]["address"]).lower(): _ANSWERS.get((a.get("status") or {}).get("response", ""),
                                                                        NONE)
                for a in stored.attendees if a.get("type") != "resource"}

    def room_answer(self, delivery_id: str) -> str | None:
        """The room attendee's response on the organizer's event: its booking assistant answers after the
        invitation, declining on a conflict or by its policy (booking window, capacity, working hours)."""
        stored = self._meeting(key_of(delivery_id))
        rooms = [a for a in (stored.attendees if stored is not None else []) if a.get("type") == "resource"]
        if not rooms:
            return None
        return _ROOM_ANSWERS.get(str((rooms[0].get("status") or {}).get("response", "")))

    # -- rooms -------------------------------------------------------------
    def rooms(self) -> list[RoomChoice]:
        """The rooms of the configured room list (``room_list``), or every room of the tenant with ``"*"``."""
        wanted = str(self.settings.get("room_list", ""))
        if not wanted:
            return []
        path = ("/places/microsoft.graph.room" if wanted == "*"
                else f"/places/{quote(wanted, safe='@')}/microsoft.graph.roomlist/rooms")
        found: dict[str, RoomChoice] = {}
        # the places API sends no next link past its pages of 100: paged by $skip until a short page
        for room in self.call("la liste des salles", lambda: self.client.skipped_pages(path, PLACES_PAGE)):
            email = str(room.get("emailAddress") or "").lower()
            if email:
                capacity = room.get("capacity")
                found.setdefault(email, RoomChoice(str(room.get("displayName") or email), email,
                                                   capacity if isinstance(capacity, int) and capacity > 0 else None))
        return list(found.values())

    def busy_slots(self, emails: Sequence[str], start: datetime,
                   end: datetime) -> dict[str, list[tuple[datetime, datetime]] | None]:
        """Busy slots per mailbox in one getSchedule; None for a mailbox Microsoft 365 does not know."""
        def utc(moment: datetime) -> dict[str, str]:
            return {"dateTime": moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds"),
                    "timeZone": "UTC"}

        body = {"schedules": list(emails), "startTime": utc(start), "endTime": utc(end), "availabilityViewInterval": 15}
        answer = self.client.request("POST", self.client.user("/calendar/getSchedule"), body,
                                     headers={"Prefer": 'outlook.timezone="UTC"'}) or {}
        schedules = {str(s.get("scheduleId", "")).lower(): s for s in answer.get("value", [])}
        slots: dict[str, list[tuple[datetime, datetime]] | None] = {}
        for email in emails:
            schedule = schedules.get(email.lower())
            if schedule is None or schedule.get("error"):
                slots[email.lower()] = None
                continue
            slots[email.lower()] = [(parse_time(i["start"]), parse_time(i["end"]))
                                    for i in schedule.get("scheduleItems", [])
                                    if i.get("status") not in ("free", "workingElsewhere")]
        return slots

    def close(self) -> None:
        self.client.close()
