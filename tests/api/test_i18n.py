"""Which language a page is in, and that both languages say everything."""

import pytest

from api.i18n import TEXTS, choose, from_accept_language


def test_both_languages_have_every_text() -> None:
    assert TEXTS["nb"].keys() == TEXTS["en"].keys()
    assert all(TEXTS["nb"].values()) and all(TEXTS["en"].values())


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("nb-NO,nb;q=0.9,no;q=0.8,nn;q=0.7,en-US;q=0.6,en;q=0.5", "nb"),
        ("en-GB,en;q=0.9", "en"),
        ("nn-NO", "nb"),
        ("fr-FR,fr;q=0.9,en;q=0.8,nb;q=0.7", "en"),
        ("de;q=0.9,nb;q=0.1,en;q=0", "nb"),
        ("sv-SE", None),
        ("", None),
        (None, None),
        ("en;q=garbage,nb", "nb"),
    ],
)
def test_accept_language(header: str | None, expected: str | None) -> None:
    assert from_accept_language(header) == expected


def test_the_switch_beats_the_cookie_which_beats_the_browser() -> None:
    assert choose("en", "nb", "nb-NO") == "en"
    assert choose(None, "en", "nb-NO") == "en"
    assert choose("xx", None, "en-US") == "en"
    assert choose(None, None, "sv-SE") == "nb"
