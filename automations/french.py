"""French formatting of dates, times and XPF amounts (babel)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, time

from babel.dates import format_date
from babel.numbers import format_decimal
from num2words import num2words

LOCALE = "fr_FR"


def date_long(value: date) -> str:
    """``vendredi 16 mai 2025``"""
    return format_date(value, format="full", locale=LOCALE)


def date_medium(value: date) -> str:
    """``16 mai 2025``"""
    return format_date(value, format="long", locale=LOCALE)


def date_short(value: date) -> str:
    """``16/05/2025``"""
    return value.strftime("%d/%m/%Y")


def time_fr(value: time) -> str:
    """``8 h 30``, ``14 h`` — the way French administrative letters write times."""
    return f"{value.hour} h {value.minute:02d}" if value.minute else f"{value.hour} h"


def amount_xpf(value: int) -> str:
    """``125 000 F CFP``, with a regular space as thousands separator for every reader."""
    grouped = format_decimal(value, format="#,##0", locale=LOCALE).replace("\u202f", " ").replace("\xa0", " ")
    return f"{grouped} F CFP"


def amount_words(value: int) -> str:
    """``dix-sept mille francs CFP``, ``un million de francs CFP``: the amount as a cheque writes it."""
    words = num2words(value, lang="fr")
    if value in (0, 1):
        return f"{words} franc CFP"
    joiner = " de " if words.endswith(("million", "millions", "milliard", "milliards")) else " "
    return f"{words}{joiner}francs CFP"


_ARTICLES = {"comite": "du", "conseil": "du", "bureau": "du", "groupe": "du", "jury": "du"}


def of_name(name: str) -> str:
    """``de la Commission X``, ``du Comité Y``, ``de l'Instance Z``: the article agrees with the noun."""
    first = name.split(" ", 1)[0]
    plain = first.casefold().replace("é", "e").replace("è", "e")
    if plain in _ARTICLES:
        return f"{_ARTICLES[plain]} {name}"
    if plain[:1] in "aeiouyh":
        return f"de l'{name}"
    return f"de la {name}"


def plural(count: int, one: str, many: str) -> str:
    """``0 envoi``, ``1 séance annulée``, ``3 séances annulées``: French puts 0 and 1 in the singular."""
    return f"{count} {one if abs(count) < 2 else many}"


_DIGITS = re.compile(r"(\d+)")


def reference_order(reference: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key of a dossier reference as a reader counts: MD/22 before MD/113, « 2026-9 » before « 2026-10 »."""
    # each part tagged so that a number and a text never meet in one comparison
    return tuple((0, int(part)) if part.isdigit() else (1, part.casefold())
                 for part in _DIGITS.split(reference) if part)


def by_reference(references: Iterable[str]) -> list[str]:
    """The references in a reader's order (see :func:`reference_order`)."""
    return sorted(references, key=reference_order)
