"""The timeline of an entity: what it did, in date order — meetings, visits,
signings, events, delegations — including what its delegations did
(marked ``via``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from graph.model import Evidence, Relation
from graph.ontology import MET_WITH, PARTICIPATED_IN, SIGNED_WITH, VISITED
from graph.store import Store
from queries.common import (
    ACTIVITY_RELATIONS,
    PLANS_VISIT,
    EntityRef,
    documents_of,
    evidence_in,
    find_entity,
    missions_of,
    ref,
)

# What a delegation did that its members did too.
_SHARED = (MET_WITH, SIGNED_WITH, VISITED, PARTICIPATED_IN)


@dataclass
class TimelineItem:
    date: str | None  # None: the reports do not say when
    type: str
    subject: EntityRef
    object: EntityRef
    via: EntityRef | None = None  # the delegation through which the entity took part
    relation_id: str = ""
    documents: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


def timeline(store: Store, entity: str, *, since: str | None = None, until: str | None = None) -> list[TimelineItem]:
    """One item per relation and date it is stated for, oldest first;
    undated items last."""
    e = find_entity(store, entity)
    types = [*ACTIVITY_RELATIONS, PLANS_VISIT]
    own = store.relations(types=types, entity_ids=[e.id], since=since, until=until)
    missions = missions_of(store, [e.id])
    via_rels = store.relations(types=list(_SHARED), entity_ids=sorted(missions), since=since, until=until) \
        if missions else []
    ids = {e.id} | {x for r in (*own, *via_rels) for x in (r.source, r.target)}
    ents = store.get_entities(ids)
    items: list[TimelineItem] = []

    def emit(r: Relation, via: str | None) -> None:
        by_date: dict[str | None, list[Evidence]] = defaultdict(list)
        for ev in evidence_in(r, since, until):
            by_date[ev.date[:10] if ev.date else None].append(ev)
        for d, evs in by_date.items():
            items.append(TimelineItem(
                date=d, type=r.type, subject=ref(ents, r.source), object=ref(ents, r.target),
                via=ref(ents, via) if via else None, relation_id=r.id,
                documents=documents_of(evs), evidence=evs,
            ))

    seen = set()
    for r in own:
        seen.add(r.id)
        emit(r, None)
    for r in via_rels:
        if r.id in seen:
            continue
        m = r.source if r.source in missions else r.target
        emit(r, m)
    items.sort(key=lambda i: (i.date is None, i.date or "", i.type, i.object.name))
    return items
