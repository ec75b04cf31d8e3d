"""A config or a mapping that is no small text file: refused in French before it is read whole."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from automations.cli.main import main
from automations.errors import ConfigError
from automations.settings.section import read_toml


def test_a_huge_mapping_is_refused_without_being_read(tmp_path: Path) -> None:
    mapping = tmp_path / "correspondance.toml"
    with open(mapping, "wb") as out:
        out.truncate(300 * 1024 * 1024)  # sparse: 300 MiB that the disk does not hold

    with pytest.raises(ConfigError) as refused:
        read_toml(mapping)

    assert refused.value.problems == ["fichier démesuré (300 Mo, au plus 1 Mo) : ce n'est pas le bon fichier ?"]


def test_arrays_nested_too_deep_are_said_in_french(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")

    assert main(["--config", str(config), "check"]) != 0

    out = capsys.readouterr()
    assert "tableaux imbriqués trop profondément pour être lus" in out.out + out.err
    assert "Traceback" not in out.out + out.err and "Erreur inattendue" not in out.out + out.err


def test_a_named_pipe_given_as_config_is_refused_instead_of_waited_on(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    os.mkfifo(config)  # reading it would wait forever for a writer

    with pytest.raises(ConfigError) as refused:
        read_toml(config)

    assert refused.value.problems == ["fichier spécial (tube ou prise réseau), pas un fichier texte"]
