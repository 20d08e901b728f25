from corpus.glossary import get_glossary, query_language


def test_language_of_a_query() -> None:
    assert query_language("May a hospital share patient records with an AI vendor?") == "en"
    assert query_language("Kan sykehuset dele journaler med leverandøren?") == "nb"
    assert query_language("Kan legane sjå i journalane?") == "nb"


def test_norwegian_terms_become_english_longest_first() -> None:
    glossary = get_glossary()
    assert glossary.translate("Hva regnes som et KI-system etter KI-forordningen?") == "Hva regnes som et AI system etter AI Act?"
    assert "data protection impact assessment" in (glossary.translate("Må vi gjøre en personvernkonsekvensvurdering?") or "")


def test_english_terms_become_norwegian() -> None:
    translated = get_glossary().translate("Can we share patient records without consent?") or ""
    assert "pasientjournal" in translated and "samtykke" in translated


def test_nothing_to_translate() -> None:
    assert get_glossary().translate("hva sier § 12?") is None


def test_context_words_are_listed() -> None:
    assert {"KI", "AI"} <= set(get_glossary().context)
