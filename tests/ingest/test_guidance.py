import re
from pathlib import Path

import pytest

from corpus.units import ParsedDocument, Unit
from ingest.failures import ReadFailure
from ingest.guidance import read_mdcg, read_seed_page

MDCG_2019_11 = "eu/mdcg/mdcg-2019-11-rev1_qualification-classification-software_en"
MDCG_2025_6 = "eu/mdcg/mdcg-2025-6_aib-2025-1_mdr-ivdr-ai-act-interplay_en"
GUIDANCE_2020 = "guidance/ki-koordineringsprosjekt_veiledning-utproving-ki-2020"
SEED_PAGES = {
    "guidance/helsedirektoratet_rammer-og-retning-for-ki-2024": ("Rammer og retning for kunstig intelligens", "2024-03-07", 7),
    GUIDANCE_2020: ("Ønsker du veiledning om utprøving av kunstig intelligens i helsetjenesten?", "2020-12-18", 6),
    "guidance/ki-koordineringsprosjekt_om-prosjektet-og-veiledede-prosjekter-2020": (
        "Om det nasjonale koordineringsprosjektet «Bedre bruk av kunstig intelligens»",
        "2020-12-18",
        8,
    ),
    "guidance/ki-koordineringsprosjekt_pagaende-arbeid-2021": ("Pågående arbeid", "2021-03-22", 9),
    "guidance/ki-koordineringsprosjekt_portefoljeside-status-2023": ("Bedre bruk av kunstig intelligens", "", 4),
}
URL = "https://example.org/page"


def _mdcg(corpus_dir: Path, unit_id: str) -> ParsedDocument:
    (parsed,) = list(read_mdcg(corpus_dir / f"{unit_id}.md", unit_id, URL))
    assert isinstance(parsed, ParsedDocument), parsed
    return parsed


def _page(corpus_dir: Path, unit_id: str) -> ParsedDocument:
    (parsed,) = list(read_seed_page(corpus_dir / f"{unit_id}.txt", unit_id, URL))
    assert isinstance(parsed, ParsedDocument), parsed
    return parsed


def _headings(unit: Unit) -> list[str]:
    return [section.split("\n", 1)[0] for section in unit.paragraphs]


def _section(unit: Unit, heading_start: str) -> str:
    (section,) = [s for s in unit.paragraphs if s.startswith(heading_start)]
    return section


@pytest.fixture(scope="module")
def software(corpus_dir: Path) -> Unit:
    (unit,) = _mdcg(corpus_dir, MDCG_2019_11).units
    return unit


def test_mdcg_document_is_one_unit_of_sections(corpus_dir: Path, software: Unit) -> None:
    info = _mdcg(corpus_dir, MDCG_2019_11).info
    assert (info.id, info.dokid, info.language) == (MDCG_2019_11, "MDCG 2019-11 rev.1", "en")
    assert info.title == (
        "Guidance on Qualification and Classification of Software in Regulation (EU) 2017/745 – MDR and "
        "Regulation (EU) 2017/746 – IVDR"
    )
    assert (software.id, software.document_id, software.label, software.url) == (MDCG_2019_11, MDCG_2019_11, "", URL)
    assert software.whole is False
    assert len(software.paragraphs) == 45


def test_sections_start_with_their_headings_and_the_contents_list_is_gone(software: Unit) -> None:
    headings = _headings(software)
    assert headings[0] == software.title
    assert headings[1:5] == [
        "1. Scope and purpose of this document",
        "2. Definitions and abbreviations",
        "3. Qualification",
        "3.1. Introduction to qualification criteria",
    ]
    for heading in (
        "3.4. Qualification criteria of MDSW as an in vitro diagnostic medical device",
        "4.2.1. Rule 11 – Software for decisions with diagnosis or therapeutic purposes or software intended to "
        "monitor physiological processes",
        "Annex I: Illustrative examples of qualification of software used in the healthcare environment",
        "c.1.2.) Pre-hospital Electrocardiograph (ECG) System",
        "9. Annex II - Qualification examples of Medical Device Software (MDSW) according to Figures 1 and 2",
        "11. Annex IV – Classification examples",
    ):
        assert heading in headings
    # Each heading once: the contents list, which repeats them all, is not read as text.
    assert "Contents" not in software.text.split("\n")
    assert sum(1 for line in software.text.split("\n") if line.startswith("1. Scope and purpose")) == 1


def test_page_furniture_is_gone(corpus_dir: Path, software: Unit) -> None:
    (interplay,) = _mdcg(corpus_dir, MDCG_2025_6).units
    for unit in (software, interplay):
        lines = unit.text.split("\n")
        assert not [line for line in lines if re.search(r"Page \d+ of \d+", line)]
        assert not [line for line in lines if re.fullmatch(r"\d{1,3}", line)]
        assert "\f" not in unit.text
    # MDCG 2025-6 repeats a five-line header on every page.
    running = {"Medical Devices", "Joint Artificial Intelligence Board and", "Medical Device Coordination Group Document",
               "AIB 2025-1", "MDCG 2025-6"}
    assert not running & set(interplay.text.split("\n"))
    assert "Medical Device Coordination Group Document" not in software.text.split("\n")


def test_lines_broken_mid_paragraph_are_rejoined(software: Unit) -> None:
    # The PDF's justified text came out one word per line ("can\nbe\nfound\nat\nhttps://…").
    assert "rules can be found at https://ec.europa.eu/growth/sectors/medical-devices/newregulations/guidance_en." in software.text
    rule_11 = _section(software, "4.2.1. Rule 11")
    assert "Rule 11 states:\nSoftware intended to provide information which is used to take decisions with diagnosis or " \
        "therapeutic purposes is classified as class IIa, except if such decisions have an impact that may cause:" in rule_11
    assert "\nAll other software is classified as class I.\n" in rule_11
    qualification = _section(software, "3.3. ")
    assert "\nDecision step 4: is the action for the benefit of individual patients?\n" in qualification
    assert "Decision step 2: if the product is an MDR Annex XVI device, or is an accessory for a medical device 24, " \
        "or is software driving or influencing the use of a medical device" in qualification


def test_hyphenated_line_break_is_rejoined(tmp_path: Path) -> None:
    # No line in the MDCG files ends in a hyphen (the converter already joined them, dropping the hyphen:
    # "depressionrelated"), so a made-up page shows the rule: the hyphen of a compound is kept.
    text = (
        "---\nsource:\n  title: \"A test document\"\n---\n\n1. Introduction\nSoftware that supports high-\n"
        "risk decisions is in the scope of this short test guidance, which wraps its lines like a PDF would do\n"
        "for a page.\n"
    )
    (tmp_path / "doc.md").write_text(text)
    (parsed,) = list(read_mdcg(tmp_path / "doc.md", "doc", URL))
    assert parsed.units[0].paragraphs == (
        "1. Introduction\nSoftware that supports high-risk decisions is in the scope of this short test guidance, "
        "which wraps its lines like a PDF would do for a page.",
    )


def test_page_footnotes_move_to_footnotes(software: Unit) -> None:
    assert "5 Article 2(12) of Regulation (EU) 2017/745 – MDR" in software.footnotes
    assert not [line for line in software.text.split("\n") if line.startswith("5 Article 2(12)")]
    assert software.footnotes[0].startswith("1 The use of the term “Medical Devices Regulations” in this document")


def test_every_mdcg_document_reads(corpus_dir: Path) -> None:
    expected = {
        MDCG_2019_11: 45,
        "eu/mdcg/mdcg-2020-1_clinical-evaluation-mdsw_en": 24,
        "eu/mdcg/mdcg-2023-4_mdsw-hardware-combinations_en": 6,
        MDCG_2025_6: 43,
        "eu/mdcg/mdcg-2021_is-your-software-a-medical-device_infographic_en": 1,
    }
    for unit_id, sections in expected.items():
        document = _mdcg(corpus_dir, unit_id)
        assert len(document.units[0].paragraphs) == sections, unit_id
    # The infographic's flowchart is scrambled: it is read as one section, with a warning.
    infographic = _mdcg(corpus_dir, "eu/mdcg/mdcg-2021_is-your-software-a-medical-device_infographic_en")
    assert "Is your software a Medical Device Software?" in infographic.units[0].text
    assert any("no numbered headings" in w for w in infographic.warnings)
    assert _mdcg(corpus_dir, MDCG_2025_6).info.dokid == "MDCG 2025-6"


@pytest.mark.parametrize("unit_id", sorted(SEED_PAGES))
def test_seed_pages(corpus_dir: Path, unit_id: str) -> None:
    title, last_changed, sections = SEED_PAGES[unit_id]
    document = _page(corpus_dir, unit_id)
    (unit,) = document.units
    assert (document.info.title, document.info.last_changed, document.info.language) == (title, last_changed, "nb")
    assert (unit.id, unit.whole, unit.title) == (unit_id, False, title)
    assert len(unit.paragraphs) == sections
    assert _headings(unit)[0] == title
    for banner in ("Du benytter en nettleser", "Se informasjon om nettlesere", "Hopp til hovedinnhold", "publisert"):
        assert banner not in unit.text
    assert "\u00a0" not in unit.text and not unit.text.endswith("\n")


def test_guidance_page_sections(corpus_dir: Path) -> None:
    (unit,) = _page(corpus_dir, GUIDANCE_2020).units
    assert _headings(unit) == [
        "Ønsker du veiledning om utprøving av kunstig intelligens i helsetjenesten?",
        "Tverretatlig veiledning",
        "Prosjekter i spesialhelsetjenesten",
        "Prosjekter i kommunal helse- og omsorgstjeneste",
        "Trenger du veiledning?",
        "Kontakt oss",
    ]
    section = _section(unit, "Tverretatlig veiledning")
    assert "regelverk for medisinsk utstyr (Statens legemiddelverk)" in section
    assert "innenfor helselovgivningen (Helsedirektoratet)" in section


def test_lead_in_before_a_list_stays_in_its_section(corpus_dir: Path) -> None:
    (unit,) = _page(corpus_dir, "guidance/helsedirektoratet_rammer-og-retning-for-ki-2024").units
    section = _section(unit, "Hva skal vi gjøre?")
    lines = section.split("\n")
    assert lines[1] == "Vi skal"
    assert lines[2] == (
        "• Gi tverretatlig regulatorisk veiledning, som gjør det enklere for helsetjenesten og andre aktører å "
        "navigere i regelverk og veiledning"
    )


@pytest.mark.parametrize("reader", ["mdcg", "seed"])
def test_bad_files_are_reported(tmp_path: Path, reader: str) -> None:
    def read(path: Path) -> ReadFailure:
        (result,) = list(read_mdcg(path, "x", URL) if reader == "mdcg" else read_seed_page(path, "x", URL))
        assert isinstance(result, ReadFailure), result
        assert "\n" not in result.reason
        return result

    cases = {
        "empty": (b"\n\n  \n", "empty file"),
        "binary": (bytes(range(32)) * 20, "binary data"),
        "latin1": ("Rammer og retning\n\nDette er en side på bokmål om særlige forhold.\n".encode("latin-1"), "not UTF-8"),
    }
    for name, (data, reason) in cases.items():
        (tmp_path / name).write_bytes(data)
        assert reason in read(tmp_path / name).reason, name
    assert read(tmp_path / "missing").reason.startswith("unreadable")
    assert read(tmp_path).reason.startswith("unreadable")


def test_reader_specific_faults(tmp_path: Path) -> None:
    (tmp_path / "banner.txt").write_text("Du benytter en nettleser vi ikke støtter. Se informasjon om nettlesere\n\n\n")
    (failure,) = list(read_seed_page(tmp_path / "banner.txt", "x", URL))
    assert isinstance(failure, ReadFailure) and "no text" in failure.reason
    (tmp_path / "yaml.md").write_text("---\nsource: [unclosed\n---\n\n1. Introduction\nText.\n")
    (failure,) = list(read_mdcg(tmp_path / "yaml.md", "x", URL))
    assert isinstance(failure, ReadFailure) and "front matter" in failure.reason
