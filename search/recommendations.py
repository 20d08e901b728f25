"""Questions that ask which product, vendor or service to buy or choose («hvilket journalsystem bør vi kjøpe?»,
«which cyber insurance should a clinic buy?»), which statutes and guidance cannot answer: they set requirements for
products and vendors, they do not recommend one.

Such a question still finds the provisions on procurement, records systems or data processors, and their best
sentences score as high as real answers, so the answerer refuses it on its form. A question for what a rule asks of
a product or vendor («hvilke krav må vi stille til leverandøren?», «which systems must be CE-marked?») names no
buying or choosing and is answered as any other.

Written by hand: the interrogatives, the words for a product or vendor and the verbs of buying, choosing and
recommending are a small closed set in bokmål, nynorsk and English that no library lists.
"""

import re

_WHICH = r"(?:hvilken|hvilket|hvilke|kva\s+for\s+(?:ein|ei|eit)?|which|what)"
# The thing chosen, as the head of a compound where Norwegian makes one («journalsystem», «skyleverandøren»).
_PRODUCT = (
    r"(?:\w*(?:system|systemet|systemer|leverandør|leverandøren|leverandører|verktøy|verktøyet|modell|modellen|"
    r"tjeneste|tjenesten|teneste|tenesta|produkt|produktet|app|appen|løsning|løsningen|løysing|løysinga|forsikring|"
    r"plattform|plattformen|databehandler|databehandleren)|vendors?|suppliers?|providers?|processors?|tools?|"
    r"products?|systems?|software|models?|insurance|platforms?|apps?|cloud\s+services?)"
)
# Buying, choosing or recommending, not obligation: «which systems must be CE-marked?» asks for a rule.
_CHOICE = r"(?:kjøpe|kjøpa|velge|velje|anbefal\w*|tilrå\w*|beste?|buy|purchase|choose|pick|recommend\w*|best)"
_ASKS = re.compile(rf"\b{_WHICH}\s+(?:\w+\s+)?{_PRODUCT}\b[^?]*\b{_CHOICE}\b", re.IGNORECASE)


def asks_for_product(question: str) -> bool:
    """Whether the question asks which product, vendor or service to buy, choose or recommend."""
    return bool(_ASKS.search(question))
