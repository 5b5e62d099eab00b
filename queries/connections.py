"""How two entities are connected, and what surrounds one entity.

``connections`` finds the shortest paths (at most ``max_hops``) between A and
B. It reads only the balls around A and B that such a path can lie in:
relations of nodes within ceil(max_hops/2) - 1 hops of A and floor(max_hops/2)
- 1 hops of B (any path of length <= max_hops has each of its relations
touching one of them), then runs Yen's k-shortest-paths on that small graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice

import networkx as nx

from graph.model import Relation, Subgraph
from graph.ontology import RELATION_TYPES
from graph.store import Store, walk_relations
from queries.common import (
    IN_SECTOR,
    LOCATED_IN,
    EntityRef,
    Hop,
    find_entity,
    ref,
)

# Sector and location relations join everything in an industry or a country:
# a path through "Manufacturing" says nothing, so they are left out by default.
PATH_RELATIONS: tuple[str, ...] = tuple(t for t in RELATION_TYPES if t not in (IN_SECTOR, LOCATED_IN))

# At most this many relations are read around each end.
_BALL_LIMIT = 20_000


@dataclass
class ConnectionPath:
    """A path from A to B, each hop with the evidence that states it."""

    nodes: list[EntityRef]
    hops: list[Hop]
    length: int
    score: float
    reasons: list[str] = field(default_factory=list)


def connections(
    store: Store,
    a: str,
    b: str,
    *,
    max_hops: int = 4,
    limit: int = 5,
    types: Sequence[str] | None = None,
) -> list[ConnectionPath]:
    """Up to ``limit`` shortest paths from ``a`` to ``b`` of at most
    ``max_hops`` relations (any direction), shortest first; among equally
    short paths, the better evidenced first."""
    ea, eb = find_entity(store, a), find_entity(store, b)
    if ea.id == eb.id or max_hops < 1:
        return []
    rtypes = list(types or PATH_RELATIONS)
    # Meet in the middle: a ball of half the hops around each end.
    _, near_a = walk_relations(store, [ea.id], hops=(max_hops + 1) // 2, types=rtypes, max_relations=_BALL_LIMIT)
    _, near_b = walk_relations(store, [eb.id], hops=max_hops // 2, types=rtypes, max_relations=_BALL_LIMIT)
    rels = {r.id: r for r in (*near_a, *near_b)}
    g = nx.Graph()
    by_pair: dict[frozenset[str], list[Relation]] = defaultdict(list)
    for r in rels.values():
        if r.source == r.target:
            continue
        by_pair[frozenset((r.source, r.target))].append(r)
        g.add_edge(r.source, r.target)
    if ea.id not in g or eb.id not in g:
        return []
    try:
        raw = list(islice(nx.shortest_simple_paths(g, ea.id, eb.id), max(limit * 4, limit)))
    except nx.NetworkXNoPath:
        return []
    raw = [p for p in raw if len(p) - 1 <= max_hops]
    if not raw:
        return []
    # Evidence for the relations on the candidate paths only.
    on_paths = {x for p in raw for x in p}
    full = {r.id: r for r in store.relations(types=rtypes, entity_ids=sorted(on_paths))}
    ents = store.get_entities(on_paths)
    out = []
    for p in raw:
        hops = []
        support = 0
        for x, y in zip(p, p[1:], strict=False):
            cands = [full.get(r.id, r) for r in by_pair[frozenset((x, y))]]
            best = max(cands, key=lambda r: (len(r.evidence), r.date or ""))
            support += sum(len(full.get(r.id, r).evidence) for r in cands)
            hops.append(Hop(source=ref(ents, x), target=ref(ents, y), type=best.type,
                            relation_id=best.id, date=best.date, evidence=list(best.evidence)))
        weakest = min(len(h.evidence) for h in hops)
        out.append(ConnectionPath(
            nodes=[ref(ents, x) for x in p],
            hops=hops,
            length=len(hops),
            # Shorter first; then the path whose weakest hop is best evidenced.
            score=round(1.0 / len(hops) + 0.01 * min(weakest, 10) + 0.001 * min(support, 10), 4),
            reasons=[f"{len(hops)} hop{'s' if len(hops) > 1 else ''}",
                     f"weakest hop stated {weakest} time{'s' if weakest != 1 else ''}"],
        ))
    out.sort(key=lambda c: (c.length, -c.score))
    return out[:limit]


def neighbourhood(
    store: Store,
    entity: str,
    *,
    hops: int = 1,
    types: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    limit: int = 300,
) -> Subgraph:
    """The entities within ``hops`` relations of ``entity`` and the relations
    between them, for the explorer. ``types``: relation types to follow
    (all when None). ``kinds``: keep only neighbours whose entity type or
    organisation kind is listed (e.g. ``["chamber", "Person"]``); the entity
    itself is always kept. At most ``limit`` relations, nearest first."""
    e = find_entity(store, entity)
    sub = store.neighbourhood([e.id], hops=max(1, hops), types=list(types) if types else None,
                              max_relations=limit)
    if e.id not in sub.entities:
        sub.entities[e.id] = e
    if kinds:
        wanted = set(kinds)
        keep = {i for i, x in sub.entities.items()
                if i == e.id or x.type in wanted or (x.kind is not None and x.kind in wanted)}
        sub = Subgraph(entities={i: x for i, x in sub.entities.items() if i in keep},
                       relations=[r for r in sub.relations if r.source in keep and r.target in keep])
    return sub
