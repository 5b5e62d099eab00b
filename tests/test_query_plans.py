"""Every statement the SQLite store runs uses an index where one exists;
every look-up of entity resolution does so on the Cypher backend too.

The statements are collected, not listed by hand: a trace callback records
every statement the store runs while the store contract's operations are
exercised on a small store, and each distinct one is planned with
``EXPLAIN QUERY PLAN``. A plan that reads a whole store table, or looks
rows up by an index prefix that matches thousands of them (the type index
for a name look-up), fails the test unless the statement is one of the few
whole-table reads below.

Plans depend on the planner's statistics, so each statement is planned twice:
with none (a store never analysed: the state in which resolution once read
every entity of a type) and with those of the 1M-relation synthetic store
(``benchmarks/synthetic.py``, seed 1, after ``ANALYZE``).

On FalkorDB the queries resolution sends (``upsert_extraction``: names,
aliases, merges, ids) are planned with ``GRAPH.EXPLAIN``; none may scan
every node of a label or of the graph.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.cypher_connections import FalkorConnection, falkordb_literal
from graph.cypher_store import CypherStore
from graph.model import Document, Entity, Evidence, MeetingPath, Relation, normalise_name, relation_id
from graph.ontology import MEMBER_OF, MET_WITH, MISSION, ORGANIZATION, SIGNED_WITH, VISITED
from graph.sqlite_store import SqliteStore
from tests.builders import report
from tests.falkordb_server import FalkorServer

ASTANA = report(
    "The Chongqing business delegation met with the National Atameken Chamber of Entrepreneurs in Astana. "
    "Changan Auto was part of the delegation.",
    date="2023-06-24",
    entities={
        "d": (MISSION, "Chongqing business delegation"),
        "a": (ORGANIZATION, "National Atameken Chamber of Entrepreneurs",
              {"kind": "chamber", "country": "KZ", "aliases": ["Atameken"]}),
        "c": (ORGANIZATION, "Changan Auto", {"kind": "enterprise", "country": "CN"}),
        "x": ("Place", "Astana", {"kind": "city", "country": "KZ"}),
    },
    relations=[(MET_WITH, "d", "a"), (MEMBER_OF, "c", "d"), (VISITED, "d", "x")],
)

# Names the chamber by its alias: resolution finds it through the alias index.
ALMATY = report(
    "Atameken received a Belarusian delegation from the Ministry of Economy of Belarus. "
    "The Ministry of Economy of Belarus signed a memorandum with Atameken.",
    date="2024-03-10",
    entities={
        "a": (ORGANIZATION, "Atameken", {"kind": "chamber"}),
        "d": (MISSION, "Belarusian delegation"),
        "m": (ORGANIZATION, "Ministry of Economy of Belarus", {"kind": "ministry", "country": "BY"}),
    },
    relations=[(MET_WITH, "a", "d"), (SIGNED_WITH, "m", "a"), (MEMBER_OF, "m", "d")],
)

# Reads of a whole table (or of all rows of a type) on purpose, each named
# by a fragment of its SQL and why. Nothing else may read more than a few
# rows per value it looks up.
INTENTIONAL_WHOLE_TABLE_READS: dict[str, str] = {
    "SELECT count(*) FROM": "stats(): counts over whole tables",
    "GROUP BY type ORDER BY type": "stats(): counts by type",
    "GROUP BY kind ORDER BY kind": "stats(): organisations by kind",
    "FROM documents ORDER BY ingested_at DESC": "list_documents(): a page of all documents, newest first",
    "ORDER BY e.name, e.id LIMIT": "search_entities() without text: a page of all entities (of a type) by name",
    "LIKE '%": "search_entities(q): a substring match, which no b-tree index answers",
    "WHERE r.source != r.target AND r.type IN (SELECT value FROM json_each('[\"MET_WITH\"]')) ORDER BY":
        "relations(types=...) without entities: a page of all relations of the types, newest first",
    "INSERT INTO entity_degrees(entity_id, degree) SELECT id, count(*) FROM":
        "entity_degrees filled once for a store written before it existed",
}

# sqlite_stat1 of the 1M-relation synthetic store after a full ANALYZE
# (1,000,007 relations, 163,420 entities, 38,178 documents).
LARGE_STORE_STATISTICS: list[tuple[str, str, str]] = [
    ("documents", "sqlite_autoindex_documents_1", "38178 1"),
    ("entities", "entities_by_country", "163420 5272"),
    ("entities", "entities_by_name_type", "163420 1 1 1"),
    ("entities", "entities_by_type", "163420 27237 10895 490"),
    ("entities", "entities_by_id_kind", "163420 1 1 1 1"),
    ("entities", "entities_by_id", "163420 1 1 1 1 1 1"),
    ("entities", "sqlite_autoindex_entities_1", "163420 1"),
    ("entity_evidence", "entity_evidence", "163420 1 1 1 1 1"),
    ("entity_evidence", "entity_evidence_by_doc", "163420 5"),
    ("meta", "sqlite_autoindex_meta_1", "1 1"),
    ("relation_evidence", "relation_evidence", "1002169 1 1 1 1 1 1"),
    ("relation_evidence", "relation_evidence_by_doc", "1002169 27"),
    ("relation_evidence", "relation_evidence_from", "1002169 7 1 1 1 1 1 1"),
    ("relation_evidence", "relation_evidence_to", "1002169 9 1 1 1 1 1 1"),
    ("relations", "relations_out", "1000007 7 3 2 1 1 1 1 1"),
    ("relations", "relations_in", "1000007 9 5 2 1 1 1 1 1"),
    ("relations", "relations_by_type", "1000007 100001 46"),
    ("relations", "sqlite_autoindex_relations_1", "1000007 1"),
]

# A search that, at the large store's size, reads more rows than this per
# look-up reads a whole slice of a table (all entities of a type): a scan in
# all but name.
MAX_ROWS_PER_LOOKUP = 1000

LARGE_STORE_ROWS_PER_KEY: dict[str, list[int]] = {
    idx: [int(n) for n in stat.split()[1:]] for _, idx, stat in LARGE_STORE_STATISTICS if idx
}

_SCAN = re.compile(r"^SCAN (\w+)")
_SEARCH = re.compile(r"^SEARCH \w+ USING (?:COVERING )?INDEX (\w+) \((.*)\)")
_TABLE_REF = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?", re.IGNORECASE)
_NOT_ALIASES = {"where", "on", "join", "cross", "inner", "left", "indexed", "group", "order", "limit",
                "union", "using", "natural", "as", "set"}


def exercise_store_contract(store: SqliteStore) -> None:
    """Every read and resolution look-up the store offers, with each option."""
    not_its_own_path = Relation(id="r-none", type=MET_WITH, source="a", target="b", confidence=1.0)
    store.upsert_extraction(ASTANA)
    store.upsert_extraction(ALMATY)
    doc = ASTANA.document.id
    store.has_document(doc)
    store.get_document(doc)
    store.list_documents(limit=5)
    chamber = store.find_by_forms(ORGANIZATION, [normalise_name("Atameken")])[0]
    store.get_entity(chamber.id)
    store.get_entities([chamber.id, "nobody"])
    store.search_entities("atameken")
    store.search_entities("atameken", type=ORGANIZATION, kind="chamber", country="KZ")
    store.search_entities(None)
    store.search_entities(None, type=ORGANIZATION, kind="chamber", country="KZ")
    store.search_entities(None, type=ORGANIZATION)
    store.degrees([chamber.id])
    store.meeting_paths(chamber.id)
    store.meeting_paths(chamber.id, limit=5)
    store.meeting_paths(chamber.id, counterparts=[chamber.id, "nobody"])
    store.meeting_totals([chamber.id, "nobody"])
    store.meeting_evidence(chamber.id, [*store.meeting_paths(chamber.id),
                                        MeetingPath(counterpart="nobody", relation=not_its_own_path)])
    store.sector_members(["sector-45", "nobody"])
    not_its_own = Relation(id="r-none", type=MEMBER_OF, source="a", target="b", confidence=1.0)
    store.evidence_spans(chamber.id, [*store.relations(entity_ids=[chamber.id], with_evidence=False), not_its_own])
    store.sector_members(["sector-45"], entity_type=ORGANIZATION, kinds=["chamber"], country="KZ")
    for direction in ("both", "out", "in"):
        store.linked_entities([chamber.id], types=[MET_WITH, SIGNED_WITH], direction=direction,
                              entity_type=ORGANIZATION, kinds=["ministry"], country="BY", until="2025")
        store.relations(entity_ids=[chamber.id], types=[MET_WITH], direction=direction,
                        since="2020", until="2025", limit=10)
    store.linked_entities([chamber.id], types=[MET_WITH])
    store.relations(entity_ids=[chamber.id])
    store.relations(types=[MET_WITH], limit=10)
    store.neighbourhood([chamber.id], hops=2)
    other = store.find_by_forms(ORGANIZATION, [normalise_name("Ministry of Economy of Belarus")])[0]
    store.merge_entities(chamber.id, other.id)
    store.get_entity(other.id)
    store.unmerge_entity(other.id)
    store.stats()
    for _ in store.iter_entities(batch_size=2, with_evidence=True):
        pass
    for _ in store.iter_relations(batch_size=2):
        pass
    for _ in store.iter_documents(batch_size=1):
        pass
    write_one_bulk_graph(store)
    store.delete_document(ALMATY.document.id)


def write_one_bulk_graph(store: SqliteStore) -> None:
    text = "Bulk Org met Other Org."
    doc = Document(id="bulk-doc", source="bulk.txt", text=text, date="2024-01-01")
    ev = Evidence(doc_id=doc.id, start=0, end=len(text), text=text, date=doc.date)
    ents = [Entity(id=f"org-{n}", type=ORGANIZATION, name=f"{n.title()} Org", aliases=[f"{n.upper()}"],
                   evidence=[ev]) for n in ("bulk", "other")]
    rel = Relation(id=relation_id(MET_WITH, "org-bulk", "org-other"), type=MET_WITH, source="org-bulk",
                   target="org-other", confidence=0.9, date=doc.date, evidence=[ev])
    store.write_graph([doc], ents, [rel])


def statements_run_by(store: SqliteStore) -> list[str]:
    """Distinct statements that read a table, in the order first run."""
    seen: dict[str, None] = {}
    store._db.set_trace_callback(lambda sql: seen.setdefault(" ".join(sql.split()), None))
    try:
        exercise_store_contract(store)
    finally:
        store._db.set_trace_callback(None)
    reads = re.compile(r"^(SELECT|WITH|UPDATE|DELETE|INSERT INTO \w+\s*\([^)]*\)\s*SELECT)", re.IGNORECASE)
    return [sql for sql in seen if reads.match(sql) and "sqlite_stat1" not in sql and "sqlite_master" not in sql]


def whole_table_scans(db: sqlite3.Connection, sql: str, tables: set[str]) -> list[str]:
    """The plan lines of ``sql`` that read a whole store table."""
    aliases = {t.lower(): t.lower() for t in tables}
    for table, alias in _TABLE_REF.findall(sql):
        if table.lower() in aliases and alias and alias.lower() not in _NOT_ALIASES:
            aliases[alias.lower()] = table.lower()
    plan = db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
    parent = {row[0]: row[1] for row in plan}
    # A subquery in FROM is planned as "CO-ROUTINE r" (or "MATERIALIZE r")
    # and read as "SCAN r" outside it: a read of the subquery, not of a table.
    subqueries = {m.group(2).lower(): row[0] for row in plan
                  if (m := re.match(r"^(CO-ROUTINE|MATERIALIZE) (\w+)", row[3]))}

    def inside(node: int, ancestor: int) -> bool:
        while node in parent and node != ancestor:
            node = parent[node]
        return node == ancestor

    scans = []
    for node, _, _, detail in plan:
        m = _SCAN.match(detail)
        if not m or m.group(1).lower() not in aliases:
            continue
        sub = subqueries.get(m.group(1).lower())
        if sub is not None and not inside(node, sub):
            continue
        scans.append(detail)
    return scans


def coarse_searches(db: sqlite3.Connection, sql: str, rows_per_key: dict[str, list[int]]) -> list[str]:
    """The plan lines of ``sql`` that look rows up by an index prefix
    matching more than ``MAX_ROWS_PER_LOOKUP`` rows (``rows_per_key``: per
    index, rows per distinct value of its first 1, 2, ... columns)."""
    found = []
    for row in db.execute(f"EXPLAIN QUERY PLAN {sql}"):
        m = _SEARCH.match(row[3])
        if not m or m.group(1) not in rows_per_key:
            continue
        equal = 0
        for term in m.group(2).split(" AND "):
            if not re.fullmatch(r"\w+=\?", term):
                break
            equal += 1
        per_key = rows_per_key[m.group(1)]
        rows = per_key[min(equal, len(per_key)) - 1] if equal else 0
        if rows > MAX_ROWS_PER_LOOKUP:
            found.append(f"{row[3]}: ~{rows:,} rows per look-up")
    return found


def use_statistics(db: sqlite3.Connection, stats: list[tuple[str, str, str]]) -> None:
    """Make the planner see exactly ``stats`` (none when empty)."""
    db.execute("ANALYZE sqlite_master")  # creates sqlite_stat1 if missing
    db.execute("DELETE FROM sqlite_stat1")
    db.executemany("INSERT INTO sqlite_stat1(tbl, idx, stat) VALUES (?, ?, ?)", stats)
    db.execute("ANALYZE sqlite_master")  # reloads the statistics


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqliteStore, list[str]]]:
    store = SqliteStore(Path(tmp_path_factory.mktemp("plans")) / "tradekg.db")
    try:
        yield store, statements_run_by(store)
    finally:
        store.close()


def test_the_store_operations_run_the_statements_this_test_plans(traced: tuple[SqliteStore, list[str]]) -> None:
    _, statements = traced
    assert any("INDEXED BY entities_by_name_type" in sql for sql in statements)
    assert any("INDEXED BY aliases_by_norm" in sql for sql in statements)
    assert len(statements) > 40


@pytest.mark.parametrize("statistics", ["none", "large store"])
def test_no_statement_reads_a_whole_table_that_an_index_could_answer(
    traced: tuple[SqliteStore, list[str]], statistics: str
) -> None:
    store, statements = traced
    db = store._db
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
              if not r[0].startswith("sqlite_")}
    use_statistics(db, [] if statistics == "none" else LARGE_STORE_STATISTICS)
    failures = []
    for sql in statements:
        if any(fragment in sql for fragment in INTENTIONAL_WHOLE_TABLE_READS):
            continue
        scans = whole_table_scans(db, sql, tables) + coarse_searches(db, sql, LARGE_STORE_ROWS_PER_KEY)
        if scans:
            failures.append(f"{'; '.join(scans)}\n    in: {sql}")
    assert not failures, "whole-table reads:\n" + "\n".join(failures)


def trigger_statements(db: sqlite3.Connection) -> list[str]:
    """The statements inside the store's triggers, and their WHEN clauses
    as SELECTs, with a literal for each NEW./OLD. value (the trace callback
    does not show what a trigger runs)."""
    out = []
    for (sql,) in db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'"):
        flat = " ".join(sql.split())
        head, body = flat.split(" BEGIN ", 1)
        stmts = [s.strip() for s in body.rsplit(" END", 1)[0].split(";") if s.strip()]
        if " WHEN " in head:
            stmts.append("SELECT " + head.split(" WHEN ", 1)[1])
        out += [re.sub(r"\b(?:NEW|OLD)\.\w+", "'x'", s) for s in stmts]
    return out


@pytest.mark.parametrize("statistics", ["none", "large store"])
def test_no_statement_in_a_trigger_reads_a_whole_table(
    traced: tuple[SqliteStore, list[str]], statistics: str
) -> None:
    store, _ = traced
    db = store._db
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
              if not r[0].startswith("sqlite_")}
    use_statistics(db, [] if statistics == "none" else LARGE_STORE_STATISTICS)
    statements = trigger_statements(db)
    assert any("meeting_paths" in sql for sql in statements)
    failures = []
    for sql in statements:
        scans = whole_table_scans(db, sql, tables) + coarse_searches(db, sql, LARGE_STORE_ROWS_PER_KEY)
        if scans:
            failures.append(f"{'; '.join(scans)}\n    in: {sql}")
    assert not failures, "whole-table reads in triggers:\n" + "\n".join(failures)


@pytest.mark.falkordb
def test_resolution_on_falkordb_reads_entities_aliases_and_merges_through_indexes(
    falkordb_server: FalkorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = CypherStore.from_url(falkordb_server.url("query-plans"))
    assert isinstance(store.conn, FalkorConnection)
    try:
        store.clear()
        store.upsert_extraction(ASTANA)
        sent: dict[str, dict[str, Any]] = {}
        run = store.conn.run

        def traced_run(query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
            sent.setdefault(query, params or {})
            return run(query, params)

        monkeypatch.setattr(store.conn, "run", traced_run)
        store.upsert_extraction(ALMATY)  # resolves "Atameken" through its alias
        assert any("a.norm IN $forms" in q for q in sent)
        failures = []
        for query, params in sent.items():
            header = "".join(f"{k}={falkordb_literal(v)} " for k, v in params.items())
            plan = str(store.conn._graph.explain(f"CYPHER {header}{query}" if header else query))
            scans = [line.strip() for line in plan.splitlines() if "Label Scan" in line or "All Node Scan" in line]
            if scans:
                failures.append(f"{'; '.join(scans)}\n    in: {query}")
        assert not failures, "scans in resolution:\n" + "\n".join(failures)
    finally:
        store.close()
        falkordb_server.delete_graph("query-plans")


def test_a_store_from_before_the_precomputed_tables_is_brought_up_to_date_on_open(tmp_path: Path) -> None:
    # An older file: the degrees, meeting paths, evidence counts and sector members it never had.
    from tests.builders import report

    path = tmp_path / "old.db"
    store = SqliteStore(path)
    store.upsert_extraction(report(
        "The Kazakh delegation met with Atameken in Astana. Atameken signed with the Ministry of Trade."
        " The Kazakh delegation works in car making.",
        entities={"d": ("Mission", "Kazakh delegation"), "a": ("Organization", "Atameken"),
                  "m": ("Organization", "Ministry of Trade"), "s": ("Sector", "car making", {"code": "29"})},
        relations=[("MET_WITH", "d", "a"), ("SIGNED_WITH", "a", "m"), ("IN_SECTOR", "d", "s")],
    ))
    ids = [e.id for batch in store.iter_entities() for e in batch]
    degrees, totals = store.degrees(ids), store.meeting_totals(ids)
    members = store.sector_members(["sector-29"])
    evidence = {i: store.meeting_evidence(i, store.meeting_paths(i)) for i in ids}
    store.close()
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM meta WHERE key IN ('entity_degrees', 'meeting_paths', 'sector_members',"
                   " 'meeting_evidence')")
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE name LIKE 'meeting_evidence_on_%'").fetchall():
            db.execute(f"DROP TRIGGER {name}")
        db.execute("DROP TABLE meeting_evidence")
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE name LIKE 'sector_members_on_%'").fetchall():
            db.execute(f"DROP TRIGGER {name}")
        db.execute("DROP TABLE sector_members")
        db.execute("DELETE FROM entity_degrees")
        db.execute("DELETE FROM meeting_paths")
        db.execute("DELETE FROM meeting_totals")
        db.execute("DROP INDEX relations_out")  # newer than the column, and holding it
        db.execute("DROP INDEX relations_in")
        db.execute("ALTER TABLE relations DROP COLUMN evidence")

    reopened = SqliteStore(path)
    assert reopened.degrees(ids) == degrees and max(degrees.values()) == 2
    assert reopened.meeting_totals(ids) == totals and max(totals.values()) >= 1
    assert reopened.sector_members(["sector-29"]) == members and members
    assert {i: reopened.meeting_evidence(i, reopened.meeting_paths(i)) for i in ids} == evidence
    assert any(evidence.values()) and reopened._db.execute("SELECT count(*) FROM meeting_evidence").fetchone()[0]
    relations = list(reopened.relations())
    assert set(reopened.evidence_counts(relations).values()) == {1}
    reopened.close()


def test_meeting_paths_of_the_older_layout_are_rebuilt_on_open(tmp_path: Path) -> None:
    # Before the paths carried their relation's columns: keyed by counterpart,
    # dates kept by a trigger of another name.
    path = tmp_path / "old.db"
    store = SqliteStore(path)
    store.upsert_extraction(ASTANA)
    store.upsert_extraction(ALMATY)
    ids = [e.id for batch in store.iter_entities() for e in batch]
    paths = {i: store.meeting_paths(i) for i in ids}
    totals = store.meeting_totals(ids)
    evidence = {i: store.meeting_evidence(i, paths[i]) for i in ids}
    store.close()
    with sqlite3.connect(path) as db:
        db.execute("DROP TRIGGER meeting_paths_on_change")
        db.execute("DROP TABLE meeting_paths")
        db.execute("CREATE TABLE meeting_paths (entity_id TEXT NOT NULL, counterpart_id TEXT NOT NULL,"
                   " relation_id TEXT NOT NULL, via TEXT NOT NULL, date TEXT,"
                   " PRIMARY KEY (entity_id, counterpart_id, relation_id, via)) WITHOUT ROWID")
        db.execute("CREATE TRIGGER meeting_paths_on_date AFTER UPDATE OF date ON relations"
                   " BEGIN UPDATE meeting_paths SET date = NEW.date WHERE relation_id = NEW.id; END")

    reopened = SqliteStore(path)
    assert {i: reopened.meeting_paths(i) for i in ids} == paths and any(paths.values())
    assert reopened.meeting_totals(ids) == totals
    assert {i: reopened.meeting_evidence(i, paths[i]) for i in ids} == evidence and any(evidence.values())
    assert not reopened._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meeting_paths_on_date'").fetchone()
    reopened.close()


def test_an_index_new_to_an_analysed_store_gets_its_statistics_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = SqliteStore(path)
    store.upsert_extraction(ASTANA)
    store._db.execute("ANALYZE")
    store.close()
    with sqlite3.connect(path) as db:  # as written before entities_by_id existed
        db.execute("DROP INDEX entities_by_id")
        db.execute("DELETE FROM sqlite_stat1 WHERE idx = 'entities_by_id'")

    reopened = SqliteStore(path)
    assert reopened._db.execute("SELECT 1 FROM sqlite_stat1 WHERE idx = 'entities_by_id'").fetchone()
    reopened.close()


def test_a_store_that_indexed_every_origin_keeps_only_moved_rows_indexed_and_still_unmerges(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = SqliteStore(path)
    store.upsert_extraction(ASTANA)
    store.upsert_extraction(ALMATY)
    store.close()
    with sqlite3.connect(path) as db:  # as written when every row's origin was indexed
        db.execute("DROP INDEX entity_evidence_moved")
        db.execute("DROP INDEX aliases_moved")
        db.execute("CREATE INDEX entity_evidence_by_origin ON entity_evidence(origin_id)")
        db.execute("CREATE INDEX aliases_by_origin ON aliases(origin_id)")

    reopened = SqliteStore(path)
    names = {r[0] for r in reopened._db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"entity_evidence_moved", "aliases_moved"} <= names
    assert not {"entity_evidence_by_origin", "aliases_by_origin"} & names
    chamber = reopened.find_by_forms(ORGANIZATION, [normalise_name("Atameken")])[0]
    ministry = reopened.find_by_forms(ORGANIZATION, [normalise_name("Ministry of Economy of Belarus")])[0]
    mentions = reopened.get_entity(ministry.id).evidence
    reopened.merge_entities(chamber.id, ministry.id)
    moved = reopened._db.execute("SELECT count(*) FROM entity_evidence INDEXED BY entity_evidence_moved"
                                 " WHERE origin_id = ? AND origin_id != entity_id", (ministry.id,)).fetchone()[0]
    assert moved == len(mentions) > 0  # the merged mentions, and only they, are in the partial index
    reopened.unmerge_entity(ministry.id)
    restored = reopened.get_entity(ministry.id)
    assert restored.evidence == mentions and restored.aliases == ministry.aliases
    reopened.close()
