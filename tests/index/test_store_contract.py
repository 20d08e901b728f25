"""One contract for both index engines: our EdgeDocumentStore (qdrant-edge, in-process) and qdrant-haystack's
QdrantDocumentStore (Qdrant's server API, here through qdrant-client's local mode) with their retrievers.

The vectors are fixed random numbers, not model output: the embedding model is tested elsewhere, and this suite is
about the stores agreeing with each other on layout, filters, ranking and persistence.
"""

import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from haystack import Document
from haystack.dataclasses import SparseEmbedding
from haystack.document_stores.errors import DuplicateDocumentError
from haystack.document_stores.types import DuplicatePolicy
from haystack_integrations.components.retrievers.qdrant import QdrantEmbeddingRetriever, QdrantSparseEmbeddingRetriever
from haystack_integrations.document_stores.qdrant import QdrantDocumentStore
from haystack_integrations.document_stores.qdrant.converters import convert_id
from qdrant_edge import ScrollRequest

from index.edge_retrievers import EdgeEmbeddingRetriever, EdgeSparseEmbeddingRetriever
from index.edge_store import EdgeDocumentStore, EdgeStoreError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DIM = 384
KINDS = ["edge", "qdrant"]
PAYLOAD_INDEXES = [
    {"field_name": "meta.kind", "field_schema": "keyword"},
    {"field_name": "meta.agencies", "field_schema": "keyword"},
]

# (id, kind, law, agencies, year, in force, text)
_ROWS = [
    ("pbrl-2-1b", "lov", "pbrl", ["hdir"], 1999, True,
     "Pasienten har rett til nødvendig helsehjelp fra spesialisthelsetjenesten."),
    ("hpl-4", "lov", "hpl", ["helsetilsynet", "hdir"], 1999, True,
     "Helsepersonell skal utføre sitt arbeid i samsvar med krav til faglig forsvarlighet."),
    ("hpl-21", "lov", "hpl", ["helsetilsynet"], 1999, True,
     "Helsepersonell har taushetsplikt om opplysninger om folks legems- eller sykdomsforhold."),
    ("pbrl-5-1", "lov", "pbrl", ["hdir"], 1999, True,
     "Pasient og bruker har rett til innsyn i journalen sin."),
    ("pjf-22", "forskrift", "pasientjournalforskriften", ["hdir", "datatilsynet"], 2019, True,
     "Virksomheten skal sørge for at journalsystemet har tilgangsstyring og logging."),
    ("mu-5", "forskrift", "mu-forskriften", ["dmp"], 2021, True,
     "Medisinsk utstyr skal oppfylle de generelle kravene til sikkerhet og ytelse."),
    ("mu-87", "forskrift", "mu-forskriften", ["dmp"], 2021, True,
     "Produsenten skal melde alvorlige hendelser med medisinsk utstyr til myndighetene."),
    ("hol-3-1", "lov", "hol", ["hdir"], 2011, True,
     "Kommunen skal sørge for at personer som oppholder seg i kommunen tilbys nødvendige helse- og omsorgstjenester."),
    ("pbrl-4-2", "lov", "pbrl", ["hdir"], 1999, True,
     "Samtykke til helsehjelp kan gis uttrykkelig eller stilltiende."),
    ("ki-veileder", "veileder", "ki", ["hdir", "dmp"], 2023, True,
     "Veilederen beskriver hvordan virksomheter bør vurdere risiko ved bruk av kunstig intelligens."),
    ("dt-grunnlag", "veileder", "gdpr", ["datatilsynet"], 2020, True,
     "Behandling av helseopplysninger krever rettslig grunnlag etter personvernforordningen."),
    ("ikf-6", "forskrift", "internkontrollforskriften", ["helsetilsynet"], 2002, False,
     "Forskrift om internkontroll i helsetjenesten pålegger virksomheten å planlegge og korrigere."),
]

_rng = np.random.default_rng(20240611)
DENSE = _rng.standard_normal((len(_ROWS), DIM))
_TOKENS = [sorted(set(re.findall(r"\w+", row[-1].lower()))) for row in _ROWS]
VOCAB = {token: i for i, token in enumerate(sorted({t for tokens in _TOKENS for t in tokens}), start=1)}
COMMON = 0  # a term every document has, weighted above any real term: only IDF can rank it below a rare one
SPARSE = [
    SparseEmbedding(
        indices=[COMMON] + [VOCAB[t] for t in tokens],
        values=[float(_rng.uniform(1.6, 2.0))] + [float(v) for v in _rng.uniform(0.5, 1.5, len(tokens))],
    )
    for tokens in _TOKENS
]
DOCS = [
    Document(
        id=doc_id,
        content=text,
        meta={"kind": kind, "law": law, "agencies": agencies, "year": year, "in_force": in_force},
        embedding=DENSE[i].tolist(),
        sparse_embedding=SPARSE[i],
    )
    for i, (doc_id, kind, law, agencies, year, in_force, text) in enumerate(_ROWS)
]
BY_ID = {doc.id: doc for doc in DOCS}
# The two single-vector retrievers the service uses; it fuses their lists itself (index/hybrid.py).
MODES = ["dense", "sparse"]
RETRIEVERS: dict[str, dict[str, type]] = {
    "edge": {"dense": EdgeEmbeddingRetriever, "sparse": EdgeSparseEmbeddingRetriever},
    "qdrant": {"dense": QdrantEmbeddingRetriever, "sparse": QdrantSparseEmbeddingRetriever},
}
Store = EdgeDocumentStore | QdrantDocumentStore


def make_store(kind: str, path: Path) -> Store:
    """The two stores, configured alike (the Qdrant one as we configure it for a server)."""
    if kind == "edge":
        return EdgeDocumentStore(path=path, embedding_dim=DIM, payload_fields_to_index=PAYLOAD_INDEXES)
    return QdrantDocumentStore(
        path=str(path),
        index="hjemmel",
        embedding_dim=DIM,
        use_sparse_embeddings=True,
        sparse_idf=True,
        payload_fields_to_index=PAYLOAD_INDEXES,
        progress_bar=False,
    )


def kind_of(store: Store) -> str:
    return "edge" if isinstance(store, EdgeDocumentStore) else "qdrant"


def retrieve(
    store: Store, mode: str, i: int | None = None, init: dict[str, Any] | None = None, **run: Any
) -> list[Document]:
    """Run the store's own retriever of ``mode`` (built with ``init``); ``i`` queries with document i's vector."""
    if i is not None and mode == "dense":
        run.setdefault("query_embedding", DOCS[i].embedding)
    if i is not None and mode == "sparse":
        run.setdefault("query_sparse_embedding", DOCS[i].sparse_embedding)
    retriever = RETRIEVERS[kind_of(store)][mode](document_store=store, **(init or {}))
    return retriever.run(**run)["documents"]


def raw_points(store: Store) -> dict[str, tuple[dict[str, Any], list[str]]]:
    """Point id -> (payload, vector names), read from the engine below the Haystack layer."""
    if isinstance(store, EdgeDocumentStore):
        records, _ = store._get_shard().scroll(ScrollRequest(limit=100, with_payload=True, with_vector=True))
    else:
        store._initialize_client()
        records, _ = store._client.scroll("hjemmel", limit=100, with_payload=True, with_vectors=True)
    return {str(r.id).replace("-", ""): (r.payload, sorted(r.vector)) for r in records}


def ranking(docs: list[Document]) -> list[set[str]]:
    """Ids grouped by equal score, so ties may come in either order."""
    groups: list[set[str]] = []
    last: float | None = None
    for doc in docs:
        if last is not None and abs(doc.score - last) <= 1e-5 * max(1.0, abs(last)):
            groups[-1].add(doc.id)
        else:
            groups.append({doc.id})
        last = doc.score
    return groups


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each kind."""
    s = make_store(request.param, tmp_path / request.param)
    yield s
    s.close()


@pytest.fixture(scope="module")
def loaded_stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Store]]:
    """Both stores holding DOCS; read-only tests share them."""
    stores = {kind: make_store(kind, tmp_path_factory.mktemp(kind)) for kind in KINDS}
    for s in stores.values():
        s.write_documents(DOCS, policy=DuplicatePolicy.OVERWRITE)
    yield stores
    for s in stores.values():
        s.close()


@pytest.fixture(params=KINDS)
def loaded(request: pytest.FixtureRequest, loaded_stores: dict[str, Store]) -> Store:
    return loaded_stores[request.param]


# -- writing, counting, deleting --------------------------------------------------------------------------------


def test_write_and_count(store: Store) -> None:
    assert store.count_documents() == 0
    assert store.write_documents(DOCS, policy=DuplicatePolicy.OVERWRITE) == len(DOCS)
    assert store.count_documents() == len(DOCS)


def test_overwrite_keeps_point_ids_and_replaces_content(store: Store) -> None:
    store.write_documents(DOCS, policy=DuplicatePolicy.OVERWRITE)
    changed = [Document(id=d.id, content=d.content + " (endret)", meta=d.meta, embedding=d.embedding,
                        sparse_embedding=d.sparse_embedding) for d in DOCS[:3]]
    store.write_documents(changed, policy=DuplicatePolicy.OVERWRITE)
    assert store.count_documents() == len(DOCS)
    assert raw_points(store).keys() == {convert_id(d.id) for d in DOCS}
    contents = {d.id: d.content for d in store.filter_documents()}
    assert contents["pbrl-2-1b"].endswith("(endret)") and not contents["pbrl-5-1"].endswith("(endret)")


def test_duplicate_policies_fail_and_skip(store: Store) -> None:
    store.write_documents(DOCS[:3], policy=DuplicatePolicy.OVERWRITE)
    with pytest.raises(DuplicateDocumentError):
        store.write_documents(DOCS[2:4], policy=DuplicatePolicy.FAIL)
    assert store.count_documents() == 3
    assert store.write_documents(DOCS[2:4], policy=DuplicatePolicy.SKIP) == 1
    assert store.count_documents() == 4


def test_delete_documents(store: Store) -> None:
    store.write_documents(DOCS, policy=DuplicatePolicy.OVERWRITE)
    store.delete_documents(["hpl-4", "mu-5", "no-such-id"])
    remaining = {d.id for d in store.filter_documents()}
    assert remaining == set(BY_ID) - {"hpl-4", "mu-5"}


def test_delete_by_filter(store: Store) -> None:
    store.write_documents(DOCS, policy=DuplicatePolicy.OVERWRITE)
    deleted = store.delete_by_filter({"field": "meta.kind", "operator": "==", "value": "forskrift"})
    assert deleted == sum(d.meta["kind"] == "forskrift" for d in DOCS)
    assert store.count_documents() == len(DOCS) - deleted
    assert store.count_documents_by_filter({"field": "meta.kind", "operator": "==", "value": "forskrift"}) == 0


def test_count_documents_by_filter(loaded: Store) -> None:
    assert loaded.count_documents_by_filter({"field": "meta.law", "operator": "==", "value": "pbrl"}) == 3
    assert loaded.count_documents_by_filter({"field": "meta.agencies", "operator": "==", "value": "dmp"}) == 3


# -- filters ----------------------------------------------------------------------------------------------------

_LOV = {"field": "meta.kind", "operator": "==", "value": "lov"}
FILTER_CASES: list[tuple[str, dict[str, Any], Callable[[Document], bool]]] = [
    ("==", _LOV, lambda d: d.meta["kind"] == "lov"),
    ("!=", {"field": "meta.kind", "operator": "!=", "value": "veileder"}, lambda d: d.meta["kind"] != "veileder"),
    ("in", {"field": "meta.kind", "operator": "in", "value": ["forskrift", "veileder"]},
     lambda d: d.meta["kind"] in ("forskrift", "veileder")),
    ("not in", {"field": "meta.law", "operator": "not in", "value": ["pbrl", "hpl"]},
     lambda d: d.meta["law"] not in ("pbrl", "hpl")),
    ("AND", {"operator": "AND", "conditions": [_LOV, {"field": "meta.law", "operator": "==", "value": "hpl"}]},
     lambda d: d.meta["kind"] == "lov" and d.meta["law"] == "hpl"),
    ("OR", {"operator": "OR", "conditions": [{"field": "meta.law", "operator": "==", "value": "hol"},
                                             {"field": "meta.kind", "operator": "==", "value": "veileder"}]},
     lambda d: d.meta["law"] == "hol" or d.meta["kind"] == "veileder"),
    ("NOT", {"operator": "NOT", "conditions": [_LOV]}, lambda d: d.meta["kind"] != "lov"),
    ("NOT(AND)", {"operator": "NOT", "conditions": [{"operator": "AND", "conditions": [
        _LOV, {"field": "meta.law", "operator": "==", "value": "pbrl"}]}]},
     lambda d: not (d.meta["kind"] == "lov" and d.meta["law"] == "pbrl")),
    # qdrant-haystack turns NOT over several conditions into must_not (none may match); the twin does the same.
    ("NOT[a, b]", {"operator": "NOT", "conditions": [_LOV, {"field": "meta.year", "operator": ">", "value": 2020}]},
     lambda d: not (d.meta["kind"] == "lov" or d.meta["year"] > 2020)),
    ("nested", {"operator": "AND", "conditions": [
        {"operator": "OR", "conditions": [_LOV, {"field": "meta.kind", "operator": "==", "value": "forskrift"}]},
        {"operator": "NOT", "conditions": [{"field": "meta.agencies", "operator": "==", "value": "hdir"}]}]},
     lambda d: d.meta["kind"] in ("lov", "forskrift") and "hdir" not in d.meta["agencies"]),
    ("list ==", {"field": "meta.agencies", "operator": "==", "value": "dmp"}, lambda d: "dmp" in d.meta["agencies"]),
    ("list in", {"field": "meta.agencies", "operator": "in", "value": ["datatilsynet", "helsetilsynet"]},
     lambda d: bool({"datatilsynet", "helsetilsynet"} & set(d.meta["agencies"]))),
    ("list !=", {"field": "meta.agencies", "operator": "!=", "value": "hdir"},
     lambda d: "hdir" not in d.meta["agencies"]),
    ("range", {"operator": "AND", "conditions": [{"field": "meta.year", "operator": ">=", "value": 2002},
                                                 {"field": "meta.year", "operator": "<", "value": 2021}]},
     lambda d: 2002 <= d.meta["year"] < 2021),
    ("bool", {"field": "meta.in_force", "operator": "==", "value": False}, lambda d: d.meta["in_force"] is False),
    ("id", {"field": "id", "operator": "in", "value": ["hpl-21", "mu-87"]}, lambda d: d.id in ("hpl-21", "mu-87")),
]


@pytest.mark.parametrize(("filters", "expected"), [c[1:] for c in FILTER_CASES], ids=[c[0] for c in FILTER_CASES])
def test_filter_documents(loaded: Store, filters: dict[str, Any], expected: Callable[[Document], bool]) -> None:
    want = {d.id for d in DOCS if expected(d)}
    assert want, "each case should select something"
    assert {d.id for d in loaded.filter_documents(filters)} == want
    assert loaded.count_documents_by_filter(filters) == len(want)


def test_filter_documents_returns_whole_documents(loaded: Store) -> None:
    (doc,) = loaded.filter_documents({"field": "id", "operator": "==", "value": "hpl-21"})
    assert (doc.content, doc.meta) == (BY_ID["hpl-21"].content, BY_ID["hpl-21"].meta)
    assert doc.sparse_embedding.indices == BY_ID["hpl-21"].sparse_embedding.indices
    assert np.allclose(doc.sparse_embedding.values, BY_ID["hpl-21"].sparse_embedding.values)  # edge keeps float32
    assert np.allclose(doc.embedding, DENSE[2] / np.linalg.norm(DENSE[2]), atol=1e-6)  # cosine stores unit vectors


# -- retrieval --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_query_equal_to_a_document_finds_it_first(loaded: Store, mode: str) -> None:
    for i in (0, 4, 9):
        docs = retrieve(loaded, mode, i, top_k=5)
        assert docs[0].id == DOCS[i].id
        assert docs[0].score is not None and [d.score for d in docs] == sorted((d.score for d in docs), reverse=True)


@pytest.mark.parametrize("mode", MODES)
def test_retrieval_applies_filters(loaded: Store, mode: str) -> None:
    forskrift = {"field": "meta.kind", "operator": "==", "value": "forskrift"}
    dmp = {"field": "meta.agencies", "operator": "==", "value": "dmp"}
    assert retrieve(loaded, mode, 0, top_k=10)[0].id == "pbrl-2-1b"
    at_run = retrieve(loaded, mode, 0, top_k=10, filters=forskrift)
    assert {d.id for d in at_run} == {d.id for d in DOCS if d.meta["kind"] == "forskrift"}
    at_init = retrieve(loaded, mode, 0, init={"filters": forskrift}, top_k=10)
    assert [d.id for d in at_init] == [d.id for d in at_run]
    replaced = retrieve(loaded, mode, 0, init={"filters": forskrift}, filters=dmp, top_k=10)
    assert {d.id for d in replaced} == {"mu-5", "mu-87", "ki-veileder"}
    merged = retrieve(loaded, mode, 0, init={"filters": forskrift, "filter_policy": "merge"}, filters=dmp, top_k=10)
    assert {d.id for d in merged} == {"mu-5", "mu-87"}


def test_sparse_idf_ranks_a_rare_term_above_a_term_in_every_document(loaded: Store) -> None:
    everywhere = SparseEmbedding(indices=[COMMON], values=[1.0])
    common = retrieve(loaded, "sparse", query_sparse_embedding=everywhere, top_k=len(DOCS))
    rare = retrieve(loaded, "sparse", query_sparse_embedding=SparseEmbedding(
        indices=[VOCAB["taushetsplikt"]], values=[1.0]))
    assert len(common) == len(DOCS)
    assert [d.id for d in rare] == ["hpl-21"]
    # Raw weights favour the common term (1.6-2.0 against at most 1.5); IDF must turn that around.
    assert rare[0].score > 5 * common[0].score


def test_score_threshold_and_return_embedding(loaded: Store) -> None:
    docs = retrieve(loaded, "dense", 0, top_k=5, score_threshold=0.5, return_embedding=True)
    assert [d.id for d in docs] == ["pbrl-2-1b"]
    assert docs[0].embedding is not None and len(docs[0].embedding) == DIM
    assert retrieve(loaded, "dense", 0, top_k=3)[0].embedding is None


# -- persistence and agreement ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_close_and_reopen_keeps_everything(kind: str, tmp_path: Path) -> None:
    first = make_store(kind, tmp_path / "index")
    first.write_documents(DOCS, policy=DuplicatePolicy.OVERWRITE)
    before = {d.id: (d.content, d.meta, d.sparse_embedding) for d in first.filter_documents()}
    first.close()
    again = make_store(kind, tmp_path / "index")
    try:
        assert again.count_documents() == len(DOCS)
        assert {d.id: (d.content, d.meta, d.sparse_embedding) for d in again.filter_documents()} == before
        assert retrieve(again, "dense", 5, top_k=1)[0].id == DOCS[5].id
    finally:
        again.close()


def _noisy_query(mode: str, i: int, seed: int) -> dict[str, Any]:
    """A query near document i: its dense vector plus noise, or a few of its terms with unit weights."""
    if mode == "dense":
        return {"query_embedding": (DENSE[i] + 0.8 * np.random.default_rng(seed).standard_normal(DIM)).tolist()}
    terms = [t for t in DOCS[i].sparse_embedding.indices if t != COMMON][:3]
    return {"query_sparse_embedding": SparseEmbedding(indices=terms, values=[1.0] * len(terms))}


@pytest.mark.parametrize("mode", MODES)
def test_both_stores_rank_alike(loaded_stores: dict[str, Store], mode: str) -> None:
    law_or_regulation = {"field": "meta.kind", "operator": "in", "value": ["lov", "forskrift"]}
    variants: list[dict[str, Any]] = [{}, {"filters": law_or_regulation}, {"top_k": len(DOCS)}]
    for seed, i in enumerate((0, 3, 6, 9, 11)):
        for extra in variants:
            run = {"top_k": 5, **_noisy_query(mode, i, seed), **extra}
            edge, qdrant = (retrieve(loaded_stores[k], mode, **run) for k in KINDS)
            assert ranking(edge) == ranking(qdrant), (mode, i, extra)
            assert np.allclose([d.score for d in edge], [d.score for d in qdrant], rtol=1e-4)


def test_both_engines_hold_the_same_points(loaded_stores: dict[str, Store]) -> None:
    """Same layout: uuid5 point ids, payload = Document.to_dict(flatten=False) minus vectors, same vector names."""
    edge, qdrant = (raw_points(loaded_stores[k]) for k in KINDS)
    assert edge == qdrant
    payload, vectors = edge[convert_id("hpl-21")]
    assert vectors == ["text-dense", "text-sparse"]
    assert payload == {k: v for k, v in BY_ID["hpl-21"].to_dict(flatten=False).items()
                       if k not in ("embedding", "sparse_embedding")}


def test_retrievers_serialise_alike(loaded_stores: dict[str, Store]) -> None:
    for mode in MODES:
        edge, qdrant = (RETRIEVERS[k][mode](document_store=loaded_stores[k], top_k=7, filter_policy="merge",
                                            filters=_LOV) for k in KINDS)
        edge_dict, qdrant_dict = edge.to_dict(), qdrant.to_dict()
        assert edge_dict["init_parameters"].keys() == qdrant_dict["init_parameters"].keys()
        rebuilt = type(edge).from_dict(edge_dict)
        assert rebuilt.to_dict() == edge_dict


# -- edge only --------------------------------------------------------------------------------------------------


def test_edge_stores_on_one_folder_share_the_shard(loaded_stores: dict[str, Store]) -> None:
    """A retriever rebuilt by from_dict opens the same folder again in this process; it must not lock itself out."""
    rebuilt = EdgeEmbeddingRetriever.from_dict(EdgeEmbeddingRetriever(document_store=loaded_stores["edge"]).to_dict())
    try:
        assert rebuilt.run(query_embedding=DOCS[7].embedding)["documents"][0].id == "hol-3-1"
    finally:
        rebuilt.close()
    assert loaded_stores["edge"].count_documents() == len(DOCS)  # still open for the first store


def test_edge_store_rejects_group_by(loaded_stores: dict[str, Store]) -> None:
    """qdrant-edge has no grouped query: say so instead of silently returning ungrouped hits."""
    with pytest.raises(EdgeStoreError):
        retrieve(loaded_stores["edge"], "dense", 0, init={"group_by": "meta.law"})


def test_edge_store_serves_many_threads(tmp_path: Path) -> None:
    store = EdgeDocumentStore(path=tmp_path / "index", embedding_dim=DIM)
    store.write_documents(DOCS)
    errors: list[Exception] = []

    def read() -> None:
        try:
            for n in range(30):
                i = n % len(DOCS)
                assert retrieve(store, MODES[n % 2], i, top_k=3)[0].id == DOCS[i].id
        except Exception as e:  # collected and reported by the main thread
            errors.append(e)

    def write() -> None:
        try:
            for _ in range(5):
                store.write_documents(DOCS[:4])
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=read) for _ in range(4)] + [threading.Thread(target=write)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert store.count_documents() == len(DOCS)
    store.close()


_OPEN_IN_CHILD = """
import sys
from index.edge_store import EdgeDocumentStore, IndexLockedError
try:
    EdgeDocumentStore(sys.argv[1], embedding_dim=int(sys.argv[2])).count_documents()
except IndexLockedError as e:
    print(e)
    sys.exit(3)
"""
# Bare engine, so the check that the lock was released does not pay for importing Haystack again.
_LOAD_IN_CHILD = """
import sys, qdrant_edge
print(qdrant_edge.EdgeShard.load(sys.argv[1]).count(qdrant_edge.CountRequest()))
"""


def _run_child(code: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, str(path), str(DIM)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=False,
    )


def test_second_process_gets_index_locked_error(tmp_path: Path) -> None:
    path = tmp_path / "index"
    store = EdgeDocumentStore(path=path, embedding_dim=DIM)
    store.write_documents(DOCS[:2])
    child = _run_child(_OPEN_IN_CHILD, path)
    print(child.stdout, end="")
    assert child.returncode == 3, child.stderr
    message = child.stdout.strip()
    assert "\n" not in message
    assert message.startswith(f"index {path.resolve()} is in use by another process (pid {os.getpid()})")
    assert "HJEMMEL_INDEX_DIR" in message
    store.close()
    released = _run_child(_LOAD_IN_CHILD, path)
    assert (released.returncode, released.stdout.strip()) == (0, "2"), released.stderr


def test_edge_tie_at_the_limit_keeps_the_lowest_point_ids(tmp_path: Path) -> None:
    """When equal scores straddle top_k, which of them the engine returns depends on its threads and segments, so
    two processes ranked one query differently; the store keeps the tied points with the lowest ids instead."""
    store = EdgeDocumentStore(path=tmp_path / "index", embedding_dim=DIM)
    twin = DOCS[0]
    store.write_documents(DOCS + [replace(twin, id=f"twin-{n:02d}", meta={**twin.meta, "unit": f"twin-{n}"}) for n in range(30)])
    everything = EdgeSparseEmbeddingRetriever(document_store=store, top_k=100).run(
        query_sparse_embedding=twin.sparse_embedding
    )["documents"]
    tied = [d for d in everything if d.score == everything[0].score]
    assert len(tied) == 31
    expected = sorted(tied, key=lambda d: str(convert_id(d.id)))[:10]
    found = EdgeSparseEmbeddingRetriever(document_store=store).run(query_sparse_embedding=twin.sparse_embedding, top_k=10)
    assert [d.id for d in found["documents"]] == [d.id for d in expected]
    store.close()
