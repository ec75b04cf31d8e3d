"""Names made from register values against Windows' rules (Microsoft Learn, « Naming Files, Paths, and
Namespaces »), each rule enumerated, and checked again by pathvalidate, an independent implementation."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from pathvalidate import ValidationError, validate_filename

from automations.file_names import FALLBACK, MAX_BYTES, UnsafePath, file_name, inside

DEVICES = ["CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10)), *(f"LPT{n}" for n in range(10)),
           "COM¹", "COM²", "COM³", "LPT¹", "LPT²", "LPT³", "CONIN$", "CONOUT$"]
FORMAT_CONTROLS = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
                   "\u200e", "\u200f", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
HOSTILE = ["x/../../../../ESCAPED", "Commission insertion logement/emploi", '<a>:"b"|c?*d\\e', "..", ".", "",
           "   ", "Commission A.", "Commission A ", "Commission A. . .", "CON", "con.docx", "NUL .txt", "COM¹",
           "exe.\u202ecod", "\u202e", "a" * 300, "é" * 300, "e\u0301", "Tab\tnew\nline\x00nul\x1fus", "-rf",
           ".cache", "~$lock", "Ligne\u2028suivante", "\ud800", "..\\..\\secret", "a" + "\u0301" * 300]


def windows_accepts(name: str) -> bool:
    try:
        validate_filename(name, platform="windows")
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("char", list('<>:"/\\|?*'))
def test_no_reserved_character_stays(char: str) -> None:
    name = file_name(f"avant{char}après")
    assert char not in name and name in ("avant-après", "avant'après")


def test_a_slash_between_words_reads_as_a_dash_and_quotes_as_apostrophes() -> None:
    assert file_name("Commission insertion logement/emploi") == "Commission insertion logement-emploi"
    assert file_name('Commission "Jeunes"') == "Commission 'Jeunes'"
    assert file_name("Réunion : bilan / perspectives") == "Réunion - bilan - perspectives"


@pytest.mark.parametrize("code", range(32))
def test_no_control_character_stays(code: int) -> None:
    assert file_name(f"Marie{chr(code)}WAIA") == "Marie WAIA"


@pytest.mark.parametrize("value, expected", [
    ("Commission A.", "Commission A"), ("Commission A ", "Commission A"), ("Commission A. . .", "Commission A"),
    ("x/", "x"), ("Fin...", "Fin"),
])
def test_no_name_ends_with_a_dot_or_a_space(value: str, expected: str) -> None:
    assert file_name(value) == expected
    assert file_name(value, ".docx") == f"{expected}.docx"


@pytest.mark.parametrize("device", DEVICES)
def test_device_names_are_never_names_even_with_an_extension_or_in_lower_case(device: str) -> None:
    assert file_name(device) == f"_{device}"
    assert file_name(device.lower(), ".docx") == f"_{device.lower()}.docx"
    assert file_name(f"{device}.tar.gz") == f"_{device}.tar.gz"
    assert file_name(f"{device} ", ".txt") == f"_{device}.txt"
    assert file_name(f"{device} 2026") == f"{device} 2026"  # a longer word is no device


@pytest.mark.parametrize("char", FORMAT_CONTROLS)
def test_bidi_and_zero_width_characters_are_removed(char: str) -> None:
    assert file_name(f"Avis{char} SIC{char}") == "Avis SIC"
    assert file_name(f"facture{char}cod.exe") == "facturecod.exe"


def test_text_is_nfc_and_french_accents_stay() -> None:
    decomposed = unicodedata.normalize("NFD", "Commission première entrée – Nouméa")
    assert file_name(decomposed) == "Commission première entrée – Nouméa"
    assert file_name("Gaëlle WAHÉO") == "Gaëlle WAHÉO"


@pytest.mark.parametrize("value", ["", " ", ".", "..", "...", " . ", "\u202e", "\u200b\u200b", "/", "\\..\\", "-"])
def test_a_name_is_never_empty_nor_a_dot_or_two(value: str) -> None:
    assert file_name(value) == FALLBACK
    assert file_name(value, ".docx") == f"{FALLBACK}.docx"


def test_a_long_value_is_cut_and_the_extension_kept() -> None:
    assert file_name("a" * 300, length=80) == "a" * 80
    long = file_name("é" * 300, ".docx")
    assert long.endswith("é.docx") and len(long.encode("utf-8")) <= MAX_BYTES
    assert len(file_name("Avis " + "x" * 300 + " ", ".pdf").encode("utf-16-le")) // 2 <= 255


@pytest.mark.parametrize("value, expected", [
    ("2025/001", "2025-001"), ("..\\..\\secret", "secret"), ("CON", "_CON"), ("nul.txt", "_nul.txt"),
    ("COM1", "_COM1"), ("Lpt9", "_Lpt9"), ("   ", "sans-nom"), ("Tévita:O'Neil?", "Tévita-O'Neil"),
    ("DEL-2026-0301", "DEL-2026-0301"), ("Casino Johnston", "Casino Johnston"),
])
def test_names_staff_already_get_are_unchanged(value: str, expected: str) -> None:
    assert file_name(value, length=80) == expected


@pytest.mark.parametrize("value", HOSTILE)
def test_every_hostile_value_gives_a_name_windows_accepts_and_the_same_name_twice(value: str) -> None:
    for extension in ("", ".docx"):
        name = file_name(value, extension)
        assert windows_accepts(name), name
        assert name not in (".", "..") and "/" not in name and "\\" not in name
        assert name == unicodedata.normalize("NFC", name)
        assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in name)
        assert len(name.encode("utf-8")) <= MAX_BYTES
    assert file_name(file_name(value)) == file_name(value)


def test_inside_refuses_a_path_that_leaves_its_folder(tmp_path: Path) -> None:
    root = tmp_path / "documents"
    assert inside(root, "commission-a", "2026-12-07", "Convocation.docx") == \
        root / "commission-a" / "2026-12-07" / "Convocation.docx"
    with pytest.raises(UnsafePath) as caught:
        inside(root, "x", "..", "..", "ESCAPED.docx")
    assert caught.value.message.startswith("Chemin refusé : « ")
    assert "sortirait du dossier" in caught.value.message
    with pytest.raises(UnsafePath):
        inside(root, ".")
    root.mkdir()
    (root / "lien").symlink_to(tmp_path)  # a link planted in the folder is followed, then refused
    with pytest.raises(UnsafePath):
        inside(root, "lien", "ESCAPED.docx")
