"""Reader for agency guidance pages saved as HTML (helsedirektoratet.no, dmp.no, datatilsynet.no, …).

Finding the main text, without navigation, cookie banners, footers, scripts and styles, is Trafilatura's job,
run through Haystack's HTMLToDocument and asked for clean HTML back. Cutting that text into sections on its
headings, and the checks that turn a broken file into a one-line reason, are specific to this project and
written here with lxml.
"""

import re
from collections.abc import Iterator
from itertools import count
from pathlib import Path

from haystack.components.converters import HTMLToDocument
from haystack.dataclasses import ByteStream
from lxml import etree

from corpus.units import DocumentInfo, ParsedDocument, Unit
from ingest.failures import ReadFailure, SourceError, read_file

# Clean HTML keeps the headings that plain-text output would flatten; comments under a page are not guidance.
EXTRACTION = {"output_format": "html", "include_tables": True, "include_comments": False, "include_images": False}
_HEADING = re.compile(r"h([1-6])")
_BLOCKS = {"p", "div", "ul", "ol", "li", "table", "tr", "blockquote", "pre", "dl", "dt", "dd", "br"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.I)
_HTML_TAG = re.compile(rb"<(html|head|body)[\s>]", re.I)
# Norwegian pages say "no" as often as "nb"; bokmål is meant.
_LANGUAGES = {"no": "nb", "nob": "nb", "nno": "nn"}


class PageError(SourceError):
    """A file that is not a readable HTML page; the message names what is wrong."""


def _charset(data: bytes, origin: str) -> str:
    """The page's declared charset (UTF-8 if none), checked strictly: wrong bytes fail instead of becoming mojibake."""
    if not data.strip():
        raise PageError(f"{origin}: empty file")
    if b"\x00" in data:
        raise PageError(f"{origin}: binary data, not an HTML page")
    declared = _CHARSET.search(data[:4096])
    charset = next(filter(None, declared.groups())).decode("ascii") if declared else "utf-8"
    try:
        data.decode(charset)
    except LookupError as exc:
        raise PageError(f"{origin}: unknown charset {charset!r}") from exc
    except UnicodeDecodeError as exc:
        raise PageError(f"{origin}: not {charset} (byte 0x{data[exc.start]:02x} at offset {exc.start})") from exc
    if not _HTML_TAG.search(data):
        raise PageError(f"{origin}: not an HTML page (no <html>, <head> or <body> tag)")
    if b"</html>" not in data[-2048:].lower():
        raise PageError(f"{origin}: truncated (no closing </html>)")
    return charset


def _flat(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "")


def _text(el: etree._Element) -> str:
    """Text of one extracted block: list items and table rows on lines of their own."""
    if el.tag in {"ul", "ol"}:
        marks = (f"{n}." if el.tag == "ol" else "-" for n in count(1))
        return "\n".join(f"{mark} {_text(li)}" for mark, li in zip(marks, el.iterchildren("li"), strict=False))
    if el.tag == "table":
        return "\n".join(" ".join(filter(None, map(_text, row.iterchildren("td", "th")))) for row in el.iter("tr"))
    parts = [_flat(el.text)]
    for child in el:
        if isinstance(child.tag, str):
            parts.extend(("\n", _text(child), "\n") if child.tag in _BLOCKS else (_text(child),))
        parts.append(_flat(child.tail))
    return "\n".join(line for raw in "".join(parts).split("\n") if (line := " ".join(raw.split())))


def _sections(body: etree._Element, title: str) -> tuple[str, ...]:
    """The text cut before each top heading (h2 under an h1 title), each section led by its heading line.

    Deeper headings stay inside their section as lines; text before the first heading is led by the page title.
    """
    elements = [el for el in body if isinstance(el.tag, str)]
    blocks = [(int(m.group(1)) if (m := _HEADING.fullmatch(el.tag)) else 0, _text(el)) for el in elements]
    levels = {level for level, text in blocks if level and text}
    top = min(levels - {1}, default=1)
    sections: list[list[str]] = []
    for level, text in blocks:
        if not text:
            continue
        if level and level <= top:
            sections.append([text])
        elif sections:
            sections[-1].append(text)
        else:
            sections.append([title, text])
    return tuple("\n".join(lines) for lines in sections)


def parse_html_page(data: bytes, unit_id: str, url: str, origin: str) -> ParsedDocument:
    """One page as one unit split into sections. Raises PageError for a broken file or a page with no main text."""
    charset = _charset(data, origin)
    page = etree.fromstring(data, etree.HTMLParser(encoding=charset))
    converted = HTMLToDocument(extraction_kwargs=EXTRACTION, encoding=charset).run(sources=[ByteStream(data)])
    main = next((d.content for d in converted["documents"] if d.content), None)
    extracted = etree.HTML(main) if main else None
    body = extracted.find("body") if extracted is not None else None
    if page is None or body is None:
        raise PageError(f"{origin}: no main text found (only navigation, banners or an empty body)")

    h1 = body.find("h1")
    title = (_text(h1) if h1 is not None else "") or " ".join(page.findtext(".//title", "").split()) or unit_id
    # A page that does not say is taken as bokmål, as the agencies' own pages are.
    lang = (page.get("lang") or page.get("xml:lang") or "nb").split("-")[0].lower()
    language = _LANGUAGES.get(lang, lang)
    unit = Unit(
        id=unit_id,
        document_id=unit_id,
        label="",
        title=title,
        paragraphs=_sections(body, title),
        url=url,
        whole=False,
    )
    return ParsedDocument(info=DocumentInfo(id=unit_id, title=title, language=language), units=(unit,))


def read_html_page(path: Path, unit_id: str, url: str) -> Iterator[ParsedDocument | ReadFailure]:
    """A saved web page as one document; `unit_id` is its path under the corpus folder without extension."""
    return read_file(path, lambda data, origin: parse_html_page(data, unit_id, url, origin))
