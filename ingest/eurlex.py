"""Reader for EUR-Lex act pages (the Official Journal HTML of a regulation or directive, one file per act).

lxml parses the page. What the page means is EUR-Lex's own markup, known to no library, so walking it is
written here: `eli-subdivision` ids (`rct_4`, `art_9`, annex containers `anx_III`), chapter and section divs
headed by `oj-ti-section-*`, points laid out as two-cell tables, and footnote anchors (`ntc…` in the text,
`ntr…` on the `oj-note` paragraphs).
"""

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from corpus.units import DocumentInfo, ParsedDocument, Unit
from ingest.failures import ReadFailure, SourceError, read_file

EURLEX_URL = "https://eur-lex.europa.eu/legal-content/{lang}/TXT/?uri=CELEX:{celex}#{anchor}"

# eli-subdivision prefix -> (unit id stem, label word).
_KINDS = {"rct": ("rec", "recital"), "art": ("art", "art."), "anx": ("annex", "annex")}
_UNIT_ID = re.compile(r"(rct|art|anx)_(\d+|[IVXLC]+)")
# Printed above a provision's text, so not part of it: "Article 9", its title, "ANNEX III" and the annex title.
_TITLE_CLASSES = {"oj-ti-art", "eli-title", "oj-doc-ti"}
_BLOCKS = {"p", "div", "table", "ul", "ol", "li", "br", "hr"}
_HIDDEN = {"script", "style", "col", "colgroup"}
# A numbered paragraph or point ("1.", "(12)") stands alone; "(a)", "(iv)" and "—" points belong to the text before.
_NUMBERED = re.compile(r"\(?\d+\)?(\.\d+)*\.?")
# Stand-in for a removed footnote mark, so "Council (19);" becomes "Council;" and not "Council ;".
_MARK = "\x00"
_ELI = re.compile(r"http://data\.europa\.eu/eli/(reg|dir|dec)(?:_impl|_del)?/(\d{4})/(\d+)/oj")
# CELEX numbers: sector 3 (legislation), year, type letter (R regulation, L directive, D decision), number.
_ELI_TYPES = {"reg": "R", "dir": "L", "dec": "D"}
_TITLE_TYPES = {"REGULATION": "R", "DIRECTIVE": "L", "DECISION": "D"}
_TITLE_NUMBER = re.compile(r"\b(REGULATION|DIRECTIVE|DECISION) \((?:EU|EU, Euratom)\) (\d{4})/(\d+)\b")
_FILE_CELEX = re.compile(r"_(\d{5}[A-Z]\d{4})_")


class EurLexError(SourceError):
    """A file that is not a readable EUR-Lex act page; the message names what is wrong."""


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _visible(el: etree._Element) -> bool:
    return isinstance(el.tag, str) and el.tag not in _HIDDEN and "oj-note" not in _classes(el)


def _is_mark(el: etree._Element) -> bool:
    """A footnote anchor: `(19)` in the text, or the number in front of the note itself."""
    return el.tag == "a" and (el.get("href") or "").startswith(("#ntr", "#ntc"))


def _is_block(el: etree._Element) -> bool:
    return el.tag in _BLOCKS and "inline" not in (el.get("style") or "")


def _flat(text: str | None) -> str:
    """Source line breaks are layout, not text."""
    return re.sub(r"\s+", " ", text or "")


def _clean(text: str) -> str:
    text = re.sub(rf"\s*{_MARK}(?=[,.;:)])", "", text).replace(_MARK, "")
    return "\n".join(line for raw in text.split("\n") if (line := " ".join(raw.split())))


def _inline(el: etree._Element) -> str:
    parts = [_flat(el.text)]
    for child in el:
        if _is_mark(child):
            parts.append(_MARK)
        elif _visible(child):
            parts.append(_inline(child))
        parts.append(_flat(child.tail))
    return "".join(parts)


def _text(el: etree._Element) -> str:
    """Visible text: blocks on their own lines, a point's number and text on one line, footnotes left out."""
    if el.tag == "table":
        rows = el.xpath("./tr | ./*/tr")
        return "\n".join(" ".join(t for cell in row.xpath("./td | ./th") if (t := _text(cell))) for row in rows)
    parts = [_flat(el.text)]
    for child in el:
        if _is_mark(child):
            parts.append(_MARK)
        elif _visible(child):
            parts.extend(("\n", _text(child), "\n") if _is_block(child) else (_inline(child),))
        parts.append(_flat(child.tail))
    return _clean("".join(parts))


def _point_label(table: etree._Element) -> str:
    return next((t for cell in table.xpath("./tr/td | ./*/tr/td") if (t := _text(cell))), "")


def _paragraphs(container: etree._Element) -> tuple[str, ...]:
    """One string per numbered paragraph or point; lettered points and indents join the paragraph they complete."""
    paragraphs: list[str] = []
    for child in container:
        if not _visible(child) or _classes(child) & _TITLE_CLASSES or not (text := _text(child)):
            continue
        if paragraphs and child.tag == "table" and not _NUMBERED.fullmatch(_point_label(child)):
            paragraphs[-1] += "\n" + text
        else:
            paragraphs.append(text)
    return tuple(paragraphs)


def _heading(el: etree._Element) -> str:
    """Chapter and section headings above a provision, outermost first: "CHAPTER III Rights … > Section 1 …"."""
    titles = []
    for div in el.iterancestors("div"):
        if number := div.xpath('./p[contains(@class,"oj-ti-section-1")]'):
            name = div.xpath('./div[contains(@class,"eli-title")]')
            titles.append(" ".join(filter(None, (_text(number[0]), _text(name[0]) if name else ""))))
    return " > ".join(reversed(titles))


def _own_eli(root: etree._Element) -> str:
    """The act's ELI as printed at the foot of the page (L series since 2023); footnotes cite other acts' ELIs."""
    footer = '//p[starts-with(normalize-space(),"ELI:")][not(ancestor::div[contains(@class,"eli-container")])]'
    for p in root.xpath(footer):
        if "oj-note" not in _classes(p) and (found := _ELI.search(_text(p))):
            return found.group(0)
    return ""


def _celex(root: etree._Element, eli: str, title: str, file_name: str) -> str:
    """CELEX number from the canonical link, else the ELI, else the act's number in its title, else the file name."""
    for href in root.xpath('//link[@rel="canonical"]/@href'):
        if found := re.search(r"CELEX:(3\d{4}[A-Z]\d{4})", unquote(href)):
            return found.group(1)
    if found := _ELI.search(eli):
        kind, year, number = found.groups()
        return f"3{year}{_ELI_TYPES[kind]}{int(number):04d}"
    if found := _TITLE_NUMBER.search(title):
        kind, year, number = found.groups()
        return f"3{year}{_TITLE_TYPES[kind]}{int(number):04d}"
    found = _FILE_CELEX.search(file_name)
    return found.group(1) if found else ""


def _check_bytes(data: bytes, origin: str) -> None:
    """EUR-Lex serves UTF-8 only; undecodable bytes mean a re-saved or foreign file, not text to guess at."""
    if not data.strip():
        raise EurLexError(f"{origin}: empty file")
    if b"\x00" in data:
        raise EurLexError(f"{origin}: binary data, not an HTML page")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EurLexError(f"{origin}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})") from exc
    if not data.rstrip().lower().endswith(b"</html>"):
        raise EurLexError(f"{origin}: truncated (no closing </html>)")


def parse_eurlex(data: bytes, origin: str) -> ParsedDocument:
    """Read one act page into recitals, articles and annexes, in document order. Raises EurLexError for a bad file."""
    _check_bytes(data, origin)
    root = etree.fromstring(data, etree.HTMLParser(encoding="utf-8"))
    divs = [] if root is None else root.iter("div")
    provisions = [(div, match) for div in divs if (match := _UNIT_ID.fullmatch(div.get("id") or ""))]
    if not provisions:
        raise EurLexError(f"{origin}: not a EUR-Lex act (no eli-subdivision ids such as art_1 or rct_1)")

    title = " ".join(
        text
        for p in root.xpath('//div[contains(@class,"eli-main-title")]/p')
        if (text := _text(p)) and text.lower() != "(text with eea relevance)"
    )
    eli = _own_eli(root)
    celex = _celex(root, eli, title, Path(origin).name)
    if not celex:
        raise EurLexError(f"{origin}: no CELEX number in the page or the file name")
    language = (root.xpath('string(//p[contains(@class,"oj-hd-lg")])').strip() or "en").lower()
    short_title = re.search(r"\(([A-Z][^()]*)\)$", title)
    info = DocumentInfo(
        id=celex,
        title=title or celex,
        short_title=short_title.group(1) if short_title else "",
        dokid=eli,
        language=language,
    )
    notes = {
        anchor.get("id"): _text(anchor.getparent())
        for anchor in root.xpath('//p[contains(concat(" ",@class," ")," oj-note ")]/a[starts-with(@id,"ntr")]')
    }

    units: list[Unit] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for order, (element, match) in enumerate(provisions):
        kind, number = match.groups()
        stem, word = _KINDS[kind]
        unit_id = f"{celex}/{stem}{number}"
        if unit_id in seen:
            warnings.append(f"{origin}: duplicate {match.group(0)}; kept the first")
            continue
        seen.add(unit_id)
        if kind == "rct":
            # A recital is one two-cell row, "(4)" | text; the label carries the number.
            cell = element.xpath("./table//tr/td[last()]")
            paragraphs = tuple(filter(None, (_text(cell[0]),))) if cell else _paragraphs(element)
            title = ""
        elif kind == "art":
            head = element.xpath('./div[contains(@class,"eli-title")]')
            paragraphs, title = _paragraphs(element), _text(head[0]) if head else ""
        else:
            paragraphs = _paragraphs(element)
            title = " ".join(_text(p) for p in element.xpath('./p[contains(@class,"oj-doc-ti")]')[1:])
        if not paragraphs:
            warnings.append(f"{origin}: {word} {number} has no text")
        marks = [a.get("href")[1:] for a in element.xpath('.//a[starts-with(@href,"#ntr")]')]
        warnings.extend(
            f"{origin}: {word} {number}: footnote ({mark[3:].split('-')[0]}) has no note"
            for mark in marks
            if mark not in notes
        )
        units.append(
            Unit(
                id=unit_id,
                document_id=celex,
                label=f"{word} {number}",
                title=title,
                paragraphs=paragraphs,
                url=EURLEX_URL.format(lang=language.upper(), celex=celex, anchor=match.group(0)),
                heading=_heading(element),
                order=order,
                footnotes=tuple(dict.fromkeys(notes[mark] for mark in marks if mark in notes)),
            )
        )
    return ParsedDocument(info=info, units=tuple(units), warnings=tuple(warnings))


def read_eurlex(path: Path) -> Iterator[ParsedDocument | ReadFailure]:
    """The act in one EUR-Lex page; a bad file is yielded as a ReadFailure, not raised."""
    return read_file(path, parse_eurlex)
