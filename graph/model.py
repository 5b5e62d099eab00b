"""The records that flow through tradekg.

Two layers, deliberately separate:

* what extraction produces for ONE document (``Extraction``: entities with
  document-local ids like ``e1``, relations between them, character spans);
* what a store holds for the whole graph (``Entity``, ``Relation``), with
  global ids and every piece of ``Evidence`` that supports them.

Plain dataclasses: cheap to build in bulk, easy to read, and FastAPI can use
them as response models directly.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from graph.ontology import EVENT, ORGANIZATION, PLACE, SYMMETRIC_RELATIONS


@dataclass(slots=True)
class Span:
    """Characters ``start:end`` of a document's text."""

    start: int
    end: int
    text: str


@dataclass(slots=True)
class Evidence:
    """A piece of a document that states a fact: the provenance of every
    entity and relation in the graph."""

    doc_id: str
    start: int
    end: int
    text: str
    date: str | None = None  # when the stated fact happened (ISO 8601), if known
    confidence: float = 1.0
    extractor: str = ""


@dataclass(slots=True)
class Document:
    id: str  # document_id(text): the same report always gets the same id
    source: str  # path or upload name as given
    text: str
    title: str | None = None
    date: str | None = None  # ISO 8601, when the report states one
    extractor: str = ""
    ingested_at: str | None = None


@dataclass(slots=True)
class Entity:
    id: str
    type: str
    name: str
    aliases: list[str] = field(default_factory=list)
    kind: str | None = None  # Organization and Place kind
    country: str | None = None  # ISO 3166-1 alpha-2
    attrs: dict[str, Any] = field(default_factory=dict)  # title, code, start, end, value, ...
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Relation:
    id: str
    type: str
    source: str
    target: str
    confidence: float = 1.0
    date: str | None = None  # the latest dated evidence
    attrs: dict[str, Any] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def dates(self) -> list[str]:
        return sorted({e.date for e in self.evidence if e.date})

    @property
    def first_date(self) -> str | None:
        d = self.dates
        return d[0] if d else None

    @property
    def last_date(self) -> str | None:
        d = self.dates
        return d[-1] if d else None

    def other(self, entity_id: str) -> str:
        return self.target if self.source == entity_id else self.source

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Subgraph:
    entities: dict[str, Entity] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)


@dataclass(slots=True)
class Stats:
    documents: int
    entities: int
    relations: int
    evidence: int
    entities_by_type: dict[str, int]
    relations_by_type: dict[str, int]
    organizations_by_kind: dict[str, int]


@dataclass(slots=True)
class UpsertResult:
    doc_id: str
    added: bool  # False when the document was already in the store
    entities_added: int = 0
    relations_added: int = 0
    evidence_added: int = 0


# --- what extraction produces for one document -------------------------------


@dataclass(slots=True)
class ExtractedEntity:
    id: str  # document-local: "e1", "e2", ...
    type: str
    name: str
    aliases: list[str] = field(default_factory=list)
    kind: str | None = None
    country: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    mentions: list[Span] = field(default_factory=list)


@dataclass(slots=True)
class ExtractedRelation:
    type: str
    source: str  # local entity id
    target: str
    confidence: float
    evidence: list[Span]
    date: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Extraction:
    document: Document
    entities: list[ExtractedEntity]
    relations: list[ExtractedRelation]
    extractor: str

    def to_contract(self) -> dict[str, Any]:
        """The ``tradekg extract --format jsonl`` object (ONTOLOGY.md)."""
        ents = []
        for e in self.entities:
            d: dict[str, Any] = {"id": e.id, "name": e.name, "type": e.type, "aliases": e.aliases}
            if e.kind:
                d["kind"] = e.kind
            if e.country:
                d["country"] = e.country
            d.update({k: v for k, v in e.attrs.items() if v is not None})
            ents.append(d)
        rels = []
        for r in self.relations:
            rd: dict[str, Any] = {
                "type": r.type, "source": r.source, "target": r.target,
                "confidence": round(r.confidence, 3),
                "evidence": [{"start": s.start, "end": s.end, "text": s.text} for s in r.evidence],
            }
            if r.date:
                rd["date"] = r.date
            rd.update({k: v for k, v in r.attrs.items() if v is not None})
            rels.append(rd)
        doc = self.document
        return {
            "source": doc.source,
            "document": {"id": doc.id, "title": doc.title, "date": doc.date},
            "entities": ents,
            "relations": rels,
        }


# --- identities ---------------------------------------------------------------

_QUOTES = re.compile(r"[\"'“”‘’«»„`]")
_NON_WORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=1 << 16)  # the extractor compares the same names many times
def normalise_name(name: str) -> str:
    """The form names are compared in: case, quotes, punctuation and a
    leading "the" do not distinguish two organisations."""
    s = unicodedata.normalize("NFKC", name or "").casefold()
    s = _QUOTES.sub("", s)
    s = _NON_WORD.sub(" ", s).strip()
    if s.startswith("the "):
        s = s[4:]
    return s


def place_in_own_name(source_type: str, source_name: str, target_type: str, target_forms: Iterable[str]) -> bool:
    """Whether a body's or event's own name names the place (one of its
    forms, as whole words): "Port Authority of Vigo", "Tashkent Pharma Park".
    The relation model reads it as a feature; the annotations make such a
    LOCATED_IN optional (annotations/GUIDE.md, "A place inside a name")."""
    if target_type != PLACE or source_type not in (ORGANIZATION, EVENT):
        return False
    words = f" {normalise_name(source_name)} "
    return any(f" {form} " in words for form in {normalise_name(f) for f in target_forms} if form)


def normalise_text(text: str) -> str:
    """The form a document is hashed in: Unicode-normalised, line endings and
    trailing white space folded, so a re-saved report keeps its id."""
    s = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in s.strip().split("\n"))


def document_id(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:24]


def short_hash(*parts: str, length: int = 10) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def relation_id(rtype: str, source: str, target: str) -> str:
    """One relation per (type, endpoints); symmetric types ignore direction."""
    if rtype in SYMMETRIC_RELATIONS and target < source:
        source, target = target, source
    return f"r-{short_hash(rtype, source, target, length=16)}"


# --- corrections: what people decided about the graph ---------------------------


@dataclass(slots=True)
class Correction:
    """One decision of a person about the graph, with its own provenance
    (who, when, why). Stored beside the extracted facts, never in place of
    them, and applied again after every write that could undo it
    (``graph.corrections``).

    ``kind`` says which fields matter:

    * accept / reject / add: ``relation_type``, ``source``, ``target``;
      ``evidence`` the spans it rests on (for add: the supporting sentence,
      or none for the user's own assertion); ``hidden`` the extracted
      evidence a rejection keeps out of the graph.
    * entity: ``entity_id``, ``changes`` (name, type, kind, country,
      aliases_add, aliases_remove) and ``before`` (the values it replaced).
    * merge / split: ``entity_id`` is the entity kept, ``other_id`` the one
      merged into it (split brings it back).
    """

    id: str
    kind: str
    by: str
    at: str
    why: str = ""
    relation_type: str | None = None
    source: str | None = None
    target: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    hidden: list[Evidence] = field(default_factory=list)
    entity_id: str | None = None
    other_id: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)
    undone_at: str | None = None
    undone_by: str | None = None
    # The entities it is about (ids at the time, and the survivors of later
    # merges): how an ingest finds the corrections its facts may undo.
    subjects: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.undone_at is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Correction:
        d = dict(d)
        d["evidence"] = [Evidence(**e) for e in d.get("evidence") or []]
        d["hidden"] = [Evidence(**e) for e in d.get("hidden") or []]
        return cls(**d)


@dataclass(slots=True)
class SectorMember:
    """An entity in a sector (an ``IN_SECTOR`` relation to it), as ranking
    reads it: the entity without aliases, the given sectors it is in, and
    its degree (``Store.sector_members``)."""

    entity: Entity
    sectors: set[str]
    degree: int


@dataclass(slots=True)
class MeetingPath:
    """One way an entity met ``counterpart``: the meeting ``relation``
    (MET_WITH, SIGNED_WITH; read without evidence) itself, or ``via`` a
    delegation, when the entity led, joined or sent a delegation that the
    relation says met the counterpart, or met a delegation the counterpart
    led, joined or sent (``Store.meeting_paths``)."""

    counterpart: str
    relation: Relation
    via: str | None = None


@dataclass(slots=True)
class MergeRecord:
    """Why resolution joined report ``doc_id``'s mention to entity
    ``entity_id`` that an earlier report had made: the form they share, the
    rule (``graph.resolve.decide``) and its score (1.0 = the same name)."""

    entity_id: str
    doc_id: str
    form: str
    reason: str
    score: float
