"""How citations people type resolve to canonical unit ids; names and abbreviations come from the registry.

The table is written out by hand, not derived from the registry, so a name dropped from sources.toml fails here; every
id in it is checked against the units the ingest reads from the real corpus.
"""

import pytest

from corpus.registry import Source, get_registry
from search.citations import CitationParser

HPL, PBRL, PJL, HREGL = "LOV-1999-07-02-64", "LOV-1999-07-02-63", "LOV-2014-06-20-42", "LOV-2014-06-20-43"
HFORSKNL, SPHL, HOL, POL = "LOV-2008-06-20-44", "LOV-1999-07-02-61", "LOV-2011-06-24-30", "LOV-2018-06-15-38"
FVL, OFFL, LDL, MUTL = "LOV-1967-02-10", "LOV-2006-05-19-16", "LOV-2017-06-16-51", "LOV-2020-05-07-37"
SMVL, PHVL, LML, ARKIVL = "LOV-1994-08-05-55", "LOV-1999-07-02-62", "LOV-1992-12-04-132", "LOV-2025-06-20-96"
GDPR, AI_ACT, MDR, IVDR = "32016R0679", "32024R1689", "32017R0745", "32017R0746"
EHDS, PLD = "32025R0327", "32024L2853"

TABLE = [
    # Abbreviations and names, bokmål.
    ("hpl § 29", f"{HPL}/§29"),
    ("hpl §29", f"{HPL}/§29"),
    ("hpl§29", f"{HPL}/§29"),
    ("HPL § 29", f"{HPL}/§29"),
    ("Hpl § 10", f"{HPL}/§10"),
    ("helsepersonelloven § 29", f"{HPL}/§29"),
    ("Helsepersonelloven § 21 andre ledd", f"{HPL}/§21"),
    ("hpl § 29 c", f"{HPL}/§29c"),
    ("hpl § 29c", f"{HPL}/§29c"),
    ("hpl § 29  c", f"{HPL}/§29c"),
    ("§ 29 c i helsepersonelloven", f"{HPL}/§29c"),
    ("§ 29 i helsepersonelloven", f"{HPL}/§29"),
    ("§ 10 i hpl", f"{HPL}/§10"),
    ("§ 22 hpl", f"{HPL}/§22"),
    ("hpl § 4 a", f"{HPL}/§4a"),
    ("hva sier hpl § 21 om taushetsplikt?", f"{HPL}/§21"),
    ("LOV-1999-07-02-64 § 29", f"{HPL}/§29"),
    ("pbrl § 3-2", f"{PBRL}/§3-2"),
    ("pbrl §3-2", f"{PBRL}/§3-2"),
    ("pbrl. § 3-2", f"{PBRL}/§3-2"),
    ("hpl. § 29 første ledd", f"{HPL}/§29"),
    ("pasient- og brukerrettighetsloven § 4-1", f"{PBRL}/§4-1"),
    ("pasient-  og brukerrettighetsloven § 3-2", f"{PBRL}/§3-2"),
    ("pasientrettighetsloven § 3-2 første ledd", f"{PBRL}/§3-2"),
    ("pasrl § 3-1", f"{PBRL}/§3-1"),
    ("pbrl § 2-1 c", f"{PBRL}/§2-1c"),
    ("pasientjournalloven § 11 andre ledd", f"{PJL}/§11"),
    ("pasientjournalloven § 9 a", f"{PJL}/§9a"),
    ("pjl § 19", f"{PJL}/§19"),
    ("helseregisterloven § 19 a", f"{HREGL}/§19a"),
    ("helseregisterloven § 20", f"{HREGL}/§20"),
    ("hregl § 6", f"{HREGL}/§6"),
    ("hforsknl § 33", f"{HFORSKNL}/§33"),
    ("helseforskningsloven § 13 første ledd", f"{HFORSKNL}/§13"),
    ("sphl § 3-2", f"{SPHL}/§3-2"),
    ("spesialisthelsetjenesteloven § 2-1 a", f"{SPHL}/§2-1a"),
    ("hol § 3-1", f"{HOL}/§3-1"),
    ("helse- og omsorgstjenesteloven § 5-10", f"{HOL}/§5-10"),
    ("pol § 7", f"{POL}/§7"),
    ("personopplysningsloven § 12 a", f"{POL}/§12a"),
    ("forvaltningsloven § 13", f"{FVL}/§13"),
    ("fvl § 17", f"{FVL}/§17"),
    ("likestillings- og diskrimineringsloven § 30", f"{LDL}/§30"),
    ("ldl § 6", f"{LDL}/§6"),
    ("lov om medisinsk utstyr § 4", f"{MUTL}/§4"),
    ("mutl § 11", f"{MUTL}/§11"),
    ("smittevernloven § 4-3 a", f"{SMVL}/§4-3a"),
    ("psykisk helsevernloven § 4A-1", f"{PHVL}/§4A-1"),
    ("phvl § 4a-1", f"{PHVL}/§4A-1"),
    ("legemiddelloven § 2", f"{LML}/§2"),
    ("lml § 2 a", f"{LML}/§2a"),
    ("produktansvarsloven § 2-1", "LOV-1988-12-23-104/§2-1"),
    ("pasientskadeloven § 6", "LOV-2001-06-15-53/§6"),
    ("helseforetaksloven § 2 a", "LOV-2001-06-15-93/§2a"),
    ("biobankloven § 6", "LOV-2003-02-21-12/§6"),
    ("behandlingsbiobankloven § 17", "LOV-2003-02-21-12/§17"),
    ("bioteknologiloven § 2-1", "LOV-2003-12-05-100/§2-1"),
    ("folkehelseloven § 24", "LOV-2011-06-24-29/§24"),
    ("strålevernloven § 18", "LOV-2000-05-12-36/§18"),
    ("apotekloven § 1-1", "LOV-2000-06-02-39/§1-1"),
    ("helseberedskapsloven § 2-4", "LOV-2000-06-23-56/§2-4"),
    ("anskaffelsesloven § 11", "LOV-2016-06-17-73/§11"),
    ("LOA § 12", "LOV-2016-06-17-73/§12"),
    ("forskningsetikkloven § 10", "LOV-2017-04-28-23/§10"),
    ("ukomloven § 5", "LOV-2017-06-16-56/§5"),
    ("helsetilsynsloven § 4", "LOV-2017-12-15-107/§4"),
    ("digitalsikkerhetsloven § 13", "LOV-2023-12-20-108/§13"),
    ("forvaltningsloven (2025) § 1", "LOV-2025-06-20-81/§1"),
    ("ny forvaltningslov § 1", "LOV-2025-06-20-81/§1"),
    # Regulations.
    ("forskrift om medisinsk utstyr § 2", "FOR-2021-05-09-1476/§2"),
    ("forskrift om ledelse og kvalitetsforbedring § 6", "FOR-2016-10-28-1250/§6"),
    ("NPR-forskriften § 1-4", "FOR-2007-12-07-1389/§1-4"),
    ("KPR-forskriften § 1-3", "FOR-2017-08-25-1292/§1-3"),
    ("kvalitetsregisterforskriften § 2-3", "FOR-2019-06-21-789/§2-3"),
    ("håndteringsforskriften § 16", "FOR-2013-11-29-1373/§16"),
    ("lmf § 3-22A", "FOR-2009-12-18-1839/§3-22A"),
    ("pasientjournalforskriften § 8", "FOR-2019-03-01-168/§8"),
    ("digitalsikkerhetsforskriften § 21", "FOR-2025-06-20-1131/§21"),
    # An abbreviation's period: «pjl.» must not fall back to another act.
    ("pjl. § 19", f"{PJL}/§19"),
    ("PJL. § 19", f"{PJL}/§19"),
    ("etter pjl. § 22 kan", f"{PJL}/§22"),
    ("pbrl. § 4-1", f"{PBRL}/§4-1"),
    ("hol. § 5-10", f"{HOL}/§5-10"),
    ("hpl. § 29", f"{HPL}/§29"),
    ("§ 22 hpl.", f"{HPL}/§22"),
    ("hregl. § 19 a", f"{HREGL}/§19a"),
    ("hforsknl. § 33", f"{HFORSKNL}/§33"),
    ("pol. § 7", f"{POL}/§7"),
    ("sphl. § 2-1 a", f"{SPHL}/§2-1a"),
    ("fvl. § 17", f"{FVL}/§17"),
    ("offl. § 13", f"{OFFL}/§13"),
    ("ldl. § 6", f"{LDL}/§6"),
    ("mutl. § 4", f"{MUTL}/§4"),
    ("smvl. § 4-1", f"{SMVL}/§4-1"),
    ("phvl. § 3-3", f"{PHVL}/§3-3"),
    ("lml. § 2", f"{LML}/§2"),
    ("prodansvl. § 2-1", "LOV-1988-12-23-104/§2-1"),
    ("passkl. § 6", "LOV-2001-06-15-53/§6"),
    ("hfl. § 2 a", "LOV-2001-06-15-93/§2a"),
    ("biobl. § 17", "LOV-2003-02-21-12/§17"),
    ("fhl. § 24", "LOV-2011-06-24-29/§24"),
    ("stvl. § 18", "LOV-2000-05-12-36/§18"),
    ("hlsberedskl. § 2-4", "LOV-2000-06-23-56/§2-4"),
    # Nynorsk, and the bokmål forms of the nynorsk acts.
    ("helsepersonellova § 29", f"{HPL}/§29"),
    ("helsepersonellova § 21 første ledd", f"{HPL}/§21"),
    ("§ 29 i helsepersonellova", f"{HPL}/§29"),
    ("pasient- og brukarrettslova § 3-2", f"{PBRL}/§3-2"),
    ("pasientjournallova § 19", f"{PJL}/§19"),
    ("§ 19 i pasientjournallova", f"{PJL}/§19"),
    ("helseregisterlova § 19 a", f"{HREGL}/§19a"),
    ("helseforskingslova § 33", f"{HFORSKNL}/§33"),
    ("personopplysningslova § 7", f"{POL}/§7"),
    ("spesialisthelsetenestelova § 3-2", f"{SPHL}/§3-2"),
    ("helse- og omsorgstenestelova § 3-1 fyrste ledd", f"{HOL}/§3-1"),
    ("forvaltningslova § 17", f"{FVL}/§17"),
    ("offentleglova § 13", f"{OFFL}/§13"),
    ("offentlegloven § 13", f"{OFFL}/§13"),
    ("offentlighetsloven § 13", f"{OFFL}/§13"),
    ("arkivlova § 4", f"{ARKIVL}/§4"),
    ("arkivloven § 4", f"{ARKIVL}/§4"),
    ("smittevernlova § 4-1", f"{SMVL}/§4-1"),
    ("legemiddellova § 2", f"{LML}/§2"),
    ("folkehelselova § 24", "LOV-2011-06-24-29/§24"),
    ("psykisk helsevernlova § 3-3", f"{PHVL}/§3-3"),
    ("pasientskadelova § 6", "LOV-2001-06-15-53/§6"),
    ("helseføretakslova § 2 a", "LOV-2001-06-15-93/§2a"),
    ("bioteknologilova § 2-1", "LOV-2003-12-05-100/§2-1"),
    ("strålevernlova § 18", "LOV-2000-05-12-36/§18"),
    ("produktansvarslova § 2-1", "LOV-1988-12-23-104/§2-1"),
    ("apoteklova § 1-1", "LOV-2000-06-02-39/§1-1"),
    ("helseberedskapslova § 2-4", "LOV-2000-06-23-56/§2-4"),
    ("behandlingsbiobanklova § 17", "LOV-2003-02-21-12/§17"),
    ("likestillings- og diskrimineringslova § 6", f"{LDL}/§6"),
    ("helsetilsynslova § 4", "LOV-2017-12-15-107/§4"),
    ("forskingsetikklova § 10", "LOV-2017-04-28-23/§10"),
    ("transplantasjonslova § 23 a", "LOV-2015-05-07-25/§23a"),
    ("transplantasjonsloven § 23", "LOV-2015-05-07-25/§23"),
    ("pasientjournalforskrifta § 8", "FOR-2019-03-01-168/§8"),
    ("legemiddelforskrifta § 3-22A", "FOR-2009-12-18-1839/§3-22A"),
    ("kjernejournalforskrifta § 2", "FOR-2013-05-31-563/§2"),
    ("kreftregisterforskrifta § 1-5", "FOR-2001-12-21-1477/§1-5"),
    ("personopplysningsforskrifta § 1", "FOR-2018-06-15-876/§1"),
    # §§: a range resolves to its first section, a list to its first item.
    ("hpl §§ 21–29", f"{HPL}/§21"),
    ("hpl §§ 21-29", f"{HPL}/§21"),
    ("§§ 21 til 29 i helsepersonelloven", f"{HPL}/§21"),
    ("helsepersonellova §§ 21–29", f"{HPL}/§21"),
    ("pbrl §§ 3-1–3-3", f"{PBRL}/§3-1"),
    ("pbrl §§ 3-1 til 3-3", f"{PBRL}/§3-1"),
    ("pbrl §§ 3-1-3-3", f"{PBRL}/§3-1"),
    ("hregl §§ 19 a–19 h", f"{HREGL}/§19a"),
    ("hforsknl §§ 9 og 33", f"{HFORSKNL}/§9"),
    ("§§ 26 og 29 i pjl.", f"{PJL}/§26"),
    ("pbrl §§ 2-1 c og 2-1 d", f"{PBRL}/§2-1c"),
    # Pinpoints below a section.
    ("helsepersonelloven §29 første ledd", f"{HPL}/§29"),
    ("hpl § 29 andre ledd", f"{HPL}/§29"),
    ("hpl § 29 annet ledd bokstav b", f"{HPL}/§29"),
    ("hpl § 29 første ledd første punktum", f"{HPL}/§29"),
    ("hpl § 29, 2. ledd", f"{HPL}/§29"),
    ("helsepersonelloven § 25 første ledd nr. 2", f"{HPL}/§25"),
    ("pbrl § 4-1 første ledd", f"{PBRL}/§4-1"),
    ("sphl § 3-2 tredje ledd", f"{SPHL}/§3-2"),
    # EU acts: articles and their pinpoints.
    ("GDPR art. 9", f"{GDPR}/art9"),
    ("GDPR Art. 9", f"{GDPR}/art9"),
    ("GDPR ART. 9", f"{GDPR}/art9"),
    ("GDPR art 9", f"{GDPR}/art9"),
    ("GDPR art.9", f"{GDPR}/art9"),
    ("GDPR article 9", f"{GDPR}/art9"),
    ("GDPR artikkel 9", f"{GDPR}/art9"),
    ("GDPR artikel 9", f"{GDPR}/art9"),
    ("GDPR art. 9(2)(h)", f"{GDPR}/art9"),
    ("GDPR art. 9 nr. 2 bokstav h", f"{GDPR}/art9"),
    ("GDPR artikkel 9(2)(h)", f"{GDPR}/art9"),
    ("GDPR Article 9(2)(h)", f"{GDPR}/art9"),
    ("GDPR Art. 9 (2) (h)", f"{GDPR}/art9"),
    ("GDPR artikel 9, stk. 2, litra h", f"{GDPR}/art9"),
    ("GDPR art 6 (1) (e)", f"{GDPR}/art6"),
    ("GDPR Article 6(1), point (e)", f"{GDPR}/art6"),
    ("GDPR article 6 paragraph 1 point (e)", f"{GDPR}/art6"),
    ("Article 6(1)(e) GDPR", f"{GDPR}/art6"),
    ("Art. 22 GDPR", f"{GDPR}/art22"),
    ("article 9 of the GDPR", f"{GDPR}/art9"),
    ("personvernforordningen artikkel 35", f"{GDPR}/art35"),
    ("Personvernforordningen art. 22", f"{GDPR}/art22"),
    ("personvernforordningen artikkel 6 nr. 1 bokstav e", f"{GDPR}/art6"),
    ("art. 9 nr. 2 bokstav j i personvernforordningen", f"{GDPR}/art9"),
    ("personvernforordninga artikkel 9 nr. 2 bokstav h", f"{GDPR}/art9"),
    ("General Data Protection Regulation article 5", f"{GDPR}/art5"),
    ("Regulation (EU) 2016/679 art. 9", f"{GDPR}/art9"),
    ("forordning (EU) 2016/679 artikkel 9", f"{GDPR}/art9"),
    ("GDPR articles 12 to 22", f"{GDPR}/art12"),
    ("GDPR art. 13–14", f"{GDPR}/art13"),
    ("GDPR recital 35", f"{GDPR}/rec35"),
    ("personvernforordningen fortalepunkt 35", f"{GDPR}/rec35"),
    ("GDPR betraktning 159", f"{GDPR}/rec159"),
    ("AI Act annex III", f"{AI_ACT}/annexIII"),
    ("AI Act Annex III point 5", f"{AI_ACT}/annexIII"),
    ("AI Act Annex III, point 5(a)", f"{AI_ACT}/annexIII"),
    ("Annex III point 5 of the AI Act", f"{AI_ACT}/annexIII"),
    ("KI-forordningen vedlegg III", f"{AI_ACT}/annexIII"),
    ("KI-forordningen vedlegg III punkt 5", f"{AI_ACT}/annexIII"),
    ("vedlegg III punkt 5 i KI-forordningen", f"{AI_ACT}/annexIII"),
    ("AI Act art. 6", f"{AI_ACT}/art6"),
    ("AI Act Article 6(2)", f"{AI_ACT}/art6"),
    ("AI Act Artikel 50", f"{AI_ACT}/art50"),
    ("AI Act recital 27", f"{AI_ACT}/rec27"),
    ("KI-forordningen art. 6", f"{AI_ACT}/art6"),
    ("KI-forordningen artikkel 50", f"{AI_ACT}/art50"),
    ("KI-forordningen artikkel 6 nr. 2", f"{AI_ACT}/art6"),
    ("KI-forordninga artikkel 6", f"{AI_ACT}/art6"),
    ("AI-forordningen artikkel 5", f"{AI_ACT}/art5"),
    ("forordningen om kunstig intelligens artikkel 3", f"{AI_ACT}/art3"),
    ("Artificial Intelligence Act article 14", f"{AI_ACT}/art14"),
    ("AIA art. 6", f"{AI_ACT}/art6"),
    ("forordning (EU) 2024/1689 artikkel 6", f"{AI_ACT}/art6"),
    ("MDR article 2", f"{MDR}/art2"),
    ("MDR art. 51", f"{MDR}/art51"),
    ("MDR annex VIII", f"{MDR}/annexVIII"),
    ("MDR Annex VIII, Rule 11", f"{MDR}/annexVIII"),
    ("MDR annex VIII chapter III rule 11", f"{MDR}/annexVIII"),
    ("MDR annex I section 17", f"{MDR}/annexI"),
    ("Rule 11 in MDR annex VIII", f"{MDR}/annexVIII"),
    ("MDR recital 19", f"{MDR}/rec19"),
    ("forordningen om medisinsk utstyr artikkel 2", f"{MDR}/art2"),
    ("MDR-forordningen vedlegg VIII", f"{MDR}/annexVIII"),
    ("Medical Device Regulation article 2", f"{MDR}/art2"),
    ("Medical Devices Regulation article 10", f"{MDR}/art10"),
    ("Regulation (EU) 2017/745 Annex VIII", f"{MDR}/annexVIII"),
    ("IVDR art. 47", f"{IVDR}/art47"),
    ("IVDR vedlegg VIII", f"{IVDR}/annexVIII"),
    ("IVD-forordningen artikkel 47", f"{IVDR}/art47"),
    ("In Vitro Diagnostic Regulation article 2", f"{IVDR}/art2"),
    ("forordning (EU) 2017/746 art. 2", f"{IVDR}/art2"),
    ("EHDS art. 3", f"{EHDS}/art3"),
    ("EHDS Article 33(1)", f"{EHDS}/art33"),
    ("EHDS-forordningen artikkel 33", f"{EHDS}/art33"),
    ("European Health Data Space article 2", f"{EHDS}/art2"),
    ("forordningen om det europeiske helsedataområdet art. 3", f"{EHDS}/art3"),
    ("PLD art. 4", f"{PLD}/art4"),
    ("PLD article 4(1)", f"{PLD}/art4"),
    ("produktansvarsdirektivet artikkel 4", f"{PLD}/art4"),
    ("Product Liability Directive article 9", f"{PLD}/art9"),
    ("direktiv (EU) 2024/2853 artikkel 10", f"{PLD}/art10"),
]


@pytest.fixture(scope="module")
def parser() -> CitationParser:
    return CitationParser(get_registry())


def test_the_table_is_large_and_has_no_duplicates() -> None:
    assert len(TABLE) >= 150
    assert len({text for text, _ in TABLE}) == len(TABLE)


@pytest.mark.parametrize(("text", "unit_id"), TABLE)
def test_citation_resolves(parser: CitationParser, text: str, unit_id: str) -> None:
    citations = parser.find(text)
    assert [c.unit_id for c in citations] == [unit_id]


def test_every_expected_unit_is_in_the_corpus(indexed_unit_ids: set[str]) -> None:
    missing = sorted({unit_id for _, unit_id in TABLE} - indexed_unit_ids)
    assert not missing, missing


def _first_provision(source: Source, unit_ids: set[str]) -> tuple[str, str]:
    """A section (or, for an EU act, an article) the corpus holds for the source, and how it is cited."""
    own = sorted(i.removeprefix(f"{source.id}/") for i in unit_ids if i.startswith(f"{source.id}/"))
    sections = [i for i in own if i.startswith("§")]
    if sections:
        return f"{source.id}/{sections[0]}", f"§ {sections[0].removeprefix('§')}"
    article = next(i for i in own if i.startswith("art"))
    return f"{source.id}/{article}", f"art. {article.removeprefix('art')}"


def test_every_name_of_every_act_resolves_to_it(parser: CitationParser, indexed_unit_ids: set[str]) -> None:
    """Each registry name and abbreviation, as written, with a trailing period and after the provision."""
    failures = []
    for source in get_registry().sources.values():
        if source.kind == "veileder":
            continue
        unit_id, locator = _first_provision(source, indexed_unit_ids)
        for name in source.lookup_names:
            for text in (f"{name} {locator}", f"{name}. {locator}", f"{locator} i {name}", f"{name.upper()} {locator}"):
                if [c.unit_id for c in parser.find(text)] != [unit_id]:
                    failures.append((text, unit_id))
    assert not failures, failures


def test_pinpoint_is_kept_in_what_was_understood(parser: CitationParser) -> None:
    (citation,) = parser.find("helsepersonelloven §29 første ledd")
    assert citation.understood == "helsepersonelloven § 29 første ledd"
    (gdpr,) = parser.find("GDPR art. 9(2)(h)")
    assert gdpr.understood == "GDPR art. 9(2)(h)"
    (norwegian,) = parser.find("personvernforordningen art. 9 nr. 2  bokstav h")
    assert norwegian.understood == "GDPR art. 9 nr. 2 bokstav h"
    (annex,) = parser.find("AI Act Annex III point 5")
    assert annex.understood == "AI Act annex III point 5"
    (spaced,) = parser.find("GDPR Art. 9 (2) (h)")
    assert spaced.understood == "GDPR art. 9(2)(h)"


def test_nynorsk_name_and_period_are_understood_as_the_act(parser: CitationParser) -> None:
    (nynorsk,) = parser.find("helsepersonellova § 29")
    assert nynorsk.understood == "helsepersonelloven § 29"
    (dotted,) = parser.find("pjl. § 19")
    assert dotted.understood == "pasientjournalloven § 19" and dotted.range_end is None


def test_a_range_exposes_its_last_provision_and_what_it_covers(
    parser: CitationParser, indexed_unit_ids: set[str]
) -> None:
    (citation,) = parser.find("hpl §§ 21–29")
    assert (citation.unit_id, citation.range_end) == (f"{HPL}/§21", f"{HPL}/§29")
    assert citation.understood == "helsepersonelloven §§ 21–29"
    covered = {i.removeprefix(f"{HPL}/") for i in indexed_unit_ids if citation.covers(i)}
    assert covered == {"§21", "§21a", "§22", "§23", "§24", "§25", "§25a", "§25b", "§26", "§27", "§28", "§29"}
    (chapters,) = parser.find("pbrl §§ 3-1 til 3-3")
    assert chapters.range_end == f"{PBRL}/§3-3" and chapters.understood.endswith("§§ 3-1–3-3")
    assert chapters.covers(f"{PBRL}/§3-2") and not chapters.covers(f"{PBRL}/§3-4")
    assert not chapters.covers(f"{HPL}/§3-2")
    (articles,) = parser.find("GDPR articles 12 to 22")
    assert articles.range_end == f"{GDPR}/art22" and articles.covers(f"{GDPR}/art15")
    assert not articles.covers(f"{GDPR}/rec15")


def test_a_single_provision_covers_only_itself(parser: CitationParser) -> None:
    (citation,) = parser.find("hpl § 29")
    assert citation.range_end is None
    assert citation.covers(f"{HPL}/§29") and not citation.covers(f"{HPL}/§29a")


def test_a_list_resolves_to_its_first_item(parser: CitationParser) -> None:
    (citation,) = parser.find("hforsknl §§ 9 og 33")
    assert citation.unit_id == f"{HFORSKNL}/§9" and citation.range_end is None


def test_several_citations_in_order(parser: CitationParser) -> None:
    found = parser.find("forholdet mellom pbrl § 3-2 og hpl § 10")
    assert [c.unit_id for c in found] == [f"{PBRL}/§3-2", f"{HPL}/§10"]
    dotted = parser.find("pjl. § 19 og hpl. § 29")
    assert [c.unit_id for c in dotted] == [f"{PJL}/§19", f"{HPL}/§29"]


@pytest.mark.parametrize(
    "text",
    ["taushetsplikt for helsepersonell", "MDR", "§ 29", "artikkel 9", "hpl", "I § 12 …", "pjl.", "§§ 21–29",
     "vedlegg i KI-forordningen"],
)
def test_no_citation_without_both_a_name_and_a_provision(parser: CitationParser, text: str) -> None:
    assert parser.find(text) == []
