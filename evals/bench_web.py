"""What the search page adds to the search it shows: `python -m evals.bench_web [--reps N]` on the configured index.

Each query is asked both ways through the app: `POST /search` (the JSON the API returns) and `GET /?q=…`
(the page, with the same ten results). The search itself is timed inside each request and taken off, so what is left
is what each way adds around the same search (reading the request, JSON or HTML); the page's addition is its rest
minus the JSON's. A query counts its fastest of `--reps` runs, which leaves out most of a shared machine's noise.
Prints numbers, asserts nothing (target: p95 ≤ 20 ms).
"""

import argparse
import statistics
import time
from collections.abc import Callable

import httpx
from fastapi.testclient import TestClient

from api.http import create_app
from evals.bench_search import QUERIES


class _Timed:
    """The searcher's `search`, recording how long each call took."""

    def __init__(self, search: Callable) -> None:
        self.search = search
        self.last_ms = 0.0

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.search(*args, **kwargs)
        finally:
            self.last_ms = (time.perf_counter() - started) * 1000


def _rest(timed: _Timed, send: Callable[..., httpx.Response], *args, **kwargs) -> tuple[float, float]:
    """The request's whole time and its time outside the search, in milliseconds."""
    started = time.perf_counter()
    send(*args, **kwargs).raise_for_status()
    total = (time.perf_counter() - started) * 1000
    return total, total - timed.last_ms


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    with TestClient(create_app()) as client:
        searcher = client.app.state.searcher
        timed = _Timed(searcher.search)
        searcher.search = timed  # the routes call this instance's search
        rows = []
        for query in QUERIES:
            as_json = [_rest(timed, client.post, "/search", json={"query": query, "top_k": 10}) for _ in range(args.reps)]
            as_page = [_rest(timed, client.get, "/", params={"q": query}) for _ in range(args.reps)]
            json_rest, page_rest = min(r for _, r in as_json), min(r for _, r in as_page)
            rows.append((min(t for t, _ in as_json), min(t for t, _ in as_page), page_rest - json_rest))
    json_ms, page_ms, added = zip(*rows)
    print(f"queries: {len(rows)}, fastest of {args.reps} runs each")
    print(f"JSON search  p50: {statistics.median(json_ms):.1f} ms  p95: {_p95(json_ms):.1f} ms")
    print(f"search page  p50: {statistics.median(page_ms):.1f} ms  p95: {_p95(page_ms):.1f} ms")
    print(f"page adds    p50: {statistics.median(added):.1f} ms  p95: {_p95(added):.1f} ms  max: {max(added):.1f} ms")


if __name__ == "__main__":
    main()
