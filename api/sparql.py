"""A read-only SPARQL view of the graph.

The view is the turtle export loaded into rdflib over the Oxigraph store
(``oxrdflib``), which evaluates queries natively. It is built on first use
and rebuilt when the graph changes: after a write through this API, or when
the store's counts differ (another process ingested into the same file).
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

import rdflib
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

from graph.store import Store

SPARQL_RESULTS_JSON = "application/sparql-results+json"
TURTLE = "text/turtle"

# Queries run here so a slow one can be abandoned at the time limit. Python
# cannot stop the thread; it finishes in the background and its result is dropped.
_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sparql")


class SparqlRefused(ValueError):
    """An update, or text that is not a SPARQL query."""


class SparqlTimeout(Exception):
    pass


@dataclass
class SparqlAnswer:
    media_type: str
    body: bytes


def store_fingerprint(store: Store) -> tuple[int, ...]:
    s = store.stats()
    return (s.documents, s.entities, s.relations, s.evidence)


def build_view(store: Store) -> rdflib.Graph:
    from queries.export import export_graph

    buf = io.BytesIO()
    export_graph(store, "turtle", buf, scope=None)
    graph = rdflib.Graph(store="Oxigraph")
    # Oxigraph's own parser, in bulk (no transaction log): rdflib's
    # pure-Python Turtle parser took 47 of the 59 s this view needed for
    # 100k relations (1.8M triples).
    graph.parse(data=buf.getvalue(), format="ox-turtle", transactional=False)
    return graph


def check_query(text: str) -> None:
    """Accept only queries (SELECT, ASK, CONSTRUCT, DESCRIBE)."""
    try:
        parseQuery(text)
        return
    except Exception as query_err:  # pyparsing raises several kinds
        try:
            parseUpdate(text)
        except Exception:
            raise SparqlRefused(f"not a valid SPARQL query: {query_err}") from query_err
    raise SparqlRefused("SPARQL updates are not allowed: this endpoint is read-only")


def _evaluate(graph: rdflib.Graph, text: str) -> SparqlAnswer:
    result = graph.query(text)
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        g = result.graph if result.graph is not None else rdflib.Graph()
        return SparqlAnswer(TURTLE, g.serialize(format="turtle").encode("utf-8"))
    body = result.serialize(format="json")
    return SparqlAnswer(SPARQL_RESULTS_JSON, body if isinstance(body, bytes) else b"")


def run_query(graph: rdflib.Graph, text: str, timeout_s: float) -> SparqlAnswer:
    check_query(text)
    future = _pool.submit(_evaluate, graph, text)
    try:
        return future.result(timeout=timeout_s)
    except FutureTimeout as err:
        raise SparqlTimeout(f"the query ran longer than {timeout_s:g} s") from err
