import json
import re
from pathlib import Path

import pytest

from corpus.units import ParsedDocument, Unit
from ingest.eu_json import read_eu_json
from ingest.failures import ReadFailure

EHDS = "eu/ehds_32025R0327_en.json"
PLD = "eu/pld_32024L2853_en.json"


def _one(path: Path) -> ParsedDocument:
    (parsed,) = list(read_eu_json(path))
    assert isinstance(parsed, ParsedDocument), parsed
    return parsed


def _units(document: ParsedDocument) -> dict[str, Unit]:
    return {unit.id: unit for unit in document.units}


@pytest.fixture(scope="module")
def ehds(corpus_dir: Path) -> ParsedDocument:
    return _one(corpus_dir / EHDS)


@pytest.fixture(scope="module")
def pld(corpus_dir: Path) -> ParsedDocument:
    return _one(corpus_dir / PLD)


def test_document_metadata(ehds: ParsedDocument, pld: ParsedDocument) -> None:
    assert (ehds.info.id, ehds.info.title, ehds.info.language) == ("32025R0327", "European Health Data Space Regulation", "en")
    assert ehds.info.short_title == "EHDS" and ehds.info.in_force == "2025-03-26"
    assert (pld.info.id, pld.info.title) == ("32024L2853", "Product Liability Directive")


@pytest.mark.parametrize(
    ("name", "articles", "listed_recitals", "recitals", "annexes"),
    [(EHDS, 105, 116, 115, 4), (PLD, 24, 65, 64, 0)],
)
def test_counts(corpus_dir: Path, name: str, articles: int, listed_recitals: int, recitals: int, annexes: int) -> None:
    document = _one(corpus_dir / name)
    celex = document.info.id
    # The file lists its last recital twice (same text), so there is one recital fewer than entries.
    assert len(json.loads((corpus_dir / name).read_text())["recitals"]) == listed_recitals
    assert any(f"recital {recitals} is listed twice (identical)" in w for w in document.warnings)
    ids = [unit.id for unit in document.units]
    assert len(ids) == len(set(ids))
    assert ids[:recitals] == [f"{celex}/rec{n}" for n in range(1, recitals + 1)]
    assert ids[recitals : recitals + articles] == [f"{celex}/art{n}" for n in range(1, articles + 1)]
    assert len(ids) == recitals + articles + annexes
    assert [unit.order for unit in document.units] == list(range(len(ids)))


def test_labels_and_urls(ehds: ParsedDocument) -> None:
    units = _units(ehds)
    article, recital = units["32025R0327/art1"], units["32025R0327/rec1"]
    assert (article.label, article.title) == ("art. 1", "Subject matter and scope")
    assert article.url == "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32025R0327#art_1"
    assert (recital.label, recital.title) == ("recital 1", "")
    assert recital.url == "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32025R0327#rct_1"
    assert all(unit.document_id == "32025R0327" and unit.whole for unit in ehds.units)


def test_numbered_paragraphs_keep_their_points(ehds: ParsedDocument) -> None:
    article = _units(ehds)["32025R0327/art1"]
    assert len(article.paragraphs) == 9
    assert [p.split(" ", 1)[0] for p in article.paragraphs] == [f"{n}." for n in range(1, 10)]
    second = article.paragraphs[1].split("\n")
    assert second[0] == "2. This Regulation:"
    assert second[1].startswith("(a) specifies and complements the rights laid down in Regulation (EU) 2016/679")
    assert [line[:3] for line in second[1:]] == ["(a)", "(b)", "(c)", "(d)", "(e)", "(f)"]


def test_no_marker_is_left_alone_and_no_break_spaces_are_gone(ehds: ParsedDocument, pld: ParsedDocument) -> None:
    for unit in (*ehds.units, *pld.units):
        assert "\u00a0" not in unit.text + unit.title, unit.id
        lines = unit.text.split("\n")
        assert not [line for line in lines if re.fullmatch(r"\(\w{1,5}\)|—", line)], unit.id
        assert not [line for line in lines if "  " in line], unit.id


def test_articles_without_a_title_field_take_it_from_their_text(ehds: ParsedDocument) -> None:
    units = _units(ehds)
    storage, transfer = units["32025R0327/art87"], units["32025R0327/art90"]
    assert storage.title == "Storage of personal electronic health data by health data access bodies and secure processing environments"
    assert storage.paragraphs[0].startswith("1. Health data access bodies, trusted health data holders")
    assert transfer.title.startswith("Additional conditions for transfer of personal electronic health data to a third country")
    assert transfer.paragraphs[0].startswith("Transfer of personal electronic health data to a third country")
    assert all(unit.title for unit in ehds.units if "/art" in unit.id)


def test_glued_chapter_and_section_headings_become_headings(ehds: ParsedDocument, pld: ParsedDocument) -> None:
    units = _units(ehds)
    assert "PRIMARY USE" not in units["32025R0327/art2"].text
    assert units["32025R0327/art2"].heading == "Chapter I"
    assert units["32025R0327/art3"].heading == (
        "Chapter II – PRIMARY USE > Section 1 – Rights of natural persons in relation to the primary use of their "
        "personal electronic health data, and related provisions"
    )
    assert units["32025R0327/art19"].heading == "Chapter II – PRIMARY USE > Section 2 – Governance for primary use"
    assert units["32025R0327/art105"].heading == "Chapter IX – DEFERRED APPLICATION, TRANSITIONAL AND FINAL PROVISIONS"
    assert not _units(pld)["32024L2853/art4"].text.endswith("DEFECTIVE PRODUCTS")
    assert _units(pld)["32024L2853/art5"].heading == "Chapter II – SPECIFIC PROVISIONS ON LIABILITY FOR DEFECTIVE PRODUCTS"


def test_last_article_is_cut_from_signatures_footnotes_annexes_and_script(ehds: ParsedDocument) -> None:
    units = _units(ehds)
    last = units["32025R0327/art105"]
    assert last.paragraphs[-1] == "This Regulation shall be binding in its entirety and directly applicable in all Member States."
    assert not any(marker in unit.text for unit in ehds.units for marker in ("METSOLA", "Done at", "document).ready", "ISSN"))
    annex = units["32025R0327/annexII"]
    assert annex.label == "annex II" and annex.url.endswith("#anx_II")
    assert annex.title.startswith("Essential requirements for the harmonised software components of EHR systems")
    assert "(a) identification of the healthcare provider or other individuals" in annex.text
    assert units["32025R0327/annexIV"].title == "EU declaration of conformity"


def test_footnote_calls_move_to_footnotes(ehds: ParsedDocument, pld: ParsedDocument) -> None:
    recital = _units(pld)["32024L2853/rec1"]
    assert "Council Directive 85/374/EEC lays down common rules" in recital.text
    assert recital.footnotes == (
        "(3) Council Directive 85/374/EEC of 25 July 1985 on the approximation of the laws, regulations and "
        "administrative provisions of the Member States concerning liability for defective products "
        "(OJ L 210, 7.8.1985, p. 29).",
    )
    article = _units(ehds)["32025R0327/art1"]
    assert "Regulations (EC) No 223/2009, (EU) No 536/2014" in article.text
    assert [note.split(" ", 1)[0] for note in article.footnotes] == ["(24)", "(25)", "(26)", "(27)"]
    # "(4)" after a no-break space here is a point of Article 63, not footnote 4.
    assert any("Article 63(3) and (4)" in unit.text for unit in ehds.units)


def test_definitions_are_in_the_definitions_article(pld: ParsedDocument) -> None:
    definitions = _units(pld)["32024L2853/art4"]
    assert "(1) ‘product’ means all movables" in definitions.text
    assert not [w for w in pld.warnings if "definition" in w]


def test_data_faults_are_reported_as_warnings(ehds: ParsedDocument, pld: ParsedDocument) -> None:
    assert any("recital 115 ends mid-sentence" in w for w in ehds.warnings)
    assert any("Annex (Correlation table) holds no running text" in w for w in pld.warnings)


def test_bad_files_are_reported(corpus_dir: Path, tmp_path: Path) -> None:
    good = (corpus_dir / PLD).read_bytes()
    cases = {
        "empty.json": (b"  \n", "empty file"),
        "text.json": (b"This is not JSON at all", "not JSON"),
        "list.json": (b"[1, 2]", "wrong shape: the top level is not an object (found list)"),
        "no-articles.json": (b'{"celex_id": "X", "full_name": "Y", "recitals": []}', "no 'articles' key"),
        "bad-article.json": (
            b'{"celex_id": "X", "full_name": "Y", "recitals": [], "articles": [{"number": "1"}]}',
            "articles[0] has no 'text' key",
        ),
        "truncated.json": (good[: len(good) // 2], "truncated"),
        "latin1.json": ('{"celex_id": "X", "full_name": "Sjø"}'.encode("latin-1"), "not UTF-8"),
    }
    for name, (data, reason) in cases.items():
        (tmp_path / name).write_bytes(data)
        (failure,) = list(read_eu_json(tmp_path / name))
        assert isinstance(failure, ReadFailure), name
        assert reason in failure.reason and "\n" not in failure.reason, (name, failure.reason)
    for path in (tmp_path / "missing.json", tmp_path):
        (failure,) = list(read_eu_json(path))
        assert isinstance(failure, ReadFailure) and failure.reason.startswith("unreadable")
