"""Format checks for the BEIR-style retrieval dev set in evals/datasets/dev/ (no index or corpus needed)."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

DEV = Path(__file__).resolve().parents[2] / "evals" / "datasets" / "dev"
HEADER = "query-id\tcorpus-id\tscore"
LANGUAGES = {"nb", "nn", "en"}

# Canonical unit ids, as the index names them:
#   Norwegian provisions  LOV-1999-07-02-64/§29c, FOR-2016-10-28-1250/§6, LOV-1967-02-10/§11 (no serial number)
#   EU provisions         32016R0679/art9, 32024R1689/annexIII, 32024L2853/rec13
#   documents without legal units: their path under the corpus folder, without extension
NORWEGIAN_ID = re.compile(r"(LOV|FOR)-\d{4}-\d{2}-\d{2}(-\d+)?/§\d+[A-Za-z]?(-\d+[a-z]?)?")
EU_ID = re.compile(r"3\d{4}[RL]\d{4}/(art[1-9]\d*|rec[1-9]\d*|annex[IVXL]+)")
DOCUMENT_ID = re.compile(r"(guidance|eu/mdcg)/[a-z0-9][a-z0-9_-]*")


def _canonical(corpus_id: str) -> bool:
    return any(pattern.fullmatch(corpus_id) for pattern in (NORWEGIAN_ID, EU_ID, DOCUMENT_ID))


@pytest.fixture(scope="module")
def queries() -> list[dict]:
    lines = (DEV / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines, "queries.jsonl is empty"
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def qrels_lines() -> list[str]:
    return (DEV / "qrels.tsv").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def qrels(qrels_lines: list[str]) -> list[tuple[str, str, int]]:
    rows = []
    for number, line in enumerate(qrels_lines[1:], start=2):
        fields = line.split("\t")
        assert len(fields) == 3, f"qrels.tsv line {number}: expected 3 tab-separated fields, got {line!r}"
        query_id, corpus_id, score = fields
        assert score.isdigit(), f"qrels.tsv line {number}: score {score!r} is not an integer"
        rows.append((query_id, corpus_id, int(score)))
    return rows


def test_readme_exists() -> None:
    assert (DEV / "README.md").is_file()


def test_queries_have_the_beir_fields(queries: list[dict]) -> None:
    for query in queries:
        assert set(query) == {"_id", "text", "lang"}, query
        assert re.fullmatch(r"q\d{2,}", query["_id"]), query["_id"]
        assert query["lang"] in LANGUAGES, query
        assert query["text"].strip() == query["text"] and query["text"], query


def test_query_ids_and_texts_are_unique(queries: list[dict]) -> None:
    ids = Counter(query["_id"] for query in queries)
    assert not [i for i, count in ids.items() if count > 1], "duplicate _id"
    texts = Counter(query["text"].casefold() for query in queries)
    assert not [t for t, count in texts.items() if count > 1], "duplicate question text"


def test_qrels_header(qrels_lines: list[str]) -> None:
    assert qrels_lines[0] == HEADER


def test_qrels_rows(queries: list[dict], qrels: list[tuple[str, str, int]]) -> None:
    known = {query["_id"] for query in queries}
    pairs = Counter((query_id, corpus_id) for query_id, corpus_id, _ in qrels)
    assert not [pair for pair, count in pairs.items() if count > 1], "duplicate (query-id, corpus-id) pair"
    for query_id, corpus_id, score in qrels:
        assert query_id in known, f"qrels names unknown query {query_id}"
        assert score in {1, 2}, f"{query_id} {corpus_id}: grade {score} not in {{1, 2}}"


def test_every_query_has_one_to_four_gold_units_and_an_answer(
    queries: list[dict], qrels: list[tuple[str, str, int]]
) -> None:
    grades: dict[str, list[int]] = {query["_id"]: [] for query in queries}
    for query_id, _, score in qrels:
        grades[query_id].append(score)
    for query_id, scores in grades.items():
        assert 1 <= len(scores) <= 4, f"{query_id} has {len(scores)} gold units"
        assert 2 in scores, f"{query_id} has no unit graded 2 (answers the question)"


def test_corpus_ids_are_canonical(qrels: list[tuple[str, str, int]]) -> None:
    wrong = sorted({corpus_id for _, corpus_id, _ in qrels if not _canonical(corpus_id)})
    assert not wrong, f"not canonical unit ids: {wrong}"


@pytest.mark.parametrize(
    ("corpus_id", "canonical"),
    [
        ("LOV-1999-07-02-64/§29c", True),
        ("LOV-1999-07-02-63/§3-2", True),
        ("LOV-1999-07-02-61/§3-4a", True),
        ("LOV-1967-02-10/§11", True),
        ("FOR-2016-10-28-1250/§6", True),
        ("32016R0679/art9", True),
        ("32024R1689/annexIII", True),
        ("32024L2853/rec13", True),
        ("guidance/helsedirektoratet_rammer-og-retning-for-ki-2024", True),
        ("eu/mdcg/mdcg-2019-11-rev1_qualification-classification-software_en", True),
        ("LOV-1999-07-02-64/§ 29", False),
        ("LOV-1999-07-02-64/29", False),
        ("32016R0679/art 9", False),
        ("32016R0679/article9", False),
        ("32024R1689/annex3", False),
        ("guidance/helsedirektoratet_rammer-og-retning-for-ki-2024.txt", False),
    ],
)
def test_canonical_pattern(corpus_id: str, canonical: bool) -> None:
    assert _canonical(corpus_id) is canonical


def test_language_mix(queries: list[dict]) -> None:
    languages = Counter(query["lang"] for query in queries)
    total = len(queries)
    assert total >= 60, f"only {total} queries"
    assert languages["en"] / total >= 0.20, f"English share {languages['en']}/{total} below 20%"
    assert languages["nn"] >= 3, f"only {languages['nn']} nynorsk queries"
    assert languages["nb"] > languages["en"], "bokmål should be the largest group"
