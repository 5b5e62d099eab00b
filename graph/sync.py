"""Copy one store's graph into another: ``tradekg sync --from <db> --to <url>``.

Entities first, then relations with their evidence, documents last, each in
batches through ``target.write_graph`` (UNWIND batches, MERGE on stable ids).
Every write is idempotent, so a sync cut short by a lost connection is
completed by running it again, with nothing duplicated; and a document only
appears in the target once the facts before it are there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from graph.store import Store


@dataclass(slots=True)
class SyncReport:
    documents: int = 0
    entities: int = 0
    relations: int = 0
    evidence: int = 0  # relation and entity evidence sent
    seconds: float = 0.0

    @property
    def relations_per_second(self) -> float:
        return self.relations / self.seconds if self.seconds > 0 else 0.0


def sync_stores(
    source: Store,
    target: Store,
    *,
    batch_size: int = 1000,
    on_progress: Callable[[str, int], None] | None = None,
) -> SyncReport:
    """Copy every document, entity and relation (with evidence) of ``source``
    into ``target``. ``on_progress(kind, count_so_far)`` is called after each
    batch, ``kind`` being "entities", "relations" or "documents"."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    report = SyncReport()
    started = time.perf_counter()

    def progress(kind: str, count: int) -> None:
        if on_progress is not None:
            on_progress(kind, count)

    # Entities travel with their mention evidence (their provenance).
    for ents in source.iter_entities(batch_size=batch_size, with_evidence=True):
        target.write_graph([], ents, [])
        report.entities += len(ents)
        report.evidence += sum(len(e.evidence) for e in ents)
        progress("entities", report.entities)
    for rels in source.iter_relations(batch_size=batch_size, with_evidence=True):
        target.write_graph([], [], rels)
        report.relations += len(rels)
        report.evidence += sum(len(r.evidence) for r in rels)
        progress("relations", report.relations)
    # Documents are the heaviest rows (full text): smaller batches.
    for docs in source.iter_documents(batch_size=max(1, min(batch_size, 100))):
        target.write_graph(docs, [], [])
        report.documents += len(docs)
        progress("documents", report.documents)
    report.seconds = time.perf_counter() - started
    return report
