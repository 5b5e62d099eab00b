"""``GET/POST /sparql``: read-only SPARQL 1.1 over the RDF view of the graph."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import Reader
from api.problems import ProblemError, problem_responses
from api.sparql import (
    SPARQL_RESULTS_JSON,
    TURTLE,
    SparqlBusy,
    SparqlRefused,
    SparqlTimeout,
    SparqlView,
    build_view,
    run_query,
    store_fingerprint,
)
from api.state import AppState

router = APIRouter(tags=["sparql"])

_RESULTS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "SPARQL JSON results (SELECT, ASK) or turtle (CONSTRUCT, DESCRIBE)",
        "content": {SPARQL_RESULTS_JSON: {"schema": {"type": "object"}}, TURTLE: {"schema": {"type": "string"}}},
    },
    **problem_responses(400, 401, 403, 413, 415, 422, 503, 504),
}
MAX_QUERY_CHARS = 20_000


def _view(state: AppState) -> SparqlView:
    """The view of the graph, rebuilt when the graph changed."""
    with state.store() as store:
        key = (state.generation, store_fingerprint(store))
        cached = state.sparql_view
        if cached is None or cached[0] != key:
            if cached is not None:
                cached[1].remove()  # a worker still reading it keeps its open files
            cached = (key, build_view(store))
            state.sparql_view = cached
        return cached[1]


def _answer(state: AppState, text: str) -> Response:
    if not text.strip():
        raise ProblemError(422, "the query is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise ProblemError(422, f"the query is longer than {MAX_QUERY_CHARS} characters")
    settings = state.settings
    try:
        answer = run_query(_view(state), text, settings.sparql_timeout_s, workers=state.sparql_workers,
                           max_rows=settings.sparql_max_rows)
    except SparqlRefused as err:
        raise ProblemError(err.status, str(err)) from err
    except SparqlTimeout as err:
        raise ProblemError(504, str(err)) from err
    except SparqlBusy as err:
        raise ProblemError(503, str(err), headers={"Retry-After": "5"}) from err
    return Response(answer.body, media_type=answer.media_type)


@router.get("/sparql", responses=_RESULTS, response_class=Response)
async def sparql_get(state: Reader, query: Annotated[str, Query(description="a SPARQL 1.1 query")]) -> Response:
    """Run a read-only SPARQL query over this graph (updates are refused with
    403; SERVICE and FROM with 400; at most ``TRADEKG_SPARQL_MAX_ROWS`` results)."""
    return await run_in_threadpool(_answer, state, query)


@router.post(
    "/sparql",
    responses=_RESULTS,
    response_class=Response,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/sparql-query": {"schema": {"type": "string"}},
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "properties": {"query": {"type": "string"}},
                               "required": ["query"]}
                },
            }
        }
    },
)
async def sparql_post(state: Reader, request: Request) -> Response:
    """The SPARQL protocol's POST forms: ``application/sparql-query`` body or
    a form field ``query``. A form field ``update`` is refused."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/sparql-query":
        text = (await request.body()).decode("utf-8", errors="replace")
    elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        if "update" in form:
            raise ProblemError(403, "SPARQL updates are not allowed: this endpoint is read-only")
        value = form.get("query")
        if not isinstance(value, str):
            raise ProblemError(422, "the form needs a field 'query'")
        text = value
    else:
        raise ProblemError(415, "send the query as application/sparql-query or as a form field 'query'")
    return await run_in_threadpool(_answer, state, text)
