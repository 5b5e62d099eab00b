"""Entity resolution across documents: when is a mention an entity we have?

One implementation, used by every store inside ``upsert_extraction``. It is
conservative: two organisations become one node only when one's canonical
name is the other's name or alias (after normalisation), their types agree
and their countries do not conflict. Short acronyms ("EC") and generic forms
("the delegation", "the chamber") never merge anything on their own — they
are document-local. A wrong merge can be undone with ``unmerge_entity``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from graph.gazetteer import country_name, demonym_country
from graph.model import (
    Entity,
    ExtractedEntity,
    ExtractedRelation,
    Extraction,
    Span,
    normalise_name,
    short_hash,
)
from graph.ontology import (
    AGREEMENT,
    EVENT,
    LED,
    MEMBER_OF,
    MISSION,
    ORGANIZATION,
    ORGANIZED,
    PERSON,
    PLACE,
    PLANS_VISIT,
    PROGRAM,
    SECTOR,
    SYMMETRIC_RELATIONS,
    VISITED,
)

_PREFIX = {
    ORGANIZATION: "org", PERSON: "person", PLACE: "place", EVENT: "event",
    MISSION: "mission", SECTOR: "sector", AGREEMENT: "agreement", PROGRAM: "program",
}

# Forms that name a role, not a body: never evidence that two mentions in
# different reports are the same entity.
GENERIC_FORMS = frozenset({
    "delegation", "business delegation", "trade delegation", "trade mission", "mission",
    "chamber", "ministry", "commission", "committee", "company", "group", "office",
    "park", "agency", "council", "bureau", "government", "administration", "embassy",
    "consulate", "association", "federation", "exhibition", "forum", "fair", "conference",
    "joint commission", "joint venture", "joint company", "visiting delegation",
    "city", "province", "region", "state", "country", "the two countries",
})

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, length: int = 40) -> str:
    s = _SLUG.sub("-", normalise_name(text).encode("ascii", "ignore").decode()).strip("-")
    return s[:length].rstrip("-") or "x"


def entity_key(e: ExtractedEntity, doc_date: str | None = None) -> str:
    """The identity of an extracted entity across documents."""
    name = normalise_name(e.name)
    if e.type == SECTOR and e.attrs.get("code"):
        return f"Sector:{e.attrs['code']}"
    if e.type == PLACE:
        if e.kind == "country" and e.country:
            return f"Place:country:{e.country}"
        return f"Place:{e.kind or ''}:{e.country or ''}:{name}"
    if e.type == ORGANIZATION:
        return f"Organization:{e.country or ''}:{name}"
    if e.type == MISSION:
        # Two reports of "the Chongqing business delegation" in different
        # months are two trips; "the delegation" is only ever its report's.
        # The name as reported, not the trip's name: two reports of one trip
        # may not both say where it went.
        reported = normalise_name(str(e.attrs.get("reported_name") or e.name))
        when = str(e.attrs.get("start") or doc_date or "")[:7]
        report = f"#{e.attrs['report']}" if e.attrs.get("report") else ""
        return f"Mission:{reported}@{when}{report}"
    return f"{e.type}:{name}"


def entity_id(e: ExtractedEntity, doc_date: str | None = None) -> str:
    """A stable, readable id: the same entity gets the same id in every store."""
    if e.type == SECTOR and e.attrs.get("code"):
        return f"sector-{e.attrs['code']}"
    if e.type == PLACE and e.kind == "country" and e.country:
        return f"country-{e.country.lower()}"
    key = entity_key(e, doc_date)
    shown = str(e.attrs.get("reported_name") or e.name) if e.type == MISSION else e.name
    return f"{_PREFIX.get(e.type, 'entity')}-{slug(shown)}-{short_hash(key, length=8)}"


# A quoted proper name inside a longer name: National “Atameken” Chamber of ...
_QUOTED = re.compile(r"\s*[“\"«„][^”\"»“]{2,60}[”\"»“]\s*")
# "the Republic of Belarus" and "Belarus" name the same country.
_REPUBLIC = re.compile(r"\b(?:the )?Republic of ", re.IGNORECASE)


def name_variants(form: str) -> list[str]:
    """Spellings of one name that reports use interchangeably: the name
    itself, without a quoted part, and "of Belarus" for "of the Republic of
    Belarus"."""
    variants = [form.strip()]
    unquoted = " ".join(_QUOTED.sub(" ", form).split())
    if unquoted and unquoted != variants[0]:
        variants.append(unquoted)
    for v in list(variants):
        short = _REPUBLIC.sub("", v)
        if short != v:
            variants.append(short)
    return variants


def matching_forms(e: ExtractedEntity | Entity) -> list[str]:
    """Normalised forms that may identify ``e`` in another document."""
    forms = []
    for f in [e.name, *e.aliases]:
        for n in map(normalise_name, name_variants(f)):
            if len(n) < 4 or n in GENERIC_FORMS or " " not in n and n.isdigit():
                continue
            if n not in forms:
                forms.append(n)
    return forms


def _compatible(e: ExtractedEntity, cand: Entity) -> bool:
    if e.type != cand.type:
        return False
    if e.country and cand.country and e.country != cand.country:
        return False
    return not (e.type == PLACE and e.kind and cand.kind and e.kind != cand.kind)


@dataclass
class MergeDecision:
    """Why an extracted entity was taken for an existing one: the form they
    share, which side's name it is, and a score (1.0 = the same name)."""

    into: Entity
    form: str
    reason: str
    score: float



def _decision(e: ExtractedEntity, c: Entity) -> MergeDecision | None:
    # Only forms that may identify an entity count (no "the delegation").
    mine, theirs, my_forms = normalise_name(e.name), normalise_name(c.name), set(matching_forms(e))
    if mine == theirs and mine in my_forms:
        return MergeDecision(c, mine, "same name", 1.0)
    names = {normalise_name(v) for v in name_variants(e.name)}
    their_names = {normalise_name(v) for v in name_variants(c.name)}
    if names & their_names & my_forms:
        return MergeDecision(c, sorted(names & their_names & my_forms)[0], "same name without a quoted part or "
                             "'Republic of'", 0.95)
    if shared := names & set(matching_forms(c)):
        return MergeDecision(c, sorted(shared)[0], "its name is an alias of the existing entity", 0.9)
    if shared := their_names & my_forms:
        return MergeDecision(c, sorted(shared)[0], "the existing entity's name is one of its aliases", 0.9)
    return None


def decide(e: ExtractedEntity, candidates: Sequence[Entity]) -> MergeDecision | None:
    """The existing entity ``e`` is, with the reason, or None. A candidate
    counts when one side's canonical name is a form of the other; an
    ambiguous choice is no choice."""
    good = [d for c in candidates if _compatible(e, c) for d in [_decision(e, c)] if d is not None]
    if len(good) == 1:
        return good[0]
    exact = [d for d in good if d.score == 1.0]
    return exact[0] if len(exact) == 1 else None


def choose(e: ExtractedEntity, candidates: Sequence[Entity]) -> Entity | None:
    """The existing entity ``e`` is, or None (``decide`` without the reason)."""
    d = decide(e, candidates)
    return d.into if d is not None else None


def resolve_entities(
    entities: Sequence[ExtractedEntity],
    doc_date: str | None,
    exists: Callable[[str], Entity | None],
    find_by_forms: Callable[[str, Sequence[str]], list[Entity]],
    decisions: list[MergeDecision] | None = None,
) -> dict[str, str]:
    """Map each extracted entity's local id to a global id: an existing
    entity's, or a new stable one. ``exists`` and ``find_by_forms`` are the
    store's own look-ups, run inside its write transaction. Derived spellings
    of each name (``name_variants``) are appended to that entity's aliases in
    place, so every backend stores them without knowing the rule. Each merge
    into an existing entity is appended to ``decisions`` when given, with
    its reason and score."""
    mapping: dict[str, str] = {}
    for e in entities:
        # Derived spellings become aliases, so later reports find them.
        for v in name_variants(e.name)[1:]:
            if v not in e.aliases and normalise_name(v) not in GENERIC_FORMS:
                e.aliases.append(v)
        new_id = entity_id(e, doc_date)
        found = exists(new_id)
        # A trip is identified by its key (name with destination, month); its
        # reported name is every trip's alias, so forms never merge two trips.
        if found is None and e.type not in (SECTOR, MISSION) and not (e.type == PLACE and e.kind == "country"):
            forms = matching_forms(e)
            decision = decide(e, find_by_forms(e.type, forms)) if forms else None
            if decision is not None:
                found = decision.into
                if decisions is not None:
                    decisions.append(decision)
        mapping[e.id] = found.id if found is not None else new_id
    return mapping


def endpoints(rtype: str, source: str, target: str) -> tuple[str, str]:
    """A relation's stored endpoints: a symmetric relation (MET_WITH,
    SIGNED_WITH) in id order, so the graph does not depend on which report
    stated it first."""
    if rtype in SYMMETRIC_RELATIONS and target < source:
        return target, source
    return source, target


# Relation attributes whose value names another entity of the same report
# (ONTOLOGY.md: SIGNED_WITH's ``agreement``, INVITED's ``event``; ``place``
# where a meeting or signing happened).
ENTITY_REF_ATTRS: tuple[str, ...] = ("agreement", "event", "place")


def map_entity_refs(attrs: dict[str, object], mapping: dict[str, str]) -> dict[str, object]:
    """``attrs`` with document-local entity ids replaced by global ones; a
    reference to an entity the report did not extract is dropped."""
    out = dict(attrs)
    for key in ENTITY_REF_ATTRS:
        value = out.get(key)
        if isinstance(value, str):
            if value in mapping:
                out[key] = mapping[value]
            else:
                del out[key]
    return out



# --- missions as trips -------------------------------------------------------------
#
# A Mission is a trip: who went, where, when. The extractor names it as the
# report does ("the Chongqing business delegation", "the delegation"), which
# is the same for a body's every trip; ``name_trips`` names it by its
# destination and month so that two trips are two nodes a person can tell
# apart, and ``link_sending_bodies`` states that "a delegation of X" is X's.

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
# Where a trip went, in the order the report says it.
_DESTINATION_RELATIONS = (VISITED, PLANS_VISIT)
# Who sent it: their country is where it came from, not where it went.
_SENDER_RELATIONS = (LED, ORGANIZED, MEMBER_OF)


def is_generic_mission_name(name: str) -> bool:
    """"delegation", "the trade mission": a role, not a trip's name."""
    n = normalise_name(name)
    return n.removeprefix("the ") in GENERIC_FORMS


def _month(date: str | None) -> str | None:
    if not date or not re.match(r"\d{4}-\d{2}", date):
        return None
    return f"{_MONTHS[int(date[5:7]) - 1]} {date[:4]}"


def _and_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _trip_parts(x: Extraction, m: ExtractedEntity) -> tuple[list[str], str | None]:
    """The countries trip ``m`` went to (in the report's order, the senders'
    own countries left out) and its first date."""
    by_id = {e.id: e for e in x.entities}
    home = {by_id[r.source].country for r in x.relations
            if r.type in _SENDER_RELATIONS and r.target == m.id and r.source in by_id}
    home.add(demonym_country(m.name.split()[0]) if m.name.split() else None)
    countries: list[str] = []
    for rtype in _DESTINATION_RELATIONS:  # where it went; where it plans to go only if nothing else
        went = sorted((min(s.start for s in by_id[r.target].mentions), cc) for r in x.relations
                      if r.type == rtype and r.source == m.id and r.target in by_id
                      for cc in [by_id[r.target].country] if cc and cc not in home)
        countries = list(dict.fromkeys(cc for _pos, cc in went))
        if countries:
            break
    dates = sorted(d for r in x.relations if m.id in (r.source, r.target) for d in [r.date] if d)
    first = str(m.attrs.get("start") or "") or (dates[0] if dates else None) or x.document.date
    return countries, first


def trip_name(x: Extraction, m: ExtractedEntity) -> str:
    """"Chongqing business delegation to Kazakhstan and Belarus, June 2024";
    the name as reported when the report says neither where nor when."""
    countries, first = _trip_parts(x, m)
    name = m.name.strip()
    if countries:
        name += " to " + _and_list([country_name(c) for c in countries])
    month = _month(first)
    return f"{name}, {month}" if month else name


def name_trips(x: Extraction) -> Extraction:
    """Missions renamed as trips (the reported name kept as an alias). A
    mission the report only calls "the delegation" is marked with its report,
    so that it is never taken for another report's."""
    entities = []
    for e in x.entities:
        if e.type == MISSION:
            name = trip_name(x, e)
            attrs = {**e.attrs, "reported_name": e.name}
            if is_generic_mission_name(e.name):
                attrs["report"] = x.document.id
            aliases = e.aliases if name == e.name else [e.name, *[a for a in e.aliases if a != e.name]]
            e = replace(e, name=name, aliases=aliases, attrs=attrs)
        entities.append(e)
    return replace(x, entities=entities)


# "a delegation of the Polish Chamber of Commerce", "a delegation from X",
# "X's delegation", "the KEPROBA delegation".
_DELEGATION_OF = re.compile(r"\b(?:delegation|mission)s? (?:of|from) (?:the )?$", re.IGNORECASE)
_DELEGATION_AFTER = re.compile(r"^(?:['’]s)? (?:business |trade |official )?(?:delegation|mission)\b",
                               re.IGNORECASE)


def _sentence(text: str, start: int, end: int) -> Span:
    a = max(text.rfind(". ", 0, start) + 2, text.rfind("\n", 0, start) + 1, 0)
    b = min((i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0), default=len(text))
    b = b + 1 if b < len(text) and text[b] == "." else b
    return Span(a, b, text[a:b])


def link_sending_bodies(x: Extraction) -> Extraction:
    """ORGANIZED from X to the mission for "a delegation of X" (ONTOLOGY.md:
    the body that sends a delegation organises it), so X meets whom its
    delegation met. The mission is the one mentioned right there, else the
    report's only one."""
    text = x.document.text
    missions = [e for e in x.entities if e.type == MISSION]
    if not missions:
        return x
    have = {(r.type, r.source, r.target) for r in x.relations}
    added: list[ExtractedRelation] = []
    for org in (e for e in x.entities if e.type == ORGANIZATION):
        for m in org.mentions:
            if demonym_country(m.text.strip()) is not None:  # "a delegation of Kazakh exporters"
                continue
            before = _DELEGATION_OF.search(text, max(0, m.start - 40), m.start)
            after = _DELEGATION_AFTER.match(text[m.end:m.end + 40])
            if before is None and after is None:
                continue
            at = before.start() if before is not None else m.end
            here = [t for t in missions if any(abs(s.start - at) < 30 for s in t.mentions)]
            mission = (here or missions)[0] if len(here) == 1 or len(missions) == 1 else None
            if mission is None or (ORGANIZED, org.id, mission.id) in have:
                continue
            have.add((ORGANIZED, org.id, mission.id))
            span = _sentence(text, min(at, m.start), max(at, m.end))
            added.append(ExtractedRelation(type=ORGANIZED, source=org.id, target=mission.id, confidence=0.8,
                                           evidence=[span], attrs={"rule": "delegation of"}))
    return replace(x, relations=[*x.relations, *added]) if added else x
