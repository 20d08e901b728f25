"""The `hjemmel` command: ingest, search, serve."""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corpus.registry import get_registry
from corpus.settings import Settings, get_settings
from index.lock import IndexLockedError, ensure_unlocked
from search.filters import SearchFilters, UnknownFilterValue

if TYPE_CHECKING:
    from index.store import DocumentStore
    from search.searcher import Searcher

app = typer.Typer(help="Search Norwegian health law, EU rules and guidance with exact citations.", no_args_is_help=True)
corpus_app = typer.Typer(help="The source documents.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"hjemmel: {message}", err=True)
    raise typer.Exit(code)


def _refuse_if_locked(settings: Settings) -> None:
    """Checked before torch, Haystack and the model load (seconds), so a second process is refused at once."""
    if settings.qdrant_url is None:
        try:
            ensure_unlocked(settings.index_dir)
        except IndexLockedError as exc:
            _fail(str(exc))


@app.command()
def ingest(
    corpus: Annotated[Path | None, typer.Option(help="Corpus folder (default: HJEMMEL_CORPUS_DIR).")] = None,
    source: Annotated[list[str], typer.Option("--source", help="Only this registry id (repeatable).")] = [],
    prune: Annotated[bool, typer.Option(help="Delete indexed sources that are no longer in the registry.")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Index every registry source found in the corpus folder; unchanged documents are skipped."""
    settings = get_settings()
    corpus_dir = corpus or settings.corpus_dir
    if not corpus_dir.is_dir():
        _fail(f"corpus folder {corpus_dir} does not exist (set --corpus or HJEMMEL_CORPUS_DIR)")
    unknown = [s for s in source if s not in get_registry().sources]
    if unknown:
        _fail(f"not in the registry: {', '.join(unknown)}")
    _refuse_if_locked(settings)
    from index.store import open_store
    from ingest.pipeline import Ingestor

    try:
        store = open_store(settings)
    except IndexLockedError as exc:
        _fail(str(exc))
    if progress:
        typer.echo("hjemmel ingest: model: preparing the embedding model (the first run converts it, ~10 s)", err=True)
    ingestor = Ingestor(store, get_registry(), settings)
    report = ingestor.run(corpus_dir, progress=progress, only=set(source) or None, prune=prune)
    ingestor.close()
    store.close()
    for entry in report.sources:
        for warning in entry.warnings:
            typer.echo(f"warning: {warning}", err=True)
        if entry.failed:
            typer.echo(f"failed: {entry.source_id}: {entry.failed}", err=True)
    typer.echo(report.table())
    typer.echo(report.summary())
    if report.failed:
        raise typer.Exit(1)


def _parse_filters(pairs: list[str]) -> SearchFilters | None:
    if not pairs:
        return None
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in SearchFilters.model_fields:
            _fail(f"bad filter {pair!r}; use KEY=VALUE with KEY one of {', '.join(SearchFilters.model_fields)}")
        values[key] = value
    return SearchFilters(**values)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="A question or keywords, Norwegian or English.")],
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=100)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"results\": [...]} as JSON.")] = False,
    filter_: Annotated[list[str], typer.Option("--filter", help="agency=…, kind=…, document_id=…, language=…")] = [],
) -> None:
    """Hybrid search over the index."""
    filters = _parse_filters(filter_)
    store, searcher = _open_searcher()
    try:
        results = searcher.search(query, top_k, filters)
    except UnknownFilterValue as exc:
        _fail(str(exc))
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps({"results": [r.model_dump() for r in results]}, ensure_ascii=False, indent=2))
        return
    for rank, result in enumerate(results, 1):
        agencies = ", ".join(a.name for a in result.agencies)
        title = f" – {result.title}" if result.title else ""
        typer.echo(f"{rank:2}. {result.citation}{title}  [{result.score:.3f}]\n    {result.url}\n    {agencies}")


def _open_searcher() -> tuple["DocumentStore", "Searcher"]:
    """The index and a warmed Searcher; imported here, not at the top, so `hjemmel --help` stays fast."""
    settings = get_settings()
    _refuse_if_locked(settings)
    from index.store import open_store
    from search.searcher import Searcher

    try:
        store = open_store(settings)
    except IndexLockedError as exc:
        _fail(str(exc))
    return store, Searcher(store, get_registry(), settings)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question, Norwegian or English.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """An answer quoted verbatim from the provisions, each quote cited; or a plain refusal with the nearest sources.

    With HJEMMEL_LLM_URL set, a language model phrases the answer from the same provisions.
    """
    store, searcher = _open_searcher()
    from search.generated import build_answerer

    result = build_answerer(searcher, get_settings()).answer(question)
    store.close()
    typer.echo(json.dumps(result.model_dump(), ensure_ascii=False, indent=2) if as_json else result.answer)


@app.command()
def applicable(
    description: Annotated[str, typer.Argument(help="What the AI project does, in a few sentences.")],
    flag: Annotated[list[str], typer.Option("--flag", help="Force a topic: research, procurement, …")] = [],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Which laws and regulations apply to an AI project, why, and which agencies to ask what."""
    store, searcher = _open_searcher()
    from search.applicable import ApplicabilityAnalyzer, UnknownFlag

    try:
        result = ApplicabilityAnalyzer(searcher, get_registry()).analyze(description, flag or None)
    except UnknownFlag as exc:
        _fail(str(exc))
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(result.model_dump(), ensure_ascii=False, indent=2))
        return
    for law in result.laws:
        typer.echo(f"{law.title} ({law.document_id})")
        for why in law.why:
            typer.echo(f"    {why.citation}: {why.url}")
    for agency in result.agencies:
        typer.echo(f"{agency.name}: {agency.role}\n    Spør: {agency.question}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: HJEMMEL_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: HJEMMEL_PORT.")] = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs). The server owns the index while it runs; it logs one JSON object a
    line, each request with its id."""
    settings = get_settings()
    _refuse_if_locked(settings)
    import uvicorn

    from api.http import create_app
    from api.observability import log_config
    from index.store import open_store

    try:
        store = open_store(settings)
    except IndexLockedError as exc:
        _fail(str(exc))
    uvicorn.run(
        create_app(settings, store),
        host=host or settings.host,
        port=port or settings.port,
        log_config=log_config(),
        access_log=False,  # RequestObservation logs each request, with its id and route
        loop="uvloop",
        http="httptools",
    )


@corpus_app.command("download")
def download(
    to: Annotated[Path | None, typer.Option(help="Corpus folder to fill (default: HJEMMEL_CORPUS_DIR).")] = None,
    base_url: Annotated[str | None, typer.Option(help="Fetch <URL>/<corpus path> from a mirror instead.")] = None,
    source: Annotated[list[str], typer.Option("--source", help="Only this registry id (repeatable).")] = [],
) -> None:
    """Fetch the registry's sources from their official addresses (Lovdata public data, EUR-Lex), checking each."""
    from ingest.download import Downloader

    target = to or get_settings().corpus_dir
    failed = 0
    for result in Downloader(get_registry(), target, base_url).run(set(source) or None):
        failed += not result.ok
        typer.echo(f"{'ok' if result.ok else 'failed'}: {result.source_id} ({result.file}): {result.detail}", err=not result.ok)
    if failed:
        raise typer.Exit(1)


@app.command("eval", context_settings={"allow_extra_args": True, "ignore_unknown_options": False})
def evaluate(
    ctx: typer.Context,
    dataset: Annotated[
        Path,
        typer.Option(help="queries.jsonl + qrels.tsv (retrieval), questions.jsonl (ask) or projects.jsonl (applicable)."),
    ],
    retriever: Annotated[
        list[str], typer.Option("--retriever", help="bm25, dense, plain-hybrid, hybrid: `--retriever bm25 dense hybrid`.")
    ] = ["hybrid"],
    k: Annotated[int, typer.Option(help="Cut-off for nDCG, Recall and MRR (retrieval).")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON on stdout.")] = False,
    out: Annotated[Path | None, typer.Option(help="Report folder (default: evals/reports/<dataset>).")] = None,
    backend: Annotated[
        str, typer.Option(help="embedded (the index folder) or server (qdrant-client: HJEMMEL_QDRANT_URL, else a copy of the index in local mode).")
    ] = "embedded",
) -> None:
    """Benchmark each retriever on a dataset: retrieval (nDCG@k, Recall@k, Recall@100, MRR@k), answers (verbatim
    quotes, citation precision, refusals) or applicability (precision and recall of laws and agencies); with latency,
    per language, and a report with a chart.
    """
    from evals.backends import BACKENDS
    from evals.command import default_out_dir, main_eval

    if backend not in BACKENDS:
        _fail(f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")
    # Click options take one value each; the names after --retriever arrive as extra arguments.
    names = [name for value in [*retriever, *ctx.args] for name in value.split(",") if name]
    raise typer.Exit(main_eval(dataset, names, k, as_json, out or default_out_dir(dataset), backend=backend))
