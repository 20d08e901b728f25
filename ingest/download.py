"""Fetch the registry's sources from their official addresses into a corpus folder, for users with internet.

Each file is checked before it replaces anything: it must be non-empty and parse with the reader its format
names. Lovdata publishes its public data as bundles, so a Lovdata source is taken out of its bundle by file name.
"""

import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from corpus.registry import Registry, Source
from corpus.units import ParsedDocument
from ingest.readers import read_source

TIMEOUT = httpx.Timeout(60.0, connect=10.0)


@dataclass(frozen=True)
class DownloadResult:
    source_id: str
    file: str
    ok: bool
    detail: str


class DownloadError(Exception):
    """One source could not be fetched or verified; the message says why in one line."""


def _fetch(client: httpx.Client, url: str, target: Path) -> None:
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise DownloadError(f"HTTP {response.status_code} from {url}")
            with target.open("wb") as handle:
                for block in response.iter_bytes():
                    handle.write(block)
    except httpx.HTTPError as exc:
        raise DownloadError(f"{url}: {exc.__class__.__name__}: {exc}") from exc


def _from_bundle(bundle: Path, name: str, target: Path) -> None:
    try:
        with tarfile.open(bundle, "r:*") as archive:
            member = next((m for m in archive if m.isfile() and Path(m.name).name == name), None)
            handle = archive.extractfile(member) if member else None
            if handle is None:
                raise DownloadError(f"{name} is not in the bundle {bundle.name}")
            target.write_bytes(handle.read())
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DownloadError(f"bundle {bundle.name} is unreadable ({exc})") from exc


def _verify(path: Path, source: Source) -> str:
    if path.stat().st_size == 0:
        raise DownloadError("empty file")
    units = 0
    for parsed in read_source(path, source):
        if not isinstance(parsed, ParsedDocument):
            raise DownloadError(f"does not parse as {source.format}: {parsed.reason}")
        units += len(parsed.units)
    if not units:
        raise DownloadError(f"no provisions found when read as {source.format}")
    return f"{path.stat().st_size} bytes, {units} units"


class Downloader:
    """Downloads into `target`; `base_url` replaces the official addresses with `<base_url>/<corpus path>` (a mirror)."""

    def __init__(self, registry: Registry, target: Path, base_url: str | None = None) -> None:
        self.registry = registry
        self.target = target
        self.base_url = base_url.rstrip("/") if base_url else None
        self._bundles: dict[str, Path] = {}

    def _url(self, source: Source) -> str:
        if self.base_url:
            return f"{self.base_url}/{source.file}"
        if not source.download_url:
            raise DownloadError("no official download address (a derived file): copy it into the corpus by hand")
        return source.download_url

    def _get(self, client: httpx.Client, source: Source, scratch: Path) -> Path:
        url = self._url(source)
        name = Path(source.file or "").name
        fetched = scratch / f"{len(list(scratch.iterdir()))}-{name}"
        if self.base_url or not url.endswith((".tar.bz2", ".tar.gz")):
            _fetch(client, url, fetched)
            return fetched
        if url not in self._bundles:
            self._bundles[url] = scratch / f"bundle-{len(self._bundles)}"
            _fetch(client, url, self._bundles[url])
        _from_bundle(self._bundles[url], name, fetched)
        return fetched

    def run(self, only: set[str] | None = None) -> Iterator[DownloadResult]:
        sources = [s for s in self.registry.sources.values() if s.file and (only is None or s.id in only)]
        with tempfile.TemporaryDirectory() as tmp, httpx.Client(timeout=TIMEOUT, follow_redirects=True) as client:
            scratch = Path(tmp)
            for source in sources:
                file = source.file or ""
                try:
                    if source.format == "eu-markdown":
                        raise DownloadError("a folder of per-article files has no single download: copy it by hand")
                    fetched = self._get(client, source, scratch)
                    detail = _verify(fetched, source)
                except DownloadError as exc:
                    yield DownloadResult(source.id, file, False, str(exc))
                    continue
                destination = self.target / file
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(fetched, destination)
                yield DownloadResult(source.id, file, True, detail)
