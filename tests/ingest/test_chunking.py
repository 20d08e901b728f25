from pathlib import Path

from corpus.registry import get_registry
from corpus.units import ParsedDocument
from ingest.chunking import chunk_bodies, to_documents
from ingest.lovdata import read_lovdata


def _parsed(corpus_dir: Path, name: str) -> ParsedDocument:
    (parsed,) = list(read_lovdata(corpus_dir / "lovdata-xml/gjeldende-lover" / name))
    assert isinstance(parsed, ParsedDocument)
    return parsed


def test_long_provision_splits_on_ledd_with_heading_prefix(corpus_dir: Path) -> None:
    hpl = _parsed(corpus_dir, "nl-19990702-064.xml")
    registry = get_registry()
    unit = next(u for u in hpl.units if u.id == "LOV-1999-07-02-64/§29")
    documents = to_documents(unit, hpl.info, registry.source("LOV-1999-07-02-64"), registry, "hash", max_chars=600)
    assert len(documents) > 1
    assert [d.id for d in documents] == [f"LOV-1999-07-02-64|LOV-1999-07-02-64/§29#{n}" for n in range(len(documents))]
    for document in documents:
        assert document.content.startswith("helsepersonelloven § 29. Dispensasjon fra taushetsplikt\nKapittel 5.")
        assert document.meta["unit_id"] == unit.id and document.meta["text"] == unit.text
    bodies = chunk_bodies(unit, 600)
    # Every ledd lands whole in one chunk when it fits.
    for paragraph in unit.paragraphs:
        if len(paragraph) <= 600:
            assert any(paragraph in body for body in bodies)
    assert "".join(bodies).replace("\n", "") == "".join(unit.paragraphs).replace("\n", "")


def test_meta_carries_citation_agencies_and_document(corpus_dir: Path) -> None:
    hpl = _parsed(corpus_dir, "nl-19990702-064.xml")
    registry = get_registry()
    unit = next(u for u in hpl.units if u.id == "LOV-1999-07-02-64/§21")
    (document,) = to_documents(unit, hpl.info, registry.source("LOV-1999-07-02-64"), registry, "h", max_chars=1500)
    meta = document.meta
    assert meta["citation"] == "helsepersonelloven § 21"
    assert meta["document_short_title"] == "hpl" and meta["kind"] == "lov" and meta["language"] == "nb"
    assert "Helsedirektoratet" in meta["agencies"]
    assert meta["last_changed"] == "2025-01-01" and meta["last_changed_by"].startswith("lov/2024-06-21-44")
    assert meta["in_force"] and meta["ministries"] == ["Helse- og omsorgsdepartementet"]


def test_gdpr_units_belong_to_the_gdpr(corpus_dir: Path) -> None:
    pol = _parsed(corpus_dir, "nl-20180615-038.xml")
    registry = get_registry()
    unit = next(u for u in pol.units if u.id == "32016R0679/art35")
    (first, *_) = to_documents(unit, pol.info, registry.source("LOV-2018-06-15-38"), registry, "h", max_chars=1500)
    assert first.meta["citation"] == "GDPR art. 35"
    assert first.meta["document_id"] == "32016R0679" and first.meta["source_id"] == "LOV-2018-06-15-38"
    assert first.meta["language"] == "nb" and first.meta["agencies"][0] == "Datatilsynet"
    assert first.meta["last_changed"] == "" and first.meta["in_force"] == "" and first.meta["ministries"] == []
