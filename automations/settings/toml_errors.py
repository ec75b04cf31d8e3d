"""tomllib's syntax errors, said in French with the file, line and column.

Python's parser (``tomllib/_parser.py``, every ``suffixed_err``) writes English messages ending in
``(at line X, column Y)`` or ``(at end of document)``. Each known message has its French wording
here; one it does not know (a later Python) still gets the place in French and a plain sentence.
"""

from __future__ import annotations

import ast
import re

# tomllib's message (without its place) -> French; groups carry the quoted character or key
_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"Invalid statement",
     "ligne incompréhensible : on attend « clé = valeur », « [table] » ou un commentaire « # »"),
    (r"Expected newline or end of document after a statement",
     "fin de ligne attendue après « clé = valeur » (deux réglages sur une même ligne ?)"),
    (r"Expected '\]' at the end of a table declaration", "« ] » manquant à la fin du nom de la table"),
    (r"Expected '\]\]' at the end of an array declaration", "« ]] » manquant à la fin du nom de la liste de tables"),
    (r"Expected '=' after a key in a key/value pair", "« = » attendu après le nom de la clé"),
    (r"Expected (.+)", "« {0} » attendu (texte entre apostrophes non fermé ?)"),
    (r"Found invalid character (.+)", "caractère interdit « {0} » (caractère de contrôle invisible ?)"),
    (r"Illegal character (.+)", "caractère interdit « {0} » dans un texte entre guillemets"),
    (r"Cannot declare (\(.*\)) twice", "la table [{0}] est déclarée deux fois"),
    (r"Cannot overwrite a value", "cette clé a déjà une valeur plus haut dans le fichier (clé en double ?)"),
    (r"Cannot mutate immutable namespace (\(.*\))",
     "« {0} » est déjà défini en entier plus haut : on ne peut plus le compléter"),
    (r"Cannot redefine namespace (\(.*\))",
     "« {0} » est déjà défini plus haut autrement : on ne peut pas le redéfinir"),
    (r"Invalid initial character for a key part",
     "nom de clé invalide : lettres, chiffres, « _ » et « - », ou un nom entre guillemets"),
    (r"Unclosed array", "liste non fermée : « ] » ou « , » attendu"),
    (r"Duplicate inline table key (.+)", "la clé « {0} » apparaît deux fois entre les accolades"),
    (r"Unclosed inline table", "accolades non fermées : « }} » ou « , » attendu"),
    (r"Unescaped '\\' in a string",
     "« \\ » seul dans un texte entre guillemets : écrivez « \\\\ », "
     "ou mettez le chemin entre apostrophes ('…')"),
    (r"Invalid hex value", "code de caractère « \\u… » invalide"),
    (r"Escaped character is not a Unicode scalar value", "code de caractère « \\u… » hors d'Unicode"),
    (r"Unterminated string", "texte entre guillemets non fermé"),
    (r"Invalid date or datetime", "date ou heure invalide"),
    (r"Invalid value",
     "valeur invalide : un texte s'écrit entre guillemets, un nombre sans, un booléen true ou false"),
)
_PLACE = re.compile(r"^(?P<message>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$", re.S)


def _plain(text: str) -> str:
    """A key tuple's repr ``('budget', '2026')`` -> ``budget.2026``; a quoted repr ``'\\x07'`` -> ``\\x07``."""
    if text.startswith("(") and text.endswith(")"):
        try:
            key = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
        return ".".join(str(part) for part in key) if isinstance(key, tuple) else text
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]  # the escapes stay visible: an invisible character is shown as \x07
    return text


def explain(error: ValueError) -> str:
    """French sentence for a ``tomllib.TOMLDecodeError``: where, then what."""
    text = str(error)
    matched = _PLACE.match(text)
    message = matched["message"] if matched else text
    if matched and matched["line"]:
        place = f"ligne {matched['line']}, colonne {matched['column']}"
    elif matched:
        place = "à la fin du fichier"
    else:
        place = ""
    for pattern, french in _MESSAGES:
        found = re.fullmatch(pattern, message, re.S)
        if found:
            what = french.format(*(_plain(g) for g in found.groups()))
            break
    else:
        what = "syntaxe TOML incorrecte"
    return f"{place} : {what}" if place else what


def explain_encoding(error: UnicodeDecodeError) -> str:
    """The file is not UTF-8 (saved by an old editor as Windows-1252, say): the line where it shows first."""
    line = error.object[:error.start].count(b"\n") + 1
    return (f"ligne {line} : le fichier n'est pas enregistré en UTF-8 (octet {error.object[error.start]:#04x}) : "
            "enregistrez-le en UTF-8 (Bloc-notes : « Enregistrer sous », codage UTF-8)")
