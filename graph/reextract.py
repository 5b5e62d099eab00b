"""Re-extraction: run the current extractor again on stored documents,
keeping every correction.

Each document is replaced on its own: its extracted facts go, the new
extractor's come in, and the corrections are applied again (a rejected fact
stays out if found again, an accepted or added one stays in if missed). On
SQLite that is one transaction per document. Every document is first
written to a journal with its text, so a run killed on a store without
multi-write transactions (a Cypher server) is finished by the next run; a
document whose stored extractor is already the current one is skipped, so
re-running the same command finishes what a killed run left.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from graph.corrections import ACCEPT, ADD, REJECT, current_relation_id, is_correction_evidence, reapply
from graph.model import Document, Extraction, Relation
from graph.store import Store, UnknownDocument

ProgressCallback = Callable[[str, str], None]


class Extracts(Protocol):
    """What re-extraction needs of ``ingest.extract.Extractor``."""

    version: str

    def extract(self, doc: Document) -> Extraction: ...


@dataclass
class DocumentChanges:
    """What re-extracting one document changed, as "TYPE source -> target"."""

    doc_id: str
    source: str
    extractor_before: str
    extractor_after: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # Where the new extractor and a correction disagree (the correction won).
    conflicts: list[str] = field(default_factory=list)


@dataclass
class ReextractReport:
    documents: list[DocumentChanges] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(len(d.added) for d in self.documents)

    @property
    def removed(self) -> int:
        return sum(len(d.removed) for d in self.documents)

    @property
    def conflicts(self) -> int:
        return sum(len(d.conflicts) for d in self.documents)


_VERSION = re.compile(r"(\d+(?:\.\d+)*)")


def version_key(version: str) -> tuple[int, ...]:
    """The first dotted number of an extractor version
    ("tradekg-extract/0.2+en_core_web_sm-3.8.0" -> (0, 2)); () when none."""
    m = _VERSION.search(version.split("+", 1)[0])
    return tuple(int(p) for p in m.group(1).split(".")) if m else ()


def select_documents(
    store: Store,
    *,
    current_version: str,
    everything: bool = False,
    doc_ids: Sequence[str] = (),
    older_than: str | None = None,
) -> list[str]:
    """Ids of the documents to re-extract: the ones named, all, those made
    by an extractor older than ``older_than``, or (by default) those made by
    any extractor other than the current one."""
    if doc_ids:
        for d in doc_ids:
            if not store.has_document(d):
                raise UnknownDocument(d)
        return list(dict.fromkeys(doc_ids))
    limit = version_key(older_than) if older_than else None
    out = []
    for batch in store.iter_documents():
        for doc in batch:
            if everything:
                out.append(doc.id)
            elif limit is not None:
                if version_key(doc.extractor) < limit:
                    out.append(doc.id)
            elif doc.extractor != current_version:
                out.append(doc.id)
    return out


def _facts(relations: Iterable[Relation], doc_id: str) -> set[str]:
    """The relations extraction (not a correction) states in ``doc_id``."""
    return {f"{r.type} {r.source} -> {r.target}" for r in relations
            if any(ev.doc_id == doc_id and not is_correction_evidence(ev) for ev in r.evidence)}


def _forget_hidden_evidence(store: Store, doc_id: str) -> None:
    """What a rejection took from the old extraction of ``doc_id`` is
    replaced with the new one: forgotten here, found again (or not) after."""
    for c in store.list_corrections():
        if c.kind == REJECT and any(e.doc_id == doc_id for e in c.hidden):
            c.hidden = [e for e in c.hidden if e.doc_id != doc_id]
            store.save_correction(c)


def _conflicts(store: Store, doc_id: str, after: list[Relation]) -> list[str]:
    out = []
    extracted = {r.id for r in after
                 if any(ev.doc_id == doc_id and not is_correction_evidence(ev) for ev in r.evidence)}
    for c in store.list_corrections():
        if not c.active:
            continue
        what = f"{c.relation_type} {c.source} -> {c.target}"
        if c.kind == REJECT and any(e.doc_id == doc_id for e in c.hidden):
            out.append(f"found again, kept rejected by {c.id}: {what}")
        elif (c.kind in (ACCEPT, ADD) and any(e.doc_id == doc_id for e in c.evidence)
              and current_relation_id(store, c) not in extracted):
            out.append(f"no longer extracted, kept by {c.id}: {what}")
    return out


def reextract_document(store: Store, extractor: Extracts, doc: Document) -> DocumentChanges:
    """Replace the extracted facts of one stored document with the
    extractor's, keeping every correction."""
    extraction = extractor.extract(doc)  # the slow part, outside the transaction
    with store.transaction():
        store.begin_reextract(doc)
        before = _facts(store.document_relations(doc.id), doc.id)
        _forget_hidden_evidence(store, doc.id)
        store.delete_document(doc.id)
        store.upsert_extraction(extraction)
        notes = reapply(store)
        after_relations = store.document_relations(doc.id)
        after = _facts(after_relations, doc.id)
        changes = DocumentChanges(
            doc_id=doc.id, source=doc.source, extractor_before=doc.extractor,
            extractor_after=extraction.extractor, added=sorted(after - before), removed=sorted(before - after),
            conflicts=_conflicts(store, doc.id, after_relations) + notes,
        )
        store.end_reextract(doc.id)
    return changes


def reextract(
    store: Store,
    extractor: Extracts,
    doc_ids: Sequence[str],
    *,
    on_progress: ProgressCallback | None = None,
) -> ReextractReport:
    """Re-extract ``doc_ids``, after finishing any a killed run left in the
    journal. One failing document is reported; the others go on."""
    report = ReextractReport()
    pending = {d.id: d for d in store.pending_reextracts()}
    todo = [*pending, *(d for d in doc_ids if d not in pending)]
    for doc_id in todo:
        doc = store.get_document(doc_id) or pending.get(doc_id)
        if doc is None:
            report.errors.append(f"{doc_id}: no such document")
            continue
        try:
            report.documents.append(reextract_document(store, extractor, doc))
        except Exception as exc:  # one bad document must not cost the rest
            report.errors.append(f"{doc.source}: {type(exc).__name__}: {exc}"[:300])
            if on_progress:
                on_progress(doc.source, "error")
            continue
        if on_progress:
            on_progress(doc.source, "re-extracted")
    return report
