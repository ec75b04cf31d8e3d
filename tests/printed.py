"""Text as the documents print it, with the no-break spaces of French typography, for tests to expect."""

from __future__ import annotations

NBSP = "\u00a0"  # before a colon, inside guillemets, in « F CFP »
NNBSP = "\u202f"  # between groups of digits, before ; ! ?


def xpf(value: int) -> str:
    """``125 000 F CFP`` as a document prints it: it never splits across lines."""
    return f"{value:,}".replace(",", NNBSP) + f"{NBSP}F{NBSP}CFP"
