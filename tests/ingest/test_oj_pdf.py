import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from corpus.units import ParsedDocument, Unit
from ingest.eu_markdown import read_eu_markdown
from ingest.failures import ReadFailure
from ingest.oj_pdf import read_oj_pdf

MDR = "32017R0745"
PDF = "eu/mdr_32017R0745_en_OJ-L117.pdf"
ROMAN = "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII".split()


@pytest.fixture(scope="module")
def oj(corpus_dir: Path) -> ParsedDocument:
    (parsed,) = list(read_oj_pdf(corpus_dir / PDF, MDR))
    assert isinstance(parsed, ParsedDocument), parsed
    return parsed


@pytest.fixture(scope="module")
def markdown(corpus_dir: Path) -> dict[str, Unit]:
    (parsed,) = list(read_eu_markdown(corpus_dir / "eu/mdr-2017-745"))
    assert isinstance(parsed, ParsedDocument), parsed
    return {u.id: u for u in parsed.units}


def _units(document: ParsedDocument, kind: str) -> list[Unit]:
    return [u for u in document.units if re.fullmatch(rf"{kind}[0-9IVXLC]+", u.id.split("/")[1])]


def normalized(text: str) -> str:
    """Text as both sources should agree on: case, spacing, quote and dash forms, footnote marks "(12)", "(*1)" aside."""
    text = unicodedata.normalize("NFKC", text).replace("\xad", "")
    text = re.sub(r"[‘’‚‛′`´]", "'", text)
    text = re.sub(r"[“”„]", '"', text)
    text = re.sub(r"[‐‑‒–—―−]", "-", text)
    text = re.sub(r"(?:(?<=\s)|^)\(\*?\d*\)", " ", text)
    text = re.sub(r"\s+", " ", text.lower())
    text = re.sub(r"\s+([,.;:)\]])", r"\1", text)
    return re.sub(r"([(\[])\s+", r"\1", text).strip()


def _agreement(pdf_units: list[Unit], markdown: dict[str, Unit], name: str, with_footnotes: bool = False) -> float:
    """Share of units whose normalized text is the same in the PDF and the Markdown; prints where the others part."""
    agree = 0
    for unit in pdf_units:
        ours, theirs = normalized(unit.text), normalized(markdown[unit.id].text)
        # EUR-Lex prints an annex's footnotes at its end, so the Markdown has them in the text.
        if ours == theirs or (with_footnotes and normalized(" ".join((unit.text, *unit.footnotes))) == theirs):
            agree += 1
            continue
        at = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
        print(f"\n  {unit.id} differs at {at} of {len(ours)}/{len(theirs)} chars:"
              f"\n    PDF: …{ours[max(0, at - 50):at + 60]}…\n    MD:  …{theirs[max(0, at - 50):at + 60]}…")
    share = agree / len(pdf_units)
    print(f"\n{name}: {agree}/{len(pdf_units)} agree with the Markdown ({share:.1%})")
    return share


def test_counts_ids_and_order(oj: ParsedDocument) -> None:
    assert oj.info.id == MDR and oj.info.title == "Regulation (EU) 2017/745" and oj.info.language == "en"
    assert oj.warnings == ()
    assert [u.id for u in _units(oj, "rec")] == [f"{MDR}/rec{n}" for n in range(1, 102)]  # the OJ prints 101
    assert [u.id for u in _units(oj, "art")] == [f"{MDR}/art{n}" for n in range(1, 124)]
    assert [u.id for u in _units(oj, "annex")] == [f"{MDR}/annex{r}" for r in ROMAN]
    assert [u.order for u in oj.units] == list(range(101 + 123 + 17))
    assert all(u.paragraphs and u.location.startswith("OJ L 117, p. ") for u in oj.units)


def test_location_is_the_printed_oj_page(oj: ParsedDocument, corpus_dir: Path) -> None:
    units = {u.id: u for u in oj.units}
    assert units[f"{MDR}/art2"].location == "OJ L 117, p. 15"
    assert units[f"{MDR}/rec1"].location == "OJ L 117, p. 1"
    assert units[f"{MDR}/art1"].location == "OJ L 117, p. 13"
    assert units[f"{MDR}/annexI"].location == "OJ L 117, p. 94"
    assert units[f"{MDR}/annexXVII"].location == "OJ L 117, p. 174"
    # Checked against the PDF itself: "Article 2" is printed on the page whose running head says "L 117/15".
    page = PdfReader(corpus_dir / PDF).pages[14].extract_text()
    assert "L 117/15" in page and re.search(r"^Article 2\s*$", page, re.M)
    assert not re.search(r"^Article 2\s*$", PdfReader(corpus_dir / PDF).pages[13].extract_text(), re.M)


def test_article_title_heading_paragraphs(oj: ParsedDocument) -> None:
    units = {u.id: u for u in oj.units}
    art2 = units[f"{MDR}/art2"]
    assert (art2.label, art2.title) == ("art. 2", "Definitions")
    assert art2.heading == "CHAPTER I – SCOPE AND DEFINITIONS"
    assert art2.url == f"https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:{MDR}#art_2"
    assert "‘medical device’ means" in art2.text
    assert art2.paragraphs[:2] == (
        "For the purposes of this Regulation, the following definitions apply:",
        "(1) ‘medical device’ means any instrument, apparatus, appliance, software, implant, reagent, material or "
        "other article intended by the manufacturer to be used, alone or in combination, for human beings for one "
        "or more of the following specific medical purposes:",
    )
    assert units[f"{MDR}/art51"].heading == (
        "CHAPTER V – CLASSIFICATION AND CONFORMITY ASSESSMENT > SECTION 1 – Classification"
    )
    assert units[f"{MDR}/annexXVI"].title == (
        "LIST OF GROUPS OF PRODUCTS WITHOUT AN INTENDED MEDICAL PURPOSE REFERRED TO IN ARTICLE 1(2)"
    )
    assert units[f"{MDR}/annexXVI"].url.endswith(f"CELEX:{MDR}#anx_XVI")
    assert units[f"{MDR}/rec19"].url.endswith(f"CELEX:{MDR}#rct_19")
    # The closing formula and the signatures after art. 123 are not part of it.
    assert units[f"{MDR}/art123"].paragraphs[-1] == "(i) Article 120(12) shall apply from 26 May 2019."


def test_running_heads_hyphenation_and_footnotes(oj: ParsedDocument) -> None:
    units = {u.id: u for u in oj.units}
    everything = "\n".join(u.text for u in oj.units)
    assert not re.search(r"L 117/\d|Official Journal of the European Union EN|^5\.5\.2017", everything, re.M)
    assert "\xad" not in everything
    art2 = units[f"{MDR}/art2"].text
    assert "under that person's responsibility" in art2 and "unintentional non-compliance" in art2  # soft hyphens
    assert "intended to be inter-connected" in art2  # a hard hyphen at a line end is kept
    recital1 = units[f"{MDR}/rec1"]
    assert recital1.paragraphs[0].startswith("Council Directive 90/385/EEC and Council Directive 93/42/EEC constitute")
    assert recital1.footnotes[0].startswith("Council Directive 90/385/EEC of 20 June 1990")
    art1 = units[f"{MDR}/art1"]
    assert any("Directive 2006/42/EC" in note and "(OJ L 157, 9.6.2006, p. 24)" in note for note in art1.footnotes)
    assert "OJ L 157" not in art1.text and "European Parliament and of the Council shall, where a hazard" in art1.text
    art117 = units[f"{MDR}/art117"]  # the note quoted with the amendment of Directive 2001/83/EC
    assert art117.footnotes[0].startswith("(*) Regulation (EU) 2017/745") and "(OJ L 117" not in art117.text
    assert sum(len(u.footnotes) for u in oj.units) == 42


def test_titles_agree_with_markdown(oj: ParsedDocument, markdown: dict[str, Unit]) -> None:
    for unit in _units(oj, "art"):
        assert unit.title == markdown[unit.id].title, unit.id
    for unit in _units(oj, "annex"):
        assert unit.title.lower() == markdown[unit.id].title.lower() or unit.id == f"{MDR}/annexVI", unit.id


def test_text_agrees_with_markdown(oj: ParsedDocument, markdown: dict[str, Unit]) -> None:
    articles = _agreement(_units(oj, "art"), markdown, "articles")
    recitals = _agreement(_units(oj, "rec"), markdown, "recitals")
    annexes = _agreement(_units(oj, "annex"), markdown, "annexes", with_footnotes=True)
    assert articles >= 0.95
    assert recitals >= 0.95
    assert annexes >= 0.9


def test_faults_are_read_failures(corpus_dir: Path, tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(tmp_path / "blank.pdf")
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "page.pdf").write_bytes(b"<html><body>not a pdf</body></html>")
    data = (corpus_dir / PDF).read_bytes()
    (tmp_path / "truncated.pdf").write_bytes(data[: len(data) // 2])
    (tmp_path / "garbled.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n")
    cases = {
        "blank.pdf": "no text layer",
        "empty.pdf": "empty",
        "page.pdf": "not a PDF",
        "truncated.pdf": "truncated",
        "garbled.pdf": "unreadable PDF",
        "missing.pdf": "unreadable",
    }
    for name, reason in cases.items():
        (failure,) = list(read_oj_pdf(tmp_path / name, MDR))
        assert isinstance(failure, ReadFailure) and reason in failure.reason, (name, failure)
        assert failure.origin == str(tmp_path / name) and "\n" not in failure.reason
    (folder,) = list(read_oj_pdf(tmp_path, MDR))
    assert isinstance(folder, ReadFailure) and "unreadable" in folder.reason
