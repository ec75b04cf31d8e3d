"""The demo service with a manager, the digest it sends, and its HTML read back as tables."""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import openpyxl

from automations.cli.demo import set_up

MANAGER = "cheffe@province-sud.nc"
REGISTERS = Path("registres")
PLANNING = REGISTERS / "Planning des instances 2026.xlsx"
APPLICATIONS = ("Registre des demandes 2025.xlsx", "Registre des demandes 2026.xlsx")


def demo_service(folder: Path, today: date, *, manager: bool = True) -> Path:
    """The demo's folder, not yet run; its config names the manager unless told not to."""
    # last year's report keeps its usual day (15 January): the digest is what these tests read
    set_up(folder, today, manager=MANAGER if manager else "", report_now=False)
    config = folder / "config.toml"
    # no PDFs: they play no part in the digest, and LibreOffice would double the time of each run
    config.write_text(config.read_text(encoding="utf-8").replace("pdf = true", "pdf = false"), encoding="utf-8")
    return config


def add_manager(config: Path) -> None:
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('timezone = "Pacific/Noumea"\n',
                                   f'timezone = "Pacific/Noumea"\nmanager = "{MANAGER}"\n', 1), encoding="utf-8")


def outbox(folder: Path) -> list[tuple[Path, EmailMessage]]:
    return [(p, email.message_from_bytes(p.read_bytes(), policy=email.policy.default))
            for p in sorted((folder / "boite-d-envoi").glob("*/*.eml"))]


def digests(folder: Path) -> list[EmailMessage]:
    return [m for _, m in outbox(folder) if m["X-Commission-Key"].startswith("digest/")]


def a_date(value: object) -> date | None:
    """A register's date as staff type it: a real date, or « 16/05/2025 »."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str) and value.count("/") == 2:
        day, month, year = value.split("/")
        return date(int(year), int(month), int(day))
    return None


def amount(value: object) -> int:
    return int("".join(ch for ch in str(value) if ch.isdigit()) or 0) if value is not None else 0


def xpf(value: int) -> str:
    return f"{value:,} F CFP".replace(",", " ")


def applications(folder: Path) -> list[dict[str, object]]:
    """Every application of the registers, a line typed twice counted once (the reader keeps the first)."""
    rows: dict[str, dict[str, object]] = {}
    for name in APPLICATIONS:
        ws = openpyxl.load_workbook(folder / REGISTERS / name)["Demandes"]
        header = [c.value for c in ws[1]]
        for values in ws.iter_rows(min_row=2, values_only=True):
            if values[0]:
                rows.setdefault(str(values[0]), dict(zip(header, values)))
    return list(rows.values())


def edit_applications(folder: Path, changes: dict[str, dict[str, object]]) -> None:
    """Change cells of applications of the 2026 register by number, the way staff would."""
    path = folder / REGISTERS / APPLICATIONS[1]
    wb = openpyxl.load_workbook(path)
    ws = wb["Demandes"]
    columns = {c.value: c.column for c in ws[1]}
    for row in range(2, ws.max_row + 1):
        for header, value in changes.get(str(ws.cell(row, 1).value), {}).items():
            ws.cell(row, columns[header]).value = value  # cell(..., value=None) would leave the cell as it was
    wb.save(path)


def planning(folder: Path) -> tuple[list[dict[str, object]], dict[str, str]]:
    """The planning's sessions, and each committee's scheme."""
    wb = openpyxl.load_workbook(folder / PLANNING)
    ws = wb["Planning 2026"]
    header = [c.value for c in ws[4]]
    sessions = [dict(zip(header, values)) for values in ws.iter_rows(min_row=5, values_only=True) if values[0]]
    schemes = {str(r[0]): str(r[1]) for r in wb["Instances"].iter_rows(min_row=2, values_only=True) if r[0]}
    return sessions, schemes


def members(folder: Path) -> list[tuple[str, str]]:
    """The members' (last name, first name)."""
    ws = openpyxl.load_workbook(folder / PLANNING)["Membres"]
    return [(str(r[0]), str(r[1])) for r in ws.iter_rows(min_row=3, values_only=True) if r[0]]


class Tables(HTMLParser):
    """The HTML's tables by id, as rows of cell texts; the images' sources."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.images: list[dict[str, str]] = []
        self.stack: list[str] = []  # ids of the open tables ("" for a layout table)
        self.cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.stack.append(found.get("id", ""))
            if found.get("id"):
                self.tables[found["id"]] = []
        elif tag == "tr" and self.stack and self.stack[-1]:
            self.tables[self.stack[-1]].append([])
        elif tag in ("td", "th") and self.stack and self.stack[-1]:
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")
        elif tag == "img":
            self.images.append(found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.stack.pop()
        elif tag in ("td", "th") and self.cell is not None:
            text = "".join(self.cell).replace("\xa0", " ")
            self.tables[self.stack[-1]][-1].append("\n".join(" ".join(line.split()) for line in text.split("\n")))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)

    def rows(self, ident: str) -> list[list[str]]:
        """The table's rows under its header row."""
        return self.tables[ident][1:]
