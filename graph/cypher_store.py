"""The Cypher backend: one implementation of ``graph.store.Store`` for Neo4j 5
(over Bolt) and FalkorDB (native client), in the openCypher both understand.

The graph holds the same facts as the embedded store's tables, so both
backends give the same answers to the same inputs (``tests/test_store_contract.py``):

    (:Entity:<Type> {id, type, name, name_norm, kind, country, attrs_json})
    (a:Entity)-[:<RELATION_TYPE> {id, confidence, date, attrs_json,
                                  ev, ev_docs, ev_dates}]->(b:Entity)
    (:Document {id, source, title, date, text, extractor, ingested_at, seq})
    (:Alias    {key, entity_id, alias, norm, doc_id, origin_id})
    (:Mention  {key, entity_id, doc_id, start, end, text, origin_id})          entity evidence
    (:Merge    {drop_id, keep_id, snapshot, merged_at})
    (:MergeRecord {key, entity_id, doc_id, form, reason, score})              why resolution joined a report
    (:KindVote {key, entity_id, doc_id, kind})                                 the kind a report gave an organisation

A relation's evidence lives on its edge: ``ev`` is a list of JSON records
``[doc_id, start, end, text, date, confidence, extractor, origin_source,
origin_target]`` (one per span and origin), ``ev_docs`` the distinct
documents among them (indexed: ``delete_document`` finds a document's
relations through it) and ``ev_dates`` the distinct dates (for
``since``/``until``). Type and endpoints are the edge's own (``type(r)``,
``startNode(r)``, ``endNode(r)``). Only strings in lists: Neo4j allows no
nulls or mixed types in list properties.

Mentions and aliases are nodes found through indexed ids, so deleting a
document or re-homing them after a merge are set operations; relation
evidence is re-homed by reading the holder's edges and rewriting their
lists. Every write is idempotent: a MERGE, a look-up and a CREATE of what
is missing, or a set union of evidence records; labels and relationship
types come only from the ontology's whitelist, every value is a parameter.

Writes are computed in Python from a few reads, then sent as one batch
(``Connection.write``): one transaction on Neo4j, one MULTI/EXEC on FalkorDB.
The Document node comes last in that batch: a document is never visible
without its facts, and a retry after a lost connection completes the rest.
Tradekg assumes one writer at a time per graph, as the embedded store does.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from graph.cypher_connections import Connection, Rows, Statement, connect
from graph.hygiene import clean_extraction
from graph.model import (
    Correction,
    Document,
    Entity,
    Evidence,
    Extraction,
    MeetingPath,
    MergeRecord,
    Relation,
    SectorMember,
    Stats,
    Subgraph,
    UpsertResult,
    normalise_name,
    relation_id,
    short_hash,
)
from graph.ontology import (
    ENTITY_TYPES,
    IN_SECTOR,
    LED,
    MEETING_RELATIONS,
    MEMBER_OF,
    MISSION,
    ORGANIZATION,
    ORGANIZED,
    RELATION_TYPES,
    check_entity_type,
    check_relation_type,
)
from graph.resolve import (
    MergeDecision,
    endpoints,
    fuller_name,
    kept_country,
    kind_by_evidence,
    map_entity_refs,
    resolve_entities,
)
from graph.store import StoreError, UnknownEntity, check_direction, walk_relations


def reapply_corrections(store: CypherStore, entity_ids: set[str]) -> None:
    # Imported late: graph.corrections is written against graph.store only.
    from graph.corrections import reapply_after_ingest

    reapply_after_ingest(store, entity_ids)

# Indexed properties: every id a query MERGEs on or looks up.
NODE_INDEXES: tuple[tuple[str, str], ...] = (
    ("Entity", "id"), ("Entity", "name_norm"), ("Document", "id"),
    ("Alias", "key"), ("Alias", "entity_id"), ("Alias", "norm"), ("Alias", "doc_id"), ("Alias", "origin_id"),
    ("Mention", "key"), ("Mention", "entity_id"), ("Mention", "doc_id"), ("Mention", "origin_id"),
    ("Merge", "drop_id"), ("Merge", "keep_id"),
    ("MergeRecord", "key"), ("MergeRecord", "entity_id"), ("MergeRecord", "doc_id"),
    ("KindVote", "key"), ("KindVote", "entity_id"), ("KindVote", "doc_id"),
    ("Correction", "id"), ("Correction", "subjects"), ("Reextract", "doc_id"),
)
# On every relation type: its id, and the documents of its evidence (a
# list: FalkorDB's index answers ``$doc IN r.ev_docs``).
REL_INDEXES: tuple[str, ...] = ("id", "ev_docs")

_ENT = ("e.id AS id, e.type AS type, e.name AS name, e.kind AS kind, e.country AS country,"
        " e.attrs_json AS attrs")
_REL = ("r.id AS id, type(r) AS type, startNode(r).id AS source, endNode(r).id AS target,"
        " r.confidence AS confidence, r.date AS date, r.attrs_json AS attrs")
_REL_EV = f"{_REL}, r.ev AS ev"
_DOC = ("d.id AS id, d.source AS source, d.title AS title, d.date AS date, d.extractor AS extractor,"
        " d.ingested_at AS ingested_at")


# Who led, joined or sent a delegation: it met whom the delegation met.
_SENDERS = (LED, MEMBER_OF, ORGANIZED)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def alias_key(entity_id: str, alias: str, doc_id: str) -> str:
    return short_hash("alias", entity_id, alias, doc_id, length=24)


def mention_key(doc_id: str, start: int, end: int, origin_id: str) -> str:
    # The holder (entity_id) is not part of the key: all mentions of one
    # origin always sit on one entity, so a merge only re-points them.
    return short_hash("mention", doc_id, str(start), str(end), origin_id, length=24)


def _typed_edge(types: Sequence[str]) -> str | None:
    """``r:A|B`` for a pattern, so only edges of those types are walked; None
    when no type is known (nothing matches, as on every backend). Only names
    from the ontology ever reach the Cypher text."""
    known = [t for t in dict.fromkeys(types) if t in RELATION_TYPES]
    return "r:" + "|".join(known) if known else None


def _label(etype: str) -> str:
    # Interpolated into Cypher, so only ever a name from the ontology.
    return check_entity_type(etype)


def _rtype(rtype: str) -> str:
    return check_relation_type(rtype)


# --- relation evidence on the edge ---------------------------------------------------


_JSON_STR = json.encoder.encode_basestring  # a str as JSON, non-ASCII kept (the C encoder)


def _json_opt(text: str | None) -> str:
    return "null" if text is None else _JSON_STR(text)


def _record(ev: Evidence, origin_source: str, origin_target: str) -> str:
    """One evidence record of an edge's ``ev`` list. Always made here, so
    the same evidence is the same string (adding it again is a no-op): the
    compact JSON of ``[doc_id, start, end, text, date, confidence,
    extractor, origin_source, origin_target]``, written out by hand because
    a sync makes one per relation and ``json.dumps`` took a fifth of its
    client time."""
    return (f"[{_JSON_STR(ev.doc_id)},{int(ev.start)},{int(ev.end)},{_JSON_STR(ev.text)},{_json_opt(ev.date)},"
            f"{float(ev.confidence)!r},{_json_opt(ev.extractor)},{_JSON_STR(origin_source)},"
            f"{_JSON_STR(origin_target)}]")


class EdgeEvidence:
    """The evidence lists of one edge, built up in Python: records in the
    order they arrived, one per (document, span, origins) as the embedded
    store keys them; the first record of a key wins."""

    __slots__ = ("records", "keys", "confidence", "dates", "docs")

    def __init__(self) -> None:
        self.records: list[str] = []
        self.keys: set[tuple[Any, ...]] = set()
        self.confidence = 0.0
        self.dates: set[str] = set()
        self.docs: set[str] = set()

    def _take(self, key: tuple[Any, ...], record: str, confidence: float, date: str | None) -> bool:
        if key in self.keys:
            return False
        self.keys.add(key)
        self.records.append(record)
        self.confidence = max(self.confidence, confidence) if len(self.records) > 1 else confidence
        self.docs.add(key[0])
        if date:
            self.dates.add(date)
        return True

    def add(self, ev: Evidence, origin_source: str, origin_target: str) -> bool:
        return self._take((ev.doc_id, ev.start, ev.end, origin_source, origin_target),
                          _record(ev, origin_source, origin_target), float(ev.confidence), ev.date)

    def add_record(self, record: str) -> None:
        r = json.loads(record)
        self._take((r[0], r[1], r[2], r[7], r[8]), record, float(r[5]), r[4])

    def derived(self) -> tuple[float, str | None, list[str], list[str]]:
        """(confidence, date, ev_docs, ev_dates): the strongest statement,
        the latest date, the distinct documents and dates."""
        dates = sorted(self.dates)
        return self.confidence, dates[-1] if dates else None, sorted(self.docs), dates


def _attrs_json(attrs: dict[str, Any]) -> str:
    return json.dumps(attrs) if attrs else "{}"


def _parse_record(record: str) -> tuple[Evidence, str, str]:
    r = json.loads(record)
    return (Evidence(doc_id=r[0], start=r[1], end=r[2], text=r[3], date=r[4], confidence=r[5],
                     extractor=r[6] or ""), r[7], r[8])


def _evidence_list(records: Sequence[str] | None) -> list[Evidence]:
    """An edge's evidence as the embedded store lists it: by date (undated
    first), document, span; the same sentence reaching one relation from two
    origins after a merge shown once."""
    evs = sorted((_parse_record(r)[0] for r in records or ()),
                 key=lambda e: (e.date is not None, e.date or "", e.doc_id, e.start, e.end, e.text,
                                e.confidence, e.extractor))
    out: list[Evidence] = []
    for ev in evs:
        if not out or (out[-1].doc_id, out[-1].start, out[-1].end) != (ev.doc_id, ev.start, ev.end):
            out.append(ev)
    return out


# --- write statements (pure: rows in, statement out) -----------------------------------


def _entities_stmts(etype: str, rows: list[dict[str, Any]], *, overwrite: bool) -> list[Statement]:
    """Create entities of one type; ``overwrite`` also updates existing ones.
    New nodes get both labels as they are created: adding a label to an
    existing node is slow on FalkorDB once a graph holds many nodes."""
    fields = ("e.type = row.type, e.name = row.name, e.name_norm = row.name_norm, e.kind = row.kind,"
              " e.country = row.country, e.attrs_json = row.attrs")
    stmts: list[Statement] = []
    if overwrite:
        stmts.append((f"UNWIND $rows AS row MATCH (e:Entity {{id: row.id}}) SET {fields}", {"rows": rows}))
    stmts.append((
        "UNWIND $rows AS row OPTIONAL MATCH (old:Entity {id: row.id}) WITH row, old WHERE old IS NULL"
        f" CREATE (e:Entity:{_label(etype)} {{id: row.id}}) SET {fields}",
        {"rows": rows},
    ))
    return stmts


def _aliases_stmt(rows: list[dict[str, Any]]) -> Statement:
    return (
        "UNWIND $rows AS row MERGE (a:Alias {key: row.key}) ON CREATE SET a.entity_id = row.entity_id,"
        " a.alias = row.alias, a.norm = row.norm, a.doc_id = row.doc_id, a.origin_id = row.origin_id",
        {"rows": rows},
    )


def _merge_records_stmt(doc_id: str, decisions: list[MergeDecision]) -> Statement:
    rows: dict[str, dict[str, Any]] = {}
    for d in decisions:  # the first decision for an entity, as SQLite's INSERT OR IGNORE keeps it
        key = f"{d.into.id}\x1f{doc_id}"
        rows.setdefault(key, {"key": key, "entity_id": d.into.id, "doc_id": doc_id, "form": d.form,
                              "reason": d.reason, "score": d.score})
    return (
        "UNWIND $rows AS row MERGE (r:MergeRecord {key: row.key}) ON CREATE SET r.entity_id = row.entity_id,"
        " r.doc_id = row.doc_id, r.form = row.form, r.reason = row.reason, r.score = row.score",
        {"rows": list(rows.values())},
    )


def _mentions_stmt(rows: list[dict[str, Any]]) -> Statement:
    return (
        "UNWIND $rows AS row MERGE (m:Mention {key: row.key}) ON CREATE SET m.entity_id = row.entity_id,"
        " m.doc_id = row.doc_id, m.start = row.start, m.end = row.end, m.text = row.text,"
        " m.origin_id = row.origin_id",
        {"rows": rows},
    )


RELATION_COLUMNS = ("id", "source", "target", "confidence", "date", "attrs", "ev", "ev_docs", "ev_dates")


def _table(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> Rows:
    """Rows as lists in ``columns`` order. A list of lists is a much shorter
    parameter than a list of maps (no repeated keys): quicker for the client
    to encode and for the server to parse. Cells are scalars or lists of
    strings, as ``Rows`` promises."""
    return Rows([row[c] for c in columns] for row in rows)


def _relation_row(rel_id: str, source: str, target: str, attrs: str, ev: EdgeEvidence) -> dict[str, Any]:
    confidence, date, docs, dates = ev.derived()
    return {"id": rel_id, "source": source, "target": target, "confidence": confidence, "date": date,
            "attrs": attrs, "ev": ev.records, "ev_docs": docs, "ev_dates": dates}


def _add_relations_stmt(rtype: str, rows: list[dict[str, Any]], *, known_new: bool = False) -> Statement:
    """Create relations of one type with their evidence, or add the evidence
    records a relation lacks to one that exists (a set union, so adding
    again changes nothing) and fold in their strength and date (rows carry
    the max confidence and latest date of the records they bring). One index
    look-up per row, and the endpoints' only for new relations; a symmetric
    relation keeps the direction it was first seen in.

    ``known_new``: the caller vouches that none of these relations exists
    (a sync into a graph that held no relation when it began, the only
    writer): the look-up is skipped, a quarter of the server's work."""
    create = (f" MATCH (a:Entity {{id: row[1]}}), (b:Entity {{id: row[2]}})"
              f" CREATE (a)-[r:{_rtype(rtype)} {{id: row[0], confidence: row[3], date: row[4], attrs_json: row[5],"
              " ev: row[6], ev_docs: row[7], ev_dates: row[8]}]->(b)")
    params = {"rows": _table(rows, RELATION_COLUMNS)}
    if known_new:
        return f"UNWIND $rows AS row{create}", params
    return (
        f"UNWIND $rows AS row OPTIONAL MATCH ()-[old:{_rtype(rtype)} {{id: row[0]}}]->()"
        # FOREACH: FalkorDB drops a SET that is followed by a filter in the same query.
        " FOREACH (_ IN CASE WHEN old IS NULL THEN [] ELSE [1] END |"
        " SET old.confidence = CASE WHEN row[3] > old.confidence THEN row[3] ELSE old.confidence END,"
        " old.date = CASE WHEN row[4] IS NULL OR (old.date IS NOT NULL AND old.date >= row[4]) THEN old.date"
        " ELSE row[4] END,"
        " old.ev = old.ev + [x IN row[6] WHERE NOT x IN old.ev],"
        " old.ev_docs = old.ev_docs + [x IN row[7] WHERE NOT x IN old.ev_docs],"
        " old.ev_dates = old.ev_dates + [x IN row[8] WHERE NOT x IN old.ev_dates])"
        f" WITH row, old WHERE old IS NULL{create}",
        params,
    )


def _set_evidence_stmts(rtype: str, rows: list[dict[str, Any]], gone: Sequence[str]) -> list[Statement]:
    """Relations of one type after evidence left them: ``rows`` keep what is
    left (derived fields follow it), relations in ``gone`` have none left."""
    out: list[Statement] = []
    if gone:
        out.append((f"UNWIND $ids AS rid MATCH ()-[r:{_rtype(rtype)} {{id: rid}}]->() DELETE r",
                    {"ids": sorted(gone)}))
    if rows:
        out.append((f"UNWIND $rows AS row MATCH ()-[r:{_rtype(rtype)} {{id: row[0]}}]->()"
                    " SET r.confidence = row[1], r.date = row[2], r.ev = row[3], r.ev_docs = row[4],"
                    " r.ev_dates = row[5]",
                    {"rows": _table(rows, ("id", "confidence", "date", "ev", "ev_docs", "ev_dates"))}))
    return out


def _remaining(rel_id: str, records: Sequence[str], keep: Callable[[str], bool]) -> dict[str, Any] | None:
    """The evidence row of a relation keeping the records ``keep`` accepts;
    None when none is left."""
    ev = EdgeEvidence()
    for rec in records:
        if keep(rec):
            ev.add_record(rec)
    if not ev.records:
        return None
    confidence, date, docs, dates = ev.derived()
    return {"id": rel_id, "confidence": confidence, "date": date, "ev": ev.records, "ev_docs": docs,
            "ev_dates": dates}


class CypherStore:
    """``graph.store.Store`` on a Cypher server."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.ensure_indexes()

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> CypherStore:
        return cls(connect(url, **kwargs))

    def __repr__(self) -> str:
        return f"CypherStore({self.conn.url!r})"

    def ensure_indexes(self) -> None:
        d = self.conn.dialect
        stmts = [d.node_index.format(name=f"tradekg_{lbl.lower()}_{prop}", label=lbl, prop=prop)
                 for lbl, prop in NODE_INDEXES]
        stmts += [d.rel_index.format(name=f"tradekg_rel_{t.lower()}_{prop}", type=t, prop=prop)
                  for t in RELATION_TYPES for prop in REL_INDEXES]
        for stmt in stmts:
            try:
                self.conn.run(stmt)
            except StoreError as exc:
                if not any(marker in str(exc) for marker in d.index_exists):
                    raise

    def clear(self) -> None:
        """Remove everything (tests and benchmarks); indexes come back at once."""
        self.conn.clear()
        self.ensure_indexes()

    # --- reading helpers ---------------------------------------------------------------

    def _q(self, query: str, **params: Any) -> list[dict[str, Any]]:
        return self.conn.run(query, params)

    def _current_id(self, entity_id: str, *, extra: dict[str, str] | None = None,
                    removed: str | None = None) -> str:
        """Follow merges to the entity that now holds ``entity_id``. ``extra``
        and ``removed`` describe a merge about to be written or undone."""
        seen = set()
        while entity_id not in seen:
            seen.add(entity_id)
            if extra and entity_id in extra:
                entity_id = extra[entity_id]
                continue
            if entity_id == removed:
                return entity_id
            rows = self._q("MATCH (m:Merge {drop_id: $id}) RETURN m.keep_id AS keep", id=entity_id)
            if not rows:
                return entity_id
            entity_id = rows[0]["keep"]
        return entity_id

    def _merged_subtree(self, root: str, *, without: str | None = None) -> list[str]:
        """``root`` and every id merged into it, directly or through others."""
        found = [root]
        frontier = [root]
        while frontier:
            rows = self._q("MATCH (m:Merge) WHERE m.keep_id IN $ids RETURN m.drop_id AS drop", ids=frontier)
            frontier = [r["drop"] for r in rows if r["drop"] not in found and r["drop"] != without]
            found += frontier
        return found

    @staticmethod
    def _entity(row: dict[str, Any], aliases: list[str] | None = None) -> Entity:
        return Entity(
            id=row["id"], type=row["type"], name=row["name"], aliases=aliases or [],
            kind=row["kind"], country=row["country"], attrs=json.loads(row["attrs"] or "{}"),
        )

    def _aliases(self, ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {i: [] for i in ids}
        if not ids:
            return out
        rows = self._q("MATCH (a:Alias) WHERE a.entity_id IN $ids RETURN DISTINCT a.entity_id AS eid, a.alias AS alias",
                       ids=list(ids))
        for r in sorted(rows, key=lambda r: (r["eid"], r["alias"])):
            out[r["eid"]].append(r["alias"])
        return out

    def _entity_rows(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        if not ids:
            return []
        return self._q(f"MATCH (e:Entity) WHERE e.id IN $ids RETURN {_ENT}", ids=list(ids))

    def _entities_by_ids(self, ids: Sequence[str], with_aliases: bool = True) -> dict[str, Entity]:
        rows = self._entity_rows(ids)
        if not with_aliases:
            return {r["id"]: self._entity(r) for r in rows}
        aliases = self._aliases([r["id"] for r in rows])
        return {r["id"]: self._entity(r, aliases[r["id"]]) for r in rows}

    def _relation_evidence(self, rels: Sequence[Relation]) -> dict[str, list[Evidence]]:
        """The evidence of relations already read, through each type's id index."""
        ids_by_type: dict[str, set[str]] = defaultdict(set)
        for r in rels:
            ids_by_type[_rtype(r.type)].add(r.id)
        out: dict[str, list[Evidence]] = {r.id: [] for r in rels}
        for rtype, ids in sorted(ids_by_type.items()):
            for row in self._q(f"MATCH ()-[r:{rtype}]->() WHERE r.id IN $ids RETURN r.id AS id, r.ev AS ev",
                               ids=sorted(ids)):
                out[row["id"]] = _evidence_list(row["ev"])
        return out

    @staticmethod
    def _relations_from_rows(rows: Sequence[dict[str, Any]], with_evidence: bool) -> list[Relation]:
        """Relations from rows of ``_REL`` (``_REL_EV`` when ``with_evidence``)."""
        return [
            Relation(id=r["id"], type=r["type"], source=r["source"], target=r["target"],
                     confidence=r["confidence"], date=r["date"], attrs=json.loads(r["attrs"] or "{}"),
                     evidence=_evidence_list(r["ev"]) if with_evidence else [])
            for r in rows
        ]

    def _existing_relation_ids(self, ids_by_type: dict[str, set[str]]) -> set[str]:
        found: set[str] = set()
        for rtype, ids in ids_by_type.items():
            if ids:
                rows = self._q(f"MATCH ()-[r:{_rtype(rtype)}]->() WHERE r.id IN $ids RETURN r.id AS id",
                               ids=sorted(ids))
                found.update(r["id"] for r in rows)
        return found

    # --- documents --------------------------------------------------------------------

    def upsert_extraction(self, extraction: Extraction) -> UpsertResult:
        extraction = clean_extraction(extraction)  # graph.hygiene: what is not an entity never lands
        doc = extraction.document
        if self.has_document(doc.id):
            return UpsertResult(doc_id=doc.id, added=False)
        # Refuse bad input before anything is written.
        for e in extraction.entities:
            if e.type not in ENTITY_TYPES:
                raise StoreError(f"{doc.source}: unknown entity type {e.type!r}")
            if not e.mentions:
                raise StoreError(f"{doc.source}: entity {e.name!r} has no mention span (no provenance)")
        for rel in extraction.relations:
            if rel.type not in RELATION_TYPES:
                raise StoreError(f"{doc.source}: unknown relation type {rel.type!r}")
            if not rel.evidence:
                raise StoreError(f"{doc.source}: {rel.type} relation has no evidence span (no provenance)")

        result = UpsertResult(doc_id=doc.id, added=True)
        decisions: list[MergeDecision] = []
        mapping = resolve_entities(extraction.entities, doc.date, self._get_entity_row, self.find_by_forms,
                                   decisions, doc.id)
        existing = {r["id"]: r for r in self._q(
            f"MATCH (e:Entity) WHERE e.id IN $ids RETURN {_ENT}, e.name_norm AS name_norm",
            ids=sorted(set(mapping.values())))}

        # The entity rows as they will be, applying the document's entities in order.
        state: dict[str, dict[str, Any]] = {}
        renamed: list[dict[str, Any]] = []
        aliases: dict[str, dict[str, Any]] = {}
        mentions: dict[str, dict[str, Any]] = {}
        for e in extraction.entities:
            gid = mapping[e.id]
            row = state.get(gid) or existing.get(gid)
            if row is None:
                row = {"id": gid, "type": e.type, "name": e.name, "name_norm": normalise_name(e.name),
                       "kind": e.kind, "country": e.country, "attrs": json.dumps(e.attrs)}
                result.entities_added += 1
            else:
                # Existing facts win; a new report only fills gaps (``kept_country``).
                row = dict(row)
                row["country"], kept_attrs = kept_country(row["country"], json.loads(row["attrs"] or "{}"), e)
                row["attrs"] = json.dumps(kept_attrs)
                row["kind"] = row["kind"] if row["kind"] is not None else e.kind
                if fuller_name(e.name, row["name"], e.type, e.kind):
                    # The fullest form names it; the old name stays an alias of a report that used it.
                    origin = self._q("MATCH (m:Mention {entity_id: $id}) WHERE m.doc_id <> $doc"
                                     " RETURN m.doc_id AS doc ORDER BY doc LIMIT 1", id=gid, doc=doc.id)
                    old_doc = origin[0]["doc"] if origin else doc.id
                    key = alias_key(gid, row["name"], old_doc)
                    aliases[key] = {"key": key, "entity_id": gid, "alias": row["name"], "norm": row["name_norm"],
                                    "doc_id": old_doc, "origin_id": gid}
                    row["name"], row["name_norm"] = e.name, normalise_name(e.name)
                    renamed.append({"id": gid, "norm": row["name_norm"]})
            state[gid] = row
            for form in dict.fromkeys([e.name, *e.aliases]):
                if normalise_name(form) != row["name_norm"]:
                    key = alias_key(gid, form, doc.id)
                    aliases.setdefault(key, {"key": key, "entity_id": gid, "alias": form,
                                             "norm": normalise_name(form), "doc_id": doc.id, "origin_id": gid})
            for m in e.mentions:
                key = mention_key(doc.id, m.start, m.end, gid)
                if key not in mentions:
                    mentions[key] = {"key": key, "entity_id": gid, "doc_id": doc.id, "start": m.start,
                                     "end": m.end, "text": m.text, "origin_id": gid}
        result.evidence_added += len(mentions)
        # An organisation's kind is the one most reports give (graph.resolve.kind_by_evidence).
        kinds: dict[str, str] = {}
        for e in extraction.entities:
            if e.type == ORGANIZATION and e.kind:
                kinds.setdefault(mapping[e.id], e.kind)
        votes: dict[str, list[str]] = defaultdict(list)
        for r in self._q("MATCH (v:KindVote) WHERE v.entity_id IN $ids RETURN v.entity_id AS id, v.kind AS kind",
                         ids=sorted(kinds)) if kinds else []:
            votes[r["id"]].append(r["kind"])
        # An organisation stored without counted kinds (copied by a sync, or
        # older than the count) keeps its kind as one report's worth.
        seeded = [{"key": f"{gid}\x1f", "id": gid, "doc": "", "kind": existing[gid]["kind"]} for gid in kinds
                  if not votes[gid] and gid in existing and existing[gid]["kind"]]
        for row in seeded:
            votes[row["id"]].append(row["kind"])
        for gid, kind in kinds.items():
            state[gid]["kind"] = kind_by_evidence([*votes[gid], kind])

        rel_heads: dict[str, tuple[str, str, str, str]] = {}  # id -> type, source, target, attrs
        rel_evidence: dict[str, EdgeEvidence] = defaultdict(EdgeEvidence)
        touched: dict[str, set[str]] = defaultdict(set)
        for rel in extraction.relations:
            s, t = endpoints(rel.type, mapping[rel.source], mapping[rel.target])
            if s == t:
                continue  # two local mentions resolved to one entity: no fact between them
            rid = relation_id(rel.type, s, t)
            rel_heads.setdefault(rid, (rel.type, s, t, json.dumps(map_entity_refs(rel.attrs, mapping))))
            touched[rel.type].add(rid)
            for span in rel.evidence:
                ev = Evidence(doc_id=doc.id, start=span.start, end=span.end, text=span.text,
                              date=rel.date or doc.date, confidence=rel.confidence,
                              extractor=extraction.extractor)
                if rel_evidence[rid].add(ev, s, t):
                    result.evidence_added += 1
        known = self._existing_relation_ids(touched)
        result.relations_added = sum(1 for rid in rel_heads if rid not in known)

        stmts: list[Statement] = []
        if renamed:  # a renamed entity's old alias of its new name goes
            stmts.append(("UNWIND $rows AS row MATCH (a:Alias {entity_id: row.id}) WHERE a.norm = row.norm DELETE a",
                          {"rows": renamed}))
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in state.values():
            by_type[row["type"]].append(row)
        for t, rows in sorted(by_type.items()):
            stmts += _entities_stmts(t, rows, overwrite=True)
        if aliases:
            stmts.append(_aliases_stmt(list(aliases.values())))
        if mentions:
            stmts.append(_mentions_stmt(list(mentions.values())))
        if decisions:
            stmts.append(_merge_records_stmt(doc.id, decisions))
        if kinds:
            stmts.append(("UNWIND $rows AS row MERGE (v:KindVote {key: row.key})"
                          " ON CREATE SET v.entity_id = row.id, v.doc_id = row.doc, v.kind = row.kind",
                          {"rows": [*seeded, *({"key": f"{gid}\x1f{doc.id}", "id": gid, "doc": doc.id, "kind": kind}
                                               for gid, kind in kinds.items())]}))
        rels_by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for rid, (rtype, s, t, attrs) in rel_heads.items():
            rels_by_type[rtype].append(_relation_row(rid, s, t, attrs, rel_evidence[rid]))
        stmts += [_add_relations_stmt(t, rows) for t, rows in sorted(rels_by_type.items())]
        # The document goes in last, in the same batch: the marker that this
        # report is complete.
        stmts.append(self._document_stmt([doc], extractor=extraction.extractor or doc.extractor))
        self.conn.write(stmts)
        # A report may state a rejected fact again: corrections win. A
        # separate write (the batch above cannot read); idempotent, and run
        # again by the next ingest or re-extraction should this one be lost.
        reapply_corrections(self, set(mapping.values()))
        return result

    @staticmethod
    def _document_stmt(docs: Sequence[Document], *, extractor: str | None = None) -> Statement:
        now, seq = _now(), time.time_ns()
        rows = [{"id": d.id, "source": d.source, "title": d.title, "date": d.date, "text": d.text,
                 "extractor": extractor if extractor is not None else d.extractor,
                 "ingested_at": d.ingested_at or now, "seq": seq + i} for i, d in enumerate(docs)]
        return (
            "UNWIND $rows AS row MERGE (d:Document {id: row.id}) ON CREATE SET d.source = row.source,"
            " d.title = row.title, d.date = row.date, d.text = row.text, d.extractor = row.extractor,"
            " d.ingested_at = row.ingested_at, d.seq = row.seq",
            {"rows": rows},
        )

    def _get_entity_row(self, entity_id: str) -> Entity | None:
        rows = self._entity_rows([self._current_id(entity_id)])
        if not rows:
            return None
        return self._entity(rows[0], self._aliases([rows[0]["id"]])[rows[0]["id"]])

    def has_document(self, doc_id: str) -> bool:
        return bool(self._q("MATCH (d:Document {id: $id}) RETURN d.id AS id", id=doc_id))

    def get_document(self, doc_id: str) -> Document | None:
        rows = self._q(f"MATCH (d:Document {{id: $id}}) RETURN {_DOC}, d.text AS text", id=doc_id)
        return Document(**rows[0]) if rows else None

    def list_documents(self, *, limit: int = 100, offset: int = 0) -> list[Document]:
        rows = self._q(f"MATCH (d:Document) RETURN {_DOC} ORDER BY d.ingested_at DESC, d.seq DESC"
                       " SKIP $offset LIMIT $limit", offset=int(offset), limit=int(limit))
        return [Document(text="", **r) for r in rows]

    def delete_document(self, doc_id: str) -> bool:
        if not self.has_document(doc_id):
            return False
        ents = [r["id"] for r in self._q(
            "MATCH (m:Mention {doc_id: $doc}) RETURN DISTINCT m.entity_id AS id", doc=doc_id)]
        # The document's relations, through each type's index of evidence documents.
        found = self._q(" UNION ALL ".join(
            f"MATCH ()-[r:{t}]->() WHERE $doc IN r.ev_docs RETURN r.id AS id, type(r) AS type, r.ev AS ev"
            for t in sorted(RELATION_TYPES)), doc=doc_id)
        left: dict[str, list[dict[str, Any]]] = defaultdict(list)
        gone: dict[str, list[str]] = defaultdict(list)
        for r in found:
            row = _remaining(r["id"], r["ev"], lambda rec: json.loads(rec)[0] != doc_id)
            if row is None:
                gone[r["type"]].append(r["id"])
            else:
                left[r["type"]].append(row)
        # An entity nobody else mentions goes, with whatever still hangs on it.
        still = {r["id"] for r in self._q(
            "MATCH (m:Mention) WHERE m.entity_id IN $ids AND m.doc_id <> $doc RETURN DISTINCT m.entity_id AS id",
            ids=ents, doc=doc_id)}
        orphans = [r["id"] for r in self._entity_rows([i for i in ents if i not in still])]
        voted = [r["id"] for r in self._q("MATCH (v:KindVote {doc_id: $doc}) RETURN v.entity_id AS id", doc=doc_id)]
        votes: dict[str, list[str]] = defaultdict(list)
        for r in self._q("MATCH (v:KindVote) WHERE v.entity_id IN $ids AND v.doc_id <> $doc"
                         " RETURN v.entity_id AS id, v.kind AS kind", ids=voted, doc=doc_id) if voted else []:
            votes[r["id"]].append(r["kind"])
        recounted = [{"id": eid, "kind": kind_by_evidence(ks)} for eid, ks in sorted(votes.items())]
        stmts: list[Statement] = [
            ("MATCH (v:KindVote {doc_id: $doc}) DELETE v", {"doc": doc_id}),
            ("UNWIND $rows AS row MATCH (e:Entity {id: row.id}) SET e.kind = row.kind", {"rows": recounted}),
            ("MATCH (m:Mention {doc_id: $doc}) DELETE m", {"doc": doc_id}),
            ("MATCH (a:Alias {doc_id: $doc}) DELETE a", {"doc": doc_id}),
            ("MATCH (r:MergeRecord {doc_id: $doc}) DELETE r", {"doc": doc_id}),
            *(stmt for t in sorted(set(left) | set(gone)) for stmt in _set_evidence_stmts(t, left[t], gone[t])),
            ("MATCH (a:Alias) WHERE a.entity_id IN $ids DELETE a", {"ids": orphans}),
            ("MATCH (e:Entity) WHERE e.id IN $ids DETACH DELETE e", {"ids": orphans}),
            ("MATCH (d:Document {id: $doc}) DELETE d", {"doc": doc_id}),
        ]
        self.conn.write(stmts)
        if voted:
            reapply_corrections(self, set(voted))  # a kind a person set stays theirs
        return True

    # --- entities ---------------------------------------------------------------------

    def merge_records(self, entity_id: str) -> list[MergeRecord]:
        ids = self._merged_subtree(self._current_id(entity_id))
        rows = self._q("MATCH (r:MergeRecord) WHERE r.entity_id IN $ids RETURN r.entity_id AS entity_id,"
                       " r.doc_id AS doc_id, r.form AS form, r.reason AS reason, r.score AS score", ids=ids)
        return sorted((MergeRecord(r["entity_id"], r["doc_id"], r["form"], r["reason"], float(r["score"]))
                       for r in rows), key=lambda m: (m.doc_id, m.entity_id))

    def get_entity(self, entity_id: str) -> Entity | None:
        ent = self._get_entity_row(entity_id)
        if ent is None:
            return None
        rows = self._q("MATCH (m:Mention {entity_id: $id}) RETURN DISTINCT m.doc_id AS doc_id, m.start AS start,"
                       " m.end AS end, m.text AS text", id=ent.id)
        rows.sort(key=lambda r: (r["doc_id"], r["start"], r["end"], r["text"]))
        ent.evidence = [Evidence(doc_id=r["doc_id"], start=r["start"], end=r["end"], text=r["text"]) for r in rows]
        return ent

    def get_entities(self, entity_ids: Iterable[str], *, with_aliases: bool = True) -> dict[str, Entity]:
        return self._entities_by_ids(list(dict.fromkeys(entity_ids)), with_aliases)

    def entity_types(self, entity_ids: Iterable[str]) -> dict[str, str]:
        rows = self._q("MATCH (e:Entity) WHERE e.id IN $ids RETURN e.id AS id, e.type AS type",
                       ids=list(dict.fromkeys(entity_ids)))
        return {r["id"]: r["type"] for r in rows}

    def search_entities(
        self,
        q: str | None = None,
        *,
        type: str | None = None,
        kind: str | None = None,
        country: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Entity]:
        filters = {"type": type, "kind": kind, "country": country}
        params: dict[str, Any] = {k: v for k, v in filters.items() if v is not None}
        cond = " AND ".join(f"e.{col} = ${col}" for col in params) or "true"
        qn = normalise_name(q or "")
        if not qn:
            rows = self.conn.run(f"MATCH (e:Entity) WHERE {cond} RETURN {_ENT} ORDER BY e.name, e.id"
                                 " SKIP $offset LIMIT $limit", {**params, "offset": int(offset), "limit": int(limit)})
        else:
            # Exact name/alias matches first, then prefixes, then substrings.
            hits = self.conn.run(
                f"MATCH (e:Entity) WHERE e.name_norm CONTAINS $q AND {cond} RETURN e.id AS id, e.name_norm AS form"
                " UNION ALL"
                f" MATCH (a:Alias) WHERE a.norm CONTAINS $q MATCH (e:Entity {{id: a.entity_id}}) WHERE {cond}"
                " RETURN e.id AS id, a.norm AS form",
                {**params, "q": qn},
            )
            rank: dict[str, int] = {}
            for h in hits:
                r = 0 if h["form"] == qn else 1 if h["form"].startswith(qn) else 2
                rank[h["id"]] = min(r, rank.get(h["id"], 3))
            found = {r["id"]: r for r in self._entity_rows(sorted(rank))}
            ordered = sorted(found.values(), key=lambda r: (rank[r["id"]], len(r["name"]), r["name"], r["id"]))
            rows = ordered[int(offset):int(offset) + int(limit)]
        aliases = self._aliases([r["id"] for r in rows])
        return [self._entity(r, aliases[r["id"]]) for r in rows]

    def find_by_forms(self, type: str, forms: Sequence[str]) -> list[Entity]:
        if not forms:
            return []
        # The alias branch names the entity id as a plain variable
        # (``WITH DISTINCT``): matched on ``a.entity_id`` directly, FalkorDB
        # hash-joins against a scan of every Entity instead of using its id index.
        rows = self._q(
            "MATCH (e:Entity) WHERE e.type = $type AND e.name_norm IN $forms RETURN e.id AS id"
            " UNION MATCH (a:Alias) WHERE a.norm IN $forms WITH DISTINCT a.entity_id AS id"
            " MATCH (e:Entity {id: id}) WHERE e.type = $type RETURN e.id AS id",
            type=type, forms=list(forms),
        )
        found = self._entities_by_ids(sorted({r["id"] for r in rows}))
        return [found[k] for k in sorted(found)]

    def degrees(self, entity_ids: Iterable[str]) -> dict[str, int]:
        ids = list(dict.fromkeys(entity_ids))
        counts = {r["id"]: r["n"] for r in self._q(
            "MATCH (e:Entity)-[r]-(o:Entity) WHERE e.id IN $ids AND o <> e RETURN e.id AS id, count(r) AS n",
            ids=ids)}
        return {i: counts.get(i, 0) for i in ids}

    def linked_entities(
        self,
        entity_ids: Iterable[str],
        *,
        types: Sequence[str],
        direction: str = "both",
        entity_type: str | None = None,
        kinds: Sequence[str] | None = None,
        country: str | None = None,
        until: str | None = None,
    ) -> dict[str, set[str]]:
        rel = _typed_edge(types)
        if rel is None:
            return {}
        pattern = {"out": f"(x:Entity)-[{rel}]->(e:Entity)", "in": f"(x:Entity)<-[{rel}]-(e:Entity)",
                   "both": f"(x:Entity)-[{rel}]-(e:Entity)"}[check_direction(direction)]
        params: dict[str, Any] = {"ids": list(dict.fromkeys(entity_ids))}
        conds = ["x.id IN $ids", "e.id <> x.id"]
        if entity_type is not None:
            conds.append("e.type = $etype")
            params["etype"] = entity_type
        if kinds:
            conds.append("e.kind IN $kinds")
            params["kinds"] = list(kinds)
        if country is not None:
            conds.append("(e.country = $country OR e.country IS NULL)")
            params["country"] = country
        if until is not None:
            conds.append("any(d IN r.ev_dates WHERE d <= $until)")
            params["until"] = until + "\uffff"
        query = f"MATCH {pattern} WHERE {' AND '.join(conds)}"
        out: dict[str, set[str]] = {}
        for row in self.conn.run(query + " RETURN DISTINCT e.id AS linked, x.id AS seed", params):
            out.setdefault(row["linked"], set()).add(row["seed"])
        return out

    def sector_members(
        self,
        sector_ids: Iterable[str],
        *,
        entity_type: str | None = None,
        kinds: Sequence[str] | None = None,
        country: str | None = None,
    ) -> dict[str, SectorMember]:
        # Nothing precomputed here: the members, then their rows and degrees.
        linked = self.linked_entities(sector_ids, types=[IN_SECTOR], direction="in", entity_type=entity_type,
                                      kinds=kinds, country=country)
        ents = self.get_entities(linked, with_aliases=False)
        deg = self.degrees(ents)
        return {i: SectorMember(e, linked[i], deg[i]) for i, e in ents.items()}

    # --- relations --------------------------------------------------------------------

    def relations(
        self,
        *,
        types: Sequence[str] | None = None,
        entity_ids: Iterable[str] | None = None,
        direction: str = "both",
        since: str | None = None,
        until: str | None = None,
        with_evidence: bool = True,
        limit: int | None = None,
    ) -> list[Relation]:
        check_direction(direction)
        params: dict[str, Any] = {}
        # Types in the pattern, so only those edges are walked (a country's
        # VISITED edges are many); whitelisted, so safe to interpolate.
        rel = "r" if types is None else _typed_edge(types)
        if rel is None:
            return []
        if entity_ids is None:
            match = f"MATCH ()-[{rel}]->()"
        else:
            params["ids"] = list(dict.fromkeys(entity_ids))
            match = {
                "out": f"MATCH (x:Entity)-[{rel}]->() WHERE x.id IN $ids",
                "in": f"MATCH ()-[{rel}]->(x:Entity) WHERE x.id IN $ids",
                "both": f"MATCH (x:Entity)-[{rel}]-() WHERE x.id IN $ids",
            }[direction]
        conds = ["startNode(r) <> endNode(r)"]
        if since is not None or until is not None:
            # Dates are ISO strings; "9999" sorts after any of them.
            params["since"] = since or ""
            params["until"] = (until + "\uffff") if until else "9999"
            conds.append("any(d IN r.ev_dates WHERE d >= $since AND d <= $until)")
        query = f"{match} WITH DISTINCT r WHERE {' AND '.join(conds)}"
        query += f" RETURN {_REL_EV if with_evidence else _REL} ORDER BY coalesce(r.date, '') DESC, r.id"
        if limit is not None:
            query += " LIMIT $limit"
            params["limit"] = int(limit)
        return self._relations_from_rows(self.conn.run(query, params), with_evidence)

    def relation_evidence(self, relations: Sequence[Relation]) -> dict[str, list[Evidence]]:
        return self._relation_evidence(relations)

    def evidence_spans(self, entity_id: str, relations: Sequence[Relation]) -> dict[str, list[Evidence]]:
        # The evidence lives on the edge: read it, keep document, span and date.
        return {rid: [Evidence(doc_id=ev.doc_id, start=ev.start, end=ev.end, text="", date=ev.date) for ev in evs]
                for rid, evs in self._relation_evidence(relations).items()}

    def meeting_evidence(self, entity_id: str, paths: Sequence[MeetingPath]) -> dict[str, list[Evidence]]:
        # The evidence lives on the edge: nothing copied to keep.
        return self._relation_evidence(list({p.relation.id: p.relation for p in paths}.values()))

    def evidence_counts(self, relations: Sequence[Relation]) -> dict[str, int]:
        evidence = self._relation_evidence(relations)
        return {r.id: len({(ev.doc_id, ev.start, ev.end) for ev in evidence.get(r.id, [])}) for r in relations}

    def meeting_paths(
        self,
        entity_id: str,
        *,
        counterparts: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> list[MeetingPath]:
        # A graph server walks the paths where they are: nothing precomputed
        # to keep, so every write path keeps this right by construction.
        meet = "r:" + "|".join(MEETING_RELATIONS)  # ontology names only
        send = "s:" + "|".join(_SENDERS)
        rows = self._q(
            f"MATCH (e:Entity {{id: $id}})-[{meet}]-(c:Entity) WHERE c <> e"
            f" RETURN c.id AS counterpart, null AS via, {_REL}"
            f" UNION ALL MATCH (e:Entity {{id: $id}})-[{send}]->(m:Entity)-[{meet}]-(c:Entity)"
            f" WHERE m.type = $mission AND m <> e AND c <> e AND c <> m"
            f" RETURN DISTINCT c.id AS counterpart, m.id AS via, {_REL}"
            f" UNION ALL MATCH (e:Entity {{id: $id}})-[{meet}]-(m:Entity)<-[{send}]-(c:Entity)"
            f" WHERE m.type = $mission AND m <> e AND c <> e AND c <> m"
            f" RETURN DISTINCT c.id AS counterpart, m.id AS via, {_REL}",
            id=entity_id, mission=MISSION,
        )
        wanted = None if counterparts is None else set(counterparts)
        paths: dict[tuple[str, str, str], MeetingPath] = {}
        for row, [rel] in zip(rows, (self._relations_from_rows([r], False) for r in rows), strict=True):
            if wanted is not None and row["counterpart"] not in wanted:
                continue
            paths.setdefault((row["counterpart"], rel.id, row["via"] or ""),
                             MeetingPath(counterpart=row["counterpart"], relation=rel, via=row["via"]))
        # The embedded store's order: newest first, undated last, then by
        # counterpart, relation and delegation, all descending.
        ordered = sorted(paths.values(), key=lambda p: (p.counterpart, p.relation.id, p.via or ""), reverse=True)
        ordered.sort(key=lambda p: p.relation.date or "", reverse=True)
        ordered.sort(key=lambda p: p.relation.date is None)
        return ordered if limit is None else ordered[:int(limit)]

    def meeting_totals(self, entity_ids: Iterable[str]) -> dict[str, int]:
        return {i: len({p.counterpart for p in self.meeting_paths(i)}) for i in dict.fromkeys(entity_ids)}

    def neighbourhood(
        self,
        entity_ids: Iterable[str],
        *,
        hops: int = 1,
        types: Sequence[str] | None = None,
        max_relations: int = 5000,
    ) -> Subgraph:
        seeds = [self._current_id(i) for i in entity_ids]
        seen, ordered = walk_relations(self, seeds, hops=hops, types=types, max_relations=max_relations)
        evidence = self._relation_evidence(ordered)
        for r in ordered:
            r.evidence = evidence[r.id]
        return Subgraph(entities=self._entities_by_ids(sorted(seen)), relations=ordered)

    # --- curation ---------------------------------------------------------------------

    def merge_entities(self, keep_id: str, drop_id: str) -> Entity:
        keep, drop = self._current_id(keep_id), self._current_id(drop_id)
        rows = {r["id"]: r for r in self._entity_rows([keep, drop])}
        for ref, eid in ((keep_id, keep), (drop_id, drop)):
            if eid not in rows:
                raise UnknownEntity(ref)
        if keep == drop:
            raise StoreError(f"{keep_id!r} and {drop_id!r} are already one entity")
        if rows[keep]["type"] != rows[drop]["type"]:
            raise StoreError(
                f"cannot merge a {rows[drop]['type']} into a {rows[keep]['type']}: {drop_id!r} into {keep_id!r}"
            )
        dropped = rows[drop]
        snapshot = {k: dropped[k] for k in ("type", "name", "kind", "country", "attrs")}
        origins = self._merged_subtree(drop)
        new_current: Callable[[str], str] = lambda i: self._current_id(i, extra={drop: keep})  # noqa: E731
        stmts: list[Statement] = [
            ("CREATE (m:Merge {drop_id: $drop, keep_id: $keep, snapshot: $snap, merged_at: $at})",
             {"drop": drop, "keep": keep, "snap": json.dumps(snapshot), "at": _now()}),
            # The dropped name stays findable as an alias of the survivor.
            _aliases_stmt([{"key": alias_key(keep, dropped["name"], ""), "entity_id": keep, "alias": dropped["name"],
                            "norm": normalise_name(dropped["name"]), "doc_id": "", "origin_id": drop}]),
            ("MATCH (e:Entity {id: $keep}) SET e.kind = coalesce(e.kind, $kind), e.country = coalesce(e.country, $c)",
             {"keep": keep, "kind": dropped["kind"], "c": dropped["country"]}),
            *self._rehome(origins, holder_before=drop, current=new_current),
            ("MATCH (e:Entity {id: $drop}) DETACH DELETE e", {"drop": drop}),
        ]
        self.conn.write(stmts)
        merged = self.get_entity(keep)
        assert merged is not None
        return merged

    def unmerge_entity(self, drop_id: str) -> Entity:
        rows = self._q("MATCH (m:Merge {drop_id: $id}) RETURN m.keep_id AS keep, m.snapshot AS snapshot", id=drop_id)
        if not rows:
            raise StoreError(f"{drop_id!r} was not merged into another entity")
        snap = json.loads(rows[0]["snapshot"])
        holder_before = self._current_id(drop_id)
        origins = self._merged_subtree(drop_id)
        new_current: Callable[[str], str] = lambda i: self._current_id(i, removed=drop_id)  # noqa: E731
        restored_row = {"id": drop_id, "type": snap["type"], "name": snap["name"],
                        "name_norm": normalise_name(snap["name"]), "kind": snap["kind"],
                        "country": snap["country"], "attrs": snap["attrs"]}
        stmts: list[Statement] = [
            ("MATCH (m:Merge {drop_id: $id}) DELETE m", {"id": drop_id}),
            *_entities_stmts(snap["type"], [restored_row], overwrite=True),
            *self._rehome(origins, holder_before=holder_before, current=new_current),
            ("MATCH (a:Alias {entity_id: $id, norm: $norm}) DELETE a",
             {"id": drop_id, "norm": normalise_name(snap["name"])}),
        ]
        self.conn.write(stmts)
        restored = self.get_entity(drop_id)
        assert restored is not None
        return restored

    def _rehome(self, origins: Sequence[str], *, holder_before: str,
                current: Callable[[str], str]) -> list[Statement]:
        """Statements moving every mention, alias and relation evidence whose
        origin is one of ``origins`` (all held by ``holder_before`` now) to
        the entity that origin resolves to once the merge change is written."""
        holders = {o: current(o) for o in origins}
        stmts: list[Statement] = []
        for origin, holder in holders.items():
            stmts.append(("MATCH (m:Mention {origin_id: $o}) SET m.entity_id = $h", {"o": origin, "h": holder}))
        alias_rows = self._q(
            "MATCH (a:Alias) WHERE a.origin_id IN $o RETURN a.key AS key, a.alias AS alias, a.norm AS norm,"
            " a.doc_id AS doc_id, a.origin_id AS origin_id", o=list(origins))
        if alias_rows:
            moved_aliases = [{**a, "entity_id": holders[a["origin_id"]],
                              "key": alias_key(holders[a["origin_id"]], a["alias"], a["doc_id"])}
                             for a in alias_rows]
            stmts.append(("MATCH (a:Alias) WHERE a.key IN $keys DELETE a", {"keys": [a["key"] for a in alias_rows]}))
            stmts.append(_aliases_stmt(moved_aliases))

        # Relation evidence of these origins sits on relations touching the holder.
        rels = self._q(f"MATCH (e:Entity {{id: $h}})-[r]-() RETURN DISTINCT {_REL_EV}", h=holder_before)
        origin_set = set(origins)
        left: dict[str, list[dict[str, Any]]] = defaultdict(list)
        gone: dict[str, list[str]] = defaultdict(list)
        heads: dict[str, tuple[str, str, str, str]] = {}  # new id -> type, source, target, attrs
        moved: dict[str, EdgeEvidence] = defaultdict(EdgeEvidence)
        for r in rels:
            rtype = r["type"]
            staying: set[str] = set()
            for rec in r["ev"]:
                ev, os_, ot = _parse_record(rec)
                if os_ not in origin_set and ot not in origin_set:
                    staying.add(rec)
                    continue
                s, t = current(os_), current(ot)
                new_id = relation_id(rtype, s, t)
                if new_id == r["id"]:
                    staying.add(rec)
                    continue
                heads.setdefault(new_id, (rtype, s, t, r["attrs"]))
                moved[new_id].add(ev, os_, ot)
            if len(staying) == len(r["ev"]):
                continue
            row = _remaining(r["id"], r["ev"], staying.__contains__)
            if row is None:
                gone[rtype].append(r["id"])
            else:
                left[rtype].append(row)
        # What leaves a relation first, then what arrives (possibly on one of them).
        stmts += [st for t in sorted(set(left) | set(gone)) for st in _set_evidence_stmts(t, left[t], gone[t])]
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for new_id, (rtype, s, t, attrs) in heads.items():
            by_type[rtype].append(_relation_row(new_id, s, t, attrs, moved[new_id]))
        stmts += [_add_relations_stmt(t, rows) for t, rows in sorted(by_type.items())]
        return stmts

    # --- bulk and whole-graph ---------------------------------------------------------

    def stats(self) -> Stats:
        def one(query: str) -> int:
            return int(self._q(query)[0]["n"])

        def grouped(query: str) -> dict[str, int]:
            return {r["k"]: int(r["n"]) for r in sorted(self._q(query), key=lambda r: r["k"])}

        return Stats(
            documents=one("MATCH (d:Document) RETURN count(d) AS n"),
            entities=one("MATCH (e:Entity) RETURN count(e) AS n"),
            relations=one("MATCH (a)-[r]->(b) WHERE a <> b RETURN count(r) AS n"),
            evidence=one("MATCH (m:Mention) RETURN count(m) AS n")
            + one("MATCH ()-[r]->() RETURN coalesce(sum(size(r.ev)), 0) AS n"),
            entities_by_type=grouped("MATCH (e:Entity) RETURN e.type AS k, count(e) AS n"),
            relations_by_type=grouped(
                "MATCH (a)-[r]->(b) WHERE a <> b RETURN type(r) AS k, count(r) AS n"),
            organizations_by_kind=grouped(
                "MATCH (e:Entity) WHERE e.type = 'Organization' RETURN coalesce(e.kind, 'unknown') AS k, count(e) AS n"),
        )

    def _keyset_pages(self, query: str, batch_size: int) -> Iterator[list[dict[str, Any]]]:
        """All rows of ``query``, a page at a time: it takes ``$last`` and
        ``$n`` and returns rows ordered by their ``id``."""
        last = ""
        while rows := self._q(query, last=last, n=int(batch_size)):
            yield rows
            last = rows[-1]["id"]

    def _window_pages(self, query: str, batch_size: int) -> Iterator[list[dict[str, Any]]]:
        """All rows of ``query``, about ``batch_size`` at a time: it returns
        the rows of the nodes whose internal id is in ``[$lo, $hi)``, for
        servers that seek those directly (``Dialect.node_id_windows``).
        Rows written during the walk may be missed, as with any paging."""
        top = self._q("MATCH (n) RETURN max(id(n)) AS top")[0]["top"]
        lo, width, pending = 0, max(1, batch_size), []
        while top is not None and lo <= top:
            rows = self._q(query, lo=lo, hi=lo + width)
            lo += width
            # Aim at ~batch_size rows a query: other labels, and nodes
            # without edges, leave gaps in the ids.
            if len(rows) < batch_size // 2:
                width = min(width * 2, 1 << 20)
            elif len(rows) > batch_size * 2:
                width = max(1, width // 2)
            pending += rows
            while len(pending) >= batch_size:
                yield pending[:batch_size]
                pending = pending[batch_size:]
        if pending:
            yield pending

    def iter_entities(self, *, batch_size: int = 1000, with_evidence: bool = False) -> Iterator[list[Entity]]:
        pages = (self._window_pages(f"MATCH (e:Entity) WHERE id(e) >= $lo AND id(e) < $hi RETURN {_ENT}",
                                    batch_size)
                 if self.conn.dialect.node_id_windows else
                 self._keyset_pages(f"MATCH (e:Entity) WHERE e.id > $last RETURN {_ENT} ORDER BY e.id LIMIT $n",
                                    batch_size))
        for rows in pages:
            ids = [r["id"] for r in rows]
            aliases = self._aliases(ids)
            batch = [self._entity(r, aliases[r["id"]]) for r in rows]
            if with_evidence:
                evs: dict[str, list[Evidence]] = {i: [] for i in ids}
                ev_rows = self._q(
                    "MATCH (m:Mention) WHERE m.entity_id IN $ids RETURN DISTINCT m.entity_id AS eid,"
                    " m.doc_id AS doc_id, m.start AS start, m.end AS end, m.text AS text", ids=ids)
                for r in sorted(ev_rows, key=lambda r: (r["eid"], r["doc_id"], r["start"], r["end"])):
                    evs[r["eid"]].append(Evidence(doc_id=r["doc_id"], start=r["start"], end=r["end"], text=r["text"]))
                for e in batch:
                    e.evidence = evs[e.id]
            yield batch

    def iter_relations(self, *, batch_size: int = 1000, with_evidence: bool = True) -> Iterator[list[Relation]]:
        cols = _REL_EV if with_evidence else _REL
        if self.conn.dialect.node_id_windows:
            # The relations of each window of source nodes, all types at once.
            pages = self._window_pages("MATCH (a:Entity) WHERE id(a) >= $lo AND id(a) < $hi"
                                       f" MATCH (a)-[r]->(b) WHERE a <> b RETURN {cols}", batch_size)
        else:
            # Type by type, so each page is a range scan of that type's id index.
            pages = (rows for rtype in sorted(RELATION_TYPES) for rows in self._keyset_pages(
                f"MATCH (a)-[r:{rtype}]->(b) WHERE r.id > $last AND a <> b RETURN {cols} ORDER BY r.id LIMIT $n",
                batch_size))
        for rows in pages:
            yield self._relations_from_rows(rows, with_evidence)

    def iter_documents(self, *, batch_size: int = 100) -> Iterator[list[Document]]:
        last = ""
        while True:
            rows = self._q(f"MATCH (d:Document) WHERE d.id > $last RETURN {_DOC}, d.text AS text ORDER BY d.id"
                           " LIMIT $n", last=last, n=int(batch_size))
            if not rows:
                return
            yield [Document(**r) for r in rows]
            last = rows[-1]["id"]

    def write_graph(
        self,
        documents: Sequence[Document],
        entities: Sequence[Entity],
        relations: Sequence[Relation],
    ) -> None:
        self.write_prepared(self.prepare_graph(documents, entities, relations))

    def holds_relations(self) -> bool:
        return bool(self._q("MATCH ()-[r]->() RETURN 1 AS one LIMIT 1"))

    @property
    def writes_in_flight(self) -> int:
        return self.conn.dialect.writes_in_flight

    def prepare_graph(
        self,
        documents: Sequence[Document],
        entities: Sequence[Entity],
        relations: Sequence[Relation],
        *,
        relations_known_new: bool = False,
    ) -> Any:
        """``write_graph`` without the sending: pure client work (no reads),
        so a bulk loader can prepare the next batch while the server writes
        this one (``write_prepared``). ``relations_known_new``: see
        ``_add_relations_stmt``."""
        return self.conn.encode(self.write_graph_statements(documents, entities, relations,
                                                            relations_known_new=relations_known_new))

    def write_prepared(self, prepared: Any) -> None:
        self.conn.write_encoded(prepared)

    def write_graph_statements(
        self,
        documents: Sequence[Document],
        entities: Sequence[Entity],
        relations: Sequence[Relation],
        *,
        relations_known_new: bool = False,
    ) -> list[Statement]:
        """The statements of ``write_graph``: records already resolved are
        added, records already present are left as they are."""
        stmts: list[Statement] = []
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        aliases: list[dict[str, Any]] = []
        mentions: list[dict[str, Any]] = []
        for e in entities:
            by_type[_label(e.type)].append({
                "id": e.id, "type": e.type, "name": e.name, "name_norm": normalise_name(e.name), "kind": e.kind,
                "country": e.country, "attrs": json.dumps(e.attrs)})
            doc_of_aliases = e.evidence[0].doc_id if e.evidence else ""
            aliases += [{"key": alias_key(e.id, a, doc_of_aliases), "entity_id": e.id, "alias": a,
                         "norm": normalise_name(a), "doc_id": doc_of_aliases, "origin_id": e.id} for a in e.aliases]
            mentions += [{"key": mention_key(ev.doc_id, ev.start, ev.end, e.id), "entity_id": e.id,
                          "doc_id": ev.doc_id, "start": ev.start, "end": ev.end, "text": ev.text,
                          "origin_id": e.id} for ev in e.evidence]
        for t, rows in sorted(by_type.items()):
            stmts += _entities_stmts(t, rows, overwrite=False)
        if aliases:
            stmts.append(_aliases_stmt(aliases))
        if mentions:
            stmts.append(_mentions_stmt(mentions))
        # type -> id -> the relation's row: the bulk path of a sync, so rows
        # are built directly (a relation seldom comes twice in one batch).
        rows_by_type: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        repeated: dict[str, EdgeEvidence] = {}
        for r in relations:
            if not r.evidence:
                continue  # a relation is only as real as its evidence
            by_id = rows_by_type[_rtype(r.type)]
            if r.id in by_id or len(r.evidence) > 1:
                ev_lists = repeated.get(r.id)
                if ev_lists is None:
                    ev_lists = repeated[r.id] = EdgeEvidence()
                    if r.id in by_id:
                        for rec in by_id[r.id]["ev"]:
                            ev_lists.add_record(rec)
                for ev in r.evidence:
                    ev_lists.add(ev, r.source, r.target)
                attrs = by_id[r.id]["attrs"] if r.id in by_id else _attrs_json(r.attrs)
                by_id[r.id] = _relation_row(r.id, r.source, r.target, attrs, ev_lists)
                continue
            [ev] = r.evidence
            by_id[r.id] = {"id": r.id, "source": r.source, "target": r.target, "confidence": float(ev.confidence),
                           "date": ev.date, "attrs": _attrs_json(r.attrs), "ev": [_record(ev, r.source, r.target)],
                           "ev_docs": [ev.doc_id], "ev_dates": [ev.date] if ev.date else []}
        stmts += [_add_relations_stmt(t, list(by_id.values()), known_new=relations_known_new)
                  for t, by_id in sorted(rows_by_type.items())]
        # Documents last, as in upsert_extraction.
        if documents:
            stmts.append(self._document_stmt(documents))
        return stmts

    # --- corrections and re-extraction ----------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        # Each write is its own transaction here; see Store.transaction.
        yield

    def save_correction(self, correction: Correction) -> None:
        self.conn.write([(
            "MERGE (c:Correction {id: $id}) SET c.at = $at, c.kind = $kind, c.body = $body,"
            " c.subjects = $subjects",
            {"id": correction.id, "at": correction.at, "kind": correction.kind,
             "body": json.dumps(correction.to_dict()), "subjects": list(correction.subjects)},
        )])

    def list_corrections(self) -> list[Correction]:
        rows = self._q("MATCH (c:Correction) RETURN c.body AS body, c.at AS at, c.id AS id")
        return [Correction.from_dict(json.loads(r["body"])) for r in sorted(rows, key=lambda r: (r["at"], r["id"]))]

    def corrections_about(self, entity_ids: Iterable[str]) -> list[Correction]:
        found: dict[str, dict[str, Any]] = {}
        for eid in dict.fromkeys(entity_ids):
            # One indexed look-up per entity ($id IN a list property).
            for r in self._q("MATCH (c:Correction) WHERE $id IN c.subjects"
                             " RETURN c.body AS body, c.at AS at, c.id AS id", id=eid):
                found[r["id"]] = r
        rows = sorted(found.values(), key=lambda r: (r["at"], r["id"]))
        return [Correction.from_dict(json.loads(r["body"])) for r in rows]

    def document_relations(self, doc_id: str) -> list[Relation]:
        rows = self._q(" UNION ALL ".join(
            f"MATCH ()-[r:{t}]->() WHERE $doc IN r.ev_docs RETURN {_REL_EV}" for t in sorted(RELATION_TYPES)),
            doc=doc_id)
        rels = self._relations_from_rows(rows, True)
        return sorted((r for r in rels if r.source != r.target), key=lambda r: r.id)

    def remove_relation(self, rtype: str, rel_id: str) -> Relation | None:
        rows = self._q(f"MATCH ()-[r:{_rtype(rtype)} {{id: $id}}]->() RETURN {_REL_EV}", id=rel_id)
        if not rows:
            return None
        self.conn.write([(f"MATCH ()-[r:{_rtype(rtype)} {{id: $id}}]->() DELETE r", {"id": rel_id})])
        return self._relations_from_rows(rows, True)[0]

    def update_entity(self, entity_id: str, changes: dict[str, Any]) -> Entity:
        eid = self._current_id(entity_id)
        rows = self._entity_rows([eid])
        if not rows:
            raise UnknownEntity(entity_id)
        stmts: list[Statement] = []
        sets: dict[str, Any] = {k: changes[k] for k in ("name", "kind", "country") if k in changes}
        if "name" in sets:
            sets["name_norm"] = normalise_name(sets["name"])
        if sets:
            stmts.append(("MATCH (e:Entity {id: $id}) SET " + ", ".join(f"e.{k} = ${k}" for k in sets),
                          {"id": eid, **sets}))
        if "type" in changes and changes["type"] != rows[0]["type"]:
            # Labels come only from the ontology's whitelist.
            stmts.append((f"MATCH (e:Entity {{id: $id}}) REMOVE e:{_label(rows[0]['type'])}"
                          f" SET e:{_label(changes['type'])}, e.type = $type",
                          {"id": eid, "type": changes["type"]}))
        if changes.get("aliases_add"):
            stmts.append(_aliases_stmt([
                {"key": alias_key(eid, a, ""), "entity_id": eid, "alias": a, "norm": normalise_name(a),
                 "doc_id": "", "origin_id": eid} for a in changes["aliases_add"]]))
        if changes.get("aliases_remove"):
            stmts.append(("MATCH (a:Alias {entity_id: $id}) WHERE a.alias IN $aliases DELETE a",
                          {"id": eid, "aliases": list(changes["aliases_remove"])}))
        if stmts:
            self.conn.write(stmts)
        updated = self.get_entity(eid)
        assert updated is not None
        return updated

    def begin_reextract(self, doc: Document) -> None:
        self.conn.write([("MERGE (j:Reextract {doc_id: $id}) SET j.document = $document",
                          {"id": doc.id, "document": json.dumps(asdict(doc))})])

    def pending_reextracts(self) -> list[Document]:
        rows = self._q("MATCH (j:Reextract) RETURN j.doc_id AS id, j.document AS document")
        return [Document(**json.loads(r["document"])) for r in sorted(rows, key=lambda r: r["id"])]

    def end_reextract(self, doc_id: str) -> None:
        self.conn.write([("MATCH (j:Reextract {doc_id: $id}) DELETE j", {"id": doc_id})])

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> CypherStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
