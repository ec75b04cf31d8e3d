"""The service every case starts from, dated from one pinned day, which the command line reads from
the test clock (``runner.cli``): no case depends on the day the suite runs.

A session held ten days ago decided three applications (an accord paid to a supplier, a refusal, a
food voucher); another session, in nine days, is within its committee's invitation lead time. A clean
run sends five mails: the invitation, three decision letters and the notice to the SIC.
"""

from __future__ import annotations

import atexit
import hashlib
import re
import shutil
import tempfile
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl

from automations.registers.container import sheet_parts

from ..conftest import NOUMEA
from ..follow_up_factory import HEADER, application, make_follow_up_service
from ..service_factory import COMMITTEE

PLANNING = "Planning des instances 2026.xlsx"
APPLICATIONS = "Registre des demandes 2026.xlsx"
SUPPLIERS = "Fournisseurs.xlsx"
OUTGOING = "Courrier départ 2026.xlsx"

# the first recipient of each mail a clean run sends
INVITATION = "wassissi.lalie@fsh.nc"
WAHEO = "gaelle.waheo@mail.nc"
TROLUE = "malia.trolue@mail.nc"
TEIN = "sylvain.tein@mail.nc"
SIC = "contentieux@sic.nc"
ALL_MAILS = frozenset({INVITATION, WAHEO, TROLUE, TEIN, SIC})
# rows of the applications register (row 1 is the header)
ROW_WAHEO, ROW_TROLUE, ROW_TEIN = 2, 3, 4


MOMENT = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)


def today() -> date:
    return MOMENT.date()


def held() -> date:
    return today() - timedelta(days=10)


def coming() -> date:
    return today() + timedelta(days=9)


def applications() -> list[list[object]]:
    day = held()
    return [
        application("DEL-2026-0301", "WAHEO", "Gaëlle", "Impayés de loyer", 180000, "Accord", 180000,
                    supplier="SIC", email=WAHEO, day=day),
        application("DEL-2026-0303", "TROLUE", "Malia", "Facture d'eau", 32000, "Refus",
                    reason="Ressources supérieures au plafond", email=TROLUE, day=day),
        application("DEL-2026-0307", "TEIN", "Sylvain", "Aide alimentaire", 20000, "Accord", 18000,
                    supplier="Casino Johnston", email=TEIN, day=day),
    ]


def planning() -> list[list[object]]:
    return [
        [COMMITTEE, held(), "8h30", 2, "Salle Kaori", "Mme la présidente", "Tenue", "Examen des dossiers",
         "Salle Kaori", held() - timedelta(days=15), None, None],
        [COMMITTEE, coming(), "8h30", 2, "Salle Kaori", "Mme la présidente", "Prévue", "Examen des dossiers",
         None, None, None, None],
    ]


def build(folder: Path) -> Path:
    config = make_follow_up_service(folder, applications(), planning=planning())
    config.chmod(0o600)  # check would warn about a config every account can read
    return config


_built: list[Path] = []  # this process's service as ``build`` makes it, which each case copies


def fresh(folder: Path) -> Path:
    """The service of ``build`` in ``folder``, copied from one built once per process (writing its workbooks
    costs more than copying them); the copies' files are dated from now, as freshly built ones."""
    if not _built or not _built[0].is_dir():
        root = Path(tempfile.mkdtemp(prefix="corpus-service-"))
        atexit.register(shutil.rmtree, root, True)
        build(root / "service")
        _built[:] = [root / "service"]
    shutil.copytree(_built[0], folder, copy_function=shutil.copy)
    return folder / "config.toml"


def register(folder: Path, name: str) -> Path:
    return folder / "registres" / name


def edit(folder: Path, name: str, sheet: str, row: int, header_row: int = 1, **cells: object) -> None:
    """Change cells of one row the way staff would, by header (underscores for spaces)."""
    path = register(folder, name)
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    columns = {str(c.value): c.column for c in ws[header_row] if c.value is not None}
    for header, value in cells.items():
        ws.cell(row=row, column=columns[header.replace("_", " ")], value=value)
    wb.save(path)


def edit_application(folder: Path, row: int, **cells: object) -> None:
    edit(folder, APPLICATIONS, "Demandes", row, **cells)


def column_letter(header: str) -> str:
    return openpyxl.utils.get_column_letter(HEADER.index(header) + 1)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "absent"


def row_values(path: Path, sheet: str, row: int) -> tuple[object, ...]:
    ws = openpyxl.load_workbook(path)[sheet]
    return tuple(c.value for c in ws[row])


def row_xml(path: Path, sheet: str, row: int) -> bytes:
    """The row's XML as stored: the write-back leaves a row it does not write byte for byte as it was,
    whatever its cells hold (even a NaN that openpyxl cannot load)."""
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(sheet_parts(archive)[sheet])
    found = re.search(rb'<row r="%d"(?:/>|[ >].*?</row>)' % row, xml, re.DOTALL)
    assert found is not None, f"row {row} of {sheet} not found"
    return found.group()
