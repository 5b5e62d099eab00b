"""Entity hygiene: what the extractor got wrong about what a thing *is*,
fixed after extraction and before anything is stored.

``clean_extraction`` runs inside every store's ``upsert_extraction``, so
ingest, upload and re-extraction all store the same graph. It never invents
a fact: it drops non-entities (with their relations), retypes entities whose
name says what they are, and splits coordinated names into the entities they
coordinate, each part keeping the spans that name it.

- Sums of money ("Eur 480,000", "USD 2.3 million") are amounts, not bodies.
- Products typed as people or organisations ("Kazakh honey") are dropped; a
  one-word "person" whose every mention modifies a following noun ("Hass
  avocados", "the Hohenstein textile testing institute") is a brand or a
  name part, not a person.
- A "person" whose name is a company's ("Messe Frankfurt", "X GmbH") is an
  Organization.
- "Dubai Chambers and KEPROBA" is split when both sides are names the report
  uses on their own (or an acronym); "Ministry of Trade and Integration"
  and "Belt and Road" stay whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from graph.gazetteer import demonym_country
from graph.model import ExtractedEntity, ExtractedRelation, Extraction, Span, normalise_name
from graph.ontology import ORGANIZATION, PERSON
from graph.resolve import link_sending_bodies, name_trips
from graph.sectors import is_product_term

_CURRENCY = (r"(?:eur|euros?|usd|us\$|\$|€|£|¥|gbp|cny|rmb|yuan|rub|roubles?|rubles?|byn|kzt|tenge|uzs|"
             r"soums?|pln|zlotys?|vnd|dong|aed|dirhams?|egp|brl|reais|kes|shillings?|chf|jpy|inr|rupees?|"
             r"dollars?|sum)")
_MAGNITUDE = r"(?:thousand|million|mln|mn|m|billion|bln|bn|b|k|trillion)"
_NUMBER = r"\d[\d.,\s]*"
# "Eur 480,000", "USD 2.3 million", "480 000 euros", "$1.6m", "1.5 million".
MONEY = re.compile(
    rf"(?:{_CURRENCY}\s*{_NUMBER}\s*{_MAGNITUDE}?|{_NUMBER}\s*{_MAGNITUDE}?\s*{_CURRENCY}?|{_NUMBER}\s*{_MAGNITUDE})",
    re.IGNORECASE,
)

# Words that make a name a company's or a fair's, never a person's.
_COMPANY_WORDS = frozenset({
    "messe", "expo", "fair", "exhibition", "gmbh", "ag", "ltd", "llc", "llp", "jsc", "plc", "inc",
    "s.a.", "sa", "s.p.a.", "co.", "corp", "corporation", "company", "group", "institute", "association",
    "chamber", "ministry", "agency", "bank", "holding", "university", "park", "centre", "center",
})
# Nouns after a one-word "person" that show it names a thing: "Hass
# avocados", "Hohenstein textile testing institute".
_MODIFIED_NOUN = re.compile(r"\s+([a-z][\w-]*)")

_AND = re.compile(r"\s+(?:and|&)\s+")
_ACRONYM = re.compile(r"[A-Z][A-Z0-9&-]{1,9}")


def is_amount(name: str) -> bool:
    """A name that is only a sum of money or a number."""
    return MONEY.fullmatch(name.strip()) is not None


def _without_demonyms(name: str) -> str:
    words = name.split()
    while words and demonym_country(words[0]) is not None:
        words = words[1:]
    return " ".join(words)


def is_product(name: str) -> bool:
    """A product or commodity, optionally with its origin: "Kazakh honey"."""
    rest = _without_demonyms(name)
    return bool(rest) and is_product_term(rest)


def names_a_company(name: str) -> bool:
    return any(w.casefold().strip(",") in _COMPANY_WORDS for w in name.split())


def modifies_a_noun(e: ExtractedEntity, text: str) -> bool:
    """Every mention of a one-word name is directly followed by a lowercase
    word: the name is a brand or part of a longer name, not a person."""
    if " " in e.name.strip() or not e.mentions:
        return False
    for m in e.mentions:
        nxt = _MODIFIED_NOUN.match(text, m.end)
        if nxt is None or nxt.group(1) in ("said", "says", "told", "added", "noted", "and", "of", "was", "is"):
            return False
    return True


# --- coordinated names ------------------------------------------------------------


def _known_names(entities: Iterable[ExtractedEntity]) -> dict[str, ExtractedEntity]:
    out: dict[str, ExtractedEntity] = {}
    for e in entities:
        for form in (e.name, *e.aliases):
            out.setdefault(normalise_name(form), e)
    return out


def coordinated_parts(e: ExtractedEntity, known: dict[str, ExtractedEntity]) -> list[str]:
    """The names "A and B" coordinates, or [] when it is one name. Each side
    must stand alone: a name the report uses by itself (this entity's own
    shorter mention counts) or an acronym."""
    if e.type not in (ORGANIZATION, PERSON):
        return []
    parts = _AND.split(e.name.strip())
    if len(parts) != 2:
        return []
    own = {normalise_name(m.text) for m in e.mentions} | {normalise_name(a) for a in e.aliases}

    def stands_alone(part: str) -> bool:
        n = normalise_name(part)
        other = known.get(n)
        return (other is not None and other is not e) or n in own or _ACRONYM.fullmatch(part) is not None

    if all(p[:1].isupper() and stands_alone(p) for p in parts):
        return parts
    return []


def _split(e: ExtractedEntity, parts: list[str], known: dict[str, ExtractedEntity],
           next_id: list[int]) -> tuple[list[ExtractedEntity], list[str]]:
    """New entities for the parts the report does not have yet, and the local
    id of every part (a part without a span of its own is left out)."""
    created: list[ExtractedEntity] = []
    targets: list[str] = []
    for part in parts:
        other = known.get(normalise_name(part))
        if other is not None and other is not e:
            targets.append(other.id)
            continue
        mentions = [Span(m.start + m.text.find(part), m.start + m.text.find(part) + len(part), part)
                    for m in e.mentions if part in m.text]
        if not mentions:
            continue
        next_id[0] += 1
        new = ExtractedEntity(id=f"{e.id}.{next_id[0]}", type=e.type, name=part, kind=e.kind,
                              country=e.country, attrs=dict(e.attrs), mentions=mentions)
        created.append(new)
        targets.append(new.id)
    return created, targets


def _part_for(rel_spans: list[Span], parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The parts a relation's evidence names: one when only its name is in the
    sentence, all when the sentence names them all (or none by name)."""
    said = [(name, pid) for name, pid in parts if any(name in s.text for s in rel_spans)]
    return said or parts


def _parts_named(entity: str, rel_spans: list[Span], redirect: dict[str, list[tuple[str, str]]],
                 called: str | None = None, seen: frozenset[str] = frozenset()) -> list[str]:
    """What a relation's end stands for once coordinated names are split. A
    part may be known by a name that another coordinated entity carries:
    "Teklin" of "Linriter Warehousing Tbk and Teklin" is an alias of "Union
    of Trucks Exporters and Teklin Trade OJSC". It is followed on to that
    entity's part of that name ("Teklin Trade OJSC"), never left pointing at
    an entity that the split removed."""
    if entity not in redirect:
        return [entity]
    if entity in seen:
        return []
    parts = redirect[entity]
    chosen = [(name, pid) for name, pid in parts if called and called in name] or _part_for(rel_spans, parts)
    out: list[str] = []
    for name, pid in chosen:
        out += [p for p in _parts_named(pid, rel_spans, redirect, name, seen | {entity}) if p not in out]
    return out


# --- the pass -----------------------------------------------------------------------


def clean_extraction(x: Extraction) -> Extraction:
    """``x`` with non-entities dropped, wrong types fixed and coordinated
    names split. Relations to a dropped entity go with it."""
    text = x.document.text
    dropped: set[str] = set()
    kept: list[ExtractedEntity] = []
    for e in x.entities:
        if (is_amount(e.name) or e.type in (PERSON, ORGANIZATION) and is_product(e.name)
                or e.type == PERSON and modifies_a_noun(e, text)):
            dropped.add(e.id)
        elif e.type == PERSON and names_a_company(e.name):
            kept.append(replace(e, type=ORGANIZATION, attrs={k: v for k, v in e.attrs.items() if k != "title"}))
        else:
            kept.append(e)

    known = _known_names(kept)
    entities: list[ExtractedEntity] = []
    redirect: dict[str, list[tuple[str, str]]] = {}  # coordinated id -> (part name, part id)
    counter = [0]
    for e in kept:
        parts = coordinated_parts(e, known)
        if not parts:
            entities.append(e)
            continue
        created, targets = _split(e, parts, known, counter)
        entities.extend(created)
        names = {c.id: c.name for c in created} | {
            known[normalise_name(p)].id: p for p in parts if known.get(normalise_name(p)) not in (None, e)}
        redirect[e.id] = [(names[t], t) for t in targets]

    relations: list[ExtractedRelation] = []
    for r in x.relations:
        if r.source in dropped or r.target in dropped:
            continue
        sources = _parts_named(r.source, r.evidence, redirect)
        targets = _parts_named(r.target, r.evidence, redirect)
        for s in sources:
            for t in targets:
                if s != t:
                    relations.append(replace(r, source=s, target=t))
    if dropped or redirect or entities != x.entities:
        x = replace(x, entities=entities, relations=relations)
    # Missions are trips (graph.resolve): named by where and when, and tied to
    # the body whose delegation they are.
    return name_trips(link_sending_bodies(x))
