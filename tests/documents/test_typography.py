"""Documents as a secretary prints them: amounts and dossier numbers never split across lines, French
no-break spaces, table headers with whole words, checked on the demo's real PDFs made by LibreOffice."""

from __future__ import annotations

import email
import email.policy
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.shared import Length
from docx.table import Table

from automations.documents.typography import typeset, typeset_template, typeset_values

from ..conftest import PROJECT, DemoRun
from ..printed import NBSP, NNBSP, xpf

NUMBER = re.compile(r"\b[A-Z]{1,4}-?\d{4}-\d{4}\b")  # DEL-2026-0027, BA-2026-0001, D2026-0048
AMOUNT = re.compile(r"(?<![\d,.])\d{1,3}(?:[ \u00a0\u202f]\d{3})*[ \u00a0\u202f]F[ \u00a0\u202f]CFP")
LOOSE_SPACE = re.compile(r"(?<=\S) [:;!?»]|« |\bn° ")  # an ordinary space where a no-break one belongs
KINDS = ("Convocation", "Dossier de séance", "Compte rendu", "Décision", "Avis", "Bon", "Accusé de réception")


@dataclass(frozen=True)
class Printed:
    """A document of the demo: its Word text and the text of its PDF, laid out as printed."""

    docx: Path
    document: DocumentObject
    text: str  # Word: paragraphs, table cells, footers
    pdf: str  # pdftotext -layout

    @property
    def kind(self) -> str:
        return next(kind for kind in KINDS if self.docx.name.startswith(kind))


@pytest.fixture(scope="module")
def demo(demo_run: DemoRun) -> Path:
    return demo_run.folder  # the demo run on 23 November 2026 at 7:30, which these tests only read


@pytest.fixture(scope="module")
def printed(demo: Path) -> list[Printed]:
    documents = []
    for path in sorted((demo / "documents").rglob("*.docx")):
        document = docx.Document(str(path))
        layout = subprocess.run(["pdftotext", "-layout", str(path.with_suffix(".pdf")), "-"], capture_output=True,
                                text=True, check=True).stdout
        documents.append(Printed(path, document, word_text(document), layout))
    assert {d.kind for d in documents} == set(KINDS)
    return documents


def word_text(document: DocumentObject) -> str:
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines += list({id(cell._tc): cell.text for cell in row.cells}.values())  # a merged cell once
    lines += [p.text for section in document.sections for p in section.footer.paragraphs]
    return "\n".join(lines)


def spaced(text: str) -> str:
    """Every kind of space as an ordinary one, as a reader of the page sees it."""
    return text.replace(NBSP, " ").replace(NNBSP, " ")


def one(printed: list[Printed], kind: str, committee: str = "commission-maintien-dans-le-logement") -> Printed:
    return next(d for d in printed if d.kind == kind and f"/{committee}/" in d.docx.as_posix())


def test_no_dossier_number_or_amount_is_split_across_lines_in_the_pdfs(printed: list[Printed]) -> None:
    # each number and amount of the Word document is found whole on one line of its PDF
    checked = Counter()
    for document in printed:
        pdf = spaced(document.pdf)
        for pattern in (NUMBER, AMOUNT):
            wanted = Counter(spaced(found) for found in pattern.findall(document.text))
            split = wanted - Counter(pattern.findall(pdf))
            assert not split, (document.docx.name, dict(split))
            checked[document.kind] += sum(wanted.values())
    assert all(checked[kind] for kind in KINDS if kind != "Convocation"), checked  # a convocation has neither
    minutes = spaced(one(printed, "Compte rendu").pdf)
    assert re.search(r"DEL-2026-0008 .* 402 000 F CFP .* 201 000 F CFP", minutes)
    assert re.search(r"Total : 10 dossiers +2 720 000 F CFP +1 937 000 F CFP", minutes)


def headed(document: DocumentObject) -> list[Table]:
    """The tables whose first row is a header, repeated on each page."""
    return [t for t in document.tables
            if t._tbl.tr_lst[0].trPr is not None and t._tbl.tr_lst[0].trPr.find(qn("w:tblHeader")) is not None]


def header_words(table: Table) -> list[str]:
    return [word for cell in table.rows[0].cells for word in spaced(cell.text).split()]


def header_lines(pdf: str, words: list[str]) -> list[str]:
    """The lines of the PDF where a table's header row is printed: from the line opening with its first word
    and holding the first word of its last column, and the next two (a header wraps at most twice)."""
    lines = spaced(pdf).splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == words[:1] and words[-1] in line.split())
    return lines[start:start + 3]


@pytest.mark.parametrize(("kind", "tables"), [("Compte rendu", 2), ("Avis", 1), ("Dossier de séance", 3)])
def test_table_headers_are_printed_with_whole_words(printed: list[Printed], kind: str, tables: int) -> None:
    documents = [d for d in printed if d.kind == kind]
    assert documents
    for document in documents:
        assert len(headed(document.document)) == tables
        for table in headed(document.document):
            words = header_words(table)
            printed_words = " ".join(header_lines(document.pdf, [words[0], table.rows[0].cells[-1].text.split()[0]]))
            assert all(word in printed_words.split() for word in words), (document.docx.name, words, printed_words)


def test_the_minutes_decisions_header_reads_whole(printed: list[Printed]) -> None:
    minutes = one(printed, "Compte rendu")
    first, second, _ = header_lines(minutes.pdf, ["N°", "Motif"])
    assert first.split() == ["N°", "Demandeur", "Dispositif", "Aide", "Montant", "Décision", "Montant", "Motif"]
    assert second.split() == ["demandé", "accordé"]


def test_every_document_carries_the_no_break_spaces(printed: list[Printed]) -> None:
    for document in printed:
        assert not LOOSE_SPACE.search(document.text), (document.docx.name, LOOSE_SPACE.findall(document.text))
        for amount in AMOUNT.findall(document.text):
            assert re.fullmatch(rf"\d{{1,3}}(?:{NNBSP}\d{{3}})*{NBSP}F{NBSP}CFP", amount), (document.docx.name, amount)
    letter = next(d for d in printed if d.kind == "Décision" and "(accord)" in d.docx.name)
    assert f"Objet{NBSP}: Votre demande d'aide" in letter.text
    assert f"N/Réf.{NBSP}: D2026-" in letter.text and f"Dossier n°{NBSP}DEL-2026-" in letter.text
    assert re.search(rf"aide «{NBSP}[^»]+{NBSP}» d'un montant de \d{{2,3}}{NNBSP}000{NBSP}F{NBSP}CFP", letter.text)
    convocation = one(printed, "Convocation")
    assert re.search(rf"de \d{{1,2}}{NBSP}h({NBSP}\d\d)? à \d{{1,2}}{NBSP}h", convocation.text)
    notice = one(printed, "Avis")
    assert re.search(rf"montant total de [\d{NNBSP}]+{NBSP}F{NBSP}CFP \([a-z -]+ francs{NBSP}CFP\)", notice.text)
    voucher = one(printed, "Bon", "commission-insertion-logement-emploi")
    assert f"BON ALIMENTAIRE N°{NBSP}BA-2026-0001" in voucher.text and f"Clé de contrôle{NBSP}: " in voucher.text
    pack = one(printed, "Dossier de séance")
    assert f"Total{NBSP}: 6 dossiers" in pack.text and xpf(1341000) in pack.text


def test_mails_keep_ordinary_spaces(demo: Path) -> None:
    # staff search their mailbox with the space they type; a mail client wraps lines itself
    mails = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
             for p in sorted((demo / "boite-d-envoi").glob("*/*.eml"))]
    pack = next(m for m in mails if m["Subject"].startswith("Dossier de séance – Commission maintien"))
    body = pack.get_body(("plain",)).get_content()
    assert "du vendredi 27 novembre 2026 : ordre du jour" in body
    assert NBSP not in body + pack["Subject"] and NNBSP not in body + pack["Subject"]


@pytest.mark.parametrize("name", ["compte_rendu.docx", "avis_fournisseur.docx", "dossier_seance.docx"])
def test_tables_of_the_shipped_templates_fit_an_a4_portrait_page(name: str) -> None:
    document = docx.Document(str(PROJECT / "templates" / name))
    section = document.sections[0]
    assert section.page_width < section.page_height  # portrait
    text_width = section.page_width - section.left_margin - section.right_margin
    for table in document.tables:
        grid = [Length(int(col.get(qn("w:w"))) * 635) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert sum(grid) <= text_width + Length(635 * 20), (name, [round(g.cm, 2) for g in grid])


def test_a_table_row_is_never_cut_by_a_page_break(printed: list[Printed]) -> None:
    tables = [table for d in printed if d.kind in ("Compte rendu", "Avis", "Dossier de séance")
              for table in headed(d.document)]
    assert len(tables) > 10
    for table in tables:
        assert all(tr.trPr is not None and tr.trPr.find(qn("w:cantSplit")) is not None for tr in table._tbl.tr_lst)


@pytest.mark.parametrize(("text", "expected"), [
    ("125 000 F CFP", f"125{NNBSP}000{NBSP}F{NBSP}CFP"),
    ("Total 2 720 000 F CFP, refus 0 F CFP", f"Total 2{NNBSP}720{NNBSP}000{NBSP}F{NBSP}CFP, refus 0{NBSP}F{NBSP}CFP"),
    ("dix-sept mille francs CFP", f"dix-sept mille francs{NBSP}CFP"),
    ("Objet : Convocation ; lire ! Vraiment ?", f"Objet{NBSP}: Convocation{NNBSP}; lire{NNBSP}! Vraiment{NNBSP}?"),
    ("une aide « Loyers »", f"une aide «{NBSP}Loyers{NBSP}»"),
    ("Dossier n° DEL-2026-0027", f"Dossier n°{NBSP}DEL-2026-0027"),
    ("de 8 h 30 à 10 h", f"de 8{NBSP}h{NBSP}30 à 10{NBSP}h"),
    # left as written: no space before the colon, a word after « h », a number without « F CFP »
    ("https://exemple.nc:8443 à 10:30", "https://exemple.nc:8443 à 10:30"),
    ("12 heures, 98800 Nouméa, BP 123", "12 heures, 98800 Nouméa, BP 123"),
])
def test_typeset(text: str, expected: str) -> None:
    assert typeset(text) == expected
    assert typeset(expected) == expected  # typesetting twice changes nothing


def test_typeset_template_keeps_the_tags_as_written() -> None:
    text = "Objet : aide « {{ a.aid_kind }} » de {{ a.amount }} ; {% if x == 'a : b' %}n° {{ n }}{% endif %}"
    assert typeset_template(text) == (f"Objet{NBSP}: aide «{NBSP}{{{{ a.aid_kind }}}}{NBSP}» de {{{{ a.amount }}}}"
                                      f"{NNBSP}; {{% if x == 'a : b' %}}n°{NBSP}{{{{ n }}}}{{% endif %}}")


def test_typeset_values_reach_every_text_of_a_context() -> None:
    context = {"total": "48 500 F CFP", "count": 3, "rows": [{"amount": "6 500 F CFP"}], "pair": ("a : b", None)}
    assert typeset_values(context) == {"total": xpf(48500), "count": 3, "rows": [{"amount": xpf(6500)}],
                                       "pair": (f"a{NBSP}: b", None)}
