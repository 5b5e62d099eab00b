"""Request and response bodies of the HTTP API.

Records of the graph (``Entity``, ``Relation``, ``Stats``, ``Subgraph``) are
the dataclasses of ``graph.model`` used as they are, so ``/openapi.json``
documents exactly what the store holds; query results are the dataclasses
of ``queries``.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from graph.model import Document, Entity, MergeRecord, Relation

T = TypeVar("T")

MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    """One page of a list. ``next_offset`` is the offset of the next page, or
    null on the last one."""

    items: list[T]
    limit: int
    offset: int
    next_offset: int | None = None
    total: int | None = None  # how many in all, where the query counts them


def page(rows: list[T], limit: int, offset: int) -> Page[T]:
    """Build a page from ``limit + 1`` fetched rows: the extra row only tells
    whether there is a next page."""
    more = len(rows) > limit
    return Page[T](items=rows[:limit], limit=limit, offset=offset, next_offset=offset + limit if more else None)


class Health(BaseModel):
    status: str = "ok"
    version: str


class DocumentSummary(BaseModel):
    id: str
    source: str
    title: str | None = None
    date: str | None = None
    extractor: str = ""
    ingested_at: str | None = None

    @classmethod
    def of(cls, d: Document) -> DocumentSummary:
        return cls(id=d.id, source=d.source, title=d.title, date=d.date, extractor=d.extractor,
                   ingested_at=d.ingested_at)


class DocumentDetail(DocumentSummary):
    text: str

    @classmethod
    def of(cls, d: Document) -> DocumentDetail:
        return cls(**DocumentSummary.of(d).model_dump(), text=d.text)


class FileResult(BaseModel):
    """What became of one uploaded file."""

    name: str
    ok: bool
    doc_id: str | None = None
    added: bool = False  # False: the same report was already in the graph
    entities_added: int = 0
    relations_added: int = 0
    evidence_added: int = 0
    error: str | None = None


class UploadReport(BaseModel):
    ok: bool = Field(description="true when every file was read and ingested")
    documents_added: int
    documents_unchanged: int
    files: list[FileResult]


class Deleted(BaseModel):
    id: str
    deleted: bool = True


class MergeRequest(BaseModel):
    keep: str = Field(min_length=1, description="id of the entity that stays")
    drop: str = Field(min_length=1, description="id of the entity folded into it")


class EntityDetail(BaseModel):
    """An entity with its aliases and evidence, the relations that touch it
    (with evidence), the entities at their other ends, and why each later
    report's mention was joined to it (``merges``: report, shared form,
    reason, score)."""

    entity: Entity
    relations: list[Relation]
    related: dict[str, Entity]
    merges: list[MergeRecord] = []
