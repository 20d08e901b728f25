"""Questions that ask for a figure about the world («hvor mange KI-verktøy er godkjent?», «how much did the project
cost?»), which statutes and guidance cannot answer: they lay down rules, not counts, budgets or averages.

Such a question still finds provisions about its subject (approval, budgets, the project), and their best sentences
score as high as real answers, so the answerer refuses it on its form. A question for a figure that a rule sets
(a deadline, a fee, a fine, a share: «hvor mange uker har pasienten på å klage?», «how much can the fine be?») names
a period or a price, or carries a word of obligation, permission or rule, and is answered as any other.

Written by hand: the interrogative forms of bokmål, nynorsk and English are a small closed set no library lists.
"""

import re

_QUANTITY = re.compile(
    r"\b(?:hvor|kor)\s+(?:mange|mye|mykje|stor|stort|store)\b|\bhow\s+(?:many|much|large)\b|\bgjennomsnitt\w*|\baverage\b",
    re.IGNORECASE,
)
# Words of obligation, permission, entitlement or rule, the figures rules set, and the price of a service.
_RULE = re.compile(
    r"\b(?:må|måtte|kan|kunne|skal|skulle|bør|burde|får|lov|lovlig|tillatt|forbudt|plikt\w*|pålegg\w*|krav\w*|"
    r"krev\w*|rett\s+til|rettar|rettigheter|ansvar\w*|gjelder|gjeld|regler|reglar|vilkår|frist\w*|egenandel\w*|"
    r"eigendel\w*|gebyr\w*|avgift\w*|sats\w*|takst\w*|bot|bøter|straff\w*|erstatning\w*|"
    r"must|may|can|could|shall|should|required?|requires|obliged|allowed|permitted|entitled|need|needs|have\s+to|"
    r"has\s+to|rules?|apply|applies|deadline|fees?|fines?|penalt\w+|compensation|koster|kostar|costs?|pay)\b|"
    # a period, as a rule sets it: «hvor mange uker har pasienten på å klage?»
    r"\b(?:hvor|kor|how)\s+(?:mange|many)\s+(?:dager|dagar|uker|veker|måneder|månader|år|timer|timar|days|weeks|"
    r"months|years|hours)\b",
    re.IGNORECASE,
)


def asks_for_figure(question: str) -> bool:
    """Whether the question asks how many, how much or how large something is, with no word of a rule."""
    return bool(_QUANTITY.search(question)) and not _RULE.search(question)
