"""The service objects the app builds at start-up, as FastAPI dependencies: the JSON API and the pages take the same
searcher, lookup, answerer, analyzer and scope matcher, so a page shows exactly what the API returns, and the same
capacity and settings, so a page waits and is refused as an API call is.

The dependencies are async though they only read `app.state`: FastAPI runs a sync one on its threadpool, and under
load that round trip (the model threads holding the GIL) was most of the time a refused request spent in the app.
"""

from typing import Annotated

from fastapi import Depends, Request

from api.capacity import Capacity
from corpus.settings import Settings
from search.answer import Answerer
from search.applicable import ApplicabilityAnalyzer
from search.generated import GeneratedAnswerer
from search.lookup import Lookup
from search.scope import ScopeMatcher
from search.searcher import Searcher


async def _searcher(request: Request) -> Searcher:
    return request.app.state.searcher


async def _lookup(request: Request) -> Lookup:
    return request.app.state.lookup


async def _answerer(request: Request) -> Answerer | GeneratedAnswerer:
    return request.app.state.answerer


async def _analyzer(request: Request) -> ApplicabilityAnalyzer:
    return request.app.state.analyzer


async def _scope(request: Request) -> ScopeMatcher:
    return request.app.state.scope


async def _capacity(request: Request) -> Capacity:
    return request.app.state.capacity


async def _settings(request: Request) -> Settings:
    return request.app.state.settings


SearcherDep = Annotated[Searcher, Depends(_searcher)]
LookupDep = Annotated[Lookup, Depends(_lookup)]
AnswererDep = Annotated[Answerer | GeneratedAnswerer, Depends(_answerer)]
AnalyzerDep = Annotated[ApplicabilityAnalyzer, Depends(_analyzer)]
ScopeDep = Annotated[ScopeMatcher, Depends(_scope)]
CapacityDep = Annotated[Capacity, Depends(_capacity)]
SettingsDep = Annotated[Settings, Depends(_settings)]
