"""Invisible characters in register text: which ones exist, how a cell loses them, how a terminal shows them.

A cell can hold what a keyboard never types on purpose: a line break (Alt+Entrée), Word's line break
(U+000B), an escape sequence that retitles or repaints a terminal (``ESC ]0;…``), a bidirectional override
that shows a name backwards. The registers fold or drop them when a cell is read (``registers/types.py``);
whatever still reaches a message, a journal line or a log is shown here as a visible sign, never sent raw.
"""

from __future__ import annotations

# What Alt+Entrée, Word and other programs leave as a line break in a cell.
LINE_BREAKS = "\n\r\v\f\x85\u2028\u2029"
# Format characters that change how the text around them is shown: bidirectional marks, embeddings,
# overrides and isolates, zero-width characters, the byte order mark.
_FORMAT = "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
# Everything invisible but the tab and the line breaks: C0 and C1 controls, DEL, the format characters.
CONTROLS = "".join(chr(c) for c in (*range(32), *range(0x7F, 0xA0)) if chr(c) not in "\t" + LINE_BREAKS) + _FORMAT
INVISIBLE = frozenset(CONTROLS + LINE_BREAKS)


def code_of(char: str) -> str:
    """``U+000B``: how a message names a character no one can see."""
    return f"U+{ord(char):04X}"


def _sign(char: str) -> str:
    code = ord(char)
    if code < 32:
        return chr(0x2400 + code)  # the Unicode « control pictures »: ␛ for ESC, ␋ for U+000B
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<{code_of(char)}>"


# The line feed ends a line of output on purpose; the tab is harmless.
_PRINTABLE = str.maketrans({char: _sign(char) for char in INVISIBLE if char != "\n"})


def printable(text: str) -> str:
    """``text`` fit for a terminal or a log: each control or format character shown as a sign, never obeyed."""
    if text.isascii() and text.isprintable():  # nearly every line: nothing to look for
        return text
    return text.translate(_PRINTABLE)
