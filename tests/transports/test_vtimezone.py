"""The VTIMEZONE sent with a meeting is the one Outlook reads safely (MS-OXCICAL 2.1.3.1.1.19.2):
exactly one STANDARD component, at most one DAYLIGHT one recurring yearly, no history, no comment."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from automations.transports.base import Address, Meeting
from automations.transports.ics import meeting_ics

NOUMEA = ZoneInfo("Pacific/Noumea")


def meeting(zone: ZoneInfo, start: datetime) -> Meeting:
    return Meeting("d", "uid-1", 0, "REQUEST", "Convocation", start.replace(tzinfo=zone),
                   start.replace(tzinfo=zone) + timedelta(hours=2), "Salle Kaori",
                   Address("secretariat@province-sud.nc", "Secrétariat"),
                   (Address("marie.waia@province-sud.nc", "WAIA Marie"),), "Ordre du jour",
                   timezone=zone.key, stamp=datetime(2026, 11, 23, tzinfo=timezone.utc))


def test_noumea_is_one_standard_block_at_plus_eleven() -> None:
    calendar = Calendar.from_ical(meeting_ics(meeting(NOUMEA, datetime(2026, 12, 7, 8, 30))))
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Pacific/Noumea"
    assert [c.name for c in zone.subcomponents] == ["STANDARD"]
    [standard] = zone.subcomponents
    assert standard["TZOFFSETFROM"].td == standard["TZOFFSETTO"].td == timedelta(hours=11)
    assert "RDATE" not in standard and "COMMENT" not in zone
    text = meeting_ics(meeting(NOUMEA, datetime(2026, 12, 7, 8, 30))).decode()
    assert text.count("BEGIN:STANDARD") == 1 and "DAYLIGHT" not in text and "This timezone" not in text
    # the zone comes before the event that names it, and a reader places the meeting at 8 h 30 in Nouméa
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART").astimezone(timezone.utc) == datetime(2026, 12, 6, 21, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("name, daylight, standard", [
    ("Europe/Paris", "-1SU", "-1SU"),  # last Sunday of March, last Sunday of October
    ("Australia/Sydney", "1SU", "1SU"),  # first Sunday of October, first Sunday of April
    ("America/New_York", "2SU", "1SU"),  # second Sunday of March, first Sunday of November
])
def test_a_zone_with_summer_time_is_one_standard_and_one_daylight_rule(name: str, daylight: str, standard: str) -> None:
    [zone] = Calendar.from_ical(meeting_ics(meeting(ZoneInfo(name), datetime(2027, 5, 3, 9)))).walk("VTIMEZONE")
    kinds = {c.name: c for c in zone.subcomponents}
    assert sorted(kinds) == ["DAYLIGHT", "STANDARD"]
    assert kinds["DAYLIGHT"]["RRULE"]["BYDAY"] == [daylight] and kinds["STANDARD"]["RRULE"]["BYDAY"] == [standard]
    # every hour of the year read through the exported rules falls where the zone database puts it
    exported = zone.to_tz()
    real = ZoneInfo(name)
    moment = datetime(2027, 1, 1, tzinfo=timezone.utc)
    while moment.year == 2027:
        assert moment.astimezone(exported).utcoffset() == moment.astimezone(real).utcoffset(), moment
        moment += timedelta(hours=1)
