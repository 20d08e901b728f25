"""Same question, same answer: a ranking must not depend on which process computed it."""

import json
from collections.abc import Callable

from corpus.settings import Settings
from tests.commands import hjemmel, hjemmel_env
from tests.search.conftest import SOURCES

QUERY = "Kan helsepersonell dele opplysninger om pasienten med en leverandør av kunstig intelligens?"


def test_two_processes_rank_a_query_alike(small_index: Callable[[set[str]], Settings]) -> None:
    settings = small_index(SOURCES)
    runs = []
    for seed in ("1", "2"):
        done = hjemmel("search", QUERY, "--top-k", "30", "--json", env=hjemmel_env(settings, PYTHONHASHSEED=seed))
        assert done.returncode == 0, done.stderr
        runs.append([(hit["id"], hit["score"]) for hit in json.loads(done.stdout)["results"]])
    assert len(runs[0]) == 30
    assert runs[0] == runs[1]
