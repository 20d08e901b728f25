"""Provision text split into sentences, verbatim with their offsets: what an answer quotes, and what ingest embeds
one by one so an answer needs no model call for them.

Written by hand: Norwegian legal abbreviations («jf.», «bl.a.», «St.prp.»), list markers and section letters
(«§ 29 a.») end no sentence, which general sentence splitters get wrong.
"""

import re
from dataclasses import dataclass

# Words that end with a period without ending the sentence (compared lower-case, without the final period).
ABBREVIATIONS = frozenset(
    ["jf", "jfr", "nr", "bl.a", "m.v", "mv", "m.m", "mm", "m.fl", "f.eks", "eks", "pkt", "art", "arts", "kap", "bokst", "ca", "dvs", "osv", "etc", "evt", "ev", "inkl", "ifm", "iht", "vedr", "sml", "o.l", "o.a", "t.o.m", "f.o.m", "pr", "kl", "tlf", "avd", "str", "s", "ss", "adm", "dir", "prof", "dr", "st.meld", "st.prp", "ot.prp", "prop", "innst", "meld", "nou", "rt", "hr", "e.g", "i.e", "cf", "para", "paras", "no", "nos", "p", "pp", "vol", "ref", "fig", "vs", "approx", "viz", "et", "al", "ibid", "op", "cit", "sect", "ch", "subpara", "mr", "mrs", "ms", "jr", "sr", "co", "ltd", "inc", "corp"]
)
# Abbreviations that close a list («m.v.», «osv.», «etc.»): before a capital they end the sentence too.
TERMINAL_ABBREVIATIONS = frozenset(["m.v", "mv", "m.m", "mm", "m.fl", "osv", "etc", "o.l", "o.a"])
_WORD_BEFORE = re.compile(r"(\S+)$")
# A candidate end: . ! ? (and closing quotes or brackets), whitespace, then what may open a sentence.
_CANDIDATE = re.compile(r"[.!?][»”’\"')\]]*(?=\s+[«“‘\"(]?[A-ZÆØÅÄÖÜÉ§])")
_MARKER = re.compile(r"^\(?(?:\d+|[a-zæøå]|[ivxlc]+)[.)]$", re.IGNORECASE)
_LETTER_AFTER_SECTION = re.compile(r"(?:§§?\s*\d+\s*|bokstav\s+|point\s+|litra\s+)[a-zæøå]$", re.IGNORECASE)


def _is_end(line: str, end: int) -> bool:
    """Whether the punctuation ending at `end` (exclusive, after closing quotes) ends a sentence."""
    head = line[:end]
    mark = head.rstrip("»”’\"')]")
    if not mark.endswith("."):
        return True  # ! and ?
    before = _WORD_BEFORE.search(mark[:-1])
    if before is None:
        return False
    word = before.group(1).lstrip("(«“‘\"[")
    lowered = word.lower()
    if lowered in TERMINAL_ABBREVIATIONS:
        return True  # «… journaler m.v. Når …»: these usually close the sentence they end
    if lowered in ABBREVIATIONS:
        return False
    # «bl.a.», «f.eks.», «St.prp.»: a dotted abbreviation's last period.
    if re.fullmatch(r"(?:[a-zæøå]{1,5}\.)+[a-zæøå]{1,5}", lowered):
        return False
    # A marker that opens the line («2. Paragraph 1 …», «a. the AI system …», «(1) …»).
    if mark[: before.start()].strip() == "" and _MARKER.match(word + "."):
        return False
    # A single letter: a list marker or an initial, unless it is a section or point letter («§ 29 a.», «bokstav h.»).
    if re.fullmatch(r"[a-zæøåA-ZÆØÅ]", word):
        return bool(_LETTER_AFTER_SECTION.search(mark[:-1]))
    # Roman list markers («ii. …») open their line and are caught above; mid-line «civil.» ends a sentence.
    return True


# Shorter pieces («(a) death,», «Software shall also be deemed …» stays) are not quoted on their own.
MIN_QUOTE_CHARS = 25


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offset in the unit's text
    paragraph: int  # index of the paragraph (ledd) in the unit's text


def split_sentences(text: str) -> list[str]:
    """Sentences of a provision's text, verbatim; list items on lines of their own are pieces of their own."""
    return [s.text for s in sentences(text)]


def sentences(text: str) -> list[Sentence]:
    found: list[Sentence] = []
    offset = 0
    for number, paragraph in enumerate(text.split("\n\n")):
        line_offset = offset
        for line in paragraph.split("\n"):
            start = 0
            for candidate in _CANDIDATE.finditer(line):
                if _is_end(line, candidate.end()):
                    _add(found, line, start, candidate.end(), line_offset, number)
                    start = candidate.end()
            _add(found, line, start, len(line), line_offset, number)
            line_offset += len(line) + 1
        offset += len(paragraph) + 2
    return found


def _add(found: list[Sentence], line: str, start: int, end: int, offset: int, paragraph: int) -> None:
    piece = line[start:end]
    stripped = piece.strip()
    if stripped:
        found.append(Sentence(stripped, offset + start + piece.index(stripped), paragraph))


def quotable(text: str) -> list[Sentence]:
    """The sentences long enough to quote on their own."""
    return [s for s in sentences(text) if len(s.text) >= MIN_QUOTE_CHARS]
