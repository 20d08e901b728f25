"""The blind sets are frozen: each file's sha256 must equal the one its README states, and their gold must exist."""

import hashlib
import json
import re
from pathlib import Path

import pytest

from corpus.registry import get_registry
from evals.dataset import load_dataset

DATASETS = Path(__file__).resolve().parents[2] / "evals" / "datasets"
FROZEN = {
    "blind": ["queries.jsonl", "qrels.tsv"],
    "ask-blind": ["questions.jsonl"],
    "ask-near-blind": ["questions.jsonl"],
    "ask-fresh-blind": ["questions.jsonl"],
    "applicable-blind": ["projects.jsonl"],
}


@pytest.mark.parametrize(("dataset", "file"), [(d, f) for d, files in FROZEN.items() for f in files])
def test_blind_file_matches_the_hash_in_its_readme(dataset: str, file: str) -> None:
    readme = (DATASETS / dataset / "README.md").read_text(encoding="utf-8")
    stated = re.search(rf"\| `{re.escape(file)}` \| `([0-9a-f]{{64}})` \|", readme)
    assert stated, f"{dataset}/README.md states no sha256 for {file}"
    assert hashlib.sha256((DATASETS / dataset / file).read_bytes()).hexdigest() == stated.group(1)


def test_blind_gold_units_and_laws_exist(indexed_unit_ids: set[str]) -> None:
    dataset = load_dataset(DATASETS / "blind")
    assert len(dataset.queries) >= 80
    assert {u for judged in dataset.qrels.values() for u in judged} <= indexed_unit_ids
    for name, unanswerable in (("ask-blind", 12), ("ask-near-blind", 20), ("ask-fresh-blind", 20)):
        questions = [json.loads(line) for line in (DATASETS / name / "questions.jsonl").read_text().splitlines()]
        assert len(questions) >= 40 and sum(not q["answerable"] for q in questions) >= unanswerable
        assert {u for q in questions for u in q["gold"]} <= indexed_unit_ids
    registry = get_registry()
    projects = [json.loads(line) for line in (DATASETS / "applicable-blind" / "projects.jsonl").read_text().splitlines()]
    assert len(projects) >= 15
    for project in projects:
        assert all(registry.sources[law].kind != "veileder" for law in project["laws"])
        assert all(registry.agency(name) is not None for name in project["agencies"])
