"""The retrievers an evaluation can compare, by name; each is a callable `(query, k) -> ranked unit ids`.

A new retriever (query expansion, a reranker ...) plugs in with `register`: it names the Searcher modes it needs
(so the harness can build a Searcher with them) and a factory that turns a Searcher into the callable.
"""

from collections.abc import Callable
from dataclasses import dataclass

from search.searcher import Searcher, SearchMode

Retriever = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class RetrieverSpec:
    name: str
    modes: tuple[SearchMode, ...]  # Searcher pipelines the factory uses
    build: Callable[[Searcher], Retriever]
    description: str = ""


RETRIEVERS: dict[str, RetrieverSpec] = {}


class RetrieverError(ValueError):
    """An unknown retriever name, or a Searcher that lacks a mode the retriever needs."""


def register(spec: RetrieverSpec) -> RetrieverSpec:
    RETRIEVERS[spec.name] = spec
    return spec


def _searcher_mode(mode: SearchMode) -> Callable[[Searcher], Retriever]:
    def build(searcher: Searcher) -> Retriever:
        def retrieve(query: str, k: int) -> list[str]:
            return [result.id for result in searcher.search(query, top_k=k, mode=mode)]

        return retrieve

    return build


register(RetrieverSpec("bm25", ("sparse",), _searcher_mode("sparse"), "sparse (BM25-style) retrieval alone"))
register(RetrieverSpec("dense", ("dense",), _searcher_mode("dense"), "dense (e5) retrieval alone"))
register(RetrieverSpec("plain-hybrid", ("plain-hybrid",), _searcher_mode("plain-hybrid"), "dense + sparse fused with RRF"))
register(
    RetrieverSpec(
        "expanded",
        ("expanded",),
        _searcher_mode("expanded"),
        "glossary translation, named-source focus, context words weighed lightly, RRF; no subject index",
    )
)
register(
    RetrieverSpec(
        "hybrid",
        ("hybrid",),
        _searcher_mode("hybrid"),
        "the service's search: `expanded` plus a search within the provisions of each subject the query is about",
    )
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
    missing = [m for m in needed_modes(names) if m not in searcher.pipelines]
    if missing:
        raise RetrieverError(
            f"the Searcher was built without mode(s) {', '.join(missing)}; "
            f"build it with modes={needed_modes(names)!r} for {', '.join(names)}"
        )
    return {spec.name: spec.build(searcher) for spec in specs(names)}
