"""The pages for guidance staff, rendered on the server from the same searcher, lookup, answerer and analyzer the
JSON API uses, and with its model work under the same capacity and deadlines. Every page is a GET with its state in
the URL, so a result list, an answer or a check can be shared.
"""

from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Annotated, get_args

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.types import Scope

from api import i18n
from api.contents import heading_path, shared_root, table_of_contents
from api.deadline import applicable_within, ask_within, search_within
from api.observability import request_id
from api.references import cited_anchor, full_reference, ledd, official_site, quote_anchor
from api.services import AnalyzerDep, AnswererDep, CapacityDep, LookupDep, ScopeDep, SearcherDep, SettingsDep
from api.snippets import snippet
from corpus.registry import Kind, Registry, get_registry
from corpus.registry import Language as SourceLanguage
from search.filters import SearchFilters, UnknownFilterValue
from search.searcher import CITED_SCORE

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
RESULTS = 10
KINDS = get_args(Kind)
LANGUAGES = get_args(SourceLanguage)
# The form fields' limits; a page is a GET, so its URL (with percent-encoded letters) must stay well below 16 KB.
MAX_QUERY = 2000
MAX_CITATION = 200
COOKIE_SECONDS = 365 * 24 * 3600

templates = Jinja2Templates(directory=TEMPLATES)
templates.env.globals.update(
    snippet=snippet, official_site=official_site, full_reference=full_reference, cited_score=CITED_SCORE
)
templates.env.trim_blocks = templates.env.lstrip_blocks = True
router = APIRouter(include_in_schema=False)


def _reader_language(request: Request) -> i18n.Language:
    """`?lang=` (the switch), else the remembered choice, else the browser's languages; also for the pages that an
    exception handler renders."""
    cookie, accept = request.cookies.get(i18n.COOKIE), request.headers.get("accept-language")
    return i18n.choose(request.query_params.get("lang"), cookie, accept)


async def _language(request: Request) -> i18n.Language:
    """Async for the reason services.py gives."""
    return _reader_language(request)


Ui = Annotated[i18n.Language, Depends(_language)]


def render(request: Request, name: str, ui: i18n.Language, status_code: int = 200, **context: object) -> Response:
    """The template in the reader's language, with the switch to the other; `?lang=` is remembered in a cookie."""
    switch = request.url.include_query_params(lang=i18n.other(ui))
    response = templates.TemplateResponse(
        request,
        name,
        {
            "lang": ui,
            "t": i18n.TEXTS[ui],
            "other": i18n.other(ui),
            "switch_url": f"{switch.path}?{switch.query}",
            "agency_url": _agency_urls(get_registry()),
            **context,
        },
        status_code=status_code,
    )
    if request.query_params.get("lang") == ui:
        response.set_cookie(i18n.COOKIE, ui, max_age=COOKIE_SECONDS, samesite="lax")
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@cache
def _agency_urls(registry: Registry) -> dict[str, str]:
    return {agency.name: agency.url for agency in registry.agencies.values()}


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    note: str = ""  # former names, shown after the label


@cache
def _agency_options(registry: Registry) -> tuple[Option, ...]:
    agencies = sorted(registry.agencies.values(), key=lambda a: a.name)
    return tuple(Option(a.id, a.name, ", ".join(a.former_names)) for a in agencies)


@cache
def _act_options(registry: Registry) -> dict[str, tuple[Option, ...]]:
    """Sources by kind, each named as people cite it (with its short title where that differs)."""
    groups: dict[str, list[Option]] = {}
    for source in sorted(registry.sources.values(), key=lambda s: s.name.casefold()):
        short = f" ({source.short_title})" if source.short_title.casefold() != source.name.casefold() else ""
        groups.setdefault(source.kind, []).append(Option(source.id, f"{source.name}{short}"))
    return {kind: tuple(options) for kind, options in groups.items()}


# What the search page shows when a route does not say: an empty form, no results, no messages.
SEARCH_PAGE = {
    "q": "", "results": [], "selected": {}, "filtered": False, "notices": [], "outside": [], "error": "",
    "cite_message": "",
}


def _search_page(
    request: Request, ui: i18n.Language, registry: Registry, status_code: int = 200, **context: object
) -> Response:
    return render(
        request,
        "search.html",
        ui,
        status_code,
        page="search",
        agencies=_agency_options(registry),
        acts=_act_options(registry),
        kinds=KINDS,
        languages=LANGUAGES,
        **(SEARCH_PAGE | context),
    )


@router.get("/", response_class=HTMLResponse)
async def search_page(
    request: Request,
    ui: Ui,
    searcher: SearcherDep,
    scope: ScopeDep,
    capacity: CapacityDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=MAX_QUERY)] = "",
    agency: str = "",
    kind: str = "",
    act: str = "",
    language: str = "",
) -> Response:
    """Search with filters; `/?q=…&agency=…&kind=…&act=…&language=…` is a result list's shareable form."""
    registry = searcher.registry
    notices = []
    found_agency = registry.agency(agency) if agency else None
    if found_agency is not None and agency.casefold() in {n.casefold() for n in found_agency.former_names}:
        notices.append(i18n.TEXTS[ui]["former_name"].format(given=agency, name=found_agency.name))
    found_act = (registry.sources.get(act) or registry.lookup_name(act)) if act else None
    selected = {
        "agency": found_agency.id if found_agency else agency,
        "kind": kind,
        "act": found_act.id if found_act else act,
        "language": language,
    }
    filters = SearchFilters(
        agency=agency or None, kind=kind or None, document_id=act or None, language=language or None
    )
    results, error = [], ""
    if q.strip():
        try:
            search = partial(searcher.search, q, RESULTS, filters)
            results = await search_within(capacity, settings.search_deadline, search)
        except UnknownFilterValue as exc:
            error = i18n.TEXTS[ui]["bad_filter"].format(detail=exc)
    return _search_page(
        request,
        ui,
        registry,
        422 if error else 200,
        q=q,
        results=results,
        selected=selected,
        filtered=any(selected.values()),
        notices=notices,
        outside=scope.outside(q, ui) if q.strip() else [],
        error=error,
    )


@router.get("/go")
def go(
    request: Request, ui: Ui, searcher: SearcherDep, ref: Annotated[str, Query(max_length=MAX_CITATION)] = ""
) -> Response:
    """The citation box: straight to the provision cited, or the search page saying what was understood."""
    if not ref.strip():
        return RedirectResponse("/", status_code=303)
    t = i18n.TEXTS[ui]
    citations = searcher.citations.find(ref)
    if not citations:
        message = t["cite_none"].format(ref=ref)
        return _search_page(request, ui, searcher.registry, ref=ref, cite_message=message, cite_search=ref)
    citation = citations[0]
    view = searcher.lookup.unit(citation.unit_id)
    if view is not None:
        return RedirectResponse(f"/p/{view.unit.id}{cited_anchor(citation.label)}", status_code=303)
    message = t["cite_missing"].format(understood=citation.understood, unit_id=citation.unit_id)
    return _search_page(
        request, ui, searcher.registry, ref=ref, cite_message=message, cite_search=ref, cite_act=citation.source
    )


@router.get("/p/{unit_id:path}", response_class=HTMLResponse, name="provision")
def provision_page(request: Request, ui: Ui, unit_id: str, lookup: LookupDep) -> Response:
    """A provision in full: ledd numbered, where it sits, its neighbours, who is responsible, how to cite it."""
    view = lookup.unit(unit_id)
    if view is None:
        return _not_found(request, ui, i18n.TEXTS[ui]["not_found_unit"].format(id=unit_id))
    document = lookup.document(view.unit.document.id)
    provisions = document.provisions if document else []
    return render(
        request,
        "provision.html",
        ui,
        view=view,
        unit=view.unit,
        document=document,
        ledd=ledd(view.unit),
        crumbs=heading_path(view.heading, shared_root([p.heading for p in provisions])),
        sections=table_of_contents(provisions),
        permalink=f"{request.base_url}p/{view.unit.id}",
    )


@router.get("/d/{document_id:path}", response_class=HTMLResponse, name="act")
def act_page(request: Request, ui: Ui, document_id: str, lookup: LookupDep) -> Response:
    """An act or document: its facts from the registry and Lovdata, and its table of contents by chapter."""
    document = lookup.document(document_id)
    if document is None:
        return _not_found(request, ui, i18n.TEXTS[ui]["not_found_document"].format(id=document_id))
    return render(request, "act.html", ui, document=document, sections=table_of_contents(document.provisions))


@router.get("/answer", response_class=HTMLResponse)
async def ask_page(
    request: Request,
    ui: Ui,
    answerer: AnswererDep,
    capacity: CapacityDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=MAX_QUERY)] = "",
) -> Response:
    """A question answered with verbatim quotes linked to their provisions, or a refusal with the nearest sources;
    past the deadline, what retrieval found, with a notice."""
    answer = None
    if q.strip():
        answer = await ask_within(capacity, settings.answer_deadline, q, partial(answerer.answer, q))
    links = {}
    if answer is not None:
        by_id = {s.id: s for s in answer.sources}
        for quote in answer.quotes:
            source = by_id.get(quote.unit_id)
            links[quote.text] = f"/p/{quote.unit_id}{quote_anchor(source, quote.text) if source else ''}"
    return render(request, "ask.html", ui, page="ask", q=q, answer=answer, links=links)


@router.get("/check", response_class=HTMLResponse)
async def check_page(
    request: Request,
    ui: Ui,
    analyzer: AnalyzerDep,
    capacity: CapacityDep,
    settings: SettingsDep,
    description: Annotated[str, Query(max_length=MAX_QUERY)] = "",
) -> Response:
    """A project description in; the laws that apply with the provisions why, and the agencies to ask what."""
    result = None
    if description.strip():
        result = await applicable_within(capacity, settings.answer_deadline, partial(analyzer.analyze, description))
    titles = {law.document_id: law.title for law in result.laws} if result else {}
    return render(request, "check.html", ui, page="check", description=description, result=result, titles=titles)


@router.get("/registry", response_class=HTMLResponse)
def sources_page(request: Request, ui: Ui, lookup: LookupDep) -> Response:
    """The registry: every source with its counts in the index, date and licence."""
    return render(request, "sources.html", ui, page="sources", sources=lookup.sources())


def _not_found(request: Request, ui: i18n.Language, message: str) -> Response:
    return render(request, "message.html", ui, 404, heading=i18n.TEXTS[ui]["not_found_title"], message=message)


def busy_page(request: Request, retry_after: int) -> Response:
    """A page's answer when the model workers and their queue are full or its deadline passed (the API's 503):
    busy, try again in `retry_after` seconds, with a link that does."""
    ui = _reader_language(request)
    t = i18n.TEXTS[ui]
    message = t["busy_retry_one" if retry_after == 1 else "busy_retry"].format(seconds=retry_after)
    retry = f"{request.url.path}?{request.url.query}"
    response = render(request, "message.html", ui, 503, heading=t["busy_title"], message=message, retry_url=retry)
    response.headers["Retry-After"] = str(retry_after)
    return response


def error_page(request: Request) -> Response:
    """A page's answer to an unexpected error (the API's 500): something went wrong, and the id to quote."""
    ui = _reader_language(request)
    t = i18n.TEXTS[ui]
    message = t["error_message"].format(request_id=request_id.get())
    return render(request, "message.html", ui, 500, heading=t["error_title"], message=message)


PAGE_PATHS = frozenset(route.path for route in router.routes)


def is_page(scope: Scope) -> bool:
    """Whether the request was routed to a page, which answers errors with HTML rather than problem+json."""
    return getattr(scope.get("route"), "path", None) in PAGE_PATHS
