"""The demo's received mail: three messages dropped in its inbox folder, one with a document attached."""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

INBOX = "boite-de-reception"

# a one-page PDF, written out by hand: the demo needs no PDF library to carry one
_PDF = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R
/Resources << /Font << /F1 5 0 R >> >> >> endobj
4 0 obj << /Length 62 >> stream
BT /F1 14 Tf 72 770 Td (Attestation de droits CAFAT 2026) Tj ET
endstream endobj
5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""

_MAILS = (
    ("cafat", "CAFAT – Service des prestations <prestations@cafat.nc>", "Attestation de droits – dossier en cours",
     "Madame, Monsieur,\nveuillez trouver ci-joint l'attestation demandée.\nCordialement,\nLa CAFAT\n",
     ("attestation-droits.pdf", _PDF)),
    ("mairie", "Mairie de Nouméa – CCAS <ccas@ville-noumea.nc>", "Demande de renseignements sur un dossier commun",
     "Bonjour,\npourriez-vous nous dire où en est le dossier transmis le mois dernier ?\nMerci.\n", None),
    ("opt", "OPT-NC <relation.client@opt.nc>", "Échéancier de paiement accordé",
     "Bonjour,\nl'échéancier proposé pour le foyer suivi par vos services est accepté.\n", None),
)


def drop_demo_mails(folder: Path, today: date, zone: str = "Pacific/Noumea") -> list[Path]:
    """Write the demo's three mails into ``folder`` (its inbox), received over the last three days."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, (tag, sender, subject, body, attached) in enumerate(_MAILS):
        received = datetime.combine(today - timedelta(days=3 - n), time(8 + 2 * n, 15), ZoneInfo(zone))
        message = EmailMessage()
        message["From"] = sender
        message["To"] = "commissions@province-sud.nc"
        message["Subject"] = subject
        message["Date"] = format_datetime(received)
        message["Message-ID"] = f"<demo-{tag}-{today:%Y%m%d}@exemple.nc>"
        message.set_content(body)
        if attached is not None:
            message.add_attachment(attached[1], maintype="application", subtype="pdf", filename=attached[0])
        path = folder / f"{n + 1:02d}-{tag}.eml"
        path.write_bytes(message.as_bytes())
        stamp = received.timestamp()
        os.utime(path, (stamp, stamp))  # oldest first, as a mailbox gives them
        paths.append(path)
    return paths
