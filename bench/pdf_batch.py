"""Meeting packs of 10 sessions × 40 applications: built, then converted to PDF in one LibreOffice run
against one LibreOffice run per document.

    python bench/pdf_batch.py

The packs are the real ones: planned by ``meeting_pack.plan`` and rendered
from the shipped ``dossier_seance.docx`` in a demo service folder. The naive
conversion (one ``convert_to_pdf`` call, hence one LibreOffice start, per
document) is measured in the same run. Needs LibreOffice and pypdf (test extra).
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from datetime import datetime, time as time_of_day, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from automations import meeting_pack  # noqa: E402
from automations.context import Context  # noqa: E402
from automations.demo.service import set_up  # noqa: E402
from automations.documents.pdf import convert_to_pdf, find_libreoffice  # noqa: E402
from automations.registers.reader import Record, Source  # noqa: E402
from automations.service import Application, Committee, Member, Service, Session  # noqa: E402
from automations.settings import load_config  # noqa: E402
from automations.transports import settings_checks  # noqa: E402

SESSIONS, APPLICATIONS = 10, 40
AIDS = ["Impayés de loyer", "Facture d'électricité", "Dépôt de garantie", "Équipement mobilier", "Dette locative"]
NOW = datetime(2026, 11, 23, 7, 30, tzinfo=ZoneInfo("Pacific/Noumea"))


def _service() -> Service:
    committee = Committee(name="Commission maintien dans le logement", scheme="Maintien dans le logement",
                          usual_room="Salle Kaori", pack_days=30)
    service = Service(members=[Member(full_name=f"Membre {n}", email=f"membre{n}@province-sud.nc",
                                      organisation="Province Sud") for n in range(6)])
    for s in range(SESSIONS):
        day = NOW.date() + timedelta(days=2 + s)
        record = Record(role="sessions", source=Source(Path("planning.xlsx"), "Planning", 5 + s, 4), values={})
        service.sessions.append(Session(committee=committee, date=day, time=time_of_day(8, 30), duration_hours=2,
                                        room="Salle Kaori", chair="Mme la présidente", status="prevue",
                                        agenda="Examen des dossiers; Point sur l'enveloppe budgétaire", record=record))
        service.applications += [
            Application(number=f"DEL-2026-{s:02d}{n:02d}", last_name="WÉNÉHOUA", first_name="Hélène",
                        commune="Nouméa", scheme=committee.scheme, aid_kind=AIDS[n % len(AIDS)],
                        amount_asked=12_500 * (n + 1), social_worker="Mme Tein", filed_on=day - timedelta(days=30),
                        session_date=day, notes="Ménage en difficulté passagère après une perte d'emploi.")
            for n in range(APPLICATIONS)]
    return service


def make_documents(folder: Path) -> tuple[list[Path], float]:
    """The packs of the sessions, rendered by the automation; returns them and the time it took."""
    set_up(folder, NOW.date())
    ctx = Context(config=load_config(folder / "config.toml", backends=settings_checks()), clock=lambda: NOW,
                  out=io.StringIO())
    start = time.perf_counter()
    plan = meeting_pack.plan(_service(), {}, NOW)
    documents = [path for action in plan.actions for path in meeting_pack.document(ctx, action, fresh=True)]
    return documents, time.perf_counter() - start


def main() -> None:
    if find_libreoffice() is None:
        sys.exit("LibreOffice est introuvable : banc d'essai impossible.")
    with tempfile.TemporaryDirectory() as tmp:
        documents, built = make_documents(Path(tmp) / "service")
        convert_to_pdf(documents[:1])  # warm-up: disk cache, fonts
        start = time.perf_counter()
        pdfs = convert_to_pdf(documents)
        batch = time.perf_counter() - start
        start = time.perf_counter()
        for document in documents:
            convert_to_pdf([document])
        naive = time.perf_counter() - start
        pages = len(PdfReader(pdfs[documents[0]]).pages)
    print(f"{len(documents)} dossiers de séance de {APPLICATIONS} demandes ({pages} pages par PDF) :")
    print(f"  construction des documents Word    : {built:6.1f} s")
    print(f"  un seul LibreOffice pour le lot     : {batch:6.1f} s")
    print(f"  un LibreOffice par document (naïf)  : {naive:6.1f} s")
    print(f"  rapport                             : {naive / batch:6.1f}x")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
