"""Shared fixtures: the real corpus folder beside the project, throw-away indexes of a few of its sources, and a
scripted language-model endpoint."""

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from corpus.registry import Source, get_registry
from corpus.settings import Settings, get_settings
from corpus.units import ParsedDocument
from index.store import open_store
from ingest.pipeline import Ingestor
from ingest.readers import read_source
from tests.llm_server import ScriptedLLM, scripted_llm


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    path = get_settings().corpus_dir
    if not path.is_dir():
        pytest.fail(f"corpus folder {path} not found; set HJEMMEL_CORPUS_DIR")
    return path


@pytest.fixture(scope="session")
def test_settings(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The user's settings with a throw-away index and embedding cache; the converted model stays cached between runs.
    Sentence vectors are off (answers embed their sentences, as with an index built without them), which halves the
    cost of each index a test builds; tests/index/test_sentence_vectors.py switches them on. Passages are embedded in
    float32 whatever the CPU, so the suite ranks alike on every machine; tests/index/test_embedders.py checks
    bfloat16."""
    scratch = tmp_path_factory.mktemp("hjemmel")
    update = {"index_dir": scratch / "index", "embedding_cache": scratch / "embeddings.sqlite", "corpus_dir": corpus_dir}
    return get_settings().model_copy(update=update | {"sentence_vectors": False, "passage_precision": "float32"})


@pytest.fixture(scope="session")
def parsed_corpus(corpus_dir: Path) -> list[tuple[Source, ParsedDocument]]:
    """Every registry source with a file, read into units from the real corpus (no embedding), once per session."""
    parsed: list[tuple[Source, ParsedDocument]] = []
    for source in get_registry().sources.values():
        if source.file is None:
            continue
        for document in read_source(corpus_dir / source.file, source):
            assert isinstance(document, ParsedDocument), document
            parsed.append((source, document))
    return parsed


@pytest.fixture(scope="session")
def indexed_unit_ids(parsed_corpus: list[tuple[Source, ParsedDocument]]) -> set[str]:
    """The ids of every unit with text that ingest writes to the index."""
    return {unit.id for _, document in parsed_corpus for unit in document.units if unit.paragraphs}


@pytest.fixture(scope="session")
def llm_endpoint() -> Iterator[ScriptedLLM]:
    with scripted_llm() as llm:
        yield llm


@pytest.fixture
def llm(llm_endpoint: ScriptedLLM) -> ScriptedLLM:
    """The scripted OpenAI-compatible endpoint, with no script and no requests recorded yet."""
    llm_endpoint.reply()
    return llm_endpoint


@pytest.fixture(scope="session")
def small_index(test_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Callable[[set[str]], Settings]:
    """Builds an index of a few registry sources with the real embedder, in its own folder, and closes it: the
    settings that open it (in this process or, through the environment, in a `hjemmel` process).
    """

    def build(sources: set[str]) -> Settings:
        scratch = tmp_path_factory.mktemp("index")
        settings = test_settings.model_copy(update={"index_dir": scratch / "index", "embedding_cache": scratch / "embeddings.sqlite"})
        # The user's embedding cache is keyed by model and text, so starting from a copy is exact and embeds only
        # what it lacks instead of whole acts.
        if get_settings().embedding_cache.is_file():
            shutil.copyfile(get_settings().embedding_cache, settings.embedding_cache)
        store = open_store(settings)
        ingestor = Ingestor(store, get_registry(), settings)
        report = ingestor.run(settings.corpus_dir, progress=False, only=sources)
        ingestor.close()
        store.close()
        assert not report.failed and {s.source_id for s in report.sources} == sources
        return settings

    return build
