"""Corrected documents as training annotations (``tradekg export-annotations``).

Every document a correction touches is written in the stored annotation
format of ``ingest.learn.annotations`` (``NAME.ann.json``: entities with
mentions as character offsets, relations with evidence offsets) with its
text beside it (``NAME.txt``), so ``python -m ingest.learn.annotations
check DIR`` accepts the output and ``make train`` can learn from people's
decisions. The graph as corrected is the annotation: rejected relations are
absent, accepted and added ones present, entities with their corrected
type, kind, country and names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.corrections import ENTITY, EXTRACTOR_PREFIX, RELATION_KINDS
from graph.model import Entity, Relation
from graph.ontology import ORGANIZATION, PLACE, PLACE_KINDS, RELATION_TYPES, SECTOR
from graph.store import Store
from ingest.learn.annotations import AnnotationError, build, dumps

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class ExportReport:
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "doc: reason"


def corrected_documents(store: Store) -> list[str]:
    """Ids of the stored documents some active correction is about."""
    docs: set[str] = set()
    for c in store.list_corrections():
        if not c.active:
            continue
        if c.kind in RELATION_KINDS:
            docs.update(e.doc_id for e in [*c.evidence, *c.hidden] if not e.doc_id.startswith(EXTRACTOR_PREFIX))
        elif c.kind == ENTITY and c.entity_id:
            ent = store.get_entity(c.entity_id)
            if ent is not None:
                docs.update(ev.doc_id for ev in ent.evidence)
    return sorted(d for d in docs if store.has_document(d))


def annotation_name(source: str, doc_id: str) -> str:
    stem = _UNSAFE.sub("-", Path(source).stem).strip("-")[:60] or "document"
    return f"{stem}-{doc_id[:8]}"


def _entity_entry(ent: Entity, text: str, doc_id: str) -> dict[str, Any] | None:
    """An annotation entity: the corrected record, its names as the text
    writes them; None for what the format cannot hold without guessing."""
    forms = [ent.name, *ent.aliases, *(ev.text for ev in ent.evidence if ev.doc_id == doc_id)]
    aliases = sorted({f for f in forms if f != ent.name and f.strip()})
    out: dict[str, Any] = {"name": ent.name, "type": ent.type, "aliases": aliases}
    if ent.type == ORGANIZATION:
        out["kind"] = ent.kind or "other"
    elif ent.type == PLACE:
        if ent.kind not in PLACE_KINDS:
            return None
        out["kind"] = ent.kind
    if ent.type == SECTOR:
        if not ent.attrs.get("code"):
            return None
        out["code"] = str(ent.attrs["code"])
    if ent.country:
        out["country"] = ent.country
    if not any(f in text for f in [ent.name, *aliases]):
        return None
    return out


def document_annotation(store: Store, doc_id: str, name: str) -> dict[str, Any]:
    """The stored annotation of one document as the corrected graph has it."""
    doc = store.get_document(doc_id)
    if doc is None:
        raise AnnotationError(f"no document {doc_id}")
    relations: list[Relation] = store.document_relations(doc_id)
    ids = sorted({e for r in relations for e in (r.source, r.target)})
    entries: dict[str, dict[str, Any]] = {}
    for eid in ids:
        ent = store.get_entity(eid)
        entry = _entity_entry(ent, doc.text, doc_id) if ent else None
        if entry is not None and entry["name"] not in {e["name"] for e in entries.values()}:
            entries[eid] = entry
    draft_relations = []
    for r in relations:
        if r.source not in entries or r.target not in entries:
            continue
        s, t = entries[r.source], entries[r.target]
        if not RELATION_TYPES[r.type].allows(s["type"], t["type"]):
            continue
        quotes = sorted({ev.text for ev in r.evidence if ev.doc_id == doc_id and ev.text.strip()})
        if quotes:
            draft_relations.append({"type": r.type, "source": s["name"], "target": t["name"], "evidence": quotes})
    return build({"entities": list(entries.values()), "relations": draft_relations}, doc.text, name)


def export_annotations(store: Store, out_dir: Path) -> ExportReport:
    """Write every corrected document as ``NAME.ann.json`` and ``NAME.txt``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report = ExportReport()
    for doc_id in corrected_documents(store):
        doc = store.get_document(doc_id)
        assert doc is not None
        name = annotation_name(doc.source, doc_id)
        try:
            stored = document_annotation(store, doc_id, name)
        except AnnotationError as exc:
            report.skipped.append(f"{doc_id}: {exc}")
            continue
        (out_dir / f"{name}.txt").write_text(doc.text, encoding="utf-8")
        path = out_dir / f"{name}.ann.json"
        path.write_text(dumps(stored), encoding="utf-8")
        report.written.append(path)
    return report
