"""The shipped registry against the real corpus: every Lovdata file is registered under its own id, the names
people type resolve to the right law, and renamed agencies are still found under their old names."""

import re
from pathlib import Path

import pytest

from corpus.registry import Registry, get_registry, load_registry
from corpus.settings import get_settings

LOVDATA_FOLDERS = ("lovdata-xml/gjeldende-lover", "lovdata-xml/gjeldende-sentrale-forskrifter")
LEGACY_ID = re.compile(r'<dd class="legacyID">([^<]+)</dd>')


@pytest.fixture(scope="module")
def registry() -> Registry:
    return get_registry()


@pytest.fixture(scope="module")
def corpus_dir() -> Path:
    path = get_settings().corpus_dir
    if not path.is_dir():
        pytest.skip(f"corpus folder {path} not present")
    return path


def lovdata_files(corpus_dir: Path) -> list[Path]:
    return sorted(p for folder in LOVDATA_FOLDERS for p in (corpus_dir / folder).glob("*.xml"))


def test_every_lovdata_file_is_registered_under_its_own_id(registry: Registry, corpus_dir: Path) -> None:
    files = lovdata_files(corpus_dir)
    assert len(files) == 50
    for path in files:
        relpath = path.relative_to(corpus_dir).as_posix()
        source = registry.by_file(relpath)
        assert source is not None, f"{relpath} has no registry entry"
        legacy_ids = LEGACY_ID.findall(path.read_text(encoding="utf-8"))
        assert len(legacy_ids) == 1, relpath
        assert source.id == legacy_ids[0], relpath
        assert source.format == "lovdata-xml"
        assert source.url == "https://lovdata.no/dokument/" + ("NL/lov/" if source.kind == "lov" else "SF/forskrift/") + source.id.split("-", 1)[1]


def test_each_file_has_exactly_one_entry_and_every_registered_file_exists(registry: Registry, corpus_dir: Path) -> None:
    files = [s.file for s in registry.sources.values() if s.file]
    assert len(files) == len(set(files))
    for source in registry.sources.values():
        if source.file:
            assert (corpus_dir / source.file).exists(), f"{source.id}: {source.file} missing"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("hpl", "LOV-1999-07-02-64"),
        ("pbrl", "LOV-1999-07-02-63"),
        ("pasrl", "LOV-1999-07-02-63"),
        ("pjl", "LOV-2014-06-20-42"),
        ("hregl", "LOV-2014-06-20-43"),
        ("hforsknl", "LOV-2008-06-20-44"),
        ("pol", "LOV-2018-06-15-38"),
        ("sphl", "LOV-1999-07-02-61"),
        ("hol", "LOV-2011-06-24-30"),
        ("personvernforordningen", "32016R0679"),
        ("GDPR", "32016R0679"),
        ("Helsepersonelloven", "LOV-1999-07-02-64"),
        ("  Pasient- og  brukerrettighetsloven ", "LOV-1999-07-02-63"),
        ("forskrift om medisinsk utstyr", "FOR-2021-05-09-1476"),
        ("lov om medisinsk utstyr", "LOV-2020-05-07-37"),
        ("fvl", "LOV-1967-02-10"),
        ("pjl.", "LOV-2014-06-20-42"),
        ("Hol.", "LOV-2011-06-24-30"),
        ("helsepersonellova", "LOV-1999-07-02-64"),
        ("pasient- og brukarrettslova", "LOV-1999-07-02-63"),
        ("forvaltningslova", "LOV-1967-02-10"),
        ("offentlegloven", "LOV-2006-05-19-16"),
        ("KI-forordninga", "32024R1689"),
        ("forordning (EU) 2016/679", "32016R0679"),
    ],
)
def test_names_people_type_resolve(registry: Registry, typed: str, expected: str) -> None:
    source = registry.lookup_name(typed)
    assert source is not None, typed
    assert source.id == expected


def test_unknown_name_and_id(registry: Registry) -> None:
    assert registry.lookup_name("ikke en lov") is None
    assert registry.by_file("lovdata-xml/finnes-ikke.xml") is None
    with pytest.raises(KeyError, match="LOV-1900-01-01-1"):
        registry.source("LOV-1900-01-01-1")


def test_nynorsk_laws_are_marked(registry: Registry) -> None:
    nynorsk = {s.name for s in registry.sources.values() if s.language == "nn"}
    assert nynorsk == {"offentleglova", "transplantasjonslova", "arkivlova"}


def test_former_agency_names_resolve(registry: Registry) -> None:
    assert registry.agency("Statens legemiddelverk").name == "Direktoratet for medisinske produkter"
    assert registry.agency("statens LEGEMIDDELVERK").id == "dmp"
    assert registry.agency("DMP").id == "dmp"
    assert registry.agency("Direktoratet for e-helse").name == "Helsedirektoratet"
    assert registry.agency("Helsetilsynet").name == "Statens helsetilsyn"
    assert registry.agency("Finnes ikke") is None

    medical_device_sources = {s.id for s in registry.sources_for_agency("Statens legemiddelverk")}
    assert {"FOR-2021-05-09-1476", "LOV-2020-05-07-37"} <= medical_device_sources
    assert registry.sources_for_agency("Finnes ikke") == []


def test_helsedirektoratet_decides_dispensation_under_hpl_29(registry: Registry) -> None:
    roles = {r.agency: r.role for r in registry.source("LOV-1999-07-02-64").agencies}
    assert "helsedirektoratet" in roles
    assert "§ 29" in roles["helsedirektoratet"]


def test_every_source_has_an_agency_that_exists(registry: Registry) -> None:
    # 50 Lovdata documents, 6 EU acts, 5 MDCG documents, 5 agency pages.
    assert len(registry.sources) == 66
    for source in registry.sources.values():
        assert source.agencies, source.id
        for role in source.agencies:
            assert role.agency in registry.agencies


def test_registry_is_read_only(registry: Registry) -> None:
    with pytest.raises(TypeError):
        registry.sources["x"] = registry.source("LOV-1999-07-02-64")  # type: ignore[index]
    with pytest.raises(AttributeError):
        registry.sources = {}  # type: ignore[misc]


# --- load-time validation, on small hand-written registries -------------------------------------------------

AGENCIES = """
[[agency]]
id = "dmp"
name = "Direktoratet for medisinske produkter"
former_names = ["Statens legemiddelverk"]
url = "https://www.dmp.no"
description = "Test."
"""


def source_toml(source_id: str, abbreviation: str, agency: str = "dmp") -> str:
    return f"""
[[source]]
id = "{source_id}"
title = "Tittel {source_id}"
name = "navn {source_id}"
short_title = "kort {source_id}"
abbreviations = ["{abbreviation}"]
kind = "lov"
language = "nb"
format = "lovdata-xml"
url = "https://lovdata.no/dokument/NL/lov/{source_id}"
file = "lovdata-xml/{source_id}.xml"
licence = "NLOD 2.0"
attribution = "Lovdata"

[[source.agencies]]
agency = "{agency}"
role = "Test."
"""


def write(tmp_path: Path, sources: str, agencies: str = AGENCIES) -> tuple[Path, Path]:
    (tmp_path / "sources.toml").write_text(sources, encoding="utf-8")
    (tmp_path / "agencies.toml").write_text(agencies, encoding="utf-8")
    return tmp_path / "sources.toml", tmp_path / "agencies.toml"


def test_load_accepts_a_valid_registry(tmp_path: Path) -> None:
    registry = load_registry(*write(tmp_path, source_toml("A", "aa") + source_toml("B", "bb")))
    assert registry.lookup_name("AA").id == "A"
    assert registry.by_file("./lovdata-xml/B.xml").id == "B"


def test_load_rejects_unknown_agency(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown agency 'slv'"):
        load_registry(*write(tmp_path, source_toml("A", "aa", agency="slv")))


def test_load_rejects_abbreviation_used_by_two_sources(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"(?i)'hpl' is used by both A and B"):
        load_registry(*write(tmp_path, source_toml("A", "hpl") + source_toml("B", "HPL")))


def test_load_rejects_names_that_differ_only_by_a_period(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"'hpl\.' is used by both A and B"):
        load_registry(*write(tmp_path, source_toml("A", "hpl") + source_toml("B", "hpl.")))


def test_load_rejects_duplicate_id(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="duplicate source id 'A'"):
        load_registry(*write(tmp_path, source_toml("A", "aa") + source_toml("A", "bb")))


def test_load_rejects_source_without_agency(tmp_path: Path) -> None:
    no_agency = source_toml("A", "aa").split("[[source.agencies]]")[0]
    with pytest.raises(ValueError, match="invalid source A"):
        load_registry(*write(tmp_path, no_agency))


def test_every_corpus_source_is_registered(registry: Registry, corpus_dir: Path) -> None:
    expected = {
        "eu/ai-act_32024R1689_en.html", "eu/gdpr_32016R0679_en.html", "eu/mdr_32017R0745_en_OJ-L117.pdf",
        "eu/ivdr-2017-746", "eu/ehds_32025R0327_en.json", "eu/pld_32024L2853_en.json",
    }
    expected |= {p.relative_to(corpus_dir).as_posix() for p in (corpus_dir / "eu/mdcg").glob("*.md")}
    expected |= {p.relative_to(corpus_dir).as_posix() for p in (corpus_dir / "guidance").glob("*.txt")}
    for file in expected:
        assert registry.by_file(file) is not None, file


def test_old_agency_names_in_the_seed_pages_reach_todays_agencies(registry: Registry) -> None:
    dmp_sources = {s.id for s in registry.sources_for_agency("Statens legemiddelverk")}
    assert {"32017R0745", "32017R0746", "guidance/ki-koordineringsprosjekt_veiledning-utproving-ki-2020"} <= dmp_sources
    assert registry.agency("Direktoratet for e-helse").name == "Helsedirektoratet"
    assert registry.lookup_name("KI-forordningen").id == "32024R1689"
    assert registry.lookup_name("personvernforordningen").id == "32016R0679"
