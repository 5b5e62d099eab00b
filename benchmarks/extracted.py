"""Synthetic graphs shaped like an extracted one, hubs included.

    .venv/bin/python -m benchmarks.extracted DB --relations 1000000 [--seed 1]

``benchmarks.synthetic`` writes a tidy graph: few entities per relation, one
mention each, no aliases, no hubs. A graph the extractor builds from reports
looks different (``benchmarks.shape`` on a real ingest of ``examples/reports``
and the ``tests/gold*`` texts): about 1.2 entities per relation, most of them
named once and linked to nothing, 2-3 mentions per entity, one alias for
every other entity, 1.25 pieces of evidence per relation, ~16 relations per
report. This generator writes reports one at a time with those figures, and
picks the bodies a delegation meets and the leaders it travels with by
preferential attachment (a Polya urn: chosen in proportion to the meetings
they already have, a new one with a small probability), so a few chambers,
ministries and agencies end up met by thousands of delegations and the
organisation degrees have a power-law tail (``benchmarks.shape`` fits it).

Every report is a document whose text holds every sentence cited; every
relation's and every mention's evidence is a real span of it. Written with
``store.write_graph`` in batches: resolution is not what this measures.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from dataclasses import dataclass

from benchmarks.synthetic import COUNTRIES, SECTORS
from graph.model import Document, Entity, Evidence, Relation, relation_id
from graph.ontology import (
    IN_SECTOR,
    LED,
    LOCATED_IN,
    MEMBER_OF,
    MET_WITH,
    MISSION,
    ORGANIZATION,
    ORGANIZED,
    PARTICIPATED_IN,
    PERSON,
    PLACE,
    PLANS_VISIT,
    SECTOR,
    SIGNED_WITH,
    VISITED,
    WORKS_FOR,
)
from graph.sqlite_store import SqliteStore
from graph.store import Store, open_store

EXTRACTOR = "synthetic-extracted"
HUB_KINDS = ("chamber", "ministry", "agency", "commission", "diplomatic", "park")
OTHER_KINDS = ["enterprise"] * 12 + ["media", "other"]

# Calibration (see docs/benchmarks.md for the real ingest beside it).
NEW_HUB = 0.12  # a delegation meets a body nobody met before
NEW_LEADER = 0.10  # a mission is led by a body that never led one
NEW_COMPANY = 0.75  # a member or counterpart company is named for the first time
LOOSE_ENTITIES = 14  # named in a report but in no relation (mean)
EXTRA_MENTION = 0.3  # chance of each further mention of an entity in its report
ALIAS = 0.3  # chance that a report gives an entity a short form
SECOND_SENTENCE = 0.2  # chance a relation is stated twice in its report


@dataclass
class _Body:
    id: str
    name: str
    kind: str
    country: str
    sector: str


class _Text:
    """A report being written: sentences appended, each a span for evidence."""

    def __init__(self, doc_id: str, date: str, title: str) -> None:
        self.id, self.date = doc_id, date
        self.parts = [title, "\n"]
        self.length = len(title) + 1
        self.title = title

    def say(self, sentence: str) -> Evidence:
        start = self.length
        self.parts.append(sentence + " ")
        self.length += len(sentence) + 1
        return Evidence(doc_id=self.id, start=start, end=start + len(sentence), text=sentence,
                        date=self.date, confidence=0.85, extractor=EXTRACTOR)

    def document(self) -> Document:
        return Document(id=self.id, source=f"synthetic/{self.id}.txt", text="".join(self.parts),
                        title=self.title, date=self.date, extractor=EXTRACTOR)


class _Report:
    """The records of one report: entities with their mentions and aliases
    in it, relations with their sentences."""

    def __init__(self, text: _Text, rng: random.Random) -> None:
        self.text, self.rng = text, rng
        self.entities: dict[str, Entity] = {}
        self.relations: dict[str, Relation] = {}

    def mention(self, eid: str, etype: str, name: str, *, kind: str | None = None, country: str | None = None,
                attrs: dict[str, str] | None = None) -> str:
        if eid in self.entities:
            return eid
        evidence = [self.text.say(f"{name} was mentioned.")]
        while self.rng.random() < EXTRA_MENTION:
            evidence.append(self.text.say(f"Later, {name} was named again."))
        aliases = []
        if self.rng.random() < ALIAS:
            short = "".join(w[0] for w in name.split() if w[0].isalpha()).upper() + f"-{eid[-5:]}"
            aliases.append(short)
            evidence.append(self.text.say(f"{name} ({short}) is known by its short form."))
        self.entities[eid] = Entity(id=eid, type=etype, name=name, kind=kind, country=country,
                                    attrs=attrs or {}, aliases=aliases, evidence=evidence)
        return eid

    def relate(self, rtype: str, source: str, target: str, sentence: str) -> None:
        if source == target:
            return
        rid = relation_id(rtype, source, target)
        evidence = [self.text.say(sentence)]
        if self.rng.random() < SECOND_SENTENCE:
            evidence.append(self.text.say(f"As said, {sentence[0].lower()}{sentence[1:]}"))
        if rid in self.relations:
            self.relations[rid].evidence.extend(evidence)
            return
        self.relations[rid] = Relation(id=rid, type=rtype, source=source, target=target, confidence=0.85,
                                       date=self.text.date, evidence=evidence)


class _Urn:
    """Preferential attachment: ``pick`` returns a body with probability
    proportional to how often it was picked before (plus one), or None (=
    make a new one) with probability ``new``."""

    def __init__(self, new: float) -> None:
        self.new = new
        self.balls: list[_Body] = []

    def pick(self, rng: random.Random) -> _Body | None:
        if not self.balls or rng.random() < self.new:
            return None
        return rng.choice(self.balls)

    def add(self, body: _Body) -> None:
        self.balls.append(body)


def generate_extracted(store: Store, relations: int = 100_000, seed: int = 1, *, start_year: int = 2015,
                       end_year: int = 2024, batch_reports: int = 5_000) -> dict[str, float]:
    """Write about ``relations`` distinct relations, report by report;
    returns counts and seconds."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    country_weight = [1.0 / (i + 1) ** 0.8 for i in range(len(COUNTRIES))]
    hubs: dict[str, _Urn] = defaultdict(lambda: _Urn(NEW_HUB))  # country -> bodies met
    leaders: dict[str, _Urn] = defaultdict(lambda: _Urn(NEW_LEADER))  # country -> mission leaders
    companies: dict[str, _Urn] = defaultdict(lambda: _Urn(NEW_COMPANY))  # country -> companies seen
    cities: dict[str, list[str]] = {cc: [f"City {j} of {cc}" for j in range(12)] for cc in COUNTRIES}
    counter = {"bodies": 0, "people": 0, "loose": 0}
    seen: set[str] = set()
    docs: list[Document] = []
    ents: list[Entity] = []
    rels: dict[str, Relation] = {}
    written = {"documents": 0, "relations": 0}

    def flush() -> None:
        store.write_graph(docs, ents, list(rels.values()))
        written["documents"] += len(docs)
        docs.clear()
        ents.clear()
        rels.clear()

    def body(urn: _Urn, kinds: tuple[str, ...] | list[str], cc: str) -> tuple[_Body, bool]:
        found = urn.pick(rng)
        if found is not None:
            urn.add(found)
            return found, False
        counter["bodies"] += 1
        kind = rng.choice(kinds)
        i = counter["bodies"]
        made = _Body(id=f"org-x-{i}", name=f"{kind.title()} {i} of {cc}", kind=kind, country=cc,
                     sector=rng.choice(SECTORS))
        urn.add(made)
        return made, True

    def place(rep: _Report, cc: str, city: str | None = None) -> str:
        if city is None:
            return rep.mention(f"country-{cc.lower()}", PLACE, f"Country {cc}", kind="country", country=cc)
        return rep.mention(f"place-x-{city.lower().replace(' ', '-')}", PLACE, city, kind="city", country=cc)

    def introduce(rep: _Report, b: _Body, new: bool) -> str:
        """Mention an organisation; the first report about it says where it
        is and what it does (a later one sometimes says it again)."""
        oid = rep.mention(b.id, ORGANIZATION, b.name, kind=b.kind, country=b.country)
        if new or rng.random() < 0.15:
            city = rng.choice(cities[b.country])
            rep.relate(LOCATED_IN, oid, place(rep, b.country, city), f"{b.name} is based in {city}.")
            if b.kind != "ministry" or rng.random() < 0.3:
                rep.relate(IN_SECTOR, oid, rep.mention(f"sector-{b.sector}", SECTOR, f"ISIC {b.sector}"),
                           f"{b.name} works in ISIC {b.sector}.")
        return oid

    days = (end_year - start_year + 1) * 365
    expected_reports = max(1, relations // 16)
    n = 0
    while len(seen) < relations:
        day = min(days - 1, int(days * n / expected_reports))
        year, doy = start_year + day // 365, day % 365
        date = f"{year}-{1 + doy // 31:02d}-{1 + doy % 28:02d}"
        home, cc = rng.choices(COUNTRIES, country_weight, k=2)
        if cc == home:
            cc = rng.choice(COUNTRIES)
        sector = rng.choice(SECTORS)
        lead, lead_new = body(leaders[home], ("chamber", "agency", "commission", "ministry"), home)
        mname = f"Delegation {n} of {lead.name}"
        rep = _Report(_Text(f"syn-x-{seed}-{n}", date, f"{mname} to Country {cc}"), rng)
        mid = rep.mention(f"mission-x-{seed}-{n}", MISSION, mname, attrs={"start": date})
        rep.relate(LED, introduce(rep, lead, lead_new), mid, f"{mname} was led by {lead.name}.")
        rep.relate(VISITED, mid, place(rep, cc), f"{mname} visited Country {cc}.")
        if rng.random() < 0.6:
            city = rng.choice(cities[cc])
            rep.relate(VISITED, mid, place(rep, cc, city), f"{mname} stopped in {city}.")
        rep.relate(IN_SECTOR, mid, rep.mention(f"sector-{sector}", SECTOR, f"ISIC {sector}"),
                   f"{mname} was about ISIC {sector}.")
        members = []
        for _ in range(rng.randint(1, 3)):
            m, new = body(companies[home], OTHER_KINDS, home)
            members.append(m)
            rep.relate(MEMBER_OF, introduce(rep, m, new), mid, f"{m.name} was part of {mname}.")
        met = []
        for _ in range(rng.randint(2, 4)):
            if rng.random() < 0.4:
                c, new = body(hubs[cc], HUB_KINDS, cc)
            else:
                c, new = body(companies[cc], OTHER_KINDS, cc)
            met.append(c)
            rep.relate(MET_WITH, mid, introduce(rep, c, new), f"{mname} met with {c.name}.")
            if members and rng.random() < 0.25:
                m = rng.choice(members)
                rep.relate(SIGNED_WITH, m.id, c.id, f"{m.name} signed an agreement with {c.name}.")
        if rng.random() < 0.3 and met:
            # The leader meets its counterpart body directly: restated from report to report.
            rep.relate(MET_WITH, lead.id, met[0].id, f"{lead.name} held talks with {met[0].name}.")
        for org in rng.sample([lead, *members], rng.randint(1, 2)):
            counter["people"] += 1
            pname = f"Person {counter['people']}"
            pid = rep.mention(f"person-x-{counter['people']}", PERSON, pname, attrs={"title": "director"})
            rep.relate(WORKS_FOR, pid, org.id, f"{pname} is director of {org.name}.")
        if rng.random() < 0.3:
            eid = rep.mention(f"event-x-{cc.lower()}-{year}-{sector}", "Event", f"Fair {sector} {year} in {cc}")
            rep.relate(PARTICIPATED_IN, mid, eid, f"{mname} took part in Fair {sector} {year} in {cc}.")
            if met and rng.random() < 0.5:
                rep.relate(ORGANIZED, met[0].id, eid, f"{met[0].name} organised the fair.")
        if rng.random() < 0.3:
            nxt = rng.choice(COUNTRIES)
            rep.relate(PLANS_VISIT, lead.id, place(rep, nxt), f"{lead.name} plans to visit Country {nxt}.")
        for _ in range(rng.randint(0, 2 * LOOSE_ENTITIES)):
            counter["loose"] += 1
            k = counter["loose"]
            if k % 3 == 0:
                rep.mention(f"person-x-loose-{k}", PERSON, f"Speaker {k}")
            else:
                rep.mention(f"org-x-loose-{k}", ORGANIZATION, f"Firm {k} of {cc}", kind="enterprise", country=cc)
        docs.append(rep.text.document())
        ents.extend(rep.entities.values())
        for rid, r in rep.relations.items():
            seen.add(rid)
            if rid in rels:
                rels[rid].evidence.extend(r.evidence)
            else:
                rels[rid] = r
        n += 1
        if n % batch_reports == 0:
            flush()
    flush()
    written["relations"] = len(seen)
    return {**written, "reports": n, "seconds": round(time.perf_counter() - t0, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("db", help="store path or URL")
    ap.add_argument("--relations", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    store = open_store(args.db)
    if isinstance(store, SqliteStore):
        # Ids are hashes, so every batch writes all over each index: with
        # SQLite's default 2 MB page cache the load waits on the disk.
        store._db.execute("PRAGMA cache_size = -2000000")
    print(generate_extracted(store, relations=args.relations, seed=args.seed))
    store.close()


if __name__ == "__main__":
    main()
