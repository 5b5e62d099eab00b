"""The trade-relationship vocabulary, as data.

This module is the one place where entity types, organisation kinds and
relation types are defined. Names are identical to ONTOLOGY.md; everything
else (extraction, stores, queries, exports) imports them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

ORGANIZATION = "Organization"
PERSON = "Person"
PLACE = "Place"
EVENT = "Event"
MISSION = "Mission"
SECTOR = "Sector"
AGREEMENT = "Agreement"
PROGRAM = "Program"

ENTITY_TYPES: tuple[str, ...] = (
    ORGANIZATION, PERSON, PLACE, EVENT, MISSION, SECTOR, AGREEMENT, PROGRAM,
)

# Relation types (the keys of RELATION_TYPES below).
MET_WITH = "MET_WITH"
VISITED = "VISITED"
SIGNED_WITH = "SIGNED_WITH"
PARTICIPATED_IN = "PARTICIPATED_IN"
ORGANIZED = "ORGANIZED"
LED = "LED"
MEMBER_OF = "MEMBER_OF"
INVITED = "INVITED"
WORKS_FOR = "WORKS_FOR"
PART_OF = "PART_OF"
LOCATED_IN = "LOCATED_IN"
IN_SECTOR = "IN_SECTOR"
PLANS_VISIT = "PLANS_VISIT"

# Organization.kind
ORG_KINDS: tuple[str, ...] = (
    "commission", "ministry", "agency", "diplomatic", "enterprise",
    "chamber", "park", "media", "other",
)

# Place.kind
PLACE_KINDS: tuple[str, ...] = ("country", "region", "city")

# Organisations that open doors rather than buy or sell: the contact
# recommender gives them "facilitator" value.
FACILITATOR_KINDS: frozenset[str] = frozenset(
    {"chamber", "ministry", "agency", "commission", "diplomatic", "park"}
)

# A country can stand for its government ("France and Yugoslavia agreed"),
# so Place is an actor too.
ACTORS: frozenset[str] = frozenset({ORGANIZATION, PERSON, MISSION, PLACE})


@dataclass(frozen=True)
class RelationType:
    name: str
    symmetric: bool
    sources: frozenset[str]
    targets: frozenset[str]
    meaning: str

    def allows(self, source_type: str, target_type: str) -> bool:
        if source_type in self.sources and target_type in self.targets:
            return True
        return self.symmetric and target_type in self.sources and source_type in self.targets


def _rel(name: str, symmetric: bool, sources: set[str], targets: set[str], meaning: str) -> RelationType:
    return RelationType(name, symmetric, frozenset(sources), frozenset(targets), meaning)


_ORG_PERSON = {ORGANIZATION, PERSON}
_MEETERS = {ORGANIZATION, PERSON, MISSION, PLACE}

RELATION_TYPES: dict[str, RelationType] = {
    r.name: r
    for r in (
        _rel(MET_WITH, True, _MEETERS, _MEETERS,
             "held talks / met / received / hosted"),
        _rel(VISITED, False, set(ACTORS), {PLACE, ORGANIZATION},
             "went to a place, a company, a park, a market"),
        _rel(SIGNED_WITH, True, _MEETERS, _MEETERS,
             "signed an agreement/MoU/contract with"),
        _rel(PARTICIPATED_IN, False, set(ACTORS), {EVENT, ORGANIZATION},
             "took part in / exhibited at"),
        _rel(ORGANIZED, False, {ORGANIZATION, PERSON, PLACE}, {EVENT, MISSION},
             "hosted or organised an event"),
        _rel(LED, False, _ORG_PERSON, {MISSION},
             "led or headed a delegation"),
        # A country stands for its government: "OPEC member Nigeria".
        _rel(MEMBER_OF, False, {ORGANIZATION, PERSON, PLACE}, {MISSION, ORGANIZATION},
             "was part of a delegation; is a member of an association"),
        _rel(INVITED, False, set(ACTORS), set(ACTORS),
             "inviter -> invitee"),
        _rel(WORKS_FOR, False, {PERSON}, {ORGANIZATION, PLACE},
             "holds a post in"),
        _rel(PART_OF, False, {ORGANIZATION}, {ORGANIZATION},
             "a unit of a larger body"),
        _rel(LOCATED_IN, False, {ORGANIZATION, EVENT, PLACE}, {PLACE, ORGANIZATION},
             "where it is / took place"),
        _rel(IN_SECTOR, False, {ORGANIZATION, MISSION, EVENT, PLACE, PERSON}, {SECTOR},
             "works in, or is about, that industry"),
        _rel(PLANS_VISIT, False, set(ACTORS), {PLACE, ORGANIZATION},
             "an announced future trip"),
    )
}

SYMMETRIC_RELATIONS: frozenset[str] = frozenset(n for n, r in RELATION_TYPES.items() if r.symmetric)

# Relations that mean two parties were in the same room: who-met-whom and the
# recommender's meeting graph are built from these.
MEETING_RELATIONS: tuple[str, ...] = (MET_WITH, SIGNED_WITH)


def check_entity_type(name: str) -> str:
    if name not in ENTITY_TYPES:
        raise ValueError(f"unknown entity type {name!r}; expected one of {', '.join(ENTITY_TYPES)}")
    return name


def check_relation_type(name: str) -> str:
    if name not in RELATION_TYPES:
        raise ValueError(
            f"unknown relation type {name!r}; expected one of {', '.join(RELATION_TYPES)}"
        )
    return name
