"""A mapping that lacks a field an automation needs: ``check`` says what the automation will do without it,
and ``run`` does exactly that (letters printed rather than mailed), without touching anyone else's mail."""

from __future__ import annotations

from pathlib import Path

from .runner import NOTHING, Case
from .service import APPLICATIONS, INVITATION, SIC, register

APPLICANT_EMAIL = 'email = { headers = ["Courriel", "E-mail"], type = "email" }\naddress = '


def _no_applicant_email(folder: Path) -> Path:
    mapping = folder / "correspondance.toml"
    text = mapping.read_text(encoding="utf-8")
    assert text.count(APPLICANT_EMAIL) == 1
    mapping.write_text(text.replace(APPLICANT_EMAIL, "address = "), encoding="utf-8")
    return register(folder, APPLICATIONS)


CASES = [
    Case("mapping_without_applicant_email", "correspondance sans l'adresse e-mail des demandeurs",
         _no_applicant_email,
         check=("! Courriers de décision : champ « email » absent du registre des demandes — les courriers seront "
                "préparés pour impression.",),
         check_exit=0, mails=frozenset({INVITATION, SIC}), watch=NOTHING),
]
