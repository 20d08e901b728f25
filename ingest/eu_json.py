"""Reader for EU acts packaged as JSON by Ansvar-Systems/EU_compliance_MCP (EHDS 2025/327, PLD 2024/2853).

The json module parses the file. What follows is hand-written because no library knows this packaging:
list points split from their text ("(a)\\n\\ntext"), articles whose title was left in the text, the next
chapter's and section's headings glued to the end of the article before them (which also puts the file's
`chapter` field one article early at every boundary), footnote calls left inline ("Council\\u00a0(28)"), and
a last article that also carries the signatures, the Official Journal footnotes, the annexes and the EUR-Lex
page's trailing script.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from corpus.units import DocumentInfo, ParsedDocument, Unit
from ingest.failures import ReadFailure, SourceError, read_file

EURLEX_BASE = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:"

_SPACE = re.compile(r"[ \t\u00a0]+")
# A point's marker on a line of its own: "(a)", "(iv)", "(12)", "—", "1.1." (annexes).
_MARKER = re.compile(r"\(\w{1,5}\)|[—–-]|\d+(?:\.\d+)*\.")
# "2.\u00a0\u00a0\u00a0This Regulation:" opens numbered paragraph 2; a bare "2." is a point in an annex.
_NUMBERED = re.compile(r"\d+\.[ \u00a0]+\S")
# EUR-Lex puts a no-break space before a footnote call; a point reference ("points (a) and (b)") has a plain space.
_FOOTNOTE_CALL = re.compile(r"\u00a0\((\d+)\)")
_FOOTNOTE = re.compile(r"\((\d+)\)(?: (.*))?")
_SIGNATURE = re.compile(r"\n\nDone at [^\n]*")
_ANNEX = re.compile(r"ANNEX(?: ([IVXLC]+))?")
_SENTENCE_END = re.compile(r"[.;:!?)’”»\"]$")
_SECTION = re.compile(r"SECTION (\d+)")
_ROMAN = ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


class EuJsonError(SourceError):
    """A file that is not a readable EU-act JSON; the message names what is wrong."""


@dataclass
class _Raw:
    """One unit before footnote calls are resolved: its text is still the source's blocks."""

    kind: str  # "rec", "art" or "anx"
    number: str
    title: str
    blocks: list[str]
    heading: str = ""
    footnotes: list[str] = field(default_factory=list)


def _roman(number: int) -> str:
    digits = ""
    for value, numeral in _ROMAN:
        count, number = divmod(number, value)
        digits += numeral * count
    return digits


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _blocks(text: str) -> list[str]:
    return [block for block in text.split("\n\n") if block.strip()]


def _paragraphs(blocks: list[str]) -> tuple[str, ...]:
    """Numbered paragraphs where the text has them, else each running-text block; points stay with their paragraph.

    A point's marker is joined to its text ("(a) text") on a line of its own inside the paragraph.
    """
    numbered = any(_NUMBERED.match(block) for block in blocks)
    paragraphs: list[list[str]] = []
    pending_marker = ""
    for block in blocks:
        text = _clean(block)
        if _MARKER.fullmatch(text):
            pending_marker = f"{pending_marker} {text}".strip()
            continue
        if pending_marker:
            text, is_point, pending_marker = f"{pending_marker} {text}", True, ""
        else:
            is_point = False
        if paragraphs and re.fullmatch(r"[;,.]", text):
            paragraphs[-1][-1] += text  # the ";" left after a quoted replacement text in an amending article
            continue
        starts = _NUMBERED.match(block) if numbered else not is_point
        if starts or not paragraphs:
            paragraphs.append([text])
        else:
            paragraphs[-1].append(text)
    return tuple("\n".join(lines) for lines in paragraphs)


def _split_headings(blocks: list[str]) -> tuple[list[str], list[str]]:
    """Cut the following chapter's title (in capitals) and section ("SECTION 2", its title) off an article's end."""
    for index, block in enumerate(blocks[1:], start=1):
        text = _clean(block)
        capitals = text == text.upper() and sum(c.isalpha() for c in text) >= 4 and not _SENTENCE_END.search(text)
        if (capitals or _SECTION.fullmatch(text)) and len(blocks) - index <= 3:
            return blocks[:index], [_clean(b) for b in blocks[index:]]
    return blocks, []


def _require(item: object, key: str, where: str) -> object:
    if not isinstance(item, dict):
        raise EuJsonError(f"JSON of the wrong shape: {where} is not an object (found {type(item).__name__})")
    if key not in item or item[key] is None:
        raise EuJsonError(f"JSON of the wrong shape: {where} has no {key!r} key")
    return item[key]


def _list(data: dict, key: str) -> list:
    value = _require(data, key, "the top level")
    if not isinstance(value, list):
        raise EuJsonError(f"JSON of the wrong shape: {key!r} is not a list (found {type(value).__name__})")
    return value


def _split_tail(tail: str, warnings: list[str]) -> tuple[dict[int, str], list[_Raw]]:
    """Footnotes and annexes from what follows the last article's enacting terms (signatures come first, skipped)."""
    footnotes: dict[int, str] = {}
    annexes: list[_Raw] = []
    blocks = _blocks(tail)
    index = 0
    while index < len(blocks):
        text = _clean(blocks[index])
        index += 1
        if text.startswith("ELI:"):
            break  # the EUR-Lex page's furniture and script follow the act
        if annex := _ANNEX.fullmatch(text):
            title = _clean(blocks[index]) if index < len(blocks) else ""
            annexes.append(_Raw("anx", annex.group(1) or "", title, []))
            index += 1
        elif annexes:
            annexes[-1].blocks.append(blocks[index - 1])
        elif note := _FOOTNOTE.fullmatch(text):
            body = note.group(2)
            if not body and index < len(blocks):
                body = _clean(blocks[index])
                index += 1
            footnotes[int(note.group(1))] = body or ""
    kept = []
    for annex in annexes:
        if any(_SENTENCE_END.search(_clean(block)) for block in annex.blocks):
            kept.append(annex)
        else:
            label = f"Annex {annex.number}".strip()
            warnings.append(f"{label} ({annex.title}) holds no running text, only table headings; skipped")
    return footnotes, kept


def _resolve_footnotes(units: list[_Raw], footnotes: dict[int, str]) -> None:
    """Move footnote calls out of the text into each unit's footnotes.

    Calls are numbered in reading order, so a call is taken only if its number is higher than the last one
    taken; that rejects "Article 63(3) and\\u00a0(4)", a point reference that happens to follow a no-break space.
    """
    last = 0
    for unit in units:
        for position, block in enumerate(unit.blocks):

            def take(match: re.Match) -> str:
                nonlocal last
                number = int(match.group(1))
                if number in footnotes and number > last:
                    last = number
                    unit.footnotes.append(f"({number}) {footnotes[number]}")
                    return ""
                return match.group(0)

            unit.blocks[position] = _FOOTNOTE_CALL.sub(take, block)


def _raw_units(data: dict, warnings: list[str]) -> list[_Raw]:
    recitals: dict[str, _Raw] = {}
    for position, recital in enumerate(_list(data, "recitals")):
        number = str(_require(recital, "recital_number", f"recitals[{position}]")).strip()
        text = str(_require(recital, "text", f"recitals[{position}]"))
        if number in recitals:
            same = "identical" if "\n\n".join(recitals[number].blocks) == text else "with different text"
            warnings.append(f"recital {number} is listed twice ({same}); kept the first")
            continue
        recitals[number] = _Raw("rec", number, "", _blocks(text))

    articles: dict[str, _Raw] = {}
    source_articles = _list(data, "articles")
    tail = ""
    chapter, chapter_title, section = 1, "", ""
    for position, article in enumerate(source_articles):
        number = str(_require(article, "number", f"articles[{position}]")).strip()
        text = str(_require(article, "text", f"articles[{position}]"))
        if position == len(source_articles) - 1 and (signature := _SIGNATURE.search(text)):
            text, tail = text[: signature.start()], text[signature.start():]
        blocks, headings = _split_headings(_blocks(text))
        title = _clean(str(article.get("title") or ""))
        # Two EHDS articles have no title field: their title is the first block of the text.
        if not title and len(blocks) > 1 and not _NUMBERED.match(blocks[0]) and not _SENTENCE_END.search(_clean(blocks[0])):
            title, blocks = _clean(blocks[0]), blocks[1:]
        heading = " > ".join(filter(None, [f"Chapter {_roman(chapter)} – {chapter_title}".rstrip(" –"), section]))
        if number in articles:
            warnings.append(f"article {number} is listed twice; kept the first")
        else:
            articles[number] = _Raw("art", number, title, blocks, heading=heading)
        # Chapters are counted from the glued headings: the file's own `chapter` field is off at every boundary.
        while headings:
            glued = headings.pop(0)
            if numbered_section := _SECTION.fullmatch(glued):
                section = f"Section {numbered_section.group(1)} – {headings.pop(0)}" if headings else ""
            else:
                chapter, chapter_title, section = chapter + 1, glued, ""

    footnotes, annexes = _split_tail(tail, warnings)
    units = [*recitals.values(), *articles.values(), *annexes]
    _resolve_footnotes(units, footnotes)
    for unit in units:
        if unit.kind != "anx" and unit.blocks and not _SENTENCE_END.search(ending := _clean(unit.blocks[-1])):
            name = "recital" if unit.kind == "rec" else "article"
            warnings.append(f"{name} {unit.number} ends mid-sentence («…{ending[-40:]}»); the source text is cut off")
    return units


def _check_definitions(data: dict, units: list[_Raw], warnings: list[str]) -> None:
    """Definitions are listed apart but are also the text of the definitions article; say so if one is not."""
    definitions = data.get("definitions") or []
    if not isinstance(definitions, list):
        raise EuJsonError(f"JSON of the wrong shape: 'definitions' is not a list (found {type(definitions).__name__})")
    articles = {unit.number: "\n\n".join(unit.blocks).casefold() for unit in units if unit.kind == "art"}
    for position, definition in enumerate(definitions):
        term = str(_require(definition, "term", f"definitions[{position}]"))
        article = str(definition.get("article") or "")
        if term.casefold() not in articles.get(article, ""):
            warnings.append(f"definition {term!r} is not in the text of article {article or '?'}")


def _unit(raw: _Raw, celex: str, order: int) -> Unit:
    anchor, label, stem = {
        "rec": (f"rct_{raw.number}", f"recital {raw.number}", "rec"),
        "art": (f"art_{raw.number}", f"art. {raw.number}", "art"),
        "anx": (f"anx_{raw.number}", f"annex {raw.number}".strip(), "annex"),
    }[raw.kind]
    return Unit(
        id=f"{celex}/{stem}{raw.number}",
        document_id=celex,
        label=label,
        title=raw.title,
        paragraphs=_paragraphs(raw.blocks),
        url=f"{EURLEX_BASE}{celex}#{anchor}",
        heading=raw.heading,
        order=order,
        footnotes=tuple(raw.footnotes),
    )


def parse_eu_json(data: bytes, origin: str) -> ParsedDocument:
    """Read one act: recitals, then articles, then any annexes found after the last article.

    Raises EuJsonError for an empty, undecodable, truncated or foreign file.
    """
    if not data.strip():
        raise EuJsonError("empty file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EuJsonError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); wrong encoding?") from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise EuJsonError(f"truncated JSON (the file ends before the document closes, line {exc.lineno})") from exc
        raise EuJsonError(f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from exc
    if not isinstance(document, dict):
        raise EuJsonError(f"JSON of the wrong shape: the top level is not an object (found {type(document).__name__})")
    celex = str(_require(document, "celex_id", "the top level")).strip()
    title = str(_require(document, "full_name", "the top level")).strip()

    warnings: list[str] = []
    raw = _raw_units(document, warnings)
    _check_definitions(document, raw, warnings)
    info = DocumentInfo(
        id=celex,
        title=title,
        short_title=str(document.get("id") or ""),
        in_force=str(document.get("effective_date") or ""),
        language="en",
    )
    if not raw:
        raise EuJsonError("JSON of the wrong shape: no articles and no recitals")
    units = tuple(_unit(unit, celex, order) for order, unit in enumerate(raw))
    return ParsedDocument(info=info, units=units, warnings=tuple(f"{origin}: {w}" for w in warnings))


def read_eu_json(path: Path) -> Iterator[ParsedDocument | ReadFailure]:
    """The act in one JSON file; a bad file is yielded as a ReadFailure with a one-line reason, never raised."""
    return read_file(path, parse_eu_json)
