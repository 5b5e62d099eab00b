"""What every query needs: finding an entity from what a user typed, the
small records results are made of, and the few look-ups (country, sector,
employer) that several queries share.

Everything here goes through ``graph.store.Store`` primitives, so it runs the
same on the embedded store and on a Cypher server.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from graph.gazetteer import country_code
from graph.model import Entity, Evidence, Relation, normalise_name
from graph.ontology import (  # noqa: F401  (relation types re-exported for the query modules)
    ENTITY_TYPES,
    IN_SECTOR,
    INVITED,
    LED,
    LOCATED_IN,
    MEMBER_OF,
    MET_WITH,
    MISSION,
    ORGANIZATION,
    ORGANIZED,
    PART_OF,
    PARTICIPATED_IN,
    PERSON,
    PLACE,
    PLANS_VISIT,
    SECTOR,
    SIGNED_WITH,
    VISITED,
    WORKS_FOR,
)
from graph.sectors import normalise_sector, same_section, section_of, sector_codes
from graph.store import Store, UnknownEntity
from queries.lookup import note, rank_matches

# Relations that say who belongs to a delegation.
DELEGATION_RELATIONS: tuple[str, ...] = (LED, MEMBER_OF)
# ... and who sent it: "a delegation of X" is X's (ORGANIZED, graph.resolve),
# so X meets whom its delegation met.
SENDER_RELATIONS: tuple[str, ...] = (*DELEGATION_RELATIONS, ORGANIZED)

# Relations that carry "something happened between two parties": what
# strength and recency are counted from (IN_SECTOR and LOCATED_IN describe,
# they do not happen).
ACTIVITY_RELATIONS: tuple[str, ...] = (
    MET_WITH, SIGNED_WITH, VISITED, PARTICIPATED_IN, ORGANIZED, LED, MEMBER_OF, INVITED,
)


@dataclass
class EntityRef:
    """An entity as it appears inside a result: enough to show and link it."""

    id: str
    name: str
    type: str
    kind: str | None = None
    country: str | None = None

    @classmethod
    def of(cls, e: Entity) -> EntityRef:
        return cls(id=e.id, name=e.name, type=e.type, kind=e.kind, country=e.country)


@dataclass
class Hop:
    """One relation on a path, in the direction the path walks it."""

    source: EntityRef
    target: EntityRef
    type: str
    relation_id: str
    date: str | None = None
    evidence: list[Evidence] = field(default_factory=list)


def ref(entities: dict[str, Entity], entity_id: str) -> EntityRef:
    e = entities.get(entity_id)
    if e is None:  # an endpoint the store could not return: still show its id
        return EntityRef(id=entity_id, name=entity_id, type="")
    return EntityRef.of(e)


# --- finding entities -----------------------------------------------------------


def find_entity(store: Store, ref: str, *, type: str | None = None) -> Entity:
    """The entity ``ref`` names: an id, an exact name or alias, a country name
    or code (-> its country Place), a sector name or code (-> its Sector), else
    the best search hit. Raises ``UnknownEntity``."""
    if not ref or not ref.strip():
        raise UnknownEntity(ref)
    text = ref.strip()
    e = _by_id(store, text)
    if e is not None and (type is None or e.type == type):
        return e
    if type in (None, PLACE):
        cc = _country(text)
        if cc:
            e = _by_id(store, f"country-{cc.lower()}")
            if e is not None:
                return e
    form = normalise_name(text)
    # Every type's entities with this name or alias, ranked (queries.lookup);
    # the choice is noted so the user is told when others matched.
    found = [e for t in ([type] if type else ENTITY_TYPES) for e in (store.find_by_forms(t, [form]) if form else [])]
    if found:
        return note(rank_matches(text, found, evidence_counts(store, [e.id for e in found])))
    hits = store.search_entities(text, type=type, limit=1)
    if hits:
        return hits[0]
    if type in (None, SECTOR):
        code = normalise_sector(text)
        if code:
            e = _by_id(store, f"sector-{code}")
            if e is not None:
                return e
    raise UnknownEntity(ref)


def _by_id(store: Store, entity_id: str) -> Entity | None:
    """The entity with this id, without its evidence (a hub has thousands of
    mentions); an id merged into another is followed by ``get_entity``."""
    return store.get_entities([entity_id], with_aliases=False).get(entity_id) or store.get_entity(entity_id)


def evidence_counts(store: Store, entity_ids: Sequence[str]) -> dict[str, int]:
    """How many spans state each entity (one read each: callers pass few ids)."""
    counts = {}
    for i in entity_ids:
        e = store.get_entity(i)
        counts[i] = len(e.evidence) if e is not None else 0
    return counts


def _country(text: str) -> str | None:
    t = text.strip()
    return country_code(t.upper() if len(t) in (2, 3) else t)


def country_filter(country: str | None) -> str | None:
    """ISO alpha-2 code for a country name or code; ``ValueError`` if unknown."""
    if country is None or not country.strip():
        return None
    if country.startswith("country-"):
        return country[len("country-"):].upper()
    cc = _country(country)
    if cc is None:
        raise ValueError(f"unknown country {country!r}")
    return cc


def sector_filter(sector: str | None) -> str | None:
    """ISIC division code for a sector name, code or ``sector-NN`` id;
    ``ValueError`` if the normaliser does not understand it."""
    if sector is None or not sector.strip():
        return None
    s = sector.strip()
    if s.startswith("sector-"):
        s = s[len("sector-"):]
    code = normalise_sector(s)
    if code is None:
        raise ValueError(f"unknown sector {sector!r}")
    return code


def sector_filters(sector: str | None) -> list[str]:
    """Every ISIC division a sector name may mean, most specific first
    ("auto parts" -> 45 trade, 29 manufacture); a code or id is one
    division. ``ValueError`` as ``sector_filter``."""
    code = sector_filter(sector)
    if code is None:
        return []
    assert sector is not None
    return list(dict.fromkeys([code, *sector_codes(sector.strip().removeprefix("sector-"))]))


def sector_fit(wanted: str, codes: Iterable[str]) -> float:
    """1.0 for the wanted division, 0.5 for another division of its ISIC
    section, 0 otherwise."""
    best = 0.0
    for c in codes:
        if c == wanted:
            return 1.0
        try:
            if same_section(c, wanted):
                best = 0.5
        except (KeyError, ValueError):
            continue
    return best


def sector_ids(store: Store, code: str, *, section: bool = True) -> dict[str, str]:
    """Sector entity ids in the graph for a division (and, with ``section``,
    for the other divisions of its section) -> their division code."""
    out = {f"sector-{code}": code}
    if section:
        letter = section_of(code)
        for e in store.search_entities(None, type=SECTOR, limit=500):
            c = str(e.attrs.get("code") or e.id.removeprefix("sector-"))
            try:
                if section_of(c) == letter:
                    out[e.id] = c
            except (KeyError, ValueError):
                continue
    return out


def entities_in(store: Store, cc: str | None, code: str | None) -> list[str] | None:
    """Ids of entities in a country (its ``country`` field or LOCATED_IN the
    country) or in a sector division; None when neither is given (= all)."""
    if cc is None and code is None:
        return None
    found: set[str] = set()
    if code is not None:
        found |= {r.source for r in store.relations(
            types=[IN_SECTOR], entity_ids=[f"sector-{code}"], direction="in", with_evidence=False)}
    if cc is not None:
        found |= {e.id for e in store.search_entities(None, country=cc, limit=1_000_000)}
        found |= {r.source for r in store.relations(
            types=[LOCATED_IN], entity_ids=[f"country-{cc.lower()}"], direction="in", with_evidence=False)}
        found.add(f"country-{cc.lower()}")
    return sorted(found)


# --- profiles: country, sectors and places of a set of entities -----------------


@dataclass
class Profile:
    countries: set[str] = field(default_factory=set)
    sectors: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)  # names of places it is located in
    employers: set[str] = field(default_factory=set)


def profiles(store: Store, entities: dict[str, Entity], *, until: str | None = None) -> dict[str, Profile]:
    """Country, sector and place of each entity, in three store calls: its
    own ``country`` field, where it is ``LOCATED_IN``, its ``IN_SECTOR``
    sectors, and for a person those of the organisation it works for."""
    ids = list(entities)
    prof = {i: Profile() for i in ids}
    for i, e in entities.items():
        if e.country:
            prof[i].countries.add(e.country)
        if e.type == PLACE and e.kind == "country" and e.id.startswith("country-"):
            prof[i].countries.add(e.id.removeprefix("country-").upper())
    if not ids:
        return prof
    # Linked ids only, no relation records: a thousand candidates' profiles
    # are read from the store's indexes.
    employers: dict[str, list[str]] = defaultdict(list)
    places: dict[str, list[str]] = defaultdict(list)
    for rtype in (IN_SECTOR, LOCATED_IN, WORKS_FOR):
        for target, sources in store.linked_entities(ids, types=[rtype], direction="out", until=until).items():
            for source in sources & prof.keys():
                if rtype == IN_SECTOR:
                    prof[source].sectors.add(target.removeprefix("sector-"))
                elif rtype == LOCATED_IN:
                    places[source].append(target)
                else:
                    employers[source].append(target)
                    prof[source].employers.add(target)
    more = {t for ts in (*places.values(), *employers.values()) for t in ts}
    known = store.get_entities(more - set(entities), with_aliases=False) if more else {}
    known.update(entities)
    for i, ps in places.items():
        for p in ps:
            pe = known.get(p)
            if pe is None:
                continue
            prof[i].places.add(pe.name)
            if pe.country:
                prof[i].countries.add(pe.country)
            elif p.startswith("country-"):
                prof[i].countries.add(p.removeprefix("country-").upper())
    if employers:
        emp_ids = list({t for ts in employers.values() for t in ts})
        emp_entities = {i: known[i] for i in emp_ids if i in known}
        emp_prof = profiles(store, emp_entities, until=until) if emp_entities else {}
        for i, es in employers.items():
            for emp in es:
                ep = emp_prof.get(emp)
                if ep:
                    prof[i].countries |= ep.countries
                    prof[i].sectors |= ep.sectors
    return prof


# --- evidence and dates -----------------------------------------------------------


def documents_of(evidence: Iterable[Evidence]) -> list[str]:
    seen: dict[str, None] = {}
    for ev in evidence:
        seen.setdefault(ev.doc_id, None)
    return list(seen)


def dates_of(evidence: Iterable[Evidence]) -> list[str]:
    return sorted({ev.date for ev in evidence if ev.date})


def evidence_in(rel: Relation, since: str | None, until: str | None) -> list[Evidence]:
    """The relation's evidence dated within [since, until] (undated evidence
    is kept only when no bound is given)."""
    if since is None and until is None:
        return list(rel.evidence)
    out = []
    for ev in rel.evidence:
        if ev.date is None:
            continue
        d = ev.date[:10]
        if since and d < since[:10]:
            continue
        if until and d > until[:10]:
            continue
        out.append(ev)
    return out


def recency(last: str | None, reference: str | None, *, half_life_years: float = 2.0) -> float:
    """1.0 for evidence from the reference date, halving every
    ``half_life_years`` before it; 0 when undated."""
    if not last:
        return 0.0
    try:
        d = date.fromisoformat(last[:10])
        ref_d = date.fromisoformat(reference[:10]) if reference else date.today()
    except ValueError:
        return 0.0
    years = max(0.0, (ref_d - d).days / 365.25)
    return math.pow(0.5, years / half_life_years)


def missions_of(store: Store, entity_ids: Sequence[str], *, until: str | None = None,
                types: Sequence[str] = DELEGATION_RELATIONS) -> dict[str, set[str]]:
    """Mission id -> those of the given entities that led it or were members
    of it (MEMBER_OF an association is not a delegation); with
    ``SENDER_RELATIONS``, also those that sent it."""
    out: dict[str, set[str]] = defaultdict(set)
    if not entity_ids:
        return out
    rels = store.relations(types=list(types), entity_ids=entity_ids,
                           direction="out", until=until, with_evidence=False)
    missions = only_missions(store, {r.target for r in rels})
    for r in rels:
        if r.target in missions:
            out[r.target].add(r.source)
    return out


def delegation_members(store: Store, mission_ids: Sequence[str], *, until: str | None = None) -> dict[str, set[str]]:
    """Mission id -> the entities that led it or were members of it."""
    out: dict[str, set[str]] = defaultdict(set)
    if not mission_ids:
        return out
    wanted = set(mission_ids)
    for r in store.relations(types=list(DELEGATION_RELATIONS), entity_ids=mission_ids,
                             direction="in", until=until, with_evidence=False):
        if r.target in wanted:
            out[r.target].add(r.source)
    return out


def only_missions(store: Store, ids: Iterable[str]) -> set[str]:
    ids = set(ids)
    if not ids:
        return set()
    return {i for i, t in store.entity_types(ids).items() if t == MISSION}


ACTOR_TYPES = (ORGANIZATION, PERSON)
