"""Whatever the bytes, the parser gives a mail that can be registered, and says what was wrong."""

from __future__ import annotations

import random
from datetime import datetime

from automations.incoming.parse import UNKNOWN_SENDER, normalize_message_id, parse

from ..conftest import NOUMEA

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=NOUMEA)


def test_garbage_never_raises_and_is_known_by_its_bytes() -> None:
    rng = random.Random(2026)
    samples = [b"", b"\x00\xff\xfe", b"From:\r\n\r\n", b"Content-Type: multipart/mixed\r\n\r\n--",
               b"Subject: =?utf-8?b?????=\r\nDate: demain\r\n\r\n", bytes(rng.randrange(256) for _ in range(4000))]
    for raw in samples:
        parsed = parse(raw, None, NOW)
        assert parsed.message_id.startswith("<sans-identifiant-") and parsed.message_id == parse(raw, None, NOW).message_id
        assert parsed.sender  # « expéditeur inconnu » at worst
        assert "\n" not in parsed.subject
    assert parse(b"", None, NOW).sender == UNKNOWN_SENDER


def test_the_received_date_comes_from_the_source_then_the_header_then_now() -> None:
    raw = b"From: a@b.nc\r\nDate: Mon, 16 Nov 2026 22:30:00 +0000\r\nMessage-ID: <x@B.NC>\r\n\r\nbody"
    assert parse(raw, None, NOW).received == datetime(2026, 11, 17, 9, 30, tzinfo=NOUMEA)
    given = datetime(2026, 11, 20, 8, 0, tzinfo=NOUMEA)
    assert parse(raw, given, NOW).received == given
    unreadable = parse(raw.replace(b"Mon, 16 Nov 2026 22:30:00 +0000", b"lundi dernier"), None, NOW)
    assert unreadable.received == NOW
    assert parse(raw, None, NOW).message_id == normalize_message_id(" <x@b.nc> ") == "<x@b.nc>"
