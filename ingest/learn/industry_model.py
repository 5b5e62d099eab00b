"""The industry an organisation, a delegation or an event works in, read from its name and the words around it.

The relation model pairs an organisation with an industry term of its
sentence ("Steppe Motors, an Almaty parts distributor"). Annotators also
mark industries no term states beside the name: "Royal Bank of Scotland"
banks, "Dai-Ichi Mutual Life Insurance Co" insures, "Pennzoil Co, the
Houston-based company" drills for oil. Delegations and events have
industries the same way ("a mission of Finnish clean-tech firms", "the
Gulf Food Expo"). This model reads the name of an organisation, a delegation
or an event (its words, its first and last word that is not a legal form, the
industry terms in it) and the few words before and after each place it is
named (their industry terms too), and gives the ISIC division it works in,
or "none".

It is trained on the annotated organisations, delegations and events themselves: each one's
required IN_SECTOR divisions, "none" for those with no industry at all
(those with only an optional one teach nothing). Its proposals join the
relation model's as IN_SECTOR facts whose confidence is its probability, and
the IN_SECTOR threshold decides for both (``make train`` chooses it with
these proposals among the candidates). Features, training and application
are here side by side; docs/extraction.md gives the measurements.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from graph.ontology import EVENT, IN_SECTOR, MISSION, ORGANIZATION, SECTOR
from graph.sectors import find_sectors, sector_name
from ingest.learn import sector_terms
from ingest.learn.annotations import Annotation, parties
from ingest.learn.features import Features
from ingest.learn.linear import LinearModel, train
from ingest.mentions import Entity, Mention
from ingest.organisations import LEGAL_SUFFIXES
from ingest.relations import Found

NONE = "none"
FILE = "industries.json.gz"
# How far either side of a name its description is looked for (characters),
# and in how many of the places it is named.
WINDOW = 120
PLACES = 4
# Words a name shares with every other name: never its trade.
_NOT_TRADE = LEGAL_SUFFIXES | {"company", "group", "holding", "holdings", "the", "of", "and", "de", "del"}
_WORD = re.compile(r"\w[\w'&-]*")
# A description ends where its sentence or paragraph does.
_SENTENCE_END = re.compile(r"[.!?]\s|\n\s*\n")
# What can work in an industry (ONTOLOGY.md: IN_SECTOR's sources).
SUBJECTS = (ORGANIZATION, MISSION, EVENT)


def _kind(etype: str, kind: str | None) -> str:
    """What the model is told a subject is: an organisation's kind, else its type."""
    return (kind or ORGANIZATION) if etype == ORGANIZATION else etype


def places_named(text: str, forms: Iterable[str]) -> list[tuple[int, int]]:
    """Where the text names an organisation by any of its forms, the first ``PLACES``."""
    spans = {(m.start(), m.end()) for form in forms if len(form) >= 3
             for m in re.finditer(re.escape(form), text)}
    return sorted(spans)[:PLACES]


def features(text: str, name: str, aliases: Sequence[str], kind: str | None,
             terms: sector_terms.Table) -> Features:
    words = [w.lower() for w in _WORD.findall(name)]
    trade = [w for w in words if w not in _NOT_TRADE]
    f: Features = {f"kind={kind or ORGANIZATION}": 1.0}
    for w in words:
        f[f"nw={w}"] = 1.0
    if trade:
        f[f"head={trade[-1]}"] = 1.0
        f[f"first={trade[0]}"] = 1.0
    for _, _, code in find_sectors(name):
        f[f"ncode={code[:2]}"] = 1.0
        f[f"ncode_k={code[:2]}|{kind}"] = 1.0
    for _, _, code in sector_terms.find(name, terms):
        f[f"nlcode={code[:2]}"] = 1.0
    places = places_named(text, [name, *aliases])
    f[f"nocc={min(len(places), 3)}"] = 1.0
    for s, e in places:
        left = _SENTENCE_END.split(text[max(0, s - WINDOW):s])[-1]
        right = _SENTENCE_END.split(text[e:e + WINDOW])[0]
        for w in [w.lower() for w in _WORD.findall(left)][-4:]:
            f[f"lw={w}"] = 1.0
        for w in [w.lower() for w in _WORD.findall(right)][:4]:
            f[f"rw={w}"] = 1.0
        around = f"{left} {right}"
        for _, _, code in find_sectors(around, weak=False):
            f[f"ccode={code[:2]}"] = 1.0
        for _, _, code in sector_terms.find(around, terms):
            f[f"clcode={code[:2]}"] = 1.0
    return f


def _divisions(ann: Annotation) -> dict[str, dict[str, bool]]:
    """organisation name -> division -> whether the annotation made it optional."""
    codes = {e["name"]: str(e["code"])[:2] for e in ann.entities if e["type"] == SECTOR and e.get("code")}
    out: dict[str, dict[str, bool]] = {}
    for r in ann.relations:
        if r["type"] != IN_SECTOR:
            continue
        for s in parties(r["source"]):
            for t in parties(r["target"]):
                if t in codes:
                    out.setdefault(s, {})[codes[t]] = bool(r.get("optional"))
    return out


def examples(anns: Sequence[Annotation], terms: sector_terms.Table) -> tuple[list[Features], list[str]]:
    """One example per annotated subject (``SUBJECTS``) and required division; "none" for one without any."""
    X: list[Features] = []
    y: list[str] = []
    for ann in anns:
        divisions = _divisions(ann)
        for e in ann.entities:
            if e["type"] not in SUBJECTS:
                continue
            marked = divisions.get(e["name"], {})
            labels = sorted(code for code, optional in marked.items() if not optional)
            if marked and not labels:
                continue  # an optional industry only: neither yes nor no
            f = features(ann.text, e["name"], e.get("aliases", []), _kind(e["type"], e.get("kind")), terms)
            for label in labels or [NONE]:
                X.append(f)
                y.append(label)
    return X, y


def train_industries(anns: Sequence[Annotation], terms: sector_terms.Table) -> LinearModel:
    """The model, given the industry terms learned from the same annotations."""
    X, y = examples(anns, terms)
    if len(set(y)) < 2:  # no industry annotated (a tiny slice): a model that never proposes one
        return LinearModel("industries", [NONE], multilabel=False, bias=[0.0], weights={})
    return train("industries", X, y, labels=[NONE, *sorted(set(y) - {NONE})], multilabel=False, C=1.0)


def add_industries(model: LinearModel, text: str, entities: list[Entity], found: list[Found],
                   terms: sector_terms.Table, threshold: float,
                   sentence_of: Callable[[int], tuple[int, int]]) -> tuple[list[Entity], list[Found]]:
    """``entities`` and ``found`` with each subject's (``SUBJECTS``) likeliest industry
    (at least ``threshold``) added as IN_SECTOR: to the report's Sector of
    that division, or a new one whose mention is the subject's first
    (the name is what says it). ``sentence_of(offset)`` gives the character
    span of the sentence at an offset: the fact's evidence, the sentence
    that first names the subject."""
    subjects = [e for e in entities if e.type in SUBJECTS and e.mentions]
    if not subjects or len(model.labels) < 2:
        return entities, found
    sectors = {str(e.attrs.get("code"))[:2]: e for e in entities if e.type == SECTOR}
    entities, found = list(entities), list(found)
    next_index = max(e.index for e in entities) + 1
    rows = [features(text, e.name, e.aliases, _kind(e.type, e.kind), terms) for e in subjects]
    for e, scores in zip(subjects, model.scores_many(rows).tolist(), strict=True):
        p = model.proba_of(scores)
        code = max((lab for lab in model.labels if lab != NONE), key=lambda lab: (p[lab], lab))
        if p[code] < threshold:
            continue
        first = min(e.mentions, key=lambda m: m.start)
        start, end = first.start, first.end
        sector = sectors.get(code)
        if sector is None:
            mention = Mention(start, end, text[start:end], SECTOR, attrs={"code": code}, key=code,
                              entity=next_index)
            sector = sectors[code] = Entity(next_index, SECTOR, [mention], name=sector_name(code),
                                            attrs={"code": code})
            entities.append(sector)
            next_index += 1
        found.append(Found(IN_SECTOR, e.index, sector.index, round(p[code], 3), sentence_of(start)))
    return entities, found
