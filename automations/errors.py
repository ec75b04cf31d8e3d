"""One exception family for everything a user may be told.

Each error carries a French message and an exit code; the command line turns
it into one line in exactly one place (``automations.cli.main.main``).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class UserError(Exception):
    """An error whose message is meant for the user, in French."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def format_message(self) -> str:
        return self.message


class UsageError(UserError):
    """Bad command line."""

    exit_code = EXIT_USAGE


class ConfigError(UserError):
    """The configuration or a mapping is invalid; lists every problem at once."""

    exit_code = EXIT_USAGE
    heading = "Configuration invalide"

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = [f"{self.heading} ({source}) :"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class MappingError(ConfigError):
    """The mapping of the registers is invalid: named as such, so that it never reads as the configuration."""

    heading = "Correspondance des registres invalide"


class TemplateError(UserError):
    """A document template cannot be rendered."""


class TransportError(UserError):
    """A transport could not deliver; the action is retried on a later run."""

    # a fatal error (refused login) would fail every other action the same way: the run stops
    fatal = False
