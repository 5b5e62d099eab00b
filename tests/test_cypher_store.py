"""What the Cypher backend does beyond the shared contract: clear failures
when the server is away, a graph readable as a graph, nothing built from
user text, and writes that land whole. Against a real FalkorDB server."""

from __future__ import annotations

import dataclasses
import json
import socket
import time
from collections.abc import Iterator, Sequence

import pytest

from graph.cypher_connections import Statement, redact
from graph.cypher_store import CypherStore, _record
from graph.model import Document, Entity, Evidence, Relation, relation_id
from graph.store import StoreError, open_store
from tests.builders import report
from tests.falkordb_server import FalkorServer, free_port
from tests.test_store_contract import ALMATY_2024, ASTANA_2023

pytestmark = pytest.mark.falkordb


@pytest.fixture
def fstore(falkordb_server: FalkorServer, request: pytest.FixtureRequest) -> Iterator[CypherStore]:
    graph = f"cy-{request.node.name[:40]}"
    store = open_store(falkordb_server.url(graph))
    assert isinstance(store, CypherStore)
    store.clear()
    try:
        yield store
    finally:
        store.close()
        falkordb_server.delete_graph(graph)


def _closed_port() -> int:
    port = free_port()
    with socket.socket() as s:  # nothing listens there once this is closed
        s.bind(("127.0.0.1", port))
    return port


@pytest.mark.parametrize("scheme", ["falkordb", "bolt"])
def test_a_server_that_is_down_is_one_clear_error_naming_the_url(scheme: str) -> None:
    port = _closed_port()
    url = f"{scheme}://127.0.0.1:{port}/g" if scheme == "falkordb" else f"bolt://127.0.0.1:{port}"
    started = time.monotonic()
    with pytest.raises(StoreError) as err:
        open_store(url)
    assert url in str(err.value) and "cannot reach" in str(err.value)
    assert time.monotonic() - started < 30, "a closed port must fail fast, not hang"


def test_passwords_never_appear_in_messages() -> None:
    port = _closed_port()
    with pytest.raises(StoreError) as err:
        open_store(f"falkordb://user:s3cret@127.0.0.1:{port}/g")
    assert "s3cret" not in str(err.value)
    assert redact("bolt://neo4j:pw@host:7687/db") == "bolt://neo4j:***@host:7687/db"


def test_entities_are_labelled_nodes_and_relations_typed_edges(fstore: CypherStore) -> None:
    fstore.upsert_extraction(ASTANA_2023)
    rows = fstore.conn.run("MATCH (a:Entity:Mission)-[r:MET_WITH]->(b:Entity:Organization) RETURN a.name AS a, b.name AS b")
    # A mission is stored as the trip (graph.resolve.name_trips).
    assert rows == [{"a": "Chongqing business delegation to Kazakhstan, June 2023",
                     "b": "National Atameken Chamber of Entrepreneurs"}]


def test_search_text_is_a_parameter_never_cypher(fstore: CypherStore) -> None:
    fstore.upsert_extraction(ASTANA_2023)
    before = fstore.stats()
    for text in ["') MATCH (n) DETACH DELETE n //", "\" }) DETACH DELETE e //", "`Entity` $ids"]:
        assert fstore.search_entities(text) == []
        assert fstore.find_by_forms("Organization", [text]) == []
        assert fstore.search_entities(None, country=text, kind=text) == []
    assert fstore.stats() == before


def test_types_outside_the_ontology_are_refused_before_anything_is_written(fstore: CypherStore) -> None:
    bad = Entity(id="x-1", type="Organization) DETACH DELETE (n", name="X")
    with pytest.raises(ValueError, match="unknown entity type"):
        fstore.write_graph([], [bad], [])
    assert fstore.stats().entities == 0
    # An unknown relation type in a filter simply matches nothing.
    fstore.upsert_extraction(ASTANA_2023)
    assert fstore.relations(types=["MET_WITH]->() DETACH DELETE r //"]) == []
    chamber = fstore.search_entities("Atameken")[0].id
    assert fstore.linked_entities([chamber], types=["MET_WITH]-() DETACH DELETE r //"]) == {}
    assert fstore.linked_entities([chamber], types=["MET_WITH]-() DETACH DELETE r //", "MET_WITH"])


def test_a_document_and_its_facts_land_in_one_write(fstore: CypherStore) -> None:
    batches: list[int] = []
    write = fstore.conn.write

    def counting_write(statements: Sequence[Statement]) -> None:
        batches.append(len(statements))
        write(statements)

    fstore.conn.write = counting_write  # type: ignore[method-assign]
    fstore.upsert_extraction(ASTANA_2023)
    assert len(batches) == 1  # one MULTI/EXEC: all of the report or none of it
    assert fstore.has_document(ASTANA_2023.document.id)


def test_a_retried_write_after_a_lost_reply_completes_without_duplicates(fstore: CypherStore) -> None:
    # The same bulk batch delivered twice (a client that lost the reply and
    # retried) leaves one copy of everything.
    fstore.upsert_extraction(ASTANA_2023)
    fstore.upsert_extraction(ALMATY_2024)
    ents = [e for b in fstore.iter_entities(with_evidence=True) for e in b]
    rels = [r for b in fstore.iter_relations() for r in b]
    docs = [d for b in fstore.iter_documents() for d in b]
    before = fstore.stats()
    statements = fstore.write_graph_statements(docs, ents, rels)
    fstore.clear()
    fstore.conn.write(statements)
    fstore.conn.write(statements)
    assert fstore.stats() == before


def test_reopening_a_graph_keeps_it(fstore: CypherStore, falkordb_server: FalkorServer) -> None:
    fstore.upsert_extraction(ASTANA_2023)
    again = CypherStore.from_url(fstore.conn.url)
    try:
        assert again.stats() == fstore.stats()
        assert again.has_document(ASTANA_2023.document.id)
    finally:
        again.close()


TRICKY = ['say "hi": now', 'back\\slash\\', 'new\nline\ttab', 'ctrl\x01\x1f', "it's", '{"id": "x"}, "k": ',
          "ü€𝄞 中文", "$rows", ""]


def test_any_text_survives_the_trip_to_the_server_and_back(fstore: CypherStore) -> None:
    doc = Document(id="doc-tricky", source="tricky.txt", text="\n".join(TRICKY), title='a "title": x')
    ents = [Entity(id=f"org-{i}", type="Organization", name=f"N{i} {t}", aliases=[t] if t else [],
                   attrs={"note": t}, evidence=[Evidence(doc_id=doc.id, start=0, end=1, text=t)])
            for i, t in enumerate(TRICKY)]
    fstore.write_graph([doc], ents, [])
    assert fstore.get_document(doc.id) == Document(id=doc.id, source=doc.source, text=doc.text, title=doc.title,
                                                   ingested_at=fstore.get_document(doc.id).ingested_at)  # type: ignore[union-attr]
    for e in ents:
        got = fstore.get_entity(e.id)
        assert got is not None and (got.name, got.aliases, got.attrs) == (e.name, e.aliases, e.attrs)
        assert [ev.text for ev in got.evidence] == [e.evidence[0].text]


def test_relation_evidence_lives_on_the_edge_and_any_text_survives(fstore: CypherStore) -> None:
    doc = Document(id="doc-rel-tricky", source="tricky.txt", text="\n".join(TRICKY))
    ents = [Entity(id=i, type="Organization", name=i, evidence=[Evidence(doc_id=doc.id, start=0, end=1, text="s")])
            for i in ("org-a", "org-b")]
    evs = [Evidence(doc_id=doc.id, start=i, end=i + 1, text=t, date="2020-01-02" if i % 2 else None,
                    confidence=0.5, extractor=t) for i, t in enumerate(TRICKY)]
    rid = relation_id("MET_WITH", "org-a", "org-b")
    fstore.write_graph([doc], ents, [Relation(id=rid, type="MET_WITH", source="org-a", target="org-b",
                                              attrs={"note": TRICKY[0]}, evidence=evs)])
    assert fstore.conn.run("MATCH (v:Evidence) RETURN count(v) AS n") == [{"n": 0}]
    [rel] = fstore.relations()
    assert sorted((e.start, e.text, e.date, e.extractor) for e in rel.evidence) == \
        sorted((e.start, e.text, e.date, e.extractor) for e in evs)
    assert rel.attrs == {"note": TRICKY[0]} and rel.date == "2020-01-02"
    assert fstore.stats().evidence == 2 + len(TRICKY)
    # Undated evidence never matches a date filter.
    assert fstore.relations(since="2020-01-03") == [] and len(fstore.relations(until="2020-01-02")) == 1


def test_deleting_a_document_after_a_merge_removes_the_evidence_it_moved(fstore: CypherStore) -> None:
    fstore.upsert_extraction(ASTANA_2023)
    # The same trip (same month), reported again.
    other = report("Atameken Chamber hosted the Chongqing business delegation.", date="2023-06-30",
                   entities={"a": ("Organization", "Atameken Chamber", {"kind": "chamber"}),
                             "d": ("Mission", "Chongqing business delegation")},
                   relations=[("MET_WITH", "a", "d")])
    fstore.upsert_extraction(other)
    by_name = {e.name: e.id for e in fstore.search_entities("Atameken")}
    keep, drop = by_name["National Atameken Chamber of Entrepreneurs"], by_name["Atameken Chamber"]
    fstore.merge_entities(keep, drop)
    [met] = fstore.relations(types=["MET_WITH"], entity_ids=[keep])
    assert {e.doc_id for e in met.evidence} == {ASTANA_2023.document.id, other.document.id}
    assert met.date == "2023-06-30"
    assert fstore.delete_document(other.document.id)
    [met] = fstore.relations(types=["MET_WITH"], entity_ids=[keep])
    assert {e.doc_id for e in met.evidence} == {ASTANA_2023.document.id}
    assert met.date == "2023-06-24"  # derived fields follow what is left
    assert fstore.relations(since="2023-06-25") == []


def test_one_relation_twice_in_one_bulk_write_keeps_all_its_evidence_once(fstore: CypherStore) -> None:
    ents = [Entity(id=i, type="Organization", name=i, evidence=[Evidence(doc_id="d1", start=0, end=1, text="A")])
            for i in ("org-a", "org-b")]
    rid = relation_id("MET_WITH", "org-a", "org-b")
    one = Evidence(doc_id="d1", start=0, end=9, text="they met.", date="2021-01-01", confidence=0.5)
    two = Evidence(doc_id="d2", start=0, end=9, text="they met.", date="2020-01-01", confidence=0.9)
    rels = [Relation(id=rid, type="MET_WITH", source="org-a", target="org-b", evidence=evs)
            for evs in ([one], [two, one], [one])]
    fstore.write_graph([], ents, rels)
    fstore.write_graph([], ents, rels)
    [rel] = fstore.relations()
    assert [e.doc_id for e in rel.evidence] == ["d2", "d1"]
    assert rel.confidence == 0.9 and rel.date == "2021-01-01"
    assert fstore.stats().evidence == 2 + 2


def test_evidence_records_keep_the_spelling_earlier_versions_wrote() -> None:
    # Re-syncing adds a record only when its string is not on the edge yet,
    # so the hand-written encoder must spell a record exactly as the JSON
    # encoder of earlier versions did, whatever the text.
    tricky = ['plain', 'quote " and \\ backslash', "tab\tnewline\n", "ctrl \x00\x1f", "Алматы 中文 😀", "\u2028</script>"]
    for i, text in enumerate(tricky):
        ev = Evidence(doc_id=f"doc-{text}", start=i, end=i + 5, text=text, date=None if i % 2 else "2024-05-01",
                      confidence=[0.9, 1, 1 / 3][i % 3], extractor=text)
        expected = json.dumps([ev.doc_id, ev.start, ev.end, ev.text, ev.date, float(ev.confidence), ev.extractor,
                               "src", text], ensure_ascii=False, separators=(",", ":"))
        assert _record(ev, "src", text) == expected


@pytest.mark.parametrize("windows", [True, False], ids=["node-id-windows", "keyset-pages"])
def test_whole_graph_reads_find_everything_across_gaps_in_node_ids(fstore: CypherStore, windows: bool) -> None:
    # Each entity is written with its aliases and mentions, so entity nodes
    # sit among other nodes; deleting some leaves holes. FalkorDB's reads
    # walk windows of node ids, Neo4j's page through the id index (run here
    # on FalkorDB too); both must find every entity and relation once, in
    # batches of the size asked for.
    fstore.conn.dialect = dataclasses.replace(fstore.conn.dialect, node_id_windows=windows)
    doc = Document(id="doc-gaps", source="gaps", text="x" * 400, date="2022-02-02")
    ids = [f"org-gap-{i:02d}" for i in range(40)]
    for i, eid in enumerate(ids):
        ev = [Evidence(doc_id=doc.id, start=k, end=k + 3, text="xxx") for k in range(i % 4 + 1)]
        ent = Entity(id=eid, type="Organization", name=f"Gap Firm {i}", aliases=[f"GF{i}-{k}" for k in range(i % 5)],
                     evidence=ev)
        rels = [Relation(id=relation_id("MET_WITH", ids[i - 1], eid), type="MET_WITH", source=ids[i - 1], target=eid,
                         confidence=0.7, evidence=[Evidence(doc_id=doc.id, start=i, end=i + 9, text="met",
                                                            date=doc.date, confidence=0.7)])] if i else []
        fstore.write_graph([], [ent], rels)
    fstore.write_graph([doc], [], [])
    fstore.conn.write([("MATCH (e:Entity) WHERE e.id IN $gone DETACH DELETE e", {"gone": ids[10:25]})])
    kept = set(ids[:10] + ids[25:])
    expected_rels = {relation_id("MET_WITH", a, b) for a, b in zip(ids, ids[1:], strict=False)
                     if a in kept and b in kept}

    ent_batches = list(fstore.iter_entities(batch_size=4, with_evidence=True))
    rel_batches = list(fstore.iter_relations(batch_size=4))
    ent_ids = [e.id for b in ent_batches for e in b]
    assert len(ent_ids) == len(set(ent_ids)) and set(ent_ids) == kept
    assert sorted(r.id for b in rel_batches for r in b) == sorted(expected_rels)
    assert all(len(b) == 4 for b in rel_batches[:-1]) and all(len(b) == 4 for b in ent_batches[:-1])
    assert all(r.evidence for b in rel_batches for r in b)
