"""The system keyring, used only when it protects what it keeps; each of its failures said in French.

keyring picks the best backend it finds. When the best is keyrings.alt's file (the password
base64-encoded in the account's folder, which the test extras install), keyring's null backend
(keeps nothing) or its fail backend (no keyring at all), a password would be kept unprotected,
or not at all: the program refuses them rather than say « enregistré ». The rule is keyring's
own: a backend of priority 1 or more is « recommended » (Windows Credential Manager, macOS
Keychain, Secret Service, KWallet).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from ..errors import UserError

log = logging.getLogger(__name__)

# For the test suite only: the path of a file keyring (keyrings.alt's plain-text file) the program
# uses in place of the system's, which it would refuse. The name is long and plain on purpose:
# nobody sets it by accident, and the README lists it under the tests, not under the configuration.
TEST_KEYRING_VARIABLE = "AUTOMATISATION_COMMISSIONS_TROUSSEAU_DE_TEST"

_NAMES = {  # what an administrator knows these backends as
    "keyring.backends.Windows.WinVaultKeyring": "Gestionnaire d'identification de Windows",
    "keyring.backends.macOS.Keyring": "trousseau de macOS",
    "keyring.backends.SecretService.Keyring": "Secret Service",
    "keyring.backends.libsecret.Keyring": "Secret Service (libsecret)",
    "keyring.backends.kwallet.DBusKeyring": "KWallet",
}


class KeyringUnusable(UserError):
    """The keyring cannot keep or give a secret: ``reason`` says why, ``remedy`` what to do (French clauses)."""

    def __init__(self, reason: str, remedy: str) -> None:
        super().__init__(f"{reason} ; {remedy}")
        self.reason = reason
        self.remedy = remedy


def read(service: str, name: str) -> str:
    """The entry ``name`` of ``service``, empty when the keyring has none; :class:`KeyringUnusable` otherwise."""
    for backend in _accepted():
        try:
            value = backend.get_password(service, name)
        except Exception as exc:  # a locked or unreachable keyring: D-Bus, Windows or file errors alike
            raise _failed(backend, exc, "la lecture") from exc
        if value:
            return str(value)
    return ""


def writer() -> str:
    """Where a secret would go, for the user; :class:`KeyringUnusable` when the keyring is refused."""
    return describe(_accepted()[0])


def write(service: str, name: str, value: str) -> str:
    """Keep ``value`` as the entry ``name`` of ``service``; returns where it went, for the user."""
    backend = _accepted()[0]  # the one keyring itself would write to
    try:
        backend.set_password(service, name, value)
    except Exception as exc:
        raise _failed(backend, exc, "l'enregistrement") from exc
    return describe(backend)


def describe(backend: Any) -> str:
    """The backend as an administrator finds it: its usual name and its Python class."""
    dotted = _dotted(backend)
    if os.environ.get(TEST_KEYRING_VARIABLE, "").strip():
        return f"trousseau de test, fichier « {backend.file_path} »"
    return f"{_NAMES[dotted]}, {dotted}" if dotted in _NAMES else dotted


def _accepted() -> list[Any]:
    """The backends a secret may be read from, the writer first; refuses an unprotected or empty keyring."""
    test_file = os.environ.get(TEST_KEYRING_VARIABLE, "").strip()
    if test_file:
        return [_test_keyring(test_file)]
    backend = _system_keyring()
    from keyring.backends.chainer import ChainerBackend
    from keyring.core import recommended

    # several backends chained: keyring writes to the first and reads through all of them
    members = list(backend.backends) if isinstance(backend, ChainerBackend) else [backend]
    accepted = [member for member in members if recommended(member)]
    if not accepted:
        raise _refusal(members[0] if members else backend)
    return accepted


def _system_keyring() -> Any:
    _quiet_keyring_logs()
    import keyring

    try:
        return keyring.get_keyring()
    except Exception as exc:  # the backend named by PYTHON_KEYRING_BACKEND or keyringrc.cfg cannot load here
        undo = "corrigez ce réglage ou retirez-le ; " if _setting() else ""
        raise KeyringUnusable(f"le trousseau {_chosen_by()} ne peut pas être chargé sur cette machine",
                              undo + _platform_remedy()) from exc


def _test_keyring(path: str) -> Any:
    try:
        from keyrings.alt.file import PlaintextKeyring
    except ImportError as exc:
        raise KeyringUnusable(f"la variable {TEST_KEYRING_VARIABLE}, réservée aux tests, demande un trousseau "
                              "de test, mais le paquet keyrings.alt n'est pas installé",
                              "retirez cette variable") from exc
    backend = PlaintextKeyring()
    backend.file_path = path
    return backend


def _refusal(backend: Any) -> KeyringUnusable:
    from keyring.backends import fail, null

    dotted = _dotted(backend)
    if isinstance(backend, fail.Keyring):
        return KeyringUnusable("aucun trousseau sûr n'est installé sur cette machine", _platform_remedy())
    if isinstance(backend, null.Keyring):
        reason = f"le trousseau {_chosen_by()} ({dotted}) n'enregistre rien"
    elif dotted == "keyrings.alt.file.PlaintextKeyring":
        reason = (f"le trousseau {_chosen_by()} ({dotted}, du paquet keyrings.alt) garderait les secrets en clair "
                  f"(simple encodage base64) dans le fichier « {backend.file_path} »")
    else:
        reason = (f"le trousseau {_chosen_by()} ({dotted}) n'est pas recommandé par la bibliothèque keyring : "
                  "il ne protège pas les secrets comme celui du système")
    undo = "retirez ce réglage ; " if _setting() else ""
    return KeyringUnusable(f"{reason}, le programme le refuse", undo + _platform_remedy())


def _failed(backend: Any, exc: Exception, what: str) -> KeyringUnusable:
    from keyring.errors import KeyringLocked

    log.debug("trousseau %s : %r", _dotted(backend), exc)  # keyring's own words, for --verbose
    name = describe(backend)
    if isinstance(exc, KeyringLocked):
        return KeyringUnusable(f"le trousseau ({name}) est verrouillé",
                               "déverrouillez-le dans une session ouverte par le compte qui lance le service")
    return KeyringUnusable(f"le trousseau ({name}) a échoué pendant {what}",
                           "vérifiez qu'il est ouvert et déverrouillé pour le compte qui lance le service "
                           "(relancez avec --verbose pour le détail technique)")


def _platform_remedy() -> str:
    """What to install so that keyring finds a recommended backend on this system."""
    if sys.platform == "win32":
        return ("le Gestionnaire d'identification de Windows convient et keyring le prend en charge d'office "
                "(réinstallez le paquet keyring s'il n'est pas trouvé)")
    if sys.platform == "darwin":
        return "le trousseau de macOS convient et keyring le prend en charge d'office"
    return ("installez un Secret Service (gnome-keyring, ou KeePassXC avec son intégration Secret Service) "
            "ou KWallet, et lancez le programme dans une session où il est ouvert")


def _setting() -> str:
    """Where the keyring was imposed by hand, if it was (French), else empty."""
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return "la variable d'environnement PYTHON_KEYRING_BACKEND"
    from keyring.core import _config_path

    path = _config_path()
    return f"le fichier « {path} »" if path.exists() else ""


def _chosen_by() -> str:
    setting = _setting()
    return f"imposé par {setting}" if setting else "trouvé sur cette machine"


def _dotted(backend: Any) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


class _AsDebug(logging.Handler):
    """keyring logs in English: its lines go on at DEBUG, shown with --verbose only, never at the usual levels."""

    def emit(self, record: logging.LogRecord) -> None:
        root = logging.getLogger()
        if root.isEnabledFor(logging.DEBUG):  # the level check a record handed on by hand would skip
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            root.handle(record)


def _quiet_keyring_logs() -> None:
    logger = logging.getLogger("keyring")  # its modules' loggers hand their lines up to this one
    if not any(isinstance(existing, _AsDebug) for existing in logger.handlers):
        logger.addHandler(_AsDebug())
        logger.propagate = False
