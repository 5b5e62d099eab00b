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

from graph.model import Entity, ExtractedEntity, normalise_name, short_hash
from graph.ontology import (
    AGREEMENT,
    EVENT,
    MISSION,
    ORGANIZATION,
    PERSON,
    PLACE,
    PROGRAM,
    SECTOR,
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
        # months are two trips.
        when = str(e.attrs.get("start") or doc_date or "")[:7]
        return f"Mission:{name}@{when}"
    return f"{e.type}:{name}"


def entity_id(e: ExtractedEntity, doc_date: str | None = None) -> str:
    """A stable, readable id: the same entity gets the same id in every store."""
    if e.type == SECTOR and e.attrs.get("code"):
        return f"sector-{e.attrs['code']}"
    if e.type == PLACE and e.kind == "country" and e.country:
        return f"country-{e.country.lower()}"
    key = entity_key(e, doc_date)
    return f"{_PREFIX.get(e.type, 'entity')}-{slug(e.name)}-{short_hash(key, length=8)}"


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


def choose(e: ExtractedEntity, candidates: Sequence[Entity]) -> Entity | None:
    """The existing entity ``e`` is, or None. A candidate counts when one
    side's canonical name is a form of the other; an ambiguous choice is no
    choice."""
    names = {normalise_name(v) for v in name_variants(e.name)}
    my_forms = set(matching_forms(e))
    good = []
    for c in candidates:
        if not _compatible(e, c):
            continue
        their_forms = set(matching_forms(c))
        if names & their_forms or {normalise_name(v) for v in name_variants(c.name)} & my_forms:
            good.append(c)
    if len(good) == 1:
        return good[0]
    exact = [c for c in good if normalise_name(c.name) == normalise_name(e.name)]
    return exact[0] if len(exact) == 1 else None


def resolve_entities(
    entities: Sequence[ExtractedEntity],
    doc_date: str | None,
    exists: Callable[[str], Entity | None],
    find_by_forms: Callable[[str, Sequence[str]], list[Entity]],
) -> dict[str, str]:
    """Map each extracted entity's local id to a global id: an existing
    entity's, or a new stable one. ``exists`` and ``find_by_forms`` are the
    store's own look-ups, run inside its write transaction. Derived spellings
    of each name (``name_variants``) are appended to that entity's aliases in
    place, so every backend stores them without knowing the rule."""
    mapping: dict[str, str] = {}
    for e in entities:
        # Derived spellings become aliases, so later reports find them.
        for v in name_variants(e.name)[1:]:
            if v not in e.aliases and normalise_name(v) not in GENERIC_FORMS:
                e.aliases.append(v)
        new_id = entity_id(e, doc_date)
        found = exists(new_id)
        if found is None and e.type not in (SECTOR,) and not (e.type == PLACE and e.kind == "country"):
            forms = matching_forms(e)
            if forms:
                found = choose(e, find_by_forms(e.type, forms))
        mapping[e.id] = found.id if found is not None else new_id
    return mapping


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

