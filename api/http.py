"""HTTP API and, from api/web.py, the pages. The app owns the index for its lifetime (the embedded engine admits one
process)."""

from collections.abc import AsyncIterator
from http import HTTPStatus
from contextlib import asynccontextmanager
from functools import partial
from typing import Annotated

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import web
from api.observability import UnhandledErrors, install_observability
from api.problems import Problem, declare_problem_json, extend_openapi, problem
from api.security import install_security
from api.capacity import Busy, Capacity
from api.deadline import ApplicableResponse, AskResponse, BudgetedSearcher, applicable_within, ask_within, search_within
from api.services import AnalyzerDep, AnswererDep, LookupDep, ScopeDep, SearcherDep
from api.text_fields import WordyText
from corpus.registry import get_registry
from corpus.scope import get_scope
from corpus.settings import Settings, get_settings
from index.embedders import limit_model_threads
from index.store import DocumentStore, open_store
from search.answer import answer_language
from search.applicable import ApplicabilityAnalyzer, UnknownFlag
from search.filters import SearchFilters, UnknownFilterValue
from search.generated import build_answerer
from search.lookup import DocumentView, SourceView, UnitView
from search.results import SearchResult
from search.scope import OutsideArea, ScopeMatcher
from search.searcher import Searcher
from search.stages import enable_stage_metrics


class SearchRequest(BaseModel):
    query: WordyText = Field(min_length=1, max_length=2000, examples=["Kan helsepersonell gi pasientopplysninger til en KI-leverandør?"])
    top_k: int = Field(10, ge=1, le=100)
    filters: SearchFilters | None = None


class SearchResponse(BaseModel):
    results: list[SearchResult]
    outside: list[OutsideArea] = Field(
        [], description="Areas of law or kinds of source the query concerns that the sources do not hold (notice "
        "periods, HIPAA, case law), with the acts or collections to read instead: the results then come from the "
        "sources' nearest provisions."
    )


class AskRequest(BaseModel):
    question: WordyText = Field(min_length=1, max_length=2000, examples=["Kan vi dele journaldata med en KI-leverandør?"])
    filters: SearchFilters | None = None


class ApplicableRequest(BaseModel):
    description: WordyText = Field(
        min_length=1,
        max_length=5000,
        examples=["Vi vil bruke journaldata til å trene en modell som varsler forverring hos hjertesviktpasienter."],
    )
    flags: list[str] | None = None


class Health(BaseModel):
    status: str
    points: int


def create_app(settings: Settings | None = None, store: DocumentStore | None = None) -> FastAPI:
    """`store` lets the caller open the index first, so a locked index is reported before the server starts."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        registry = get_registry()
        limit_model_threads(settings.model_threads)
        store_ = store or open_store(settings)
        app.state.store = store_
        app.state.searcher = Searcher(store_, registry, settings)
        app.state.lookup = app.state.searcher.lookup
        app.state.scope = ScopeMatcher(get_scope(), app.state.searcher.citations)
        budgeted = BudgetedSearcher(app.state.searcher)
        app.state.answerer = build_answerer(budgeted, settings, app.state.scope)
        app.state.analyzer = ApplicabilityAnalyzer(budgeted, registry)
        yield
        capacity.close()
        store_.close()

    enable_stage_metrics()
    capacity = Capacity(settings.model_workers, settings.queue_size)
    busy = {503: {"model": Problem, "description": "Busy: the queue is full or the deadline passed; see Retry-After."}}

    app = FastAPI(
        title="hjemmel",
        summary="Search with exact citations over Norwegian health law, EU rules and agency guidance.",
        version="0.1.0",
        lifespan=lifespan,
        responses={404: {"model": Problem}, 422: {"model": Problem}},
    )
    app.state.settings = settings
    app.state.capacity = capacity

    @app.exception_handler(StarletteHTTPException)
    async def http_problem(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, HTTPStatus(exc.status_code).phrase, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_problem(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return problem(422, "Invalid request", detail)

    @app.exception_handler(UnknownFilterValue)
    async def filter_problem(_: Request, exc: UnknownFilterValue) -> JSONResponse:
        return problem(422, "Unknown filter value", str(exc))

    @app.exception_handler(UnknownFlag)
    async def flag_problem(_: Request, exc: UnknownFlag) -> JSONResponse:
        return problem(422, "Unknown flag", str(exc))

    @app.exception_handler(Busy)
    async def busy_problem(request: Request, exc: Busy) -> Response:
        if web.is_page(request.scope):
            return web.busy_page(request, exc.retry_after)
        return problem(503, "Service busy", str(exc), headers={"Retry-After": str(exc.retry_after)})

    @app.post("/search", response_model=SearchResponse, responses=busy)
    async def search(body: SearchRequest, searcher: SearcherDep, scope: ScopeDep) -> SearchResponse:
        search = partial(searcher.search, body.query, body.top_k, body.filters)
        return SearchResponse(
            results=await search_within(capacity, settings.search_deadline, search),
            outside=scope.outside(body.query, answer_language(body.query)),
        )

    @app.get("/units/{unit_id:path}", response_model=UnitView)
    def unit(unit_id: str, lookup: LookupDep) -> UnitView:
        view = lookup.unit(unit_id)
        if view is None:
            raise HTTPException(404, f"no provision with id {unit_id!r}; ids look like LOV-1999-07-02-64/§29")
        return view

    @app.post("/ask", response_model=AskResponse, responses=busy)
    async def ask(body: AskRequest, answerer: AnswererDep) -> AskResponse:
        """An answer quoted verbatim from the provisions found, each quote cited; or a plain refusal.

        With a language model configured (HJEMMEL_LLM_URL) the model phrases the answer, every sentence citing a
        provision in `sources`; the quotes stay verbatim. When the deadline passes after retrieval, `partial` is
        true and `sources` are what retrieval found.
        """
        answer = partial(answerer.answer, body.question, body.filters)
        return await ask_within(capacity, settings.answer_deadline, body.question, answer)

    @app.post("/applicable", response_model=ApplicableResponse, responses=busy)
    async def applicable(body: ApplicableRequest, analyzer: AnalyzerDep) -> ApplicableResponse:
        """The laws that apply to an AI project, each with the provisions that triggered it, and whom to ask.

        When the deadline passes, `partial` is true and the laws rest on the searches that had run.
        """
        analyze = partial(analyzer.analyze, body.description, body.flags)
        return await applicable_within(capacity, settings.answer_deadline, analyze)

    @app.get("/cite", response_model=UnitView)
    def cite(
        ref: Annotated[str, Query(min_length=1, max_length=200, examples=["hpl § 29"])],
        searcher: SearcherDep,
    ) -> UnitView:
        """Resolve a citation («hpl § 29», «GDPR art. 9(2)(h)», «AI Act annex III») to the provision it names."""
        citations = searcher.citations.find(ref)
        if not citations:
            raise HTTPException(404, f"no citation recognised in {ref!r}; write e.g. 'hpl § 29' or 'GDPR art. 9'")
        citation = citations[0]
        view = searcher.lookup.unit(citation.unit_id)
        if view is None:
            raise HTTPException(
                404, f"understood {citation.understood!r} ({citation.unit_id}), but the index has no such provision"
            )
        return view

    @app.get("/documents/{document_id}", response_model=DocumentView)
    def document(document_id: str, lookup: LookupDep) -> DocumentView:
        view = lookup.document(document_id)
        if view is None:
            raise HTTPException(404, f"no document {document_id!r}; use an id such as LOV-1999-07-02-64 or a name such as hpl")
        return view

    @app.get("/sources", response_model=list[SourceView])
    def sources(lookup: LookupDep) -> list[SourceView]:
        return lookup.sources()

    @app.get("/healthz", response_model=Health)
    def healthz(request: Request) -> Health:
        return Health(status="ok", points=request.app.state.store.count_documents())

    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=web.STATIC), name="static")
    # Innermost, so that its 500 still passes the guards (CORS headers) and the observation (request id, access log).
    app.add_middleware(UnhandledErrors, is_page=web.is_page, page=web.error_page)
    keys = tuple(key.get_secret_value() for key in settings.api_keys)
    install_security(app, keys, settings.cors_origins, settings.rate_limit, settings.max_body_bytes)
    install_observability(app)
    extend_openapi(app, declare_problem_json)
    return app
