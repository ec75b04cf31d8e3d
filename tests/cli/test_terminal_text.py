"""Register text in what the terminal and the logs receive: control characters shown as signs, never obeyed."""

from __future__ import annotations

import logging
from pathlib import Path

from automations.cli.main import main
from automations.cli.service_logs import FrenchFormatter
from automations.invisible import printable

TITLE = "\x1b]0;piège\x07"  # would retitle the administrator's terminal window


def test_an_error_line_shows_an_escape_sequence_without_sending_it(tmp_path: Path, capsys) -> None:
    folder = tmp_path / TITLE
    assert main(["--config", str(folder / "config.toml"), "check"]) == 2
    err = capsys.readouterr().err
    assert f"Configuration invalide ({tmp_path / '␛]0;piège␇' / 'config.toml'}) :" in err
    assert "\x1b" not in err and "\x07" not in err


def test_the_log_formatter_shows_control_characters_as_signs() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "registre %s : ligne introuvable", (TITLE,), None)
    assert FrenchFormatter(dated=False).format(record) == "attention : registre ␛]0;piège␇ : ligne introuvable"


def test_printable_leaves_french_text_and_line_ends_alone() -> None:
    text = "Gaëlle WAHEO – 125 000 F CFP\n  ✓ envoi : « Décision »\t(accord)"
    assert printable(text) == text
    assert printable("a\x9b31mb\u202ec\rd\x7f") == "a<U+009B>31mb<U+202E>c␍d␡"
