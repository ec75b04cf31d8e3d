"""Bad mail is registered all the same: a row with a clear note, dangerous files kept off the disk."""

from __future__ import annotations

import base64
from pathlib import Path

from .mails import drop, mail
from .service import files_under, registered, run, service

INBOX = "boite-de-reception"


def filed(folder: Path, number: str) -> list[str]:
    return files_under(folder / "documents" / "Courrier arrivé" / number)


def test_a_huge_attachment_is_recorded_not_saved(tmp_path: Path) -> None:
    config = service(tmp_path, "max_attachment_mb = 1\n")
    drop(tmp_path / INBOX, "gros.eml", mail("<gros@cafat.nc>", attachments=[
        ("releve.pdf", b"%PDF petit"), ("scan-complet.pdf", b"x" * 3_000_000)]), 1_000)

    out = run(config)

    [row] = registered(tmp_path)
    assert row["N° d'enregistrement"] == "A2026-0009"
    assert row["Pièces jointes"] == ("releve.pdf ; scan-complet.pdf (non enregistrée : trop lourde (3 Mo, "
                                     "au-delà de 1 Mo))")
    assert filed(tmp_path, "A2026-0009") == ["releve.pdf"]
    assert "pièce jointe « scan-complet.pdf » non enregistrée : trop lourde (3 Mo, au-delà de 1 Mo)" in out
    assert files_under(tmp_path / INBOX) == ["enregistrés/A2026-0009 gros.eml"]


def test_dangerous_names_are_made_safe_and_programs_are_not_saved(tmp_path: Path) -> None:
    config = service(tmp_path)
    drop(tmp_path / INBOX, "noms.eml", mail("<noms@exemple.nc>", attachments=[
        ("../../etc/passwd", b"root:x:0:0"), ("CON.txt", b"console"), ("facture\u202efdp.exe", b"MZ\x90\x00"),
        ("outil.exe", b"MZ"), ("facture.pdf.exe", b"MZ"), ("..\\..\\boot.ini", b"[boot]")]), 1_000)

    run(config)

    [row] = registered(tmp_path)
    assert row["Pièces jointes"] == (
        "etc-passwd ; _CON.txt ; boot.ini ; facturefdp.exe (non enregistrée : programme, possible virus) ; "
        "outil.exe (non enregistrée : programme, possible virus) ; "
        "facture.pdf.exe (non enregistrée : programme, possible virus)")
    assert filed(tmp_path, "A2026-0009") == ["_CON.txt", "boot.ini", "etc-passwd"]
    assert (tmp_path / "documents" / "Courrier arrivé" / "A2026-0009" / "etc-passwd").read_bytes() == b"root:x:0:0"
    # nothing written anywhere else: no « passwd », no program, under the service's folder or above it
    everything = files_under(tmp_path)
    assert not [p for p in everything if "passwd" in p and "A2026-0009" not in p]
    assert not [p for p in everything if p.endswith(".exe")]
    assert not (tmp_path.parent / "etc").exists() and not (tmp_path / "etc").exists()


BROKEN_BOUNDARY = (b"From: CAFAT <contact@cafat.nc>\r\nSubject: Pieces du dossier\r\n"
                   b"Message-ID: <casse@cafat.nc>\r\nMIME-Version: 1.0\r\n"
                   b"Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n\r\n"
                   b"--ABC\r\nContent-Type: text/plain\r\n\r\nbonjour\r\n")
BAD_BASE64 = (b"From: Mairie <mairie@we.nc>\r\nSubject: Arrete\r\nMessage-ID: <b64@we.nc>\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nvoir PJ\r\n"
              b"--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"arrete.pdf\"\r\n"
              b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(b"%PDF-1.4 arrete")[:-3] + b"!!\r\n--B--\r\n")
EIGHT_BIT = ("From: Société Néo-Calédonienne <contact@snc.nc>\r\nSubject: Réclamation électricité\r\n"
             "Message-ID: <8bit@snc.nc>\r\n\r\nCorps en clair.\r\n").encode("latin-1")


def test_malformed_mime_is_still_registered_with_a_note(tmp_path: Path) -> None:
    config = service(tmp_path)
    drop(tmp_path / INBOX, "1.eml", BROKEN_BOUNDARY, 1_000)
    drop(tmp_path / INBOX, "2.eml", BAD_BASE64, 2_000)
    drop(tmp_path / INBOX, "3.eml", EIGHT_BIT, 3_000)

    run(config)

    rows = registered(tmp_path)
    assert [(r["N° d'enregistrement"], r["Expéditeur"]) for r in rows] == [
        ("A2026-0009", "CAFAT <contact@cafat.nc>"), ("A2026-0010", "Mairie <mairie@we.nc>"),
        ("A2026-0011", "Société Néo-Calédonienne <contact@snc.nc>")]
    assert "délimiteur de pièces jointes introuvable" in str(rows[0]["Remarques"])
    assert "pièce jointe mal encodée (base64)" in str(rows[1]["Remarques"])
    assert rows[1]["Pièces jointes"] == "arrete.pdf"  # what could be decoded is kept for staff
    assert (rows[2]["Expéditeur"], rows[2]["Objet"]) == ("Société Néo-Calédonienne <contact@snc.nc>",
                                                         "Réclamation électricité")
    assert rows[2]["Remarques"] == ("en-tête « From » non encodé : lu en Windows-1252 ; "
                                    "en-tête « Subject » non encodé : lu en Windows-1252")
    assert files_under(tmp_path / INBOX) == ["enregistrés/A2026-0009 1.eml", "enregistrés/A2026-0010 2.eml",
                                             "enregistrés/A2026-0011 3.eml"]


def test_a_mail_without_sender_or_message_id_is_registered_once(tmp_path: Path) -> None:
    config = service(tmp_path)
    raw = mail(None, sender=None, subject="Courrier anonyme")
    drop(tmp_path / INBOX, "anonyme.eml", raw, 1_000)

    run(config)
    drop(tmp_path / INBOX, "anonyme-encore.eml", raw, 2_000)  # the same bytes dropped again
    again = run(config, minute=5)

    [row] = registered(tmp_path)
    assert row["Expéditeur"] == "expéditeur inconnu"
    assert row["Remarques"] == ("expéditeur absent du message ; message sans identifiant (Message-ID) : "
                                "reconnu par son contenu")
    assert "un courrier déjà enregistré sous A2026-0009 était encore à marquer : c'est fait" in again
    assert files_under(tmp_path / INBOX) == ["enregistrés/A2026-0009 anonyme-encore.eml",
                                             "enregistrés/A2026-0009 anonyme.eml"]


def test_a_duplicate_message_id_gives_no_second_row(tmp_path: Path) -> None:
    config = service(tmp_path)
    drop(tmp_path / INBOX, "original.eml", mail("<meme@cafat.nc>", subject="Attestation"), 1_000)
    drop(tmp_path / INBOX, "copie.eml", mail("<meme@CAFAT.NC> ", subject="Attestation (copie)"), 2_000)

    out = run(config)

    [row] = registered(tmp_path)
    assert (row["N° d'enregistrement"], row["Objet"]) == ("A2026-0009", "Attestation")
    assert "déjà enregistré sous A2026-0009 (même identifiant de message)" in out
    assert "Bilan : 0 envoi, 1 courrier enregistré" in out
    assert files_under(tmp_path / INBOX) == ["enregistrés/A2026-0009 copie.eml", "enregistrés/A2026-0009 original.eml"]
