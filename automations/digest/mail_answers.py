"""Which incoming mail an outgoing mail answers: the « Courrier départ » row that cites its number.

A row answers an incoming mail when its « V/Réf » (``reference``) or its subject
cites the incoming number. Staff type numbers loosely (« a2026 - 0012 »,
« N°A2026-0012. »): case is ignored and spaces around a dash or a slash are
dropped, but a number must stand whole — « A2026-0012 » is not cited by
« A2026-00123 ». Shared by the digest (mail not answered) and the annual report
(time to answer), so both count the same answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

_JOINED = re.compile(r"\s*([-/])\s*")
# what separates a cited number from the words around it; « n° » sticks to the number when typed « n°A2026-1 »
_TOKEN = re.compile(r"[^\s,;:()«»\"'<>\[\]°]+")
_SPACES = re.compile(r"\s+")


def normal_number(number: str) -> str:
    """An incoming number as it is compared: no case, no space."""
    return _SPACES.sub("", str(number).casefold())


def cited(text: str) -> set[str]:
    """The numbers ``text`` may cite, each as :func:`normal_number` writes it."""
    if not text:
        return set()
    joined = _JOINED.sub(r"\1", str(text).casefold())
    return {token.strip(".-/") for token in _TOKEN.findall(joined)} - {""}


def first_answers(outgoing: Iterable[tuple[date | None, str, str]]) -> dict[str, date | None]:
    """For each number cited by an outgoing row (date, reference, subject), the earliest date of a row citing it
    (None when every row citing it is undated: answered, on a day no one wrote)."""
    result: dict[str, date | None] = {}
    for day, reference, subject in outgoing:
        for number in cited(reference) | cited(subject):
            known = result.get(number)
            if number not in result or (day is not None and (known is None or day < known)):
                result[number] = day
    return result
