"""Bounded load against a real server on loopback: `python -m evals.bench_load [--search-requests N] ...`.

Starts `hjemmel serve` on the configured index (HJEMMEL_* settings; stop any other server on that index first) or
uses `--url`, then runs four phases and prints per phase req/s, p50/p95/p99/max latency, responses by status and
the server's RSS:

- search: POST /search at --concurrency, --search-requests in all;
- ask: POST /ask at --ask-concurrency, --ask-requests in all;
- overload: POST /search at --overload-concurrency, beyond the pool and queue: the excess must get 503 with
  Retry-After fast (the 503 latencies are printed on their own, beside the server's share of them from the
  Server-Timing header and those of requests that did not open their connection);
- burst: --burst simultaneous POST /ask, each answered (or partial) or refused with 503 within the deadline.

Prints numbers, asserts nothing. The client runs on the same machine, so its CPU use counts against the server's.
"""

import argparse
import asyncio
import json
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from evals.bench_search import QUERIES
from evals.server_process import ServerProcess

ASK_QUESTIONS = Path(__file__).parent / "datasets" / "ask" / "questions.jsonl"


@dataclass
class Outcome:
    status: int
    seconds: float
    retry_after: bool = False
    partial: bool = False
    server_seconds: float | None = None  # from the response's Server-Timing: the service's own share of `seconds`
    first: bool = False  # the first request on its connection, which pays for the connect


@dataclass
class Phase:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    rss_mb: tuple[float, float] | None = None

    def report(self) -> dict:
        times = sorted(o.seconds for o in self.outcomes)
        by_status = Counter(o.status for o in self.outcomes)
        refused = [o for o in self.outcomes if o.status == 503]
        busy = sorted(o.seconds for o in refused)
        result = {
            "phase": self.name,
            "requests": len(self.outcomes),
            "req_per_s": round(len(self.outcomes) / self.seconds, 1) if self.seconds else None,
            **_percentiles(times),
            "status": dict(sorted(by_status.items())),
            "errors": sum(n for s, n in by_status.items() if s != 200),
            "partial": sum(o.partial for o in self.outcomes),
        }
        if busy:
            result["503"] = {
                **_percentiles(busy),
                "with_retry_after": sum(o.retry_after for o in refused),
                # Where a slow 503 spent its time: in the service, or before and after it (connect, client, scheduler).
                "server": _percentiles(sorted(o.server_seconds for o in refused if o.server_seconds is not None)),
                "not_first_on_connection": _percentiles(sorted(o.seconds for o in refused if not o.first)),
            }
        if self.rss_mb:
            result["server_rss_mb"] = {"now": round(self.rss_mb[0]), "peak": round(self.rss_mb[1])}
        return result


def _percentiles(times: list[float]) -> dict[str, float | None]:
    if not times:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}

    def at(q: float) -> float:
        return round(1000 * times[min(len(times) - 1, int(q * len(times)))], 1)

    return {"p50_ms": round(1000 * statistics.median(times), 1), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": at(1.0)}


def _server_seconds(response: httpx.Response) -> float | None:
    timing = re.search(r"\bapp;dur=([\d.]+)", response.headers.get("server-timing", ""))
    return float(timing.group(1)) / 1000 if timing else None


async def _one(client: httpx.AsyncClient, path: str, body: dict, first: bool) -> Outcome:
    started = time.perf_counter()
    try:
        response = await client.post(path, json=body)
    except httpx.HTTPError:
        return Outcome(0, time.perf_counter() - started, first=first)
    seconds = time.perf_counter() - started
    partial = response.status_code == 200 and bool(response.json().get("partial"))
    return Outcome(response.status_code, seconds, "retry-after" in response.headers, partial, _server_seconds(response), first)


async def run_phase(url: str, name: str, path: str, bodies: list[dict], concurrency: int) -> Phase:
    """`bodies` sent by `concurrency` clients that each send their next request as soon as the last returned.

    Each client has its own httpx client and so its own connection, as separate users would. Sharing one pool of
    `concurrency` connections, a request waited in the pool before it was written (overload phase: p50 45 ms, p95
    330 ms), and that wait was counted as the server's. The clients are built before the first request is sent:
    each builds an SSL context (~29 ms of CPU), and 64 built one after another inside the timed phase added up to
    2 s to the first requests' latencies.
    """
    phase = Phase(name)
    pending = iter(bodies)
    clients = [httpx.AsyncClient(base_url=url, timeout=120) for _ in range(concurrency)]

    async def client_loop(client: httpx.AsyncClient) -> None:
        async with client:
            for n, body in enumerate(pending):
                phase.outcomes.append(await _one(client, path, body, first=n == 0))

    started = time.perf_counter()
    await asyncio.gather(*(client_loop(client) for client in clients))
    phase.seconds = time.perf_counter() - started
    return phase


def _questions() -> list[str]:
    return [json.loads(line)["text"] for line in ASK_QUESTIONS.read_text().splitlines() if line.strip()]


def _cycle(items: list[str], n: int) -> list[str]:
    return [items[i % len(items)] for i in range(n)]


async def main_async(args: argparse.Namespace, server: ServerProcess | None, url: str) -> list[dict]:
    questions = _questions()
    plan = [
        ("search", "/search", [{"query": q, "top_k": 10} for q in _cycle(QUERIES, args.search_requests)], args.concurrency),
        ("ask", "/ask", [{"question": q} for q in _cycle(questions, args.ask_requests)], args.ask_concurrency),
        (
            "overload",
            "/search",
            [{"query": q, "top_k": 10} for q in _cycle(QUERIES, args.overload_requests)],
            args.overload_concurrency,
        ),
        ("burst", "/ask", [{"question": q} for q in _cycle(questions, args.burst)], args.burst),
    ]
    reports = []
    for name, path, bodies, concurrency in plan:
        if not bodies or name not in args.phases:
            continue
        phase = await run_phase(url, name, path, bodies, concurrency)
        phase.rss_mb = server.rss_mb() if server else None
        reports.append(phase.report() | {"concurrency": concurrency})
        print(json.dumps(reports[-1]), flush=True)
    return reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="an already running server (default: start one on the configured index)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--search-requests", type=int, default=10_000)
    parser.add_argument("--ask-concurrency", type=int, default=8)
    parser.add_argument("--ask-requests", type=int, default=300)
    parser.add_argument("--overload-concurrency", type=int, default=64)
    parser.add_argument("--overload-requests", type=int, default=1000)
    parser.add_argument("--burst", type=int, default=50)
    parser.add_argument("--phases", nargs="+", default=["search", "ask", "overload", "burst"])
    parser.add_argument("--log", type=Path, help="append the started server's output here")
    args = parser.parse_args()
    server = None if args.url else ServerProcess(log=args.log).start()
    url = args.url or server.url
    try:
        if server:
            print(json.dumps({"server": url, "rss_mb_at_start": round(server.rss_mb()[0])}), flush=True)
        asyncio.run(main_async(args, server, url))
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    main()
