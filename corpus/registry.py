"""The source registry: which documents the service can cite, under which names, and which agencies act on them.

The registry is data (``sources.toml`` and ``agencies.toml`` beside this module), not code, so that a lawyer can
correct a title or a role without touching Python. Everything is validated when it is loaded: a typo in an
agency id or two laws claiming the same abbreviation should stop the service at start-up, not give a wrong
citation later.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, ValidationError, field_validator

# «konvensjon» is a unit's kind, not a source's: a treaty an act carries in an annex (likestillings- og
# diskrimineringsloven's UN convention), which binds as the act's annex but is not its operative text.
Kind = Literal["lov", "forskrift", "eu-forordning", "eu-direktiv", "veileder", "konvensjon"]
Language = Literal["nb", "nn", "en"]
Format = Literal[
    "lovdata-xml", "eurlex-html", "oj-pdf", "eu-markdown", "eu-json", "mdcg-markdown", "guidance-text", "html-page"
]

HERE = Path(__file__).resolve().parent
SOURCES_PATH = HERE / "sources.toml"
AGENCIES_PATH = HERE / "agencies.toml"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _https(value: str) -> str:
    if not value.startswith("https://"):
        raise ValueError(f"url must be https: {value!r}")
    return value


HttpsUrl = Annotated[Text, AfterValidator(_https)]


def _key(text: str) -> str:
    """Lookup key: case, spacing and an abbreviation's period do not matter when a user types a name
    ("Helsepersonelloven ", "HPL", "pjl.")."""
    return " ".join(text.split()).casefold().removesuffix(".")


def _relpath(value: str) -> str:
    """Normalise a corpus-relative path so "./a/b.xml" and "a\\b.xml" find the same source."""
    return PurePosixPath(value.strip().replace("\\", "/")).as_posix().removeprefix("./")


class Agency(BaseModel, frozen=True, extra="forbid"):
    """A public body that interprets, supervises or decides under a source; kept apart so renames are one edit."""

    id: Text
    name: Text
    former_names: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    url: HttpsUrl
    description: Text

    @property
    def lookup_names(self) -> tuple[str, ...]:
        """Every string that should resolve to this agency, including names it no longer uses."""
        return (self.id, self.name, *self.former_names, *self.abbreviations)


class AgencyRole(BaseModel, frozen=True, extra="forbid"):
    """What one agency does under one source, in a sentence a user can act on (whom to ask, who decides)."""

    agency: Text  # Agency.id
    role: Text


class Source(BaseModel, frozen=True, extra="forbid"):
    """One citable document: its official id and title, the names people use for it, and where its text lives."""

    id: Text
    title: Text
    name: Text
    short_title: Text
    abbreviations: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    kind: Kind
    language: Language
    format: Format
    url: HttpsUrl
    file: str | None
    # Where `hjemmel corpus download` fetches the file from; for Lovdata a public-data bundle holding `file`'s name.
    download_url: str | None = None
    # The EU act's European Legislation Identifier.
    eli: str | None = None
    licence: Text
    attribution: Text
    agencies: tuple[AgencyRole, ...] = Field(min_length=1)
    # A page about the guidance service and the agencies (whom to ask, the coordination project), not about a rule.
    about_service: bool = False

    @field_validator("file")
    @classmethod
    def _relative(cls, value: str | None) -> str | None:
        if value is None:
            return None
        path = _relpath(value)
        if not path or path.startswith("/") or ".." in PurePosixPath(path).parts:
            raise ValueError(f"file must be a path inside the corpus folder: {value!r}")
        return path

    @property
    def lookup_names(self) -> tuple[str, ...]:
        """Every string a user might type for this source; the official id is included so ids resolve too."""
        return (self.id, self.name, self.short_title, *self.abbreviations, *self.aliases)


T = TypeVar("T", Source, Agency)


class Registry:
    """All sources and agencies, validated and indexed once; read-only so every stage sees the same answer."""

    def __init__(self, sources: Iterable[Source], agencies: Iterable[Agency]) -> None:
        self._sources = _unique_ids(sources, "source")
        self._agencies = _unique_ids(agencies, "agency")
        self.sources: Mapping[str, Source] = MappingProxyType(self._sources)
        self.agencies: Mapping[str, Agency] = MappingProxyType(self._agencies)
        self._agency_index = _name_index(self._agencies.values(), "agency")
        self._name_index = _name_index(self._sources.values(), "source")
        self._file_index: dict[str, Source] = {}
        for source in self._sources.values():
            for role in source.agencies:
                if role.agency not in self._agencies:
                    raise ValueError(f"source {source.id} names unknown agency {role.agency!r}; add it to agencies.toml")
            if source.file is not None:
                if (other := self._file_index.get(source.file)) is not None:
                    raise ValueError(f"file {source.file!r} is claimed by both {other.id} and {source.id}")
                self._file_index[source.file] = source

    def __setattr__(self, name: str, value: object) -> None:
        if hasattr(self, "_file_index"):
            raise AttributeError("Registry is immutable after load")
        super().__setattr__(name, value)

    def __repr__(self) -> str:
        return f"Registry({len(self._sources)} sources, {len(self._agencies)} agencies)"

    def source(self, source_id: str) -> Source:
        """The source with this official id; a missing id is a bug upstream, so it raises instead of returning None."""
        try:
            return self._sources[source_id]
        except KeyError:
            raise KeyError(f"unknown source id {source_id!r}; known ids are listed in corpus/sources.toml") from None

    def agency(self, name: str) -> Agency | None:
        """Resolve an id, current name, former name or abbreviation, so 2020 guidance naming
        «Statens legemiddelverk» still finds Direktoratet for medisinske produkter."""
        return self._agency_index.get(_key(name))

    def by_file(self, relpath: str) -> Source | None:
        """The source whose text is in this corpus-relative file, if any."""
        return self._file_index.get(_relpath(relpath))

    def sources_for_agency(self, name: str) -> list[Source]:
        """Sources the agency has a role under; goes through agency() so former names work."""
        agency = self.agency(name)
        if agency is None:
            return []
        return [s for s in self._sources.values() if any(r.agency == agency.id for r in s.agencies)]

    def lookup_name(self, text: str) -> Source | None:
        """A source by name, short title, abbreviation, alias or id, ignoring case ("hpl", "personvernforordningen")."""
        return self._name_index.get(_key(text))


def _unique_ids(items: Iterable[T], what: str) -> dict[str, T]:
    by_id: dict[str, T] = {}
    for item in items:
        if item.id in by_id:
            raise ValueError(f"duplicate {what} id {item.id!r}")
        by_id[item.id] = item
    return by_id


def _name_index(items: Iterable[T], what: str) -> dict[str, T]:
    """Map every lookup name to its owner; two owners for one name would make lookups arbitrary, so refuse."""
    index: dict[str, T] = {}
    for item in items:
        for raw in item.lookup_names:
            key = _key(raw)
            other = index.get(key)
            if other is not None and other.id != item.id:
                raise ValueError(f"{what} name {raw!r} is used by both {other.id} and {item.id}")
            index[key] = item
    return index


def _read_table(path: Path, table: str) -> list[dict]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    rows = data.get(table, [])
    if not isinstance(rows, list):
        raise ValueError(f"{path}: [[{table}]] must be an array of tables")
    return rows


def _parse(model: type[T], rows: list[dict], path: Path) -> list[T]:
    parsed: list[T] = []
    for number, row in enumerate(rows, start=1):
        try:
            parsed.append(model.model_validate(row))
        except ValidationError as error:
            label = row.get("id", f"entry {number}") if isinstance(row, dict) else f"entry {number}"
            raise ValueError(f"{path}: invalid {model.__name__.lower()} {label}: {error}") from error
    return parsed


def load_registry(sources_path: Path | None = None, agencies_path: Path | None = None) -> Registry:
    """Read and validate the registry; the defaults are the TOML files shipped beside this module."""
    sources_path = sources_path or SOURCES_PATH
    agencies_path = agencies_path or AGENCIES_PATH
    agencies = _parse(Agency, _read_table(agencies_path, "agency"), agencies_path)
    sources = _parse(Source, _read_table(sources_path, "source"), sources_path)
    return Registry(sources, agencies)


@lru_cache
def get_registry() -> Registry:
    """The shipped registry, loaded once per process."""
    return load_registry()
