"""Warm search latency and memory on the configured index: `python -m evals.bench_search [--runs N]`.

Prints numbers, asserts nothing: speed targets are checked here, not in timed unit tests.
"""

import argparse
import resource
import statistics
import time

from corpus.registry import get_registry
from corpus.settings import get_settings
from index.store import open_store
from search.searcher import Searcher

QUERIES = [
    "Kan helsepersonell gi pasientopplysninger til en KI-leverandør uten samtykke?",
    "pasientens rett til informasjon",
    "dispensasjon fra taushetsplikt for forskning",
    "hvem har ansvar for at pasientjournalen er korrekt",
    "tilgang til helseopplysninger i behandlingsrettede helseregistre",
    "krav til medisinsk utstyr som programvare",
    "melding om uønskede hendelser med medisinsk utstyr",
    "behandling av særlige kategorier av personopplysninger",
    "konsekvensvurdering av personvern",
    "forhåndsgodkjenning fra regional komité for medisinsk og helsefaglig forskningsetikk",
    "samtykke til medisinsk forskning",
    "plikt til å føre journal",
    "forsvarlighet i helsetjenesten",
    "internkontroll og kvalitetsforbedring i helse- og omsorgstjenesten",
    "tilsyn med helsetjenesten",
    "innsyn i egen journal",
    "retten til å klage",
    "helseregistre med direkte personidentifiserbare opplysninger",
    "sammenstilling av helseopplysninger fra flere registre",
    "taushetsplikt for helsepersonell",
    "opplysningsplikt til barnevernet",
    "autorisasjon som helsepersonell",
    "pasientskadeerstatning ved feil behandling",
    "offentlige anskaffelser av IT-løsninger",
    "informasjonssikkerhet i helse- og omsorgssektoren",
    "kjernejournal",
    "nasjonal løsning for tilgjengeliggjøring av helsedata",
    "kreftregisteret opplysninger",
    "klinisk utprøving av legemidler",
    "bivirkninger av legemidler rapportering",
    "pasientens medvirkning",
    "samtykkekompetanse",
    "rett til nødvendig helsehjelp",
    "digital sikkerhet krav til virksomheter",
    "arkivering av pasientjournaler",
    "behandlingsansvarlig for pasientjournal",
    "databehandler og leverandør",
    "innebygd personvern",
    "rett til sletting av personopplysninger",
    "automatiserte individuelle avgjørelser og profilering",
    "may health personnel share patient data with an AI vendor",
    "patient right to information",
    "duty of confidentiality exemption for research",
    "medical device software requirements",
    "data protection impact assessment",
    "processing of health data for scientific research",
    "who supervises health services",
    "patient record access",
    "quality registries",
    "clinical decision support tools",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--top-k", type=int, default=10)
    args = parser.parse_args()
    settings = get_settings()
    store = open_store(settings)
    searcher = Searcher(store, get_registry(), settings)
    for query in QUERIES[:3]:
        searcher.search(query, args.top_k)
    timings = []
    for query in QUERIES:
        started = time.perf_counter()
        searcher.search(query, args.top_k)
        timings.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(timings, n=20)[18]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"points: {store.count_documents()}")
    print(f"queries: {len(timings)}  p50: {statistics.median(timings):.1f} ms  p95: {p95:.1f} ms  max: {max(timings):.1f} ms")
    print(f"peak RSS: {rss_mb:.0f} MB")
    store.close()


if __name__ == "__main__":
    main()
