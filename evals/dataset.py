"""A BEIR-style retrieval dataset: `queries.jsonl` and `qrels.tsv` in one folder, checked line by line.

queries.jsonl: one JSON object a line with `_id`, `text` and optionally `lang` (other fields are ignored).
qrels.tsv: a `query-id<TAB>corpus-id<TAB>score` header, then one judgement a line; `corpus-id` is a canonical
unit id and `score` a grade: 2 = the answer, 1 = relevant, 0 = judged not relevant (kept out of scoring).
Only queries with at least one relevant judgement are evaluated.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

QUERIES_FILE = "queries.jsonl"
QRELS_FILE = "qrels.tsv"
QRELS_HEADER = ("query-id", "corpus-id", "score")
GRADES = (0, 1, 2)
UNKNOWN_LANG = "und"  # BCP 47 "undetermined", for queries without `lang`


class DatasetError(ValueError):
    """The dataset cannot be read; the message names the file and, where it applies, the line."""


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    lang: str


@dataclass(frozen=True)
class Dataset:
    name: str
    queries: dict[str, Query]  # only the evaluated ones, in file order
    qrels: dict[str, dict[str, int]]  # query id -> unit id -> grade (>= 1)

    @property
    def gold_ids(self) -> list[str]:
        return sorted({unit_id for judged in self.qrels.values() for unit_id in judged})


def _require(path: Path) -> None:
    if not path.is_file():
        raise DatasetError(f"{path}: not found (a dataset folder holds {QUERIES_FILE} and {QRELS_FILE})")


def json_records(path: Path) -> Iterator[tuple[str, dict]]:
    """(`file:line`, object) for each non-blank line of a JSON-lines file; a line that is not a JSON object is refused."""
    try:
        lines = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(f"{path}: not found") from None
    with lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{where}: not valid JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise DatasetError(f"{where}: expected a JSON object with _id and text")
            yield where, record


T = TypeVar("T")


def read_records(path: Path, parse: Callable[[str, dict], T], what: str) -> list[T]:
    """`parse(file:line, object)` for each line of a JSON-lines file; a missing or mistyped field is refused with its
    place, and so is a file without any `what`.
    """
    items = []
    for where, record in json_records(path):
        try:
            items.append(parse(where, record))
        except (KeyError, TypeError) as error:
            raise DatasetError(f"{where}: missing or invalid field {error}") from None
    if not items:
        raise DatasetError(f"{path}: no {what}")
    return items


def read_queries(path: Path) -> dict[str, Query]:
    _require(path)
    queries: dict[str, Query] = {}
    for where, record in json_records(path):
        query_id, text, lang = record.get("_id"), record.get("text"), record.get("lang", UNKNOWN_LANG)
        if not isinstance(query_id, str | int) or isinstance(query_id, bool) or not str(query_id).strip():
            raise DatasetError(f"{where}: missing or empty _id")
        if not isinstance(text, str) or not text.strip():
            raise DatasetError(f"{where}: query {query_id!r} has a missing or empty text")
        if not isinstance(lang, str) or not lang.strip():
            raise DatasetError(f"{where}: query {query_id!r} has an invalid lang {lang!r}")
        query_id = str(query_id)
        if query_id in queries:
            raise DatasetError(f"{where}: duplicate query id {query_id!r}")
        queries[query_id] = Query(query_id, text.strip(), lang.strip().lower())
    if not queries:
        raise DatasetError(f"{path}: no queries")
    return queries


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """Every judgement by query, grade-0 ones included."""
    _require(path)
    qrels: dict[str, dict[str, int]] = {}
    seen: set[tuple[str, str]] = set()
    with path.open(encoding="utf-8") as lines:
        header = next(lines, "").rstrip("\r\n")
        if tuple(h.strip() for h in header.split("\t")) != QRELS_HEADER:
            raise DatasetError(f"{path}:1: expected the header line {'<TAB>'.join(QRELS_HEADER)}, got {header!r}")
        for number, line in enumerate(lines, 2):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            fields = [f.strip() for f in line.rstrip("\r\n").split("\t")]
            if len(fields) != 3 or not all(fields):
                raise DatasetError(f"{where}: expected 3 tab-separated fields (query-id, corpus-id, score), got {line.strip()!r}")
            query_id, unit_id, grade_text = fields
            try:
                grade = int(grade_text)
            except ValueError:
                grade = None
            if grade not in GRADES:
                raise DatasetError(f"{where}: score must be one of {', '.join(map(str, GRADES))}, got {grade_text!r}")
            if (query_id, unit_id) in seen:
                raise DatasetError(f"{where}: {unit_id!r} is judged twice for query {query_id!r}")
            seen.add((query_id, unit_id))
            qrels.setdefault(query_id, {})[unit_id] = grade
    return qrels


def load_dataset(folder: Path) -> Dataset:
    if not folder.is_dir():
        raise DatasetError(f"{folder}: dataset folder not found")
    queries = read_queries(folder / QUERIES_FILE)
    qrels = read_qrels(folder / QRELS_FILE)
    orphans = sorted(set(qrels) - set(queries))
    if orphans:
        raise DatasetError(f"{folder / QRELS_FILE}: judgements for query ids not in {QUERIES_FILE}: {', '.join(orphans)}")
    # Grade 0 adds nothing to the metrics: it is dropped, and a query left without a relevant unit is not evaluated.
    relevant = {qid: {uid: g for uid, g in judged.items() if g > 0} for qid, judged in qrels.items()}
    evaluated = {qid: query for qid, query in queries.items() if relevant.get(qid)}
    if not evaluated:
        raise DatasetError(f"{folder / QRELS_FILE}: no relevant judgements (score 1 or 2)")
    return Dataset(name=folder.resolve().name, queries=evaluated, qrels={qid: relevant[qid] for qid in evaluated})
