"""Sample data for each shipped template, built by the automations' own context functions.

``check`` compares what a template reads with what the automation gives it;
building the sample with the very function that renders the real documents
keeps the two from drifting apart.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from . import invitations, meeting_pack, minutes
from .actions import Action
from .context import Context
from .documents.template_check import TemplateReport, check_template
from .registers.reader import Record, Source
from .service import Application, Committee, Member, Session


def _session(ctx: Context) -> Session:
    committee = Committee(name="Commission exemple", scheme="Dispositif exemple", quorum=3)
    record = Record(role="sessions", source=Source(Path("planning.xlsx"), "Planning", 5, 1), values={})
    return Session(committee=committee, date=ctx.now().date() + timedelta(days=10), time=time(8, 30),
                   duration_hours=2.0, room="Salle exemple", chair="Présidence", status="prevue",
                   agenda="Examen des dossiers", record=record)


def _member() -> Member:
    return Member(full_name="Prénom NOM", email="membre@exemple.nc", organisation="Organisme", function="Élu(e)")


def _application(session: Session) -> Application:
    return Application(number="2026-0001", last_name="NOM", first_name="Prénom", commune="Nouméa",
                       scheme=session.committee.scheme, aid_kind="Aide", amount_asked=10000, social_worker="Référent",
                       filed_on=date(2026, 1, 5), session_date=session.date, decision="accord",
                       amount_granted=10000, reason="Motif", notes="Observations")


def samples(ctx: Context) -> dict[str, dict[str, Any]]:
    """Template file name -> the data the automation renders it with."""
    session, member = _session(ctx), _member()
    applications = [_application(session)]
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


def check_templates(ctx: Context) -> list[TemplateReport]:
    folder = ctx.config.paths.templates
    return [check_template(folder / name, sample) for name, sample in samples(ctx).items()]
