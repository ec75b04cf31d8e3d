"""What an e-mail address the tool sends to must look like: one rule for registers, configuration and transports.

The transports do not speak SMTPUTF8: an address goes into a header and an
SMTP envelope as plain ASCII. The standard library would otherwise write an
accented local part as an RFC 2047 encoded word (``=?utf-8?q?...?=``) inside
the address, which no server delivers. So the local part must be ASCII (the
dot-atom of RFC 5322: no space, no quotes); a domain with accents is
accepted and written in its IDNA form (``xn--…``), which every server reads.
One address per cell or setting.
"""

from __future__ import annotations

import re

# RFC 5322 atext: what a local part may hold without quotes
_ATEXT = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")
# The address most cells hold, already as the tool writes it: dot-atom, lower-case ASCII domain of two labels
# or more, none longer than IDNA's 63. Every such text passes the checks below unchanged: a register of ten
# thousand addresses is read without running them one by one.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
PLAIN_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_PLAIN_LABEL}(?:\.{_PLAIN_LABEL})+")


class AddressProblem(ValueError):
    """Why an address is unusable, in French, to follow « adresse e-mail invalide : »."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def usable_address(text: str) -> str:
    """``text`` as the tool writes it (domain lower-case and ASCII), or AddressProblem saying why not."""
    text = text.strip()
    if PLAIN_ADDRESS.fullmatch(text):
        return text
    if ";" in text or "," in text:
        raise AddressProblem("plusieurs adresses, une seule est possible")
    if any(c.isspace() for c in text):
        raise AddressProblem("espace dans l'adresse")
    local, at, domain = text.rpartition("@")
    if not at:
        raise AddressProblem("il manque « @ »")
    if "@" in local:
        raise AddressProblem("plusieurs « @ »")
    if not local or not domain:
        raise AddressProblem("rien avant « @ »" if not local else "rien après « @ »")
    if not local.isascii():
        raise AddressProblem("accents ou caractères spéciaux avant « @ », que les serveurs de messagerie "
                             "refusent : vérifiez-la auprès de la personne")
    if not all(_ATEXT.fullmatch(part) for part in local.split(".")):
        raise AddressProblem("caractère ou point mal placé avant « @ »")
    return f"{local}@{_ascii_domain(domain)}"


def _ascii_domain(domain: str) -> str:
    if domain.endswith("."):
        raise AddressProblem("point final après le domaine")
    try:
        ascii_domain = domain.lower().encode("idna").decode("ascii")
    except UnicodeError:
        raise AddressProblem("nom de domaine incorrect") from None
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise AddressProblem("nom de domaine incorrect")
    return ascii_domain


def address_problem(text: str) -> str | None:
    """The French reason ``text`` cannot be sent to, or None."""
    try:
        usable_address(text)
    except AddressProblem as exc:
        return exc.reason
    return None
