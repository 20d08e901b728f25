"""`hjemmel eval` on the ask and applicable datasets: a few of their real questions and projects, run as a user would
on a small real index, each retriever scored in the same JSON shape as the retrieval evaluation.
"""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from corpus.registry import get_registry
from corpus.settings import Settings
from evals.applicable_eval import METRICS as APPLICABLE_METRICS, PROJECTS_FILE, Project, ProjectRow, applicable_metrics
from evals.ask_eval import METRICS as ASK_METRICS, QUESTIONS_FILE, AnswerRow, AskQuestion, QuoteCheck, ask_metrics, found_verbatim
from evals.command import main_eval
from evals.retrievers import RETRIEVERS, RetrieverError, RetrieverSpec, search_modes
from index.store import open_store
from search.answer import Quote
from search.lookup import Lookup
from tests.commands import hjemmel, hjemmel_env

DATASETS = Path(__file__).resolve().parents[2] / "evals" / "datasets"
SOURCES = {"LOV-1999-07-02-64", "LOV-2020-05-07-37"}  # helsepersonelloven, lov om medisinsk utstyr
QUESTIONS = {"a01", "a03", "a06", "a36"}  # hpl §§ 21, 25, 39 (nb, en, nb) and the brake pads (en, unanswerable)
PROJECTS = {"p03", "p08"}  # CE-marked diabetic-retinopathy screening (nb), a procured chest X-ray triage tool (en)
RETRIEVERS_RUN = ["hybrid", "dense"]
LATENCY = ["p50_ms", "p95_ms", "by_lang"]


def _subset(dataset: str, file: str, ids: set[str], folder: Path) -> Path:
    """A copy of the real dataset holding only `ids`."""
    lines = (DATASETS / dataset / file).read_text(encoding="utf-8").splitlines()
    folder.mkdir(parents=True)
    (folder / file).write_text("".join(f"{line}\n" for line in lines if line.strip() and json.loads(line)["_id"] in ids), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def env(small_index: Callable[[set[str]], Settings]) -> dict[str, str]:
    return hjemmel_env(small_index(SOURCES))


def _run_eval(dataset: Path, out: Path, env: dict[str, str]) -> dict:
    result = hjemmel("eval", "--dataset", str(dataset), "--retriever", *RETRIEVERS_RUN, "--json", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    png = (out / "report.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    return json.loads(result.stdout)


def _check_retrievers(summary: dict, metrics: list[str], retrievers: list[str]) -> None:
    """Retriever -> the metrics, then latency and the same metrics per language, as in the retrieval evaluation."""
    assert list(summary["retrievers"]) == retrievers
    for entry in summary["retrievers"].values():
        assert list(entry) == metrics + LATENCY
        assert all(0.0 <= entry[m] <= 1.0 for m in metrics)
        assert 0 < entry["p50_ms"] <= entry["p95_ms"]
        assert list(entry["by_lang"]) == ["en", "nb"]
        for scores in entry["by_lang"].values():
            assert list(scores) == metrics and all(scores[m] is None or 0.0 <= scores[m] <= 1.0 for m in metrics)


def test_ask_eval_scores_each_retriever(env: dict[str, str], tmp_path: Path) -> None:
    dataset = _subset("ask", QUESTIONS_FILE, QUESTIONS, tmp_path / "ask-subset")
    summary = _run_eval(dataset, tmp_path / "report", env)
    assert list(summary) == ["retrievers", "questions", "answerable", "unanswerable"]
    assert (summary["questions"], summary["answerable"], summary["unanswerable"]) == (4, 3, 1)
    _check_retrievers(summary, ASK_METRICS, ["hybrid", "hybrid without scope", "dense", "dense without scope"])
    hybrid = summary["retrievers"]["hybrid"]
    assert hybrid["quote_verbatim_rate"] == 1.0
    assert hybrid["by_lang"]["nb"]["refusal_accuracy"] is None  # no unanswerable Norwegian question here
    text = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# Answer evaluation: ask-subset") and "![metrics per retriever](report.png)" in text
    assert "| Retriever | quote_verbatim_rate | citation_precision |" in text and "| hybrid | nb | 2 |" in text
    assert "## Questions: hybrid" in text and "## Questions: dense" in text and "| a36 | en | no |" in text


def test_applicable_eval_scores_each_retriever(env: dict[str, str], tmp_path: Path) -> None:
    dataset = _subset("applicable", PROJECTS_FILE, PROJECTS, tmp_path / "applicable-subset")
    summary = _run_eval(dataset, tmp_path / "report", env)
    assert list(summary) == ["retrievers", "projects"] and summary["projects"] == 2
    _check_retrievers(summary, APPLICABLE_METRICS, RETRIEVERS_RUN)
    assert all(value is not None for entry in summary["retrievers"].values() for value in entry["by_lang"]["en"].values())
    text = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# Applicability evaluation: applicable-subset")
    assert "| Retriever | laws_precision | laws_recall |" in text and "## Projects: dense" in text and "| p08 | en |" in text


def test_unknown_retriever_is_refused_before_the_index_is_opened(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dataset = _subset("ask", QUESTIONS_FILE, QUESTIONS, tmp_path / "ask-subset")
    assert main_eval(dataset, ["hybrid", "colbert"], 10, True, None) == 2
    assert "unknown retriever 'colbert'; known: bm25, dense, plain-hybrid, expanded, hybrid" in capsys.readouterr().err


def test_a_retriever_that_is_not_one_search_mode_cannot_drive_the_answerer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(RETRIEVERS, "rerank", RetrieverSpec("rerank", ("hybrid",), lambda searcher: lambda query, k: []))
    assert search_modes(["bm25", "hybrid"]) == {"bm25": "sparse", "hybrid": "hybrid"}
    with pytest.raises(RetrieverError, match="'rerank' is not a single search mode; use one of bm25, dense, plain-hybrid, expanded, hybrid"):
        search_modes(["rerank"])


def _question(id: str, lang: str, answerable: bool) -> AskQuestion:
    return AskQuestion(id, "?", lang, answerable, ("hpl/§21",) if answerable else ())


def test_ask_metrics_count_quotes_gold_citations_and_refusals() -> None:
    gold, other = QuoteCheck("hpl § 21", True, True), QuoteCheck("hpl § 22", True, False)
    rows = [
        AnswerRow(_question("x1", "nb", True), False, [gold, other], 1.0),
        AnswerRow(_question("x2", "nb", True), True, [], 1.0),
        AnswerRow(_question("x3", "nb", False), True, [], 1.0),
        AnswerRow(_question("x4", "en", False), False, [QuoteCheck("pizza", False, False)], 1.0),
    ]
    assert ask_metrics(rows) == {
        "quote_verbatim_rate": 2 / 3,
        "citation_precision": 0.5,
        "answerable_cited_gold_rate": 0.5,
        "refusal_accuracy": 0.5,
        "false_refusal_rate": 0.5,
    }
    assert ask_metrics(rows[3:])["citation_precision"] is None  # no answerable question: nothing to count


def test_applicable_metrics_micro_pool_the_projects_and_macro_average_them() -> None:
    def row(found: set[str], gold: set[str]) -> ProjectRow:
        project = Project("p", "", "nb", (), frozenset(gold), frozenset({"Datatilsynet"}))
        return ProjectRow(project, frozenset(found), frozenset({"Datatilsynet"}), [], 1.0)

    metrics = applicable_metrics([row({"a", "b", "c", "d"}, {"a", "b"}), row(set(), {"e"})])
    assert metrics["laws_precision"] == 0.5 and metrics["laws_recall"] == 2 / 3
    assert metrics["laws_macro_precision"] == 0.75 and metrics["laws_macro_recall"] == 0.5  # nothing found: precision 1
    assert metrics["agencies_precision"] == metrics["agencies_macro_recall"] == 1.0


def test_verbatim_check_reads_the_unit_from_the_index(small_index: Callable[[set[str]], Settings]) -> None:
    """The check must be able to fail: it fetches the cited unit by id rather than trusting the answer's sources."""
    store = open_store(small_index(SOURCES))
    try:
        lookup = Lookup(store, get_registry())
        sentence = "Helsepersonell skal hindre at andre får adgang eller kjennskap til opplysninger om folks legems- eller sykdomsforhold"
        assert found_verbatim(Quote(unit_id="LOV-1999-07-02-64/§21", citation="hpl § 21", text=sentence), lookup)
        assert not found_verbatim(Quote(unit_id="LOV-1999-07-02-64/§22", citation="hpl § 22", text=sentence), lookup)
        assert not found_verbatim(Quote(unit_id="LOV-1999-07-02-64/§21", citation="hpl § 21", text=sentence.upper()), lookup)
        assert not found_verbatim(Quote(unit_id="LOV-1999-07-02-64/§999", citation="hpl § 999", text=sentence), lookup)
    finally:
        store.close()
