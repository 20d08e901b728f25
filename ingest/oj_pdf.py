"""Reader for a regulation as printed in the Official Journal of the EU (the MDR PDF, OJ L 117, 5.5.2017).

pypdf extracts the text layer. Its visitor callback reports every piece of text with its font, size and
position, and the pieces join up to exactly the extracted text, so the layout can be read from them.
Haystack's PyPDFToDocument is not used: it logs and skips a bad file instead of saying why, and gives
neither fonts nor positions.

Hand-written, because no library knows the OJ print layout:
* the running head ("5.5.2017 EN Official Journal of the European Union L 117/15") gives the printed OJ page;
* the page's footnotes come after the running head in the content stream, and footnote markers are
  superscript digits in brackets, "(¹)";
* paragraphs are told apart by the vertical gap before a line; a soft hyphen (U+00AD) ends a line
  broken inside a word, while a hard hyphen at a line end belongs to a compound ("inter-connected");
* headings: "Article N" in italics with a bold title, "CHAPTER …" and "SECTION …" above articles,
  "ANNEX …" in italics with a bold title; recitals are numbered "(N)" between "Whereas:" and
  "HAVE ADOPTED THIS REGULATION:"; the closing formula, signatures and the list of annexes are not units.
"""

import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, mult
from pypdf.errors import PyPdfError

from corpus.units import DocumentInfo, ParsedDocument, Unit
from ingest.eu_markdown import eu_unit
from ingest.failures import ReadFailure

_HEAD = re.compile(r"Official\s+Journal\s+of\s+the\s+European\s+Union")
_HEAD_PAGE = re.compile(r"\b([LC])\s*(\d+)\s*/\s*(\d+)\b")
_MARK = "\x00"  # wraps superscript digits while a line is assembled
_FOOTNOTE_REF = re.compile(rf"\s?\(\s*{_MARK}(\*?\d+){_MARK}\s*\)")
_FOOTNOTE_START = re.compile(rf"\(\s*{_MARK}?(\*?\d+){_MARK}?\s*\)\s*(.*)")
_ARTICLE = re.compile(r"Article (\d+)")
_ANNEX = re.compile(r"ANNEX ([IVXLC]+)")
_CHAPTER = re.compile(r"CHAPTER [IVXLC]+")
_SECTION = re.compile(r"SECTION \d+")
_RECITAL = re.compile(r"\((\d+)\)\s+(.*)")
_POINT = re.compile(r"(—|\(\w{1,4}\)|\d+(\.\d+)*\.)\s")
_ADOPTED = re.compile(r"HA(?:VE|S) ADOPTED THIS")
# An amending article quotes the notes of the act it amends as "(*) …" paragraphs: notes, not text.
_QUOTED_NOTE = re.compile(r"\(\*\d*\)\s")
_TITLE = re.compile(r"REGULATION \((EU|EC|EEC|Euratom)\) (?:No )?(\d{4}/\d+|\d+/\d{4})")
_SPACE = re.compile(r"\s+")
# A superscript is printed at well under the size of the text around it (5.4 pt against 9.6 pt here).
_SUPERSCRIPT_RATIO = 0.7
# Lines of a paragraph are about 1.1 font sizes apart; a gap of 1.5 sizes or more starts a new paragraph.
_PARAGRAPH_GAP = 1.5
_PDF_ERRORS = (PyPdfError, OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError)


@dataclass
class _Line:
    text: str
    y: float = math.nan
    size: float = 0.0
    font: str = ""
    refs: tuple[str, ...] = ()
    page: int = 0  # index of its PDF page
    new_paragraph: bool = True
    top: bool = False  # first line of its page

    @property
    def italic(self) -> bool:
        return "Ital" in self.font

    @property
    def bold(self) -> bool:
        return "Bold" in self.font


@dataclass
class _Page:
    journal: str  # "L 117", from the running head
    number: int | None
    body: list[_Line]
    footnotes: dict[str, str]


@dataclass
class _Builder:
    kind: str
    number: str
    page: int
    title: str = ""
    heading: str = ""
    lines: list[_Line] = field(default_factory=list)


def _join(left: str, right: str) -> str:
    """Rejoin a line break: drop a soft hyphen, keep a hard one without a space, else put a space."""
    if left.endswith("\xad"):
        return left[:-1] + right
    if left.endswith("-") and len(left) > 1 and left[-2].isalpha():
        return left + right
    return f"{left} {right}" if left and right else left + right


def _lines(page) -> list[_Line]:
    """The page's lines in content-stream order, superscript digits wrapped in `_MARK`."""
    lines = [_Line("")]
    last_size = 0.0

    def visit(text: str, cm: list[float], tm: list[float], font: dict | None, size: float) -> None:
        nonlocal last_size
        matrix = mult(tm, cm)
        height = abs(size) * math.hypot(matrix[2], matrix[3])
        for i, part in enumerate(text.split("\n")):
            if i:
                lines.append(_Line(""))
            line = lines[-1]
            if part.strip().lstrip("*").isdigit() and last_size and height < _SUPERSCRIPT_RATIO * last_size:
                line.text += f"{_MARK}{part.strip()}{_MARK}"
                continue
            line.text += part
            if part.strip():
                last_size = height
                if math.isnan(line.y):
                    line.y, line.size, line.font = matrix[5], height, (font or {}).get("/BaseFont", "")

    page.extract_text(visitor_text=visit)
    return [line for line in lines if line.text.strip()]


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text.replace(_MARK, "")).strip()


def _without_refs(line: _Line) -> _Line:
    line.refs = tuple(_FOOTNOTE_REF.findall(line.text))
    line.text = _clean(_FOOTNOTE_REF.sub("", line.text))
    return line


def _page(page) -> _Page:
    lines = _lines(page)
    head = next((i for i, line in enumerate(lines) if _HEAD.search(line.text) and _HEAD_PAGE.search(line.text)), None)
    if head is None:
        return _Page("", None, [_without_refs(line) for line in lines], {})
    series, issue, number = _HEAD_PAGE.search(lines[head].text).groups()
    footnotes: dict[str, str] = {}
    current = ""
    for line in lines[head + 1 :]:
        if match := _FOOTNOTE_START.fullmatch(line.text.strip()):
            current = match.group(1)
            footnotes[current] = _clean(match.group(2))
        elif current:
            footnotes[current] = _join(footnotes[current], _clean(line.text))
    body = lines[:head] if footnotes else lines[:head] + lines[head + 1 :]  # no numbered notes: body printed late
    return _Page(f"{series} {issue}", int(number), [_without_refs(line) for line in body], footnotes)


def _mark_paragraphs(pages: list[_Page]) -> None:
    """A line starts a paragraph after a vertical gap; across a page break, if it starts a point of a list or
    the line before ends a sentence."""
    previous: _Line | None = None
    for page in pages:
        for i, line in enumerate(page.body):
            if i:
                gap = previous.y - line.y
                line.new_paragraph = not 0 < gap < _PARAGRAPH_GAP * max(line.size, previous.size)
            else:
                line.new_paragraph = (
                    previous is None or previous.text.endswith((".", ":", ";")) or bool(_POINT.match(line.text))
                )
            previous = line


def _paragraphs(lines: list[_Line]) -> tuple[str, ...]:
    paragraphs: list[str] = []
    for line in lines:
        if line.new_paragraph or not paragraphs:
            paragraphs.append(line.text)
        else:
            paragraphs[-1] = _join(paragraphs[-1], line.text)
    return tuple(p.replace("\xad", "") for p in paragraphs)


def _structure(lines: list[_Line], warnings: list[str]) -> list[_Builder]:
    """Walk the lines from the preamble to the last annex, cutting them into recitals, articles and annexes."""
    units: list[_Builder] = []
    region = "preamble"
    chapter = section = ""
    pending, title_lines = "", 0  # whose title the next bold lines are: article, annex, chapter or section
    for line in lines:
        text = line.text
        if pending and line.bold and (title_lines == 0 or not line.new_paragraph):
            title_lines += 1
            if pending == "chapter":
                chapter = f"{chapter} – {text}" if title_lines == 1 else _join(chapter, text)
            elif pending == "section":
                section = f"{section} – {text}" if title_lines == 1 else _join(section, text)
            else:
                units[-1].title = _join(units[-1].title, text)
            continue
        pending, title_lines = "", 0
        if region == "preamble":
            region = "recitals" if text == "Whereas:" else region
        elif region == "recitals":
            if _ADOPTED.match(text):
                region = "articles"
            elif (match := _RECITAL.fullmatch(text)) and int(match.group(1)) == len(units) + 1:
                units.append(_Builder("rec", match.group(1), line.page))
                line.text, line.new_paragraph = match.group(2), True
                units[-1].lines.append(line)
            elif units:
                units[-1].lines.append(line)
        elif region == "articles":
            if _CHAPTER.fullmatch(text):
                chapter, section, pending = text, "", "chapter"
            elif _SECTION.fullmatch(text) and line.italic:
                section, pending = text, "section"
            elif (match := _ARTICLE.fullmatch(text)) and line.italic:
                heading = " > ".join(part for part in (chapter, section) if part)
                units.append(_Builder("art", match.group(1), line.page, heading=heading))
                pending = "article"
            elif text.startswith("This Regulation shall be binding in its entirety"):
                region = "closing"
            elif units and units[-1].kind == "art":
                units[-1].lines.append(line)
        elif (match := _ANNEX.fullmatch(text)) and line.italic:
            region, pending = "annexes", "annex"
            units.append(_Builder("annex", match.group(1), line.page))
        elif region == "annexes":
            unit = units[-1]
            if not (line.top and unit.lines and line.text == unit.lines[0].text):  # a table head, repeated per page
                unit.lines.append(line)
    for kind, name in (("rec", "recitals"), ("art", "articles")):
        numbers = [int(u.number) for u in units if u.kind == kind]
        if numbers != list(range(1, len(numbers) + 1)):
            warnings.append(f"{name} are not numbered 1…{len(numbers)} in sequence")
    return units


def _document(reader: PdfReader, origin: str, celex: str) -> ParsedDocument | ReadFailure:
    pages = [_page(page) for page in reader.pages]
    if not any(page.body for page in pages):
        return ReadFailure(origin, "no text layer (a scanned or image-only PDF?)")
    if not any(page.number for page in pages):
        return ReadFailure(origin, "no Official Journal running head with a page number (\"L 117/15\") on any page")
    warnings: list[str] = []
    number, journal = 0, ""
    for index, page in enumerate(pages, start=1):
        if page.number is None:
            warnings.append(f"{origin}: PDF page {index} has no running head; OJ page number guessed")
            page.number, page.journal = number + 1, journal
        number, journal = page.number, page.journal
        for line in page.body:
            line.page = index - 1
        if page.body:
            page.body[0].top = True
    _mark_paragraphs(pages)
    lines = [line for page in pages for line in page.body]
    builders = _structure(lines, warnings)
    if not any(b.kind == "art" for b in builders):
        return ReadFailure(origin, "no \"Article N\" headings found; not a legal act as printed in the OJ")

    units = []
    for order, builder in enumerate(builders):
        page = pages[builder.page]
        unit_id, label, url = eu_unit(celex, builder.kind, builder.number)
        refs = dict.fromkeys((line.page, ref) for line in builder.lines for ref in line.refs)
        paragraphs = _paragraphs(builder.lines)
        notes = tuple(pages[i].footnotes[ref] for i, ref in refs if ref in pages[i].footnotes)
        units.append(
            Unit(
                id=unit_id,
                document_id=celex,
                label=label,
                title=builder.title,
                paragraphs=tuple(p for p in paragraphs if not _QUOTED_NOTE.match(p)),
                url=url,
                heading=builder.heading,
                order=order,
                footnotes=notes + tuple(p for p in paragraphs if _QUOTED_NOTE.match(p)),
                location=f"OJ {page.journal}, p. {page.number}",
            )
        )
    first_page = " ".join(line.text for line in pages[0].body[:12])
    title = _TITLE.search(first_page)
    info = DocumentInfo(
        id=celex, title=f"Regulation ({title.group(1)}) {title.group(2)}" if title else celex, language="en"
    )
    return ParsedDocument(info=info, units=tuple(units), warnings=tuple(warnings))


def read_oj_pdf(path: Path, celex: str) -> Iterator[ParsedDocument | ReadFailure]:
    """The recitals, articles and annexes of one OJ PDF; a file that cannot be read is yielded as a ReadFailure."""
    origin = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield ReadFailure(origin, f"unreadable ({exc.strerror or exc})")
        return
    if not data.strip():
        yield ReadFailure(origin, "empty file")
        return
    if not data.lstrip().startswith(b"%PDF-"):
        yield ReadFailure(origin, "not a PDF (no %PDF- header)")
        return
    if b"%%EOF" not in data[-2048:]:
        yield ReadFailure(origin, "truncated PDF (no %%EOF marker at the end)")
        return
    try:
        reader = PdfReader(io.BytesIO(data))
        result = ReadFailure(origin, "encrypted PDF") if reader.is_encrypted else _document(reader, origin, celex)
    except _PDF_ERRORS as exc:
        result = ReadFailure(origin, f"unreadable PDF ({type(exc).__name__}: {_SPACE.sub(' ', str(exc))[:160]})")
    yield result
