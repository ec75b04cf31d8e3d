"""The annual report's French words: counts agreed with their noun, amounts that never break across a line.

The report, its workbook, the command's summary and the mail to the manager all say a count the same way:
« 1 séance tenue », « 2 séances tenues », « 0 séance tenue » (French takes the singular below two).
Inside the report, a number's groups and its unit are tied by non-breaking spaces (U+00A0), so that
« 15 409 000 F CFP » never ends a line halfway.
"""

from __future__ import annotations

NBSP = "\u00a0"
NOT_KEPT = "registre non tenu"  # a register the service does not keep: said, never shown as 0 or a dash
REGISTER_COUNTS = ("mail_in", "mail_out")  # key figures that are None when the mapping has no such register
NOT_AVAILABLE = "non disponible"  # a figure from a column the service does not keep: said, never shown as 0

# noun phrase (singular, plural) of each key figure, as a count of it reads
NOUNS: dict[str, tuple[str, str]] = {
    "sessions_held": ("séance tenue", "séances tenues"),
    "sessions_cancelled": ("séance annulée", "séances annulées"),
    "sessions_postponed": ("séance reportée", "séances reportées"),
    "applications_received": ("demande d'aide", "demandes d'aide"),
    "applications_examined": ("demande examinée", "demandes examinées"),
    "applications_decided": ("décision", "décisions"),
    "accords": ("accord", "accords"),
    "partial_accords": ("partiel", "partiels"),
    "refusals": ("refus", "refus"),
    "adjourned": ("ajournement", "ajournements"),
    "vouchers_count": ("bon alimentaire", "bons alimentaires"),
    "mail_in": ("courrier arrivé", "courriers arrivés"),
    "mail_out": ("courrier départ", "courriers départ"),
    "mail": ("courrier", "courriers"),
    "excluded": ("ligne de registre écartée", "lignes de registre écartées"),
}


def grouped(value: float, space: str = NBSP) -> str:
    """``15 409 000``: the thousands apart, by non-breaking spaces unless told otherwise."""
    return f"{round(value):,}".replace(",", space)


def amount(value: float, space: str = NBSP) -> str:
    """``15 409 000 F CFP``, one piece on a line."""
    return f"{grouped(value, space)}{space}F{space}CFP"


def plural(count: float, singular: str, plural_form: str) -> str:
    """The noun agreed with ``count``: the singular below two, as French writes « 0 séance », « 1,5 jour »."""
    return singular if abs(count) < 2 else plural_form


def counted(count: float | None, name: str, space: str = NBSP) -> str:
    """``2 séances tenues``, ``1 séance tenue`` for the key figure ``name``; ``registre non tenu`` for a count
    the service has no register for."""
    if count is None:
        return NOT_KEPT
    singular, plural_form = NOUNS[name]
    return f"{grouped(count, space)}{space}{plural(count, singular, plural_form)}"
