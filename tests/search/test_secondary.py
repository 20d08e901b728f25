"""Annexed conventions and service pages rank below the law, unless the query asks for them."""

from collections.abc import Callable, Iterator

import pytest

from corpus.registry import get_registry
from corpus.settings import Settings
from index.store import open_store
from search.searcher import Searcher
from search.secondary import SecondaryMatcher

LDL = "LOV-2017-06-16-51"  # likestillings- og diskrimineringsloven, which carries the UN convention on racial discrimination
SERVICE = "guidance/ki-koordineringsprosjekt_veiledning-utproving-ki-2020"
SOURCES = {LDL, SERVICE, "LOV-1999-07-02-64"}


@pytest.fixture(scope="module")
def searcher(small_index: Callable[[set[str]], Settings]) -> Iterator[Searcher]:
    settings = small_index(SOURCES)
    store = open_store(settings)
    yield Searcher(store, get_registry(), settings, modes=("expanded",))
    store.close()


@pytest.mark.parametrize(
    ("query", "asked"),
    [
        ("Hva sier rasediskrimineringskonvensjonen om statenes plikter?", ["convention"]),
        ("What does the UN convention say about racial discrimination?", ["convention"]),
        ("Hvilken etat kan veilede oss om regelverket?", ["service"]),
        ("Which agency should we contact?", ["service"]),
        ("Can our AI model discriminate by ethnic origin?", []),
        ("Kan vi bruke KI i helsetjenesten?", []),
    ],
)
def test_a_query_asks_for_a_secondary_text_by_name(query: str, asked: list[str]) -> None:
    assert SecondaryMatcher().asked(query) == asked


def test_the_act_outranks_the_convention_it_carries(searcher: Searcher) -> None:
    hits = searcher.search("May an AI system treat patients differently because of their ethnic origin?", 3, mode="expanded")
    assert hits and all("/rdk" not in hit.id for hit in hits), [hit.id for hit in hits]


def test_a_query_about_the_convention_finds_it(searcher: Searcher) -> None:
    hits = searcher.search("What does the UN convention on racial discrimination require of States Parties?", 3, mode="expanded")
    assert hits[0].id.startswith(f"{LDL}/rdke/"), [hit.id for hit in hits]
    assert hits[0].document.kind == "konvensjon" and hits[0].citation.startswith("likestillings- og diskrimineringsloven vedlegg 1 art.")


def test_a_page_about_the_service_leads_only_when_asked_about(searcher: Searcher) -> None:
    law = searcher.search("Kan helsepersonell bruke kunstig intelligens til å lese pasientjournalen?", 3, mode="expanded")
    assert all(hit.document.id != SERVICE for hit in law), [hit.id for hit in law]
    service = searcher.search("Hvem kan veilede oss om regelverket når vi prøver ut kunstig intelligens?", 3, mode="expanded")
    assert service[0].document.id == SERVICE, [hit.id for hit in service]
