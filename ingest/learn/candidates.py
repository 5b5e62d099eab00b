"""More candidate entities than the rules propose, for the type model to judge.

The rules only name what their patterns know; spaCy's recogniser finds
names they pass over ("Tachonics Corp", "Massachusetts", "ICCO meeting"),
and a capitals headline names countries the body may not repeat. These
become candidates marked ``candidate=ner``; the type model keeps the real
ones (a wrong candidate costs nothing when it is dropped).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from graph.gazetteer import find_place
from graph.ontology import EVENT, ORGANIZATION, PERSON, PLACE
from ingest.mentions import Entity, Mention
from graph.model import normalise_name
from ingest.organisations import org_kind

NER_TYPES = {"ORG": ORGANIZATION, "PERSON": PERSON, "GPE": PLACE, "LOC": PLACE, "EVENT": EVENT,
             "FAC": ORGANIZATION}
_LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_TRAILING = re.compile(r"(?:'s|’s)$")


def _place(surface: str, start: int, end: int) -> Mention:
    place = find_place(surface) or find_place(surface.title())
    if place is not None:
        return Mention(start, end, surface, PLACE, kind=place.kind, country=place.country,
                       key=f"{place.kind}:{place.country}:{place.name}",
                       attrs={"standard_name": place.name, "candidate": "ner"})
    return Mention(start, end, surface, PLACE, kind="region", key=f"region::{normalise_name(surface)}",
                   attrs={"candidate": "ner"})


def _mention(doc: Doc, text: str, label: str, start: int, end: int) -> Mention | None:
    surface = text[start:end]
    lead = _LEADING.match(surface)
    if lead:
        start += lead.end()
    trail = _TRAILING.search(text[start:end])
    if trail:
        end -= len(trail.group(0))
    surface = text[start:end].strip()
    if len(surface) < 2 or not any(ch.isupper() for ch in surface[:1]):
        return None
    etype = NER_TYPES[label]
    if etype == PLACE:
        return _place(surface, start, end)
    kind = (org_kind(surface) or "other") if etype == ORGANIZATION else None
    return Mention(start, end, surface, etype, kind=kind, attrs={"candidate": "ner"})


def _headline_countries(text: str) -> list[Mention]:
    """Countries named in a capitals headline ("JAPAN ADVISED TO ...")."""
    first = text.split("\n", 1)[0]
    if not first.strip() or first.upper() != first:
        return []
    out = []
    words = list(re.finditer(r"[A-Z][A-Z.'-]+", first))
    taken: set[int] = set()
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            if any(j in taken for j in range(i, i + size)):
                continue
            s, e = words[i].start(), words[i + size - 1].end()
            place = find_place(first[s:e].title())
            if place is not None and place.kind == "country":
                taken.update(range(i, i + size))
                out.append(Mention(s, e, first[s:e], PLACE, kind="country", country=place.country,
                                   key=f"country:{place.country}:{place.name}",
                                   attrs={"standard_name": place.name, "candidate": "headline"}))
    return out


def add_candidates(doc: Doc, text: str, entities: list[Entity]) -> list[Entity]:
    """The rules' entities followed by the new candidates (indices continue)."""
    covered = [(m.start, m.end) for e in entities for m in e.mentions]
    by_form: dict[tuple[str, str], Entity] = {}
    for e in entities:
        for form in [e.name, *e.aliases]:
            by_form.setdefault((e.type, normalise_name(form)), e)
        for m in e.mentions:
            if m.key:
                by_form.setdefault((e.type, m.key), e)
    out = list(entities)
    found = [_mention(doc, text, ent.label_, ent.start_char, ent.end_char)
             for ent in doc.ents if ent.label_ in NER_TYPES]
    for m in [*_headline_countries(text), *(x for x in found if x is not None)]:
        if any(m.start < t and s < m.end for s, t in covered):
            continue
        covered.append((m.start, m.end))
        form = normalise_name(m.text)
        target = by_form.get((m.type, m.key)) if m.key else None
        target = target or by_form.get((m.type, form))
        if target is None and m.type == PERSON:
            target = next((e for e in out if e.type == PERSON and form and
                           normalise_name(e.name).endswith(" " + form)), None)
        if target is not None:
            m.entity = target.index
            target.mentions.append(m)
            if form not in {normalise_name(a) for a in [target.name, *target.aliases]}:
                target.aliases.append(m.text)
            continue
        name = m.attrs.get("standard_name") if m.text.isupper() else m.text
        e = Entity(len(out), m.type, [m], name=name or m.text, kind=m.kind, country=m.country,
                   attrs={"candidate": m.attrs["candidate"]})
        m.entity = e.index
        out.append(e)
        by_form[(m.type, form)] = e
        if m.key:
            by_form[(m.type, m.key)] = e
    return out
