"""Two thin connections to a Cypher server behind one tiny interface.

* ``FalkorConnection``: FalkorDB's native client (``falkordb://host:port/graph``).
* ``BoltConnection``: the official ``neo4j`` driver (``bolt://``, ``neo4j://``,
  their ``+s``/``+ssc`` variants), for Neo4j 5 and anything else speaking Bolt.

Both offer ``run(query, params) -> list[dict]`` for reads and
``write(statements)`` for a batch of writes that lands as a whole: one
explicit transaction on Neo4j; one MULTI/EXEC on FalkorDB, which runs every
query atomically and, inside MULTI/EXEC, the whole batch without any other
client's command in between and not at all if the connection is lost before
EXEC. (FalkorDB has no rollback: a statement that fails does not undo the
ones before it, so the store validates everything before it writes.)

The small differences between the two dialects live in ``Dialect``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from graph.store import StoreError

Statement = tuple[str, dict[str, Any]]

CONNECT_TIMEOUT = 5.0  # seconds: a server that is down fails fast
QUERY_TIMEOUT = 300.0  # seconds: bulk batches can take a while, but never hang forever


@dataclass(frozen=True)
class Dialect:
    """What differs between Neo4j 5 and FalkorDB in the Cypher tradekg uses."""

    name: str
    node_index: str  # format(name=, label=, prop=)
    rel_index: str  # format(name=, type=, prop=)
    index_exists: tuple[str, ...]  # error text meaning "that index is already there"
    # Bulk writes a sync may have in flight at once. FalkorDB runs one write
    # per graph at a time, so a second one only waits, ready to start; on
    # Neo4j two transactions adding relationships to the same nodes can
    # deadlock, so they go one by one.
    writes_in_flight: int = 1
    # Whole-graph reads (exports, syncs from the server). FalkorDB seeks a
    # range of internal node ids directly but answers a page of an id index
    # by scanning and sorting everything after it (quadratic over a graph),
    # so it walks windows of node ids; Neo4j reads its index in order, so it
    # pages by the ``id`` property.
    node_id_windows: bool = False


DIALECTS: dict[str, Dialect] = {
    "neo4j": Dialect(
        name="neo4j",
        node_index="CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})",
        rel_index="CREATE INDEX {name} IF NOT EXISTS FOR ()-[r:{type}]-() ON (r.{prop})",
        index_exists=("EquivalentSchemaRuleAlreadyExists",),
    ),
    "falkordb": Dialect(
        name="falkordb",
        node_index="CREATE INDEX FOR (n:{label}) ON (n.{prop})",
        rel_index="CREATE INDEX FOR ()-[r:{type}]-() ON (r.{prop})",
        index_exists=("already indexed",),
        writes_in_flight=2,
        node_id_windows=True,
    ),
    # FalkorDB's experimental Bolt port introduces itself as Neo4j and
    # reports every error as a bare UnknownError, "index exists" included.
    "falkordb-bolt": Dialect(
        name="falkordb-bolt",
        node_index="CREATE INDEX FOR (n:{label}) ON (n.{prop})",
        rel_index="CREATE INDEX FOR ()-[r:{type}]-() ON (r.{prop})",
        index_exists=("UnknownError",),
    ),
}


class Connection(Protocol):
    url: str
    dialect: Dialect

    def run(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]: ...

    def write(self, statements: Sequence[Statement]) -> None: ...

    def encode(self, statements: Sequence[Statement]) -> Any:
        """The batch in the form ``write_encoded`` sends, so a bulk loader
        can encode the next batch on one thread while another sends this one."""
        ...

    def write_encoded(self, encoded: Any) -> None: ...

    def clear(self) -> None:
        """Remove the whole graph (tests and benchmarks)."""
        ...

    def close(self) -> None: ...


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


# --- FalkorDB ----------------------------------------------------------------------

_JSON_KEY = re.compile(r'"(\w+)": ')


def falkordb_literal(value: Any) -> str:
    """A parameter value as the Cypher literal FalkorDB's CYPHER header takes.

    JSON is that literal except for map keys, which Cypher writes bare. The
    rewrite is safe because an unescaped quote followed by a word and
    ``": `` only occurs as a key (quotes inside strings are escaped). The
    client library's own encoder does the same in pure Python, and was the
    slowest part of a bulk sync. FalkorDB reads JSON's \\u00XX escapes of
    control characters wrongly, so those values take the library's way.
    """
    text = _JSON(value)
    if "\\u00" not in text and (type(value) is Rows or _is_table(value)):
        return text  # rows of scalars (``UNWIND`` tables): no map keys to rewrite
    if "\\u00" in text:
        from falkordb.helpers import stringify_param_value

        return str(stringify_param_value(value))
    keys = _row_keys(value)
    if keys is None:
        return _JSON_KEY.sub(r"\1: ", text)
    for key in keys:  # str.replace per key is far quicker than a regex per match
        text = text.replace(f'"{key}": ', f"{key}: ")
    return text


_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


class Rows(list[list[Any]]):
    """An ``UNWIND`` table its producer vouches for: rows of scalars and
    lists of scalars, no maps. ``falkordb_literal`` sends its JSON as it
    stands, without checking every cell (a second pass as long as the
    encoding itself)."""


def _is_table(value: Any) -> bool:
    """A list of rows of scalars and lists of scalars (``UNWIND`` tables):
    no maps, so its JSON is already a Cypher literal."""
    return isinstance(value, list) and all(
        type(row) is list and not any(
            isinstance(x, dict) or (isinstance(x, list) and any(isinstance(y, dict | list) for y in x))
            for x in row)
        for row in value)


def _row_keys(value: Any) -> set[str] | None:
    """The map keys of a map or a list of flat maps (UNWIND rows); None when
    maps nest deeper."""
    rows = [value] if isinstance(value, dict) else value if isinstance(value, list) else []
    keys: set[str] = set()
    for row in rows:
        if isinstance(row, dict):
            keys.update(row)
            if any(isinstance(v, dict) or (isinstance(v, list) and any(isinstance(x, dict) for x in v))
                   for v in row.values()):
                return None
        elif isinstance(row, list) and any(isinstance(x, dict | list) for x in row):
            return None
    if not all(_JSON_KEY.fullmatch(f'"{k}": ') for k in keys):
        return None
    return keys



class FalkorConnection:
    """FalkorDB through its native client: ``falkordb://[user:pass@]host:port/graph``."""

    def __init__(self, url: str, *, query_timeout: float = QUERY_TIMEOUT) -> None:
        import redis
        from falkordb import FalkorDB

        self.url = url
        self.dialect = DIALECTS["falkordb"]
        parts = urlsplit(url)
        self.graph_name = unquote(parts.path.lstrip("/")) or "tradekg"
        try:
            self._db = FalkorDB(
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 6379,
                username=unquote(parts.username) if parts.username else None,
                password=unquote(parts.password) if parts.password else None,
                socket_connect_timeout=CONNECT_TIMEOUT,
                socket_timeout=query_timeout,
            )
        except (redis.RedisError, OSError) as exc:
            raise StoreError(f"cannot reach FalkorDB at {redact(url)}: {exc}") from exc
        self._graph = self._db.select_graph(self.graph_name)
        self._redis = self._db.connection

    def run(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        import redis

        header = "".join(f"{k}={falkordb_literal(v)} " for k, v in (params or {}).items())
        try:
            result = self._graph.query(f"CYPHER {header}{query}" if header else query)
        except redis.ConnectionError as exc:
            raise StoreError(f"lost the connection to FalkorDB at {redact(self.url)}: {exc}") from exc
        except redis.RedisError as exc:
            raise StoreError(f"FalkorDB at {redact(self.url)} refused a query: {exc}") from exc
        names = [h[1] for h in result.header]
        return [dict(zip(names, row, strict=True)) for row in result.result_set]

    def encode(self, statements: Sequence[Statement]) -> list[tuple[str, str]]:
        """Each statement as (query, the full GRAPH.QUERY text with its CYPHER header)."""
        out = []
        for query, params in statements:
            header = "".join(f"{k}={falkordb_literal(v)} " for k, v in params.items())
            out.append((query, f"CYPHER {header}{query}" if header else query))
        return out

    def write(self, statements: Sequence[Statement]) -> None:
        self.write_encoded(self.encode(statements))

    def write_encoded(self, encoded: list[tuple[str, str]]) -> None:
        import redis

        if not encoded:
            return
        pipe = self._redis.pipeline(transaction=True)
        for _, text in encoded:
            pipe.execute_command("GRAPH.QUERY", self.graph_name, text, "--compact")
        try:
            replies = pipe.execute(raise_on_error=False)
        except redis.ConnectionError as exc:
            raise StoreError(f"lost the connection to FalkorDB at {redact(self.url)}: {exc}") from exc
        except redis.RedisError as exc:
            raise StoreError(f"FalkorDB at {redact(self.url)} refused a write: {exc}") from exc
        for reply, (query, _) in zip(replies, encoded, strict=True):
            if isinstance(reply, Exception):
                raise StoreError(f"FalkorDB at {redact(self.url)} refused a write ({query[:80]}...): {reply}")

    def clear(self) -> None:
        import redis

        with contextlib.suppress(redis.ResponseError):  # no such graph yet
            self._graph.delete()

    def close(self) -> None:
        self._redis.close()


# --- Neo4j (Bolt) ------------------------------------------------------------------


class BoltConnection:
    """A Bolt server through the official driver. Credentials come from the
    URL (``bolt://user:pass@host:7687/database``) or ``$NEO4J_USER``,
    ``$NEO4J_PASSWORD``, ``$NEO4J_DATABASE``; without a user, no auth."""

    def __init__(self, url: str, *, query_timeout: float = QUERY_TIMEOUT) -> None:
        import neo4j
        from neo4j import GraphDatabase

        self.url = url
        # Until the probe below says Neo4j: FalkorDB's Bolt layer loses later
        # explicit transactions once it has seen a transaction timeout.
        self.dialect = DIALECTS["falkordb-bolt"]
        parts = urlsplit(url)
        user = unquote(parts.username) if parts.username else os.environ.get("NEO4J_USER")
        password = unquote(parts.password) if parts.password else os.environ.get("NEO4J_PASSWORD", "")
        self.database = unquote(parts.path.lstrip("/")) or os.environ.get("NEO4J_DATABASE") or None
        host = parts.hostname or "localhost"
        address = f"{parts.scheme}://{host}:{parts.port or 7687}"
        self._query_timeout = query_timeout
        self._driver = GraphDatabase.driver(
            address,
            auth=(user, password) if user else None,
            connection_timeout=CONNECT_TIMEOUT,
            connection_acquisition_timeout=CONNECT_TIMEOUT * 2,
            max_transaction_retry_time=CONNECT_TIMEOUT,
        )
        try:
            self._driver.verify_connectivity()
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as exc:
            self._driver.close()
            raise StoreError(f"cannot reach the Bolt server at {redact(url)}: {exc}") from exc
        self.dialect = self._probe_dialect()

    def _probe_dialect(self) -> Dialect:
        """Neo4j lists its components; a Bolt server that cannot is taken
        for FalkorDB (the one other Bolt server tradekg is tested with)."""
        try:
            self.run("CALL dbms.components() YIELD name RETURN name")
        except StoreError:
            return DIALECTS["falkordb-bolt"]
        return DIALECTS["neo4j"]

    def _timeout(self) -> float | None:
        return self._query_timeout if self.dialect.name == "neo4j" else None

    def _session(self) -> Any:
        return self._driver.session(database=self.database) if self.database else self._driver.session()

    def run(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        import neo4j

        try:
            with self._session() as session:
                return [dict(rec) for rec in session.run(neo4j.Query(query, timeout=self._timeout()),
                                                         params or {})]
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as exc:
            raise StoreError(f"the Bolt server at {redact(self.url)} failed a query: {exc}") from exc

    def encode(self, statements: Sequence[Statement]) -> Sequence[Statement]:
        return statements  # the driver encodes as it sends

    def write_encoded(self, encoded: Sequence[Statement]) -> None:
        self.write(encoded)

    def write(self, statements: Sequence[Statement]) -> None:
        import neo4j

        if not statements:
            return
        try:
            with self._session() as session, session.begin_transaction(timeout=self._timeout()) as tx:
                for query, params in statements:
                    tx.run(query, params).consume()
                tx.commit()
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as exc:
            raise StoreError(f"the Bolt server at {redact(self.url)} refused a write: {exc}") from exc

    def clear(self) -> None:
        # In slices, so a big graph does not need one huge transaction.
        while self.run("MATCH (n) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n")[0]["n"]:
            pass

    def close(self) -> None:
        self._driver.close()


def connect(url: str, *, query_timeout: float = QUERY_TIMEOUT) -> Connection:
    scheme = url.split("://", 1)[0].lower()
    if scheme == "falkordb":
        return FalkorConnection(url, query_timeout=query_timeout)
    if scheme in {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}:
        return BoltConnection(url, query_timeout=query_timeout)
    raise StoreError(f"not a Cypher server URL: {redact(url)!r} (use falkordb://, bolt:// or neo4j://)")
