"""Readers for guidance without legal units: MDCG documents (pdftotext Markdown) and Norwegian agency web pages.

Each document becomes one unit (`whole=False`: a hit shows its section, not the whole document) whose paragraphs
are the document's sections, each beginning with its heading line. PyYAML reads the MDCG front matter; the rest
is hand-written because no library undoes pdftotext's output (running headers, page numbers, footnotes at the
page foot, the contents list, lines broken mid-paragraph) or knows which short lines of an agency page are headings.
"""

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import yaml

from corpus.units import DocumentInfo, ParsedDocument, Unit
from ingest.failures import ReadFailure, SourceError, read_file

_SPACE = re.compile(r"[ \t\u00a0]+")
# A sentence's end, possibly followed by footnote calls ("… medical device; 7", "… users). 22, 23").
_TERMINAL = re.compile(r"[.:;!?]['’”»)]?(?:\s\d{1,2}(?:,\s?\d{1,2})*)?$")


class GuidanceError(SourceError):
    """A file that is not a readable guidance document; the message names what is wrong."""


def _decode(data: bytes) -> str:
    """Text of a UTF-8 file; empty files, other encodings and binary data are refused with a reason."""
    if not data.strip():
        raise GuidanceError("empty file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GuidanceError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); wrong encoding?") from exc
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\n\r\t\f")
    if "\x00" in text or controls * 100 > len(text):
        raise GuidanceError("binary data, not text")
    if not text.strip():
        raise GuidanceError("empty file")
    return text.replace("\r\n", "\n")


def _clean(line: str) -> str:
    return _SPACE.sub(" ", line).strip()


def _document(
    info: DocumentInfo, url: str, sections: list[str], footnotes: list[str] | None = None, warnings: list[str] | None = None
) -> ParsedDocument:
    """The document as its one unit, cited by the document's name (no label)."""
    unit = Unit(
        id=info.id,
        document_id=info.id,
        label="",
        title=info.title,
        paragraphs=tuple(sections),
        url=url,
        whole=False,
        footnotes=tuple(footnotes or ()),
    )
    return ParsedDocument(info=info, units=(unit,), warnings=tuple(warnings or ()))

# --- MDCG guidance: pdftotext output with a YAML front matter -------------------------------------------------

_PAGE_OF = re.compile(r"Page \d+ of \d+")
_PAGE_NUMBER = re.compile(r"\d{1,3}")
_CONTENTS = re.compile(r"(?:table of )?contents", re.I)
_FOOTNOTE = re.compile(r"(\d{1,3})(?:\s+(\S.*))?")
_MDCG_NUMBER = re.compile(r"MDCG (\d{4}-\d+)(?:\s*(?:rev\.|revision)\s*(\d+))?", re.I)
_COVER_ID = re.compile(r"Medical Devices?|.*Coordination Group Document|Joint .* and|(?:MDCG|AIB) \d{4}-\d+.*")
_DATE = re.compile(r"(?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4}.*")
# Heading numbers: "3.", "3.1.", "3.1", "1)", "II.", "a)", "c.1.)"; an annex: "Annex I:", "9. Annex II -".
_NUMBER = re.compile(r"(?P<num>\d+(?:\.\d+)*[.)]|\d+(?:\.\d+)+(?=\s))|(?P<roman>[IVX]+)\.|(?P<letter>[a-h](?:\.\d+)*)\.?\)")
_ANNEX_HEADING = re.compile(r"(?:\d+\.\s+)?Annex (?P<annex>[IVX]+)(?:\s*[:–-]\s*(?P<title>.*))?$")
# A line that starts a list item rather than continuing the line before: "• x", "- x", "(a) x", "a) x", "ii. x".
_BULLET = re.compile(r"[•▪◦–-]\s|\(?[a-z0-9]{1,4}\)\s|[ivx]+\.\s")
# "2. x" starts an item only after a line that ends in punctuation; else it is a wrapped "… trisomy\n21. MDSW …".
_NUMBERED_ITEM = re.compile(r"\d{1,2}\.\s")
# Words a wrapped heading line can stop on, though no heading ends with them.
_OPEN_ENDINGS = set("a an and as at by for from in of on or per the to with within – - & /".split())
# A list marker that pdftotext left on a line of its own, its text following after a blank line.
_LONE_MARKER = re.compile(r"[•▪◦o-]|[ivx]+\.|\(?[a-z0-9]{1,3}\)|\d{1,2}\.")
_ROMANS = "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX".split()


def _front_matter(text: str) -> tuple[dict, str]:
    if not text.startswith("---\n") or (end := text.find("\n---\n", 4)) < 0:
        return {}, text
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError as exc:
        raise GuidanceError(f"front matter is not valid YAML ({str(exc).splitlines()[0]})") from exc
    if not isinstance(meta, dict):
        raise GuidanceError("front matter is not a YAML mapping")
    fields = meta["source"] if isinstance(meta.get("source"), dict) else meta
    return fields, text[end + 5 :]


def _strip_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Drop "Page N of M", the page number at a page's foot, and lines repeated at the head or foot of many pages."""
    pages = [[line for line in page if not _PAGE_OF.fullmatch(line.strip())] for page in pages]
    for page in pages:
        while page and not page[-1].strip():
            page.pop()
        if page and _PAGE_NUMBER.fullmatch(page[-1].strip()):
            page.pop()

    edges = []
    for page in pages:
        texts = [line.strip() for line in page if line.strip()]
        edges.append(set(texts[:8]) | set(texts[-3:]))
    seen = Counter(text for edge in edges for text in edge)
    repeated = {text for text, count in seen.items() if count >= max(3, len(pages) // 3)}
    return [
        [line for line in page if line.strip() not in repeated or line.strip() not in edge]
        for page, edge in zip(pages, edges)
    ]


def _drop_contents(pages: list[list[str]]) -> tuple[list[list[str]], str, list[list[str]]]:
    """Pages before the contents list, the list's text, and pages after it. The list repeats the headings, so it
    is not text of its own; it only helps to tell where a wrapped heading ends.

    The body starts on the first page after the list that opens with the list's first number ("1.", "I.").
    """
    for index, page in enumerate(pages):
        start = next((n for n, line in enumerate(page) if _CONTENTS.fullmatch(line.strip())), None)
        if start is None:
            continue
        first = next((m for line in page[start + 1 :] if (m := _NUMBER.match(line.strip()))), None)
        key = (first.group("num") or first.group("roman") or "").rstrip(".)") if first else ""
        opening = [next((line.strip() for line in later if line.strip()), "") for later in pages[index + 1 : index + 4]]
        body_at = index + 1 + next(
            (n for n, text in enumerate(opening) if key and re.match(rf"{re.escape(key)}[.)](\s|$)", text)), 0
        )
        contents = [line for later in [page[start:], *pages[index + 1 : body_at]] for line in later]
        return [*pages[:index], page[:start]], _squash(" ".join(contents)), pages[body_at:]
    return [], "", pages


def _squash(text: str) -> str:
    """Text for comparing headings: case, spacing and dot leaders ("Scope ........ 3") do not matter."""
    return " ".join(re.sub(r"\.{3,}", " ", text).split()).casefold()


def _take_footnotes(pages: list[list[str]]) -> list[str]:
    """Cut each page's footnotes off its foot.

    A page's footnotes start at a line opening with the next footnote number and run to the page's end; a line
    opening with a slightly higher number starts the next note. A small skip is allowed because pdftotext loses or
    moves a number now and then (MDCG 2019-11 has no footnote 30 and prints 9 after 13); a larger one, such as a
    wrapped "27 October 1998", is text.
    """
    notes: list[list[str]] = []
    last = 0
    for page in pages:
        for index, line in enumerate(page):
            match = _FOOTNOTE.fullmatch(line.strip())
            if match and last < int(match.group(1)) <= last + 3:
                break
        else:
            continue
        for line in page[index:]:
            text = line.strip()
            match = _FOOTNOTE.fullmatch(text)
            if match and last < int(match.group(1)) <= last + 3:
                last = int(match.group(1))
                notes.append([text])
            elif text:
                notes[-1].append(text)
        del page[index:]
    return [" ".join(note) for note in notes]


def _cover(cover: list[str], meta: dict) -> tuple[str, str, set[str]]:
    """Title, MDCG number and the cover lines that gave them (identifiers, then the title up to a blank or a date)."""
    dokid = ""
    used: set[str] = set()
    title_lines: list[str] = []
    for line in cover:
        text = _clean(line)
        if _COVER_ID.fullmatch(text) or (not text and not title_lines):
            if (number := _MDCG_NUMBER.match(text)) and not dokid:
                dokid = f"MDCG {number.group(1)}" + (f" rev.{number.group(2)}" if number.group(2) else "")
            used.add(text)
            continue
        if not text or _DATE.fullmatch(text):
            break
        title_lines.append(text)
    front_matter_title = str(meta.get("title") or "")
    # The converting repository's `title` is the PDF's file name ("mdcg_2019_11_en"); only a real title is kept.
    title = front_matter_title if " " in front_matter_title else " ".join(title_lines)
    return title, dokid, used | set(title_lines)


def _successors(path: tuple) -> set[tuple]:
    """Numbers that may follow heading `path`: its first child, its next sibling, or a next sibling of an ancestor."""
    following = {path + (1,)}
    for depth in range(len(path)):
        step = path[depth]
        following.add(path[:depth] + ((chr(ord(step) + 1) if isinstance(step, str) else step + 1),))
    return following


class _Headings:
    """Accepts a numbered heading only where the numbering can continue, so numbered list items are not headings."""

    def __init__(self) -> None:
        self.expected: set[tuple] = {(1,)}
        self.roman = 0
        self.annex = 0
        self.letters: set[tuple] = set()

    def accept(self, line: str) -> bool:
        text = _clean(line)
        if annex := _ANNEX_HEADING.match(text):
            numeral = _ROMANS.index(annex.group("annex")) + 1 if annex.group("annex") in _ROMANS else 0
            title = annex.group("title")
            if numeral != self.annex + 1 or (title is not None and not _is_title(title)):
                return False
            self.annex, self.letters = numeral, {("a",)}
            if number := re.match(r"(\d+)\.", text):
                self.expected |= _successors((int(number.group(1)),))
            return True
        match = _NUMBER.match(text)
        if not match or not _is_title(text[match.end() :].strip()) or text[match.end() : match.end() + 1] not in ("", " "):
            return False
        if match.group("roman"):
            numeral = _ROMANS.index(match.group("roman")) + 1 if match.group("roman") in _ROMANS else 0
            if numeral != self.roman + 1:
                return False
            self.roman = numeral
            return True
        if match.group("letter"):
            letter, *rest = match.group("letter").split(".")
            path = (letter, *map(int, rest))
            if path not in self.letters:
                return False
            self.letters = (self.letters - {path}) | _successors(path)
            return True
        path = tuple(int(part) for part in match.group("num").rstrip(".)").split("."))
        if path not in self.expected:
            return False
        self.expected = (self.expected - {path}) | _successors(path)
        return True


def _is_title(title: str) -> bool:
    """A heading's words: they begin with a capital or an opening quote, and end no sentence."""
    return (
        (title[:1].isupper() or title[:1] in "‘'\"“")
        and sum(char.isalpha() for char in title) >= 3
        and not title.endswith((".", ",", ";"))
    )


def _paragraphs(lines: list[str], width: int) -> list[str]:
    """Rejoin lines broken mid-paragraph: a line ends its paragraph at a blank line, before a list item, or when it
    is short and ends a sentence. A line-final hyphen is kept (these documents hyphenate compounds, not syllables)."""
    paragraphs: list[str] = []
    open_paragraph = False
    pending_bullet = ""
    for line in lines:
        text = _clean(line)
        if not text:
            open_paragraph = open_paragraph and bool(pending_bullet)  # pdftotext puts a blank between "•" and its text
            continue
        if _LONE_MARKER.fullmatch(text):
            pending_bullet = text
            continue
        if pending_bullet:
            text, pending_bullet = f"{pending_bullet} {text}", ""
        elif open_paragraph and not _BULLET.match(text) and not (
            _NUMBERED_ITEM.match(text) and re.search(r"[.:;,]$", paragraphs[-1])
        ):
            joiner = "" if paragraphs[-1].endswith("-") and text[:1].islower() else " "
            paragraphs[-1] += joiner + text
            open_paragraph = not (_TERMINAL.search(text) and len(line.rstrip()) < 0.8 * width)
            continue
        paragraphs.append(text)
        open_paragraph = not (_TERMINAL.search(text) and len(line.rstrip()) < 0.8 * width)
    return paragraphs


def _sections(front: list[str], body: list[str], contents: str, width: int) -> list[tuple[str, list[str]]]:
    """Split on numbered headings; a number alone on its line is read together with the title line after it.

    The first section holds what comes before the first heading (cover, notes, introduction) and has no heading.
    """
    headings = _Headings()
    sections: list[tuple[str, list[str]]] = [("", front)]
    index = 0
    while index < len(body):
        line = body[index].strip()
        following = next((n for n in range(index + 1, len(body)) if body[n].strip()), None)
        candidates = [(line, index + 1)]
        if following is not None and re.fullmatch(r"\d+(?:\.\d+)*[.)]?|[IVX]+\.|[a-h](?:\.\d+)*\.?\)", line):
            candidates.insert(0, (f"{line} {body[following].strip()}", following + 1))
        for heading, after in candidates if line else []:
            if headings.accept(heading):
                heading, after = _continue_heading(heading, body, after, contents)
                sections.append((_clean(heading), []))
                index = after
                break
        else:
            sections[-1][1].append(body[index])
            index += 1
    return [(heading, _paragraphs(lines, width)) for heading, lines in sections]


def _continue_heading(heading: str, body: list[str], after: int, contents: str) -> tuple[str, int]:
    """A wrapped heading goes on over at most three lines: where the contents list has the longer heading, where the
    next line starts in lower case, or where the heading stops on a word no title ends with ("of", "and", …)."""
    for _ in range(3):
        if after >= len(body) or _TERMINAL.search(heading):
            break
        nxt = _clean(body[after])
        if not nxt or len(nxt) > 90 or nxt.endswith(".") or any(p.match(nxt) for p in (_NUMBER, _ANNEX_HEADING, _BULLET)):
            break
        wraps = nxt[:1].islower() or heading.rsplit(" ", 1)[-1].casefold() in _OPEN_ENDINGS
        if not wraps and _squash(f"{heading} {nxt}") not in contents:
            break
        heading, after = f"{heading} {nxt}", after + 1
    return heading, after


def parse_mdcg(data: bytes, origin: str, unit_id: str, url: str) -> ParsedDocument:
    """Read one MDCG document into one unit of sections. Raises GuidanceError for an unreadable file."""
    meta, body = _front_matter(_decode(data))
    raw_pages = [page.split("\n") for page in body.split("\f")]
    title, dokid, cover_lines = _cover(raw_pages[0], meta)
    front_pages, contents, body_pages = _drop_contents(_strip_furniture(raw_pages))
    footnotes = _take_footnotes(front_pages + body_pages)
    front = [line for page in front_pages for line in page if _clean(line) not in cover_lines]
    rest = [line for page in body_pages for line in page]
    lengths = sorted(len(line.rstrip()) for line in front + rest if line.strip())
    if not lengths:
        raise GuidanceError("no text after the front matter")
    sections = _sections(front, rest, contents, width=lengths[len(lengths) * 9 // 10])
    warnings = [] if len(sections) > 1 else [f"{origin}: no numbered headings found; read as one section"]
    title = title or (sections[1][0] if len(sections) > 1 else "") or str(meta.get("title") or unit_id)
    info = DocumentInfo(id=unit_id, title=title, dokid=dokid, language="en")
    texts = ["\n".join([heading or title, *paragraphs]) for heading, paragraphs in sections if heading or paragraphs]
    return _document(info, url, texts, footnotes=footnotes, warnings=warnings)


def read_mdcg(path: Path, unit_id: str, url: str) -> Iterator[ParsedDocument | ReadFailure]:
    """One MDCG document (`eu/mdcg/*.md`); `unit_id` is its corpus path without extension."""
    return read_file(path, lambda data, origin: parse_mdcg(data, origin, unit_id, url))


# --- Norwegian agency pages saved as plain text -----------------------------------------------------------------

# Page furniture before the title, as it appears in the seed pages: the unsupported-browser banner
# (one line: «Du benytter en nettleser vi ikke støtter. Se informasjon om nettlesere»), a skip link and a search button.
_BANNER = re.compile(r"Du benytter en nettleser vi ikke støtter\b.*|Hopp til hovedinnhold|Søk")
_PUBLISHED = re.compile(r"(?:Først )?[Pp]ublisert:?\s*(\d{2})\.(\d{2})\.(\d{4})")
_UPDATED = re.compile(r"(?:Sist|Siste) (?:faglige? )?(?:oppdatert|endring|endret):?\s*(\d{2})\.(\d{2})\.(\d{4})")
_PAGE_BULLET = re.compile(r"[•▪◦-]\s")


def _heading_like(line: str) -> bool:
    """Short, not indented, no full stop or comma at the end, not two sentences, not a list item or an address."""
    text = _clean(line)
    return (
        0 < len(text) <= 120
        and not line[:1].isspace()
        and (text[:1].isupper() or text[:1].isdigit() or text[:1] in "«\"")
        and not re.search(r"[.,;:!]$", text)
        and ". " not in text
        and "@" not in text
        and not _PAGE_BULLET.match(text)
    )


def _iso(date: re.Match | None) -> str:
    return f"{date.group(3)}-{date.group(2)}-{date.group(1)}" if date else ""


def parse_seed_page(data: bytes, unit_id: str, url: str) -> ParsedDocument:
    """Read one agency page. A heading is a heading-like line after body text (so key–value lists and lead-ins
    such as «Vi skal» before a list stay in their section); the first line after the page furniture is the title."""
    lines = [line.replace("\u00a0", " ").rstrip() for line in _decode(data).split("\n")]
    while lines and (not lines[0].strip() or _BANNER.fullmatch(lines[0].strip())):
        lines.pop(0)
    published = updated = ""
    content: list[tuple[str, bool]] = []  # each line with whether a blank line came before it
    blank_before = False
    for line in lines:
        first, last = _PUBLISHED.search(line), _UPDATED.search(line)
        if first or last:  # the page's date line is metadata, not text
            published, updated = published or _iso(first), updated or _iso(last)
        elif line.strip():
            content.append((line, blank_before))
        blank_before = not line.strip()
    if not content:
        raise GuidanceError("no text besides the page furniture")

    title = _clean(content[0][0])
    sections: list[list[str]] = [[title]]
    previous_heading_like = True
    for position, (line, after_blank) in enumerate(content[1:], start=1):
        text = _clean(line)
        heading_like = _heading_like(line)
        bullet = bool(_PAGE_BULLET.match(text))
        if heading_like and not previous_heading_like and position < len(content) - 1:
            sections.append([text])
        elif line[:1].isspace() and not after_blank and not bullet and _PAGE_BULLET.match(sections[-1][-1].strip()):
            sections[-1][-1] += " " + text  # a list item's text wrapped onto an indented line
        else:
            sections[-1].append(("  " if bullet and line.startswith("  ") else "") + text)
        previous_heading_like = heading_like
    info = DocumentInfo(id=unit_id, title=title, last_changed=updated or published, language="nb")
    return _document(info, url, ["\n".join(section) for section in sections])


def read_seed_page(path: Path, unit_id: str, url: str) -> Iterator[ParsedDocument | ReadFailure]:
    """One agency page (`guidance/*.txt`); `unit_id` is its corpus path without extension."""
    return read_file(path, lambda data, _origin: parse_seed_page(data, unit_id, url))
