"""The `hjemmel eval` command: the dataset's files say which evaluation runs; the summary table (or the JSON) goes to
stdout, the report (report.md, report.png) to a folder.
"""

import sys
from pathlib import Path

from evals import report
from evals.applicable_eval import PROJECTS_FILE, evaluate_applicable
from evals.ask_eval import QUESTIONS_FILE, evaluate_ask
from evals.backends import Backend, backend_searcher
from evals.dataset import DatasetError
from evals.harness import evaluate
from evals.retrievers import EvalError, RetrieverError
from evals.summary import Evaluation
from index.edge_store import IndexLockedError
from search.searcher import Searcher

REPORTS_DIR = Path(__file__).parent / "reports"


def default_out_dir(dataset: Path) -> Path:
    """Where the CLI writes reports unless told otherwise: evals/reports/<dataset folder name>/."""
    return REPORTS_DIR / Path(dataset).resolve().name


def _evaluate(dataset: Path, retrievers: list[str], k: int, out: Path | None, searcher: Searcher | None) -> Evaluation:
    """Answers (questions.jsonl), applicability (projects.jsonl), else retrieval (queries.jsonl + qrels.tsv)."""
    if (dataset / QUESTIONS_FILE).is_file():
        return evaluate_ask(dataset, retrievers, out, searcher)
    if (dataset / PROJECTS_FILE).is_file():
        return evaluate_applicable(dataset, retrievers, out, searcher)
    return evaluate(dataset, retrievers, k, out, searcher)


def main_eval(
    dataset: Path,
    retrievers: list[str],
    k: int,
    as_json: bool,
    out: Path | None,
    *,
    searcher: Searcher | None = None,
    backend: Backend = "embedded",
) -> int:
    """Prints the summary table (or the JSON), writes the report to `out` if given.

    Exit codes: 0 done (warnings, such as gold ids missing from the index, on stderr), 2 bad dataset, retriever
    name, k or index. `searcher` is for tests and callers that hold the index open already; `backend` "server"
    runs the server code path (see evals/backends.py).
    """
    try:
        with backend_searcher(backend, retrievers, searcher) as opened:
            result = _evaluate(Path(dataset), retrievers, k, out, opened)
    except (DatasetError, RetrieverError, EvalError, IndexLockedError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.to_json() if as_json else report.summary_table(result))
    for warning in result.warnings():
        print(f"warning: {warning}", file=sys.stderr)
    if out is not None:
        print(f"report: {Path(out) / report.REPORT_MD}", file=sys.stderr)
    return 0
