"""Every gold unit of the retrieval sets (dev, held-out test) and of the held-out answer set is a unit the ingest
writes to the index (read from the real corpus, no embedding), and every law and agency of the held-out
applicability sets is a registry id and an agency name."""

import json
from pathlib import Path

import pytest

from corpus.registry import get_registry
from evals.dataset import load_dataset

DATASETS = Path(__file__).resolve().parents[2] / "evals/datasets"
RETRIEVAL_SETS = ("dev", "test")
ASK_SETS = ("ask-heldout",)
APPLICABLE_SETS = ("applicable-heldout", "applicable-test")


@pytest.mark.parametrize("name", RETRIEVAL_SETS)
def test_every_gold_id_is_an_indexed_unit(name: str, indexed_unit_ids: set[str]) -> None:
    missing = sorted(set(load_dataset(DATASETS / name).gold_ids) - indexed_unit_ids)
    assert not missing, missing


@pytest.mark.parametrize("name", ASK_SETS)
def test_every_ask_gold_id_is_an_indexed_unit(name: str, indexed_unit_ids: set[str]) -> None:
    lines = (DATASETS / name / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    assert questions
    assert len({q["_id"] for q in questions}) == len(questions)
    for question in questions:
        assert set(question) >= {"_id", "text", "lang", "answerable", "gold"}, question["_id"]
        assert question["lang"] in {"nb", "nn", "en"}, question["_id"]
        assert bool(question["gold"]) == question["answerable"], question["_id"]
        missing = sorted(set(question["gold"]) - indexed_unit_ids)
        assert not missing, (question["_id"], missing)


@pytest.mark.parametrize("name", APPLICABLE_SETS)
def test_applicable_laws_and_agencies_are_in_the_registry(name: str) -> None:
    registry = get_registry()
    laws = {source.id for source in registry.sources.values() if source.kind != "veileder"}
    agencies = {agency.name for agency in registry.agencies.values()}
    lines = (DATASETS / name / "projects.jsonl").read_text(encoding="utf-8").splitlines()
    projects = [json.loads(line) for line in lines if line.strip()]
    assert projects
    for project in projects:
        assert set(project) >= {"_id", "text", "lang", "laws", "agencies"}, project["_id"]
        assert project["lang"] in {"nb", "nn", "en"}, project["_id"]
        assert not set(project["laws"]) - laws, (project["_id"], sorted(set(project["laws"]) - laws))
        assert not set(project["agencies"]) - agencies, (project["_id"], sorted(set(project["agencies"]) - agencies))
