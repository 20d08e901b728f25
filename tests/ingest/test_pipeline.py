"""Ingest into a real embedded index with the real embedding model, on real Lovdata files."""

import shutil
from pathlib import Path

import pytest

from corpus.registry import get_registry
from corpus.settings import Settings
from index.store import open_store
from ingest.pipeline import Ingestor

MDL = "LOV-2020-05-07-37"  # lov om medisinsk utstyr: small, so the embedding stays quick
MDL_FILE = "lovdata-xml/gjeldende-lover/nl-20200507-037.xml"


@pytest.fixture()
def corpus_copy(corpus_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "corpus" / MDL_FILE
    target.parent.mkdir(parents=True)
    shutil.copy(corpus_dir / MDL_FILE, target)
    return tmp_path / "corpus"


def test_reingest_skips_unchanged_and_replaces_changed(corpus_copy: Path, tmp_path: Path, test_settings: Settings) -> None:
    settings = test_settings.model_copy(update={"index_dir": tmp_path / "index", "corpus_dir": corpus_copy})
    store = open_store(settings)
    ingestor = Ingestor(store, get_registry(), settings)

    first = ingestor.run(corpus_copy, progress=False, only={MDL})
    (report,) = first.sources
    assert not report.failed and not report.skipped and report.units == 17
    points = store.count_documents()
    assert points == report.chunks >= 17

    again = ingestor.run(corpus_copy, progress=False, only={MDL})
    assert again.sources[0].skipped and store.count_documents() == points

    # Drop § 17 from the file: the new version replaces the old, with no stale chunk left behind.
    path = corpus_copy / MDL_FILE
    text = path.read_text(encoding="utf-8")
    start = text.index('<article class="legalArticle" data-lovdata-URL="NL/lov/2020-05-07-37/§17"')
    end = text.index("</main>")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    changed = ingestor.run(corpus_copy, progress=False, only={MDL})
    assert changed.sources[0].units == 16
    unit_ids = {d.meta["unit_id"] for d in store.filter_documents()}
    assert f"{MDL}/§17" not in unit_ids and f"{MDL}/§16" in unit_ids
    assert len({d.meta["content_hash"] for d in store.filter_documents()}) == 1
    store.close()


def test_unreadable_source_is_reported(tmp_path: Path, test_settings: Settings) -> None:
    settings = test_settings.model_copy(update={"index_dir": tmp_path / "index"})
    store = open_store(settings)
    report = Ingestor(store, get_registry(), settings).run(tmp_path / "no-corpus", progress=False, only={MDL})
    assert report.failed and "unreadable" in report.failed[0].failed
    assert store.count_documents() == 0
    store.close()
