"""The review queue: extracted facts no one has decided about yet, ordered
by how much a decision would help — the least confident first, then those
between well-connected entities (a wrong edge there misleads most queries).
Each comes with the sentences that state it, the evidence span marked
inside each sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graph.corrections import corrected_relation_ids, is_correction_evidence
from graph.model import Document, Entity, Relation
from graph.store import Store

# How far a sentence is looked for around an evidence span, each way.
SENTENCE_WINDOW = 300
_SENTENCE_END = re.compile(r"[.!?](?=\s|\Z)|\n")


@dataclass
class ReviewEvidence:
    """One sentence stating the fact; ``span_start``/``span_end`` mark the
    evidence inside ``sentence``; ``start``/``end`` are offsets into the
    document's text."""

    doc_id: str
    source: str
    sentence: str
    span_start: int
    span_end: int
    start: int
    end: int
    date: str | None = None


@dataclass
class ReviewItem:
    relation: Relation
    source: Entity
    target: Entity
    # Relations touching the better connected of the two entities.
    degree: int
    evidence: list[ReviewEvidence] = field(default_factory=list)


@dataclass
class ReviewPage:
    items: list[ReviewItem]
    total: int


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or sentences) around ``text[start:end]``."""
    lo = max(0, start - SENTENCE_WINDOW)
    ends_before = [m.end() for m in _SENTENCE_END.finditer(text, lo, start)]
    s = ends_before[-1] if ends_before else lo
    after = _SENTENCE_END.search(text, max(end - 1, s), min(len(text), end + SENTENCE_WINDOW))
    e = max(after.end() if after else min(len(text), end + SENTENCE_WINDOW), end)
    while s < start and text[s].isspace():
        s += 1
    return s, e


def _evidence(rel: Relation, docs: dict[str, Document | None]) -> list[ReviewEvidence]:
    out = []
    for ev in rel.evidence:
        doc = docs.get(ev.doc_id)
        if doc is None or is_correction_evidence(ev):
            continue
        s, e = sentence_bounds(doc.text, ev.start, ev.end)
        out.append(ReviewEvidence(doc_id=doc.id, source=doc.source, sentence=doc.text[s:e],
                                  span_start=ev.start - s, span_end=ev.end - s, start=ev.start, end=ev.end,
                                  date=ev.date))
    return out


def review_queue(store: Store, *, limit: int = 20, offset: int = 0, types: list[str] | None = None) -> ReviewPage:
    """One page of the queue. Relations some active correction decided
    about are left out: accepting or rejecting takes a fact off the queue."""
    decided = corrected_relation_ids(store)
    open_facts = [r for batch in store.iter_relations(with_evidence=False) for r in batch
                  if r.id not in decided and (not types or r.type in types)]
    degree = store.degrees({e for r in open_facts for e in (r.source, r.target)})

    def reach(r: Relation) -> int:
        return max(degree.get(r.source, 0), degree.get(r.target, 0))

    open_facts.sort(key=lambda r: (r.confidence, -reach(r), r.id))
    shown = open_facts[offset:offset + limit]
    evidence = store.relation_evidence(shown)
    for r in shown:
        r.evidence = evidence.get(r.id, [])
    entities = store.get_entities({e for r in shown for e in (r.source, r.target)})
    docs = {d: store.get_document(d) for r in shown for d in {ev.doc_id for ev in r.evidence}}
    items = [ReviewItem(relation=r, source=entities[r.source], target=entities[r.target], degree=reach(r),
                        evidence=_evidence(r, docs))
             for r in shown if r.source in entities and r.target in entities]
    return ReviewPage(items=items, total=len(open_facts))
