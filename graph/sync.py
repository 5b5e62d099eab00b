"""Copy one store's graph into another: ``tradekg sync --from <db> --to <url>``.

Entities first, then relations with their evidence (batched by type),
documents last, each in batches through ``target.write_graph`` (UNWIND
batches, idempotent on stable ids).
Every write is idempotent, so a sync cut short by a lost connection is
completed by running it again, with nothing duplicated; and a document only
appears in the target once the facts before it are there.
"""

from __future__ import annotations

import functools
import gc
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from graph.model import Document, Entity, Relation
from graph.store import Store


@runtime_checkable
class PreparingTarget(Protocol):
    """A target that can split ``write_graph`` into client work
    (``prepare_graph``) and sending (``write_prepared``), as CypherStore does."""

    def prepare_graph(self, documents: Sequence[Document], entities: Sequence[Entity],
                      relations: Sequence[Relation], *, relations_known_new: bool = False) -> Any: ...

    def write_prepared(self, prepared: Any) -> None: ...

    def holds_relations(self) -> bool: ...

    @property
    def writes_in_flight(self) -> int:
        """How many batches may be written at once."""
        ...


@dataclass(slots=True)
class SyncReport:
    documents: int = 0
    entities: int = 0
    relations: int = 0
    evidence: int = 0  # relation and entity evidence sent
    seconds: float = 0.0
    # The target held no relation when the sync began, so relations were
    # created without looking for an existing copy first.
    into_empty: bool = False

    @property
    def relations_per_second(self) -> float:
        return self.relations / self.seconds if self.seconds > 0 else 0.0


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector. A sync allocates millions of
    short-lived records without reference cycles (reference counting frees
    them), and the collector's full passes, each over every live object,
    were up to a third of the client's time, more with bigger batches."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def sync_stores(
    source: Store,
    target: Store,
    *,
    batch_size: int = 2000,
    on_progress: Callable[[str, int], None] | None = None,
) -> SyncReport:
    """Copy every document, entity and relation (with evidence) of ``source``
    into ``target``. ``on_progress(kind, count_so_far)`` is called after each
    batch, ``kind`` being "entities", "relations" or "documents".

    ``batch_size``, rows per write: on FalkorDB each write costs more the
    bigger the graph, whatever its size, so fewer and bigger writes pay at
    1M relations; past ~2,000 rows this process's encoding slows down more
    than the server speeds up (docs/benchmarks.md)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    report = SyncReport()
    started = time.perf_counter()

    def progress(kind: str, count: int) -> None:
        if on_progress is not None:
            on_progress(kind, count)

    # Into a graph holding no relation, every relation the sync sends is new
    # (the source has each id once, and tradekg assumes one writer per
    # graph), so the target can skip looking for an existing copy. A sync
    # cut short and run again finds relations there and takes the
    # idempotent path.
    report.into_empty = isinstance(target, PreparingTarget) and not target.holds_relations()
    # Writer threads: while the target digests a batch, the next one is read
    # from the source and prepared (encoded too, when the target can split
    # that off). FalkorDB gets two batches at a time, on two connections, so
    # it always has the next one at hand instead of waiting for this process
    # to notice the last reply (a quarter of its time at 1M relations).
    # Batches of one phase are independent (distinct ids, their endpoints
    # already written), so their order does not matter; between phases every
    # write is waited for, so relations never arrive before their entities,
    # nor documents before their facts. The first failure stops the sync.
    depth = max(1, target.writes_in_flight) if isinstance(target, PreparingTarget) else 1
    in_flight: deque[tuple[Future[None], str, int]] = deque()
    with _cyclic_gc_paused(), ThreadPoolExecutor(max_workers=depth, thread_name_prefix="tradekg-sync") as writer:

        def settle(keep: int) -> None:
            """Wait until at most ``keep`` writes are in flight, oldest first."""
            while len(in_flight) > keep:
                done, kind, count = in_flight.popleft()
                done.result()
                progress(kind, count)

        def send(docs: Sequence[Document], ents: Sequence[Entity], rels: Sequence[Relation],
                 kind: str, count: int) -> None:
            if isinstance(target, PreparingTarget):
                prepared = target.prepare_graph(docs, ents, rels, relations_known_new=report.into_empty)
                job = functools.partial(target.write_prepared, prepared)
            else:
                job = functools.partial(target.write_graph, docs, ents, rels)
            settle(depth - 1)
            in_flight.append((writer.submit(job), kind, count))

        # Entities travel with their mention evidence (their provenance).
        for ents in source.iter_entities(batch_size=batch_size, with_evidence=True):
            report.entities += len(ents)
            report.evidence += sum(len(e.evidence) for e in ents)
            send([], ents, [], "entities", report.entities)
        settle(0)
        # Relations are sent one type at a time, ``batch_size`` of a type per
        # write: a bulk write is one statement per relation type, and on
        # FalkorDB a statement costs more the bigger the graph, whatever its
        # size (1M relations: 56 s of server CPU in batches mixing all 13
        # types, 21-28 s one type per batch). A source paging by id mixes them.
        pending_by_type: dict[str, list[Relation]] = defaultdict(list)
        sent = 0
        for rels in source.iter_relations(batch_size=batch_size, with_evidence=True):
            report.relations += len(rels)
            report.evidence += sum(len(r.evidence) for r in rels)
            for r in rels:
                pending_by_type[r.type].append(r)
            for rtype in [t for t, rs in pending_by_type.items() if len(rs) >= batch_size]:
                batch = pending_by_type.pop(rtype)
                sent += len(batch)
                send([], [], batch, "relations", sent)
        for _, batch in sorted(pending_by_type.items()):
            sent += len(batch)
            send([], [], batch, "relations", sent)
        settle(0)
        # Documents are the heaviest rows (full text): smaller batches.
        for docs in source.iter_documents(batch_size=max(1, min(batch_size, 100))):
            report.documents += len(docs)
            send(docs, [], [], "documents", report.documents)
        settle(0)
    report.seconds = time.perf_counter() - started
    return report
