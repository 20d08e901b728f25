"""The subject index (subjects.toml): from the legal questions users ask, in their words, to the provisions that govern them."""

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from corpus.provenance import Provenance, load_entries

SUBJECTS_PATH = Path(__file__).resolve().parent / "subjects.toml"


class Subject(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    terms: tuple[str, ...] = Field(min_length=1)
    units: tuple[str, ...] = Field(min_length=1)
    source: Provenance


@cache
def get_subjects(path: Path = SUBJECTS_PATH) -> tuple[Subject, ...]:
    return load_entries(Subject, path, "subject", "name")
