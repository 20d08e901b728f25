"""`hjemmel eval --backend server`: the same dataset through the server code path (qdrant-client's local mode, on a
copy of the index) scores exactly as the embedded engine."""

import json
from collections.abc import Callable
from pathlib import Path

from corpus.settings import Settings
from tests.commands import hjemmel, hjemmel_env
from tests.evals.test_harness import HTL, MDL, write_dataset


def test_server_backend_scores_as_the_embedded_engine(small_index: Callable[[set[str]], Settings], tmp_path: Path) -> None:
    env = hjemmel_env(small_index({MDL, HTL}))
    dataset = write_dataset(tmp_path / "tiny")
    scores = {}
    for backend in ("embedded", "server"):
        done = hjemmel("eval", "--dataset", str(dataset), "--retriever", "hybrid", "--json", "--out", str(tmp_path / backend), "--backend", backend, env=env)
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)["retrievers"]["hybrid"]
        scores[backend] = {k: v for k, v in result.items() if not k.endswith("_ms")}
    assert scores["embedded"]["ndcg@10"] > 0.5
    assert scores["server"] == scores["embedded"]


def test_an_unknown_backend_is_refused(test_settings: Settings, tmp_path: Path) -> None:
    done = hjemmel("eval", "--dataset", str(tmp_path), "--backend", "cloud", env=hjemmel_env(test_settings))
    assert done.returncode == 2 and "unknown backend 'cloud'; use one of embedded, server" in done.stderr
