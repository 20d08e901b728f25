"""A result's snippet: the stretch of its text with most of the query's words, those words marked.

A word is marked when its Snowball stem, Norwegian or English, is one of the query's stems: the same test the sparse
search matches on, so «taushetsplikten» is marked for «taushetsplikt».
"""

import re
from bisect import bisect_left

from markupsafe import Markup, escape

from index.sparse import stems

_WORD = re.compile(r"\w+", re.UNICODE)
LANGUAGES = ("nb", "en")
# Characters shown; a window starts this far before its first marked word, so the word is read in context.
LENGTH = 320
LEAD = 60
# Only so much of a long annex is scanned for the query's words.
SCAN = 20000
# A word and a query word with one stem start with the same letters; only words that do are stemmed.
PREFIX = 3


def query_stems(query: str) -> frozenset[str]:
    """Stems of the query's content words: a word that is a stop-word in either language is not marked."""
    kept = [w for w in _WORD.findall(query.lower()) if all(stems(w, language) for language in LANGUAGES)]
    return frozenset(stem for language in LANGUAGES for stem in stems(" ".join(kept), language, keep_stopwords=True))


def _marked(words: list[re.Match[str]], query: str) -> list[bool]:
    """Whether each word's stem is a query stem; only words starting like a query word are stemmed (it is fast)."""
    wanted = query_stems(query)
    prefixes = {w[:PREFIX] for w in _WORD.findall(query.lower())}
    candidates = [i for i, w in enumerate(words) if w.group(0)[:PREFIX].lower() in prefixes]
    # The words are \w+ runs already, so stemming them joined by spaces keeps one stem per word.
    joined = " ".join(words[i].group(0) for i in candidates)
    marks = [False] * len(words)
    for language in LANGUAGES:
        for i, stem in zip(candidates, stems(joined, language, keep_stopwords=True)):
            marks[i] = marks[i] or stem in wanted
    return marks


def _window(text: str, starts: list[int]) -> tuple[int, int]:
    """The LENGTH-character stretch holding most marked words (the earliest of equals), cut at word boundaries."""
    if len(text) <= LENGTH:
        return 0, len(text)
    best, best_count = 0, 0
    for i, start in enumerate(starts):
        begin = start - LEAD if start >= 2 * LEAD else 0  # close to the start: from the start
        count = bisect_left(starts, begin + LENGTH) - i
        if count > best_count:
            best, best_count = begin, count
    if best:
        space = text.find(" ", best)
        best = space + 1 if 0 <= space < best + LEAD else best
    end = min(len(text), best + LENGTH)
    if end < len(text):
        space = text.rfind(" ", best, end)
        end = space if space > best else end
    return best, end


def snippet(text: str, query: str) -> Markup:
    """Escaped HTML: the best stretch of `text`, whitespace collapsed, query words in <mark>, «…» where cut."""
    text = " ".join(text[:SCAN].split())
    words = list(_WORD.finditer(text))
    marks = _marked(words, query)
    begin, end = _window(text, [w.start() for w, marked in zip(words, marks) if marked])
    parts: list[str] = ["… "] if begin else []
    position = begin
    for word, marked in zip(words, marks):
        if not marked or word.start() < begin or word.end() > end:
            continue
        parts += [escape(text[position : word.start()]), Markup("<mark>"), escape(word.group(0)), Markup("</mark>")]
        position = word.end()
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append(" …")
    return Markup("").join(parts)
