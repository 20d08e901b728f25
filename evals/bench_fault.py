"""Crash run: `python -m evals.bench_fault [--load-seconds S] [--ingest-source ID]`.

On a copy of the configured index (the original is never touched): records the point count and the top 10 of 20
fixed queries through a real server, then
1. kills the server with SIGKILL in the middle of a /search + /ask load, restarts it, and compares;
2. deletes one source's points, kills `hjemmel ingest --source ID` with SIGKILL as soon as it starts writing them
   back (its write-ahead log grows), runs the ingest again, restarts the server, and compares.
Each step prints the point count, how many of the 20 top-10 lists changed and the duplicate (unit, chunk) pairs.
Prints numbers, asserts nothing.
"""

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from corpus.settings import get_settings
from evals.bench_load import _questions, run_phase
from evals.bench_search import QUERIES
from evals.server_process import ServerProcess
from index.edge_store import EdgeDocumentStore
from index.store import EMBEDDING_DIM, PAYLOAD_INDEXES

FIXED = QUERIES[:20]


def _snapshot(server: ServerProcess) -> tuple[int, dict[str, list[str]]]:
    with httpx.Client(base_url=server.url, timeout=120) as client:
        points = client.get("/healthz").json()["points"]
        tops = {q: [r["id"] for r in client.post("/search", json={"query": q, "top_k": 10}).json()["results"]] for q in FIXED}
    return points, tops


def _duplicates(index_dir: Path) -> int:
    """(unit id, chunk) pairs stored more than once; read with the server stopped (one process per index)."""
    store = EdgeDocumentStore(path=index_dir, embedding_dim=EMBEDDING_DIM, payload_fields_to_index=PAYLOAD_INDEXES)
    try:
        pairs = Counter((d.meta["source_id"], d.meta["unit_id"], d.meta["chunk"]) for d in store.filter_documents())
    finally:
        store.close()
    return sum(n - 1 for n in pairs.values() if n > 1)


def _compare(step: str, baseline: tuple[int, dict[str, list[str]]], server: ServerProcess, index_dir: Path, **extra: object) -> None:
    points, tops = _snapshot(server)
    server.stop()
    changed = sum(tops[q] != baseline[1][q] for q in FIXED)
    report = {"step": step, "points": points, "points_before": baseline[0], "top10_changed": changed, "of": len(FIXED)}
    print(json.dumps(report | {"duplicates": _duplicates(index_dir)} | extra), flush=True)


async def _load_then_kill(server: ServerProcess, seconds: float) -> dict[str, int]:
    """/search and /ask from 8 + 4 clients; SIGKILL after `seconds`; how many requests had been answered."""
    search = asyncio.create_task(run_phase(server.url, "search", "/search", [{"query": q} for q in QUERIES * 200], 8))
    ask = asyncio.create_task(run_phase(server.url, "ask", "/ask", [{"question": q} for q in _questions() * 20], 4))
    await asyncio.sleep(seconds)
    server.kill()
    done = await asyncio.gather(search, ask)
    return {p.name: sum(o.status == 200 for o in p.outcomes) for p in done}


def _points(index_dir: Path, delete: str | None = None) -> int:
    """The copy's point count; with `delete`, first removes that source's points and returns how many."""
    store = EdgeDocumentStore(path=index_dir, embedding_dim=EMBEDDING_DIM, payload_fields_to_index=PAYLOAD_INDEXES)
    try:
        if delete:
            return store.delete_by_filter({"field": "meta.source_id", "operator": "==", "value": delete})
        return store.count_documents()
    finally:
        store.close()


def _wal_bytes(index_dir: Path) -> int:
    return sum(f.stat().st_size for f in (index_dir / "wal").rglob("*") if f.is_file())


def _kill_ingest(env: dict[str, str], source: str, index_dir: Path, log: Path) -> float:
    """`hjemmel ingest --source` on the copy, SIGKILLed as soon as the engine's write-ahead log changes, i.e. while
    the first batch of points is being written; returns the seconds it ran (the engine flocks the index, so the
    point count cannot be read while it runs)."""
    before = _wal_bytes(index_dir)
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "api", "ingest", "--source", source, "--no-progress"], env=env, stdout=out, stderr=out
        )
    started = time.monotonic()
    while process.poll() is None and _wal_bytes(index_dir) == before and time.monotonic() - started < 600:
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return round(time.monotonic() - started, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--load-seconds", type=float, default=20.0, help="load before the server is killed")
    parser.add_argument("--ingest-source", default="32016R0679", help="source deleted and re-ingested (GDPR: many chunks)")
    args = parser.parse_args()
    settings = get_settings()
    with tempfile.TemporaryDirectory(prefix="hjemmel-fault-") as scratch:
        index_dir = Path(scratch) / "index"
        shutil.copytree(settings.index_dir, index_dir)
        cache = Path(scratch) / "embeddings.sqlite"
        if settings.embedding_cache.is_file():
            shutil.copyfile(settings.embedding_cache, cache)
        env = {"HJEMMEL_INDEX_DIR": str(index_dir), "HJEMMEL_EMBEDDING_CACHE": str(cache)}
        ingest_env = os.environ | env
        log = Path(scratch) / "server.log"

        server = ServerProcess(env, log).start()
        baseline = _snapshot(server)
        print(json.dumps({"step": "baseline", "points": baseline[0]}), flush=True)
        answered = asyncio.run(_load_then_kill(server, args.load_seconds))
        _compare("server killed mid-load, restarted", baseline, ServerProcess(env, log).start(), index_dir, answered_before_kill=answered)

        deleted = _points(index_dir, delete=args.ingest_source)
        left = _points(index_dir)
        ran = _kill_ingest(ingest_env, args.ingest_source, index_dir, log)
        written = _points(index_dir) - left
        rerun = subprocess.run(
            [sys.executable, "-m", "api", "ingest", "--source", args.ingest_source, "--no-progress"],
            env=ingest_env,
            capture_output=True,
            text=True,
        )
        _compare(
            "ingest killed mid-write, run again",
            baseline,
            ServerProcess(env, log).start(),
            index_dir,
            deleted=deleted,
            written_at_kill=written,
            killed_after_s=ran,
            rerun_exit=rerun.returncode,
        )

if __name__ == "__main__":
    main()
