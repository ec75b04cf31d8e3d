"""The service's own columns in the domain and in every document's data, printed in French."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

from automations.cli import template_samples
from automations.domain.own_fields import own_values, shown
from automations.engine.journal import Journal
from automations.registers.mapping import FieldSpec
from automations.registers.reader import Record, Source
from automations.registers.types import make_type

from ..service_factory import context, make_service


def _spec(type_name: str, choices: dict[str, list[str]] | None = None) -> FieldSpec:
    return FieldSpec(name="x", headers=("X",), type=make_type(type_name, choices))


def test_values_print_as_french_documents_write_them() -> None:
    assert shown(date(2026, 1, 8), _spec("date")) == "8 janvier 2026"
    assert shown(12000, _spec("amount")) == "12 000 F CFP"
    assert shown(time(8, 30), _spec("time")) == "8 h 30"
    assert shown(1500, _spec("integer")) == "1 500"
    assert shown(2.5, _spec("number")) == "2,5"
    assert (shown(True, _spec("bool")), shown(False, _spec("bool"))) == ("oui", "non")
    assert shown("Rivière-Salée", _spec("text")) == "Rivière-Salée"
    assert shown(None, _spec("date")) == ""
    # a choice prints as the service writes it: the first spelling the mapping lists
    urgency = _spec("choice", {"haute": ["Très urgent", "urgent"], "basse": []})
    assert (shown("haute", urgency), shown("basse", urgency)) == ("Très urgent", "basse")


def test_every_declared_own_field_is_there_even_when_the_cell_is_empty() -> None:
    specs = {"quartier": _spec("text"), "rdv": _spec("date")}
    record = Record("applications", Source(Path("r.xlsx"), "Demandes", 2, 1), {"quartier": "Ducos", "rdv": None})
    assert own_values(record, specs) == {"quartier": "Ducos", "rdv": ""}
    assert own_values(None, specs) == {"quartier": "", "rdv": ""}


def test_each_document_finds_own_on_the_objects_it_prints(tmp_path: Path, clock) -> None:
    ctx = context(make_service(tmp_path / "service"), clock)
    own = {role: {f"{role}_col": _spec("text")} for role in
           ("applications", "sessions", "committees", "members", "suppliers")}
    documents = template_samples.samples(ctx, own)
    with Journal(ctx.config.paths.journal) as journal:
        documents.update(template_samples.follow_up_samples(ctx, journal, own))
    for name in ("convocation.docx", "dossier_seance.docx", "compte_rendu.docx"):
        assert documents[name]["session"]["own"] == {"sessions_col": "(sessions_col)"}, name
        assert documents[name]["committee"]["own"] == {"committees_col": "(committees_col)"}, name
    for name in ("convocation.docx", "dossier_seance.docx"):
        assert documents[name]["members"][0]["own"] == {"members_col": "(members_col)"}, name
    for name in ("dossier_seance.docx", "compte_rendu.docx"):
        assert documents[name]["applications"][0]["own"] == {"applications_col": "(applications_col)"}, name
    for name in ("lettre_accord.docx", "lettre_refus.docx", "bon_alimentaire.docx"):
        assert documents[name]["application"]["own"] == {"applications_col": "(applications_col)"}, name
        assert documents[name]["session"]["own"] == {"sessions_col": "(sessions_col)"}, name
    notice = documents["avis_fournisseur.docx"]
    assert notice["rows"][0]["own"] == {"applications_col": "(applications_col)"}
    assert notice["supplier"]["own"] == {"suppliers_col": "(suppliers_col)"}
