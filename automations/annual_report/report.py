"""The annual activity report: ``python run.py report --year Y``, and once a year to the manager.

On demand, the report is written to the reports folder: an Excel workbook
(a formatted sheet per table, native charts, the rows left out) and a Word
report from ``templates/rapport_activite.docx`` with the key figures filled
in, for staff to finish. Scheduled, last year's report is built from the
configured day (« 15 janvier ») and mailed once to the manager.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from typing import TYPE_CHECKING

from . import text as annual_text
from ..engine.actions import Action, Plan, fingerprint
from ..engine.context import Context
from ..engine.attach import DOCX
from ..errors import UsageError
from ..file_names import file_name
from ..engine.journal import Entry, Journal
from ..planning import planning
from ..registers.mapping import load_mapping
from ..registers.read_cache import ReadCache
from ..registers.reader import read_registers
from ..registers.writeback import CellWrite, RowAppend
from ..transports.base import Address, Attachment, Mail

if TYPE_CHECKING:
    from .model import AnnualReport

NAME = "report"
LABEL = "Rapport d'activité"
TEMPLATE = "rapport_activite.docx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ReportFiles:
    report: AnnualReport
    workbook: Path
    document: Path


def reports_folder(ctx: Context) -> Path:
    return ctx.config.paths.reports or ctx.config.source.parent / "rapports"


def make_report(ctx: Context, year: int) -> ReportFiles:
    """Read every register, compute the year's figures and write both files."""
    # pandas comes with these: imported when a report is made, not by every command the registry serves
    from .data import gather
    from .document import write_document
    from .figures import build_report
    from .planned import proposal_of
    from .workbook import write_workbook

    today = ctx.now().date()
    if not 2000 <= year <= today.year:
        raise UsageError(f"Année invalide « {year} » : entre 2000 et {today.year}.")
    with ctx.progress(4, f"Rapport d'activité {year}") as reach:  # reading, figures, workbook, Word report
        with ReadCache.beside(ctx.config.paths.journal) as cache:
            registers = read_registers(load_mapping(ctx.config.paths.mapping), ctx.config.paths.registers, year, cache)
        with Journal(ctx.config.paths.journal, readonly=True) as journal:
            proposal = proposal_of(journal.entries(planning.NAME), year)  # what ``run planning`` wrote for the year
        reach(1)
        report = build_report(gather(registers, ctx.config), year, ctx.config.service.name, today, proposal)
        reach(2)
        folder = reports_folder(ctx)
        folder.mkdir(parents=True, exist_ok=True)
        workbook = write_workbook(report, folder / file_name(f"Rapport d'activité {year}", ".xlsx"))
        reach(3)
        document = write_document(report, ctx.config.paths.templates / TEMPLATE,
                                  folder / file_name(f"Rapport d'activité {year}", ".docx"))
        reach(4)
    return ReportFiles(report, workbook, document)


def report_command(ctx: Context, year: int) -> int:
    from .workbook import no_data_sentence  # with pandas, loaded by make_report anyway

    files = make_report(ctx, year)
    k = files.report.key_figures
    ctx.say(f"Rapport d'activité {year} :")
    ctx.say(f"  - classeur (tableaux et graphiques) : {files.workbook}")
    ctx.say(f"  - rapport Word à compléter          : {files.document}")
    if not files.report.has_data:
        ctx.say(f"  {no_data_sentence(year)}")
    else:
        def count(name: str) -> str:
            return annual_text.counted(int(k.get(name) or 0), name, space=" ")

        granted = (f"montant accordé {annual_text.NOT_AVAILABLE}" if "amount_granted" in files.report.unavailable
                   else f"{annual_text.amount(int(k.get('amount_granted') or 0), space=' ')} accordés")
        ctx.say(f"  {count('sessions_held')}, {count('applications_examined')}, {granted}.")
    if files.report.excluded:
        ctx.say(f"  {annual_text.counted(len(files.report.excluded), 'excluded', space=' ')} des chiffres : voir la "
                "feuille « Lignes écartées » du classeur.")
    return 0


DUE_FOR_DAYS = 60  # a server installed in November must not mail last January's report


def due_year(today: date, from_day: str) -> int | None:
    """Last year, from the configured day of this year and for two months (a server off in January catches up)."""
    month, day = (int(part) for part in from_day.split("-"))
    start = date(today.year, month, day)
    return today.year - 1 if 0 <= (today - start).days < DUE_FOR_DAYS else None


def plan(ctx: Context, entries: dict[str, Entry]) -> Plan:
    result = Plan(NAME)
    manager = ctx.config.service.manager
    year = due_year(ctx.now().date(), ctx.config.report.from_day)
    if not manager or year is None:
        return result
    key = f"report/{year}"
    entry = entries.get(key)
    if entry is not None and entry.delivered:
        return result
    facts = {"year": year, "to": manager}
    result.actions.append(Action(key=key, automation=NAME, kind="create", revision=0, fingerprint=fingerprint(facts),
                                 summary=f"Rapport d'activité {year} au responsable", payload=facts))
    return result


def build(ctx: Context, action: Action) -> Mail:
    from .workbook import no_data_sentence  # with pandas, loaded by make_report anyway

    year = int(action.payload["year"])
    files = make_report(ctx, year)
    service = ctx.config.service
    empty = "" if files.report.has_data else f"{no_data_sentence(year)}\n\n"
    body = (f"Bonjour,\n\n{empty}Vous trouverez ci-joint le rapport d'activité {year} des commissions, établi à "
            "partir des registres du service :\n"
            f"- « {files.workbook.name} » : les tableaux et leurs graphiques ;\n"
            f"- « {files.document.name} » : le rapport rédigé, chiffres clés remplis, à compléter.\n\n"
            f"{_excluded_sentence(len(files.report.excluded))}\n\n"
            f"{service.name}")
    return Mail(delivery_id=action.delivery_id, subject=f"Rapport d'activité {year} des commissions",
                sender=Address(service.email, service.name), to=(Address(action.payload["to"]),), body_text=body,
                attachments=(Attachment(files.workbook.name, files.workbook.read_bytes(), XLSX),
                             Attachment(files.document.name, files.document.read_bytes(), DOCX)))


def _excluded_sentence(count: int) -> str:
    if count == 0:
        return "Aucune ligne de registre n'a été écartée des chiffres."
    if count == 1:
        return "1 ligne de registre a été écartée des chiffres ; la feuille « Lignes écartées » du classeur dit pourquoi."
    return (f"{annual_text.grouped(count, ' ')} lignes de registre ont été écartées des chiffres ; la feuille "
            "« Lignes écartées » du classeur dit pourquoi.")


def writes(action: Action, today: date) -> list[tuple[Path, CellWrite | RowAppend]]:
    return []
