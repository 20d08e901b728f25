"""The subject index (subjects.toml): from the legal questions users ask, in their words, to the provisions that govern them."""

import tomllib
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

SUBJECTS_PATH = Path(__file__).resolve().parent / "subjects.toml"


class Subject(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    terms: tuple[str, ...] = Field(min_length=1)
    units: tuple[str, ...] = Field(min_length=1)


@cache
def get_subjects(path: Path = SUBJECTS_PATH) -> tuple[Subject, ...]:
    with path.open("rb") as handle:
        return tuple(Subject(**entry) for entry in tomllib.load(handle)["subject"])
