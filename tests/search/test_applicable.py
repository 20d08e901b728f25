"""POST /applicable's analyzer on a real small index: the heart-failure project finds the laws and agencies a
regulatory adviser would name, each law with provisions that say why; a cooking project finds none.

Decision for descriptions outside health care: the analyzer returns no laws and no agencies (not a low-scored
list), because a law is only kept when a topic probe fires or retrieval alone clears the calibrated threshold.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from corpus.registry import get_registry
from corpus.settings import Settings
from index.store import open_store
from search.applicable import Applicability, ApplicabilityAnalyzer, load_topics
from search.searcher import Searcher

SOURCES = {
    "LOV-1999-07-02-64",  # helsepersonelloven
    "LOV-2014-06-20-42",  # pasientjournalloven
    "LOV-2018-06-15-38",  # personopplysningsloven with the GDPR
    "LOV-2020-05-07-37",  # lov om medisinsk utstyr
    "FOR-2021-05-09-1476",  # forskrift om medisinsk utstyr
    "LOV-2008-06-20-44",  # helseforskningsloven
    "LOV-2016-06-17-73",  # anskaffelsesloven
}

HEART_FAILURE = (
    "Vi vil bruke journaldata fra 2018–2024 til å trene en modell som varsler forverring hos hjertesviktpasienter, "
    "og kjøpe løsningen inn som CE-merket programvare."
)
COOKING = "Vi lager en nettside med middagsoppskrifter og vil foreslå hva familien kan lage til middag i helgen."

DMP = "Direktoratet for medisinske produkter"


@pytest.fixture(scope="module")
def analyzer(small_index: Callable[[set[str]], Settings]) -> Iterator[ApplicabilityAnalyzer]:
    settings = small_index(SOURCES)
    store = open_store(settings)
    try:
        yield ApplicabilityAnalyzer(Searcher(store, get_registry(), settings), get_registry())
    finally:
        store.close()


@pytest.fixture(scope="module")
def heart_failure(analyzer: ApplicabilityAnalyzer) -> Applicability:
    return analyzer.analyze(HEART_FAILURE)


def test_topics_file_names_known_sources_and_agencies():
    registry = get_registry()
    topics = load_topics()
    ids = {t.id for t in topics}
    assert {"health-personnel", "patient-rights", "records", "research", "medical-device", "data-protection",
            "ai-act", "supervision", "procurement"} <= ids
    for topic in topics:
        assert topic.triggers and topic.queries
        assert all(d in registry.sources for d in topic.documents)
        assert all(a in topic.questions for a in topic.agencies)


def test_heart_failure_laws(heart_failure: Applicability):
    laws = {law.document_id for law in heart_failure.laws}
    assert {"LOV-1999-07-02-64", "LOV-2014-06-20-42"} & laws
    assert "LOV-2020-05-07-37" in laws
    assert {"LOV-2018-06-15-38", "32016R0679"} & laws
    assert "LOV-2016-06-17-73" in laws  # «kjøpe løsningen inn»
    scores = [law.score for law in heart_failure.laws]
    assert scores == sorted(scores, reverse=True)


def test_every_law_cites_real_provisions(heart_failure: Applicability, analyzer: ApplicabilityAnalyzer):
    registry = get_registry()
    for law in heart_failure.laws:
        assert registry.source(law.document_id).kind != "veileder"
        assert law.title == registry.source(law.document_id).title
        assert 1 <= len(law.why) <= 3
        for unit in law.why:
            assert unit.document.id == law.document_id
            assert unit.citation and unit.text and unit.url.startswith("https://")
            assert analyzer.searcher.lookup.unit(unit.id) is not None


def test_heart_failure_agencies(heart_failure: Applicability):
    by_name = {agency.name: agency for agency in heart_failure.agencies}
    assert {DMP, "Helsedirektoratet", "Datatilsynet"} <= set(by_name)
    laws = {law.document_id for law in heart_failure.laws}
    for agency in heart_failure.agencies:
        assert agency.role and agency.question.endswith("?") and agency.documents
        assert set(agency.documents) <= laws
    assert "regel 11" in by_name[DMP].question


def test_flags_force_topics(analyzer: ApplicabilityAnalyzer):
    result = analyzer.analyze("Et verktøy for helsetjenesten.", flags=["research"])
    assert "research" in result.topics
    assert "LOV-2008-06-20-44" in {law.document_id for law in result.laws}


def test_cooking_finds_nothing(analyzer: ApplicabilityAnalyzer):
    result = analyzer.analyze(COOKING)
    assert result.laws == [] and result.agencies == []


def test_health_information_implies_data_protection(analyzer: ApplicabilityAnalyzer):
    strengths = analyzer.triggered("Vi vil hente journalnotater fra DIPS for å lage sammendrag.")
    assert strengths["records"] == 1.0 and strengths["data-protection"] == 1.0


def test_municipal_decisions_trigger_their_topics(analyzer: ApplicabilityAnalyzer):
    strengths = analyzer.triggered("Kommunen vil la en algoritme rangere søknader om hjemmesykepleie før vedtak.")
    assert {"municipal-care", "administrative-decisions", "data-protection"} <= set(strengths)


def test_a_named_register_fires_its_own_regulation_and_the_registries_topic(analyzer: ApplicabilityAnalyzer):
    strengths = analyzer.triggered("Vi vil trene en modell på data fra Norsk pasientregister og Kreftregisteret.")
    assert {"norwegian-patient-registry", "cancer-registry", "registries", "data-protection"} <= set(strengths)


def test_handling_rules_need_a_medical_device(analyzer: ApplicabilityAnalyzer):
    # Håndteringsforskriften binds the health service's acquisition and use of medical devices (§§ 3 and 7), so buying
    # a record system is no reason to name it, and buying CE-marked image software is.
    records = analyzer.triggered("Sykehuset skal kjøpe inn et nytt journalsystem med talegjenkjenning.")
    assert "records" in records and "device-handling" not in records
    device = analyzer.triggered("Sykehuset skal kjøpe inn CE-merket programvare som tolker røntgenbilder.")
    assert {"medical-device", "device-handling"} <= set(device)
    assert "device-handling" in analyzer.triggered("Et verktøy for helsetjenesten.", flags=["device-handling"])


def test_a_model_used_only_in_research_is_neither_a_device_nor_an_ai_system_put_into_service(
    analyzer: ApplicabilityAnalyzer,
):
    # AI Act art. 2(6) and 2(8); MDR art. 2(1) and (27)–(29): nothing is placed on the market or put into service.
    project = "Ei forskargruppe vil trene ein maskinlæringsmodell som stiller diagnosen hjartesvikt ut frå journaldata."
    assert {"ai-act", "medical-device"} <= set(analyzer.triggered(project))
    research = analyzer.triggered(project + " Modellen skal berre brukast i forskinga og ikkje på pasientar.")
    assert "research" in research and not {"ai-act", "medical-device"} & set(research)


def test_a_suppression_naming_an_unknown_topic_fails_at_load(tmp_path: Path):
    path = tmp_path / "topics.toml"
    path.write_text(
        '[[topic]]\nid = "ai-act"\ntriggers = ["ki"]\ndocuments = []\nqueries = []\nagencies = []\nsource = []\n'
        '[[suppression]]\nid = "research-only"\ntopics = ["ai-akt"]\nphrases = ["kun til forskning"]\nsource = []\n'
    )
    with pytest.raises(ValueError, match="unknown topic"):
        load_topics(path)


@pytest.mark.parametrize(
    ("description", "topic", "fires"),
    [
        # MDR art. 2(1): prediction or prognosis of disease for a patient, not of the hospital's logistics.
        ("Poliklinikken vil predikere hvilke pasienter som ikke møter til timen, og sende dem en ekstra påminnelse.",
         "medical-device", False),
        ("We will forecast bed occupancy for the next two weeks from admission data.", "medical-device", False),
        ("Modellen skal predikere risiko for sepsis hos inneliggende pasienter.", "medical-device", True),
        ("The model predicts the risk of a fall for each nursing-home resident and alerts the nurse.",
         "medical-device", True),
        # Pasientjournalforskriften governs writing the record (§§ 4–10), not reading it.
        ("Legekontoret vil la en språkmodell skrive utkast til journalnotat fra lydopptak av konsultasjonen.",
         "patient-record-documentation", True),
        ("Vi vil hente ut journaldata fra 2015–2024 for å trene en modell som varsler forverring.",
         "patient-record-documentation", False),
        # Produktansvarsloven's producer liability for a safety defect (§ 2-1), not patient injury compensation.
        ("Who carries product liability if a defect in the CE-marked software injures a patient?",
         "product-liability-act", True),
        ("Pasienten fikk en pasientskade, og vi lurer på om pasientskadeordningen gir erstatning.",
         "product-liability-act", False),
        # Helsepersonelloven covers the authorised professions of § 48, not words that merely begin like them.
        ("Sykepleierne i hjemmetjenesten skal bruke en app som foreslår tiltak mot trykksår.", "health-personnel", True),
        ("Legemiddelfirmaet vil analysere salgstall for å planlegge produksjonen.", "health-personnel", False),
        # Pasient- og brukerrettighetsloven's access to one's record (§ 5-1) and complaints (kap. 7).
        ("The app lets patients request access to their own records and file a complaint.", "patient-rights", True),
        # Forskningsetikkloven's research misconduct (§§ 6–8), only in research.
        ("Studien skal granske om forfalskning av data er vitenskapelig uredelighet.", "research-ethics", True),
        ("Vi vil oppdage forfalskning av resepter i apoteket.", "research-ethics", False),
    ],
)
def test_topics_fire_on_their_acts_own_subject(
    analyzer: ApplicabilityAnalyzer, description: str, topic: str, fires: bool
):
    assert (topic in analyzer.triggered(description)) is fires


# The topics written before every registered act had one; the act-specific topics added since must stay silent on
# projects that do not name what their act regulates. The handling rules apply to every device the health service
# buys or uses, so they count as general.
GENERAL_TOPICS = {
    "health-personnel", "records", "patient-rights", "registries", "research", "medical-device", "ivd",
    "data-protection", "ai-act", "supervision", "procurement", "health-data-access", "liability", "municipal-care",
    "administrative-decisions", "device-handling",
}


@pytest.mark.parametrize(
    "description",
    [
        HEART_FAILURE,
        "We will buy a speech-to-note assistant that drafts the consultation note in the patient record for the doctor.",
        "Legevakta vil prøve ein KI-basert triage som vurderer symptoma pasientane skriv inn før dei ringer.",
        "The radiology department wants an AI tool that reads chest X-rays and flags findings for the radiologist.",
    ],
)
def test_act_specific_topics_stay_silent_on_generic_projects(analyzer: ApplicabilityAnalyzer, description: str):
    assert set(analyzer.triggered(description)) <= GENERAL_TOPICS
