"""Request text that must hold at least one word: whitespace, control characters or punctuation alone would be
embedded as noise and answered with arbitrary provisions."""

import re
from typing import Annotated

from pydantic import AfterValidator

# A letter or a digit in any script («§ 29» has one; «?!», "\x00" and "   " have none).
_WORD = re.compile(r"[^\W_]")


def _has_words(text: str) -> str:
    if not _WORD.search(text):
        raise ValueError("has no words (only whitespace, punctuation or control characters)")
    return text


WordyText = Annotated[str, AfterValidator(_has_words)]
