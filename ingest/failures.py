"""How readers report a file they cannot read: one line naming the file and what is wrong, never a traceback."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from corpus.units import ParsedDocument


@dataclass(frozen=True)
class ReadFailure:
    origin: str
    reason: str


class SourceError(ValueError):
    """A file that is not what its format promises (empty, truncated, binary, wrong encoding, foreign)."""


Parse = Callable[[bytes, str], ParsedDocument]


def parse_or_fail(data: bytes, origin: str, parse: Parse) -> ParsedDocument | ReadFailure:
    try:
        return parse(data, origin)
    except SourceError as exc:
        return ReadFailure(origin, str(exc).removeprefix(f"{origin}: "))


def read_file(path: Path, parse: Parse) -> Iterator[ParsedDocument | ReadFailure]:
    """The one document in a file, or the reason it could not be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield ReadFailure(str(path), f"unreadable ({exc.strerror or exc})")
        return
    yield parse_or_fail(data, str(path), parse)
