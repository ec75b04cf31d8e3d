"""French typography for what is printed: the non-breaking spaces a secretary types in Word.

An amount never splits across lines (« 125 000 F CFP »: a narrow no-break space between the groups
of digits, a no-break space before and inside « F CFP »), a colon, a semicolon, an exclamation or a
question mark never starts a line, nor does a closing guillemet, « n° » stays with its number and
« 8 h 30 » holds together.
Applied to every value rendered into a document (``render.py``) and to the text of the shipped
templates (``template_builders/docx_parts.py``). Mails, the command line and the registers keep ordinary spaces:
a mail client wraps lines itself, and staff search their mailbox and workbooks with the space they type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

NBSP = "\u00a0"  # espace insécable: before a colon, inside guillemets, in « F CFP »
NNBSP = "\u202f"  # espace fine insécable: between groups of digits, before ; ! ?

_SPACE = f"[ {NBSP}{NNBSP}]"
_AMOUNT = re.compile(rf"(?<![\d,.])(\d{{1,3}}(?:{_SPACE}\d{{3}})*){_SPACE}F{_SPACE}CFP\b")
_CURRENCY = re.compile(rf"\b(F|francs?){_SPACE}CFP\b")
_GROUP = re.compile(_SPACE)
_BEFORE_COLON = re.compile(rf"(?<=\S){_SPACE}+:")
_BEFORE_TALL = re.compile(rf"(?<=\S){_SPACE}+([;!?])")
_OPENING = re.compile(rf"«{_SPACE}*(?=\S)")
_CLOSING = re.compile(rf"(?<=\S){_SPACE}*»")
_TIME = re.compile(rf"\b(\d{{1,2}}){_SPACE}h(?:{_SPACE}(\d{{2}}))?(?!\w)")
_NUMERO = re.compile(rf"\b([nN]°){_SPACE}+(?=\S)")
_TAG = re.compile(r"\{[{%#].*?[}%#]\}", re.DOTALL)  # a Jinja tag of a template's text
_STAND_IN = "\ue000"  # a private-use character: never in a template's text


def typeset(text: str) -> str:
    """``text`` with the no-break spaces of French typography."""
    if not text:
        return text
    text = _AMOUNT.sub(lambda m: f"{_GROUP.sub(NNBSP, m[1])}{NBSP}F{NBSP}CFP", text)
    text = _CURRENCY.sub(rf"\1{NBSP}CFP", text)
    text = _BEFORE_COLON.sub(f"{NBSP}:", text)
    text = _BEFORE_TALL.sub(rf"{NNBSP}\1", text)
    text = _OPENING.sub(f"«{NBSP}", text)
    text = _CLOSING.sub(f"{NBSP}»", text)
    text = _TIME.sub(lambda m: f"{m[1]}{NBSP}h" + (f"{NBSP}{m[2]}" if m[2] else ""), text)
    return _NUMERO.sub(rf"\1{NBSP}", text)


def typeset_values(value: Any) -> Any:
    """A template's context with every text in it typeset; numbers, dates and other objects as they are."""
    if isinstance(value, str):
        return typeset(value)
    if isinstance(value, Mapping):
        return {key: typeset_values(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(typeset_values(item) for item in value)
    return value


def typeset_template(text: str) -> str:
    """A template's text typeset around its Jinja tags, which stay exactly as written."""
    tags = _TAG.findall(text)
    # each tag stands as one visible character meanwhile, so that « {{ x }} » or {{ x }} : read as text does
    pieces = typeset(_TAG.sub(_STAND_IN, text)).split(_STAND_IN)
    return "".join(piece + tag for piece, tag in zip(pieces, [*tags, ""]))
