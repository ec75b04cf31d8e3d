"""Names from the registers in address headers: on one line, cut to a sane length, never a line past 998."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from automations.transports import BACKENDS, Address

from ..conftest import NOUMEA
from .test_transports import mail, meeting

STAMP = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)


def _sent(tmp_path: Path, send) -> tuple[bytes, email.message.EmailMessage]:  # type: ignore[no-untyped-def]
    outbox = BACKENDS["outbox"]({"folder": "envois"}, base=tmp_path, now=lambda: STAMP)
    raw = Path(send(outbox).reference).read_bytes()
    return raw, email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def _longest_line(raw: bytes) -> int:
    return max(len(line) for line in raw.split(b"\r\n"))


def test_a_name_of_5000_characters_is_cut_in_the_to_header(tmp_path: Path) -> None:
    to = Address("malia.trolue@mail.nc", "Malia " + "M" * 5000)
    raw, message = _sent(tmp_path, lambda outbox: outbox.send_mail(replace(mail(), to=(to,))))
    assert _longest_line(raw) <= 998
    [address] = message["To"].addresses
    assert address.addr_spec == "malia.trolue@mail.nc"
    assert len(address.display_name) == 100 and address.display_name.startswith("Malia MMM")
    assert address.display_name.endswith("…")


def test_an_accented_long_name_of_a_meeting_attendee_too(tmp_path: Path) -> None:
    attendee = Address("wassissi.lalie@fsh.nc", "Élisabeth " * 600)
    raw, message = _sent(tmp_path, lambda outbox: outbox.send_meeting(replace(meeting(), required=(attendee,))))
    assert _longest_line(raw) <= 998
    names = [a.display_name for a in message["To"].addresses if a.addr_spec == "wassissi.lalie@fsh.nc"]
    assert len(names[0]) <= 100 and names[0].startswith("Élisabeth Élisabeth")


def test_a_line_break_in_a_name_from_elsewhere_is_a_space(tmp_path: Path) -> None:
    # the registers fold line breaks; the configuration (the service's own name) is read elsewhere
    sender = Address("commissions@province-sud.nc", "Service\naccompagnement social")
    _, message = _sent(tmp_path, lambda outbox: outbox.send_mail(replace(mail(), sender=sender)))
    assert message["From"].addresses[0].display_name == "Service accompagnement social"
