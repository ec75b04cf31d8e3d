"""Typed converters for the cells of the staff's registers.

Cells come from python-calamine, so a raw value is a ``str``, ``float``,
``int``, ``bool``, ``date``, ``datetime``, ``time`` or ``timedelta``; empty
cells never reach :meth:`FieldType.convert`. Mapping files (TOML) feed their
defaults through the same converters. Registers are typed by hand, so each
type accepts the spellings staff actually use, and refuses the rest with a
French reason the reader turns into a finding.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar, NoReturn

from ..addresses import AddressProblem, usable_address
from ..invisible import CONTROLS, INVISIBLE, LINE_BREAKS, code_of


class ConversionError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalize_label(text: str) -> str:
    if text.isascii():  # no accent to strip: most cells, and this runs for every choice and key cell
        return " ".join(text.lower().split())
    # casefold before NFKD: casefolding can itself produce combining marks ("İ")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def normalize_labels(texts: list[str]) -> list[str]:
    """:func:`normalize_label` of each text; an all-ASCII list (a register's column of file numbers) in one
    pass of map(), run in C, of the same ASCII branch."""
    if "".join(texts).isascii():
        return list(map(" ".join, map(str.split, map(str.lower, texts))))
    return list(map(normalize_label, texts))


# Spaces Excel and French keyboards put inside numbers and between words.
_ODD_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " "})
# Control characters pasted into text: Word's line and page breaks become spaces, the others go
# (a mail header or a document would carry them as they are).
_CONTROLS = str.maketrans({**{c: None for c in CONTROLS}, "\v": " ", "\f": " "})
# A one-line value (a name, a number) gets every line break and tab as a space: a mail header refuses them.
_ONE_LINE = str.maketrans({**{c: None for c in CONTROLS}, **{c: " " for c in LINE_BREAKS + "\t"}})
# Past this length a one-line value is a paste gone wrong: mail headers keep only its beginning.
LONG_TEXT = 200
_MINUS = ("-", "\u2212", "\u2013")
# Formulas leave float noise (0.1 * 3); anything closer than this to an integer is one.
_INTEGRAL_TOLERANCE = 1e-6


def _near_int(value: float) -> int | None:
    nearest = round(value)
    return int(nearest) if abs(value - nearest) < _INTEGRAL_TOLERANCE else None


# Beyond this no count, duration or amount of a social-action service is plausible, and below it a float
# still holds every whole number exactly: sums, dates and Decimal formatting downstream cannot overflow.
MAX_MAGNITUDE = 10 ** 12


def grouped(number: float) -> str:
    """A bound as staff read it: 1 000 000, 2,5."""
    if float(number).is_integer():
        return f"{int(number):,}".replace(",", " ")
    return str(number).replace(".", ",")


@dataclass(frozen=True)
class Range:
    """The values a numeric column may hold, as click's IntRange and FloatRange bound theirs."""

    minimum: float | None = None
    maximum: float | None = None
    min_open: bool = False  # the minimum itself is refused (a duration of 0 h)
    unit: str = ""  # French, after the upper bound: " h", " jours"
    what: str = "valeur"  # French, what the column holds: « durée d'une séance »

    def refusal(self, value: float) -> str | None:
        """Why ``value`` is out of range, in French; None when it is within."""
        low, high = self.minimum, self.maximum
        if (low is None or value > low or (value == low and not self.min_open)) and (high is None or value <= high):
            return None
        if low is None:
            expected = f"au plus {grouped(high)}{self.unit}"  # type: ignore[arg-type]
        elif high is None:
            expected = f"{'plus de' if self.min_open else 'au moins'} {grouped(low)}"
        elif self.min_open:
            expected = f"plus de {grouped(low)} et au plus {grouped(high)}{self.unit}"
        else:
            expected = f"de {grouped(low)} à {grouped(high)}{self.unit}"
        return f"{self.what} hors plage (attendu : {expected})"


def _too_big() -> str:
    return f"nombre démesuré (au plus {grouped(MAX_MAGNITUDE)} en valeur absolue) : vérifiez la saisie"


class FieldType:
    name: ClassVar[str]
    label: ClassVar[str]
    # an unreadable cell leaves the row out, unless the row is still of use without the value: then this
    # French note says what becomes of it
    kept_without: ClassVar[str] = ""
    # numeric types only: the values the column may hold (see make_type)
    range: Range | None = None

    def convert(self, value: Any) -> Any:
        raise NotImplementedError

    def fail(self, reason: str) -> NoReturn:
        raise ConversionError(reason)


class TextType(FieldType):
    name = "text"
    label = "texte"

    def convert(self, value: Any) -> str:
        if isinstance(value, str):
            if value.isascii() and value.isprintable():  # the common case, kept short
                return value.strip()
            return value.translate(_ODD_SPACES).translate(_CONTROLS).strip()
        if isinstance(value, bool):
            return "oui" if value else "non"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            # a file number typed in a number cell arrives as 12.0 and must read "12"
            if value.is_integer():
                return str(int(value))
            return repr(value).replace(".", ",")
        if isinstance(value, datetime):
            return value.strftime("%d/%m/%Y" if value.time() == time(0) else "%d/%m/%Y %H:%M")
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y")
        if isinstance(value, time):
            return value.strftime("%H:%M")
        if isinstance(value, timedelta):
            minutes = round(value.total_seconds() / 60)
            return f"{minutes // 60}:{minutes % 60:02d}"
        return str(value).strip()


class LineType(TextType):
    """Text that must hold on one line: names, numbers, anything a mail header or a key may carry."""

    def convert(self, value: Any) -> str:
        if isinstance(value, str) and not (value.isascii() and value.isprintable()):
            return " ".join(value.translate(_ODD_SPACES).translate(_ONE_LINE).split())
        return super().convert(value)


def invisible_in(text: str) -> tuple[set[str], list[str]]:
    """The line breaks ``text`` holds, and its other invisible characters (named ``U+001B``)."""
    found = INVISIBLE.intersection(text)
    if not found:
        return set(), []
    others = found.difference(LINE_BREAKS)
    return found.intersection(LINE_BREAKS), [code_of(c) for c in dict.fromkeys(text) if c in others]


def _count(text: str) -> str:
    return f"{len(text):,}".replace(",", " ")  # « 5 000 », as French writes it


def _invisible(codes: list[str]) -> str:
    return f"caractère invisible ({codes[0]})" if len(codes) == 1 else f"caractères invisibles ({', '.join(codes)})"


def text_notice(raw: str, converted: str, *, one_line: bool, key: bool) -> tuple[str, bool] | None:
    """What reading a text cell changed that staff must hear about, and whether its row is left out.

    A line break typed in a name becomes a space; an invisible character goes. In a column that
    identifies the row (the mapping's ``key``) only a plain line break may be folded: the write-back finds
    the row again by this value, which another reader of the workbook would not see with the character.
    """
    breaks, others = invisible_in(raw)
    if key:
        odd = [*others, *(code_of(c) for c in sorted(breaks.difference("\n\r")))]
        if odd:
            return (f"{_invisible(odd)} dans une colonne qui identifie la ligne : retapez la valeur ; "
                    "la ligne est écartée"), True
        if len(converted) > LONG_TEXT:
            return (f"texte de {_count(converted)} caractères dans une colonne qui identifie la ligne (au plus "
                    f"{LONG_TEXT}) : corrigez la cellule ; la ligne est écartée"), True
    reasons = []
    if breaks and one_line:
        reasons.append("saut de ligne (Alt+Entrée) remplacé par une espace")
    if others:
        reasons.append(f"{_invisible(others)} {'retiré' if len(others) == 1 else 'retirés'}")
    if one_line and len(converted) > LONG_TEXT:
        reasons.append(f"texte de {_count(converted)} caractères, anormalement long : vérifiez la cellule ; les "
                       "en-têtes des e-mails n'en gardent que le début")
    return ("; ".join(reasons), False) if reasons else None


_MONTHS = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout",
           "septembre", "octobre", "novembre", "decembre")
_WEEKDAYS = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
_TIME_SUFFIX = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME_SUFFIX)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME_SUFFIX)
_WORDY_DATE = re.compile(
    rf"(?:(?:{_WEEKDAYS})\.?,?\s+)?(\d{{1,2}})\s*(?:er)?[\s-]+([a-z]+)\.?[\s-]+(\d{{4}}|\d{{2}})")
_EXCEL_EPOCH = date(1899, 12, 30)  # the usual origin: absorbs Lotus's phantom 29/02/1900


def _month_number(word: str) -> int | None:
    # abbreviations vary ("févr.", "fev", "sept", "juil"): any unambiguous prefix of 3+ letters
    if len(word) < 3:
        return None
    found = [i for i, month in enumerate(_MONTHS, 1) if month.startswith(word)]
    return found[0] if len(found) == 1 else None


class DateType(FieldType):
    name = "date"
    label = "date"
    unreadable = "date illisible (attendu JJ/MM/AAAA)"

    def convert(self, value: Any) -> date:
        if isinstance(value, datetime):
            return self._checked(value.date())
        if isinstance(value, date):
            return self._checked(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self._from_serial(value)
        if isinstance(value, str):
            return self._from_text(value)
        self.fail(self.unreadable)

    def _checked(self, day: date) -> date:
        if not 1900 <= day.year <= 2099:
            self.fail("année hors plage (1900 à 2099)")
        return day

    def _from_serial(self, serial: float) -> date:
        if not math.isfinite(serial) or serial < 1:
            self.fail(self.unreadable)
        try:
            day = _EXCEL_EPOCH + timedelta(days=math.floor(serial))
        except OverflowError:
            self.fail("année hors plage (1900 à 2099)")
        return self._checked(day)

    def _from_text(self, text: str) -> date:
        cleaned = normalize_label(text)
        if match := _NUMERIC_DATE.fullmatch(cleaned):
            day, month, year = int(match[1]), int(match[3]), match[4]
        elif match := _ISO_DATE.fullmatch(cleaned):
            year, month, day = match[1], int(match[2]), int(match[3])
        elif match := _WORDY_DATE.fullmatch(cleaned):
            number = _month_number(match[2])
            if number is None:
                self.fail(self.unreadable)
            day, month, year = int(match[1]), number, match[3]
        else:
            self.fail(self.unreadable)
        full_year = 2000 + int(year) if len(year) == 2 else int(year)
        if not 1900 <= full_year <= 2099:
            self.fail("année hors plage (1900 à 2099)")
        try:
            return date(full_year, month, day)
        except ValueError:
            self.fail("date inexistante")


_TIME_H = re.compile(r"(\d{1,2})\s*h\s*(\d{2})?")
_TIME_COLON = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


class TimeType(FieldType):
    name = "time"
    label = "heure"
    unreadable = "heure illisible (attendu 8h30 ou 08:30)"

    def convert(self, value: Any) -> time:
        if isinstance(value, datetime):
            value = value.time()
        if isinstance(value, time):
            # calamine turns 08:30 stored as 0.354166 into 08:29:59.942
            seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
            return self._rounded(seconds)
        if isinstance(value, timedelta):
            seconds = value.total_seconds()
            return self._rounded(seconds) if 0 <= seconds < 86400 else self.fail(self.unreadable)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            # a fraction of a day; 8 typed for 8h would silently mean midnight, so refuse >= 1
            if not (math.isfinite(value) and 0 <= value < 1):
                self.fail(self.unreadable)
            return self._rounded(value * 86400)
        if isinstance(value, str):
            cleaned = normalize_label(value)
            match = _TIME_H.fullmatch(cleaned) or _TIME_COLON.fullmatch(cleaned)
            if match is None:
                self.fail(self.unreadable)
            hour, minute, second = (int(part) for part in (*match.groups(default="0"), "0")[:3])
            if hour > 23 or minute > 59 or second > 59:
                self.fail(self.unreadable)
            return self._rounded(hour * 3600 + minute * 60 + second)
        self.fail(self.unreadable)

    def _rounded(self, seconds: float) -> time:
        minutes = round(seconds / 60)
        if not 0 <= minutes <= 24 * 60:
            self.fail(self.unreadable)
        # a value a hair under midnight must not wrap to 00:00 of the same day
        minutes = min(minutes, 24 * 60 - 1)
        return time(minutes // 60, minutes % 60)


_CURRENCY = re.compile(r"\s*(?:xpf|f\.?\s*cfp|cfp|francs?(?:\s+cfp)?|frs?|f)\.?$")
# thousands grouped by one consistent separator (space or dot), or none; then optional decimals
_AMOUNT = re.compile(r"(\d{1,3}(?:( |\.)\d{3})(?:\2\d{3})*|\d+)(?:[.,](\d+))?")
_NUMBER = re.compile(r"(\d{1,3}(?: \d{3})+|\d+)(?:[.,](\d+))?")


def _split_sign(text: str) -> tuple[bool, str]:
    text = " ".join(text.translate(_ODD_SPACES).split())
    if text.startswith(_MINUS):
        return True, text[1:].lstrip()
    return False, text.removeprefix("+").lstrip()


class AmountType(FieldType):
    """Amounts in F CFP (XPF), a currency without subunits."""

    name = "amount"
    label = "montant"
    unreadable = "montant illisible (attendu par exemple 125 000)"

    def convert(self, value: Any) -> int:
        # the usual cell first: a whole, positive, plausible number (is_integer() is false for inf and nan)
        if value.__class__ is float and 0 <= value <= MAX_MAGNITUDE and value.is_integer():
            return int(value)
        if isinstance(value, bool):
            self.fail(self.unreadable)
        if isinstance(value, (int, float)):
            # an int is always finite, and too large for math.isfinite past 1e308
            if isinstance(value, float) and not math.isfinite(value):
                self.fail(self.unreadable)
            return self._checked(value < 0, abs(value))
        if isinstance(value, str):
            negative, text = _split_sign(value.casefold())
            match = _AMOUNT.fullmatch(_CURRENCY.sub("", text))
            if match is None:
                self.fail(self.unreadable)
            digits = re.sub(r"\D", "", match[1]).lstrip("0")
            if len(digits) > len(str(MAX_MAGNITUDE)):  # int() refuses past 4,300 digits
                return self._checked(negative, math.inf)
            whole = int(digits or "0")
            decimals = match[3] or ""
            if decimals.strip("0"):
                self.fail("un montant en F CFP n'a pas de décimales")
            return self._checked(negative and whole > 0, whole)
        self.fail(self.unreadable)

    def _checked(self, negative: bool, magnitude: float) -> int:
        if negative:
            self.fail("montant négatif")
        if magnitude > MAX_MAGNITUDE:
            # an amount of 1e308 would stop every total and every French rendering of it
            self.fail(f"montant démesuré (au plus {grouped(MAX_MAGNITUDE)} F CFP) : vérifiez la saisie")
        whole = _near_int(magnitude)
        if whole is None:
            self.fail("un montant en F CFP n'a pas de décimales")
        return whole


def _parse_number(text: str) -> float | None:
    negative, body = _split_sign(text)
    match = _NUMBER.fullmatch(body)
    if match is None:
        return None
    number = float(match[1].replace(" ", "") + "." + (match[2] or "0"))
    return -number if negative else number


class NumberType(FieldType):
    name = "number"
    label = "nombre"
    unreadable = "nombre attendu (par exemple 2,5)"

    def convert(self, value: Any) -> int | float:
        if isinstance(value, bool):
            self.fail(self.unreadable)
        if isinstance(value, str):
            parsed = _parse_number(value)
            if parsed is None:
                self.fail(self.unreadable)
            value = parsed
        if isinstance(value, int):
            return self._bounded(value)
        if isinstance(value, float) and math.isfinite(value):
            return self._bounded(int(value) if value.is_integer() else value)
        self.fail(self.unreadable)

    def _bounded(self, value: int | float) -> int | float:
        # a duration of 1e12 hours would overflow the first date computed from it
        if abs(value) > MAX_MAGNITUDE:
            self.fail(_too_big())
        refused = self.range.refusal(value) if self.range is not None else None
        if refused is not None:
            self.fail(refused)
        return value


class IntegerType(NumberType):
    name = "integer"
    label = "nombre entier"
    unreadable = "nombre entier attendu"

    def convert(self, value: Any) -> int:
        if isinstance(value, bool):
            self.fail(self.unreadable)
        if isinstance(value, int):
            return self._bounded(value)  # type: ignore[return-value]
        if isinstance(value, str):
            parsed = _parse_number(value)
            value = parsed if parsed is not None else self.fail(self.unreadable)
        if isinstance(value, float) and math.isfinite(value):
            whole = _near_int(value)
            if whole is not None:
                return self._bounded(whole)  # type: ignore[return-value]
        self.fail(self.unreadable)


_TRUE = frozenset({"oui", "o", "x", "vrai", "yes", "y", "1", "true"})
_FALSE = frozenset({"non", "n", "faux", "no", "0", "false"})


class BoolType(FieldType):
    name = "bool"
    label = "oui/non"
    unreadable = "oui ou non attendu"

    def convert(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            word = normalize_label(value)
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
        self.fail(self.unreadable)


class EmailType(FieldType):
    name = "email"
    label = "adresse e-mail"
    unreadable = "adresse e-mail invalide"
    # the person is still there without an address: their letters go to print
    kept_without = ("la ligne est gardée sans adresse e-mail : rien ne partira par e-mail à cette adresse, "
                    "les courriers sont préparés pour l'impression")

    def convert(self, value: Any) -> str:
        if not isinstance(value, str):
            self.fail(self.unreadable)
        text = value.strip()
        if text[:7].casefold() == "mailto:":
            text = text[7:].strip()
        try:
            # only the domain is case-insensitive; the local part belongs to the mail server
            return usable_address(text)
        except AddressProblem as exc:
            self.fail(f"{self.unreadable} : {exc.reason}")


_TEXT = TextType()
_SEEN_LIMIT = 4096
_NO_CHOICES = "le type « choice » demande la liste des valeurs possibles (« choices »)"


class ChoiceType(FieldType):
    name = "choice"
    label = "choix"

    def __init__(self, choices: Mapping[str, Sequence[str]]) -> None:
        if not choices:
            raise ValueError(_NO_CHOICES)
        self.choices: dict[str, tuple[str, ...]] = {key: tuple(aliases) for key, aliases in choices.items()}
        self._index: dict[str, str] = {}
        for canonical, aliases in self.choices.items():
            # "accord_partiel" should also match what staff type: "Accord partiel"
            for spelling in (canonical, canonical.replace("_", " "), *aliases):
                key = normalize_label(spelling)
                other = self._index.setdefault(key, canonical)
                if other != canonical:
                    raise ValueError(f"« {spelling} » désigne à la fois « {other} » et « {canonical} »")
        shown = (aliases[0] if aliases else canonical for canonical, aliases in self.choices.items())
        self.accepted = ", ".join(shown)
        # a register repeats a handful of spellings over thousands of rows: each is normalised once
        self._seen: dict[str, str] = {}

    def spelling(self, canonical: str) -> str | None:
        """``canonical`` as the service writes it: the first spelling the mapping lists for it, if any."""
        aliases = self.choices.get(canonical, ())
        return aliases[0].strip() or None if aliases else None

    def convert(self, value: Any) -> str:
        if value.__class__ is str and (known := self._seen.get(value)) is not None:
            return known
        found = self._index.get(normalize_label(_TEXT.convert(value)))
        if found is None:
            self.fail(f"valeur inconnue ; valeurs acceptées : {self.accepted}")
        if value.__class__ is str and len(self._seen) < _SEEN_LIMIT:
            self._seen[value] = found
        return found


TYPE_NAMES: tuple[str, ...] = ("text", "date", "time", "amount", "integer", "number", "bool", "email", "choice")

_SIMPLE_TYPES: dict[str, type[FieldType]] = {cls.name: cls for cls in (
    TextType, DateType, TimeType, AmountType, IntegerType, NumberType, BoolType, EmailType)}


def make_type(name: str, choices: Mapping[str, Sequence[str]] | None = None,
              bounds: Range | None = None, *, one_line: bool = False) -> FieldType:
    if name == "choice":
        return ChoiceType(choices or {})
    if name == "text" and one_line:
        return LineType()
    cls = _SIMPLE_TYPES.get(name)
    if cls is None:
        raise ValueError(f"type « {name} » inconnu (types possibles : {', '.join(TYPE_NAMES)})")
    made = cls()
    if bounds is not None:
        if not isinstance(made, NumberType):
            raise ValueError(f"le type « {name} » n'a pas de bornes")
        made.range = bounds
    return made
