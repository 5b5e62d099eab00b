"""Temporal hold-out of ``recommend_contacts`` against two baselines.

    .venv/bin/python -m benchmarks.holdout --synthetic 100000 [--cutoff 2022-01-01]
    .venv/bin/python -m benchmarks.holdout --db data/tradekg.db --cutoff 2023-01-01

For every mission that starts after the cutoff (at most ``--missions`` of
them): origin = the organisation that led it, countries = the countries it
visited, sectors = its sectors — what a planner knows beforehand. Truth = the
organisations the mission (or its members) met that its leader had not met
before the cutoff and that some report before the cutoff mentions (nobody
can recommend an organisation no report has named yet; how many truth
organisations that excludes is printed). Each ranker sees only evidence up
to the cutoff:

* tradekg — ``recommend_contacts(..., as_of=cutoff)``;
* Adamic–Adar — Σ 1/log(degree) over the leader's contacts that also met
  the candidate (meeting graph before the cutoff), candidates in the target
  countries;
* popularity — candidates in the target countries by number of meetings
  before the cutoff.

Hits@10 (a truth organisation among the first ten) and MRR (reciprocal rank
of the first truth organisation in the first 50) are averaged over missions.
"""

from __future__ import annotations

import argparse
import math
import random
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from graph.ontology import MEETING_RELATIONS, ORGANIZATION
from graph.store import Store, open_store
from queries.common import delegation_members, missions_of, only_missions
from queries.recommend import recommend_contacts

DEPTH = 50


@dataclass
class Case:
    mission: str
    leader: str
    countries: list[str]
    sectors: list[str]
    truth: set[str]


def _first_date(store: Store, mission: str) -> str | None:
    dates = [d for r in store.relations(entity_ids=[mission]) for d in r.dates]
    return min(dates) if dates else None


def cases(store: Store, cutoff: str, *, limit: int, seed: int = 1) -> tuple[list[Case], int]:
    """Test missions after the cutoff; also the number of truth organisations
    dropped because no report before the cutoff names them."""
    missions = [e.id for e in store.search_entities(None, type="Mission", limit=1_000_000)]
    rng = random.Random(seed)
    rng.shuffle(missions)
    out, unseen = [], 0
    for m in missions:
        if len(out) >= limit:
            break
        start = _first_date(store, m)
        if not start or start <= cutoff:
            continue
        rels = store.relations(entity_ids=[m])
        leaders = [r.source for r in rels if r.type == "LED" and r.target == m]
        if not leaders:
            continue
        leader = leaders[0]
        places = store.get_entities({r.target for r in rels if r.type == "VISITED" and r.source == m})
        countries = sorted({p.country for p in places.values() if p.country})
        sectors = sorted({r.target.removeprefix("sector-") for r in rels if r.type == "IN_SECTOR"})
        if not countries or not sectors:
            continue
        team = {m} | delegation_members(store, [m]).get(m, set())
        met = {r.other(x) for r in store.relations(types=list(MEETING_RELATIONS), entity_ids=sorted(team),
                                                   since=start) for x in (r.source, r.target) if x in team}
        met -= team
        known = _known_before(store, leader, cutoff)
        ents = store.get_entities(met - known)
        truth = {i for i, e in ents.items() if e.type == ORGANIZATION}
        named_before = {x for r in store.relations(entity_ids=sorted(truth), until=cutoff, with_evidence=False)
                        for x in (r.source, r.target)} if truth else set()
        unseen += len(truth - named_before)
        truth &= named_before
        if truth:
            out.append(Case(m, leader, countries, sectors, truth))
    return out, unseen


def _known_before(store: Store, leader: str, cutoff: str) -> set[str]:
    team = {leader, *missions_of(store, [leader], until=cutoff)}
    rels = store.relations(types=list(MEETING_RELATIONS), entity_ids=sorted(team), until=cutoff,
                           with_evidence=False)
    met = {r.other(x) for r in rels for x in (r.source, r.target) if x in team} - team
    for members in delegation_members(store, sorted(only_missions(store, met)), until=cutoff).values():
        met |= members
    return met


def _in_countries(store: Store, countries: list[str], cache: dict[str, list[str]]) -> list[str]:
    out = []
    for cc in countries:
        if cc not in cache:
            cache[cc] = [e.id for e in store.search_entities(None, type=ORGANIZATION, country=cc, limit=1_000_000)]
        out += cache[cc]
    return out


def _meeting_degrees(store: Store, ids: list[str], cutoff: str) -> dict[str, int]:
    deg: dict[str, int] = defaultdict(int)
    wanted = set(ids)
    for r in store.relations(types=list(MEETING_RELATIONS), entity_ids=ids, until=cutoff, with_evidence=False):
        for x in (r.source, r.target):
            if x in wanted:
                deg[x] += 1
    return deg


def popularity(store: Store, case: Case, cutoff: str, cache: dict[str, list[str]]) -> list[str]:
    cands = [c for c in _in_countries(store, case.countries, cache) if c != case.leader]
    known = _known_before(store, case.leader, cutoff)
    deg = _meeting_degrees(store, cands, cutoff)
    return sorted((c for c in cands if c not in known and deg.get(c)), key=lambda c: (-deg[c], c))[:DEPTH]


def adamic_adar(store: Store, case: Case, cutoff: str, cache: dict[str, list[str]]) -> list[str]:
    allowed = set(_in_countries(store, case.countries, cache))
    known = _known_before(store, case.leader, cutoff)
    if not known:
        return []
    deg = _meeting_degrees(store, sorted(known), cutoff)
    score: dict[str, float] = defaultdict(float)
    for r in store.relations(types=list(MEETING_RELATIONS), entity_ids=sorted(known), until=cutoff,
                             with_evidence=False):
        for k in (r.source, r.target):
            c = r.other(k)
            if k in known and c in allowed and c not in known and c != case.leader:
                score[c] += 1.0 / math.log(max(2, deg.get(k, 2)))
    return sorted(score, key=lambda c: (-score[c], c))[:DEPTH]


def tradekg(store: Store, case: Case, cutoff: str, cache: dict[str, list[str]]) -> list[str]:
    recs = recommend_contacts(store, case.leader, case.countries, case.sectors, limit=DEPTH, as_of=cutoff)
    return [r.entity.id for r in recs]


def evaluate(store: Store, cutoff: str, *, missions: int = 100) -> dict[str, tuple[float, float]]:
    test, unseen = cases(store, cutoff, limit=missions)
    print(f"{len(test)} test missions after {cutoff}; "
          f"{sum(len(c.truth) for c in test)} truth organisations; {unseen} more met but never named before")
    cache: dict[str, list[str]] = {}
    results = {}
    for name, ranker in (("tradekg", tradekg), ("adamic-adar", adamic_adar), ("popularity", popularity)):
        hits, rr = 0.0, 0.0
        for c in test:
            ranked = ranker(store, c, cutoff, cache)
            first = next((i for i, x in enumerate(ranked) if x in c.truth), None)
            hits += 1.0 if first is not None and first < 10 else 0.0
            rr += 1.0 / (first + 1) if first is not None else 0.0
        n = max(1, len(test))
        results[name] = (hits / n, rr / n)
        print(f"| {name} | {hits / n:.3f} | {rr / n:.3f} |")
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="an existing store (e.g. built from real reports)")
    ap.add_argument("--synthetic", type=int, help="generate a synthetic graph of this many relations")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cutoff", default="2022-01-01")
    ap.add_argument("--missions", type=int, default=100)
    args = ap.parse_args()
    if args.synthetic:
        from benchmarks.synthetic import generate
        tmp = Path(tempfile.mkdtemp()) / "holdout.db"
        store = open_store(tmp)
        generate(store, relations=args.synthetic, seed=args.seed)
    else:
        store = open_store(args.db)
    print("| ranker | Hits@10 | MRR |\n|---|---|---|")
    evaluate(store, args.cutoff, missions=args.missions)
    store.close()


if __name__ == "__main__":
    main()
