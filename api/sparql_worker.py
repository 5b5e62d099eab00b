"""The SPARQL worker: one process that checks and evaluates one query at a time.

It runs in its own process so the API can stop a query by killing it (a
thread cannot be stopped, and a runaway query would keep its core busy),
and so rdflib's query parser, which is not thread-safe, only ever sees one
query at a time. It imports only what a query needs: starting it must stay
cheap because a killed worker is replaced.

Started as ``python -m api.sparql_worker FD`` (``ingest.workers``); over
the socket FD the worker sends ``"ready"``, then
answers each ``(view_path, query_text, max_rows)`` with ``("ok", media_type,
body)`` or ``("error", http_status, message)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from multiprocessing.connection import Connection
from typing import Any

SPARQL_RESULTS_JSON = "application/sparql-results+json"
TURTLE = "text/turtle"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# Algebra and parse-tree nodes that reach outside the view.
_REMOTE_NODES = frozenset({"ServiceGraphPattern"})


class QueryRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def serve(conn: Connection) -> None:
    """The worker's main loop (the target of the worker process)."""
    stores: dict[str, Any] = {}
    # Import and warm the parser now: that second is start-up, not query time.
    check_query("ASK { ?s ?p ?o }")
    conn.send("ready")
    while True:
        try:
            view_path, text, max_rows = conn.recv()
        except EOFError:  # the API closed the pipe: shut down
            return
        try:
            conn.send(("ok", *answer(_open(stores, view_path), text, max_rows)))
        except QueryRefused as err:
            conn.send(("error", err.status, err.message))
        except Exception as err:  # Oxigraph's evaluation errors (types, overflow) are the query's
            conn.send(("error", 400, f"the query could not be evaluated: {_one_line(err)}"))


def _open(stores: dict[str, Any], view_path: str) -> Any:
    import pyoxigraph as ox

    if view_path not in stores:
        stores.clear()  # an older version of the graph is never asked again
        stores[view_path] = ox.Store.read_only(view_path)
    return stores[view_path]


def answer(store: Any, text: str, max_rows: int) -> tuple[str, bytes]:
    check_query(text)
    import pyoxigraph as ox

    try:
        result = store.query(text)
    except SyntaxError as err:  # Oxigraph's parser is stricter than rdflib's in places
        raise QueryRefused(400, _oxigraph_syntax(err)) from None
    if isinstance(result, ox.QueryBoolean):
        return SPARQL_RESULTS_JSON, json.dumps({"head": {}, "boolean": bool(result)}).encode()
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [
            {name: _term(value) for name, value in zip(names, solution, strict=True) if value is not None}
            for solution in _at_most(result, max_rows)
        ]
        body = {"head": {"vars": names}, "results": {"bindings": rows}}
        return SPARQL_RESULTS_JSON, json.dumps(body, ensure_ascii=False).encode()
    triples = list(_at_most(result, max_rows))
    return TURTLE, ox.serialize(triples, format=ox.RdfFormat.TURTLE) or b""


def _at_most(rows: Iterator[Any], max_rows: int) -> Iterator[Any]:
    for n, row in enumerate(rows):
        if n >= max_rows:
            raise QueryRefused(400, f"the query returns more than {max_rows} results; "
                               f"add LIMIT {max_rows} (or less) and page with OFFSET")
        yield row


def _term(term: Any) -> dict[str, str]:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (_XSD_STRING, _RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}


# --- checking a query before it runs ---------------------------------------------------


def check_query(text: str) -> None:
    """Accept only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) over the view
    itself. Remote access is found in the parsed query and its algebra, not
    in the text, so comments, case and escapes cannot hide it."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parsed = parseQuery(text)
    except ParseException as err:
        try:
            parseUpdate(text)
        except Exception:
            raise QueryRefused(400, f"not a valid SPARQL query: syntax error at line {err.lineno}, "
                               f"column {err.col}") from None
        raise QueryRefused(403, "SPARQL updates are not allowed: this endpoint is read-only") from None
    except RecursionError:
        raise QueryRefused(400, "not a valid SPARQL query: it nests too deeply") from None
    if _names(parsed) & _REMOTE_NODES:
        raise QueryRefused(400, "SERVICE is not allowed: queries run over this graph only, never other endpoints")
    if any(getattr(part, "datasetClause", None) for part in parsed if hasattr(part, "name")):
        raise QueryRefused(400, "FROM and FROM NAMED are not allowed: queries run over this graph's "
                           "default graph only")
    try:
        algebra = translateQuery(parsed)
    except RecursionError:
        raise QueryRefused(400, "not a valid SPARQL query: it nests too deeply") from None
    except Exception as err:
        raise QueryRefused(400, f"not a valid SPARQL query: {_plain_reason(err)}") from None
    if _names(algebra.algebra) & _REMOTE_NODES:
        raise QueryRefused(400, "SERVICE is not allowed: queries run over this graph only, never other endpoints")


def _names(tree: Any) -> set[str]:
    """Names of every parse-tree or algebra node under ``tree``. Iterative:
    a query nested a thousand levels deep must not exhaust the stack."""
    from rdflib.plugins.sparql.parserutils import CompValue

    names: set[str] = set()
    stack = [tree]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            names.add(node.name)
            stack.extend(node.values())
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
            stack.extend(node)
    return names


def _plain_reason(err: Exception) -> str:
    text = _one_line(err)
    if text.startswith("Unknown namespace prefix"):
        prefix = text.rsplit(":", 1)[-1].strip()
        return f"the prefix '{prefix}:' is not declared (add PREFIX {prefix}: <...>)"
    return "it cannot be translated into SPARQL algebra"


def _oxigraph_syntax(err: SyntaxError) -> str:
    import re

    text = str(err)
    at = re.match(r"error at (\d+):(\d+)", text)
    where = f" at line {at.group(1)}, column {at.group(2)}" if at else ""
    if "Prefix not found" in text:
        return f"not a valid SPARQL query: a prefix used{where} is not declared (add PREFIX name: <...>)"
    return f"not a valid SPARQL query: syntax error{where}"


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())[:300] or type(err).__name__


if __name__ == "__main__":
    from ingest.workers import worker_connection

    serve(worker_connection())
