"""Definition questions («hva menes med databehandler?», «what does the AI Act mean by 'deployer'?») and the
sentences that define a term («(8) ‘processor’ means …», «a) helseopplysninger: …»).

Written by hand: the question forms and the way Norwegian and EU definition articles print a defined term are
conventions of legal drafting that no library models.
"""

import re

from index.sparse import stems

_TAIL = r"\s*(?:\b(?:i|etter|under|in|according\s+to|for\s+the\s+purposes\s+of|as\s+used\s+in)\b.*)?[?.!]*\s*$"
# The forms of a definition question; the term asked about is what `term` matches, up to «i/etter/under/in …».
_QUESTIONS = [
    re.compile(p + _TAIL, re.IGNORECASE)
    for p in (
        r"^\s*what\s+(?:does|do)\s+.{2,40}?\s+mean\s+by\s+(?P<term>.+?)",
        r"^\s*how\s+(?:does|do)\s+.{2,40}?\s+define\s+(?P<term>.+?)",
        r"^\s*what\s+does\s+(?P<term>.+?)\s+mean",
        r"^\s*(?:hva|kva)\s+betyr\s+(?P<term>.+?)",
        r"^\s*(?:hva|kva)\s+(?:menes|meinast|meiner\s+ein)\s+med\s+(?P<term>.+?)",
        r"^\s*(?:hva|kva)\s+(?:er|ligger\s+i)\s+(?:definisjonen\s+(?:av|på)\s+)?(?P<term>.+?)",
        r"^\s*what\s+(?:is|are|counts\s+as)\s+(?:meant\s+by\s+|the\s+definition\s+of\s+)?(?P<term>.+?)",
        r"^\s*(?:definisjon(?:en)?\s+(?:av|på)|definition\s+of|define)\s+(?P<term>.+?)",
    )
]
_ARTICLES = re.compile(r"^(?:an?|the|en|ei|et|ein|eit|begrepet|begrepa|omgrepet|uttrykket|the\s+term)\s+", re.IGNORECASE)
_QUOTES = "'\"‘’“”«»"
# A defined term: quoted («‘deployer’ means», ««behandlingsansvarlig»»), or a list item's head before a colon
# («a) helseopplysninger: …»).
_QUOTED = re.compile(r"[‘'“\"«]([^’'”\"»]{2,80})[’'”\"»]")
_ITEM_HEAD = re.compile(r"^\s*(?:\(?[a-zæøå0-9]{1,3}[.)]\s*)?([^:;,.]{2,80}):\s")
# Only the opening of a sentence is searched: a definition puts the term first.
_OPENING = 60


def _key(term: str) -> tuple[str, ...]:
    return tuple(stems(term.strip(_QUOTES + " "), "nb", keep_stopwords=True))


def asked_term(question: str) -> tuple[str, ...] | None:
    """The stems of the term a definition question asks about, or None when the question asks something else."""
    match = next((m for pattern in _QUESTIONS if (m := pattern.match(question))), None)
    if match is None:
        return None
    term = _ARTICLES.sub("", match["term"].strip(_QUOTES + " ")).strip(_QUOTES + " ")
    words = term.split()
    if not 1 <= len(words) <= 6:
        return None
    return _key(term) or None


def defines(sentence: str, term: tuple[str, ...]) -> bool:
    """Whether the sentence is the definition of the term: the term quoted, or heading a list item, at its opening;
    a head may qualify the term («pasientens og brukerens pårørende» defines «pårørende»)."""
    opening = sentence[:_OPENING]
    heads = [m.group(1) for m in _QUOTED.finditer(opening)]
    if item := _ITEM_HEAD.match(sentence):
        heads.append(item.group(1))
    return any(_key(head)[-len(term):] == term for head in heads)
