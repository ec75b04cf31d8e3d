"""The holding invitation: a session the planning wrote, its date blocked in the members' calendars and its
room booked, « convocation à suivre ». The convocation later updates this same meeting (same key, hence the
same UID and the same Exchange or Graph item), so members never hold two meetings for one session."""

from __future__ import annotations

from ..domain.service import Session
from ..engine.actions import Action
from ..engine.context import Context
from .. import french
from ..french import plural
from ..transports.base import Address, Meeting
from .meeting_parts import address, removed, removed_room, uid, when


def hold_title(committee: str, when_text: str) -> str:
    return f"Convocation à suivre – {committee} – {when_text}"


def hold_meeting(ctx: Context, action: Action) -> Meeting:
    session: Session = action.subject["session"]
    service = ctx.config.service
    start, end = session.start(ctx.zone), session.end(ctx.zone)
    assert start is not None and end is not None  # a session without a time gets no holding invitation
    committee = session.committee.name
    room = action.subject["room"]
    room_name = action.payload["room"]
    said = when(start)
    update = action.kind == "update"
    note = ""
    if update:
        listed = "".join(f"- {line}\n" for line in action.subject.get("changes") or [])
        note = f"La date réservée a changé :\n{listed}\n" if listed else "La date réservée a changé.\n\n"
    lead = plural(session.committee.invitation_days, "jour", "jours")
    body = (f"Mesdames, Messieurs,\n\n{note}La séance {french.of_name(committee)} est prévue le {said}, {room_name}.\n"
            "Cette invitation réserve la date dans votre agenda. La convocation, avec l'ordre du jour, suivra "
            f"environ {lead} avant la séance et mettra à jour ce même rendez-vous.\n\n"
            f"{service.signatory}\n{service.name}")
    return Meeting(
        delivery_id=action.delivery_id, uid=uid(action, service.mail_domain), sequence=action.revision,
        method="REQUEST", subject=f"{'Modification – ' if update else ''}Réservation – {committee} – {said} "
                                  "(convocation à suivre)",
        title=hold_title(committee, said), start=start, end=end, location=room_name,
        organizer=Address(service.email, service.name),
        required=tuple(address(m) for m in action.subject["required"]),
        optional=tuple(address(m) for m in action.subject["optional"]),
        room=Address(room.email, room.name) if room and room.email else None,
        body_text=body, timezone=service.timezone, stamp=ctx.now(), hold=True,
        removed=removed(action), removed_room=removed_room(action))
