from pathlib import Path

import pytest

from corpus.units import ParsedDocument, Unit
from ingest.html_page import read_html_page
from ingest.failures import ReadFailure

URL = "https://www.helsedirektoratet.no/tema/kunstig-intelligens"

AGENCY_PAGE = """<!DOCTYPE html>
<html lang="no">
<head>
  <meta charset="utf-8">
  <title>Kunstig intelligens i helsetjenesten - Helsedirektoratet</title>
  <link rel="stylesheet" href="/dist/main.css">
  <style>.cookie-consent{position:fixed;bottom:0}</style>
  <script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}</script>
</head>
<body>
  <div id="cookie-banner" class="cookie-consent" role="dialog" aria-label="Informasjonskapsler">
    <p>Vi bruker informasjonskapsler for å forbedre nettstedet og lage besøksstatistikk.</p>
    <button>Godta alle</button> <button>Bare nødvendige</button>
  </div>
  <header class="site-header">
    <a class="logo" href="/">Helsedirektoratet</a>
    <nav aria-label="Hovedmeny">
      <ul>
        <li><a href="/tema">Tema</a></li>
        <li><a href="/retningslinjer">Retningslinjer og veiledere</a></li>
        <li><a href="/rundskriv">Rundskriv og lovfortolkninger</a></li>
        <li><a href="/om-oss">Om Helsedirektoratet</a></li>
      </ul>
    </nav>
    <form role="search"><input type="search" placeholder="Søk på helsedirektoratet.no"></form>
  </header>
  <nav class="breadcrumbs" aria-label="Brødsmulesti"><a href="/">Forside</a> / <a href="/tema">Tema</a></nav>
  <main id="hovedinnhold">
    <article>
      <h1>Kunstig intelligens i helsetjenesten</h1>
      <p class="ingress">Helsedirektoratet gir veiledning om regelverket for utvikling og bruk av kunstig intelligens
      (KI) i helse- og omsorgstjenesten.</p>
      <h2>Hvilket regelverk gjelder?</h2>
      <p>Bruk av KI må skje innenfor helselovgivningen, personvernregelverket og regelverket for medisinsk utstyr.
      Helsepersonelloven § 4 krever forsvarlig yrkesutøvelse også når beslutningsstøtte brukes.</p>
      <ul>
        <li>pasientjournalloven og pasientjournalforskriften</li>
        <li>helseregisterloven</li>
        <li>personopplysningsloven og personvernforordningen</li>
      </ul>
      <h2>Tilgang til helseopplysninger for utvikling av KI</h2>
      <p>Helseopplysninger kan brukes til å utvikle KI-modeller med dispensasjon fra taushetsplikten etter
      helsepersonelloven § 29. Søknaden sendes til Helsedirektoratet.</p>
      <h3>Hva søknaden må inneholde</h3>
      <p>Søknaden må beskrive formålet, hvilke opplysninger som trengs og hvordan de skal sikres.</p>
      <h2>Kontakt oss</h2>
      <p>Spørsmål om regelverket kan sendes til Helsedirektoratets postmottak.</p>
    </article>
  </main>
  <footer class="site-footer">
    <p>Helsedirektoratet, Postboks 220 Skøyen, 0213 Oslo. Sentralbord 810 20 050.</p>
    <ul>
      <li><a href="/personvern">Personvernerklæring</a></li>
      <li><a href="/tilgjengelighet">Tilgjengelighetserklæring</a></li>
    </ul>
  </footer>
  <script src="/dist/main.js"></script>
</body>
</html>
"""


def _one(path: Path, unit_id: str = "helsedirektoratet/kunstig-intelligens") -> Unit:
    (parsed,) = list(read_html_page(path, unit_id, URL))
    assert isinstance(parsed, ParsedDocument), parsed
    (unit,) = parsed.units
    return unit


def _failure(path: Path) -> ReadFailure:
    (result,) = list(read_html_page(path, "x", URL))
    assert isinstance(result, ReadFailure), result
    return result


@pytest.fixture
def agency_page(tmp_path: Path) -> Path:
    path = tmp_path / "kunstig-intelligens.html"
    path.write_text(AGENCY_PAGE, encoding="utf-8")
    return path


def test_agency_page_is_one_unit_in_sections_without_boilerplate(agency_page: Path) -> None:
    (parsed,) = list(read_html_page(agency_page, "helsedirektoratet/kunstig-intelligens", URL))
    assert isinstance(parsed, ParsedDocument)
    assert parsed.info.id == "helsedirektoratet/kunstig-intelligens"
    assert parsed.info.title == "Kunstig intelligens i helsetjenesten"
    assert parsed.info.language == "nb"  # lang="no"
    (unit,) = parsed.units
    assert (unit.id, unit.document_id, unit.url, unit.whole) == (parsed.info.id, parsed.info.id, URL, False)
    assert unit.title == "Kunstig intelligens i helsetjenesten"
    assert [p.split("\n")[0] for p in unit.paragraphs] == [
        "Kunstig intelligens i helsetjenesten",
        "Hvilket regelverk gjelder?",
        "Tilgang til helseopplysninger for utvikling av KI",
        "Kontakt oss",
    ]
    assert unit.paragraphs[0].endswith(
        "veiledning om regelverket for utvikling og bruk av kunstig intelligens (KI) i helse- og omsorgstjenesten."
    )
    assert "\n- helseregisterloven\n" in unit.paragraphs[1]
    assert "\nHva søknaden må inneholde\nSøknaden må beskrive formålet" in unit.paragraphs[2]  # h3 stays in its h2
    for boilerplate in (
        "informasjonskapsler",
        "Godta alle",
        "Om Helsedirektoratet",
        "Rundskriv og lovfortolkninger",
        "Søk på",
        "Forside",
        "Postboks 220",
        "Personvernerklæring",
        "dataLayer",
        "position:fixed",
    ):
        assert boilerplate not in unit.text, boilerplate


def test_language_and_declared_charset(agency_page: Path) -> None:
    nynorsk = AGENCY_PAGE.replace('lang="no"', 'lang="nn-NO"').replace('charset="utf-8"', 'charset="iso-8859-1"')
    agency_page.write_bytes(nynorsk.encode("latin-1"))
    (parsed,) = list(read_html_page(agency_page, "x", URL))
    assert isinstance(parsed, ParsedDocument)
    assert parsed.info.language == "nn"
    assert "Søknaden sendes til Helsedirektoratet." in parsed.units[0].text


def test_eurlex_page_text_without_scripts_or_styles(corpus_dir: Path) -> None:
    unit = _one(corpus_dir / "eu/gdpr_32016R0679_en.html", "eu/gdpr_32016R0679_en")
    assert unit.id == "eu/gdpr_32016R0679_en"
    article = "Article 9\nProcessing of special categories of personal data\n1. Processing of personal data revealing"
    assert article in unit.text
    assert "(h) processing is necessary for the purposes of preventive or occupational medicine" in unit.text
    for code in ("generateTOC", "ruxitagentjs", "bootstrap", "eurlex.css", "$(document)", "<script", "{"):
        assert code not in unit.text, code


def test_bad_files_are_reported(corpus_dir: Path, tmp_path: Path) -> None:
    cases = {
        "empty.html": b"",
        "binary.html": bytes(range(256)) * 10,
        "truncated.html": (corpus_dir / "eu/gdpr_32016R0679_en.html").read_bytes()[:300_000],
        "latin1.html": AGENCY_PAGE.encode("latin-1"),  # says utf-8, is not
        "notes.html": b"Bare tekst, ingen markering.\n",
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
    assert _failure(tmp_path / "empty.html").reason == "empty file"
    assert "binary" in _failure(tmp_path / "binary.html").reason
    assert "truncated" in _failure(tmp_path / "truncated.html").reason
    assert _failure(tmp_path / "latin1.html").reason.startswith("not utf-8 (byte 0xe5 at offset")
    assert "not an HTML page" in _failure(tmp_path / "notes.html").reason
    assert "unreadable" in _failure(tmp_path / "missing.html").reason
