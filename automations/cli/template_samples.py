"""Sample data for each shipped template, built by the automations' own context functions.

``check`` compares what a template reads with what the automation gives it;
building the sample with the very function that renders the real documents
keeps the two from drifting apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate

from ..annual_report import report as annual_report
from ..follow_ups import decision_letters, follow_ups
from ..convocations import invitations
from ..packs import meeting_pack
from ..minutes import minutes
from ..receipts import receipts
from ..receipts.expected import Expected
from ..follow_ups import supplier_notices, vouchers
from ..engine.actions import Action
from ..engine.context import Context
from ..follow_ups.correspondence import Numbers
from ..domain.decisions import DecisionGroup
from ..engine.journal import Journal
from ..number_format import NumberFormat
from ..follow_ups.numbering import Numbering
from ..documents import template_guard
from ..documents.template_check import TemplateReport, check_template
from ..registers.mapping import FieldSpec, Mapping as RegisterMapping
from ..registers.reader import Record, Source
from ..domain.own_fields import sample_values
from ..domain.service import Application, Committee, Member, Session, Supplier


# Own columns by register role (the mapping's [registers.<role>.own_fields]): None for the shipped templates alone.
OwnFields = Mapping[str, Mapping[str, FieldSpec]] | None


def _own(own_fields: OwnFields, role: str) -> dict[str, str]:
    return sample_values(dict((own_fields or {}).get(role, {})))


def _session(ctx: Context, own_fields: OwnFields = None) -> Session:
    committee = Committee(name="Commission exemple", scheme="Dispositif exemple", quorum=3,
                          own=_own(own_fields, "committees"))
    record = Record(role="sessions", source=Source(Path("planning.xlsx"), "Planning", 5, 1), values={})
    return Session(committee=committee, date=ctx.now().date() + timedelta(days=10), time=time(8, 30),
                   duration_hours=2.0, room="Salle exemple", chair="Présidence", status="prevue",
                   agenda="Examen des dossiers", record=record, own=_own(own_fields, "sessions"))


def _member(own_fields: OwnFields = None) -> Member:
    return Member(full_name="Prénom NOM", email="membre@exemple.nc", organisation="Organisme", function="Élu(e)",
                  own=_own(own_fields, "members"))


def _application(session: Session, own_fields: OwnFields = None) -> Application:
    return Application(number="2026-0001", last_name="NOM", first_name="Prénom", commune="Nouméa",
                       scheme=session.committee.scheme, aid_kind="Aide", amount_asked=10000, social_worker="Référent",
                       filed_on=date(2026, 1, 5), session_date=session.date, decision="accord",
                       amount_granted=10000, reason="Motif", notes="Observations", supplier="Fournisseur",
                       email="demandeur@exemple.nc", address="Adresse", own=_own(own_fields, "applications"))


def samples(ctx: Context, own_fields: OwnFields = None) -> dict[str, dict[str, Any]]:
    """Template file name -> the data the automation renders it with."""
    session, member = _session(ctx, own_fields), _member(own_fields)
    applications = [_application(session, own_fields)]
    rows = [{"nom": member.full_name, "organisme": member.organisation, "qualite": "Titulaire",
             "reponse": "accepte", "remplace": ""}]
    convocation = Action("sample", invitations.NAME, "update", 1, "", "", {"room": session.room},
                         {"session": session, "required": [member], "optional": [], "room": None})
    pack = Action("sample", meeting_pack.NAME, "update", 1, "", "",
                  {"anonymised": False, "added": ["2026-0001"], "removed": [], "numbers": ["2026-0001"]},
                  {"session": session, "applications": applications, "members": [member], "room": None})
    draft = Action("sample", minutes.NAME, "file", 0, "", "", {},
                   {"session": session, "applications": applications, "attendance": rows, "previous_ref": None})
    return {invitations.TEMPLATE: invitations.template_context(ctx, convocation),
            meeting_pack.TEMPLATE: meeting_pack.template_context(ctx, pack),
            minutes.TEMPLATE: minutes.template_context(ctx, draft)}


def follow_up_samples(ctx: Context, journal: Journal, own_fields: OwnFields = None) -> dict[str, dict[str, Any]]:
    """Letters of every outcome, a supplier notice and a voucher, as the follow-ups render them."""
    session = _session(ctx, own_fields)
    group = DecisionGroup(session.date, session.committee, session, (_application(session, own_fields),))
    numbers = Numbers(vouchers=Numbering(journal, vouchers.SERIES, NumberFormat("BA-{year}-{seq:04d}"), ()),
                      outgoing=None, register=None, author="")
    result: dict[str, dict[str, Any]] = {}
    for outcome, template in decision_letters.TEMPLATES.items():
        application = replace(group.applications[0], decision=outcome)
        letter = Action("letter/sample", follow_ups.NAME, "file", 1, "", "", {},
                        {"application": application, "group": group, "numbers": numbers,
                         "previous": (ctx.now().date().isoformat(), "letter/sample#0"), "change": "décision modifiée"})
        result[template] = decision_letters.template_context(ctx, letter)
    notice = Action("notice/sample", follow_ups.NAME, "file", 0, "", "", {},
                    {"group": group, "supplier": Supplier("Fournisseur", "f@exemple.nc", "Adresse", ridet="1.001",
                                                          own=_own(own_fields, "suppliers")),
                     "name": "Fournisseur", "applications": list(group.applications), "numbers": numbers})
    result[supplier_notices.TEMPLATE] = supplier_notices.template_context(ctx, notice)
    voucher = Action("voucher/sample", follow_ups.NAME, "file", 0, "", "",
                     {"amount": 10000, "issued_on": ctx.now().date().isoformat(),
                      "valid_until": ctx.now().date().isoformat()},
                     {"application": group.applications[0], "group": group, "supplier": None, "numbers": numbers})
    result[vouchers.TEMPLATE] = vouchers.template_context(ctx, voucher, "BA-2026-0001")
    return result


def receipt_samples(ctx: Context, own_fields: OwnFields = None) -> dict[str, dict[str, Any]]:
    """The acknowledgement and its reminder, with a session expected and documents missing."""
    session = _session(ctx, own_fields)
    application = _application(session, own_fields)
    result: dict[str, dict[str, Any]] = {}
    for kind, template in receipts.TEMPLATES.items():
        action = Action("receipt/sample", receipts.NAME, "file", 0 if kind == "accuse" else 1, "", "",
                        {"kind": kind, "missing": ["Pièce exemple"], "first_on": ctx.now().date().isoformat()},
                        {"application": application, "expected": Expected(session.committee, session)})
        result[template] = receipts.template_context(ctx, action)
    return result


# The report's sample takes about a second (pandas, every table of the report) and depends only on the day, the
# service's name and the template's bytes: a process that checks again the same day builds it once.
_report_samples: template_guard.ByContent[dict[str, Any]] = template_guard.ByContent(16)


def report_sample(ctx: Context) -> dict[str, Any]:
    """The annual report of a service without any register row: every table, none of them filled."""
    template = ctx.config.paths.templates / annual_report.TEMPLATE
    if not template.is_file() or template_guard.refusal(template) is not None:
        return {}  # check_template says why
    today, service = ctx.now().date(), ctx.config.service.name
    try:
        sample = _report_samples.of(template, lambda path: _report_sample(today, service, path), (today, service))
    except OSError:
        return _report_sample(today, service, template)
    return dict(sample)  # the caller's own: it may set keys of its own


def _report_sample(today: date, service: str, template: Path) -> dict[str, Any]:
    # pandas comes with these: imported by ``check`` when it needs the sample, not by every command
    import pandas as pd

    from ..annual_report.data import APPLICATION_COLUMNS, SESSION_COLUMNS
    from ..annual_report.document import report_context
    from ..annual_report.figures import build_report
    from ..annual_report.model import AnnualData

    empty = {name: [] for name in APPLICATION_COLUMNS}
    data = AnnualData(applications=pd.DataFrame(empty), sessions=pd.DataFrame({n: [] for n in SESSION_COLUMNS}),
                      mail_in=pd.DataFrame({"date": []}), mail_out=pd.DataFrame({"date": []}),
                      place_columns=("tribe", "district"))
    # shown as a year with figures, so that every section of the template is read
    report = replace(build_report(data, today.year, service, today), has_data=True)
    return report_context(report, DocxTemplate(str(template)))


# Where a template finds each register's own columns, for check to say which table of the mapping to complete.
_OWN_PLACES = {"applications": ("applications[].own", "application.own", "rows[].own"),
               "sessions": ("session.own",), "committees": ("committee.own",), "members": ("members[].own",),
               "suppliers": ("supplier.own",)}


def own_hints(mapping_name: str) -> dict[str, str]:
    """Data path of an ``own`` table -> why a name the template reads there is missing, in French."""
    return {place: f"colonne propre non déclarée dans {mapping_name} (ajoutez-la sous "
                   f"[registers.{role}.own_fields])"
            for role, places in _OWN_PLACES.items() for place in places}


def check_templates(ctx: Context, mapping: RegisterMapping | None = None) -> list[TemplateReport]:
    """Each template read against its automation's data, the mapping's own columns included."""
    folder = ctx.config.paths.templates
    own = {spec.role: spec.own_fields for spec in mapping.registers.values()} if mapping else None
    hints = own_hints(mapping.source.name) if mapping else {}
    with Journal(ctx.config.paths.journal, readonly=True) as journal:
        every = {**samples(ctx, own), **follow_up_samples(ctx, journal, own), **receipt_samples(ctx, own),
                 annual_report.TEMPLATE: report_sample(ctx)}
    return [check_template(folder / name, sample, hints) for name, sample in every.items()]
