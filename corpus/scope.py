"""Areas of law and kinds of source outside the registry (scope.toml): questions no registered text answers, and the
acts or collections that do.

A question about notice periods, HIPAA or a Supreme Court judgment still finds provisions on employment in a crisis,
on health data or on confidentiality, and their best sentences can score as high as real answers; knowing what the
registry does not hold lets the answerer say so, and name what to read instead, rather than quote a provision that
does not answer.
"""

from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from corpus.provenance import load_entries

SCOPE_PATH = Path(__file__).resolve().parent / "scope.toml"

Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]


class ActElsewhere(BaseModel):
    """An act or regime that governs an area, or the collection that publishes a kind of source; the registry holds
    none of them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    name_en: str
    url: Url


class Area(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    name_en: str
    # Another country's regime, as opposed to Norwegian law the registry does not hold (search/scope.py).
    foreign: bool = False
    acts: tuple[ActElsewhere, ...] = Field(min_length=1)
    terms: tuple[str, ...] = Field(min_length=1)
    # Public pages the acts and terms come from: the corpus holds none of these acts, so no unit id can be cited.
    source: tuple[Url, ...] = Field(min_length=1)


@cache
def get_scope(path: Path = SCOPE_PATH) -> tuple[Area, ...]:
    return load_entries(Area, path, "area", "id")
