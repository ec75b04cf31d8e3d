"""Transports, picked by name from the config (``[transport] kind``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .base import Address, Attachment, Delivered, Mail, Meeting, RoomChoice, Transport
from .exchange import ExchangeTransport
from .graph import GraphTransport
from .memory import MemoryTransport
from .outbox import OutboxTransport
from .smtp import SmtpTransport

BACKENDS: dict[str, type[Transport]] = {
    OutboxTransport.name: OutboxTransport,
    MemoryTransport.name: MemoryTransport,
    SmtpTransport.name: SmtpTransport,
    ExchangeTransport.name: ExchangeTransport,
    GraphTransport.name: GraphTransport,
}


def settings_checks() -> dict[str, Callable[[dict[str, Any]], list[str]]]:
    """The kinds a configuration may name; the memory transport is built by tests in code, never offered."""
    return {name: cls.check_settings for name, cls in BACKENDS.items() if cls is not MemoryTransport}


__all__ = ["BACKENDS", "Address", "Attachment", "Delivered", "Mail", "Meeting", "RoomChoice",
           "Transport", "settings_checks"]
