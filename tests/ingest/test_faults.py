"""Broken files are reported one line each and skipped; the index keeps what it had; a kill -9 loses nothing."""

import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from pypdf import PdfWriter

from corpus.registry import get_registry
from corpus.settings import Settings
from index.edge_store import EdgeDocumentStore
from index.store import open_store
from ingest.pipeline import Ingestor
from tests.commands import hjemmel, hjemmel_env

MDL = ("LOV-2020-05-07-37", "lovdata-xml/gjeldende-lover/nl-20200507-037.xml")
HTL = ("LOV-2017-12-15-107", "lovdata-xml/gjeldende-lover/nl-20171215-107.xml")
HPL = ("LOV-1999-07-02-64", "lovdata-xml/gjeldende-lover/nl-19990702-064.xml")
# The ingest bar once some chunks are embedded and written: «ingest 2/2: embed:  49%|████▉     | 64/131 [».
EMBEDDED = re.compile(r"embed:[^\r\n]*\| *[1-9]\d*/\d+ \[")
MDR = ("32017R0745", "eu/mdr_32017R0745_en_OJ-L117.pdf")
AI_ACT = ("32024R1689", "eu/ai-act_32024R1689_en.html")
PLD = ("32024L2853", "eu/pld_32024L2853_en.json")
SEED = ("guidance/ki-koordineringsprosjekt_veiledning-utproving-ki-2020", "guidance/ki-koordineringsprosjekt_veiledning-utproving-ki-2020.txt")
MDCG = ("eu/mdcg/mdcg-2023-4_mdsw-hardware-combinations_en", "eu/mdcg/mdcg-2023-4_mdsw-hardware-combinations_en.md")


def _copy(corpus_dir: Path, target: Path, *files: str) -> None:
    for file in files:
        (target / file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(corpus_dir / file, target / file)


def _env(settings: Settings, corpus: Path, tmp: Path, name: str) -> dict[str, str]:
    return hjemmel_env(
        settings.model_copy(
            update={"corpus_dir": corpus, "index_dir": tmp / f"index-{name}", "embedding_cache": tmp / f"cache-{name}.sqlite"}
        )
    )


def _points(index: Path) -> dict[str, tuple[str, str]]:
    store = EdgeDocumentStore(path=index)
    points = {d.id: (d.content or "", d.meta["content_hash"]) for d in store.filter_documents()}
    store.close()
    return points


def _sources(*pairs: tuple[str, str]) -> list[str]:
    return [arg for source_id, _ in pairs for arg in ("--source", source_id)]


def test_each_broken_file_is_one_line_and_the_rest_is_indexed(corpus_dir: Path, tmp_path: Path, test_settings: Settings) -> None:
    corpus = tmp_path / "corpus"
    _copy(corpus_dir, corpus, MDL[1], HTL[1], SEED[1], MDCG[1])
    env = _env(test_settings, corpus, tmp_path, "faults")
    first = hjemmel("ingest", "--no-progress", *_sources(MDL, HTL), env=env)
    assert first.returncode == 0, first.stderr
    before = _points(tmp_path / "index-faults")

    mdl = corpus / MDL[1]
    mdl.write_bytes(mdl.read_bytes()[:5000])  # truncated XML, already indexed: its old points must stay
    (corpus / MDR[1]).parent.mkdir(parents=True, exist_ok=True)
    blank = PdfWriter()
    blank.add_blank_page(595, 842)
    with (corpus / MDR[1]).open("wb") as handle:  # a PDF with no text layer
        blank.write(handle)
    (corpus / AI_ACT[1]).write_bytes(bytes(range(256)) * 64)  # a binary file named .html
    (corpus / PLD[1]).write_bytes(b"")  # an empty file
    seed = corpus / SEED[1]
    seed.write_bytes(seed.read_text(encoding="utf-8").encode("latin-1", errors="replace"))  # wrong encoding
    # MDCG's file is left out of the corpus copy's eu/mdcg folder: an unreadable path.
    (corpus / MDCG[1]).unlink()

    broken = (MDL, MDR, AI_ACT, PLD, SEED, MDCG)
    result = hjemmel("ingest", "--no-progress", *_sources(*broken, HTL), env=env)
    assert result.returncode == 1
    failures = {
        line.split(": ")[1]: line for line in result.stderr.splitlines() if line.startswith("failed: ")
    }
    assert set(failures) == {source_id for source_id, _ in broken}, result.stderr
    for source_id, file in broken:
        assert Path(file).name in failures[source_id]
    assert "Traceback" not in result.stderr
    assert "1 skipped (unchanged), 6 failed" in result.stdout
    assert _points(tmp_path / "index-faults") == before


def test_kill_9_during_ingest_then_rerun_equals_one_clean_run(corpus_dir: Path, tmp_path: Path, test_settings: Settings) -> None:
    corpus = tmp_path / "corpus"
    sources = (MDL, HPL, HTL)
    _copy(corpus_dir, corpus, *(file for _, file in sources))

    clean = hjemmel("ingest", "--no-progress", *_sources(*sources), env=_env(test_settings, corpus, tmp_path, "clean"))
    assert clean.returncode == 0, clean.stderr

    env = _env(test_settings, corpus, tmp_path, "crash")
    process = subprocess.Popen(
        [sys.executable, "-m", "api", "ingest", *_sources(*sources)], env=env, stderr=subprocess.PIPE, text=True
    )
    progress = ""
    deadline = time.monotonic() + 240
    # The embed bar counts chunks, written a batch at a time: kill once the first batch is in, i.e. with
    # helsepersonelloven (the first and largest of the three) half-written.
    while not EMBEDDED.search(progress) and time.monotonic() < deadline:
        char = process.stderr.read(1) if process.stderr else ""
        if not char:
            break
        progress += char
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "ingest finished before it could be killed"

    rerun = hjemmel("ingest", "--no-progress", *_sources(*sources), env=env)
    assert rerun.returncode == 0, rerun.stderr
    assert _points(tmp_path / "index-crash") == _points(tmp_path / "index-clean")


def test_prune_removes_sources_no_longer_registered(corpus_dir: Path, tmp_path: Path, test_settings: Settings) -> None:
    settings = test_settings.model_copy(update={"index_dir": tmp_path / "index"})
    store = open_store(settings)
    ingestor = Ingestor(store, get_registry(), settings)
    ingestor.run(corpus_dir, progress=False, only={MDL[0]})
    orphan = store.filter_documents()[0]
    store.write_documents([replace(orphan, id="gone|x#0", meta={**orphan.meta, "source_id": "gone"})])

    kept = ingestor.run(corpus_dir, progress=False, only={MDL[0]})
    assert kept.sources[0].skipped and kept.pruned == 0
    assert "gone" in {d.meta["source_id"] for d in store.filter_documents()}
    pruned = ingestor.run(corpus_dir, progress=False, only={MDL[0]}, prune=True)
    assert pruned.pruned == 1
    assert {d.meta["source_id"] for d in store.filter_documents()} == {MDL[0]}
    ingestor.close()
    store.close()
