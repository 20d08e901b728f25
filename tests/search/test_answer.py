"""Extractive answers over a real small index: verbatim quotes, pinpoint citations, language, refusal."""

from dataclasses import replace
from pathlib import Path

import pytest

from corpus.registry import get_registry
from evals.ask_eval import load_questions
from ingest.readers import read_source
from corpus.sentences import split_sentences
import search.answer as answer_module
from search.answer import ALSO_OUTSIDE, OUTSIDE, Answerer, Quote, pinpoint, verbatim
from search.definitions import asked_term
from search.results import DocumentRef, SearchResult

HPL = "LOV-1999-07-02-64/"


def test_confidentiality_question_is_answered_with_verbatim_pinpointed_quotes_from_hpl(answerer: Answerer) -> None:
    answer = answerer.answer(
        "Kan departementet gi dispensasjon fra taushetsplikten slik at opplysninger fra pasientjournaler kan brukes til forskning?"
    )
    assert not answer.refused
    assert answer.quotes and len(answer.quotes) <= 3
    assert any(q.unit_id.startswith(HPL) for q in answer.quotes)
    texts = {s.id: s.text for s in answer.sources}
    for quote in answer.quotes:
        assert quote.text in texts[quote.unit_id]
    assert any(q.unit_id == HPL + "§29" and q.citation.startswith("helsepersonelloven § 29 ") and q.citation.endswith(" ledd") for q in answer.quotes)
    assert "[1] " in answer.answer and answer.quotes[0].citation in answer.answer
    assert answer.answer.splitlines()[-1].startswith("Kilder: ")


def test_english_question_gets_an_english_answer(answerer: Answerer) -> None:
    answer = answerer.answer("Must health personnel keep a patient record for each patient they treat?")
    assert not answer.refused
    assert answer.answer.splitlines()[-1].startswith("Sources: ")
    assert all(q.text in {s.id: s.text for s in answer.sources}[q.unit_id] for q in answer.quotes)


def test_off_topic_question_is_refused_with_the_nearest_sources(answerer: Answerer) -> None:
    answer = answerer.answer("Hvordan lager jeg pizzadeig?")
    assert answer.refused
    assert answer.quotes == []
    assert answer.sources
    assert answer.answer.startswith("Fant ikke grunnlag i kildene for å svare på dette. Nærmeste kilder: ")
    assert answer.sources[0].citation in answer.answer
    english = answerer.answer("How do I change the brake pads on my car?")
    assert english.refused and english.answer.startswith("Found no basis in the sources to answer this. Nearest sources: ")


def test_a_question_about_law_outside_the_sources_is_refused_naming_the_act_to_read(answerer: Answerer) -> None:
    answer = answerer.answer("Hvor lang oppsigelsestid har en radiograf på sykehuset?")
    assert answer.refused and answer.quotes == []
    assert [area.id for area in answer.outside] == ["employment"]
    assert answer.answer.startswith(OUTSIDE["nb"] + "«Arbeidsforhold")
    act = answer.outside[0].acts[0]
    assert act.name in answer.answer and act.url.startswith("https://lovdata.no/")
    english = answerer.answer("What does HIPAA say about sharing patient data with a cloud vendor?")
    assert english.refused and [area.id for area in english.outside] == ["us-health-privacy"]
    assert english.answer.startswith(OUTSIDE["en"] + "«US health privacy law")


def test_a_question_the_best_sentence_covers_only_in_part_is_refused(
    answerer: Answerer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On the subject of a provision (the record), asking what none says (how many days a recording may be kept).
    question = "Hvor mange dager kan vi lagre lydopptaket av pasientsamtalen etter at KI-verktøyet har laget journalnotatet?"
    assert answerer.answer(question).refused
    monkeypatch.setattr(answer_module, "ALIGNMENT_THRESHOLD", 0.0)
    assert not answerer.answer(question).refused


def test_a_question_for_a_kind_of_source_the_registry_lacks_is_refused_naming_where_to_read(answerer: Answerer) -> None:
    answer = answerer.answer("Hva har lagmannsretten sagt om ansvar når en KI-modell stiller feil diagnose?")
    assert answer.refused and answer.quotes == []
    assert [area.id for area in answer.outside] == ["case-law-norway"]
    assert answer.answer.startswith(OUTSIDE["nb"] + "«Rettspraksis") and "lovdata.no" in answer.outside[0].acts[0].url
    english = answerer.answer("Which CJEU judgments deal with automated credit scoring of patients?")
    assert english.refused and [area.id for area in english.outside] == ["case-law-european"]
    cited = answerer.answer("Finnes det høyesterettspraksis om taushetsplikten i helsepersonelloven § 21?")
    assert not cited.refused and cited.outside == []


def test_naming_a_registered_act_keeps_a_question_in_scope(answerer: Answerer) -> None:
    answer = answerer.answer("Gjelder taushetsplikten i helsepersonelloven også for et verneombud som leser journaler?")
    assert answer.outside == []
    assert not answer.answer.startswith(OUTSIDE["nb"])


def test_a_foreign_regime_beside_norwegian_law_is_answered_with_a_note(answerer: Answerer) -> None:
    answer = answerer.answer("Vi har FDA-godkjenning for verktøyet. Må legen i Norge likevel føre journal når hun bruker det?")
    assert not answer.refused and answer.quotes[0].unit_id == HPL + "§39"
    assert [area.id for area in answer.outside] == ["us-fda"]
    assert answer.answer.splitlines()[-1].startswith(ALSO_OUTSIDE["nb"] + "«USA: FDA")
    abroad = answerer.answer("Må programvaren vår ha FDA-godkjenning før vi selger den?")
    assert abroad.refused and [area.id for area in abroad.outside] == ["us-fda"]


def test_a_cited_provision_is_answered_from(answerer: Answerer) -> None:
    answer = answerer.answer("hva sier hpl § 21?")
    assert not answer.refused
    assert answer.sources[0].id == HPL + "§21"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Opplysningene kan gis, jf. § 21. Departementet kan gi forskrift.",
            ["Opplysningene kan gis, jf. § 21.", "Departementet kan gi forskrift."],
        ),
        (
            "Dette gjelder bl.a. journaler, f.eks. røntgenbilder. Reglene gjelder m.v. Når noen mottar opplysninger, gjelder § 29 a. Videre skal det meldes.",
            ["Dette gjelder bl.a. journaler, f.eks. røntgenbilder.", "Reglene gjelder m.v.", "Når noen mottar opplysninger, gjelder § 29 a.", "Videre skal det meldes."],
        ),
        (
            "Se art. 9 nr. 2 bokstav h. Behandlingen er lovlig etter forordning (EU) 2016/679. Det følger av Prop. 56 L s. 12.",
            ["Se art. 9 nr. 2 bokstav h.", "Behandlingen er lovlig etter forordning (EU) 2016/679.", "Det følger av Prop. 56 L s. 12."],
        ),
        (
            "2. Paragraph 1 shall not apply if one of the following applies:\n(a) the data subject has given consent;\n(b) processing is necessary, e.g. for care. This applies.",
            ["2. Paragraph 1 shall not apply if one of the following applies:", "(a) the data subject has given consent;", "(b) processing is necessary, e.g. for care.", "This applies."],
        ),
        (
            "a. Den registrerte har gitt samtykke, jf. nr. 1.\nb. Behandlingen er nødvendig. Er det lov? Ja!",
            ["a. Den registrerte har gitt samtykke, jf. nr. 1.", "b. Behandlingen er nødvendig.", "Er det lov?", "Ja!"],
        ),
        (
            "Loven trer i kraft 1. januar 2020. Fra samme tid oppheves lov 2. juli 1999 nr. 64 om helsepersonell m.v.",
            ["Loven trer i kraft 1. januar 2020.", "Fra samme tid oppheves lov 2. juli 1999 nr. 64 om helsepersonell m.v."],
        ),
    ],
)
def test_sentence_splitter_respects_legal_abbreviations(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected
    assert all(sentence in text for sentence in split_sentences(text))


def _result(unit_id: str, citation: str, text: str) -> SearchResult:
    document = DocumentRef(id=unit_id.split("/")[0], title="", short_title="", kind="lov", last_changed="")
    return SearchResult(id=unit_id, citation=citation, title="", document=document, text=text, url="", agencies=[])


def test_pinpoint_names_the_ledd_or_the_article_paragraph() -> None:
    hpl = _result(HPL + "§29", "helsepersonelloven § 29", "Første.\n\nAndre.\n\nTredje.")
    assert pinpoint(hpl, 0) == "helsepersonelloven § 29 første ledd"
    assert pinpoint(hpl, 2) == "helsepersonelloven § 29 tredje ledd"
    single = _result(HPL + "§21", "helsepersonelloven § 21", "Bare ett ledd.")
    assert pinpoint(single, 0) == "helsepersonelloven § 21"
    gdpr = _result("32016R0679/art9", "GDPR art. 9", "1. Forbudt.\n\n2. Nr. 1 får ikke anvendelse.\n\nUnnumbered.")
    assert pinpoint(gdpr, 1) == "GDPR art. 9(2)"
    assert pinpoint(gdpr, 2) == "GDPR art. 9"
    mdr = _result("32017R0745/art10", "MDR art. 10 (OJ L 117, p. 23)", "1. Manufacturers shall.")
    assert pinpoint(mdr, 0) == "MDR art. 10(1) (OJ L 117, p. 23)"


def test_verbatim_rejects_a_quote_not_in_its_unit() -> None:
    unit = _result(HPL + "§21", "helsepersonelloven § 21", "Helsepersonell skal hindre at andre får adgang.")
    assert verbatim(Quote(unit_id=unit.id, citation=unit.citation, text="Helsepersonell skal hindre at andre får adgang."), unit)
    assert not verbatim(Quote(unit_id=unit.id, citation=unit.citation, text="Helsepersonell skal  hindre"), unit)
    assert not verbatim(Quote(unit_id="other", citation=unit.citation, text="Helsepersonell"), unit)


ASK = Path(__file__).resolve().parents[2] / "evals/datasets/ask"


@pytest.mark.parametrize(
    "dataset", [ASK, ASK.parent / "ask-near", ASK.parent / "ask-train"], ids=["ask", "ask-near", "ask-train"]
)
def test_ask_dataset_is_well_formed_and_its_gold_ids_are_indexed_units(corpus_dir: Path, dataset: Path) -> None:
    questions = load_questions(dataset)
    assert len(questions) >= 30 and len({q.id for q in questions}) == len(questions)
    assert sum(not q.answerable for q in questions) >= 8
    assert all(q.lang in {"nb", "nn", "en"} for q in questions)
    assert all(bool(q.gold) == q.answerable for q in questions)
    gold = {unit_id for q in questions for unit_id in q.gold}
    registry = get_registry()
    indexed: set[str] = set()
    for source in registry.sources.values():
        # The GDPR's Norwegian text sits in personopplysningsloven, under the GDPR's ids; a guidance page is one unit
        # under the source's own id.
        if source.file is None or source.id not in {g.split("/")[0] for g in gold} | gold | {"LOV-2018-06-15-38"}:
            continue
        for parsed in read_source(corpus_dir / source.file, source):
            indexed |= {unit.id for unit in parsed.units if unit.paragraphs}
    assert not sorted(gold - indexed)


def test_strong_agreement_of_the_searches_accepts_a_weaker_sentence(answerer: Answerer) -> None:
    question = "Can health personnel share confidential information with colleagues who treat the patient?"
    results = answerer.searcher.search(question, top_k=5)
    best = replace(answerer.score_sentences(question, results)[0], score=0.81)
    top = results[0]
    agreeing = [top.model_copy(update={"score": 3 / 61}), *results[1:]]
    split = [top.model_copy(update={"score": 2 / 61}), *results[1:]]
    assert answerer.supported(best, agreeing)
    assert not answerer.supported(best, split)
    assert not answerer.supported(replace(best, score=0.79), agreeing)


def test_a_definition_question_quotes_the_definition_of_the_term_asked_about(answerer: Answerer) -> None:
    answer = answerer.answer("Hva menes med pårørende i pasientrettighetsloven?")
    assert not answer.refused
    assert answer.quotes[0].unit_id == "LOV-1999-07-02-63/§1-3"
    assert answer.quotes[0].text.startswith("b. pasientens og brukerens pårørende:")


def test_a_sentence_ending_in_a_colon_is_quoted_with_its_list(answerer: Answerer) -> None:
    answer = answerer.answer(
        "Hva har pasienten rett til å få informasjon om innen 10 virkedager etter at spesialisthelsetjenesten har mottatt henvisningen?"
    )
    quote = next(q for q in answer.quotes if q.unit_id == "LOV-1999-07-02-63/§2-2a")
    assert quote.text.startswith("Innen 10 virkedager") and not quote.text.endswith(":")
    assert "\nb. det fastsatte tidspunktet for oppstart av helsehjelpen\n" in quote.text
    assert quote.text in {s.id: s.text for s in answer.sources}[quote.unit_id]


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("Hva menes med databehandler?", "databehandler"),
        ("What does the AI Act mean by 'deployer'?", "deployer"),
        ("How does the AI Act define an AI system?", "AI system"),
        ("Kva er ein behandlingsansvarleg etter personvernforordninga?", "behandlingsansvarleg"),
        ("What is an accessory for a medical device under the MDR?", "accessory for a medical device"),
    ],
)
def test_definition_questions_name_their_term(question: str, term: str) -> None:
    assert asked_term(question) == asked_term(f"hva er {term}")


def test_questions_that_ask_no_definition_name_no_term() -> None:
    assert asked_term("May a hospital share patient records with an AI vendor?") is None
    assert asked_term("Kan vi bruke journaldata til KI-trening?") is None
