"""Passwords and client secrets: from the environment or the system's keyring, never from the config file.

The config names a secret (``password_env = "SMTP_MOT_DE_PASSE"``); its value
is the environment variable of that name or, failing it, the keyring entry of
that name under the service « automatisation-commissions » (Windows
Credential Manager, macOS Keychain, Secret Service on a Linux desktop).
``python run.py secret NOM`` stores one there without it ever being typed on a
command line or written to a file the tool reads.
A keyring that would keep it unprotected, or not at all, is refused (automations.settings.keyring_store).
"""

from __future__ import annotations

import getpass
import os
import sys

from ..errors import EXIT_OK, UsageError, UserError
from .keyring_store import KeyringUnusable, read, write, writer

KEYRING_SERVICE = "automatisation-commissions"

# why the keyring gave nothing for a name, when it could not be used: missing() says it
_unusable: dict[str, KeyringUnusable] = {}


def secret(name: str) -> str:
    """The value of the secret ``name``; empty when neither the environment nor the keyring has it."""
    if not name:
        return ""
    _unusable.pop(name, None)
    value = os.environ.get(name, "")
    if value:
        return value
    try:
        return read(KEYRING_SERVICE, name)
    except KeyringUnusable as exc:
        _unusable[name] = exc
        return ""


def missing(name: str) -> str:
    """Why the secret ``name`` is missing and how to give it, in French (follows « … : »)."""
    unusable = _unusable.get(name)
    if unusable is not None:
        return (f"la variable d'environnement « {name} » n'est pas définie et le trousseau du système ne peut pas "
                f"servir : {unusable.reason} ; {unusable.remedy} ; ou définissez la variable pour le compte qui "
                "lance le service")
    return (f"ni la variable d'environnement « {name} » ni le trousseau du système (entrée « {name} » du service "
            f"« {KEYRING_SERVICE} ») ne donnent ce secret ; définissez la variable pour le compte qui lance le "
            f"service, ou enregistrez-le avec « python run.py secret {name} »")


def store(name: str, value: str) -> str:
    """Put ``value`` in the keyring under ``name``; returns which keyring took it (French)."""
    try:
        return write(KEYRING_SERVICE, name, value)
    except KeyringUnusable as exc:
        raise _not_stored(name, exc) from exc


def _not_stored(name: str, exc: KeyringUnusable) -> UserError:
    return UserError(f"rien n'a été enregistré pour « {name} » : {exc.reason} ; {exc.remedy} ; ou définissez "
                     f"plutôt la variable d'environnement « {name} » pour le compte qui lance le service")


def secret_command(name: str) -> int:
    """``python run.py secret NOM``: asks for the value twice in a terminal, or reads one line from a pipe."""
    if not name.strip():
        raise UsageError("secret : donnez le nom du secret, tel que la configuration le nomme")
    try:
        writer()  # a refused keyring is said before the value is typed for nothing
    except KeyringUnusable as exc:
        raise _not_stored(name, exc) from exc
    if sys.stdin.isatty():
        value = getpass.getpass(f"Valeur de « {name} » (rien ne s'affiche) : ")
        if value != getpass.getpass("Une seconde fois, pour vérifier : "):
            raise UsageError("les deux saisies diffèrent : rien n'a été enregistré")
    else:
        value = sys.stdin.readline().rstrip("\r\n")
    if not value:
        raise UsageError(f"valeur vide : rien n'a été enregistré pour « {name} »")
    where = store(name, value)
    print(f"Secret « {name} » enregistré dans le trousseau du système ({where}, service « {KEYRING_SERVICE} »).")
    if os.environ.get(name):
        print(f"Attention : la variable d'environnement « {name} » est définie ; elle passe avant le trousseau.")
    return EXIT_OK
