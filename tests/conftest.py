"""Shared fixtures. Each block below belongs to one area; keep blocks separate."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "reports"
# The annotated corpus sits beside the checkout; tests that need it skip without it.
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"annotated corpus not found at {CORPUS}")
    return CORPUS


# --- stores: the contract suite runs on every backend listed here ----------------
# A backend adds itself with a factory taking (request, tmp_path) and returning an
# open store on an empty graph; it may pytest.skip() when its server is absent.

from collections.abc import Callable, Iterator  # noqa: E402

from graph.sqlite_store import SqliteStore  # noqa: E402
from graph.store import Store  # noqa: E402

StoreFactory = Callable[[pytest.FixtureRequest, Path], Store]


def _sqlite_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return SqliteStore(tmp_path / "tradekg.db")


STORE_FACTORIES: dict[str, StoreFactory] = {"sqlite": _sqlite_store}


# --- Cypher backend: a real FalkorDB server for the session, Neo4j when NEO4J_URI is set ---

import os  # noqa: E402
import uuid  # noqa: E402

from tests.falkordb_server import FalkorServer  # noqa: E402


@pytest.fixture(scope="session")
def falkordb_server() -> Iterator[FalkorServer]:
    server = FalkorServer.start()
    try:
        yield server
    finally:
        server.stop()


def _falkordb_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    from graph.cypher_store import CypherStore

    server: FalkorServer = request.getfixturevalue("falkordb_server")
    server.check_alive()  # a dead server fails the test with its log, never hangs it
    graph = f"test-{uuid.uuid4().hex[:12]}"  # a fresh graph per test
    request.addfinalizer(lambda: server.delete_graph(graph))
    request.addfinalizer(server.check_alive)
    return CypherStore.from_url(server.url(graph), query_timeout=60)


def _neo4j_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    from graph.cypher_store import CypherStore

    url = os.environ.get("NEO4J_URI")
    if not url:
        pytest.skip("NEO4J_URI is not set: no Neo4j server to run the contract suite against")
    store = CypherStore.from_url(url, query_timeout=60)
    store.clear()  # one database, so each test starts by emptying it
    return store


STORE_FACTORIES["falkordb"] = _falkordb_store
STORE_FACTORIES["neo4j"] = _neo4j_store


@pytest.fixture(params=list(STORE_FACTORIES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = STORE_FACTORIES[request.param](request, tmp_path)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "tradekg.db")
    try:
        yield s
    finally:
        s.close()


# --- extraction (ingest/extract.py) --------------------------------------------
# One spaCy model per test session: loading it is the slow part.


@pytest.fixture(scope="session")
def extractor() -> object:
    """The product: the rules' candidates decided by the trained models."""
    from ingest.extract import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def rule_extractor() -> object:
    """The rule stage alone: what proposes candidates and features to the models."""
    from ingest.extract import Extractor

    return Extractor(learned=False)
