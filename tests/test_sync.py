"""``sync_stores``: the embedded store copied into a real FalkorDB server, and
back; a sync cut short by a dying server completes when run again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.cypher_store import CypherStore
from graph.model import Entity, Relation
from graph.sqlite_store import SqliteStore
from graph.store import Store, StoreError
from graph.sync import sync_stores
from tests.builders import report
from tests.falkordb_server import FalkorServer
from tests.test_store_contract import ALMATY_2024, ASTANA_2023

pytestmark = pytest.mark.falkordb


def _relations(store: Store) -> dict[str, Relation]:
    return {r.id: r for batch in store.iter_relations(batch_size=500) for r in batch}


def _entities(store: Store) -> dict[str, Entity]:
    return {e.id: e for batch in store.iter_entities(batch_size=500, with_evidence=True) for e in batch}


def _same_graph(a: Store, b: Store) -> None:
    assert a.stats() == b.stats()
    assert _entities(a) == _entities(b)
    assert _relations(a) == _relations(b)
    docs_a = {d.id: d for batch in a.iter_documents() for d in batch}
    docs_b = {d.id: d for batch in b.iter_documents() for d in batch}
    assert docs_a == docs_b


@pytest.fixture
def source(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "source.db")
    s.upsert_extraction(ASTANA_2023)
    s.upsert_extraction(ALMATY_2024)
    s.upsert_extraction(report(
        "Alpha Group met Beta Ltd in Minsk. Beta Ltd signed a contract with Alpha Group.", date="2022-01-05",
        entities={"a": ("Organization", "Alpha Group", {"aliases": ["Alpha"]}),
                  "b": ("Organization", "Beta Ltd", {"kind": "enterprise", "country": "BY"})},
        relations=[("MET_WITH", "a", "b", {}), ("SIGNED_WITH", "b", "a", {"confidence": 0.7})]))
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def falkordb_target(falkordb_server: FalkorServer, request: pytest.FixtureRequest) -> Iterator[CypherStore]:
    graph = f"sync-{request.node.name[:40]}"
    target = CypherStore.from_url(falkordb_server.url(graph), query_timeout=60)
    target.clear()
    try:
        yield target
    finally:
        target.close()
        falkordb_server.delete_graph(graph)


def test_sync_copies_documents_entities_relations_and_evidence(
    source: SqliteStore, falkordb_target: CypherStore
) -> None:
    seen: list[tuple[str, int]] = []
    result = sync_stores(source, falkordb_target, batch_size=2, on_progress=lambda k, n: seen.append((k, n)))
    stats = source.stats()
    assert (result.documents, result.entities, result.relations) == (stats.documents, stats.entities, stats.relations)
    _same_graph(source, falkordb_target)
    assert [k for k, _ in seen][0] == "entities" and seen[-1] == ("documents", stats.documents)
    # The copy answers questions as the original does.
    chamber = source.search_entities("Atameken")[0].id
    assert falkordb_target.get_entity(chamber) == source.get_entity(chamber)
    assert falkordb_target.relations(entity_ids=[chamber]) == source.relations(entity_ids=[chamber])


def test_syncing_twice_duplicates_nothing(source: SqliteStore, falkordb_target: CypherStore) -> None:
    assert sync_stores(source, falkordb_target, batch_size=3).into_empty
    assert not sync_stores(source, falkordb_target, batch_size=5).into_empty
    _same_graph(source, falkordb_target)


def test_a_sync_into_a_graph_holding_part_of_it_adds_what_is_missing(
    source: SqliteStore, falkordb_target: CypherStore, tmp_path: Path
) -> None:
    older = SqliteStore(tmp_path / "older.db")
    try:
        older.upsert_extraction(ASTANA_2023)
        sync_stores(older, falkordb_target)
    finally:
        older.close()
    # Relations already there gain the other reports' evidence, new ones are
    # created, nothing is doubled.
    assert not sync_stores(source, falkordb_target, batch_size=4).into_empty
    assert source.stats() == falkordb_target.stats()
    assert _entities(source) == _entities(falkordb_target)
    assert _relations(source) == _relations(falkordb_target)
    # (The target keeps its own copy of the report both stores hold, with
    # the time it was first ingested.)
    assert {d.id for b in falkordb_target.iter_documents() for d in b} == {
        d.id for b in source.iter_documents() for d in b}


def test_sync_back_from_falkordb_restores_the_graph(
    source: SqliteStore, falkordb_target: CypherStore, tmp_path: Path
) -> None:
    sync_stores(source, falkordb_target)
    back = SqliteStore(tmp_path / "back.db")
    try:
        sync_stores(falkordb_target, back, batch_size=2)
        _same_graph(source, back)
    finally:
        back.close()


def test_a_sync_cut_short_by_a_dying_server_completes_when_run_again(tmp_path: Path) -> None:
    # A bigger source, so the server can die with part of the graph written.
    src = SqliteStore(tmp_path / "big.db")
    for i in range(30):
        src.upsert_extraction(report(
            f"Firm{i} Alpha met Firm{i} Beta. Firm{i} Beta signed with Firm{i} Gamma. Firm{i} Gamma met Firm{i} Alpha.",
            date=f"2020-01-{i % 28 + 1:02d}",
            entities={"a": ("Organization", f"Firm{i} Alpha"), "b": ("Organization", f"Firm{i} Beta"),
                      "g": ("Organization", f"Firm{i} Gamma")},
            relations=[("MET_WITH", "a", "b"), ("SIGNED_WITH", "b", "g"), ("MET_WITH", "g", "a")]))
    # A persistent server: killed, it comes back with what it had acknowledged.
    workdir = tmp_path / "falkordb"
    server = FalkorServer.start(workdir=workdir, persist=True)
    url = server.url("sync-crash")
    try:
        target = CypherStore.from_url(url, query_timeout=30)

        def die_part_way(kind: str, count: int) -> None:
            if kind == "relations" and count >= 40:
                server.kill()

        with pytest.raises(StoreError, match="FalkorDB"):
            sync_stores(src, target, batch_size=10, on_progress=die_part_way)
        target.close()

        server = FalkorServer.start(workdir=workdir, persist=True, port=server.port)
        target = CypherStore.from_url(url, query_timeout=30)
        partial = target.stats()
        assert 0 < partial.relations < src.stats().relations  # the crash really left it half-done
        assert partial.documents == 0  # documents come last: none is visible without its facts

        sync_stores(src, target, batch_size=7)
        _same_graph(src, target)
        target.close()
    finally:
        server.stop()
        src.close()
