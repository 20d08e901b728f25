import re
import shutil
from pathlib import Path

import pytest

from corpus.units import ParsedDocument, Unit
from ingest.eu_markdown import read_eu_markdown
from ingest.failures import ReadFailure

ROMAN = "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII".split()


def _one(folder: Path) -> ParsedDocument:
    (parsed,) = list(read_eu_markdown(folder))
    assert isinstance(parsed, ParsedDocument), parsed
    return parsed


def _of(document: ParsedDocument, kind: str) -> list[Unit]:
    return [u for u in document.units if re.fullmatch(rf"{kind}[0-9IVXLC]+", u.id.split("/")[1])]


@pytest.fixture(scope="module")
def mdr(corpus_dir: Path) -> ParsedDocument:
    return _one(corpus_dir / "eu/mdr-2017-745")


@pytest.fixture(scope="module")
def ivdr(corpus_dir: Path) -> ParsedDocument:
    return _one(corpus_dir / "eu/ivdr-2017-746")


@pytest.mark.parametrize(
    ("name", "celex", "short", "articles", "annexes"),
    [("mdr", "32017R0745", "MDR", 123, 17), ("ivdr", "32017R0746", "IVDR", 113, 15)],
)
def test_counts_ids_and_document_order(
    request: pytest.FixtureRequest, name: str, celex: str, short: str, articles: int, annexes: int
) -> None:
    document: ParsedDocument = request.getfixturevalue(name)
    assert document.info.id == celex
    assert document.info.title == f"Regulation (EU) {celex[1:5]}/{int(celex[6:])}"
    assert document.info.short_title == short and document.info.language == "en"
    assert document.warnings == ()
    assert [u.id for u in _of(document, "rec")] == [f"{celex}/rec{n}" for n in range(1, 102)]
    assert [u.id for u in _of(document, "art")] == [f"{celex}/art{n}" for n in range(1, articles + 1)]
    assert [u.id for u in _of(document, "annex")] == [f"{celex}/annex{r}" for r in ROMAN[:annexes]]
    assert [u.order for u in document.units] == list(range(len(document.units)))
    assert [u.id.split("/")[1][:3] for u in document.units] == ["rec"] * 101 + ["art"] * articles + ["ann"] * annexes
    assert all(u.document_id == celex and u.paragraphs for u in document.units)
    assert all(u.title for u in document.units if not u.label.startswith("recital"))


def test_article_keeps_title_paragraph_numbers_and_link(mdr: ParsedDocument) -> None:
    units = {u.id: u for u in mdr.units}
    art2 = units["32017R0745/art2"]
    assert (art2.label, art2.title) == ("art. 2", "Definitions")
    assert art2.url == "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32017R0745#art_2"
    assert "‘medical device’ means" in art2.text
    assert art2.paragraphs[0] == "For the purposes of this Regulation, the following definitions apply:"
    art1 = units["32017R0745/art1"]
    assert art1.paragraphs[0].startswith("1. This Regulation lays down rules")
    assert art1.paragraphs[1].startswith("2. This Regulation shall also apply")
    assert "(a) in vitro diagnostic medical devices covered by Regulation (EU) 2017/746;" in art1.paragraphs
    assert units["32017R0745/art76"].title.endswith("between Member States")  # no-break spaces normalised


def test_annexes_and_recitals(mdr: ParsedDocument, ivdr: ParsedDocument) -> None:
    annex = next(u for u in mdr.units if u.id == "32017R0745/annexXVI")
    assert annex.label == "annex XVI"
    assert annex.title.startswith("LIST OF GROUPS OF PRODUCTS WITHOUT AN INTENDED MEDICAL PURPOSE")
    assert annex.url.endswith("CELEX:32017R0745#anx_XVI")
    assert annex.paragraphs[0] == "1. Contact lenses or other items intended to be introduced into or onto the eye."
    # Headings inside an annex stay as text; the annex's own label and title do not.
    annex_vi = next(u for u in mdr.units if u.id == "32017R0745/annexVI")
    assert annex_vi.paragraphs[0] == "PART A" and not annex_vi.text.startswith("ANNEX")
    recital = next(u for u in mdr.units if u.id == "32017R0745/rec19")
    assert (recital.label, recital.title) == ("recital 19", "")
    assert recital.url.endswith("CELEX:32017R0745#rct_19")
    assert recital.paragraphs[0].startswith("It is necessary to clarify that software in its own right")
    assert next(u for u in ivdr.units if u.id == "32017R0746/rec101").text.startswith("Since the objectives")


def test_no_markdown_syntax_left(mdr: ParsedDocument, ivdr: ParsedDocument) -> None:
    for unit in mdr.units + ivdr.units:
        text = re.sub(r"\(\*\d*\)", "", unit.text)  # "(*1)" is a printed footnote mark, not emphasis
        assert not re.search(r"[*#|`\\]|^\s*[-+>] |^-{3}", text, re.M), unit.id
        assert "*" not in unit.title and "#" not in unit.title, unit.id
    assert "in vitro diagnostic" in next(u for u in mdr.units if u.id == "32017R0745/art1").text


def test_nested_table_copies_are_dropped(mdr: ParsedDocument, corpus_dir: Path) -> None:
    """The converter repeated lists nested in EUR-Lex tables (annexes XII and XIII); each item is kept once."""
    units = {u.id: u for u in mdr.units}
    assert units["32017R0745/annexXIII"].text.count("and of all manufacturing sites") == 1
    point_b = "EU quality management system certificates and EU quality assurance certificates shall include"
    assert units["32017R0745/annexXII"].text.count(point_b) == 1
    # An ordinary table keeps every row, short cells included.
    correlation = units["32017R0745/annexXVII"].paragraphs[0].splitlines()
    source = (corpus_dir / "eu/mdr-2017-745/annex-XVII.md").read_text(encoding="utf-8").splitlines()
    rows = [line for line in source if line.lstrip().startswith("|") and not line.startswith("| ---")]
    assert len(correlation) == len(rows) == 69
    assert correlation[0] == "Council Directive 90/385/EEC Council Directive 93/42/EEC This Regulation"
    assert correlation[-1] == "— Article 21 —"


def test_bad_files_are_skipped_with_a_warning(corpus_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mdr"
    shutil.copytree(corpus_dir / "eu/mdr-2017-745", folder)
    (folder / "article-005.md").write_bytes(b"")
    body = (folder / "article-006.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    (folder / "article-006.md").write_text(body, encoding="utf-8")
    (folder / "article-007.md").write_bytes(bytes(range(256)) * 10)
    (folder / "annex-XVI.md").write_text("---\nsource: [unclosed\n---\n # ANNEX XVI\n", encoding="utf-8")
    (folder / "annex-XV.md").write_text("---\nsource:\n  chunk_id: Annex XV\n---\n\n", encoding="utf-8")
    document = _one(folder)
    ids = {u.id for u in document.units}
    assert len(_of(document, "art")) == 120 and len(_of(document, "annex")) == 15
    assert not ids & {f"32017R0745/{n}" for n in ("art5", "art6", "art7", "annexXV", "annexXVI")}
    warnings = dict(w.split(": ", 1) for w in document.warnings)
    assert set(warnings) == {"article-005.md", "article-006.md", "article-007.md", "annex-XVI.md", "annex-XV.md"}
    assert "empty" in warnings["article-005.md"]
    assert "no YAML front matter" in warnings["article-006.md"]
    assert "binary" in warnings["article-007.md"]
    assert "not valid YAML" in warnings["annex-XVI.md"]
    assert "no text" in warnings["annex-XV.md"]
    assert all("\n" not in w for w in document.warnings)


def test_missing_index_falls_back_to_front_matter(corpus_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ivdr"
    shutil.copytree(corpus_dir / "eu/ivdr-2017-746", folder)
    (folder / "_index.yaml").unlink()
    (folder / "article-010.md").unlink()
    document = _one(folder)
    assert document.info.id == "32017R0746" and document.info.short_title == "IVDR"
    assert len(_of(document, "art")) == 112
    assert any("_index.yaml" in w for w in document.warnings)


def test_bad_folders_are_read_failures(corpus_dir: Path, tmp_path: Path) -> None:
    for path, reason in (
        (tmp_path / "missing", "unreadable"),
        (corpus_dir / "eu/mdr-2017-745/_index.yaml", "unreadable"),
        (tmp_path, "no readable"),
    ):
        (failure,) = list(read_eu_markdown(path))
        assert isinstance(failure, ReadFailure) and reason in failure.reason, failure
        assert failure.origin == str(path) and "\n" not in failure.reason
    no_celex = tmp_path / "no-celex"
    no_celex.mkdir()
    (no_celex / "article-001.md").write_text("---\nsource:\n  title: x\n---\n## Article 1\n\nText.\n", encoding="utf-8")
    (failure,) = list(read_eu_markdown(no_celex))
    assert isinstance(failure, ReadFailure) and "CELEX" in failure.reason
