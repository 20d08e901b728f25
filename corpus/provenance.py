"""Provenance of the curated knowledge (subjects.toml, glossary.toml, topics.toml): every entry cites where its words
come from, so a reader can check a term or a trigger against the law or guidance instead of taking it on trust.

A reference is a unit id the corpus holds («LOV-1999-07-02-64/§29», «32024R1689/art3»), optionally narrowed to one
numbered or lettered point of it («32024R1689/art3 (4)», «LOV-2014-06-20-42/§2 (d)»), or the registry id of a
guidance document. tests/corpus/test_provenance.py checks each against the parsed corpus.
"""

import re
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

_REFERENCE = re.compile(r"(?P<target>[^\s()]+)(?: \((?P<point>\d+[a-z]?|[a-z])\))?")
# A line that opens a point: «(4) ‘deployer’ …» (EU), «4. «personopplysninger» …» (GDPR in Norwegian), «d. …» (Lovdata).
_POINT = re.compile(r"^\(?(?P<point>\d+[a-z]?|[a-z])[.)]\s", re.MULTILINE)

Entry = TypeVar("Entry", bound=BaseModel)


class Reference(BaseModel):
    """Where an entry's terms come from: a provision, one point of it, or a guidance document."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    target: str
    point: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        """TOML writes a reference as one string, «unit» or «unit (point)»; a typo in the syntax fails at load."""
        if not isinstance(value, str):
            return value
        match = _REFERENCE.fullmatch(value)
        if match is None:
            raise ValueError(f"reference {value!r} is not «unit id» or «unit id (point)»")
        return match.groupdict()

    def __str__(self) -> str:
        return f"{self.target} ({self.point})" if self.point else self.target

    def passage(self, text: str) -> str | None:
        """The cited part of a unit's text: all of it, or the point's lines up to the next point; None when the text
        has no such point, which makes the reference wrong."""
        if self.point is None:
            return text
        matches = list(_POINT.finditer(text))
        for match, following in zip(matches, [*matches[1:], None]):
            if match["point"] == self.point:
                return text[match.start() : following.start() if following else len(text)]
        return None


# An entry's `source`, required: empty only where the corpus has no source for it, which its TOML marks with a comment
# and the provenance test's allow-list names.
Provenance = tuple[Reference, ...]


def read_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def load_entries(
    model: type[Entry], path: Path, table: str, label: str, document: dict[str, Any] | None = None
) -> tuple[Entry, ...]:
    """The `[[table]]` entries of a TOML file (or of its `document`, when the caller has read it for other keys), each
    validated; a missing `source` or any invalid field names the entry (by its `label` field), so the fix is one
    search away."""
    rows = (document if document is not None else read_toml(path))[table]
    entries = []
    for number, row in enumerate(rows, start=1):
        name = row.get(label)
        name = name[0] if isinstance(name, list) and name else name or f"number {number}"
        if "source" not in row:
            raise ValueError(f"{path}: {table} {name!r} has no `source`; cite the provision or guidance its terms come from")
        try:
            entries.append(model.model_validate(row))
        except ValidationError as error:
            raise ValueError(f"{path}: invalid {table} {name!r}: {error}") from error
    return tuple(entries)
