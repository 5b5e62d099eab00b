"""Contacts for a future mission: whom to contact in the target countries,
and why.

Input: an origin (the organisation planning the trip, or a mission already
in the graph), target countries and sectors. Output: organisations ranked by

    score = 3.0 * fit + 2.5 * comparable + 2.0 * proximity + 1.0 * facilitator + 0.5 * recency

each signal in [0, 1] and named in the result:

* fit — the candidate is in an asked ISIC division (1.0) or its section (0.5);
* comparable — comparable missions (same sectors and/or target countries,
  not the origin's own) met it: 1.0 from two such missions on, a mission
  matching both sectors and countries counting fully, one matching either
  counting half;
* proximity — personalised PageRank from the origin's team over the
  meeting graph of the neighbourhood the question needs (the origin's
  meetings, its contacts' meetings, the comparable missions' meetings),
  relative to the best candidate; Adamic–Adar over the same graph is
  reported beside it. Each node keeps its ``NEIGHBOUR_CAP`` strongest ties
  (a ministry met by thousands would make the walk visit all of them), and
  an answer whose neighbourhood was cut says so in ``sample``;
* facilitator — a chamber, ministry, agency, commission, diplomatic mission
  or park (``FACILITATOR_KINDS``): bodies that open doors;
* recency — its latest evidence, halving every two years before ``as_of``.

A candidate reachable as origin -> organisation already met -> candidate gets
that **warm-introduction path**, each hop with its evidence.

``as_of`` restricts every piece of evidence read to dates up to it, so the
recommender can be evaluated on a temporal hold-out (``benchmarks/holdout.py``).
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from graph.model import Entity, Evidence, Relation
from graph.ontology import FACILITATOR_KINDS, MEETING_RELATIONS, MISSION, ORGANIZATION, PERSON
from graph.store import Store
from queries.common import (
    DELEGATION_RELATIONS,
    IN_SECTOR,
    PLANS_VISIT,
    VISITED,
    WORKS_FOR,
    EntityRef,
    Hop,
    country_filter,
    dates_of,
    delegation_members,
    find_entity,
    only_missions,
    profiles,
    recency,
    ref,
    sector_filter,
    sector_fit,
)

WEIGHTS: dict[str, float] = {
    "fit": 3.0, "comparable": 2.5, "proximity": 2.0, "facilitator": 1.0, "recency": 0.5,
}

# Bounds on what one question reads (the most recent first).
_FACILITATORS_PER_KIND = 50
_WARM_LIMIT = 2_000
_MISSION_SCAN = 2_000
_COMPARABLE = 200
_SECTOR_CANDIDATES = 2_000
# The proximity graph keeps at most this many neighbours per node, the
# strongest ties first: a ministry met by thousands would otherwise make
# the random walk visit all of them. Stated in every answer it changed.
NEIGHBOUR_CAP = 100
_TEAM_LIMIT = 2_000  # the team's most recent meetings read
_TEAM_MISSIONS = 200  # an agency's most recent delegations that make up its team
_WARM_HUBS = 20  # well-connected contacts whose meetings are read for warm introductions
# Push threshold of the random walk: proximity is shown relative to the best
# candidate, and 1e-4 pushes about ten times less than 1e-5 around hubs
# (hold-out before and after in docs/benchmarks.md).
_PPR_EPS = 1e-4


@dataclass
class Recommendation:
    entity: EntityRef
    score: float
    reasons: list[str]
    signals: dict[str, float]
    adamic_adar: float = 0.0
    warm_path: list[Hop] = field(default_factory=list)  # origin -> org already met -> candidate
    met_by: list[EntityRef] = field(default_factory=list)  # comparable missions that met it
    people: list[EntityRef] = field(default_factory=list)  # people known to work there
    already_met: bool = False
    sectors: list[str] = field(default_factory=list)
    last_date: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    sample: str | None = None  # how the neighbourhood was capped, when it was


def personalised_pagerank(adj: dict[str, dict[str, float]], seeds: set[str], *,
                          alpha: float = 0.85, eps: float = 1e-5) -> dict[str, float]:
    """Random walk with restart to ``seeds`` (restart probability 1 - alpha)
    over a small weighted undirected graph, by local push (Andersen, Chung &
    Lang 2006): work is bounded by 1/(eps * (1 - alpha)) whatever the graph
    size, and only nodes near the seeds are touched."""
    seeds = {s for s in seeds if s in adj}
    if not seeds:
        return {}
    strength: dict[str, float] = {}

    def threshold(u: str) -> float:
        if u not in strength:
            strength[u] = sum(adj[u].values())
        return eps * max(strength[u], 1.0)

    rank: dict[str, float] = defaultdict(float)
    residual: dict[str, float] = defaultdict(float)
    for sd in seeds:
        residual[sd] = 1.0 / len(seeds)
    # A node is queued once while its residual is above its threshold, not
    # once per push it receives: hubs receive thousands. Seeds and neighbours
    # are visited in sorted order: the order of a set changes between
    # processes, and the push result depends on the order (slightly).
    queue = deque(sorted(seeds))
    queued = set(seeds)
    while queue:
        u = queue.popleft()
        queued.discard(u)
        r = residual[u]
        if r <= threshold(u):
            continue
        rank[u] += (1 - alpha) * r
        residual[u] = 0.0
        if strength[u] <= 0:
            continue
        share = alpha * r / strength[u]
        for v, w in sorted(adj[u].items()):
            residual[v] += share * w
            if v not in queued and residual[v] > threshold(v):
                queue.append(v)
                queued.add(v)
    return dict(rank)


def _add_edge(adj: dict[str, dict[str, float]], a: str, b: str, w: float = 1.0) -> None:
    if a == b:
        return
    adj.setdefault(a, {})
    adj.setdefault(b, {})
    adj[a][b] = adj[a].get(b, 0.0) + w
    adj[b][a] = adj[b].get(a, 0.0) + w


def cap_neighbours(adj: dict[str, dict[str, float]], cap: int = NEIGHBOUR_CAP) -> int:
    """Keep each node's ``cap`` strongest neighbours (ties by id, so the
    sample is the same every time); returns how many nodes were cut."""
    cut = 0
    for u, nbrs in adj.items():
        if len(nbrs) > cap:
            kept = sorted(nbrs.items(), key=lambda vw: (-vw[1], vw[0]))[:cap]
            adj[u] = dict(kept)
            cut += 1
    return cut


def recommend_contacts(
    store: Store,
    origin: str,
    countries: Sequence[str],
    sectors: Sequence[str],
    *,
    limit: int = 20,
    as_of: str | None = None,
    include_known: bool = False,
) -> list[Recommendation]:
    """Organisations (and the people known there) to contact on a mission
    from ``origin`` to ``countries`` about ``sectors``, best first. Those the
    origin has already met are left out unless ``include_known``; they are
    the first hop of the warm paths."""
    o = find_entity(store, origin)
    until = as_of
    ccs = {c for c in (country_filter(x) for x in countries) if c}
    codes = [c for c in (sector_filter(x) for x in sectors) if c]
    meeting_types = list(MEETING_RELATIONS)

    # The origin's team: the organisation and its delegations, or the
    # mission and its members.
    team_capped = False
    led: list[Relation] = []  # the origin's links to its delegations, when it is not one
    if o.type == MISSION:
        team = {o.id} | delegation_members(store, [o.id], until=until).get(o.id, set())
    else:
        recent, team_capped, led = _recent_missions(store, o.id, until=until)
        team = {o.id} | recent

    adj: dict[str, dict[str, float]] = {}
    for t in team - {o.id}:
        _add_edge(adj, o.id, t)

    # Ties are weighed by their pieces of evidence, counted in the store;
    # the evidence itself is read for the answers shown, unless ``as_of``
    # needs its dates.
    with_ev = as_of is not None
    n_ev: dict[str, int] = {}

    # Whom the team has met (a delegation met counts its members as met).
    r1 = store.relations(types=meeting_types, entity_ids=sorted(team), until=until, limit=_TEAM_LIMIT,
                         with_evidence=with_ev)
    _count_evidence(store, r1, with_ev, n_ev)
    known: dict[str, Relation] = {}
    for r in r1:
        a, b = (r.source, r.target) if r.source in team else (r.target, r.source)
        if b in team:
            continue
        _add_edge(adj, a, b, float(max(1, n_ev[r.id])))
        if b not in known or n_ev[r.id] > n_ev[known[b].id]:
            known[b] = r
    met_missions = only_missions(store, known)
    for m, members in delegation_members(store, sorted(met_missions), until=until).items():
        for x in members - team:
            _add_edge(adj, m, x)
            known.setdefault(x, known[m])

    # Whom those contacts have met: warm-introduction candidates.
    r2 = _contacts_meetings(store, sorted(known), until=until, with_evidence=with_ev)
    _count_evidence(store, r2, with_ev, n_ev)
    warm: dict[str, list[tuple[str, Relation]]] = defaultdict(list)
    for r in r2:
        for k in (r.source, r.target):
            c = r.other(k)
            if k in known and c not in team and c != k:
                _add_edge(adj, k, c, float(max(1, n_ev[r.id])) * 0.5)
                warm[c].append((k, r))

    # Comparable missions: same destinations and/or sectors, not our own;
    # the most recent ones, so the question reads a bounded neighbourhood.
    country_places = [f"country-{c.lower()}" for c in sorted(ccs)]
    exact_sector_ents = [f"sector-{c}" for c in codes]
    by_country: set[str] = set()
    if country_places:
        visits = store.relations(types=[VISITED, PLANS_VISIT], entity_ids=country_places, direction="in",
                                 until=until, with_evidence=False, limit=_MISSION_SCAN)
        by_country = only_missions(store, {r.source for r in visits})
    by_sector: set[str] = set()
    if by_country and codes:
        # Of the missions to these countries, those about these sectors.
        sectors_of = store.linked_entities(sorted(by_country), types=[IN_SECTOR], direction="out", until=until)
        by_sector = {m for sector in exact_sector_ents for m in sectors_of.get(sector, ())}
    elif codes:
        about = store.relations(types=[IN_SECTOR], entity_ids=exact_sector_ents, direction="in",
                                until=until, with_evidence=False, limit=_MISSION_SCAN)
        by_sector = only_missions(store, {r.source for r in about})
    own_missions = team if o.type != MISSION else {o.id}
    both = (by_sector & by_country) if (ccs and codes) else (by_sector | by_country)
    comparable = dict.fromkeys(both - own_missions, 1.0)
    for m in (by_sector | by_country) - own_missions:
        if len(comparable) >= _COMPARABLE:
            break
        comparable.setdefault(m, 0.5)
    met_by: dict[str, set[str]] = defaultdict(set)
    r3 = store.relations(types=meeting_types, entity_ids=sorted(comparable), until=until,
                         with_evidence=with_ev) if comparable else []
    for r in r3:
        for m in (r.source, r.target):
            c = r.other(m)
            if m in comparable and c not in team:
                _add_edge(adj, m, c, 0.5)
                met_by[c].add(m)

    pool = set(warm) | set(met_by)
    if len(pool) < 3 * limit:
        # Little history to go on: organisations of the sectors in the target
        # countries, and the facilitators there, fill in.
        pool |= _sector_candidates(store, codes, ccs, until=until)
        pool |= _facilitators(store, ccs, until=until)
    pool -= team
    pool.discard(o.id)
    if not include_known:
        pool -= set(known)
    ents = {i: e for i, e in store.get_entities(pool, with_aliases=False).items()
            if e.type in (ORGANIZATION, PERSON)}
    prof = profiles(store, ents, until=until)
    if ccs:
        ents = {i: e for i, e in ents.items() if prof[i].countries & ccs}
    if not ents:
        return []

    # Proximity over the local meeting graph.
    for c in ents:
        adj.setdefault(c, {})
    cut = cap_neighbours(adj)
    sample = (f"proximity over a sample: at most {NEIGHBOUR_CAP} strongest ties for each of {cut} "
              f"well-connected nodes; the origin's {_TEAM_MISSIONS} most recent delegations, their "
              f"{_TEAM_LIMIT:,} most recent meetings, their contacts' {_WARM_LIMIT:,} (the {_WARM_HUBS} best "
              f"connected: {NEIGHBOUR_CAP} each)"
              ) if cut or team_capped or len(r1) >= _TEAM_LIMIT or len(r2) >= _WARM_LIMIT else None
    ppr = personalised_pagerank(adj, team, eps=_PPR_EPS)
    best_ppr = max((ppr.get(c, 0.0) for c in ents), default=0.0)
    # A relation's date is its latest evidence's.
    reference = as_of or max((r.date for rs in (r1, r2, r3) for r in rs if r.date), default=None)
    candidate_last: dict[str, str] = {}
    for r in (*r2, *r3):
        dates = (dates_of(r.evidence) if with_ev else []) or ([r.date] if r.date else [])
        if as_of:
            dates = [d for d in dates if d[:10] <= as_of[:10]]
        for x in (r.source, r.target):
            if x in ents and dates and dates[-1] > candidate_last.get(x, ""):
                candidate_last[x] = dates[-1]

    scored = []
    for c, e in ents.items():
        fit = max((sector_fit(code, prof[c].sectors) for code in codes), default=0.0)
        comp = min(1.0, sum(comparable[m] for m in met_by.get(c, ())) / 2.0)
        prox = ppr.get(c, 0.0) / best_ppr if best_ppr > 0 else 0.0
        fac = 1.0 if e.kind in FACILITATOR_KINDS else 0.0
        rec = recency(candidate_last.get(c), reference)
        signals = {"fit": fit, "comparable": round(comp, 4), "proximity": round(prox, 4),
                   "facilitator": fac, "recency": round(rec, 4)}
        scored.append((sum(WEIGHTS[k] * v for k, v in signals.items()), c, signals))
    scored.sort(key=lambda s: (-s[0], ents[s[1]].name))
    # Adamic-Adar is shown, not scored: degrees only for the contacts of those returned.
    via = {c: {k for k, _ in warm.get(c, [])} for _, c, _ in scored[:limit]}
    deg = store.degrees({k for ks in via.values() for k in ks})
    top = [(score, c, signals, sum(1.0 / math.log(max(2, deg.get(k, 2))) for k in via[c]))
           for score, c, signals in scored[:limit]]

    # Explanations only for the ones returned.
    top_ids = [c for _, c, _, _ in top]
    # How the origin belongs to its delegations: the first hop of a warm path
    # through one of them, with the sentence that says so.
    if o.type == MISSION:
        team_links = {r.other(o.id): r for r in store.relations(
            types=list(DELEGATION_RELATIONS), entity_ids=[o.id], until=until) if r.other(o.id) in team}
    else:  # the origin's links to its (capped) delegations, not to all it ever led
        links = [r for r in led if r.target in team]
        link_evidence = store.relation_evidence(links)
        for r in links:
            r.evidence = link_evidence.get(r.id, [])
        team_links = {r.target: r for r in links}
    people = _people(store, top_ids, until=until)
    # Names of what is shown: the warm paths' hops (any contact a path may
    # take), the comparable missions, the people.
    on_paths = {x for c in top_ids for k, _ in warm.get(c, []) for x in (k, known[k].source, known[k].target)}
    names = store.get_entities({*on_paths, *(m for c in top_ids for m in met_by.get(c, ())),
                                *(p for ps in people.values() for p in ps)}, with_aliases=False)
    names.update(ents)
    names[o.id] = o
    # The evidence shown: each warm path's hops, the comparable missions' first meetings.
    best = {c: _best_link(warm.get(c, []), known, n_ev) for c in top_ids}
    shown_r3 = {c: [r for r in r3 if c in (r.source, r.target)][:3] for c in top_ids}
    if not with_ev:
        shown = [*(r for kr in best.values() if kr for r in (kr[1], known[kr[0]])),
                 *(r for rs in shown_r3.values() for r in rs)]
        evidence_of = store.relation_evidence(list({r.id: r for r in shown}.values()))
        for r in shown:
            r.evidence = evidence_of.get(r.id, [])
    out = []
    for score, c, signals, aa in top:
        path = _warm_path(o.id, team, c, best[c], known, names, team_links)
        comps = sorted(met_by.get(c, ()), key=lambda m: names[m].name if m in names else m)
        evidence = [ev for h in path for ev in h.evidence[:1]]
        evidence += [ev for r in shown_r3[c] for ev in r.evidence[:1]][:3]
        out.append(Recommendation(
            entity=EntityRef.of(ents[c]),
            score=round(score, 4),
            reasons=_reasons(signals, codes, prof[c].sectors, comps, names, path, ents[c], aa,
                             candidate_last.get(c)),
            signals=signals,
            adamic_adar=round(aa, 4),
            warm_path=path,
            met_by=[ref(names, m) for m in comps],
            people=[ref(names, p) for p in sorted(people.get(c, ()))],
            already_met=c in known,
            sectors=sorted(prof[c].sectors),
            last_date=candidate_last.get(c),
            evidence=evidence,
            sample=sample,
        ))
    return out


def _count_evidence(store: Store, rels: list[Relation], with_ev: bool, n_ev: dict[str, int]) -> None:
    """Each relation's pieces of evidence into ``n_ev``: from the records
    when read with them, else counted by the store."""
    if with_ev:
        n_ev.update((r.id, len(r.evidence)) for r in rels)
    else:
        n_ev.update(store.evidence_counts([r for r in rels if r.id not in n_ev]))


def _contacts_meetings(store: Store, contacts: list[str], *, until: str | None,
                       with_evidence: bool = True) -> list[Relation]:
    """Whom the contacts met: up to ``_WARM_LIMIT`` most recent meetings of
    the ordinary ones, and the ``NEIGHBOUR_CAP`` most recent of each hub
    among them (more would be cut from the proximity graph anyway)."""
    if not contacts:
        return []
    deg = store.degrees(contacts)
    hubs = sorted((c for c in contacts if deg.get(c, 0) > NEIGHBOUR_CAP), key=lambda c: (-deg[c], c))
    small = [c for c in contacts if deg.get(c, 0) <= NEIGHBOUR_CAP]
    types = list(MEETING_RELATIONS)
    found = store.relations(types=types, entity_ids=small, until=until, limit=_WARM_LIMIT,
                            with_evidence=with_evidence) if small else []
    for hub in hubs[:_WARM_HUBS]:
        found += store.relations(types=types, entity_ids=[hub], until=until, limit=NEIGHBOUR_CAP,
                                 with_evidence=with_evidence)
    return found


def _recent_missions(store: Store, origin: str, *,
                     until: str | None) -> tuple[set[str], bool, list[Relation]]:
    """The missions ``origin`` led or joined, at most its ``_TEAM_MISSIONS``
    most recent (an agency that led thousands plans the next one from what
    it did lately), whether the cap cut any, and the relations read (the
    first hops of warm paths, without evidence)."""
    rels = store.relations(types=list(DELEGATION_RELATIONS), entity_ids=[origin], direction="out", until=until,
                           with_evidence=False, limit=4 * _TEAM_MISSIONS)
    newest_first = list(dict.fromkeys(r.target for r in rels))
    missions = only_missions(store, newest_first)  # MEMBER_OF an association is not a delegation
    kept = [m for m in newest_first if m in missions]
    return set(kept[:_TEAM_MISSIONS]), len(kept) > _TEAM_MISSIONS or len(rels) == 4 * _TEAM_MISSIONS, rels


def _sector_candidates(store: Store, codes: list[str], ccs: set[str], *, until: str | None) -> set[str]:
    if not codes:
        return set()
    rels = store.relations(types=[IN_SECTOR], entity_ids=[f"sector-{c}" for c in codes], direction="in",
                           until=until, with_evidence=False, limit=_SECTOR_CANDIDATES)
    ents = store.get_entities({r.source for r in rels}, with_aliases=False)
    return {i for i, e in ents.items() if e.type == ORGANIZATION and (not ccs or not e.country or e.country in ccs)}


def _facilitators(store: Store, ccs: set[str], *, until: str | None) -> set[str]:
    found: set[str] = set()
    for cc in sorted(ccs):
        for kind in sorted(FACILITATOR_KINDS):
            found |= {e.id for e in store.search_entities(
                None, type=ORGANIZATION, kind=kind, country=cc, limit=_FACILITATORS_PER_KIND)}
    if until and found:
        # An entity no report before as_of mentions did not exist yet.
        seen = store.relations(entity_ids=sorted(found), until=until, with_evidence=False)
        found &= {x for r in seen for x in (r.source, r.target)}
    return found


def _people(store: Store, org_ids: list[str], *, until: str | None) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    if org_ids:
        for r in store.relations(types=[WORKS_FOR], entity_ids=org_ids, direction="in", until=until,
                                 with_evidence=False):
            out[r.target].add(r.source)
    return out


def _best_link(links: list[tuple[str, Relation]], known: dict[str, Relation],
               n_ev: dict[str, int]) -> tuple[str, Relation] | None:
    """The contact through which a warm path goes: the best evidenced."""
    if not links:
        return None
    return max(links, key=lambda kr: (n_ev[kr[1].id] + n_ev[known[kr[0]].id], kr[1].date or ""))


def _warm_path(origin: str, team: set[str], cand: str, link: tuple[str, Relation] | None,
               known: dict[str, Relation], names: dict[str, Entity],
               team_links: dict[str, Relation]) -> list[Hop]:
    """origin [-> its delegation] -> the best-evidenced contact -> candidate;
    every hop a stored relation with its evidence."""
    if link is None:
        return []
    k, second = link
    first = known[k]
    hops = []
    via = first.source if first.source in team else first.target
    if via != origin and via in team:
        joined = team_links.get(via)
        if joined is None:  # the origin is a mission and ``via`` one of its members
            return []
        hops.append(Hop(source=ref(names, joined.source), target=ref(names, joined.target), type=joined.type,
                        relation_id=joined.id, date=joined.date, evidence=list(joined.evidence)))
    hops.append(Hop(source=ref(names, via if via in team else origin), target=ref(names, k), type=first.type,
                    relation_id=first.id, date=first.date, evidence=list(first.evidence)))
    hops.append(Hop(source=ref(names, k), target=ref(names, cand), type=second.type,
                    relation_id=second.id, date=second.date, evidence=list(second.evidence)))
    return hops


def _reasons(signals: dict[str, float], codes: list[str], their: set[str], comps: list[str],
             names: dict[str, Entity], path: list[Hop], e: Entity, aa: float, last: str | None) -> list[str]:
    reasons = []
    if signals["fit"] == 1.0:
        reasons.append(f"sector fit: in {', '.join(sorted(set(codes) & their))}")
    elif signals["fit"] > 0:
        reasons.append(f"sector fit: in {', '.join(sorted(their))}, same ISIC section as asked")
    if comps:
        shown = ", ".join(names[m].name if m in names else m for m in comps[:3])
        reasons.append(f"met by {len(comps)} comparable mission{'s' if len(comps) > 1 else ''}: {shown}")
    if path:
        reasons.append(f"warm introduction through {path[-2].target.name}")
    if signals["proximity"] > 0:
        reasons.append(f"network proximity {signals['proximity']:.2f} (Adamic-Adar {aa:.2f})")
    if signals["facilitator"]:
        reasons.append(f"facilitator: {e.kind}")
    if last:
        reasons.append(f"latest evidence {last[:10]}")
    return reasons
