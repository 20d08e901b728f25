"""`hjemmel corpus download` against a real HTTP server on loopback that serves a copy of some corpus files."""

import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from corpus.registry import get_registry
from ingest.download import Downloader

SERVED = {
    "LOV-2020-05-07-37": "lovdata-xml/gjeldende-lover/nl-20200507-037.xml",
    "32016R0679": "eu/gdpr_32016R0679_en.html",
    "guidance/ki-koordineringsprosjekt_veiledning-utproving-ki-2020": "guidance/ki-koordineringsprosjekt_veiledning-utproving-ki-2020.txt",
}
TRUNCATED = ("LOV-1999-07-02-64", "lovdata-xml/gjeldende-lover/nl-19990702-064.xml")
NOT_SERVED = "32024R1689"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged: the test's output stays readable."""


@pytest.fixture()
def mirror(corpus_dir: Path, tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "mirror"
    for file in SERVED.values():
        (root / file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(corpus_dir / file, root / file)
    (root / TRUNCATED[1]).write_bytes((corpus_dir / TRUNCATED[1]).read_bytes()[:20000])
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_download_verifies_each_file_and_says_why_one_failed(mirror: str, corpus_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "corpus"
    (target / TRUNCATED[1]).parent.mkdir(parents=True)
    (target / TRUNCATED[1]).write_bytes(b"previous version")
    wanted = {*SERVED, TRUNCATED[0], NOT_SERVED, "32017R0746"}
    results = {r.source_id: r for r in Downloader(get_registry(), target, base_url=mirror).run(wanted)}

    for source_id, file in SERVED.items():
        assert results[source_id].ok, results[source_id]
        assert (target / file).read_bytes() == (corpus_dir / file).read_bytes()
    assert not results[TRUNCATED[0]].ok and "truncated" in results[TRUNCATED[0]].detail
    assert (target / TRUNCATED[1]).read_bytes() == b"previous version"  # a bad download replaces nothing
    assert not results[NOT_SERVED].ok and "HTTP 404" in results[NOT_SERVED].detail
    assert not results["32017R0746"].ok and "by hand" in results["32017R0746"].detail


def test_unreachable_mirror_is_reported(tmp_path: Path) -> None:
    (result,) = Downloader(get_registry(), tmp_path, base_url="http://127.0.0.1:9").run({"LOV-2020-05-07-37"})
    assert not result.ok and "127.0.0.1:9" in result.detail
