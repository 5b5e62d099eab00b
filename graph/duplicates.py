"""Near-duplicates that resolution did not merge, for a person to decide.

Resolution (``graph.resolve``) merges only on an identical name form; this
lists the pairs it left apart that look alike — "Astana Hub" beside "Astana
Hub International Technology Park", "EU" beside "European Union" — each with
the reasons and a score in 0..1. Nothing here writes: a merge is the user's
(``tradekg merge`` / ``POST /entities/merge``, undoable).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from graph.model import Entity, normalise_name
from graph.ontology import MISSION, SECTOR
from graph.resolve import GENERIC_FORMS, name_variants
from graph.store import Store

# Words that say what kind of body a name is, not which one.
_WEAK_WORDS = frozenset({
    "the", "of", "and", "for", "in", "de", "la", "co", "ltd", "llc", "llp", "jsc", "inc", "sa", "gmbh",
    "company", "group", "international", "national", "republic", "state", "ministry", "chamber",
    "commerce", "industry", "trade", "agency", "park", "zone", "free", "economic", "special",
    "development", "association", "council", "committee", "commission", "corporation",
})
_WORD = re.compile(r"[a-z0-9]+")
# Below this a pair is not worth a person's time.
MIN_SCORE = 0.5


@dataclass
class DuplicateCandidate:
    """Another entity that may be the same as the one asked about."""

    id: str
    name: str
    type: str
    country: str | None
    score: float
    reasons: list[str] = field(default_factory=list)


def _words(name: str) -> list[str]:
    return _WORD.findall(normalise_name(name))


def _strong_words(name: str) -> set[str]:
    return {w for w in _words(name) if w not in _WEAK_WORDS and len(w) > 2}


def _initials(name: str) -> str:
    return "".join(w[0] for w in _words(name) if w not in ("of", "the", "and", "for"))


def _forms(e: Entity) -> list[str]:
    return [normalise_name(v) for f in [e.name, *e.aliases] for v in name_variants(f)
            if normalise_name(v) not in GENERIC_FORMS]


def similarity(a: Entity, b: Entity) -> tuple[float, list[str]]:
    """How likely ``a`` and ``b`` are one thing, and why (0 when the types
    or countries say they are not)."""
    if a.type != b.type or a.id == b.id:
        return 0.0, []
    if a.country and b.country and a.country != b.country:
        return 0.0, []
    score, reasons = 0.0, list[str]()
    fa, fb = _forms(a), _forms(b)
    for x in fa:
        for y in fb:
            short, long = sorted((x, y), key=len)
            if len(short) >= 2 and " " not in short and short.isalnum() and short == _initials(long):
                score, reasons = max(score, 0.85), [*reasons, f"'{short}' is the initials of '{long}'"]
            elif " " in short and long.startswith(short + " "):  # two words at least: "Astana Hub"
                score, reasons = max(score, 0.7), [*reasons, f"'{long}' starts with '{short}'"]
    wa, wb = _strong_words(a.name), _strong_words(b.name)
    if wa and wb:
        jaccard = len(wa & wb) / len(wa | wb)
        if jaccard >= 0.5 and len(wa & wb) >= 2:  # one shared word is usually a place
            score = max(score, 0.4 + 0.5 * jaccard)
            reasons.append(f"distinctive words shared: {', '.join(sorted(wa & wb))}")
    if score and a.country and a.country == b.country:
        score = min(1.0, score + 0.05)
        reasons.append(f"same country {a.country}")
    if score and a.kind and b.kind and a.kind != b.kind:
        score -= 0.2
        reasons.append(f"kinds differ ({a.kind}, {b.kind})")
    return round(score, 3), list(dict.fromkeys(reasons))


def _candidate(other: Entity, score: float, reasons: list[str]) -> DuplicateCandidate:
    return DuplicateCandidate(id=other.id, name=other.name, type=other.type, country=other.country,
                              score=score, reasons=reasons)


def _comparable(e: Entity) -> bool:
    # Sectors are keyed by ISIC code; trips are kept apart on purpose.
    return e.type not in (SECTOR, MISSION)


def candidates_for(store: Store, entity_id: str, *, limit: int = 20) -> list[DuplicateCandidate]:
    """Entities that may be ``entity_id`` but were not merged, best first."""
    e = store.get_entity(entity_id)
    if e is None or not _comparable(e):
        return []
    seen: dict[str, Entity] = {}
    for word in sorted(_strong_words(e.name) | {f for f in _forms(e) if " " not in f}):
        for hit in store.search_entities(word, type=e.type, limit=200):
            seen.setdefault(hit.id, hit)
    for form in _forms(e):  # its initials may be another entity's whole name
        initials = _initials(form)
        if len(initials) >= 2:
            for hit in store.find_by_forms(e.type, [initials]):
                seen.setdefault(hit.id, hit)
    found = []
    for other in seen.values():
        score, reasons = similarity(e, other)
        if score >= MIN_SCORE:
            found.append(_candidate(other, score, reasons))
    found.sort(key=lambda c: (-c.score, c.name, c.id))
    return found[:limit]


@dataclass
class DuplicatePair:
    a: Entity
    b: Entity
    score: float
    reasons: list[str]


def duplicate_pairs(entities: Iterable[Entity], *, min_score: float = MIN_SCORE) -> list[DuplicatePair]:
    """Every pair of ``entities`` that looks alike, best first. Pairs are
    only compared when they share a distinctive word or one is the other's
    initials, so the work stays near-linear."""
    buckets: dict[tuple[str, str], list[Entity]] = defaultdict(list)
    for e in entities:
        if not _comparable(e):
            continue
        keys = _strong_words(e.name) | {f for f in _forms(e) if " " not in f}
        keys |= {_initials(f) for f in _forms(e) if len(_initials(f)) >= 2}
        for k in keys:
            buckets[(e.type, k)].append(e)
    pairs: dict[tuple[str, str], DuplicatePair] = {}
    for group in buckets.values():
        if len(group) > 50:  # a word too common to tell anything
            continue
        for x, y in combinations(group, 2):
            key = (min(x.id, y.id), max(x.id, y.id))
            if key in pairs:
                continue
            score, reasons = similarity(x, y)
            if score >= min_score:
                a, b = (x, y) if x.id < y.id else (y, x)
                pairs[key] = DuplicatePair(a, b, score, reasons)
    return sorted(pairs.values(), key=lambda p: (-p.score, p.a.name, p.b.name))


def all_duplicates(store: Store, *, min_score: float = MIN_SCORE) -> list[DuplicatePair]:
    """``duplicate_pairs`` over the whole graph."""
    everything: list[Entity] = []
    for batch in store.iter_entities(batch_size=2000):
        everything.extend(batch)
    return duplicate_pairs(everything, min_score=min_score)

