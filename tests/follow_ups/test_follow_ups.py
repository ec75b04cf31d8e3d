"""Follow-ups end to end: letters per outcome, supplier notices, vouchers, the outgoing-mail register, corrections."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import docx
import pytest

from automations.cli import commands

from ..conftest import NOUMEA
from ..follow_up_factory import (APPLICATIONS, OUTGOING, application, edit_application, make_follow_up_service,
                                register_rows)
from ..printed import NBSP, xpf
from ..service_factory import context
from ..packs.test_meeting_pack import attachment, outbox, table_rows

FOLDER = Path("documents") / "commission-maintien-dans-le-logement" / "2026-11-13"


def text_of(document: docx.document.Document) -> str:
    paragraphs = [p.text for p in document.paragraphs]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(paragraphs + cells)


def run(config: Path, clock) -> str:
    ctx = context(config, clock)
    commands.run(ctx, "followups")
    return ctx.out.getvalue()  # type: ignore[attr-defined]


@pytest.fixture
def service(tmp_path: Path) -> Path:
    return make_follow_up_service(tmp_path / "service")


def by_number(folder: Path) -> dict[str, dict[str, object]]:
    return {str(r["N° dossier"]): r for r in register_rows(folder)}


def test_letters_per_outcome_mailed_or_filed_and_notified_on_written(service: Path, clock) -> None:
    out = run(service, clock)
    mails = {m["To"].addresses[0].addr_spec: m for m in outbox(service) if "demande d'aide" in m["Subject"]}
    assert sorted(mails) == ["gaelle.waheo@mail.nc", "malia.trolue@mail.nc", "sylvain.tein@mail.nc"]
    accord = docx.Document(io.BytesIO(attachment(mails["gaelle.waheo@mail.nc"], ".docx")))
    text = text_of(accord)
    assert xpf(180000) in text and f"cent quatre-vingt mille francs{NBSP}CFP" in text
    assert "vendredi 13 novembre 2026" in text and "Gaëlle WAHEO" in text and "SIC" in text
    refusal = text_of(docx.Document(io.BytesIO(attachment(mails["malia.trolue@mail.nc"], ".docx"))))
    assert "Ressources supérieures au plafond" in refusal and "tribunal administratif" in refusal
    assert mails["malia.trolue@mail.nc"]["Subject"] == "Votre demande d'aide n° DEL-2026-0303 – décision de la commission"

    letters = service.parent / FOLDER / "Courriers"
    partial = text_of(docx.Document(str(letters / "Décision DEL-2026-0302 (accord partiel).docx")))
    assert xpf(20000) in partial and xpf(45500) in partial and f"vingt mille francs{NBSP}CFP" in partial
    assert "Plafond du dispositif" in partial
    adjourned = text_of(docx.Document(str(letters / "Décision DEL-2026-0304 (ajournement).docx")))
    assert "Pièces manquantes" in adjourned and "ajourner l'examen de votre demande" in adjourned
    assert "Mme Tein" in adjourned
    assert out.count("✓ préparé pour impression : Courrier de décision") == 4
    assert out.count("✓ envoi : Courrier de décision") == 3 and "✓ document : Courrier" not in out
    rows = by_number(service.parent)
    mailed = {n for n, r in rows.items() if r["Courriel"]}
    assert mailed == {"DEL-2026-0301", "DEL-2026-0303", "DEL-2026-0307"}
    # only a mailed letter notified its applicant; one to print says when it was prepared
    assert all(rows[n]["Notifié le"].date() == date(2026, 11, 23) for n in mailed)  # type: ignore[union-attr]
    assert all(rows[n]["Notifié le"] is None and rows[n]["Préparé le"].date() == date(2026, 11, 23)  # type: ignore[union-attr]
               for n in set(rows) - mailed)
    assert all(rows[n]["Préparé le"] is None for n in mailed)

    again = run(service, clock)
    assert "Bilan : 0 envoi, 0 échec, 0 cellule reportée" in again


def test_supplier_notices_list_the_aids_with_the_register_total(service: Path, clock) -> None:
    run(service, clock)
    notices = [m for m in outbox(service) if m["Subject"].startswith("Aides accordées")]
    assert sorted(m["To"].addresses[0].addr_spec for m in notices) == ["contentieux@sic.nc", "recouvrement@eec.nc"]
    sic = next(m for m in notices if m["To"].addresses[0].addr_spec == "contentieux@sic.nc")
    document = docx.Document(io.BytesIO(attachment(sic, ".docx")))
    rows = table_rows(document, "N°")
    register = by_number(service.parent)
    expected = sum(int(r["Montant accordé"]) for r in register.values() if r["Fournisseur"] == "SIC")  # type: ignore[arg-type]
    assert [r[1] for r in rows[1:-1]] == ["DEL-2026-0301", "DEL-2026-0305"]
    assert rows[-1][-2] == xpf(expected) == xpf(300000)
    assert f"trois cent mille francs{NBSP}CFP" in text_of(document)
    # the supplier without an e-mail address gets a notice filed for the post, with the vouchers it honours
    filed = service.parent / FOLDER / "Fournisseurs" / "Avis Casino Johnston 13-11-2026.docx"
    casino = table_rows(docx.Document(str(filed)), "N°")
    assert [(r[1], r[-1]) for r in casino[1:-1]] == [("DEL-2026-0306", "BA-2026-0001"),
                                                      ("DEL-2026-0307", "BA-2026-0002")]


def test_a_supplier_unknown_to_the_register_is_a_finding_and_a_filed_notice(tmp_path: Path, clock) -> None:
    rows = [application("DEL-2026-0401", "WAIA", "Ko", "Premier loyer", 60000, "Accord", 60000,
                        supplier="Promo Sud")]
    config = make_follow_up_service(tmp_path / "s", rows)
    ctx = context(config, clock)
    commands.check(ctx)
    checked = ctx.out.getvalue()  # type: ignore[attr-defined]
    assert ("« Registre des demandes 2026.xlsx », feuille « Demandes », ligne 2, colonne « Fournisseur » "
            "(valeur « Promo Sud ») : fournisseur absent du registre des fournisseurs (1 demande)") in checked
    assert ("« Fournisseurs.xlsx », feuille « Fournisseurs », ligne 4, colonne « Courriel » : fournisseur sans "
            "adresse e-mail (Casino Johnston)") in checked
    out = run(config, clock)
    assert "Avis au fournisseur Promo Sud" in out and "à imprimer et poster" in out
    assert (config.parent / FOLDER / "Fournisseurs" / "Avis Promo Sud 13-11-2026.docx").is_file()
    assert not [m for m in outbox(config) if m["Subject"].startswith("Aides accordées")]


def test_notices_wait_until_every_decision_is_entered(tmp_path: Path, clock) -> None:
    rows = [*APPLICATIONS[:1], application("DEL-2026-0310", "NGUYEN", "Tevita", "Impayés de loyer", 50000, None)]
    config = make_follow_up_service(tmp_path / "s", rows)
    out = run(config, clock)
    assert "1 dossier sans décision ; les avis aux fournisseurs partiront" in out
    assert not [m for m in outbox(config) if m["Subject"].startswith("Aides accordées")]
    assert [m["To"].addresses[0].addr_spec for m in outbox(config)] == ["gaelle.waheo@mail.nc"]


def test_outgoing_register_rows_appended_and_printed_on_the_documents(service: Path, clock) -> None:
    before = register_rows(service.parent, "Courrier départ 2026.xlsx", "Courrier départ")
    run(service, clock)
    after = register_rows(service.parent, "Courrier départ 2026.xlsx", "Courrier départ")
    assert after[:3] == before  # existing rows untouched
    added = after[3:]
    # two vouchers, seven letters, three notices: numbered from where staff stopped, without a gap
    assert [r["N°"] for r in added] == [f"D2026-{n:04d}" for n in range(4, 4 + 12)]
    assert {r["Date"].date() for r in added} == {date(2026, 11, 23)}  # type: ignore[union-attr]
    assert {r["Rédacteur"] for r in added} == {"Secrétariat des commissions"}
    letter = next(r for r in added if "DEL-2026-0301" in str(r["Objet"]))
    assert letter["Destinataire"] == "Gaëlle WAHEO"
    assert letter["Objet"] == "Notification de décision (Accord) – dossier DEL-2026-0301"
    # a letter to print takes its number now (it is printed on it), and its row says it has not left
    filed = next(r for r in added if "DEL-2026-0302" in str(r["Objet"]))
    assert filed["Objet"] == ("Notification de décision (Accord partiel) – dossier DEL-2026-0302 – "
                              "préparé pour impression, pas encore parti")
    mail = next(m for m in outbox(service) if m["To"].addresses[0].addr_spec == "gaelle.waheo@mail.nc")
    assert f"N/Réf.{NBSP}: {letter['N°']}" in text_of(docx.Document(io.BytesIO(attachment(mail, ".docx"))))
    assert OUTGOING[0][1] == before[0]["N°"]


def test_vouchers_numbered_from_the_register_and_written_back(tmp_path: Path, clock) -> None:
    rows = [*APPLICATIONS[5:],
            application("DEL-2026-0290", "XOWIE", "Anne", "Aide alimentaire", 9000, "Accord", 9000,
                        day=date(2026, 10, 1), notified=date(2026, 10, 5), voucher="BA-2026-0007")]
    config = make_follow_up_service(tmp_path / "s", rows)
    run(config, clock)
    register = by_number(config.parent)
    assert [register[n]["Bon n°"] for n in ("DEL-2026-0306", "DEL-2026-0307")] == ["BA-2026-0008", "BA-2026-0009"]
    voucher = text_of(docx.Document(str(config.parent / FOLDER / "Bons" / "Bon BA-2026-0009.docx")))
    assert "BA-2026-0009" in voucher and xpf(18000) in voucher and f"dix-huit mille francs{NBSP}CFP" in voucher
    assert "Sylvain TEIN" in voucher and "Casino Johnston" in voucher and "23 décembre 2026" in voucher
    from automations.follow_ups.vouchers import control_key

    assert f"Clé de contrôle{NBSP}: {control_key('BA-2026-0009', 18000)}" in voucher
    assert control_key("BA-2026-0009", 18000) != control_key("BA-2026-0009", 81000)
    mail = next(m for m in outbox(config) if m["To"].addresses[0].addr_spec == "sylvain.tein@mail.nc")
    assert "BA-2026-0009" in text_of(docx.Document(io.BytesIO(attachment(mail, ".docx"))))


def test_budget_warning_in_plan_and_budget_used_in_run(tmp_path: Path, clock) -> None:
    config = make_follow_up_service(tmp_path / "s", extra='\n[budget.2026]\n"Maintien dans le logement" = 300000\n')
    ctx = context(config, clock)
    commands.plan(ctx, "followups")
    out = ctx.out.getvalue()  # type: ignore[attr-defined]
    granted = sum(int(r[11] or 0) for r in APPLICATIONS if r[10] in ("Accord", "Accord partiel"))
    assert granted == 353000
    assert ("⚑ Pour le responsable : Commission maintien dans le logement, séance du 13/11/2026 : les accords du "
            "dispositif « Maintien dans le logement » (353 000 F CFP) portent l'engagé 2026 à 353 000 F CFP pour "
            "une enveloppe de 300 000 F CFP, soit un dépassement de 53 000 F CFP.") in out
    assert ("· Budget 2026 – Maintien dans le logement : 353 000 F CFP engagés sur 300 000 F CFP (118 %), "
            "dépassement de 53 000 F CFP") in out
    run_out = run(config, clock)
    assert "· Budget 2026 – Maintien dans le logement : 353 000 F CFP engagés" in run_out
    alerts = [m for m in outbox(config) if m["To"].addresses[0].addr_spec == "cheffe@province-sud.nc"]
    assert len(alerts) == 1 and "dépassement de 53 000 F CFP" in alerts[0].get_body().get_content()


def test_no_warning_within_the_envelope(tmp_path: Path, clock) -> None:
    config = make_follow_up_service(tmp_path / "s", extra='\n[budget.2026]\n"Maintien dans le logement" = 400000\n')
    ctx = context(config, clock)
    commands.plan(ctx, "followups")
    out = ctx.out.getvalue()  # type: ignore[attr-defined]
    assert "dépassement" not in out and "353 000 F CFP engagés sur 400 000 F CFP (88 %), reste 47 000 F CFP" in out


def test_a_decision_changed_after_its_letter_is_reported_and_corrected(service: Path, clock) -> None:
    run(service, clock)
    sent = len(outbox(service))
    clock.moment = datetime(2026, 11, 24, 9, 0, tzinfo=NOUMEA)
    edit_application(service.parent, "DEL-2026-0301", **{"Décision": "Accord partiel", "Montant accordé": 150000})
    out = run(service, clock)
    assert ("⚑ Commission maintien dans le logement, séance du 13/11/2026 : décision du dossier DEL-2026-0301 "
            "modifiée après l'envoi du courrier (décision Accord → Accord partiel, montant accordé "
            "180 000 F CFP → 150 000 F CFP) ; un courrier rectificatif est préparé (à vérifier puis envoyer).") in out
    new = outbox(service)[sent:]
    # the applicant is not written to again: only the manager hears of it, and SIC gets a corrected notice to check
    assert [m["To"].addresses[0].addr_spec for m in new] == ["cheffe@province-sud.nc"] * 2
    correction = service.parent / FOLDER / "Courriers" / "Décision DEL-2026-0301 (accord partiel) – rectificatif 1.docx"
    text = text_of(docx.Document(str(correction)))
    assert "RECTIFICATIF" in text and "annule et remplace celui du 23 novembre 2026 (réf. D2026-" in text
    assert xpf(150000) in text
    notice = service.parent / FOLDER / "Fournisseurs" / "Avis SIC 13-11-2026 – rectificatif 1.docx"
    assert xpf(270000) in text_of(docx.Document(str(notice)))
    # the correction waits to be checked and posted: the first letter's notification stands, the new one is prepared
    row = by_number(service.parent)["DEL-2026-0301"]
    assert row["Notifié le"].date() == date(2026, 11, 23) and row["Préparé le"].date() == date(2026, 11, 24)  # type: ignore[union-attr]
    assert "Bilan : 2 envois, 2 documents préparés" in out
    assert "0 action à faire" in _plan(service, clock)


def test_corrections_can_be_mailed(tmp_path: Path, clock) -> None:
    config = make_follow_up_service(tmp_path / "s", extra="mail_corrections = true\n")
    run(config, clock)
    edit_application(config.parent, "DEL-2026-0301", **{"Décision": "Refus", "Montant accordé": None,
                                                "Motif": "Aide déjà perçue"})
    run(config, clock)
    mails = [m for m in outbox(config) if m["To"].addresses[0].addr_spec == "gaelle.waheo@mail.nc"]
    assert [m["Subject"].startswith("Rectificatif – ") for m in mails] == [False, True]
    assert "Aide déjà perçue" in text_of(docx.Document(io.BytesIO(attachment(mails[1], ".docx"))))


def _plan(config: Path, clock) -> str:
    ctx = context(config, clock)
    commands.plan(ctx, "followups")
    return ctx.out.getvalue()  # type: ignore[attr-defined]


def test_an_accord_without_its_amount_waits_for_it(tmp_path: Path, clock) -> None:
    rows = [application("DEL-2026-0701", "WAIA", "Ko", "Premier loyer", 60000, "Accord", None, supplier="SIC")]
    config = make_follow_up_service(tmp_path / "s", rows)
    out = _plan(config, clock)
    assert ("! Commission maintien dans le logement, séance du 13/11/2026 : dossier DEL-2026-0701 (« Accord ») sans "
            "« Montant accordé » ; son courrier attend que le montant soit saisi.") in out
    assert "Suites des commissions : 0 action à faire." in out


def test_old_sessions_hand_notified_and_postponed_examinations(tmp_path: Path, clock) -> None:
    rows = [
        application("DEL-2026-0501", "A", "Un", "Impayés de loyer", 1000, "Accord", 1000, day=date(2026, 9, 1)),
        application("DEL-2026-0502", "B", "Deux", "Impayés de loyer", 1000, "Refus", notified=date(2026, 11, 16)),
        # adjourned in October and notified then, examined again on the 13th: its new decision is due
        application("DEL-2026-0503", "C", "Trois", "Impayés de loyer", 1000, "Accord", 1000,
                    notified=date(2026, 10, 20)),
    ]
    config = make_follow_up_service(tmp_path / "s", rows)
    out = _plan(config, clock)
    assert "Suites des commissions : 1 action à faire." in out
    assert "Courrier de décision (Accord) – dossier DEL-2026-0503" in out


def test_pdfs_of_letters_notices_and_vouchers(tmp_path: Path, clock) -> None:
    config = make_follow_up_service(tmp_path / "s", extra="\n[documents]\npdf = true\n")
    run(config, clock)
    folder = config.parent / FOLDER
    documents = sorted(folder.rglob("*.docx"))
    assert len(documents) == 7 + 3 + 2  # letters, notices, vouchers
    assert all(d.with_suffix(".pdf").is_file() for d in documents)
    mail = next(m for m in outbox(config) if m["To"].addresses[0].addr_spec == "gaelle.waheo@mail.nc")
    assert attachment(mail, ".pdf").startswith(b"%PDF")
    from pypdf import PdfReader

    voucher = PdfReader(str(folder / "Bons" / "Bon BA-2026-0002.pdf"))
    assert f"dix-huit mille francs{NBSP}CFP" in " ".join(page.extract_text() for page in voucher.pages)


def test_an_applicant_s_unusable_address_is_a_finding_and_the_letter_goes_to_print(tmp_path: Path, clock) -> None:
    rows = [application("DEL-2026-0501", "WAMO", "Élodie", "Impayés de loyer", 80000, "Accord", 80000,
                        email="élodie.wamo@mairie.nc"),
            application("DEL-2026-0502", "WAMO", "Jean", "Facture d'eau", 30000, "Refus", reason="Hors plafond",
                        email="jean wamo@mairie.nc")]
    config = make_follow_up_service(tmp_path / "s", rows)
    ctx = context(config, clock)
    commands.check(ctx)
    checked = ctx.out.getvalue()  # type: ignore[attr-defined]
    where = "« Registre des demandes 2026.xlsx », feuille « Demandes »"
    kept = ("la ligne est gardée sans adresse e-mail : rien ne partira par e-mail à cette adresse, les courriers "
            "sont préparés pour l'impression")
    assert (f"⚠ {where}, ligne 2, colonne « Courriel » (valeur « élodie.wamo@mairie.nc ») : adresse e-mail "
            "invalide : accents ou caractères spéciaux avant « @ », que les serveurs de messagerie refusent : "
            f"vérifiez-la auprès de la personne ; {kept}") in checked
    assert (f"⚠ {where}, ligne 3, colonne « Courriel » (valeur « jean wamo@mairie.nc ») : adresse e-mail "
            f"invalide : espace dans l'adresse ; {kept}") in checked
    out = run(config, clock)
    assert "Courrier de décision (Accord) – dossier DEL-2026-0501, à imprimer" in out
    assert "Courrier de décision (Refus) – dossier DEL-2026-0502, à imprimer" in out
    assert "écartée" not in out
    letters = config.parent / FOLDER / "Courriers"
    assert "Élodie WAMO" in text_of(docx.Document(str(letters / "Décision DEL-2026-0501 (accord).docx")))
    assert (letters / "Décision DEL-2026-0502 (refus).docx").is_file()
    assert not [m for m in outbox(config) if "demande d'aide" in m["Subject"]]  # no mail, no encoded word
