"""Every gold unit of the dev set is a unit the ingest writes to the index (read from the real corpus, no embedding)."""

from pathlib import Path

from corpus.registry import get_registry
from corpus.units import ParsedDocument
from evals.dataset import load_dataset
from ingest.readers import read_source

DEV = Path(__file__).resolve().parents[2] / "evals/datasets/dev"


def test_every_gold_id_is_an_indexed_unit(corpus_dir: Path) -> None:
    indexed: set[str] = set()
    for source in get_registry().sources.values():
        if source.file is None:
            continue
        for parsed in read_source(corpus_dir / source.file, source):
            assert isinstance(parsed, ParsedDocument), parsed
            indexed |= {unit.id for unit in parsed.units if unit.paragraphs}
    missing = sorted(set(load_dataset(DEV).gold_ids) - indexed)
    assert not missing, missing
