"""The Bolt adapter (the official ``neo4j`` driver) exercised for real,
through FalkorDB's experimental Bolt port: basic writes and reads of the
store over ``bolt://127.0.0.1:<port>``.

That Bolt layer is fragile, so this suite stays inside what it survives (the
whole contract suite runs over Bolt against a real Neo4j when NEO4J_URI is
set): it crashes the server on query parameters over about 4 KB and on
returning any temporal value (tradekg sends small reports here and keeps
dates as ISO strings); after a connection closes, the next new one can stall
for up to 60 s, so ONE driver serves the whole module; ``database_`` is
ignored (everything lands in the graph "falkordb"); rollback does nothing;
every error is a bare ``UnknownError``; it listens on all interfaces
whatever ``--bind`` says, and silently ignores a ``BOLT_PORT`` above 32767.
Found while writing this suite: once a query has carried a transaction
timeout, later explicit transactions are silently lost, so the adapter sends
timeouts to real Neo4j only. It runs on its own server process, so a crash here
cannot take down the server of the contract suite.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from graph.cypher_store import CypherStore
from graph.store import StoreError, open_store
from tests.builders import report
from tests.falkordb_server import FalkorServer
from tests.test_store_contract import ALMATY_2024, ASTANA_2023

pytestmark = pytest.mark.falkordb


@pytest.fixture(scope="module")
def bolt_server() -> Iterator[FalkorServer]:
    server = FalkorServer.start(bolt=True)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def bolt_store(bolt_server: FalkorServer) -> Iterator[CypherStore]:
    # No NEO4J_USER from the environment: FalkorDB's Bolt port wants no auth.
    saved = os.environ.pop("NEO4J_USER", None)
    try:
        store = open_store(bolt_server.bolt_url())
    finally:
        if saved is not None:
            os.environ["NEO4J_USER"] = saved
    assert isinstance(store, CypherStore)
    try:
        yield store
    finally:
        # Not closed: closing the driver can stall on this Bolt layer; the
        # server is stopped right after anyway.
        pass


@pytest.fixture
def store(bolt_store: CypherStore, bolt_server: FalkorServer) -> Iterator[CypherStore]:
    bolt_server.check_alive()
    bolt_store.conn.clear()  # the graph's nodes go, its indexes stay
    yield bolt_store
    bolt_server.check_alive()


def test_the_bolt_adapter_talks_to_the_server_it_found(store: CypherStore) -> None:
    assert store.conn.dialect.name == "falkordb-bolt"
    assert store.stats().entities == 0


def test_a_report_written_over_bolt_reads_back_with_provenance(store: CypherStore) -> None:
    result = store.upsert_extraction(ASTANA_2023)
    assert result.added and result.entities_added == 4 and result.relations_added == 3
    assert store.has_document(ASTANA_2023.document.id)
    [chamber] = store.search_entities("Atameken")
    full = store.get_entity(chamber.id)
    assert full is not None and full.kind == "chamber" and "Atameken" in full.aliases
    assert {ev.doc_id for ev in full.evidence} == {ASTANA_2023.document.id}
    [met] = store.relations(types=["MET_WITH"], entity_ids=[chamber.id])
    assert met.date == "2023-06-24" and met.evidence and met.confidence == pytest.approx(0.9)


def test_a_second_report_over_bolt_resolves_to_the_same_entity(store: CypherStore) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)
    assert not store.upsert_extraction(ALMATY_2024).added
    [chamber] = [e for e in store.search_entities("Atameken") if e.name.startswith("National")]
    assert len(store.relations(types=["MET_WITH"], entity_ids=[chamber.id])) == 2
    stats = store.stats()
    assert stats.documents == 2 and stats.entities_by_type["Organization"] == 3


def test_deleting_a_document_over_bolt_keeps_what_others_state(store: CypherStore) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)
    assert store.delete_document(ALMATY_2024.document.id)
    assert store.search_entities("Ministry of Economy of Belarus") == []
    assert store.stats().documents == 1 and store.stats().relations == 3


def test_merge_and_unmerge_over_bolt(store: CypherStore) -> None:
    store.upsert_extraction(report("Alpha Group met Beta Ltd. Alpha Holding met Gamma Bank.",
                                   entities={"a": ("Organization", "Alpha Group"),
                                             "h": ("Organization", "Alpha Holding"),
                                             "b": ("Organization", "Beta Ltd"),
                                             "g": ("Organization", "Gamma Bank")},
                                   relations=[("MET_WITH", "a", "b"), ("MET_WITH", "h", "g")]))
    [alpha] = store.search_entities("Alpha Group")
    [holding] = store.search_entities("Alpha Holding")
    merged = store.merge_entities(alpha.id, holding.id)
    assert "Alpha Holding" in merged.aliases and len(store.relations(entity_ids=[alpha.id])) == 2
    store.unmerge_entity(holding.id)
    assert len(store.relations(entity_ids=[alpha.id])) == 1


def test_a_query_the_server_refuses_is_a_store_error(store: CypherStore) -> None:
    with pytest.raises(StoreError, match="Bolt server"):
        store.conn.run("MATCH (n:Entity RETURN n")
    assert store.stats().documents == 0  # the connection is still usable
