"""Synthetic trade graphs with realistic structure, for benchmarks and the
recommender's hold-out.

    generate(store, relations=100_000, seed=1)

writes, through ``store.write_graph`` in batches:

* organisations spread over 30 countries (skewed: a few countries hold most),
  of every kind (mostly enterprises), each in one or two ISIC divisions and
  located in a city; people working for them;
* missions over 2015-2024: each led by a facilitator body of an origin
  country (commission, chamber, agency) that returns to the same target
  countries and sectors year after year, with member companies, visits,
  meetings, signings, events, announced next trips;
* one synthetic report per mission (and registry reports for the static
  facts); every relation's evidence is a real span of its report's text.

Temporal structure a good recommender can exploit (and a popularity ranking
only partly): a mission meets (a) organisations that earlier comparable
missions (same country and sector) met, (b) organisations its leader's
earlier contacts met (warm introductions), (c) organisations of its sector
in the target country, and (d) well-connected organisations there. Each
meeting report also states a few meetings between local organisations, which
is where later warm introductions come from.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from graph.model import Document, Entity, Evidence, Relation, relation_id
from graph.store import Store, open_store

COUNTRIES = ["KZ", "BY", "CN", "DE", "RU", "UZ", "TR", "PL", "IN", "AE", "VN", "BR", "EG", "ZA", "ID",
             "FR", "IT", "US", "GB", "JP", "KR", "MN", "GE", "AZ", "KG", "TJ", "HU", "RS", "SA", "NG"]
SECTORS = ["01", "10", "13", "20", "21", "22", "24", "25", "26", "27", "28", "29", "30",
           "35", "45", "46", "47", "49", "52", "62"]
KINDS = (["enterprise"] * 60 + ["chamber"] * 8 + ["agency"] * 8 + ["commission"] * 6 + ["ministry"] * 3
         + ["diplomatic"] * 4 + ["park"] * 4 + ["media"] * 3 + ["other"] * 4)
LEADER_KINDS = ("commission", "chamber", "agency")
EXTRACTOR = "synthetic"


@dataclass
class Summary:
    relations: int = 0
    entities: int = 0
    documents: int = 0
    missions: list[str] = field(default_factory=list)
    seconds: float = 0.0


class _Writer:
    """Collects records and writes them in batches; counts distinct relations."""

    def __init__(self, store: Store, batch: int = 50_000) -> None:
        self.store = store
        self.batch = batch
        self.docs: list[Document] = []
        self.ents: list[Entity] = []
        self.rels: dict[str, Relation] = {}
        self.seen: set[str] = set()
        self.summary = Summary()

    def flush(self) -> None:
        if self.docs or self.ents or self.rels:
            self.store.write_graph(self.docs, self.ents, list(self.rels.values()))
            self.summary.documents += len(self.docs)
            self.summary.entities += len(self.ents)
            self.docs, self.ents, self.rels = [], [], {}

    def relation(self, rtype: str, s: str, t: str, ev: Evidence) -> None:
        rid = relation_id(rtype, s, t)
        if rid in self.rels:
            self.rels[rid].evidence.append(ev)
            self.rels[rid].date = max(self.rels[rid].date or "", ev.date or "") or None
            return
        if rid not in self.seen:
            self.seen.add(rid)
            self.summary.relations += 1
        self.rels[rid] = Relation(id=rid, type=rtype, source=s, target=t, confidence=ev.confidence,
                                  date=ev.date, evidence=[ev])
        if len(self.rels) >= self.batch:
            self.flush()


class _Report:
    """A synthetic report: sentences appended, each a span for evidence."""

    def __init__(self, doc_id: str, date: str, title: str) -> None:
        self.id, self.date, self.title = doc_id, date, title
        self.parts: list[str] = [title + "\n"]
        self.length = len(self.parts[0])

    def say(self, sentence: str, confidence: float = 0.9) -> Evidence:
        start = self.length
        self.parts.append(sentence + " ")
        self.length += len(sentence) + 1
        return Evidence(doc_id=self.id, start=start, end=start + len(sentence), text=sentence, date=self.date,
                        confidence=confidence, extractor=EXTRACTOR)

    def document(self) -> Document:
        return Document(id=self.id, source=f"synthetic/{self.id}.txt", text="".join(self.parts),
                        title=self.title, date=self.date, extractor=EXTRACTOR)


def generate(store: Store, relations: int = 100_000, seed: int = 1, *,
             start_year: int = 2015, end_year: int = 2024) -> Summary:
    """Write a synthetic graph of about ``relations`` distinct relations."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    w = _Writer(store)
    names: dict[str, str] = {}

    # --- places and sectors -------------------------------------------------------
    reg = _Report(f"syn-registry-{seed}-places", f"{start_year - 1}-01-01", "Registry of places and sectors")
    country_weight = [1.0 / (i + 1) ** 0.8 for i in range(len(COUNTRIES))]
    cities: dict[str, list[str]] = {}
    for cc in COUNTRIES:
        cid = f"country-{cc.lower()}"
        names[cid] = f"Country {cc}"
        w.ents.append(Entity(id=cid, type="Place", name=f"Country {cc}", kind="country", country=cc,
                             evidence=[reg.say(f"Country {cc} is a country.")]))
        cities[cc] = []
        for j in range(3):
            pid = f"place-{cc.lower()}-city-{j}"
            names[pid] = f"City {j} of {cc}"
            ev = reg.say(f"City {j} of {cc} is a city in Country {cc}.")
            w.ents.append(Entity(id=pid, type="Place", name=names[pid], kind="city", country=cc, evidence=[ev]))
            w.relation("LOCATED_IN", pid, cid, ev)
            cities[cc].append(pid)
    for code in SECTORS:
        w.ents.append(Entity(id=f"sector-{code}", type="Sector", name=f"ISIC {code}", attrs={"code": code},
                             evidence=[reg.say(f"ISIC {code} is an industry.")]))
    w.docs.append(reg.document())

    # --- organisations and people ---------------------------------------------------
    n_orgs = max(150, relations // 12)
    by_country: dict[str, list[str]] = defaultdict(list)
    by_country_sector: dict[tuple[str, str], list[str]] = defaultdict(list)
    leaders: list[str] = []
    kind_of: dict[str, str] = {}
    sectors_of: dict[str, list[str]] = {}
    country_of: dict[str, str] = {}
    reg = None
    for i in range(n_orgs):
        if i % 500 == 0:
            if reg is not None:
                w.docs.append(reg.document())
            reg = _Report(f"syn-registry-{seed}-orgs-{i}", f"{start_year - 1}-06-01", "Company registry extract")
        assert reg is not None
        cc = rng.choices(COUNTRIES, country_weight)[0]
        kind = rng.choice(KINDS)
        secs = rng.sample(SECTORS, 2 if kind == "enterprise" and rng.random() < 0.3 else 1)
        oid = f"org-syn-{i}"
        name = f"{kind.title()} {i} of {cc}"
        names[oid], kind_of[oid], sectors_of[oid], country_of[oid] = name, kind, secs, cc
        ev = reg.say(f"{name} is a {kind} in City of {cc}, working in ISIC {' and '.join(secs)}.")
        w.ents.append(Entity(id=oid, type="Organization", name=name, kind=kind, country=cc, evidence=[ev]))
        w.relation("LOCATED_IN", oid, rng.choice(cities[cc]), ev)
        for s in secs:
            w.relation("IN_SECTOR", oid, f"sector-{s}", ev)
            by_country_sector[(cc, s)].append(oid)
        by_country[cc].append(oid)
        if kind in LEADER_KINDS:
            leaders.append(oid)
        if i % 2 == 0:
            pid = f"person-syn-{i}"
            pname = f"Person {i}"
            pev = reg.say(f"{pname} is director of {name}.")
            w.ents.append(Entity(id=pid, type="Person", name=pname, attrs={"title": "director"}, evidence=[pev]))
            w.relation("WORKS_FOR", pid, oid, pev)
    if reg is not None:
        w.docs.append(reg.document())

    # Each leader plans its missions to a few target countries about its sectors.
    plans = {lead: ([rng.choices(COUNTRIES, country_weight)[0] for _ in range(2)],
                    [*sectors_of[lead], rng.choice(SECTORS)]) for lead in leaders}
    enterprises_home: dict[str, list[str]] = defaultdict(list)
    for oid, k in kind_of.items():
        if k == "enterprise":
            enterprises_home[country_of[oid]].append(oid)

    # --- missions over the years ------------------------------------------------------
    met_in_context: dict[tuple[str, str], list[str]] = defaultdict(list)  # (country, sector) -> met orgs
    partners: dict[str, list[str]] = defaultdict(list)  # org -> orgs it met
    known: dict[str, list[str]] = defaultdict(list)  # leader -> orgs its missions met
    popular: dict[str, list[str]] = defaultdict(list)  # country -> meeting endpoints (degree-weighted)
    days = (end_year - start_year + 1) * 365
    m = 0
    while w.summary.relations < relations and leaders:
        lead = rng.choice(leaders)
        targets, secs = plans[lead]
        cc = rng.choice(targets)
        sector = rng.choice(secs)
        day = int(days * (m / max(1, relations / 22)))  # missions spread evenly over the years
        year, doy = start_year + min(day // 365, end_year - start_year), day % 365
        date = f"{year}-{1 + doy // 31:02d}-{1 + doy % 28:02d}"
        mid = f"mission-syn-{m}"
        mname = f"Delegation {m} of {names[lead]}"
        rep = _Report(f"syn-mission-{seed}-{m}", date, f"{mname} to Country {cc}")
        w.ents.append(Entity(id=mid, type="Mission", name=mname, attrs={"start": date},
                             evidence=[rep.say(f"{mname} travelled to Country {cc}.")]))
        w.summary.missions.append(mid)
        names[mid] = mname
        w.relation("LED", lead, mid, rep.say(f"{mname} was led by {names[lead]}."))
        w.relation("IN_SECTOR", mid, f"sector-{sector}", rep.say(f"{mname} was about ISIC {sector}."))
        w.relation("VISITED", mid, f"country-{cc.lower()}", rep.say(f"{mname} visited Country {cc}."))
        city = rng.choice(cities[cc])
        w.relation("VISITED", mid, city, rep.say(f"{mname} visited {names[city]}."))
        home = enterprises_home.get(country_of[lead]) or [lead]
        members = rng.sample(home, min(len(home), rng.randint(2, 6)))
        for mem in members:
            w.relation("MEMBER_OF", mem, mid, rep.say(f"{names[mem]} was part of {mname}."))

        local = by_country[cc]
        if local:
            met: list[str] = []
            want = rng.randint(4, 10)
            for _ in range(want * 3):
                if len(met) >= want:
                    break
                r = rng.random()
                pool: list[str] = []
                if r < 0.35:
                    pool = met_in_context.get((cc, sector), [])
                elif r < 0.60:
                    friends = known.get(lead, [])
                    if friends:
                        f = rng.choice(friends)
                        pool = [p for p in partners.get(f, [])[-30:] if country_of.get(p) == cc]
                elif r < 0.85:
                    pool = by_country_sector.get((cc, sector), [])
                else:
                    pool = popular.get(cc, [])
                c = rng.choice(pool) if pool else rng.choice(local)
                if c not in met:
                    met.append(c)
            for c in met:
                w.relation("MET_WITH", mid, c, rep.say(f"{mname} met with {names[c]}."))
                met_in_context[(cc, sector)].append(c)
                known[lead].append(c)
                popular[cc].append(c)
                if rng.random() < 0.2 and members:
                    mem = rng.choice(members)
                    w.relation("SIGNED_WITH", mem, c, rep.say(f"{names[mem]} signed an agreement with {names[c]}."))
                # Local bodies introduce their own contacts: tomorrow's warm paths.
                if rng.random() < 0.5:
                    pool2 = by_country_sector.get((cc, sector)) or local
                    d = rng.choice(pool2)
                    if d != c:
                        w.relation("MET_WITH", c, d, rep.say(f"{names[c]} met with {names[d]}."))
                        partners[c].append(d)
                        partners[d].append(c)
                        popular[cc].append(d)
        if rng.random() < 0.3:
            eid = f"event-syn-{cc.lower()}-{year}"
            if eid not in names:
                names[eid] = f"Trade Fair {year} in {cc}"
                w.ents.append(Entity(id=eid, type="Event", name=names[eid], attrs={"start": date},
                                     evidence=[rep.say(f"{names[eid]} took place.")]))
            w.relation("PARTICIPATED_IN", mid, eid, rep.say(f"{mname} took part in {names[eid]}."))
        if rng.random() < 0.3:
            nxt = rng.choice(targets)
            w.relation("PLANS_VISIT", lead, f"country-{nxt.lower()}",
                       rep.say(f"{names[lead]} plans to visit Country {nxt}."))
        w.docs.append(rep.document())
        m += 1
    w.flush()
    w.summary.seconds = time.perf_counter() - t0
    return w.summary


def main() -> None:
    ap = argparse.ArgumentParser(description="Write a synthetic tradekg graph")
    ap.add_argument("db", help="store path or URL")
    ap.add_argument("--relations", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    store = open_store(args.db)
    s = generate(store, relations=args.relations, seed=args.seed)
    print(f"{s.relations} relations, {s.entities} entities, {s.documents} documents, "
          f"{len(s.missions)} missions in {s.seconds:.1f} s")
    store.close()


if __name__ == "__main__":
    main()
