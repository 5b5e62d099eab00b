"""The store interface: the primitives every backend offers.

Queries, exports, the API and the CLI use only these methods, so they run
unchanged on the embedded SQLite store and on a Cypher server. A backend is
correct when it passes ``tests/test_store_contract.py``.

``open_store(url)`` picks the backend from a URL:

* a path or ``sqlite:///path``          -> SqliteStore (the default, one file)
* ``bolt://``, ``neo4j://`` (+s, +ssc)  -> CypherStore over the neo4j driver
* ``falkordb://host:port/graph``        -> CypherStore over FalkorDB's client
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

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
)

DEFAULT_DB = "data/tradekg.db"


class StoreError(Exception):
    """A store could not do what was asked; the message says why."""


class UnknownEntity(StoreError, KeyError):
    def __init__(self, ref: str):
        super().__init__(ref)
        self.ref = ref

    def __str__(self) -> str:
        return f"no entity {self.ref!r}"


class UnknownDocument(StoreError, KeyError):
    def __init__(self, ref: str):
        super().__init__(ref)
        self.ref = ref

    def __str__(self) -> str:
        return f"no document {self.ref!r}"


@runtime_checkable
class Store(Protocol):
    """Primitives of a tradekg graph store.

    Writes are atomic per call: after a crash a store holds either all of a
    document's facts or none of them.
    """

    # --- documents ----------------------------------------------------------
    def upsert_extraction(self, extraction: Extraction) -> UpsertResult:
        """Add one document and everything extracted from it, in one
        transaction. Entities are resolved against the graph
        (``graph.resolve``); a document already stored changes nothing."""
        ...

    def has_document(self, doc_id: str) -> bool: ...

    def get_document(self, doc_id: str) -> Document | None: ...

    def list_documents(self, *, limit: int = 100, offset: int = 0) -> list[Document]:
        """Documents without their text, newest ingest first."""
        ...

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document and the facts only it supports. Entities and
        relations that other documents also state keep their other evidence."""
        ...

    # --- entities -----------------------------------------------------------
    def get_entity(self, entity_id: str) -> Entity | None:
        """The entity with aliases and evidence; follows merges, so the id of
        an entity merged into another returns the survivor."""
        ...

    def get_entities(self, entity_ids: Iterable[str], *, with_aliases: bool = True) -> dict[str, Entity]:
        """Several entities by id (missing ones are left out), without
        evidence; ``with_aliases=False`` leaves out their other names too
        (ranking thousands of candidates needs type, name, kind, country)."""
        ...

    def entity_types(self, entity_ids: Iterable[str]) -> dict[str, str]:
        """The type of each entity found, by id (missing ones are left out):
        telling the delegations among thousands of ids reads nothing else."""
        ...

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
        """Entities whose name or an alias matches ``q`` (case-insensitive;
        exact matches first, then prefix, then substring), filtered. Without
        evidence."""
        ...

    def find_by_forms(self, type: str, forms: Sequence[str]) -> list[Entity]:
        """Entities of ``type`` whose normalised name or alias is one of
        ``forms`` (already normalised with ``model.normalise_name``)."""
        ...

    def merge_records(self, entity_id: str) -> list[MergeRecord]:
        """Why resolution joined each later report's mention to this entity
        (and to entities merged into it): the report, the shared form, the
        rule and its score. Written by ``upsert_extraction``, gone with the
        report; not copied by a sync."""
        ...

    def degrees(self, entity_ids: Iterable[str]) -> dict[str, int]:
        """Number of relations touching each entity."""
        ...

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
        """Entities linked to ``entity_ids`` by relations of ``types``
        ("out": the given entities are the sources, "in": the targets),
        filtered by their type, kind and country, each mapped to the given
        entities it is linked to. An entity with no country passes a country
        filter: the caller decides about it. ``until`` keeps relations stated
        for a date up to it. The filtering happens in the store, so a query
        about one sector in one country does not read the whole sector."""
        ...

    def sector_members(
        self,
        sector_ids: Iterable[str],
        *,
        entity_type: str | None = None,
        kinds: Sequence[str] | None = None,
        country: str | None = None,
    ) -> dict[str, SectorMember]:
        """The entities in the given sector entities (``IN_SECTOR`` relations
        into them), filtered as ``linked_entities`` filters them, each with
        the entity (no aliases), the given sectors it is in and its degree:
        what ``linked_entities(..., types=[IN_SECTOR], direction="in")``,
        ``get_entities(..., with_aliases=False)`` and ``degrees`` give, read
        together (on the embedded store, from one range of a table kept by
        every write)."""
        ...

    # --- relations ----------------------------------------------------------
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
        """Relations of the given types touching ``entity_ids`` (``direction``:
        "out" = entity is source, "in" = target, "both"). ``since``/``until``
        keep relations with at least one evidence date in [since, until]
        (ISO dates, inclusive)."""
        ...

    def relation_evidence(self, relations: Sequence[Relation]) -> dict[str, list[Evidence]]:
        """The evidence of relations read with ``with_evidence=False``, by
        relation id: a query ranks cheap rows first and reads evidence only
        for the page it shows."""
        ...

    def evidence_counts(self, relations: Sequence[Relation]) -> dict[str, int]:
        """How many pieces of evidence (distinct spans) state each relation,
        by id, without reading them: what weighs a tie."""
        ...

    def evidence_spans(self, entity_id: str, relations: Sequence[Relation]) -> dict[str, list[Evidence]]:
        """The evidence of ``relations`` (relations of ``entity_id``), by
        relation id, as ``relation_evidence`` gives it but without the text
        (``text`` empty; document, span and date kept): what ranking an
        entity counts and dates, read without the sentences (on the
        embedded store, from ranges of an index clustered by the entity)."""
        ...

    def meeting_paths(
        self,
        entity_id: str,
        *,
        counterparts: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> list[MeetingPath]:
        """How ``entity_id`` met whom: every meeting relation (MET_WITH,
        SIGNED_WITH) touching it (``via`` None); every meeting of a
        delegation (a Mission) it led, joined or sent (LED, MEMBER_OF,
        ORGANIZED), ``via`` that delegation; every entity that led, joined
        or sent a delegation it met, ``via`` that delegation. Never itself
        as counterpart. Relations without evidence, newest first (undated
        last). ``counterparts`` keeps the paths to those; ``limit`` reads
        only the newest so many, so a hub's first page does not read its
        thousands of meetings."""
        ...

    def meeting_evidence(self, entity_id: str, paths: Sequence[MeetingPath]) -> dict[str, list[Evidence]]:
        """The evidence of the relations of ``paths`` (paths of ``entity_id``,
        as ``meeting_paths`` gives them), by relation id, exactly as
        ``relation_evidence`` gives it: what a page of meetings shows (on
        the embedded store, from a copy clustered by entity and counterpart,
        so a hub's page is not one random read per relation)."""
        ...

    def meeting_totals(self, entity_ids: Iterable[str]) -> dict[str, int]:
        """How many distinct counterparts ``meeting_paths`` has for each
        entity (0 for none), without reading them: kept up to date by the
        store on every write."""
        ...

    def neighbourhood(
        self,
        entity_ids: Iterable[str],
        *,
        hops: int = 1,
        types: Sequence[str] | None = None,
        max_relations: int = 5000,
    ) -> Subgraph:
        """Entities within ``hops`` relations of the seeds, and the relations
        between them (at most ``max_relations``, nearest first), with
        evidence."""
        ...

    # --- curation -----------------------------------------------------------
    def merge_entities(self, keep_id: str, drop_id: str) -> Entity:
        """Fold ``drop`` into ``keep``: aliases, evidence and relations move
        over. Recorded, so ``unmerge_entity(drop_id)`` can undo it."""
        ...

    def unmerge_entity(self, drop_id: str) -> Entity:
        """Undo ``merge_entities(_, drop_id)``: the dropped entity comes back
        with the evidence and relations it brought."""
        ...

    # --- bulk and whole-graph -----------------------------------------------
    def stats(self) -> Stats: ...

    def iter_entities(self, *, batch_size: int = 1000, with_evidence: bool = False) -> Iterator[list[Entity]]:
        """Every entity, in batches (evidence only when asked: sync needs it,
        exports do not)."""
        ...

    def iter_relations(self, *, batch_size: int = 1000, with_evidence: bool = True) -> Iterator[list[Relation]]: ...

    def iter_documents(self, *, batch_size: int = 100) -> Iterator[list[Document]]:
        """Every document, with text."""
        ...

    def write_graph(
        self,
        documents: Sequence[Document],
        entities: Sequence[Entity],
        relations: Sequence[Relation],
    ) -> None:
        """Bulk-load already-resolved records (global ids, evidence attached)
        in one transaction; idempotent. Used by ``tradekg sync`` and the
        synthetic benchmark generator."""
        ...

    # --- corrections and re-extraction (graph.corrections, graph.reextract) --
    def transaction(self) -> AbstractContextManager[None]:
        """Writes made inside happen together or not at all: one transaction
        on SQLite. On a Cypher server each write stays its own; re-extraction
        relies on its journal (``begin_reextract``) there."""
        ...

    def save_correction(self, correction: Correction) -> None:
        """Add a correction to the ledger, or replace the one with its id."""
        ...

    def list_corrections(self) -> list[Correction]:
        """Every correction, undone ones included, oldest first."""
        ...

    def corrections_about(self, entity_ids: Iterable[str]) -> list[Correction]:
        """The corrections with one of ``entity_ids`` among their
        ``subjects``, oldest first: an indexed look-up."""
        ...

    def document_relations(self, doc_id: str) -> list[Relation]:
        """The relations with evidence from ``doc_id``, with all their evidence."""
        ...

    def remove_relation(self, rtype: str, rel_id: str) -> Relation | None:
        """Take a relation and all its evidence out of the graph; returns
        what was taken (None when there was no such relation)."""
        ...

    def update_entity(self, entity_id: str, changes: dict[str, Any]) -> Entity:
        """Set an entity's ``name``, ``type``, ``kind`` or ``country`` and add
        (``aliases_add``) or remove (``aliases_remove``) names."""
        ...

    def begin_reextract(self, doc: Document) -> None:
        """Journal a document about to be re-extracted (with its text), so a
        run killed half-way can be finished from the journal."""
        ...

    def pending_reextracts(self) -> list[Document]: ...

    def end_reextract(self, doc_id: str) -> None: ...

    def close(self) -> None: ...


DIRECTIONS = ("both", "out", "in")


def check_direction(direction: str) -> str:
    """``direction`` of ``relations``/``linked_entities``, or a clear error."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be 'both', 'out' or 'in', not {direction!r}")
    return direction


def walk_relations(
    store: Store, seeds: Sequence[str], *, hops: int, types: Sequence[str] | None, max_relations: int
) -> tuple[set[str], list[Relation]]:
    """Breadth-first from ``seeds`` over ``store.relations``: the entities
    reached within ``hops`` and the relations walked, nearest first, at most
    ``max_relations`` (without evidence). Every backend's ``neighbourhood``
    is this walk plus one read of evidence and entities."""
    seen = set(seeds)
    frontier = list(seeds)
    walked: dict[str, Relation] = {}
    for _ in range(max(0, int(hops))):
        if not frontier or len(walked) >= max_relations:
            break
        found = store.relations(types=types, entity_ids=frontier, with_evidence=False,
                                limit=max_relations - len(walked))
        nxt = []
        for r in found:
            if r.id in walked:
                continue
            walked[r.id] = r
            for end in (r.source, r.target):
                if end not in seen:
                    seen.add(end)
                    nxt.append(end)
        frontier = nxt
    return seen, list(walked.values())


def _target(url: str | os.PathLike[str] | None) -> tuple[str, str]:
    """(scheme, the URL) of the store named by ``url`` or the environment."""
    target = str(url or os.environ.get("TRADEKG_STORE") or os.environ.get("TRADEKG_DB") or DEFAULT_DB)
    return (target.split("://", 1)[0].lower() if "://" in target else ""), target


def embedded_path(url: str | os.PathLike[str] | None = None) -> Path | None:
    """The file of the embedded store ``open_store(url)`` opens (None for a server)."""
    scheme, target = _target(url)
    if scheme not in {"", "sqlite"}:
        return None
    return Path(target.split("://", 1)[1] if scheme else target)


def open_store(url: str | os.PathLike[str] | None = None) -> Store:
    """Open the store named by ``url``, ``$TRADEKG_STORE``, ``$TRADEKG_DB``,
    or the default file ``data/tradekg.db``."""
    scheme, target = _target(url)
    if scheme in {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc", "falkordb"}:
        from graph.cypher_store import CypherStore

        return CypherStore.from_url(target)
    path = embedded_path(target)
    if path is not None:
        from graph.sqlite_store import SqliteStore

        return SqliteStore(path)
    raise StoreError(f"unknown store URL {target!r}: use a file path, sqlite://, bolt://, neo4j:// or falkordb://")
