"""Corrections: what people decided about the graph, kept beside what the
extractor found and applied on top of it.

A correction is a record with its own provenance (``graph.model.Correction``:
who, when, why) in the store's ledger. Its effect is written into the graph
the queries read, so every read path sees the corrected graph without
knowing about corrections:

* accept / add a relation: the relation gets evidence of its own (extractor
  ``correction:<id>``), so it stays when the extractor stops finding it;
* reject a relation: the relation and its extracted evidence are taken out
  of the graph and kept in the correction (``hidden``), so an undo can put
  them back;
* change an entity: the entity's fields are set, the values replaced kept
  in ``before``;
* merge / split: ``Store.merge_entities`` / ``unmerge_entity``.

Extraction can bring a rejected fact back (a new report states it, a
re-extraction finds it again) or replace an entity's facts, so
``reapply`` runs after every such write and the correction wins again.
When two corrections disagree about one relation, the later one wins.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from graph.model import Correction, Entity, Evidence, Relation, relation_id
from graph.ontology import ORG_KINDS, PLACE_KINDS, check_entity_type, check_relation_type
from graph.store import Store, StoreError, UnknownDocument, UnknownEntity

ACCEPT = "accept"
REJECT = "reject"
ADD = "add"
ENTITY = "entity"
MERGE = "merge"
SPLIT = "split"
KINDS: tuple[str, ...] = (ACCEPT, REJECT, ADD, ENTITY, MERGE, SPLIT)
RELATION_KINDS: frozenset[str] = frozenset({ACCEPT, REJECT, ADD})

# What an entity correction may change.
ENTITY_FIELDS: tuple[str, ...] = ("name", "type", "kind", "country", "aliases_add", "aliases_remove")
_SCALAR_FIELDS: tuple[str, ...] = ("name", "type", "kind", "country")

# Evidence a correction adds carries this extractor, so it is told apart
# from extracted evidence (and removed again by an undo).
EXTRACTOR_PREFIX = "correction:"

_COUNTRY = re.compile(r"^[A-Z]{2}$")


def correction_extractor(correction_id: str) -> str:
    return f"{EXTRACTOR_PREFIX}{correction_id}"


def is_correction_evidence(ev: Evidence) -> bool:
    return ev.extractor.startswith(EXTRACTOR_PREFIX)


def _now() -> str:
    # Microseconds: the ledger is ordered by time, and one script can make
    # several corrections within a second.
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _new(kind: str, by: str, why: str, **fields: Any) -> Correction:
    if not by.strip():
        raise ValueError("a correction needs the name of who makes it")
    c = Correction(id=f"c-{uuid.uuid4().hex[:12]}", kind=kind, by=by, at=_now(), why=why, **fields)
    c.subjects = list(dict.fromkeys(x for x in (c.source, c.target, c.entity_id, c.other_id) if x))
    return c


def _entity(store: Store, entity_id: str) -> Entity:
    ent = store.get_entity(entity_id)
    if ent is None:
        raise UnknownEntity(entity_id)
    return ent


def _relation_key(store: Store, rtype: str, source: str, target: str) -> tuple[str, str, str] | None:
    """(relation id, current source, current target) of a relation named by
    endpoints that may have been merged since; None when one is gone."""
    s, t = store.get_entity(source), store.get_entity(target)
    if s is None or t is None:
        return None
    return relation_id(rtype, s.id, t.id), s.id, t.id


def current_relation_id(store: Store, c: Correction) -> str | None:
    """The id the relation of a relation correction has now (merges change
    it); None when an endpoint is gone."""
    assert c.relation_type and c.source and c.target
    key = _relation_key(store, c.relation_type, c.source, c.target)
    return key[0] if key else None


def live_relation(store: Store, rtype: str, source: str, target: str) -> Relation | None:
    """The relation ``source -rtype-> target`` as the graph holds it now."""
    key = _relation_key(store, check_relation_type(rtype), source, target)
    if key is None:
        return None
    rid, s, _ = key
    found = [r for r in store.relations(types=[rtype], entity_ids=[s]) if r.id == rid]
    return found[0] if found else None


# --- making corrections -----------------------------------------------------------------


def accept_relation(store: Store, rtype: str, source: str, target: str, *, by: str, why: str = "") -> Correction:
    """Confirm an extracted relation: it stays even when a later extractor
    misses it."""
    rel = live_relation(store, rtype, source, target)
    if rel is None:
        raise StoreError(f"no {rtype} relation between {source!r} and {target!r}")
    c = _new(ACCEPT, by, why, relation_type=rtype, source=rel.source, target=rel.target)
    c.evidence = [Evidence(doc_id=ev.doc_id, start=ev.start, end=ev.end, text=ev.text, date=ev.date,
                           confidence=1.0, extractor=correction_extractor(c.id))
                  for ev in rel.evidence if not is_correction_evidence(ev)]
    return _record(store, c)


def reject_relation(store: Store, rtype: str, source: str, target: str, *, by: str, why: str = "") -> Correction:
    """Declare a relation wrong: it leaves the graph and stays out, whoever
    states it again."""
    rel = live_relation(store, rtype, source, target)
    if rel is None:
        raise StoreError(f"no {rtype} relation between {source!r} and {target!r}")
    return _record(store, _new(REJECT, by, why, relation_type=rtype, source=rel.source, target=rel.target))


def add_relation(
    store: Store,
    rtype: str,
    source: str,
    target: str,
    *,
    by: str,
    why: str = "",
    doc_id: str | None = None,
    start: int | None = None,
    end: int | None = None,
    date: str | None = None,
) -> Correction:
    """Add a relation the extractor missed, resting on a sentence of a
    stored document (``doc_id``, ``start``, ``end``) or, without one, on the
    word of whoever adds it (the correction is its provenance)."""
    check_relation_type(rtype)
    s, t = _entity(store, source), _entity(store, target)
    if s.id == t.id:
        raise StoreError("a relation needs two different entities")
    c = _new(ADD, by, why, relation_type=rtype, source=s.id, target=t.id)
    if doc_id is not None:
        doc = store.get_document(doc_id)
        if doc is None:
            raise UnknownDocument(doc_id)
        if start is None or end is None or not 0 <= start < end <= len(doc.text):
            raise ValueError(f"the span must lie inside the document's text (0..{len(doc.text)})")
        c.evidence = [Evidence(doc_id=doc.id, start=start, end=end, text=doc.text[start:end],
                               date=date or doc.date, confidence=1.0, extractor=correction_extractor(c.id))]
    else:
        statement = why or f"asserted by {by}"
        c.evidence = [Evidence(doc_id=correction_extractor(c.id), start=0, end=len(statement), text=statement,
                               date=date, confidence=1.0, extractor=correction_extractor(c.id))]
    return _record(store, c)


def check_entity_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """The changes of an entity correction, checked; a clear error otherwise."""
    unknown = sorted(set(changes) - set(ENTITY_FIELDS))
    if unknown:
        raise ValueError(f"cannot change {', '.join(unknown)}; expected some of {', '.join(ENTITY_FIELDS)}")
    if not changes:
        raise ValueError("an entity correction needs at least one change")
    out = dict(changes)
    if "name" in out and not str(out["name"] or "").strip():
        raise ValueError("an entity needs a name")
    if "type" in out:
        check_entity_type(out["type"])
    if out.get("kind") is not None and out["kind"] not in (*ORG_KINDS, *PLACE_KINDS):
        raise ValueError(f"unknown kind {out['kind']!r}; expected one of {', '.join((*ORG_KINDS, *PLACE_KINDS))}")
    if out.get("country") is not None:
        out["country"] = str(out["country"]).upper()
        if not _COUNTRY.match(out["country"]):
            raise ValueError(f"a country is an ISO 3166-1 alpha-2 code, not {changes['country']!r}")
    for key in ("aliases_add", "aliases_remove"):
        if key in out:
            out[key] = [str(a).strip() for a in out[key] if str(a).strip()]
    return out


def correct_entity(store: Store, entity_id: str, changes: dict[str, Any], *, by: str, why: str = "") -> Correction:
    """Change an entity's name, type, kind, country or aliases."""
    changes = check_entity_changes(changes)
    ent = _entity(store, entity_id)
    before: dict[str, Any] = {f: getattr(ent, f) for f in _SCALAR_FIELDS if f in changes}
    return _record(store, _new(ENTITY, by, why, entity_id=ent.id, changes=changes, before=before))


def merge(store: Store, keep_id: str, drop_id: str, *, by: str, why: str = "") -> Correction:
    """Two entities are one: ``drop_id`` folds into ``keep_id``."""
    keep, drop = _entity(store, keep_id), _entity(store, drop_id)
    return _record(store, _new(MERGE, by, why, entity_id=keep.id, other_id=drop.id))


def split(store: Store, drop_id: str, *, by: str, why: str = "") -> Correction:
    """Undo an earlier merge of ``drop_id``: it is an entity of its own."""
    keep = _entity(store, drop_id)
    if keep.id == drop_id:
        raise StoreError(f"{drop_id!r} was not merged into another entity")
    return _record(store, _new(SPLIT, by, why, entity_id=keep.id, other_id=drop_id))


def _record(store: Store, c: Correction) -> Correction:
    with store.transaction():
        _apply(store, c)
        store.save_correction(c)
    return c


# --- applying -----------------------------------------------------------------------------


def _apply(store: Store, c: Correction) -> list[str]:
    """Write the effect of ``c`` into the graph; notes on what could not be."""
    if c.kind in (ACCEPT, ADD):
        return _restore_relation(store, c, c.evidence)
    if c.kind == REJECT:
        return _hide_relation(store, c)
    if c.kind == ENTITY:
        return _apply_entity(store, c)
    if c.kind == MERGE:
        store.merge_entities(c.entity_id or "", c.other_id or "")
        _follow_merge(store, c.entity_id or "", c.other_id or "")
        return []
    if c.kind == SPLIT:
        store.unmerge_entity(c.other_id or "")
        return []
    raise ValueError(f"unknown correction kind {c.kind!r}; expected one of {', '.join(KINDS)}")


def _restore_relation(store: Store, c: Correction, evidence: Sequence[Evidence]) -> list[str]:
    assert c.relation_type and c.source and c.target
    key = _relation_key(store, c.relation_type, c.source, c.target)
    if key is None:
        return [f"{c.id}: an endpoint of {c.relation_type} {c.source} -> {c.target} is no longer in the graph"]
    if evidence:
        rid, s, t = key
        store.write_graph([], [], [Relation(id=rid, type=c.relation_type, source=s, target=t,
                                            confidence=max(e.confidence for e in evidence),
                                            evidence=list(evidence))])
    return []


def _hide_relation(store: Store, c: Correction) -> list[str]:
    assert c.relation_type and c.source and c.target
    key = _relation_key(store, c.relation_type, c.source, c.target)
    if key is None:
        return []
    taken = store.remove_relation(c.relation_type, key[0])
    if taken is None:
        return []
    known = {(e.doc_id, e.start, e.end) for e in c.hidden}
    c.hidden += [e for e in taken.evidence if (e.doc_id, e.start, e.end) not in known]
    return []


def _apply_entity(store: Store, c: Correction) -> list[str]:
    ent = store.get_entity(c.entity_id or "")
    if ent is None:
        return [f"{c.id}: entity {c.entity_id} is no longer in the graph"]
    pending: dict[str, Any] = {f: c.changes[f] for f in _SCALAR_FIELDS
                               if f in c.changes and getattr(ent, f) != c.changes[f]}
    have = {a.casefold() for a in [ent.name, *ent.aliases]}
    missing = [a for a in c.changes.get("aliases_add", []) if a.casefold() not in have]
    present = [a for a in c.changes.get("aliases_remove", []) if a in ent.aliases]
    if missing:
        pending["aliases_add"] = missing
    if present:
        pending["aliases_remove"] = present
    if pending:
        store.update_entity(ent.id, pending)
    return []


def _follow_merge(store: Store, keep_id: str, drop_id: str) -> None:
    """Corrections about the dropped entity are about the survivor too: an
    ingest that touches the survivor finds them."""
    for o in store.corrections_about([drop_id]):
        if keep_id not in o.subjects:
            o.subjects.append(keep_id)
            store.save_correction(o)


def _winners(corrections: Sequence[Correction], store: Store) -> list[Correction]:
    """The active corrections still in force, oldest first: of several about
    one relation only the latest counts."""
    active = [c for c in corrections if c.active]
    latest: dict[str, str] = {}
    for c in active:
        if c.kind in RELATION_KINDS:
            assert c.relation_type and c.source and c.target
            key = _relation_key(store, c.relation_type, c.source, c.target)
            if key is not None:
                latest[key[0]] = c.id
    return [c for c in active if c.kind not in RELATION_KINDS or c.id in latest.values()]


def _reapply(store: Store, corrections: Sequence[Correction], *, relations_back: bool) -> list[str]:
    notes: list[str] = []
    for c in _winners(corrections, store):
        if c.kind == REJECT:
            had = len(c.hidden)
            notes += _hide_relation(store, c)
            if len(c.hidden) != had:
                store.save_correction(c)
        elif c.kind == ENTITY:
            notes += _apply_entity(store, c)
        elif c.kind in (ACCEPT, ADD) and relations_back:
            notes += _restore_relation(store, c, c.evidence)
    return notes


def reapply(store: Store) -> list[str]:
    """Make the graph agree with every correction again after a
    re-extraction replaced a document's facts; notes on corrections that no
    longer apply. Merges and splits live in the store's own merge records
    and survive extraction."""
    return _reapply(store, store.list_corrections(), relations_back=True)


def reapply_after_ingest(store: Store, entity_ids: Iterable[str]) -> None:
    """Run by the store on every ingest: a new report only adds facts, so
    only rejections and entity changes about its entities can have been
    undone. Reads only the corrections about those entities (indexed)."""
    corrections = store.corrections_about(entity_ids)
    if corrections:
        _reapply(store, corrections, relations_back=False)


# --- the audit log ---------------------------------------------------------------------


def audit_log(store: Store, *, include_undone: bool = True) -> list[Correction]:
    """Every correction, newest first."""
    return [c for c in reversed(store.list_corrections()) if include_undone or c.active]


def get_correction(store: Store, correction_id: str) -> Correction:
    for c in store.list_corrections():
        if c.id == correction_id:
            return c
    raise StoreError(f"no correction {correction_id!r}")


def undo(store: Store, correction_id: str, *, by: str) -> Correction:
    """Take a correction back: the graph is as extraction (and the other
    corrections) make it; the correction stays in the log, marked undone."""
    c = get_correction(store, correction_id)
    if not c.active:
        raise StoreError(f"correction {correction_id!r} was already undone")
    with store.transaction():
        if c.kind in (ACCEPT, ADD):
            _drop_correction_evidence(store, c)
        elif c.kind == REJECT:
            docs_left = [e for e in c.hidden
                         if e.doc_id.startswith(EXTRACTOR_PREFIX) or store.has_document(e.doc_id)]
            c.hidden = []
            _restore_relation(store, c, docs_left)
        elif c.kind == ENTITY:
            _undo_entity(store, c)
        elif c.kind == MERGE:
            store.unmerge_entity(c.other_id or "")
        elif c.kind == SPLIT:
            store.merge_entities(c.entity_id or "", c.other_id or "")
        c.undone_at, c.undone_by = _now(), by
        store.save_correction(c)
        # What the undone correction had overruled may be in force again.
        reapply(store)
    return c


def _drop_correction_evidence(store: Store, c: Correction) -> None:
    assert c.relation_type and c.source and c.target
    key = _relation_key(store, c.relation_type, c.source, c.target)
    if key is None:
        return
    rel = store.remove_relation(c.relation_type, key[0])
    if rel is None:
        return
    rest = [e for e in rel.evidence if e.extractor != correction_extractor(c.id)]
    if rest:
        store.write_graph([], [], [Relation(id=rel.id, type=rel.type, source=rel.source, target=rel.target,
                                            attrs=rel.attrs, evidence=rest)])


def _undo_entity(store: Store, c: Correction) -> None:
    ent = store.get_entity(c.entity_id or "")
    if ent is None:
        return
    later = [o for o in store.list_corrections()
             if o.active and o.kind == ENTITY and o.at > c.at and o.id != c.id and o.entity_id == ent.id]
    overruled = {f for o in later for f in o.changes}
    back: dict[str, Any] = {f: v for f, v in c.before.items() if f not in overruled}
    if c.changes.get("aliases_add"):
        back["aliases_remove"] = c.changes["aliases_add"]
    if c.changes.get("aliases_remove"):
        back["aliases_add"] = c.changes["aliases_remove"]
    if back:
        store.update_entity(ent.id, back)


def corrected_relation_ids(store: Store) -> set[str]:
    """Ids of the relations some active correction decided about (the
    review queue leaves them out)."""
    ids = (current_relation_id(store, c) for c in store.list_corrections()
           if c.active and c.kind in RELATION_KINDS)
    return {i for i in ids if i is not None}
