"""The embedded store: the whole graph in one SQLite file.

The default backend: no server, one file (WAL mode, so readers never block
the writer). Every write is one transaction, so a process killed at any point
leaves either all of a document's facts or none of them.

Tables
  documents          one row per report, keyed by the hash of its text
  entities           one row per node; ``name_norm`` for look-ups
  aliases            other names of an entity, per document that used them
  entity_evidence    mention spans: the provenance of an entity
  relations          one row per (type, source, target)
  relation_evidence  sentence spans: the provenance of a relation
  merges             entities folded into others, with what is needed to undo

Evidence rows remember the entity ids they were first resolved to
(``origin_*``). The current holder of an origin is found by following
``merges``; merging and unmerging are both "re-home the evidence rows whose
origin now resolves elsewhere" (``_rehome``).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


def reapply_corrections(store: SqliteStore, entity_ids: set[str]) -> None:
    # Imported late: graph.corrections is written against graph.store only.
    from graph.corrections import reapply_after_ingest

    reapply_after_ingest(store, entity_ids)

SCHEMA_VERSION = "1"
# An ingest that leaves the file at least this large, and half as large again
# as when it was last compacted, ends by compacting it (``compaction_due``):
# below, the whole file stays in the page cache and scattered pages cost nothing.
COMPACT_FROM_BYTES = 64 * 2**20
COMPACT_GROWTH = 1.5

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, title TEXT, date TEXT,
    text TEXT NOT NULL, extractor TEXT NOT NULL DEFAULT '', ingested_at TEXT
);
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, name_norm TEXT NOT NULL,
    kind TEXT, country TEXT, attrs TEXT NOT NULL DEFAULT '{}'
);
-- Resolution looks entities up by normalised name and type on every
-- mention: covering, so the look-up never reads the table. It replaces
-- entities_by_name(name_norm), its prefix.
CREATE INDEX IF NOT EXISTS entities_by_name_type ON entities(name_norm, type, id);
DROP INDEX IF EXISTS entities_by_name;
CREATE INDEX IF NOT EXISTS entities_by_type ON entities(type, kind, country);
-- What filtering and ranking read of thousands of linked entities, by id:
-- covering, so they never read the rows.
CREATE INDEX IF NOT EXISTS entities_by_id_kind ON entities(id, type, kind, country);
-- Every column an entity is read with, by id: covering, so naming the
-- entities of an answer reads one index page each, not an index page and
-- then the row (two random reads on a cold cache). Wider than the one
-- above, which filtering keeps: more of its entries fit in a page.
CREATE INDEX IF NOT EXISTS entities_by_id ON entities(id, type, kind, country, name, attrs);
CREATE INDEX IF NOT EXISTS entities_by_country ON entities(country);
CREATE TABLE IF NOT EXISTS aliases (
    entity_id TEXT NOT NULL, alias TEXT NOT NULL, norm TEXT NOT NULL,
    doc_id TEXT NOT NULL DEFAULT '', origin_id TEXT NOT NULL,
    PRIMARY KEY (entity_id, alias, doc_id)
) WITHOUT ROWID;
-- WITHOUT ROWID: an index holds the primary key, so this one covers norm -> entity_id.
CREATE INDEX IF NOT EXISTS aliases_by_norm ON aliases(norm);
CREATE INDEX IF NOT EXISTS aliases_by_doc ON aliases(doc_id);
-- Aliases and mentions a merge moved away from the entity they were written
-- for (``_rehome``): only those, since a row on its own entity is found by the
-- primary key. Indexing every row cost a tenth of each report's commit.
CREATE INDEX IF NOT EXISTS aliases_moved ON aliases(origin_id) WHERE origin_id != entity_id;
DROP INDEX IF EXISTS aliases_by_origin;
CREATE TABLE IF NOT EXISTS entity_evidence (
    entity_id TEXT NOT NULL, doc_id TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,
    text TEXT NOT NULL, origin_id TEXT NOT NULL,
    PRIMARY KEY (entity_id, doc_id, start, end, origin_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entity_evidence_by_doc ON entity_evidence(doc_id);
CREATE INDEX IF NOT EXISTS entity_evidence_moved ON entity_evidence(origin_id) WHERE origin_id != entity_id;
DROP INDEX IF EXISTS entity_evidence_by_origin;
CREATE TABLE IF NOT EXISTS relations (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
    confidence REAL NOT NULL, date TEXT, attrs TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS relations_by_type ON relations(type, date);
CREATE TABLE IF NOT EXISTS relation_evidence (
    relation_id TEXT NOT NULL, doc_id TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,
    text TEXT NOT NULL, date TEXT, confidence REAL NOT NULL, extractor TEXT NOT NULL DEFAULT '',
    origin_source TEXT NOT NULL, origin_target TEXT NOT NULL,
    PRIMARY KEY (relation_id, doc_id, start, end, origin_source, origin_target)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS relation_evidence_by_doc ON relation_evidence(doc_id);
-- Evidence by each origin entity, then relation and date; with the primary
-- key's columns they hold everything but the sentence, so what ranking
-- reads of an entity's evidence (documents, spans, dates) is a range of
-- each, never the rows (``evidence_spans``). They replace
-- relation_evidence_by_origin_source(origin_source) and ..._target, their prefixes.
CREATE INDEX IF NOT EXISTS relation_evidence_from ON relation_evidence(origin_source, relation_id, date);
CREATE INDEX IF NOT EXISTS relation_evidence_to ON relation_evidence(origin_target, relation_id, date);
DROP INDEX IF EXISTS relation_evidence_by_origin_source;
DROP INDEX IF EXISTS relation_evidence_by_origin_target;
CREATE TABLE IF NOT EXISTS merges (
    drop_id TEXT PRIMARY KEY, keep_id TEXT NOT NULL, snapshot TEXT NOT NULL, merged_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS merges_by_keep ON merges(keep_id);
-- Why resolution joined a report's mention to an entity an earlier report
-- made (graph.resolve.decide): one row per entity and report.
CREATE TABLE IF NOT EXISTS resolution_merges (
    entity_id TEXT NOT NULL, doc_id TEXT NOT NULL, form TEXT NOT NULL, reason TEXT NOT NULL, score REAL NOT NULL,
    PRIMARY KEY (entity_id, doc_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS resolution_merges_by_doc ON resolution_merges(doc_id);
-- The kind each report gave an organisation: its kind is the most frequent
-- (graph.resolve.kind_by_evidence), recounted when a report comes or goes.
CREATE TABLE IF NOT EXISTS entity_kinds (
    entity_id TEXT NOT NULL, doc_id TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (entity_id, doc_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entity_kinds_by_doc ON entity_kinds(doc_id);
-- Relations touching each entity (self-loops left out), kept by triggers so
-- every write path keeps it right: ranking a sector's thousand candidates by
-- degree must not count a hub's thousands of relations each time.
CREATE TABLE IF NOT EXISTS entity_degrees (entity_id TEXT PRIMARY KEY, degree INTEGER NOT NULL) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS entity_degrees_on_insert AFTER INSERT ON relations WHEN NEW.source != NEW.target
BEGIN
    INSERT OR IGNORE INTO entity_degrees(entity_id, degree) VALUES (NEW.source, 0), (NEW.target, 0);
    UPDATE entity_degrees SET degree = degree + 1 WHERE entity_id IN (NEW.source, NEW.target);
END;
CREATE TRIGGER IF NOT EXISTS entity_degrees_on_delete AFTER DELETE ON relations WHEN OLD.source != OLD.target
BEGIN
    UPDATE entity_degrees SET degree = degree - 1 WHERE entity_id IN (OLD.source, OLD.target);
END;
CREATE TRIGGER IF NOT EXISTS entity_degrees_on_update AFTER UPDATE OF source, target ON relations
BEGIN
    UPDATE entity_degrees SET degree = degree - 1
        WHERE OLD.source != OLD.target AND entity_id IN (OLD.source, OLD.target);
    INSERT OR IGNORE INTO entity_degrees(entity_id, degree)
        SELECT value, 0 FROM json_each(json_array(NEW.source, NEW.target)) WHERE NEW.source != NEW.target;
    UPDATE entity_degrees SET degree = degree + 1
        WHERE NEW.source != NEW.target AND entity_id IN (NEW.source, NEW.target);
END;
-- What people decided (graph.corrections): one JSON record per correction.
CREATE TABLE IF NOT EXISTS corrections (
    id TEXT PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS correction_subjects (
    entity_id TEXT NOT NULL, correction_id TEXT NOT NULL, PRIMARY KEY (entity_id, correction_id)
) WITHOUT ROWID;
-- Documents being re-extracted (graph.reextract); empty between runs.
CREATE TABLE IF NOT EXISTS reextract_journal (doc_id TEXT PRIMARY KEY, document TEXT NOT NULL);
"""

# Each entity's relations by type, newest first, with every column of the
# row: a hub's newest few, the entities linked to a sector and any entity's
# relations are read from one range of an index, never from the table (a
# random read per relation on a cold cache). They replace relations_from
# and relations_to (without confidence, evidence, attrs), which replaced
# relations_by_source(source, type) and relations_by_target. Created once
# ``relations.evidence`` exists (``_count_evidence_once``).
RELATION_INDEXES = """
CREATE INDEX IF NOT EXISTS relations_out ON relations(source, type, date, target, id, confidence, evidence, attrs);
CREATE INDEX IF NOT EXISTS relations_in ON relations(target, type, date, source, id, confidence, evidence, attrs);
DROP INDEX IF EXISTS relations_from;
DROP INDEX IF EXISTS relations_to;
DROP INDEX IF EXISTS relations_by_source;
DROP INDEX IF EXISTS relations_by_target;
"""

# --- who met whom, precomputed -------------------------------------------------
# ``meeting_paths`` holds one row per way an entity met a counterpart
# (``Store.meeting_paths``): each meeting relation both ways round (via ''),
# and through each delegation (a Mission) every sender -- whoever LED, was a
# MEMBER_OF or ORGANIZED it -- and whom the delegation met, both ways round
# (via the delegation). ``meeting_totals`` counts each entity's distinct
# counterparts. Triggers keep both right on every write path (ingest,
# delete, merge and unmerge re-home relations, corrections remove them or
# change an entity's type, bulk loads), so a hub's first page and its total
# read a few rows instead of its thousands of meetings.
_MEETINGS = ", ".join(f"'{t}'" for t in MEETING_RELATIONS)
_SENDERS = ", ".join(f"'{t}'" for t in (LED, MEMBER_OF, ORGANIZED))


def _paths_via(missions: str, where: str) -> str:
    """SELECTs of the rows through the delegations of ``missions`` (a FROM
    item aliased ``me``) that pass ``where``: sender -> met, met -> sender."""
    parts = []
    for mcol, ycol in (("source", "target"), ("target", "source")):
        body = (f" FROM {missions} CROSS JOIN relations s ON s.target = me.id AND s.type IN ({_SENDERS})"
                f" AND s.source != s.target CROSS JOIN relations r ON r.{mcol} = me.id AND r.type IN ({_MEETINGS})"
                f" AND r.source != r.target AND r.{ycol} != s.source WHERE me.type = '{MISSION}' AND {where}")
        parts.append(f"SELECT s.source, r.{ycol}, me.id, {_PATH_REL}{body}")
        parts.append(f"SELECT r.{ycol}, s.source, me.id, {_PATH_REL}{body}")
    return " UNION ALL ".join(parts)


# A path carries its relation's columns (the date '' when there is none: a
# key column cannot be NULL, and '' sorts where NULL would, before any date).
_INSERT_PATHS = ("INSERT OR IGNORE INTO meeting_paths(entity_id, counterpart_id, via, relation_id, date,"
                 " type, source, target, confidence, attrs)")
_PATH_REL = "r.id, coalesce(r.date, ''), r.type, r.source, r.target, r.confidence, r.attrs"
_NEW_REL = _PATH_REL.replace("r.", "NEW.")  # the same, of the row a trigger inserts

# ``meeting_evidence``: its columns after (entity_id, counterpart_id), of the
# evidence row ``ev`` ("ev." or "NEW."), and the delete of an evidence row's
# copies (found through the paths of its relation, by the primary key).
_ME_EV = ("{ev}relation_id, {ev}doc_id, {ev}start, {ev}end, {ev}origin_source, {ev}origin_target, {ev}text,"
          " {ev}date, {ev}confidence, {ev}extractor")
_INSERT_MEETING_EVIDENCE = ("INSERT OR IGNORE INTO meeting_evidence(entity_id, counterpart_id, "
                            + _ME_EV.format(ev="") + ")")
_DELETE_MEETING_EVIDENCE = (
    "DELETE FROM meeting_evidence WHERE (entity_id, counterpart_id, relation_id) IN"
    " (SELECT p.entity_id, p.counterpart_id, p.relation_id FROM meeting_paths p INDEXED BY meeting_paths_by_relation"
    "  WHERE p.relation_id = OLD.relation_id)"
    " AND doc_id = OLD.doc_id AND start = OLD.start AND end = OLD.end"
    " AND origin_source = OLD.origin_source AND origin_target = OLD.origin_target")

MEETING_SCHEMA = f"""
-- Clustered by entity and date, with the relation's columns on the row: a
-- hub's newest paths are one contiguous range of pages, read without a
-- look-up per relation (what a first call on a cold cache waits for).
CREATE TABLE IF NOT EXISTS meeting_paths (
    entity_id TEXT NOT NULL, date TEXT NOT NULL, counterpart_id TEXT NOT NULL, relation_id TEXT NOT NULL,
    via TEXT NOT NULL, type TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL, confidence REAL NOT NULL,
    attrs TEXT NOT NULL, PRIMARY KEY (entity_id, date, counterpart_id, relation_id, via)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS meeting_paths_by_counterpart ON meeting_paths(entity_id, counterpart_id);
CREATE INDEX IF NOT EXISTS meeting_paths_by_relation ON meeting_paths(relation_id);
CREATE INDEX IF NOT EXISTS meeting_paths_by_via ON meeting_paths(via);
CREATE TABLE IF NOT EXISTS meeting_totals (entity_id TEXT PRIMARY KEY, total INTEGER NOT NULL) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS meeting_totals_on_insert AFTER INSERT ON meeting_paths
WHEN NOT EXISTS (SELECT 1 FROM meeting_paths WHERE entity_id = NEW.entity_id
                 AND counterpart_id = NEW.counterpart_id AND (relation_id != NEW.relation_id OR via != NEW.via))
BEGIN
    INSERT OR IGNORE INTO meeting_totals(entity_id, total) VALUES (NEW.entity_id, 0);
    UPDATE meeting_totals SET total = total + 1 WHERE entity_id = NEW.entity_id;
END;
CREATE TRIGGER IF NOT EXISTS meeting_totals_on_delete AFTER DELETE ON meeting_paths
WHEN NOT EXISTS (SELECT 1 FROM meeting_paths WHERE entity_id = OLD.entity_id AND counterpart_id = OLD.counterpart_id)
BEGIN
    UPDATE meeting_totals SET total = total - 1 WHERE entity_id = OLD.entity_id;
END;
CREATE TRIGGER IF NOT EXISTS meeting_paths_on_meeting AFTER INSERT ON relations
WHEN NEW.type IN ({_MEETINGS}) AND NEW.source != NEW.target
BEGIN
    {_INSERT_PATHS} VALUES (NEW.source, NEW.target, '', {_NEW_REL}), (NEW.target, NEW.source, '', {_NEW_REL});
    {_INSERT_PATHS} {_paths_via("entities me", "me.id IN (NEW.source, NEW.target) AND r.id = NEW.id")};
END;
CREATE TRIGGER IF NOT EXISTS meeting_paths_on_sender AFTER INSERT ON relations
WHEN NEW.type IN ({_SENDERS}) AND NEW.source != NEW.target
BEGIN
    {_INSERT_PATHS} {_paths_via("entities me", "me.id = NEW.target AND s.source = NEW.source")};
END;
CREATE TRIGGER IF NOT EXISTS meeting_paths_on_meeting_delete AFTER DELETE ON relations
WHEN OLD.type IN ({_MEETINGS})
BEGIN
    DELETE FROM meeting_paths WHERE relation_id = OLD.id;
END;
-- A sender stays one while another of its relations to the delegation is
-- left. Its rows through the delegation are those whose meeting does not
-- touch it (where it does, it is the one met, and another the sender).
CREATE TRIGGER IF NOT EXISTS meeting_paths_on_sender_delete AFTER DELETE ON relations
WHEN OLD.type IN ({_SENDERS}) AND NOT EXISTS (SELECT 1 FROM relations WHERE source = OLD.source
     AND type IN ({_SENDERS}) AND target = OLD.target AND source != target)
BEGIN
    DELETE FROM meeting_paths WHERE via = OLD.target AND (entity_id = OLD.source OR counterpart_id = OLD.source)
        AND NOT EXISTS (SELECT 1 FROM relations r WHERE r.id = meeting_paths.relation_id
                        AND OLD.source IN (r.source, r.target));
END;
CREATE TRIGGER IF NOT EXISTS meeting_paths_on_change AFTER UPDATE OF date, confidence, attrs ON relations
WHEN NEW.type IN ({_MEETINGS})
     AND (OLD.date IS NOT NEW.date OR OLD.confidence IS NOT NEW.confidence OR OLD.attrs IS NOT NEW.attrs)
BEGIN
    UPDATE meeting_paths SET date = coalesce(NEW.date, ''), confidence = NEW.confidence, attrs = NEW.attrs
        WHERE relation_id = NEW.id;
END;
-- An entity that becomes a delegation (or stops being one) passes meetings on (or stops).
CREATE TRIGGER IF NOT EXISTS meeting_paths_on_mission AFTER INSERT ON entities WHEN NEW.type = '{MISSION}'
BEGIN
    {_INSERT_PATHS} {_paths_via("entities me", "me.id = NEW.id")};
END;
CREATE TRIGGER IF NOT EXISTS meeting_paths_on_type AFTER UPDATE OF type ON entities
WHEN (OLD.type = '{MISSION}') != (NEW.type = '{MISSION}')
BEGIN
    DELETE FROM meeting_paths WHERE via = NEW.id;
    {_INSERT_PATHS} {_paths_via("entities me", "me.id = NEW.id")};
END;
CREATE TRIGGER IF NOT EXISTS meeting_paths_on_mission_delete AFTER DELETE ON entities WHEN OLD.type = '{MISSION}'
BEGIN
    DELETE FROM meeting_paths WHERE via = OLD.id;
END;
-- The evidence of each entity's paths, sentence included, clustered by
-- (entity, counterpart): what a page of meetings shows, read from the
-- entity's range of the table instead of one random read per relation in
-- relation_evidence. One copy of each piece of evidence per (entity,
-- counterpart, relation) on a path, whatever delegations it came through;
-- kept by triggers on the paths (added, gone) and on the evidence (added,
-- re-homed, gone), so every write path that keeps the paths keeps it.
CREATE TABLE IF NOT EXISTS meeting_evidence (
    entity_id TEXT NOT NULL, counterpart_id TEXT NOT NULL, relation_id TEXT NOT NULL, doc_id TEXT NOT NULL,
    start INTEGER NOT NULL, end INTEGER NOT NULL, origin_source TEXT NOT NULL, origin_target TEXT NOT NULL,
    text TEXT NOT NULL, date TEXT, confidence REAL NOT NULL, extractor TEXT NOT NULL,
    PRIMARY KEY (entity_id, counterpart_id, relation_id, doc_id, start, end, origin_source, origin_target)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS meeting_evidence_on_path AFTER INSERT ON meeting_paths
BEGIN
    {_INSERT_MEETING_EVIDENCE} SELECT NEW.entity_id, NEW.counterpart_id, {_ME_EV.format(ev="ev.")}
        FROM relation_evidence ev WHERE ev.relation_id = NEW.relation_id;
END;
CREATE TRIGGER IF NOT EXISTS meeting_evidence_on_path_delete AFTER DELETE ON meeting_paths
WHEN NOT EXISTS (SELECT 1 FROM meeting_paths WHERE entity_id = OLD.entity_id
                 AND counterpart_id = OLD.counterpart_id AND relation_id = OLD.relation_id)
BEGIN
    DELETE FROM meeting_evidence WHERE entity_id = OLD.entity_id AND counterpart_id = OLD.counterpart_id
        AND relation_id = OLD.relation_id;
END;
CREATE TRIGGER IF NOT EXISTS meeting_evidence_on_evidence AFTER INSERT ON relation_evidence
BEGIN
    {_INSERT_MEETING_EVIDENCE} SELECT p.entity_id, p.counterpart_id, {_ME_EV.format(ev="NEW.")}
        FROM meeting_paths p INDEXED BY meeting_paths_by_relation WHERE p.relation_id = NEW.relation_id;
END;
CREATE TRIGGER IF NOT EXISTS meeting_evidence_on_evidence_delete AFTER DELETE ON relation_evidence
BEGIN
    {_DELETE_MEETING_EVIDENCE};
END;
-- Re-homed by a merge or an unmerge (relation_id): out of the old relation's paths, into the new one's.
CREATE TRIGGER IF NOT EXISTS meeting_evidence_on_evidence_change AFTER UPDATE ON relation_evidence
BEGIN
    {_DELETE_MEETING_EVIDENCE};
    {_INSERT_MEETING_EVIDENCE} SELECT p.entity_id, p.counterpart_id, {_ME_EV.format(ev="NEW.")}
        FROM meeting_paths p INDEXED BY meeting_paths_by_relation WHERE p.relation_id = NEW.relation_id;
END;
"""

# --- the members of each sector, by type and country --------------------------
# ``sector_members`` holds one row per IN_SECTOR relation (self-loops left
# out) whose source entity exists, with that entity's columns and degree:
# clustered by (sector, type, country), so the organisations of a sector in
# one country are one range of the table, read with everything ranking them
# needs. Without it, each of a sector's ten thousand members was looked up
# by id to filter by country and kind, then again for its name and its
# degree (several thousand random page reads on a cold cache). Triggers
# keep it on every write path: relations inserted, deleted or re-pointed,
# entities inserted, deleted or changed (type, kind, country, name, attrs),
# degrees counted. An entity without a country is under country_key '' (a
# key column cannot be NULL; its country column stays NULL).
_SECTOR_COLS = "type, country_key, entity_id, kind, country, name, attrs, degree"


def _member_row(entity: str, sector: str) -> str:
    """The values of a ``sector_members`` row of entity row ``entity`` in
    ``sector`` (an expression), its degree from ``entity_degrees``."""
    return (f"{sector}, {entity}.type, coalesce({entity}.country, ''), {entity}.id, {entity}.kind,"
            f" {entity}.country, {entity}.name, {entity}.attrs,"
            f" coalesce((SELECT degree FROM entity_degrees WHERE entity_id = {entity}.id), 0)")


_INSERT_MEMBERS = f"INSERT OR IGNORE INTO sector_members(sector_id, {_SECTOR_COLS})"

SECTOR_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS sector_members (
    sector_id TEXT NOT NULL, type TEXT NOT NULL, country_key TEXT NOT NULL, entity_id TEXT NOT NULL,
    kind TEXT, country TEXT, name TEXT NOT NULL, attrs TEXT NOT NULL, degree INTEGER NOT NULL,
    PRIMARY KEY (sector_id, type, country_key, entity_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sector_members_by_entity ON sector_members(entity_id, sector_id);
CREATE TRIGGER IF NOT EXISTS sector_members_on_insert AFTER INSERT ON relations
WHEN NEW.type = '{IN_SECTOR}' AND NEW.source != NEW.target
BEGIN
    {_INSERT_MEMBERS} SELECT {_member_row("e", "NEW.target")} FROM entities e WHERE e.id = NEW.source;
END;
CREATE TRIGGER IF NOT EXISTS sector_members_on_delete AFTER DELETE ON relations WHEN OLD.type = '{IN_SECTOR}'
BEGIN
    DELETE FROM sector_members WHERE entity_id = OLD.source AND sector_id = OLD.target;
END;
CREATE TRIGGER IF NOT EXISTS sector_members_on_update AFTER UPDATE OF type, source, target ON relations
WHEN OLD.type = '{IN_SECTOR}' OR NEW.type = '{IN_SECTOR}'
BEGIN
    DELETE FROM sector_members WHERE OLD.type = '{IN_SECTOR}' AND entity_id = OLD.source AND sector_id = OLD.target;
    {_INSERT_MEMBERS} SELECT {_member_row("e", "NEW.target")} FROM entities e
        WHERE NEW.type = '{IN_SECTOR}' AND NEW.source != NEW.target AND e.id = NEW.source;
END;
CREATE TRIGGER IF NOT EXISTS sector_members_on_entity AFTER INSERT ON entities
BEGIN
    {_INSERT_MEMBERS} SELECT {_member_row("NEW", "r.target")} FROM relations r
        WHERE r.source = NEW.id AND r.type = '{IN_SECTOR}' AND r.target != NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS sector_members_on_entity_change AFTER UPDATE OF type, kind, country, name, attrs
ON entities WHEN OLD.type IS NOT NEW.type OR OLD.kind IS NOT NEW.kind OR OLD.country IS NOT NEW.country
     OR OLD.name IS NOT NEW.name OR OLD.attrs IS NOT NEW.attrs
BEGIN
    UPDATE sector_members SET type = NEW.type, kind = NEW.kind, country_key = coalesce(NEW.country, ''),
        country = NEW.country, name = NEW.name, attrs = NEW.attrs WHERE entity_id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS sector_members_on_entity_delete AFTER DELETE ON entities
BEGIN
    DELETE FROM sector_members WHERE entity_id = OLD.id;
END;
CREATE TRIGGER IF NOT EXISTS sector_members_on_degree AFTER INSERT ON entity_degrees
BEGIN
    UPDATE sector_members SET degree = NEW.degree WHERE entity_id = NEW.entity_id AND degree != NEW.degree;
END;
CREATE TRIGGER IF NOT EXISTS sector_members_on_degree_change AFTER UPDATE OF degree ON entity_degrees
BEGIN
    UPDATE sector_members SET degree = NEW.degree WHERE entity_id = NEW.entity_id;
END;
CREATE TRIGGER IF NOT EXISTS sector_members_on_degree_delete AFTER DELETE ON entity_degrees
BEGIN
    UPDATE sector_members SET degree = 0 WHERE entity_id = OLD.entity_id;
END;
"""

_REL_COLS = "id, type, source, target, confidence, date, attrs"
# Pieces of evidence of a relation: distinct spans (after a merge one span
# may reach a relation from two origins).
_SPANS = "count(DISTINCT doc_id || char(31) || start || char(31) || end)"
_ENT_COLS = "id, type, name, kind, country, attrs"
_EV_COLS = "relation_id, doc_id, start, end, text, date, confidence, extractor"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ids_param(ids: Iterable[str]) -> str:
    # A whole id list travels as one JSON parameter, unpacked by json_each():
    # no SQL is ever built from values, and there is no limit on list length.
    return json.dumps(list(ids))


def _attrs(text: str) -> dict[str, Any]:
    # Most rows carry no attributes; skipping the JSON decoder for them is
    # a third of the time of a large read.
    return {} if text == "{}" else json.loads(text)


def _collect_evidence(rows: Iterable[Sequence[Any]], out: dict[str, list[Evidence]]) -> None:
    """Rows of ``_EV_COLS`` added to their relation's list in ``out`` (rows
    of relations not in it are skipped). The same span reaching a relation
    from two origins after a merge comes in adjacent rows: kept once."""
    for rid, doc_id, start, end, text, date, confidence, extractor in rows:
        evs = out.get(rid)
        if evs is None or (evs and (evs[-1].doc_id, evs[-1].start, evs[-1].end) == (doc_id, start, end)):
            continue
        evs.append(Evidence(doc_id=doc_id, start=start, end=end, text=text, date=date,
                            confidence=confidence, extractor=extractor))


def _evidence_order(ev: Evidence) -> tuple[bool, str, str, int]:
    """Evidence as the store lists it: by date (undated first), document, span."""
    return (ev.date is not None, ev.date or "", ev.doc_id, ev.start)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


WAL_PAGES_BETWEEN_CHECKPOINTS = 10_000  # pages of 4 KB: 40 MB


class SqliteStore:
    """The embedded backend of ``graph.store.Store``."""

    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(
                str(path), timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode is still atomic and consistent after a crash;
            # only the last transactions can be lost on power failure.
            self._db.execute("PRAGMA synchronous=NORMAL")
            # A report's commit writes about 2 MB of index pages to the WAL:
            # at SQLite's default (4 MB) every other commit copied the same
            # pages into the file again. With 40 MB between copies a report
            # costs about 5% less CPU; the WAL file is cut back to 64 MB after one.
            self._db.execute(f"PRAGMA wal_autocheckpoint={WAL_PAGES_BETWEEN_CHECKPOINTS}")
            self._db.execute(f"PRAGMA journal_size_limit={64 * 1024 * 1024}")
            self._db.execute("PRAGMA foreign_keys=ON")
            try:
                self._drop_old_meeting_paths()
                self._db.executescript(SCHEMA + MEETING_SCHEMA)
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{path} is not a tradekg store: {exc}") from exc
            self._db.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
            )
            self._count_degrees_once()
            self._count_evidence_once()
            self._db.executescript(RELATION_INDEXES)
            self._fill_meeting_paths_once()
            self._fill_meeting_evidence_once()
            self._db.executescript(SECTOR_SCHEMA)
            self._fill_sector_members_once()
            if not self._has_planner_statistics():
                # A store written before statistics were kept (about 4 s at
                # 1M relations, once), or still empty (then nothing to read).
                # No analysis_limit: its samples are the first rows of each
                # index, and at 1M relations they made a relation type look
                # 100 times more selective than it is.
                self._db.execute("ANALYZE")
            else:
                self._analyse_new_indexes()

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"

    # --- plumbing -------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; IMMEDIATE takes the write lock up front so
        resolution reads and the writes that follow see the same graph."""
        with self._lock:
            if self._db.in_transaction:
                # Inside ``transaction()``: this write is part of the caller's.
                yield self._db
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def _once(self, done: Callable[[], bool], migrate: Callable[[sqlite3.Connection], None]) -> bool:
        """Bring a store written by an older version up to date, once: skip
        when ``done()``, else migrate under the write lock, checking again
        there (another process opening the same old file may have got there
        first). True when this call migrated."""
        if done():
            return False
        with self._write() as db:
            if done():
                return False
            migrate(db)
        return True

    def _meta_flag(self, key: str) -> Callable[[], bool]:
        return lambda: bool(self._db.execute("SELECT 1 FROM meta WHERE key = ?", (key,)).fetchone())

    def _count_degrees_once(self) -> None:
        """Fill ``entity_degrees`` for a store written before it existed
        (about 5 s at 1M relations, once); the triggers keep it after."""
        def count(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM entity_degrees")
            db.execute(
                "INSERT INTO entity_degrees(entity_id, degree) SELECT id, count(*) FROM ("
                " SELECT source AS id FROM relations WHERE source != target"
                " UNION ALL SELECT target FROM relations WHERE source != target) GROUP BY id"
            )
            db.execute("INSERT INTO meta(key, value) VALUES ('entity_degrees', 'counted')")

        self._once(self._meta_flag("entity_degrees"), count)

    def _drop_old_meeting_paths(self) -> None:
        """A store written before the paths carried their relation's columns:
        its paths and the triggers that keep them go, to be created and
        filled again (``_fill_meeting_paths_once``)."""
        def current() -> bool:
            cols = {r[1] for r in self._db.execute("PRAGMA table_info(meeting_paths)")}
            return not cols or "confidence" in cols

        def drop(db: sqlite3.Connection) -> None:
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                      " AND name LIKE 'meeting_paths_on_%'").fetchall():
                db.execute(f"DROP TRIGGER {name}")
            db.execute("DROP TABLE meeting_paths")  # and the triggers on it
            db.execute("DELETE FROM meta WHERE key IN ('meeting_paths', 'meeting_evidence')")

        self._once(current, drop)

    def _fill_meeting_paths_once(self) -> None:
        """Fill ``meeting_paths`` and ``meeting_totals`` for a store written
        before they existed (about a minute at 1M relations, once); the
        triggers keep them after."""
        def fill(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM meeting_paths")
            db.execute("DELETE FROM meeting_totals")
            db.execute(
                f"{_INSERT_PATHS} SELECT r.source, r.target, '', {_PATH_REL} FROM relations r"
                f" WHERE r.type IN ({_MEETINGS}) AND r.source != r.target"
                f" UNION ALL SELECT r.target, r.source, '', {_PATH_REL} FROM relations r"
                f" WHERE r.type IN ({_MEETINGS}) AND r.source != r.target"
            )
            db.execute(f"{_INSERT_PATHS} {_paths_via('entities me', '1 = 1')}")  # every delegation
            db.execute("INSERT INTO meta(key, value) VALUES ('meeting_paths', 'filled')")

        if self._once(self._meta_flag("meeting_paths"), fill) and self._has_planner_statistics():
            # A store analysed before these tables and the covering indexes
            # existed: statistics for them too (once, with the fill).
            self._db.execute("ANALYZE")

    def _fill_meeting_evidence_once(self) -> None:
        """Fill ``meeting_evidence`` for a store written before it existed
        (the evidence of every path, about a minute at 1M relations, once);
        the triggers keep it after."""
        def fill(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM meeting_evidence")
            db.execute(f"{_INSERT_MEETING_EVIDENCE} SELECT p.entity_id, p.counterpart_id, {_ME_EV.format(ev='ev.')}"
                       " FROM meeting_paths p CROSS JOIN relation_evidence ev ON ev.relation_id = p.relation_id")
            db.execute("INSERT INTO meta(key, value) VALUES ('meeting_evidence', 'filled')")

        if self._once(self._meta_flag("meeting_evidence"), fill) and self._has_planner_statistics():
            self._db.execute("ANALYZE meeting_evidence")

    def _fill_sector_members_once(self) -> None:
        """Fill ``sector_members`` for a store written before it existed
        (seconds at 1M relations, once); the triggers keep it after."""
        def fill(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM sector_members")
            db.execute(f"{_INSERT_MEMBERS} SELECT {_member_row('e', 'r.target')} FROM relations r"
                       f" CROSS JOIN entities e ON e.id = r.source WHERE r.type = '{IN_SECTOR}' AND r.source != r.target")
            db.execute("INSERT INTO meta(key, value) VALUES ('sector_members', 'filled')")

        if self._once(self._meta_flag("sector_members"), fill) and self._has_planner_statistics():
            self._db.execute("ANALYZE sector_members")

    def _count_evidence_once(self) -> None:
        """Add ``relations.evidence``, the pieces of evidence (distinct spans)
        of each relation, to a store written before it existed (about half a
        minute at 1M relations, once); ``_refresh_relations`` keeps it."""
        def added() -> bool:
            return any(r[1] == "evidence" for r in self._db.execute("PRAGMA table_info(relations)"))

        def add(db: sqlite3.Connection) -> None:
            db.execute("ALTER TABLE relations ADD COLUMN evidence INTEGER NOT NULL DEFAULT 0")
            db.execute(f"UPDATE relations SET evidence = (SELECT {_SPANS} FROM relation_evidence ev"
                       " WHERE ev.relation_id = relations.id)")

        self._once(added, add)

    def _has_planner_statistics(self) -> bool:
        if not self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
            return False
        return bool(self._db.execute("SELECT 1 FROM sqlite_stat1 LIMIT 1").fetchone())

    def _analyse_new_indexes(self) -> None:
        """Statistics for an index added to a store analysed before (its
        table has them, it has none): without, the planner may prefer an
        older index that does not cover what the query reads."""
        for (name,) in self._db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN (SELECT tbl FROM sqlite_stat1)"
            " AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)"
        ).fetchall():
            self._db.execute(f"ANALYZE {name}")

    def _optimize(self) -> None:
        """Refresh the planner's statistics of the tables this connection
        used that have none or have grown 25-fold since (SQLite's own rule,
        so a no-op almost always, and its cost spread thin over the growth)."""
        # Another writer holding the lock, or a store closed already: the
        # statistics wait for the next time.
        with suppress(sqlite3.OperationalError, sqlite3.ProgrammingError):
            self._db.execute("PRAGMA optimize")

    def _q(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _current_id(self, entity_id: str) -> str:
        """Follow merges to the entity that now holds ``entity_id``."""
        seen = set()
        while entity_id not in seen:
            seen.add(entity_id)
            row = self._db.execute("SELECT keep_id FROM merges WHERE drop_id = ?", (entity_id,)).fetchone()
            if row is None:
                return entity_id
            entity_id = row[0]
        return entity_id

    @staticmethod
    def _entity(row: sqlite3.Row, aliases: list[str] | None = None) -> Entity:
        return Entity(
            id=row["id"], type=row["type"], name=row["name"], aliases=aliases or [],
            kind=row["kind"], country=row["country"], attrs=_attrs(row["attrs"]),
        )

    def _aliases(self, ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {i: [] for i in ids}
        rows = self._db.execute(
            "SELECT DISTINCT entity_id, alias FROM aliases WHERE entity_id IN (SELECT value FROM json_each(?))"
            " ORDER BY entity_id, alias",
            (_ids_param(ids),),
        ).fetchall()
        for r in rows:
            out[r[0]].append(r[1])
        return out

    def _entities_by_ids(self, ids: Sequence[str], with_aliases: bool = True) -> dict[str, Entity]:
        rows = self._db.execute(
            f"SELECT {_ENT_COLS} FROM entities INDEXED BY entities_by_id WHERE id IN (SELECT value FROM json_each(?))",
            (_ids_param(ids),),
        ).fetchall()
        if not with_aliases:
            return {r["id"]: self._entity(r) for r in rows}
        aliases = self._aliases([r["id"] for r in rows])
        return {r["id"]: self._entity(r, aliases[r["id"]]) for r in rows}

    def _relation_evidence(self, rel_ids: Sequence[str]) -> dict[str, list[Evidence]]:
        out: dict[str, list[Evidence]] = {i: [] for i in rel_ids}
        _collect_evidence(self._db.execute(
            f"SELECT DISTINCT {_EV_COLS} FROM relation_evidence"
            " WHERE relation_id IN (SELECT value FROM json_each(?))"
            " ORDER BY relation_id, date, doc_id, start",
            (_ids_param(rel_ids),),
        ).fetchall(), out)
        return out

    def _relations_from_rows(self, rows: Sequence[sqlite3.Row], with_evidence: bool) -> list[Relation]:
        rels = [
            Relation(
                id=r["id"], type=r["type"], source=r["source"], target=r["target"],
                confidence=r["confidence"], date=r["date"], attrs=_attrs(r["attrs"]),
            )
            for r in rows
        ]
        if with_evidence and rels:
            evidence = self._relation_evidence([r.id for r in rels])
            for rel in rels:
                rel.evidence = evidence[rel.id]
        return rels

    def _refresh_relations(self, db: sqlite3.Connection, rel_ids: Iterable[str]) -> None:
        """Derived fields follow the evidence: confidence is the strongest
        statement, date the latest; a relation with no evidence is gone."""
        param = _ids_param(set(rel_ids))
        db.execute(
            "DELETE FROM relations WHERE id IN (SELECT value FROM json_each(?))"
            " AND NOT EXISTS (SELECT 1 FROM relation_evidence ev WHERE ev.relation_id = relations.id)",
            (param,),
        )
        # Only rows whose values change are written: every index holding the
        # date (relations_out, relations_in, relations_by_type) and the
        # meeting paths would otherwise be rewritten for each one.
        db.execute(
            "UPDATE relations SET confidence = ev.c, date = ev.d, evidence = ev.n FROM ("
            f" SELECT relation_id, max(confidence) AS c, max(date) AS d, {_SPANS} AS n FROM relation_evidence"
            " WHERE relation_id IN (SELECT value FROM json_each(?)) GROUP BY relation_id) ev"
            " WHERE relations.id = ev.relation_id AND (relations.confidence IS NOT ev.c"
            " OR relations.date IS NOT ev.d OR relations.evidence IS NOT ev.n)",
            (param,),
        )

    # --- documents --------------------------------------------------------------

    def upsert_extraction(self, extraction: Extraction) -> UpsertResult:
        extraction = clean_extraction(extraction)  # graph.hygiene: what is not an entity never lands
        doc = extraction.document
        with self._write() as db:
            if db.execute("SELECT 1 FROM documents WHERE id = ?", (doc.id,)).fetchone():
                return UpsertResult(doc_id=doc.id, added=False)
            result = UpsertResult(doc_id=doc.id, added=True)
            decisions: list[MergeDecision] = []
            mapping = resolve_entities(
                extraction.entities, doc.date, self._entity_without_aliases, self._find_by_forms_locked, decisions, doc.id
            )
            db.executemany(
                "INSERT OR IGNORE INTO resolution_merges(entity_id, doc_id, form, reason, score) VALUES (?,?,?,?,?)",
                [(d.into.id, doc.id, d.form, d.reason, d.score) for d in decisions],
            )
            # An organisation stored without counted kinds (copied by a sync, or
            # older than the count) keeps its kind as one report's worth.
            db.execute(
                "INSERT OR IGNORE INTO entity_kinds(entity_id, doc_id, kind) SELECT id, '', kind FROM entities"
                " WHERE id IN (SELECT value FROM json_each(?)) AND type = ? AND kind IS NOT NULL"
                " AND NOT EXISTS (SELECT 1 FROM entity_kinds k WHERE k.entity_id = entities.id)",
                (_ids_param(set(mapping.values())), ORGANIZATION),
            )
            for e in extraction.entities:
                if e.type not in ENTITY_TYPES:
                    raise StoreError(f"{doc.source}: unknown entity type {e.type!r}")
                if not e.mentions:
                    raise StoreError(f"{doc.source}: entity {e.name!r} has no mention span (no provenance)")
                gid = mapping[e.id]
                row = db.execute(f"SELECT {_ENT_COLS}, name_norm FROM entities WHERE id = ?", (gid,)).fetchone()
                if row is None:
                    db.execute(
                        "INSERT INTO entities(id, type, name, name_norm, kind, country, attrs) VALUES (?,?,?,?,?,?,?)",
                        (gid, e.type, e.name, normalise_name(e.name), e.kind, e.country, json.dumps(e.attrs)),
                    )
                    result.entities_added += 1
                    name_norm = normalise_name(e.name)
                else:
                    # Existing facts win; a new report only fills gaps (``kept_country``).
                    stored = json.loads(row["attrs"])
                    country, attrs = kept_country(row["country"], stored, e)
                    # Most reports add nothing to a known entity, and an UPDATE
                    # that changes nothing still rewrites the row and its five
                    # indexes (half of what a report's commit wrote).
                    if (row["kind"] is None and e.kind is not None) or country != row["country"] or attrs != stored:
                        db.execute("UPDATE entities SET kind = coalesce(kind, ?), country = ?, attrs = ? WHERE id = ?",
                                   (e.kind, country, json.dumps(attrs), gid))
                    name_norm = row["name_norm"]
                    if fuller_name(e.name, row["name"], e.type, e.kind):
                        # The fullest form names it; the old name stays an alias of a report that used it.
                        origin = db.execute("SELECT doc_id FROM entity_evidence WHERE entity_id = ? AND doc_id != ?"
                                            " ORDER BY doc_id LIMIT 1", (gid, doc.id)).fetchone()
                        name_norm = normalise_name(e.name)
                        db.execute("UPDATE entities SET name = ?, name_norm = ? WHERE id = ?", (e.name, name_norm, gid))
                        db.execute("DELETE FROM aliases WHERE entity_id = ? AND norm = ?", (gid, name_norm))
                        db.execute("INSERT OR IGNORE INTO aliases(entity_id, alias, norm, doc_id, origin_id)"
                                   " VALUES (?,?,?,?,?)", (gid, row["name"], row["name_norm"],
                                                           origin[0] if origin else doc.id, gid))
                for form in dict.fromkeys([e.name, *e.aliases]):
                    if normalise_name(form) != name_norm:
                        db.execute(
                            "INSERT OR IGNORE INTO aliases(entity_id, alias, norm, doc_id, origin_id) VALUES (?,?,?,?,?)",
                            (gid, form, normalise_name(form), doc.id, gid),
                        )
                for m in e.mentions:
                    cur = db.execute(
                        "INSERT OR IGNORE INTO entity_evidence(entity_id, doc_id, start, end, text, origin_id)"
                        " VALUES (?,?,?,?,?,?)",
                        (gid, doc.id, m.start, m.end, m.text, gid),
                    )
                    result.evidence_added += cur.rowcount
            kinds: dict[str, str] = {}
            for e in extraction.entities:
                if e.type == ORGANIZATION and e.kind:
                    kinds.setdefault(mapping[e.id], e.kind)
            db.executemany("INSERT OR IGNORE INTO entity_kinds(entity_id, doc_id, kind) VALUES (?,?,?)",
                           [(gid, doc.id, kind) for gid, kind in kinds.items()])
            self._recount_kinds(db, kinds)
            touched: set[str] = set()
            for r in extraction.relations:
                if r.type not in RELATION_TYPES:
                    raise StoreError(f"{doc.source}: unknown relation type {r.type!r}")
                if not r.evidence:
                    raise StoreError(f"{doc.source}: {r.type} relation has no evidence span (no provenance)")
                s, t = endpoints(r.type, mapping[r.source], mapping[r.target])
                if s == t:
                    continue  # two local mentions resolved to one entity: no fact between them
                rid = relation_id(r.type, s, t)
                date = r.date or doc.date  # each evidence row's date, and so the new relation's
                # A new relation is written with the values its evidence gives
                # (``_refresh_relations``), so that only relations an earlier
                # report stated are updated, with their indexes and paths.
                cur = db.execute(
                    "INSERT OR IGNORE INTO relations(id, type, source, target, confidence, date, attrs, evidence)"
                    " VALUES (?,?,?,?,?,?,?,?)",
                    (rid, r.type, s, t, r.confidence, date,
                     json.dumps(map_entity_refs(r.attrs, mapping)), len({(sp.start, sp.end) for sp in r.evidence})),
                )
                result.relations_added += cur.rowcount
                touched.add(rid)
                for span in r.evidence:
                    cur = db.execute(
                        "INSERT OR IGNORE INTO relation_evidence(relation_id, doc_id, start, end, text, date,"
                        " confidence, extractor, origin_source, origin_target) VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (rid, doc.id, span.start, span.end, span.text, date,
                         r.confidence, extraction.extractor, s, t),
                    )
                    result.evidence_added += cur.rowcount
            self._refresh_relations(db, touched)
            # The document row goes in last, inside the same transaction: it is
            # the marker that this report is complete.
            db.execute(
                "INSERT INTO documents(id, source, title, date, text, extractor, ingested_at) VALUES (?,?,?,?,?,?,?)",
                (doc.id, doc.source, doc.title, doc.date, doc.text, extraction.extractor or doc.extractor, _now()),
            )
            # A report may state a rejected fact again: corrections win, in
            # the same transaction.
            reapply_corrections(self, set(mapping.values()))
        return result

    @staticmethod
    def _recount_kinds(db: sqlite3.Connection, entity_ids: Iterable[str]) -> None:
        """Each organisation's kind from the reports that still give one."""
        for eid in entity_ids:
            kind = kind_by_evidence(r[0] for r in db.execute("SELECT kind FROM entity_kinds WHERE entity_id = ?",
                                                               (eid,)))
            if kind is not None:
                db.execute("UPDATE entities SET kind = ? WHERE id = ? AND kind IS NOT ?", (kind, eid, kind))

    def _get_entity_row(self, entity_id: str, with_aliases: bool = True) -> Entity | None:
        row = self._db.execute(
            f"SELECT {_ENT_COLS} FROM entities INDEXED BY entities_by_id WHERE id = ?", (self._current_id(entity_id),)
        ).fetchone()
        if row is None:
            return None
        return self._entity(row, self._aliases([row["id"]])[row["id"]] if with_aliases else None)

    def _entity_without_aliases(self, entity_id: str) -> Entity | None:
        """Resolution's look-up by id: it compares names, kinds and countries,
        never the aliases (a fifth of the write's look-ups, otherwise)."""
        return self._get_entity_row(entity_id, with_aliases=False)

    def _find_by_forms_locked(self, type: str, forms: Sequence[str]) -> list[Entity]:
        # Resolution runs this for every entity of every report, so its plan
        # is fixed rather than left to the planner (which, without
        # statistics, read every entity of the type): from the few forms,
        # CROSS JOIN into the covering name index, and into the alias index
        # then each alias's entity by id. INDEXED BY fails loudly should an
        # index go missing, instead of scanning.
        param = _ids_param(forms)
        rows = self._db.execute(
            "SELECT e.id FROM json_each(?) f"
            " CROSS JOIN entities e INDEXED BY entities_by_name_type ON e.name_norm = f.value AND e.type = ?"
            " UNION ALL SELECT e.id FROM json_each(?) f"
            " CROSS JOIN aliases a INDEXED BY aliases_by_norm ON a.norm = f.value"
            " CROSS JOIN entities e ON e.id = a.entity_id AND e.type = ?",
            (param, type, param, type),
        ).fetchall()
        found = self._entities_by_ids(list(dict.fromkeys(r[0] for r in rows)))
        return [found[k] for k in sorted(found)]

    def has_document(self, doc_id: str) -> bool:
        return bool(self._q("SELECT 1 FROM documents WHERE id = ?", (doc_id,)))

    def get_document(self, doc_id: str) -> Document | None:
        rows = self._q("SELECT * FROM documents WHERE id = ?", (doc_id,))
        return Document(**dict(rows[0])) if rows else None

    def list_documents(self, *, limit: int = 100, offset: int = 0) -> list[Document]:
        rows = self._q(
            "SELECT id, source, title, date, extractor, ingested_at FROM documents"
            " ORDER BY ingested_at DESC, rowid DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [Document(text="", **dict(r)) for r in rows]

    def delete_document(self, doc_id: str) -> bool:
        with self._write() as db:
            if not db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone():
                return False
            ents = [r[0] for r in db.execute(
                "SELECT DISTINCT entity_id FROM entity_evidence WHERE doc_id = ?", (doc_id,))]
            rels = [r[0] for r in db.execute(
                "SELECT DISTINCT relation_id FROM relation_evidence WHERE doc_id = ?", (doc_id,))]
            db.execute("DELETE FROM entity_evidence WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM relation_evidence WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM aliases WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM resolution_merges WHERE doc_id = ?", (doc_id,))
            voted = [r[0] for r in db.execute("SELECT entity_id FROM entity_kinds WHERE doc_id = ?", (doc_id,))]
            db.execute("DELETE FROM entity_kinds WHERE doc_id = ?", (doc_id,))
            self._recount_kinds(db, voted)
            reapply_corrections(self, set(voted))  # a kind a person set stays theirs
            self._refresh_relations(db, rels)
            # An entity nobody else mentions goes, with whatever still hangs on it.
            orphans = [r[0] for r in db.execute(
                "SELECT id FROM entities WHERE id IN (SELECT value FROM json_each(?))"
                " AND NOT EXISTS (SELECT 1 FROM entity_evidence ev WHERE ev.entity_id = entities.id)",
                (_ids_param(ents),),
            )]
            param = _ids_param(orphans)
            # One indexed look-up per side: an OR of the two reads every relation.
            touching = ("SELECT id FROM relations WHERE source IN (SELECT value FROM json_each(?))"
                        " UNION ALL SELECT id FROM relations WHERE target IN (SELECT value FROM json_each(?))")
            db.execute(f"DELETE FROM relation_evidence WHERE relation_id IN ({touching})", (param, param))
            db.execute(f"DELETE FROM relations WHERE id IN ({touching})", (param, param))
            db.execute("DELETE FROM aliases WHERE entity_id IN (SELECT value FROM json_each(?))", (param,))
            db.execute("DELETE FROM entities WHERE id IN (SELECT value FROM json_each(?))", (param,))
            db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        return True

    # --- entities -----------------------------------------------------------------

    def merge_records(self, entity_id: str) -> list[MergeRecord]:
        with self._lock:
            eid = self._current_id(entity_id)
            rows = self._db.execute(
                "SELECT entity_id, doc_id, form, reason, score FROM resolution_merges WHERE entity_id = ?"
                " OR entity_id IN (SELECT drop_id FROM merges WHERE keep_id = ?) ORDER BY doc_id, entity_id",
                (eid, eid),
            ).fetchall()
        return [MergeRecord(*r) for r in rows]

    def get_entity(self, entity_id: str) -> Entity | None:
        with self._lock:
            ent = self._get_entity_row(entity_id)
            if ent is None:
                return None
            rows = self._db.execute(
                "SELECT DISTINCT doc_id, start, end, text FROM entity_evidence WHERE entity_id = ?"
                " ORDER BY doc_id, start",
                (ent.id,),
            ).fetchall()
            ent.evidence = [Evidence(doc_id=r[0], start=r[1], end=r[2], text=r[3]) for r in rows]
            return ent

    def get_entities(self, entity_ids: Iterable[str], *, with_aliases: bool = True) -> dict[str, Entity]:
        with self._lock:
            return self._entities_by_ids(list(entity_ids), with_aliases)

    def entity_types(self, entity_ids: Iterable[str]) -> dict[str, str]:
        # From the covering index entities_by_id_kind, never the rows.
        rows = self._q("SELECT e.id, e.type FROM json_each(?) i"
                       " CROSS JOIN entities e INDEXED BY entities_by_id_kind ON e.id = i.value",
                       (_ids_param(dict.fromkeys(entity_ids)),))
        return {r[0]: r[1] for r in rows}

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
        cond = " AND ".join(f"e.{col} = :{col}" for col, val in filters.items() if val is not None) or "1"
        params: dict[str, Any] = {k: v for k, v in filters.items() if v is not None}
        params.update(limit=limit, offset=offset)
        qn = normalise_name(q or "")
        cols = ", ".join(f"e.{c.strip()}" for c in _ENT_COLS.split(","))
        with self._lock:
            if not qn:
                sql = f"SELECT {cols} FROM entities e WHERE {cond} ORDER BY e.name, e.id LIMIT :limit OFFSET :offset"
            else:
                # Exact name/alias matches first, then prefixes, then substrings.
                params.update(q=qn, pre=f"{_like_escape(qn)}%", sub=f"%{_like_escape(qn)}%")
                sql = (
                    "WITH hits(eid, form) AS ("
                    "  SELECT id, name_norm FROM entities WHERE name_norm LIKE :sub ESCAPE '\\'"
                    "  UNION ALL SELECT entity_id, norm FROM aliases WHERE norm LIKE :sub ESCAPE '\\'),"
                    " ranked(eid, rank) AS (SELECT eid, min(CASE WHEN form = :q THEN 0"
                    "  WHEN form LIKE :pre ESCAPE '\\' THEN 1 ELSE 2 END) FROM hits GROUP BY eid)"
                    f" SELECT {cols} FROM ranked JOIN entities e ON e.id = ranked.eid WHERE {cond}"
                    " ORDER BY ranked.rank, length(e.name), e.name, e.id LIMIT :limit OFFSET :offset"
                )
            rows = self._db.execute(sql, params).fetchall()
            aliases = self._aliases([r["id"] for r in rows])
            return [self._entity(r, aliases[r["id"]]) for r in rows]

    def find_by_forms(self, type: str, forms: Sequence[str]) -> list[Entity]:
        with self._lock:
            return self._find_by_forms_locked(type, forms)

    def degrees(self, entity_ids: Iterable[str]) -> dict[str, int]:
        ids = list(dict.fromkeys(entity_ids))
        rows = self._q(
            "SELECT value AS id, coalesce((SELECT degree FROM entity_degrees WHERE entity_id = value), 0)"
            " FROM json_each(?)",
            (_ids_param(ids),),
        )
        return {r[0]: r[1] for r in rows}

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
        check_direction(direction)
        params: dict[str, Any] = {"ids": _ids_param(entity_ids), "types": _ids_param(types)}
        conds = ["r.source != r.target", "r.type IN (SELECT value FROM json_each(:types))"]
        if entity_type is not None:
            conds.append("e.type = :etype")
            params["etype"] = entity_type
        if kinds:
            conds.append("e.kind IN (SELECT value FROM json_each(:kinds))")
            params["kinds"] = _ids_param(kinds)
        if country is not None:
            conds.append("(e.country = :country OR e.country IS NULL)")
            params["country"] = country
        if until is not None:
            conds.append("EXISTS (SELECT 1 FROM relation_evidence ev WHERE ev.relation_id = r.id AND ev.date <= :until)")
            params["until"] = until + "\uffff"
        # (seed column, other column) for each direction asked.
        sides = {"out": [("source", "target")], "in": [("target", "source")],
                 "both": [("source", "target"), ("target", "source")]}[direction]
        sql = " UNION ALL ".join(
            # CROSS JOIN fixes the order: from the few given entities along the
            # relation index, then each linked entity by id (left to itself the
            # planner may scan every entity of the type instead), in the
            # narrower of the two covering indexes: a sector's thousands of
            # organisations touch fewer pages.
            f"SELECT e.id, r.{seed} FROM relations r CROSS JOIN entities e INDEXED BY entities_by_id_kind"
            f" ON e.id = r.{other}"
            f" WHERE r.{seed} IN (SELECT value FROM json_each(:ids)) AND {' AND '.join(conds)}"
            for seed, other in sides
        )
        out: dict[str, set[str]] = {}
        for linked, seed in self._q(sql, params):
            out.setdefault(linked, set()).add(seed)
        return out

    def sector_members(
        self,
        sector_ids: Iterable[str],
        *,
        entity_type: str | None = None,
        kinds: Sequence[str] | None = None,
        country: str | None = None,
    ) -> dict[str, SectorMember]:
        # One range of sector_members per sector (and type, and country or
        # none): the rows carry what ranking reads, so no entity is looked up.
        params: dict[str, Any] = {"ids": _ids_param(dict.fromkeys(sector_ids))}
        conds = []
        if entity_type is not None:
            conds.append("m.type = :etype")
            params["etype"] = entity_type
        if country is not None:
            # Those without a country pass (the caller decides about them).
            conds.append("m.country_key IN (:country, '') AND (m.country = :country OR m.country IS NULL)")
            params["country"] = country
        if kinds:
            conds.append("m.kind IN (SELECT value FROM json_each(:kinds))")
            params["kinds"] = _ids_param(kinds)
        sql = (f"SELECT m.sector_id, m.{_SECTOR_COLS.replace(', ', ', m.')} FROM json_each(:ids) s"
               " CROSS JOIN sector_members m ON m.sector_id = s.value"
               + "".join(f" AND {c}" for c in conds))
        out: dict[str, SectorMember] = {}
        with self._lock:
            cur = self._db.cursor()
            cur.row_factory = None
            rows = cur.execute(sql, params).fetchall()
        for sector, etype, _, eid, kind, cc, name, attrs, degree in rows:
            member = out.get(eid)
            if member is None:
                out[eid] = SectorMember(Entity(id=eid, type=etype, name=name, kind=kind, country=cc,
                                               attrs=_attrs(attrs)), {sector}, degree)
            else:
                member.sectors.add(sector)
        return out

    # --- relations ------------------------------------------------------------------

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
        conds = ["r.source != r.target"]
        params: list[Any] = []
        if types is not None:
            conds.append("r.type IN (SELECT value FROM json_each(?))")
            params.append(_ids_param(types))
        if since is not None or until is not None:
            conds.append(
                "EXISTS (SELECT 1 FROM relation_evidence ev WHERE ev.relation_id = r.id"
                " AND ev.date >= ? AND ev.date <= ?)"
            )
            # Dates are ISO strings; "9999" sorts after any of them.
            params += [since or "", (until + "\uffff") if until else "9999"]
        cols = ", ".join(f"r.{c.strip()}" for c in _REL_COLS.split(","))
        base = f"SELECT {cols} FROM relations r WHERE {' AND '.join(conds)}"
        order = " ORDER BY r.date DESC, r.id"
        lim = f" LIMIT {int(limit)}" if limit is not None else ""
        with self._lock:
            cur = self._db.cursor()
            cur.row_factory = None
            if entity_ids is None:
                rows = cur.execute(base + order + lim, params).fetchall()
            else:
                # Read from the covering indexes (relations_out, relations_in)
                # alone: a hub's relations are one range of one of them.
                ids = _ids_param(entity_ids)
                parts = []
                args: list[Any] = []
                sides = [col for col, d in (("source", "out"), ("target", "in")) if direction in ("both", d)]
                seeds = list(dict.fromkeys(json.loads(ids)))
                if limit is not None and types is not None and len(seeds) == 1:
                    # One entity (a hub's newest few): each of its (type, side)
                    # ranges is read newest first and stopped at the limit.
                    one = base.replace("r.type IN (SELECT value FROM json_each(?))", "r.type = ?", 1)
                    for col in sides:
                        for rtype in dict.fromkeys(types):
                            parts.append(f"SELECT * FROM ({one} AND r.{col} = ?{order}{lim})")
                            args += [rtype, *params[1:], seeds[0]]
                else:
                    for col in sides:
                        parts.append(base + f" AND r.{col} IN (SELECT value FROM json_each(?))")
                        args += [*params, ids]
                sql = "SELECT * FROM (" + " UNION ".join(parts) + ") r" + order + lim
                rows = cur.execute(sql, args).fetchall()
            # Plain tuples in ``_REL_COLS`` order: a hub's thousands of rows
            # are built without by-name row lookups.
            rels = [Relation(id=r[0], type=r[1], source=r[2], target=r[3], confidence=r[4], date=r[5],
                             attrs=_attrs(r[6])) for r in rows]
            if with_evidence and rels:
                evidence = self._relation_evidence([r.id for r in rels])
                for rel in rels:
                    rel.evidence = evidence[rel.id]
            return rels

    def relation_evidence(self, relations: Sequence[Relation]) -> dict[str, list[Evidence]]:
        with self._lock:
            return self._relation_evidence([r.id for r in relations])

    def evidence_counts(self, relations: Sequence[Relation]) -> dict[str, int]:
        # Kept on the relation row (``_refresh_relations``) and in the
        # covering index relations_out: looked up there by every column
        # the relation was read with, where ``relations`` just read it (by
        # id, a random read on a cold cache, only if its date changed since).
        keys = {r.id: [r.id, r.source, r.type, r.date, r.target] for r in relations}
        rows = self._q(
            "SELECT k.value ->> 0, coalesce((SELECT r.evidence FROM relations r INDEXED BY relations_out"
            "  WHERE r.source = k.value ->> 1 AND r.type = k.value ->> 2 AND r.date IS k.value ->> 3"
            "  AND r.target = k.value ->> 4 AND r.id = k.value ->> 0),"
            " (SELECT evidence FROM relations WHERE id = k.value ->> 0), 0) FROM json_each(?) k",
            (json.dumps(list(keys.values())),),
        )
        return {r[0]: r[1] for r in rows}

    def evidence_spans(self, entity_id: str, relations: Sequence[Relation]) -> dict[str, list[Evidence]]:
        # Each evidence row names the entities it was first resolved to; those
        # now held by ``entity_id`` are it and every id merged into it. So the
        # evidence of its relations is where one of those is an origin: a
        # range of relation_evidence_from or _to per origin, covering (no
        # sentence read). Relations not touching it are read in full.
        out: dict[str, list[Evidence]] = {r.id: [] for r in relations}
        mine = [r.id for r in relations if entity_id in (r.source, r.target)]
        others = [r.id for r in relations if entity_id not in (r.source, r.target)]
        with self._lock:
            cur = self._db.cursor()
            cur.row_factory = None
            origins = _ids_param(self._merged_into(self._db, entity_id))
            rows = cur.execute(
                "SELECT DISTINCT relation_id, doc_id, start, end, date FROM ("
                " SELECT ev.relation_id, ev.doc_id, ev.start, ev.end, ev.date FROM json_each(:o) o"
                "  CROSS JOIN json_each(:r) r CROSS JOIN relation_evidence ev INDEXED BY relation_evidence_from"
                "  ON ev.origin_source = o.value AND ev.relation_id = r.value"
                " UNION ALL SELECT ev.relation_id, ev.doc_id, ev.start, ev.end, ev.date FROM json_each(:o) o"
                "  CROSS JOIN json_each(:r) r CROSS JOIN relation_evidence ev INDEXED BY relation_evidence_to"
                "  ON ev.origin_target = o.value AND ev.relation_id = r.value"
                ") ORDER BY relation_id, date, doc_id, start",
                {"o": origins, "r": _ids_param(dict.fromkeys(mine))},
            ).fetchall()
            full = self._relation_evidence(others) if others else {}
        # As ``_collect_evidence`` keeps them: a span reaching a relation from
        # two origins (adjacent rows) once.
        _collect_evidence(((rid, doc, start, end, "", date, 1.0, "") for rid, doc, start, end, date in rows), out)
        for rid, evs in full.items():
            out[rid] = [Evidence(doc_id=ev.doc_id, start=ev.start, end=ev.end, text="", date=ev.date) for ev in evs]
        return out

    def meeting_paths(
        self,
        entity_id: str,
        *,
        counterparts: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> list[MeetingPath]:
        # From the precomputed paths, which carry their relation's columns:
        # newest first along the primary key (one range of the entity's
        # rows), or by counterpart along their index.
        cols = ("p.counterpart_id, p.via, p.relation_id, p.type, p.source, p.target, p.confidence,"
                " nullif(p.date, ''), p.attrs")
        params: list[Any] = [entity_id]
        if counterparts is None:
            source = "meeting_paths p"
        else:
            source = ("json_each(?) c CROSS JOIN meeting_paths p INDEXED BY meeting_paths_by_counterpart"
                      " ON p.counterpart_id = c.value")
            params.insert(0, _ids_param(dict.fromkeys(counterparts)))
        sql = (f"SELECT {cols} FROM {source} WHERE p.entity_id = ?"
               " ORDER BY p.date DESC, p.counterpart_id DESC, p.relation_id DESC, p.via DESC")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._lock:
            cur = self._db.cursor()
            cur.row_factory = None
            rows = cur.execute(sql, params).fetchall()
        return [MeetingPath(counterpart=row[0], via=row[1] or None,
                            relation=Relation(id=row[2], type=row[3], source=row[4], target=row[5],
                                              confidence=row[6], date=row[7], attrs=_attrs(row[8])))
                for row in rows]

    def meeting_evidence(self, entity_id: str, paths: Sequence[MeetingPath]) -> dict[str, list[Evidence]]:
        # From the copies clustered by (entity, counterpart): each path's
        # relation is a seek inside the entity's range, not a random read.
        # Rows of one span in the order relation_evidence's key keeps them
        # (origins last), each once whichever counterpart it came through.
        keys = list(dict.fromkeys((p.counterpart, p.relation.id) for p in paths))
        out: dict[str, list[Evidence]] = {rid: [] for _, rid in keys}
        with self._lock:
            cur = self._db.cursor()
            cur.row_factory = None
            rows = cur.execute(
                "SELECT DISTINCT ev.relation_id, ev.doc_id, ev.start, ev.end, ev.origin_source, ev.origin_target,"
                " ev.text, ev.date, ev.confidence, ev.extractor FROM json_each(?) k"
                " CROSS JOIN meeting_evidence ev ON ev.entity_id = ? AND ev.counterpart_id = k.value ->> 0"
                " AND ev.relation_id = k.value ->> 1"
                " ORDER BY ev.relation_id, ev.date, ev.doc_id, ev.start, ev.end, ev.origin_source, ev.origin_target",
                (json.dumps(keys), entity_id),
            ).fetchall()
            # A path whose relation has no copy (none there: not a path of
            # this entity) is read as relation_evidence reads it.
            found = {r[0] for r in rows}
            missing = [rid for rid in out if rid not in found]
            full = self._relation_evidence(missing) if missing else {}
        _collect_evidence(((rid, doc, start, end, text, date, conf, ex)
                           for rid, doc, start, end, _, _, text, date, conf, ex in rows), out)
        out.update(full)
        return out

    def meeting_totals(self, entity_ids: Iterable[str]) -> dict[str, int]:
        rows = self._q(
            "SELECT value, coalesce((SELECT total FROM meeting_totals WHERE entity_id = value), 0)"
            " FROM json_each(?)",
            (_ids_param(dict.fromkeys(entity_ids)),),
        )
        return {r[0]: r[1] for r in rows}

    def neighbourhood(
        self,
        entity_ids: Iterable[str],
        *,
        hops: int = 1,
        types: Sequence[str] | None = None,
        max_relations: int = 5000,
    ) -> Subgraph:
        with self._lock:
            seeds = [self._current_id(i) for i in entity_ids]
            seen, ordered = walk_relations(self, seeds, hops=hops, types=types, max_relations=max_relations)
            evidence = self._relation_evidence([r.id for r in ordered])
            for r in ordered:
                r.evidence = evidence[r.id]
            return Subgraph(entities=self._entities_by_ids(sorted(seen)), relations=ordered)

    # --- curation ---------------------------------------------------------------------

    def merge_entities(self, keep_id: str, drop_id: str) -> Entity:
        with self._write() as db:
            keep, drop = self._current_id(keep_id), self._current_id(drop_id)
            rows = {r["id"]: r for r in db.execute(
                f"SELECT {_ENT_COLS} FROM entities WHERE id IN (?, ?)", (keep, drop))}
            for ref, eid in ((keep_id, keep), (drop_id, drop)):
                if eid not in rows:
                    raise UnknownEntity(ref)
            if keep == drop:
                raise StoreError(f"{keep_id!r} and {drop_id!r} are already one entity")
            if rows[keep]["type"] != rows[drop]["type"]:
                raise StoreError(
                    f"cannot merge a {rows[drop]['type']} into a {rows[keep]['type']}: {drop_id!r} into {keep_id!r}"
                )
            snapshot = {k: rows[drop][k] for k in ("type", "name", "kind", "country", "attrs")}
            db.execute(
                "INSERT INTO merges(drop_id, keep_id, snapshot, merged_at) VALUES (?,?,?,?)",
                (drop, keep, json.dumps(snapshot), _now()),
            )
            # The dropped name stays findable as an alias of the survivor.
            db.execute(
                "INSERT OR IGNORE INTO aliases(entity_id, alias, norm, doc_id, origin_id) VALUES (?,?,?,?,?)",
                (drop, rows[drop]["name"], normalise_name(rows[drop]["name"]), "", drop),
            )
            db.execute(
                "UPDATE entities SET kind = coalesce(kind, ?), country = coalesce(country, ?) WHERE id = ?",
                (rows[drop]["kind"], rows[drop]["country"], keep),
            )
            # Everything the dropped entity holds moves, including what it
            # had itself absorbed in earlier merges.
            self._rehome(db, self._merged_into(db, drop))
            db.execute("DELETE FROM entities WHERE id = ?", (drop,))
        merged = self.get_entity(keep)
        assert merged is not None
        return merged

    def unmerge_entity(self, drop_id: str) -> Entity:
        with self._write() as db:
            row = db.execute("SELECT keep_id, snapshot FROM merges WHERE drop_id = ?", (drop_id,)).fetchone()
            if row is None:
                raise StoreError(f"{drop_id!r} was not merged into another entity")
            snap = json.loads(row["snapshot"])
            db.execute("DELETE FROM merges WHERE drop_id = ?", (drop_id,))
            db.execute(
                "INSERT INTO entities(id, type, name, name_norm, kind, country, attrs) VALUES (?,?,?,?,?,?,?)",
                (drop_id, snap["type"], snap["name"], normalise_name(snap["name"]), snap["kind"],
                 snap["country"], snap["attrs"]),
            )
            # Everything whose origin now resolves to the restored entity moves back.
            self._rehome(db, self._merged_into(db, drop_id))
            db.execute("DELETE FROM aliases WHERE entity_id = ? AND norm = ?", (drop_id, normalise_name(snap["name"])))
        restored = self.get_entity(drop_id)
        assert restored is not None
        return restored

    @staticmethod
    def _merged_into(db: sqlite3.Connection, entity_id: str) -> list[str]:
        """``entity_id`` and every id whose chain of merges leads to it."""
        return [r[0] for r in db.execute(
            "WITH RECURSIVE sub(id) AS (SELECT ? UNION SELECT m.drop_id FROM merges m JOIN sub"
            " ON m.keep_id = sub.id) SELECT id FROM sub",
            (entity_id,),
        )]

    def _rehome(self, db: sqlite3.Connection, origins: Sequence[str]) -> None:
        """Move every evidence row and alias whose origin is one of
        ``origins`` to the entity that origin resolves to now."""
        param = _ids_param(origins)
        for origin in origins:
            holder = self._current_id(origin)
            for table in ("entity_evidence", "aliases"):
                # A row still on the entity it was written for is found by the
                # primary key, one a merge moved by the partial index (``*_moved``);
                # what the holder already has is left alone, what it cannot take is dropped.
                for where in ("entity_id = :o AND origin_id = :o", "origin_id = :o AND origin_id != entity_id"):
                    not_held = f"{where} AND entity_id != :h"
                    db.execute(f"UPDATE OR IGNORE {table} SET entity_id = :h WHERE {not_held}", {"o": origin, "h": holder})
                    db.execute(f"DELETE FROM {table} WHERE {not_held}", {"o": origin, "h": holder})
        # One indexed look-up per origin column: an OR of the two reads the
        # whole evidence table.
        rows = db.execute(
            "SELECT ev.relation_id, ev.origin_source, ev.origin_target, r.type, r.attrs FROM ("
            " SELECT relation_id, origin_source, origin_target FROM relation_evidence"
            "  WHERE origin_source IN (SELECT value FROM json_each(?))"
            " UNION SELECT relation_id, origin_source, origin_target FROM relation_evidence"
            "  WHERE origin_target IN (SELECT value FROM json_each(?))"
            ") ev JOIN relations r ON r.id = ev.relation_id",
            (param, param),
        ).fetchall()
        touched: set[str] = set()
        for r in rows:
            s, t = self._current_id(r["origin_source"]), self._current_id(r["origin_target"])
            new_id = relation_id(r["type"], s, t)
            touched.update((r["relation_id"], new_id))
            if new_id == r["relation_id"]:
                continue
            db.execute(
                "INSERT OR IGNORE INTO relations(id, type, source, target, confidence, date, attrs)"
                " VALUES (?,?,?,?,0,NULL,?)",
                (new_id, r["type"], s, t, r["attrs"]),
            )
            db.execute(
                "UPDATE OR IGNORE relation_evidence SET relation_id = ? WHERE relation_id = ?"
                " AND origin_source = ? AND origin_target = ?",
                (new_id, r["relation_id"], r["origin_source"], r["origin_target"]),
            )
            db.execute(
                "DELETE FROM relation_evidence WHERE relation_id = ? AND origin_source = ? AND origin_target = ?",
                (r["relation_id"], r["origin_source"], r["origin_target"]),
            )
        self._refresh_relations(db, touched)

    # --- bulk and whole-graph ---------------------------------------------------------

    def stats(self) -> Stats:
        with self._lock:
            one = lambda sql: self._db.execute(sql).fetchone()[0]  # noqa: E731
            return Stats(
                documents=one("SELECT count(*) FROM documents"),
                entities=one("SELECT count(*) FROM entities"),
                relations=one("SELECT count(*) FROM relations WHERE source != target"),
                evidence=one("SELECT count(*) FROM entity_evidence") + one("SELECT count(*) FROM relation_evidence"),
                entities_by_type=dict(self._db.execute(
                    "SELECT type, count(*) FROM entities GROUP BY type ORDER BY type").fetchall()),
                relations_by_type=dict(self._db.execute(
                    "SELECT type, count(*) FROM relations WHERE source != target GROUP BY type ORDER BY type"
                ).fetchall()),
                organizations_by_kind=dict(self._db.execute(
                    "SELECT coalesce(kind, 'unknown'), count(*) FROM entities WHERE type = 'Organization'"
                    " GROUP BY kind ORDER BY kind").fetchall()),
            )

    def iter_entities(self, *, batch_size: int = 1000, with_evidence: bool = False) -> Iterator[list[Entity]]:
        last = ""
        while True:
            with self._lock:
                rows = self._db.execute(
                    f"SELECT {_ENT_COLS} FROM entities WHERE id > ? ORDER BY id LIMIT ?", (last, batch_size)
                ).fetchall()
                if not rows:
                    return
                ids = [r["id"] for r in rows]
                aliases = self._aliases(ids)
                batch = [self._entity(r, aliases[r["id"]]) for r in rows]
                if with_evidence:
                    evs: dict[str, list[Evidence]] = {i: [] for i in ids}
                    for r in self._db.execute(
                        "SELECT DISTINCT entity_id, doc_id, start, end, text FROM entity_evidence"
                        " WHERE entity_id IN (SELECT value FROM json_each(?)) ORDER BY entity_id, doc_id, start",
                        (_ids_param(ids),),
                    ):
                        evs[r[0]].append(Evidence(doc_id=r[1], start=r[2], end=r[3], text=r[4]))
                    for e in batch:
                        e.evidence = evs[e.id]
            yield batch
            last = ids[-1]

    def iter_relations(self, *, batch_size: int = 1000, with_evidence: bool = True) -> Iterator[list[Relation]]:
        # The bulk read behind exports and ``sync``: plain tuples, and each
        # page's evidence as one range of the evidence table's primary key
        # (already in relation order, no sort), grouped here.
        last = ""
        cur = self._db.cursor()
        cur.row_factory = None
        while True:
            with self._lock:
                rows = cur.execute(
                    f"SELECT {_REL_COLS} FROM relations WHERE id > ? AND source != target ORDER BY id LIMIT ?",
                    (last, batch_size),
                ).fetchall()
                if not rows:
                    return
                batch = [Relation(id=r[0], type=r[1], source=r[2], target=r[3], confidence=r[4], date=r[5],
                                  attrs=_attrs(r[6])) for r in rows]
                if with_evidence:
                    # The range also holds self-loops' evidence: not in
                    # ``by_id``, so skipped.
                    by_id = {rel.id: rel.evidence for rel in batch}
                    _collect_evidence(cur.execute(
                        f"SELECT {_EV_COLS} FROM relation_evidence WHERE relation_id >= ? AND relation_id <= ?",
                        (batch[0].id, batch[-1].id),
                    ).fetchall(), by_id)
                    for rel in batch:
                        if len(rel.evidence) > 1:
                            rel.evidence.sort(key=_evidence_order)
            yield batch
            last = batch[-1].id

    def iter_documents(self, *, batch_size: int = 100) -> Iterator[list[Document]]:
        last = ""
        while True:
            rows = self._q("SELECT * FROM documents WHERE id > ? ORDER BY id LIMIT ?", (last, batch_size))
            if not rows:
                return
            yield [Document(**dict(r)) for r in rows]
            last = rows[-1]["id"]

    def write_graph(
        self,
        documents: Sequence[Document],
        entities: Sequence[Entity],
        relations: Sequence[Relation],
    ) -> None:
        with self._write() as db:
            db.executemany(
                "INSERT OR IGNORE INTO documents(id, source, title, date, text, extractor, ingested_at)"
                " VALUES (?,?,?,?,?,?,?)",
                [(d.id, d.source, d.title, d.date, d.text, d.extractor, d.ingested_at or _now()) for d in documents],
            )
            db.executemany(
                "INSERT OR IGNORE INTO entities(id, type, name, name_norm, kind, country, attrs) VALUES (?,?,?,?,?,?,?)",
                [(e.id, e.type, e.name, normalise_name(e.name), e.kind, e.country, json.dumps(e.attrs))
                 for e in entities],
            )
            db.executemany(
                "INSERT OR IGNORE INTO aliases(entity_id, alias, norm, doc_id, origin_id) VALUES (?,?,?,?,?)",
                [(e.id, a, normalise_name(a), e.evidence[0].doc_id if e.evidence else "", e.id)
                 for e in entities for a in e.aliases],
            )
            db.executemany(
                "INSERT OR IGNORE INTO entity_evidence(entity_id, doc_id, start, end, text, origin_id)"
                " VALUES (?,?,?,?,?,?)",
                [(e.id, ev.doc_id, ev.start, ev.end, ev.text, e.id) for e in entities for ev in e.evidence],
            )
            db.executemany(
                "INSERT OR IGNORE INTO relations(id, type, source, target, confidence, date, attrs)"
                " VALUES (?,?,?,?,?,?,?)",
                [(r.id, r.type, r.source, r.target, r.confidence, r.date, json.dumps(r.attrs)) for r in relations],
            )
            db.executemany(
                "INSERT OR IGNORE INTO relation_evidence(relation_id, doc_id, start, end, text, date, confidence,"
                " extractor, origin_source, origin_target) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(r.id, ev.doc_id, ev.start, ev.end, ev.text, ev.date, ev.confidence, ev.extractor,
                  r.source, r.target) for r in relations for ev in r.evidence],
            )
            # A later batch may add evidence to a relation an earlier one wrote.
            self._refresh_relations(db, (r.id for r in relations))
        # A bulk load is when tables grow by orders of magnitude at once.
        with self._lock:
            self._optimize()

    # --- corrections and re-extraction ----------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._write():
            yield

    @property
    def in_transaction(self) -> bool:
        """Inside ``transaction()``: another connection's writes would wait
        for this one's lock."""
        return self._db.in_transaction

    def save_correction(self, correction: Correction) -> None:
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO corrections(id, at, kind, body) VALUES (?,?,?,?)",
                       (correction.id, correction.at, correction.kind, json.dumps(correction.to_dict())))
            db.executemany("INSERT OR IGNORE INTO correction_subjects(entity_id, correction_id) VALUES (?, ?)",
                           [(eid, correction.id) for eid in correction.subjects])

    def list_corrections(self) -> list[Correction]:
        return [Correction.from_dict(json.loads(r[0]))
                for r in self._q("SELECT body FROM corrections ORDER BY at, id")]

    def corrections_about(self, entity_ids: Iterable[str]) -> list[Correction]:
        rows = self._q(
            "SELECT body FROM corrections WHERE id IN (SELECT correction_id FROM correction_subjects"
            " WHERE entity_id IN (SELECT value FROM json_each(?))) ORDER BY at, id",
            (_ids_param(entity_ids),),
        )
        return [Correction.from_dict(json.loads(r[0])) for r in rows]

    def document_relations(self, doc_id: str) -> list[Relation]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_REL_COLS} FROM relations WHERE source != target AND id IN"
                " (SELECT relation_id FROM relation_evidence WHERE doc_id = ?) ORDER BY id",
                (doc_id,),
            ).fetchall()
            return self._relations_from_rows(rows, True)

    def remove_relation(self, rtype: str, rel_id: str) -> Relation | None:
        with self._write() as db:
            rows = db.execute(f"SELECT {_REL_COLS} FROM relations WHERE id = ? AND type = ?",
                              (rel_id, rtype)).fetchall()
            if not rows:
                return None
            [rel] = self._relations_from_rows(rows, True)
            db.execute("DELETE FROM relation_evidence WHERE relation_id = ?", (rel_id,))
            db.execute("DELETE FROM relations WHERE id = ?", (rel_id,))
        return rel

    def update_entity(self, entity_id: str, changes: dict[str, Any]) -> Entity:
        with self._write() as db:
            eid = self._current_id(entity_id)
            if not db.execute("SELECT 1 FROM entities WHERE id = ?", (eid,)).fetchone():
                raise UnknownEntity(entity_id)
            for col in ("type", "kind", "country"):
                if col in changes:
                    db.execute(f"UPDATE entities SET {col} = ? WHERE id = ?", (changes[col], eid))
            if "name" in changes:
                db.execute("UPDATE entities SET name = ?, name_norm = ? WHERE id = ?",
                           (changes["name"], normalise_name(changes["name"]), eid))
            for alias in changes.get("aliases_add", []):
                db.execute(
                    "INSERT OR IGNORE INTO aliases(entity_id, alias, norm, doc_id, origin_id) VALUES (?,?,?,?,?)",
                    (eid, alias, normalise_name(alias), "", eid))
            for alias in changes.get("aliases_remove", []):
                db.execute("DELETE FROM aliases WHERE entity_id = ? AND alias = ?", (eid, alias))
        updated = self.get_entity(eid)
        assert updated is not None
        return updated

    def begin_reextract(self, doc: Document) -> None:
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO reextract_journal(doc_id, document) VALUES (?, ?)",
                       (doc.id, json.dumps(asdict(doc))))

    def pending_reextracts(self) -> list[Document]:
        return [Document(**json.loads(r[0])) for r in self._q("SELECT document FROM reextract_journal ORDER BY doc_id")]

    def end_reextract(self, doc_id: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM reextract_journal WHERE doc_id = ?", (doc_id,))

    def compact(self) -> None:
        """Rewrite the file so each table and index is one run of pages
        (VACUUM). Written report by report, their pages lie scattered through
        the file, and a first query on a cold cache reads each alone;
        rewritten, the kernel's read-ahead brings in neighbours it also
        needs. Holds the write lock while it runs (about a minute at 1M
        relations) and passes the whole file through the WAL once: it
        refuses (StoreError) when the disk cannot hold those two copies."""
        with self._lock:
            self._check_room_to_compact()
            self._db.execute("VACUUM")
            with self._write() as db:
                db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('compacted_bytes', ?)",
                           (str(self.size_bytes()),))
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _check_room_to_compact(self) -> None:
        # VACUUM builds a copy in the temporary directory (SQLite's choice is
        # close to Python's), then writes it back through the WAL beside the
        # file: room for both, with a margin.
        size = self.size_bytes() * 11 // 10
        wanted: dict[int, tuple[Path, int]] = {}
        for folder in (self.path.parent, Path(tempfile.gettempdir())):
            device = folder.stat().st_dev
            wanted[device] = (folder, wanted[device][1] + size if device in wanted else size)
        for folder, need in wanted.values():
            free = shutil.disk_usage(folder).free
            if free < need:
                raise StoreError(f"not enough free disk to compact {self.path}: about {need / 2**20:,.0f} MiB"
                                 f" needed in {folder}, {free / 2**20:,.0f} MiB free")

    def size_bytes(self) -> int:
        """The database's size in pages times the page size (the WAL's pages included)."""
        with self._lock:
            pages = self._db.execute("PRAGMA page_count").fetchone()[0]
            return int(pages) * int(self._db.execute("PRAGMA page_size").fetchone()[0])

    def compaction_due(self, min_bytes: int | None = None) -> bool:
        """Whether an ingest should end with ``compact()``: the file is at least
        ``min_bytes`` (default ``COMPACT_FROM_BYTES``) and has grown by
        ``COMPACT_GROWTH`` since it was last rewritten (or never was). Growth
        by a fixed factor keeps the rewriting bounded: over any number of
        ingests it copies at most growth / (growth - 1) times the final file."""
        size = self.size_bytes()
        if size < (COMPACT_FROM_BYTES if min_bytes is None else min_bytes):
            return False
        row = self._q("SELECT value FROM meta WHERE key = 'compacted_bytes'")
        return not row or size >= COMPACT_GROWTH * int(row[0][0])

    def close(self) -> None:
        with self._lock:
            # SQLite's advice for every connection: optimize before closing,
            # so statistics follow the store as ingests grow it.
            self._optimize()
            self._db.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

