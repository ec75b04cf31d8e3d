"""A TOML table read key by key, each problem named with its key, in French."""

from __future__ import annotations

import re
import stat
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..archive_guard import size_text
from ..errors import ConfigError
from .toml_errors import explain, explain_encoding

_SECRET_WORDS = ("password", "passwd", "secret", "token", "mot_de_passe", "motdepasse")
# past this no setting is plausible, and amounts summed from it still format without overflow
_MAX_INTEGER = 10 ** 12
_MISSING = object()
_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def day_from(item: Any) -> date | None:
    """A TOML date or « 24/12/2027 »; None when it is neither."""
    if isinstance(item, date) and not isinstance(item, datetime):
        return item
    match = _DATE.match(item) if isinstance(item, str) else None
    if not match:
        return None
    try:
        return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None


class Section:
    """A table of the TOML file; each read is checked and remembered."""

    # when set, every key read is noted: (table, key, default, required); the reference prints what the code gives
    listener: list[tuple[str, str, Any, bool]] | None = None

    def __init__(self, data: Any, where: str, problems: list[str]) -> None:
        self.where = where
        self.problems = problems
        self.seen: set[str] = set()
        if not isinstance(data, dict):
            problems.append(f"{where} : une table est attendue")
            data = {}
        self.data: dict[str, Any] = data

    def _label(self, key: str) -> str:
        return f"{self.where} {key}".strip()

    def problem(self, key: str, why: str) -> None:
        self.problems.append(f"{self._label(key)} : {why}")

    def _get(self, key: str, default: Any, kind: type | tuple[type, ...], kind_fr: str) -> Any:
        self.seen.add(key)
        if Section.listener is not None:
            Section.listener.append((self.where, key, None if default is _MISSING else default, default is _MISSING))
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                self.problem(key, "clé obligatoire absente")
                return None
            return default
        if isinstance(value, bool) and kind is not bool:
            self.problem(key, f"{kind_fr} attendu, trouvé « {value} »")
            return None if default is _MISSING else default
        if not isinstance(value, kind):
            self.problem(key, f"{kind_fr} attendu, trouvé « {value} »")
            return None if default is _MISSING else default
        return value

    def text(self, key: str, default: Any = _MISSING) -> str:
        return self._get(key, default, str, "un texte")

    def boolean(self, key: str, default: Any = _MISSING) -> bool:
        return self._get(key, default, bool, "true ou false")

    def integer(self, key: str, default: Any = _MISSING, minimum: int = 0, maximum: int = _MAX_INTEGER) -> int:
        value = self._get(key, default, int, "un nombre entier")
        if isinstance(value, int) and value < minimum:
            self.problem(key, f"doit valoir au moins {minimum}")
        elif isinstance(value, int) and value > maximum:
            # days past a few centuries overflow the dates computed from them
            self.problem(key, f"doit valoir au plus {maximum}")
        return value

    def number(self, key: str, default: Any = _MISSING, maximum: float = _MAX_INTEGER) -> float:
        value = self._get(key, default, (int, float), "un nombre")
        if isinstance(value, (int, float)) and not value > 0:  # NaN too (TOML writes it nan)
            self.problem(key, "doit être positif")
        elif isinstance(value, (int, float)) and value > maximum:
            self.problem(key, f"doit valoir au plus {maximum:g}")
        return float(value) if value is not None else value

    def strings(self, key: str, default: Any = _MISSING) -> tuple[str, ...]:
        """A list of texts; a single text is accepted as a list of one."""
        value = self._get(key, default, (str, list), "un texte ou une liste de textes")
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not all(isinstance(item, str) and item.strip() for item in items):
            self.problem(key, "chaque élément doit être un texte non vide")
            return ()
        return tuple(item.strip() for item in items)

    def table(self, key: str) -> Section:
        self.seen.add(key)
        return Section(self.data.get(key, {}), f"[{key}]", self.problems)

    def tables(self, key: str) -> list[Section]:
        self.seen.add(key)
        items = self.data.get(key, [])
        if not isinstance(items, list):
            self.problem(key, "une liste de tables [[...]] est attendue")
            return []
        return [Section(item, f"[[{key}]] n° {i}", self.problems) for i, item in enumerate(items, 1)]

    def path(self, key: str, base: Path, default: Any = _MISSING) -> Path:
        value = self.text(key, default)
        return (base / value).resolve() if value else base

    def finish(self) -> None:
        """Report keys nobody asked for: a typo must not be silently ignored."""
        for key in self.data:
            if key in self.seen:
                continue
            if not self.reject_secret(key):
                self.problem(key, "clé inconnue")

    def reject_secret(self, key: str) -> bool:
        """A secret typed into the file is refused; only its variable's name may be."""
        if key.endswith("_env") or not any(word in key.lower() for word in _SECRET_WORDS):
            return False
        self.problem(key, "un secret ne se met pas dans le fichier de configuration : "
                     "indiquez le nom d'une variable d'environnement (clé « ..._env »)")
        return True


MAX_TOML_BYTES = 1024 * 1024


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning every failure into a French :class:`ConfigError`."""
    try:
        kind = Path(path).stat()
        if stat.S_ISREG(kind.st_mode) and kind.st_size > MAX_TOML_BYTES:
            # a config or a mapping is a few kilobytes: this is another file, read whole it would fill the memory
            raise ConfigError(str(path), [f"fichier démesuré ({size_text(kind.st_size)}, au plus "
                                          f"{size_text(MAX_TOML_BYTES)}) : ce n'est pas le bon fichier ?"])
        if not stat.S_ISREG(kind.st_mode) and not stat.S_ISDIR(kind.st_mode):
            raise ConfigError(str(path), ["fichier spécial (tube ou prise réseau), pas un fichier texte"])
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except RecursionError:
        raise ConfigError(str(path), ["tableaux imbriqués trop profondément pour être lus"]) from None
    except FileNotFoundError:
        raise ConfigError(str(path), ["fichier introuvable"]) from None
    except IsADirectoryError:
        raise ConfigError(str(path), ["c'est un dossier, pas un fichier"]) from None
    except PermissionError:
        raise ConfigError(str(path), ["lecture refusée : ce compte n'a pas le droit de lire ce fichier"]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), [explain_encoding(exc)]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [explain(exc)]) from None
