"""Reader for EU regulations split one Markdown file per unit (the MDR and IVDR folders converted from EUR-Lex).

PyYAML reads the front matter and `_index.yaml`, markdown-it-py parses the Markdown. What no library does is
written here: the folder layout (`article-NNN.md`, `annex-ROMAN.md`, `recitals.md`), turning markdown-it's
token stream into plain paragraphs (list numbers kept, one line per table row) and cutting recitals.md
into recitals. The EUR-Lex ids, labels and links are shared with the Official Journal PDF reader.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from corpus.units import DocumentInfo, ParsedDocument, Unit
from ingest.failures import ReadFailure

EURLEX_TEXT = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:"

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n(.*)\Z", re.DOTALL)
_CELEX = re.compile(r"CELEX[_:]?(\d{5}[A-Z]\d{4})")
_ARTICLE_FILE = re.compile(r"article-(\d+)\.md")
_ANNEX_FILE = re.compile(r"annex-([IVXLC]+)\.md")
_RECITAL = re.compile(r"\((\d+)\)\s+(.*)", re.DOTALL)
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_SPACE = re.compile(r"\s+")
_WORDS = re.compile(r"\W+")
_MIN_COPY = 30  # letters and digits

_markdown = MarkdownIt("commonmark").enable("table")


def _roman_value(numeral: str) -> int:
    """XVII -> 17, so that annexes sort in document order (file names sort IX before V)."""
    values = [_ROMAN[c] for c in numeral.upper()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def eu_unit(celex: str, kind: str, number: str) -> tuple[str, str, str]:
    """Id, label and EUR-Lex link of an article (`art`), annex (`annex`) or recital (`rec`), the same in every EU reader."""
    label, anchor = {"art": ("art.", "art_"), "annex": ("annex", "anx_"), "rec": ("recital", "rct_")}[kind]
    return f"{celex}/{kind}{number}", f"{label} {number}", f"{EURLEX_TEXT}{celex}#{anchor}{number}"


def _inline_text(token: Token) -> str:
    """Visible text of an inline token: emphasis and link markup dropped, soft breaks as spaces."""
    parts = []
    for child in token.children or []:
        if child.type in {"text", "code_inline", "html_inline", "image"}:
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
    return "\n".join(_SPACE.sub(" ", line).strip() for line in "".join(parts).split("\n")).strip()


def _table_text(rows: list[list[str]]) -> str:
    """One line per row, without the copies the converter made of nested tables.

    EUR-Lex prints a list inside a numbered point as a table nested in a cell; the converter put the whole list
    into the cell and then repeated it as further cells and rows. Cells from the point where the rest of the row
    only repeats text already kept are dropped (short rests such as "Article 2(2)" are never taken as copies).
    """
    kept: list[str] = []
    for row in rows:
        cells = [cell for cell in row if cell]
        seen = _WORDS.sub("", " ".join(kept))
        for i in range(len(cells)):
            rest = _WORDS.sub("", " ".join(cells[i:]))
            if len(rest) >= _MIN_COPY and rest in seen + _WORDS.sub("", " ".join(cells[:i])):
                cells = cells[:i]
                break
        if cells:
            kept.append(" ".join(cells))
    return "\n".join(kept)


def _blocks(body: str) -> list[tuple[str, str]]:
    """The Markdown as (kind, plain text) blocks in order, kind `heading` or `text`.

    Ordered-list numbers are kept ("2. This Regulation…") because the paragraph number is what a citation
    names; a table becomes one block with one line per row.
    """
    blocks: list[tuple[str, str]] = []
    prefix, kind = "", "text"
    rows: list[list[str]] = []
    in_table = False
    for token in _markdown.parse(body):
        if token.type == "heading_open":
            kind = "heading"
        elif token.type == "heading_close":
            kind = "text"
        elif token.type == "list_item_open":
            prefix = f"{token.info}{token.markup} " if token.info else ""
        elif token.type == "table_open":
            in_table, rows = True, []
        elif token.type == "tr_open":
            rows.append([])
        elif token.type == "table_close":
            in_table = False
            if text := _table_text(rows):
                blocks.append(("text", text))
        elif token.type == "inline":
            text = _inline_text(token)
            if in_table:
                rows[-1].append(text)
            elif text:
                blocks.append((kind, prefix + text))
                prefix = ""
        elif token.type in {"fence", "code_block", "html_block"} and token.content.strip():
            blocks.append(("text", token.content.strip()))
    return blocks


def _split_front_matter(path: Path) -> tuple[dict, str]:
    """Front matter and Markdown body of one file; raises ValueError with a short reason for a bad file."""
    data = path.read_bytes()
    if not data.strip():
        raise ValueError("empty file")
    if b"\x00" in data:
        raise ValueError("binary, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    match = _FRONT_MATTER.match(text)
    if not match:
        raise ValueError("no YAML front matter")
    try:
        front = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ValueError(f"front matter is not valid YAML ({_SPACE.sub(' ', str(exc))[:120]})") from exc
    if not isinstance(front, dict):
        raise ValueError("front matter is not a mapping")
    source = front.get("source", front)
    return source if isinstance(source, dict) else {}, match.group(2)


def _unit_files(folder: Path) -> list[tuple[tuple[int, int], str, str, Path]]:
    """(sort key, kind, number, path) of every unit file, in the order the regulation prints them."""
    found = []
    for path in folder.iterdir():
        if path.name == "recitals.md":
            found.append(((1, 0), "rec", "", path))
        elif match := _ARTICLE_FILE.fullmatch(path.name):
            found.append(((2, int(match.group(1))), "art", str(int(match.group(1))), path))
        elif match := _ANNEX_FILE.fullmatch(path.name):
            found.append(((3, _roman_value(match.group(1))), "annex", match.group(1), path))
    return sorted(found, key=lambda item: item[0])


def _read_index(folder: Path, warnings: list[str]) -> dict:
    path = folder / "_index.yaml"
    try:
        index = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        warnings.append(f"{path.name}: missing; ids and titles come from the front matter")
        return {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        warnings.append(f"{path.name}: unreadable ({_SPACE.sub(' ', str(exc))[:120]}); ignored")
        return {}
    return index if isinstance(index, dict) else {}


def _celex(*sources: dict) -> str:
    for source in sources:
        for key in ("celex", "source_file", "source_url"):
            if match := _CELEX.search(str(source.get(key, ""))):
                return match.group(1)
    return ""


def _body(blocks: list[tuple[str, str]], kind: str, number: str) -> tuple[str, tuple[str, ...]]:
    """Title heading and paragraphs: the leading "Article 2"/"ANNEX XVI" heading and the title heading under it
    are the label and title, not text; later headings (PART A, CHAPTER I) stay as paragraphs."""
    title = ""
    name = {"art": "article", "annex": "annex"}[kind]
    if blocks and blocks[0][0] == "heading" and _SPACE.sub(" ", blocks[0][1]).lower() == f"{name} {number}".lower():
        blocks = blocks[1:]
        if blocks and blocks[0][0] == "heading":
            title, blocks = blocks[0][1], blocks[1:]
    return title, tuple(text for _, text in blocks)


def _recitals(blocks: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """recitals.md cut at "(N) " paragraphs numbered in sequence; other paragraphs continue the recital before."""
    recitals: list[tuple[str, list[str]]] = []
    for _, text in blocks:
        match = _RECITAL.fullmatch(text)
        if match and int(match.group(1)) == len(recitals) + 1:
            recitals.append((match.group(1), [match.group(2)]))
        elif recitals:
            recitals[-1][1].append(text)
    return recitals


def read_eu_markdown(folder: Path) -> Iterator[ParsedDocument | ReadFailure]:
    """One regulation from a folder of per-unit Markdown files; a bad file is a warning, a bad folder a ReadFailure."""
    try:
        files = _unit_files(folder)
    except OSError as exc:
        yield ReadFailure(str(folder), f"unreadable folder ({exc.strerror or exc})")
        return
    warnings: list[str] = []
    index = _read_index(folder, warnings)
    listed = {entry.get("file") for entry in index.get("chunks") or [] if isinstance(entry, dict)}
    present = {path.name for *_, path in files} | {"preamble.md"}
    warnings += [f"{name}: listed in _index.yaml but missing" for name in sorted(listed - present - {None})]

    parsed: list[tuple[str, str, Path, dict, list[tuple[str, str]]]] = []
    for _, kind, number, path in files:
        try:
            front, body = _split_front_matter(path)
        except (OSError, ValueError) as exc:
            warnings.append(f"{path.name}: skipped, {exc.strerror if isinstance(exc, OSError) else exc}")
            continue
        blocks = _blocks(body)
        if not blocks:
            warnings.append(f"{path.name}: skipped, no text after the front matter")
            continue
        parsed.append((kind, number, path, front, blocks))
    if not parsed:
        yield ReadFailure(str(folder), "no readable article, annex or recitals file")
        return
    celex = _celex(index, *(front for *_, front, _ in parsed))
    if not celex:
        yield ReadFailure(str(folder), "no CELEX number in _index.yaml or any front matter")
        return

    index_titles = {e.get("file"): e.get("title", "") for e in index.get("chunks") or [] if isinstance(e, dict)}
    units: list[Unit] = []
    for kind, number, path, front, blocks in parsed:
        if kind == "rec":
            pieces = [(n, "", tuple(paragraphs)) for n, paragraphs in _recitals(blocks)]
            if not pieces:
                warnings.append(f"{path.name}: skipped, no numbered recitals")
        else:
            heading_title, paragraphs = _body(blocks, kind, number)
            title = str(front.get("chunk_title") or index_titles.get(path.name) or heading_title)
            title = _SPACE.sub(" ", title).strip()
            pieces = [(number, title, paragraphs)]
        for piece_number, title, paragraphs in pieces:
            unit_id, label, url = eu_unit(celex, kind, piece_number)
            units.append(Unit(id=unit_id, document_id=celex, label=label, title=title, paragraphs=paragraphs,
                              url=url, order=len(units)))
    source = parsed[0][3]
    info = DocumentInfo(
        id=celex,
        title=str(index.get("title") or source.get("title") or celex),
        short_title=str(index.get("instrument") or source.get("instrument") or ""),
        language="en",
    )
    yield ParsedDocument(info=info, units=tuple(units), warnings=tuple(warnings))
