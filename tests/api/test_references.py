"""What the pages let a reader copy and where they jump: ledd citations, full references, anchors."""

from api.references import cited_anchor, full_reference, ledd, official_site, quote_anchor
from search.results import DocumentRef, SearchResult

HPL = DocumentRef(
    id="LOV-1999-07-02-64",
    title="Lov om helsepersonell m.v. (helsepersonelloven)",
    short_title="hpl",
    kind="lov",
    last_changed="2025-01-01",
)
HPL_29_URL = "https://lovdata.no/dokument/NL/lov/1999-07-02-64/§29"


def _unit(unit_id: str, citation: str, text: str, url: str = HPL_29_URL) -> SearchResult:
    return SearchResult(id=unit_id, citation=citation, title="", document=HPL, text=text, url=url, agencies=[])


def test_norwegian_ledd_are_numbered_and_cited_by_ordinal() -> None:
    unit = _unit("LOV-1999-07-02-64/§29", "helsepersonelloven § 29", "Første.\n\nAndre.")
    first, second = ledd(unit)
    assert (first.number, first.printed, first.anchor) == (1, True, "ledd-1")
    assert first.citation == "helsepersonelloven § 29 første ledd"
    assert second.citation == "helsepersonelloven § 29 andre ledd"
    assert full_reference(first.citation, unit) == (
        f"helsepersonelloven § 29 første ledd, Lov om helsepersonell m.v. (helsepersonelloven), {HPL_29_URL}"
    )
    assert quote_anchor(unit, "Andre.") == "#ledd-2" and quote_anchor(unit, "Tredje.") == ""


def test_eu_paragraphs_keep_their_own_numbers() -> None:
    unit = _unit("32016R0679/art9", "GDPR art. 9", "1. Forbudt.\n\n2. Unntak.", "https://eur-lex.europa.eu/x")
    assert [(l.printed, l.citation) for l in ledd(unit)] == [(False, "GDPR art. 9(1)"), (False, "GDPR art. 9(2)")]
    assert official_site(unit.url) == "EUR-Lex"
    assert official_site("https://www.helsedirektoratet.no/a") == "helsedirektoratet.no"


def test_a_cited_ledd_is_the_fragment_jumped_to() -> None:
    assert cited_anchor("§ 29 første ledd") == "#ledd-1"
    assert cited_anchor("§ 11 andre ledd") == "#ledd-2"
    assert cited_anchor("§ 29") == "" and cited_anchor("art. 9(2)(h)") == ""
