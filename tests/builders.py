"""Build extractions by hand for tests: fast, no spaCy, and every span real.

    report(
        "The Kazakh delegation met with Atameken in Astana.",
        date="2024-05-02",
        entities={"d": ("Mission", "Kazakh delegation"),
                  "a": ("Organization", "Atameken", {"kind": "chamber", "country": "KZ"})},
        relations=[("MET_WITH", "d", "a")],
    )

Mention spans are found in the text (the name must occur in it); a relation's
evidence is the sentence holding both of its endpoints' first mentions.
"""

from __future__ import annotations

import re
from typing import Any

from graph.model import Document, ExtractedEntity, ExtractedRelation, Extraction, Span, document_id

EntitySpec = tuple[str, str] | tuple[str, str, dict[str, Any]]


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^.!?\n]+[.!?]?", text) if m.group().strip()]


def report(
    text: str,
    *,
    entities: dict[str, EntitySpec],
    relations: list[tuple[str, str, str]] | list[tuple[str, str, str, dict[str, Any]]] = (),  # type: ignore[assignment]
    date: str | None = None,
    source: str | None = None,
    confidence: float = 0.9,
) -> Extraction:
    doc = Document(id=document_id(text), source=source or f"{document_id(text)[:8]}.txt", text=text, date=date)
    ents = []
    first: dict[str, int] = {}
    for local, spec in entities.items():
        etype, name = spec[0], spec[1]
        extra: dict[str, Any] = dict(spec[2]) if len(spec) > 2 else {}
        aliases = extra.pop("aliases", [])
        kind = extra.pop("kind", None)
        country = extra.pop("country", None)
        mentions = []
        for form in [name, *aliases]:
            for m in re.finditer(re.escape(form), text):
                mentions.append(Span(m.start(), m.end(), form))
        if not mentions:
            raise ValueError(f"{name!r} does not occur in the text")
        mentions.sort(key=lambda s: s.start)
        first[local] = mentions[0].start
        ents.append(ExtractedEntity(id=local, type=etype, name=name, aliases=list(aliases), kind=kind,
                                    country=country, attrs=extra, mentions=mentions))
    rels = []
    for spec_r in relations:
        rtype, s, t = spec_r[0], spec_r[1], spec_r[2]
        attrs = dict(spec_r[3]) if len(spec_r) > 3 else {}
        rel_date = attrs.pop("date", None)
        lo, hi = sorted((first[s], first[t]))
        start = next(a for a, b in _sentences(text) if a <= lo < b)
        end = next(b for a, b in _sentences(text) if a <= hi < b)
        rels.append(ExtractedRelation(type=rtype, source=s, target=t, confidence=attrs.pop("confidence", confidence),
                                      evidence=[Span(start, end, text[start:end])], date=rel_date, attrs=attrs))
    return Extraction(document=doc, entities=ents, relations=rels, extractor="tests/builders")


# --- reading the extractor's output in tests ------------------------------------


def extract_contract(extractor: Any, text: str, date: str | None = None) -> dict[str, Any]:
    """The ``tradekg extract`` object for one text."""
    doc = Document(id=document_id(text), source="t.txt", text=text, date=date)
    return dict(extractor.extract(doc).to_contract())


def entities_by_name(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in out["entities"]}


def has_relation(out: dict[str, Any], rtype: str, source: str, target: str, *, directed: bool = True) -> bool:
    """Whether ``out`` states ``source -rtype-> target`` (either way round
    when not ``directed``), by entity name."""
    names = {e["id"]: e["name"] for e in out["entities"]}
    for r in out["relations"]:
        if r["type"] != rtype:
            continue
        pair = (names[r["source"]], names[r["target"]])
        if pair == (source, target) or (not directed and pair == (target, source)):
            return True
    return False
