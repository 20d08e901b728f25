"""Snippets: the stretch with the query's words, the words marked by stem, the text escaped."""

from api.snippets import LENGTH, snippet


def test_words_are_marked_by_stem_in_either_language() -> None:
    text = "Taushetsplikten gjelder også etter at tjenesten er avsluttet. Requirements apply to software."
    marked = str(snippet(text, "taushetsplikt requirement"))
    assert "<mark>Taushetsplikten</mark>" in marked and "<mark>Requirements</mark>" in marked
    assert marked.count("<mark>") == 2


def test_stop_words_of_either_language_are_not_marked() -> None:
    assert "<mark>" not in str(snippet("Opplysninger fra journalen og to registre.", "fra to"))


def test_a_long_text_is_cut_around_the_query_words() -> None:
    text = "Innledning uten treff. " * 40 + "Her står det om dispensasjon. " + "Mer tekst uten treff. " * 40
    cut = str(snippet(text, "dispensasjon"))
    assert cut.startswith("… ") and cut.endswith(" …") and "<mark>dispensasjon</mark>" in cut
    assert len(cut.replace("<mark>", "").replace("</mark>", "")) <= LENGTH + 4


def test_text_and_query_are_escaped() -> None:
    assert str(snippet("<b>Samtykke</b> & vilkår", "samtykke <script>")) == (
        "&lt;b&gt;<mark>Samtykke</mark>&lt;/b&gt; &amp; vilkår"
    )
