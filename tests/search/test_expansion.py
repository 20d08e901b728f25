from corpus.glossary import get_glossary
from corpus.registry import get_registry
from corpus.subjects import get_subjects
from index.sparse import query_vector, term_id
from search.citations import CitationParser
from search.expansion import QueryExpander
from search.terms import TermMatcher


def expander() -> QueryExpander:
    return QueryExpander(get_glossary(), CitationParser(get_registry()), TermMatcher(get_subjects()))


def test_expander_translates_and_finds_named_sources() -> None:
    out = expander().run("Hva sier KI-forordningen og personvernforordningen om treningsdata?")
    assert out["queries"][0].startswith("Hva sier KI-forordningen")
    assert "AI Act" in out["queries"][1] and "training data" in out["queries"][1]
    assert out["focus"] == ["32024R1689", "32016R0679"]
    assert out["sparse_text"] == " ".join(out["queries"])


def test_expander_leaves_plain_queries_alone() -> None:
    out = expander().run("hva sier § 12?")
    assert out["queries"] == ["hva sier § 12?"] and out["focus"] == [] and out["subjects"] == []


def test_expander_gives_the_provisions_of_the_subjects_named() -> None:
    out = expander().run("Må vi ha en databehandleravtale med leverandøren?")
    assert any("32016R0679/art28" in units for units in out["subjects"])


def test_context_words_weigh_lightly_in_the_sparse_query() -> None:
    vector = query_vector("journaldata til KI-trening", light=frozenset({"ki"}), light_weight=0.3)
    weights = dict(zip(vector.indices, vector.values, strict=True))
    assert weights[term_id("ki")] == 0.3 and weights[term_id("journaldata")] == 1.0
