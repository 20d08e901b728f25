"""How citations people type resolve to canonical unit ids; names and abbreviations come from the registry."""

import pytest

from corpus.registry import get_registry
from search.citations import CitationParser

HPL, PBRL, PJL, HREGL = "LOV-1999-07-02-64", "LOV-1999-07-02-63", "LOV-2014-06-20-42", "LOV-2014-06-20-43"
GDPR, AI_ACT, MDR, IVDR = "32016R0679", "32024R1689", "32017R0745", "32017R0746"

TABLE = [
    ("hpl § 29", f"{HPL}/§29"),
    ("hpl §29", f"{HPL}/§29"),
    ("HPL § 29", f"{HPL}/§29"),
    ("helsepersonelloven § 29", f"{HPL}/§29"),
    ("helsepersonelloven §29 første ledd", f"{HPL}/§29"),
    ("Helsepersonelloven § 21 andre ledd", f"{HPL}/§21"),
    ("hpl § 29 c", f"{HPL}/§29c"),
    ("hpl § 29c", f"{HPL}/§29c"),
    ("§ 29 c i helsepersonelloven", f"{HPL}/§29c"),
    ("§ 22 hpl", f"{HPL}/§22"),
    ("hpl § 4 a", f"{HPL}/§4a"),
    ("hva sier hpl § 21 om taushetsplikt?", f"{HPL}/§21"),
    ("pbrl § 3-2", f"{PBRL}/§3-2"),
    ("pbrl §3-2", f"{PBRL}/§3-2"),
    ("pbrl. § 3-2", f"{PBRL}/§3-2"),
    ("hpl. § 29 første ledd", f"{HPL}/§29"),
    ("pasient- og brukerrettighetsloven § 4-1", f"{PBRL}/§4-1"),
    ("pasientrettighetsloven § 3-2 første ledd", f"{PBRL}/§3-2"),
    ("pbrl § 2-1 b", f"{PBRL}/§2-1b"),
    ("pasientjournalloven § 11 andre ledd", f"{PJL}/§11"),
    ("pjl § 19", f"{PJL}/§19"),
    ("helseregisterloven § 19 a", f"{HREGL}/§19a"),
    ("hregl § 6", f"{HREGL}/§6"),
    ("hforsknl § 33", "LOV-2008-06-20-44/§33"),
    ("helseforskningsloven § 13 første ledd", "LOV-2008-06-20-44/§13"),
    ("sphl § 3-2", "LOV-1999-07-02-61/§3-2"),
    ("hol § 3-1", "LOV-2011-06-24-30/§3-1"),
    ("pol § 7", "LOV-2018-06-15-38/§7"),
    ("smittevernloven § 4A-1", "LOV-1994-08-05-55/§4A-1"),
    ("forskrift om medisinsk utstyr § 2", "FOR-2021-05-09-1476/§2"),
    ("lov om medisinsk utstyr § 4", "LOV-2020-05-07-37/§4"),
    ("forskrift om ledelse og kvalitetsforbedring § 6", "FOR-2016-10-28-1250/§6"),
    ("GDPR art. 9", f"{GDPR}/art9"),
    ("GDPR art. 9(2)(h)", f"{GDPR}/art9"),
    ("GDPR art 6 (1) (e)", f"{GDPR}/art6"),
    ("personvernforordningen artikkel 35", f"{GDPR}/art35"),
    ("Personvernforordningen art. 22", f"{GDPR}/art22"),
    ("article 9 of the GDPR", f"{GDPR}/art9"),
    ("GDPR recital 35", f"{GDPR}/rec35"),
    ("MDR article 2", f"{MDR}/art2"),
    ("MDR art. 51", f"{MDR}/art51"),
    ("MDR annex VIII", f"{MDR}/annexVIII"),
    ("Rule 11 in MDR annex VIII", f"{MDR}/annexVIII"),
    ("IVDR art. 47", f"{IVDR}/art47"),
    ("AI Act annex III", f"{AI_ACT}/annexIII"),
    ("AI Act art. 6", f"{AI_ACT}/art6"),
    ("KI-forordningen art. 6", f"{AI_ACT}/art6"),
    ("KI-forordningen artikkel 50", f"{AI_ACT}/art50"),
    ("KI-forordningen vedlegg III", f"{AI_ACT}/annexIII"),
    ("EHDS art. 3", "32025R0327/art3"),
]


@pytest.fixture(scope="module")
def parser() -> CitationParser:
    return CitationParser(get_registry())


@pytest.mark.parametrize(("text", "unit_id"), TABLE)
def test_citation_resolves(parser: CitationParser, text: str, unit_id: str) -> None:
    citations = parser.find(text)
    assert [c.unit_id for c in citations] == [unit_id]


def test_pinpoint_is_kept_in_what_was_understood(parser: CitationParser) -> None:
    (citation,) = parser.find("helsepersonelloven §29 første ledd")
    assert citation.understood == "helsepersonelloven § 29 første ledd"
    (gdpr,) = parser.find("GDPR art. 9(2)(h)")
    assert gdpr.understood == "GDPR art. 9(2)(h)"


def test_several_citations_in_order(parser: CitationParser) -> None:
    found = parser.find("forholdet mellom pbrl § 3-2 og hpl § 10")
    assert [c.unit_id for c in found] == [f"{PBRL}/§3-2", f"{HPL}/§10"]


@pytest.mark.parametrize("text", ["taushetsplikt for helsepersonell", "MDR", "§ 29", "artikkel 9", "hpl", "I § 12 …"])
def test_no_citation_without_both_a_name_and_a_provision(parser: CitationParser, text: str) -> None:
    assert parser.find(text) == []
