"""The retrievers an evaluation can compare, by name, and the index they run on.

A retrieval evaluation calls each as `(query, k) -> ranked unit ids`. A new retriever (query expansion, a reranker ...)
plugs in with `register`: it names the Searcher modes it needs (so the harness can build a Searcher with them) and a
factory that turns a Searcher into the callable. A retriever that is one Searcher mode as it stands also drives the
answer and applicability evaluations, which search through `ModeSearcher`.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from corpus.registry import get_registry
from corpus.settings import get_settings
from index.store import open_store
from search.filters import SearchFilters
from search.results import SearchResult
from search.searcher import Searcher, SearcherWrapper, SearchMode

Retriever = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class RetrieverSpec:
    name: str
    modes: tuple[SearchMode, ...]  # Searcher pipelines the factory uses
    build: Callable[[Searcher], Retriever]
    description: str = ""
    mode: SearchMode | None = None  # the Searcher mode this retriever is, when it is exactly one


RETRIEVERS: dict[str, RetrieverSpec] = {}


class RetrieverError(ValueError):
    """An unknown retriever name, or a Searcher that lacks a mode the retriever needs."""


class EvalError(ValueError):
    """A run that cannot be scored (bad k, empty index); the message says which."""


def register(spec: RetrieverSpec) -> RetrieverSpec:
    RETRIEVERS[spec.name] = spec
    return spec


def _searcher_mode(mode: SearchMode) -> Callable[[Searcher], Retriever]:
    def build(searcher: Searcher) -> Retriever:
        def retrieve(query: str, k: int) -> list[str]:
            return [result.id for result in searcher.search(query, top_k=k, mode=mode)]

        return retrieve

    return build


def _register_mode(name: str, mode: SearchMode, description: str) -> RetrieverSpec:
    return register(RetrieverSpec(name, (mode,), _searcher_mode(mode), description, mode))


_register_mode("bm25", "sparse", "sparse (BM25-style) retrieval alone")
_register_mode("dense", "dense", "dense (e5) retrieval alone")
_register_mode("plain-hybrid", "plain-hybrid", "dense + sparse fused with RRF")
_register_mode(
    "expanded",
    "expanded",
    "glossary translation, named-source focus, context words weighed lightly, RRF; no subject index",
)
_register_mode(
    "hybrid", "hybrid", "the service's search: `expanded` plus a search within each subject's provisions the query is about"
)


def specs(names: list[str]) -> list[RetrieverSpec]:
    """The specs for `names`, in order; unknown or repeated names are refused with the list of known ones."""
    if not names:
        raise RetrieverError(f"no retriever given; known: {', '.join(RETRIEVERS)}")
    unknown = [n for n in names if n not in RETRIEVERS]
    if unknown:
        raise RetrieverError(f"unknown retriever {', '.join(map(repr, unknown))}; known: {', '.join(RETRIEVERS)}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise RetrieverError(f"retriever given more than once: {', '.join(repeated)}")
    return [RETRIEVERS[n] for n in names]


def needed_modes(names: list[str]) -> tuple[SearchMode, ...]:
    modes: list[SearchMode] = []
    for spec in specs(names):
        modes += [m for m in spec.modes if m not in modes]
    return tuple(modes)


def build(names: list[str], searcher: Searcher) -> dict[str, Retriever]:
    return {spec.name: spec.build(searcher) for spec in specs(names)}


def search_modes(names: list[str]) -> dict[str, SearchMode]:
    """Retriever name -> its Searcher mode; a retriever that is not one mode cannot drive `ModeSearcher`."""
    modes = {}
    for spec in specs(names):
        if spec.mode is None:
            usable = ", ".join(n for n, s in RETRIEVERS.items() if s.mode is not None)
            raise RetrieverError(f"retriever {spec.name!r} is not a single search mode; use one of {usable}")
        modes[spec.name] = spec.mode
    return modes


class ModeSearcher(SearcherWrapper):
    """A Searcher fixed to one mode, behind the `search(query, top_k, filters)` that the Answerer and the
    ApplicabilityAnalyzer call: they run on each mode unchanged.
    """

    def __init__(self, searcher: Searcher, mode: SearchMode) -> None:
        super().__init__(searcher)
        self.mode = mode

    def search(self, query: str, top_k: int = 10, filters: SearchFilters | None = None) -> list[SearchResult]:
        return self.searcher.search(query, top_k=top_k, filters=filters, mode=self.mode)


def _checked(searcher: Searcher, modes: tuple[SearchMode, ...]) -> Searcher:
    missing = [m for m in modes if m not in searcher.pipelines]
    if missing:
        raise RetrieverError(f"the Searcher was built without mode(s) {', '.join(missing)}; build it with modes={modes!r}")
    if not searcher.store.count_documents():
        raise EvalError("the index is empty; run `hjemmel ingest` first")
    return searcher


@contextmanager
def open_searcher(modes: tuple[SearchMode, ...], searcher: Searcher | None = None) -> Iterator[Searcher]:
    """`searcher` if given, else the configured index opened with `modes` for the run and closed after it.

    Refuses a Searcher without one of the modes and an empty index.
    """
    if searcher is not None:
        yield _checked(searcher, modes)
        return
    settings = get_settings()
    store = open_store(settings)
    try:
        yield _checked(Searcher(store, get_registry(), settings, modes=modes), modes)
    finally:
        store.close()


R = TypeVar("R")


def run_modes(
    names: list[str], searcher: Searcher | None, warm_up: str, run: Callable[[ModeSearcher], R]
) -> dict[str, R]:
    """`run` once per retriever, on a searcher fixed to its mode, after an untimed search for `warm_up` (first calls
    pay one-off costs). Unknown names are refused before the slow model load.
    """
    modes = search_modes(names)
    with open_searcher(tuple(dict.fromkeys(modes.values())), searcher) as opened:
        results = {}
        for name, mode in modes.items():
            adapter = ModeSearcher(opened, mode)
            adapter.search(warm_up)
            results[name] = run(adapter)
        return results
