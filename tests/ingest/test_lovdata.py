import shutil
from pathlib import Path

import pytest

from corpus.units import ParsedDocument
from ingest.failures import ReadFailure
from ingest.lovdata import parse_lovdata, read_lovdata


def _one(path: Path) -> ParsedDocument:
    (parsed,) = list(read_lovdata(path))
    assert isinstance(parsed, ParsedDocument), parsed
    return parsed


@pytest.fixture(scope="module")
def hpl(corpus_dir: Path) -> ParsedDocument:
    return _one(corpus_dir / "lovdata-xml/gjeldende-lover/nl-19990702-064.xml")


def test_document_metadata(hpl: ParsedDocument) -> None:
    info = hpl.info
    assert info.id == "LOV-1999-07-02-64"
    assert info.dokid == "NL/lov/1999-07-02-64"
    assert info.title == "Lov om helsepersonell m.v. (helsepersonelloven)"
    assert info.short_title == "Helsepersonelloven – hpl"
    assert info.ministries == ("Helse- og omsorgsdepartementet",)
    assert info.last_changed == "2025-01-01"
    assert info.last_changed_by.startswith("lov/2024-06-21-44")


def test_provision_keeps_ledd_heading_and_url(hpl: ParsedDocument) -> None:
    unit = next(u for u in hpl.units if u.id == "LOV-1999-07-02-64/§29")
    assert unit.label == "§ 29"
    assert unit.title == "Dispensasjon fra taushetsplikt"
    assert unit.heading == "Kapittel 5. Taushetsplikt og opplysningsrett"
    assert unit.url == "https://lovdata.no/dokument/NL/lov/1999-07-02-64/§29"
    assert len(unit.paragraphs) == 7
    assert unit.paragraphs[0].startswith("Departementet kan etter søknad bestemme")
    assert "\nb. mottakeren har gjort rede for" in unit.paragraphs[0]


def test_amendments_and_footnotes_are_metadata_not_text(hpl: ParsedDocument) -> None:
    unit = next(u for u in hpl.units if u.id == "LOV-1999-07-02-64/§3")
    assert unit.notes and unit.notes[0].startswith("Endret ved lover")
    assert "Endret ved" not in unit.text
    assert any("EØS-avtalen" in note for note in unit.footnotes)
    assert "EØS-avtalen" not in unit.text
    assert "spesialistgodkjenning.1" not in unit.text


def test_letter_suffixed_sections_get_canonical_ids(hpl: ParsedDocument) -> None:
    unit = next(u for u in hpl.units if u.id == "LOV-1999-07-02-64/§29c")
    assert unit.label == "§ 29 c"


def test_gdpr_inside_personopplysningsloven_becomes_gdpr_units(corpus_dir: Path) -> None:
    pol = _one(corpus_dir / "lovdata-xml/gjeldende-lover/nl-20180615-038.xml")
    gdpr = [u for u in pol.units if u.document_id == "32016R0679"]
    assert [u.id for u in gdpr] == [f"32016R0679/art{n}" for n in range(1, 100)]
    art9 = gdpr[8]
    assert art9.label == "art. 9"
    assert art9.title == "Behandling av særlige kategorier av personopplysninger"
    assert "helseopplysninger" in art9.text
    assert any(u.id == "LOV-2018-06-15-38/§1" for u in pol.units)


def test_an_annexed_convention_is_read_as_one_in_its_own_language(corpus_dir: Path) -> None:
    ldl = _one(corpus_dir / "lovdata-xml/gjeldende-lover/nl-20170616-051.xml")
    units = {u.id: u for u in ldl.units}
    english, norwegian, own = units["LOV-2017-06-16-51/rdke/a1"], units["LOV-2017-06-16-51/rdkn/a1"], units["LOV-2017-06-16-51/§1"]
    assert (english.label, english.kind, english.language) == ("vedlegg 1 art. 1", "konvensjon", "en")
    assert english.text.startswith("1. In this Convention, the term «racial discrimination»")
    assert (norwegian.label, norwegian.kind, norwegian.language) == ("vedlegg 2 art. 1", "konvensjon", None)
    assert (own.label, own.kind, own.language) == ("§ 1", None, None)


def test_all_current_acts_and_regulations_parse(corpus_dir: Path) -> None:
    for folder, count in (("gjeldende-lover", 32), ("gjeldende-sentrale-forskrifter", 18)):
        parsed = list(read_lovdata(corpus_dir / "lovdata-xml" / folder))
        assert not [p for p in parsed if isinstance(p, ReadFailure)]
        assert len(parsed) == count
        for document in parsed:
            ids = [u.id for u in document.units]
            assert ids and len(ids) == len(set(ids)), document.info.id
            assert all(u.id.startswith(("LOV-", "FOR-", "32016R0679/")) for u in document.units)


def test_archive_and_other_collections(corpus_dir: Path) -> None:
    lovtidend = list(read_lovdata(corpus_dir / "lovdata-xml/lovtidend-avd1-2025.tar.bz2"))
    assert len(lovtidend) == 1272
    assert not [p for p in lovtidend if isinstance(p, ReadFailure)]
    assert sum(len(p.units) for p in lovtidend) > 4000
    real_estate = list(read_lovdata(corpus_dir / "lovdata-xml/real-estate"))
    assert len(real_estate) == 25 and all(isinstance(p, ParsedDocument) for p in real_estate)
    # Two of them are amending acts («Lov om endringer i …») with no sections of their own.
    assert sum(1 for p in real_estate if p.units) == 23


def test_bad_files_are_reported_and_the_rest_is_read(corpus_dir: Path, tmp_path: Path) -> None:
    good = corpus_dir / "lovdata-xml/gjeldende-lover/nl-20200507-037.xml"
    shutil.copy(good, tmp_path / "good.xml")
    data = good.read_bytes()
    (tmp_path / "truncated.xml").write_bytes(data[: len(data) // 2])
    (tmp_path / "empty.xml").write_bytes(b"")
    (tmp_path / "binary.xml").write_bytes(bytes(range(256)) * 10)
    results = {Path(r.origin if isinstance(r, ReadFailure) else "good.xml").name: r for r in read_lovdata(tmp_path)}
    assert isinstance(results["good.xml"], ParsedDocument)
    assert "truncated" in results["truncated.xml"].reason
    assert "empty" in results["empty.xml"].reason
    assert isinstance(results["binary.xml"], ReadFailure)
    (missing,) = list(read_lovdata(tmp_path / "missing.xml"))
    assert isinstance(missing, ReadFailure) and "unreadable" in missing.reason


def test_parse_rejects_html_that_is_not_lovdata() -> None:
    with pytest.raises(ValueError, match="legacyID"):
        parse_lovdata(b"<html><body><p>hei</p></body></html>", "page.xml")
