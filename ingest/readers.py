"""Which reader reads which registry format; every reader takes the file and its registry entry."""

from collections.abc import Callable, Iterator
from pathlib import Path

from corpus.registry import Format, Source
from corpus.units import ParsedDocument
from ingest.eu_json import read_eu_json
from ingest.eu_markdown import read_eu_markdown
from ingest.eurlex import read_eurlex
from ingest.guidance import read_mdcg, read_seed_page
from ingest.html_page import read_html_page
from ingest.failures import ReadFailure
from ingest.lovdata import read_lovdata
from ingest.oj_pdf import read_oj_pdf

Reader = Callable[[Path, Source], Iterator[ParsedDocument | ReadFailure]]

READERS: dict[Format, Reader] = {
    "lovdata-xml": lambda path, source: read_lovdata(path),
    "eurlex-html": lambda path, source: read_eurlex(path),
    "oj-pdf": lambda path, source: read_oj_pdf(path, source.id),
    "eu-markdown": lambda path, source: read_eu_markdown(path),
    "eu-json": lambda path, source: read_eu_json(path),
    "mdcg-markdown": lambda path, source: read_mdcg(path, source.id, source.url),
    "guidance-text": lambda path, source: read_seed_page(path, source.id, source.url),
    "html-page": lambda path, source: read_html_page(path, source.id, source.url),
}


def read_source(path: Path, source: Source) -> Iterator[ParsedDocument | ReadFailure]:
    return READERS[source.format](path, source)
