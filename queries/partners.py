"""Partner candidates for a sector: organisations ranked by a score anyone
can recompute from the reasons shown.

    score = 3.0 * fit + 1.5 * strength + 1.0 * recency + 1.0 * centrality

* fit: 1.0 when the organisation is in the asked ISIC division, 0.5 when it
  is in another division of the same section, 0.3 when it is only known as a
  body that delegations working in the division met (a chamber, a ministry);
* strength: distinct reports and pieces of evidence about it,
  log-scaled (10 reports = 1.0);
* recency: its latest dated evidence, halving every two years before the
  newest evidence among the candidates;
* centrality: its number of relations, log-scaled against the best-connected
  candidate.

Whether the asker already knows a candidate is flagged, not scored: knowing
them is information, not merit.

Two stages keep it fast on a large graph: fit, country, kind and degree are
read for every organisation in the sector (``Store.sector_members``: on the
embedded store one range of a table per sector and country, no evidence);
evidence is read only for the best ``max(50, 3 * limit)`` of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from graph.model import Entity, Evidence, Relation
from graph.ontology import MEETING_RELATIONS, MISSION, ORGANIZATION
from graph.sectors import division_title
from graph.store import Store
from queries.common import (
    ACTIVITY_RELATIONS,
    IN_SECTOR,
    EntityRef,
    country_filter,
    dates_of,
    delegation_members,
    documents_of,
    find_entity,
    missions_of,
    only_missions,
    profiles,
    recency,
    sector_filters,
    sector_fit,
    sector_ids,
)

W_FIT, W_STRENGTH, W_RECENCY, W_CENTRALITY = 3.0, 1.5, 1.0, 1.0
# Evidence is read from at most this many of a candidate's relations, the
# most recent: strength saturates at ten reports and recency needs only
# the newest, so a ministry's thousands of meetings change neither.
# Stated in the reasons of a candidate it applied to.
RELATIONS_READ_CAP = 200
# Fit of an organisation known only as a counterpart of the sector's delegations.
FIT_MET_BY_MISSION = 0.3


@dataclass
class PartnerCandidate:
    organization: EntityRef
    score: float
    reasons: list[str]
    sectors: list[str]  # division codes it is in
    fit: float
    strength: float
    recency: float
    centrality: float
    degree: int
    documents: list[str]
    last_date: str | None
    known_to_asker: bool = False
    evidence: list[Evidence] = field(default_factory=list)  # its sector evidence, then its newest activity


def partner_candidates(
    store: Store,
    sector: str,
    *,
    country: str | None = None,
    kinds: Sequence[str] | None = None,
    asker: str | None = None,
    limit: int = 20,
    until: str | None = None,
) -> list[PartnerCandidate]:
    """Organisations in ``sector`` (a division code or any name
    ``normalise_sector`` understands), optionally in ``country`` (name or
    ISO code) and of the given ``kinds``, best first. ``asker`` (an entity
    reference) flags candidates it has already met, directly or through a
    delegation."""
    wanted = sector_filters(sector)  # "auto parts": made in 29, sold in 45
    code = wanted[0]
    cc = country_filter(country)
    want = max(50, 3 * limit)
    codes: dict[str, set[str]] = {}
    deg: dict[str, int] = {}  # filled with the members read with their degree
    ents = _in_sectors(store, {f"sector-{c}": c for c in wanted}, codes, deg, cc=cc, kinds=kinds, until=until)
    sectors = {f"sector-{code}": code}
    # Neighbouring divisions can only enter the first stage's shortlist when
    # the asked division does not fill it (fit 1.0 outweighs fit 0.5 plus any
    # centrality), so they are read only then.
    if len(ents) < want:
        sectors = sector_ids(store, code)
        others = {k: v for k, v in sectors.items() if v != code}
        ents.update(_in_sectors(store, others, codes, deg, cc=cc, kinds=kinds, until=until))
    # Last, the bodies that delegations working in the sector met: the chambers,
    # ministries and buyers such a delegation would meet again.
    met_by: dict[str, set[str]] = {}
    if len(ents) < want:
        met_by = _met_by_sector_missions(store, code, set(ents), cc=cc, kinds=kinds, until=until)
        new = {i for i in met_by if i not in ents}
        ents.update(_filtered(store, store.get_entities(new, with_aliases=False), cc=cc, kinds=kinds, until=until))
        for i in new & set(ents):
            codes.setdefault(i, set())
    if not ents:
        return []

    # Stage 1: fit and degree for every candidate.
    deg = {i: deg[i] for i in ents if i in deg}
    deg.update(store.degrees(i for i in ents if i not in deg))
    fit = {i: max(sector_fit(c, codes[i]) for c in wanted) or (FIT_MET_BY_MISSION if i in met_by else 0.0)
           for i in ents}
    max_deg = max(deg.values(), default=0)

    def centrality(i: str) -> float:
        return math.log1p(deg.get(i, 0)) / math.log1p(max_deg) if max_deg else 0.0

    pre = sorted(ents, key=lambda i: (-(W_FIT * fit[i] + W_CENTRALITY * centrality(i)), ents[i].name))
    top = pre[:want]

    # Stage 2: evidence for the best of them (hubs: their newest relations only).
    wanted = [IN_SECTOR, *ACTIVITY_RELATIONS]
    capped = {i for i in top if deg.get(i, 0) > RELATIONS_READ_CAP}
    rels = store.relations(types=wanted, entity_ids=[i for i in top if i not in capped], until=until,
                           with_evidence=False)
    for i in sorted(capped):
        rels += store.relations(types=wanted, entity_ids=[i], until=until, limit=RELATIONS_READ_CAP,
                                with_evidence=False)
    by_entity: dict[str, list[Relation]] = {i: [] for i in top}
    for r in rels:
        for x in (r.source, r.target):
            if x in by_entity and (r.type != IN_SECTOR or r.target in sectors):
                by_entity[x].append(r)
    # Ranking counts and dates the evidence: its documents, spans and dates,
    # read per candidate without the sentences; those of the evidence shown
    # are read for the candidates returned, last.
    spans: dict[str, list[Evidence]] = {}
    for i in top:
        unread = [r for r in by_entity[i] if r.id not in spans]
        if unread:
            spans.update(store.evidence_spans(i, unread))
    for r in rels:
        r.evidence = spans.get(r.id, [])
    known = _known(store, asker, until=until) if asker else set()
    newest = max((d for rs in by_entity.values() for r in rs for d in dates_of(r.evidence)), default=None)

    missions = {m: e.name for m, e in store.get_entities({m for i in top for m in met_by.get(i, ())},
                                                              with_aliases=False).items()}
    out = []
    shown: dict[str, list[tuple[str, int]]] = {}  # candidate -> (relation, index) of each evidence shown
    for i in top:
        rs = by_entity[i]
        evidence = [ev for r in rs for ev in r.evidence]
        docs = documents_of(evidence)
        dates = dates_of(evidence)
        last = dates[-1] if dates else None
        strength = min(1.0, math.log1p(len(docs) + 0.25 * len(evidence)) / math.log1p(10))
        rec = recency(last, newest)
        cen = centrality(i)
        score = W_FIT * fit[i] + W_STRENGTH * strength + W_RECENCY * rec + W_CENTRALITY * cen
        sector_ev = [(r.id, k, ev) for r in rs if r.type == IN_SECTOR for k, ev in enumerate(r.evidence)]
        activity_ev = sorted(((r.id, k, ev) for r in rs if r.type != IN_SECTOR for k, ev in enumerate(r.evidence)),
                             key=lambda x: x[2].date or "", reverse=True)
        shown[i] = [(rid, k) for rid, k, _ in sector_ev[:3] + activity_ev[:5]]
        out.append(PartnerCandidate(
            organization=EntityRef.of(ents[i]),
            score=round(score, 4),
            reasons=_reasons(next((c for c in wanted if c in codes[i]), code), codes[i], fit[i], docs, evidence,
                             last, deg.get(i, 0), i in known,
                             met_by=[missions[m] for m in sorted(met_by.get(i, ())) if m in missions],
                             capped=i in capped),
            sectors=sorted(codes[i]),
            fit=fit[i], strength=round(strength, 4), recency=round(rec, 4), centrality=round(cen, 4),
            degree=deg.get(i, 0), documents=docs, last_date=last, known_to_asker=i in known,
        ))
    out.sort(key=lambda c: (-c.score, c.organization.name))
    out = out[:limit]
    # The sentences of the evidence each candidate returned shows.
    rel_by_id = {r.id: r for r in rels}
    full = store.relation_evidence([rel_by_id[rid] for rid in
                                    dict.fromkeys(rid for c in out for rid, _ in shown[c.organization.id])])
    for c in out:
        c.evidence = [_full(full[rid], spans[rid], k) for rid, k in shown[c.organization.id]]
    return out


def _full(evidence: list[Evidence], spans: list[Evidence], k: int) -> Evidence:
    """The evidence read in full that is span ``k`` of its relation."""
    if len(evidence) == len(spans):
        return evidence[k]
    s = spans[k]
    return next(ev for ev in evidence if (ev.doc_id, ev.start, ev.end, ev.date) == (s.doc_id, s.start, s.end, s.date))


def _in_sectors(store: Store, sectors: dict[str, str], codes: dict[str, set[str]], deg: dict[str, int], *,
                cc: str | None, kinds: Sequence[str] | None, until: str | None) -> dict[str, Entity]:
    """Organisations in the given sector entities, filtered by kind and
    country; fills ``codes`` (entity -> its division codes among them) and
    ``deg`` (their degrees, when read with them)."""
    if not sectors:
        return {}
    # Kind and country are filtered in the store: a sector holds thousands of
    # organisations, one country's share of them is what we need.
    if until is None:
        # With their names and degrees, from one range of the store.
        members = store.sector_members(list(sectors), entity_type=ORGANIZATION, kinds=kinds, country=cc)
        mine = {i: {sectors[s] for s in members[i].sectors} for i in sorted(members)}
        found = {i: members[i].entity for i in mine}
        deg.update((i, m.degree) for i, m in members.items())
    else:
        # Membership stated up to a date: from the relations' evidence.
        linked = store.linked_entities(list(sectors), types=[IN_SECTOR], direction="in",
                                       entity_type=ORGANIZATION, kinds=kinds, country=cc, until=until)
        mine = {i: {sectors[s] for s in seeds} for i, seeds in linked.items()}
        found = store.get_entities(mine, with_aliases=False)
    ents = _filtered(store, found, cc=cc, kinds=kinds, until=until)
    for i in ents:
        codes.setdefault(i, set()).update(mine[i])
    return ents


def _filtered(store: Store, ents: dict[str, Entity], *, cc: str | None, kinds: Sequence[str] | None,
              until: str | None) -> dict[str, Entity]:
    """The organisations among ``ents`` of the given kinds, in country ``cc``."""
    ents = {i: e for i, e in ents.items() if e.type == ORGANIZATION}
    if kinds:
        ents = {i: e for i, e in ents.items() if e.kind in set(kinds)}
    if cc:
        # The country field decides when present; location relations otherwise.
        unsure = {i: e for i, e in ents.items() if not e.country}
        prof = profiles(store, unsure, until=until) if unsure else {}
        ents = {i: e for i, e in ents.items()
                if e.country == cc or (i in prof and cc in prof[i].countries)}
    return ents


def _met_by_sector_missions(store: Store, code: str, exclude: set[str], *, cc: str | None,
                            kinds: Sequence[str] | None, until: str | None) -> dict[str, set[str]]:
    """Organisation id -> the missions working in division ``code`` that met
    it (kind and country filtered in the store, as for the sector itself)."""
    sector = f"sector-{code}"
    missions = (set(store.sector_members([sector], entity_type=MISSION)) if until is None else
                set(store.linked_entities([sector], types=[IN_SECTOR], direction="in", entity_type=MISSION,
                                          until=until)))
    if not missions:
        return {}
    met = store.linked_entities(sorted(missions), types=list(MEETING_RELATIONS), entity_type=ORGANIZATION,
                                kinds=kinds, country=cc, until=until)
    return {i: seeds for i, seeds in met.items() if i not in exclude}


def _reasons(code: str, codes: set[str], fit: float, docs: list[str], evidence: list[Evidence],
             last: str | None, degree: int, known: bool, met_by: list[str], capped: bool) -> list[str]:
    title = _title(code)
    if fit == 1.0:
        reasons = [f"in sector {code} ({title})"]
    elif not codes and met_by:
        reasons = [f"met by {', '.join(met_by[:3])}, working in sector {code} ({title})"]
    else:
        others = ", ".join(f"{c} ({_title(c)})" for c in sorted(codes))
        reasons = [f"in a neighbouring sector of the same ISIC section: {others}"]
    reasons.append(f"stated in {'at least ' if capped else ''}{len(docs)} report{'s' if len(docs) != 1 else ''} "
                   f"({len(evidence)} piece{'s' if len(evidence) != 1 else ''} of evidence"
                   + (f" in its {RELATIONS_READ_CAP} most recent relations read)" if capped else ")"))
    if last:
        reasons.append(f"latest evidence {last[:10]}")
    reasons.append(f"{degree} relation{'s' if degree != 1 else ''} in the graph")
    if known:
        reasons.append("already met by the asker")
    return reasons


def _title(code: str) -> str:
    try:
        return division_title(code)
    except KeyError:
        return code


def _known(store: Store, asker: str, *, until: str | None = None) -> set[str]:
    """Whom ``asker`` has met, directly or through its delegations."""
    a = find_entity(store, asker)
    team = {a.id, *missions_of(store, [a.id], until=until)}
    met = set()
    for r in store.relations(types=list(MEETING_RELATIONS), entity_ids=sorted(team), until=until,
                             with_evidence=False):
        met.add(r.target if r.source in team else r.source)
    # Meeting a delegation is meeting its members.
    missions = only_missions(store, met)
    for members in delegation_members(store, sorted(missions), until=until).values():
        met |= members
    return met - team

