"""Corrections over HTTP: make them (curate keys), list the audit log, undo
one, the review queue, and re-extraction (admin keys). The work is
``graph.corrections``, ``graph.reextract`` and ``queries.review``; the
key's name is recorded as who corrected."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.deps import Limit, Offset, Reader
from api.problems import ProblemError, problem_responses
from api.roles import Admin, Curator
from api.schemas import Page
from api.state import AppState
from graph import corrections
from graph.model import Correction, Document, Extraction
from graph.ontology import RELATION_TYPES
from graph.reextract import DocumentChanges, ReextractReport, reextract_document, select_documents
from queries.review import ReviewPage, review_queue

router = APIRouter(tags=["corrections"])

Why = Annotated[str, Field(max_length=2000, description="why: a free-text note kept with the correction")]
Id = Annotated[str, Field(min_length=1, max_length=200)]


class _RelationCorrection(BaseModel):
    relation_type: str = Field(description=f"one of {', '.join(RELATION_TYPES)}")
    source: Id
    target: Id
    why: Why = ""


class AcceptRelation(_RelationCorrection):
    """Confirm an extracted relation: it stays even when a later extractor misses it."""

    kind: Literal["accept"]


class RejectRelation(_RelationCorrection):
    """Declare a relation wrong: it leaves the graph and stays out."""

    kind: Literal["reject"]


class AddRelation(_RelationCorrection):
    """Add a relation the extractor missed, on a sentence of a stored
    document (``document``, ``start``, ``end``) or on the curator's word."""

    kind: Literal["add"]
    document: Id | None = None
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)
    date: str | None = Field(default=None, max_length=10)


class EntityChanges(BaseModel):
    """Only the fields given change; ``kind`` or ``country`` null clears it."""

    name: str | None = Field(default=None, max_length=500)
    type: str | None = None
    kind: str | None = None
    country: str | None = Field(default=None, max_length=2)
    aliases_add: list[Annotated[str, Field(max_length=500)]] | None = Field(default=None, max_length=100)
    aliases_remove: list[Annotated[str, Field(max_length=500)]] | None = Field(default=None, max_length=100)


class ChangeEntity(BaseModel):
    """Change an entity's name, type, kind, country or aliases."""

    kind: Literal["entity"]
    entity_id: Id
    changes: EntityChanges
    why: Why = ""


class MergeEntities(BaseModel):
    """Two entities are one: ``drop`` folds into ``keep``."""

    kind: Literal["merge"]
    keep: Id
    drop: Id
    why: Why = ""


class SplitEntity(BaseModel):
    """Undo an earlier merge: ``entity_id`` stands on its own again."""

    kind: Literal["split"]
    entity_id: Id
    why: Why = ""


CorrectionRequest = Annotated[
    AcceptRelation | RejectRelation | AddRelation | ChangeEntity | MergeEntities | SplitEntity,
    Field(discriminator="kind"),
]


class ReextractRequest(BaseModel):
    """Which documents: the ones named, all, those made by an extractor
    older than ``older_than``, or (none given) those made by another
    extractor version than the running one."""

    all: bool = False
    documents: list[Id] = Field(default_factory=list, max_length=10_000)
    older_than: str | None = Field(default=None, max_length=50)


class ReextractResult(BaseModel):
    documents: list[DocumentChanges]
    errors: list[str]
    added: int
    removed: int
    conflicts: int


def _entity_changes(body: EntityChanges) -> dict[str, Any]:
    # Only what the client sent: a null kind clears it, an absent one stays.
    return body.model_dump(exclude_unset=True)


def make_correction(state: AppState, body: CorrectionRequest, by: str) -> Correction:
    with state.writing() as store:
        if isinstance(body, AcceptRelation):
            return corrections.accept_relation(store, body.relation_type, body.source, body.target,
                                               by=by, why=body.why)
        if isinstance(body, RejectRelation):
            return corrections.reject_relation(store, body.relation_type, body.source, body.target,
                                               by=by, why=body.why)
        if isinstance(body, AddRelation):
            return corrections.add_relation(store, body.relation_type, body.source, body.target, by=by,
                                            why=body.why, doc_id=body.document, start=body.start, end=body.end,
                                            date=body.date)
        if isinstance(body, ChangeEntity):
            return corrections.correct_entity(store, body.entity_id, _entity_changes(body.changes),
                                              by=by, why=body.why)
        if isinstance(body, MergeEntities):
            if body.keep == body.drop:
                raise ProblemError(422, "keep and drop are the same entity")
            return corrections.merge(store, body.keep, body.drop, by=by, why=body.why)
        return corrections.split(store, body.entity_id, by=by, why=body.why)


@router.post("/corrections", response_model=Correction, status_code=201,
             responses=problem_responses(400, 401, 403, 404, 409, 413, 422))
def post_correction(state: Reader, key: Curator, body: Annotated[CorrectionRequest, Body()]) -> Correction:
    """Make a correction; it records the key's name as who, now as when,
    ``why`` as why. 409 when the graph does not hold what it is about
    (rejecting a relation that is not there, ...)."""
    try:
        return make_correction(state, body, key.name)
    except ValueError as err:  # a bad relation type, kind, country or span
        raise ProblemError(422, str(err)) from err


@router.get("/corrections", response_model=Page[Correction], responses=problem_responses(401, 403, 422))
def list_corrections(
    state: Reader,
    undone: Annotated[bool, Query(description="include undone corrections")] = True,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[Correction]:
    """The audit log: every correction, newest first, undone ones marked."""
    with state.store() as store:
        log = corrections.audit_log(store, include_undone=undone)
    return Page[Correction](items=log[offset:offset + limit], limit=limit, offset=offset, total=len(log),
                            next_offset=offset + limit if offset + limit < len(log) else None)


@router.delete("/corrections/{correction_id}", response_model=Correction,
               responses=problem_responses(401, 403, 404, 409))
def undo_correction(state: Reader, key: Curator, correction_id: str) -> Correction:
    """Take a correction back: the graph is again as extraction and the
    other corrections make it. The correction stays in the log, marked
    undone by the key's name; undoing it twice is a 409."""
    with state.writing() as store:
        if not any(c.id == correction_id for c in store.list_corrections()):
            raise ProblemError(404, f"no correction {correction_id!r}")
        return corrections.undo(store, correction_id, by=key.name)


@router.get("/review", response_model=ReviewPage, responses=problem_responses(401, 403, 422))
def review(
    state: Reader,
    type: Annotated[list[str] | None, Query(description="only these relation types")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Offset = 0,
) -> ReviewPage:
    """Facts to review, those a decision helps most first: the least
    confident, then those between well-connected entities. Each comes with
    its sentences, the evidence span marked. Accepting or rejecting a fact
    takes it off the queue."""
    unknown = sorted(set(type or ()) - set(RELATION_TYPES))
    if unknown:
        raise ProblemError(422, f"unknown relation type {', '.join(unknown)}")
    with state.store() as store:
        return review_queue(store, limit=limit, offset=offset, types=type)


class _Extracted:
    """An extraction already made, handed to ``reextract_document`` so the
    slow part runs outside the store lock."""

    def __init__(self, version: str, extraction: Extraction):
        self.version = version
        self.extraction = extraction

    def extract(self, doc: Document) -> Extraction:
        return self.extraction


def run_reextract(state: AppState, body: ReextractRequest) -> ReextractReport:
    """Re-extract document by document: extraction under the extractor's
    lock only, each document's replacement under the store's, so reads go
    on between documents. Documents a killed run left come first."""
    from ingest.pipeline import extract_document

    extractor = state.extractor()
    with state.store() as store:
        pending = {d.id: d for d in store.pending_reextracts()}
        chosen = select_documents(store, current_version=extractor.version, everything=body.all,
                                  doc_ids=body.documents, older_than=body.older_than)
    report = ReextractReport()
    for doc_id in [*pending, *(d for d in chosen if d not in pending)]:
        with state.store() as store:
            doc = store.get_document(doc_id) or pending.get(doc_id)
        if doc is None:
            report.errors.append(f"{doc_id}: no such document")
            continue
        try:
            with state.extracting:
                extraction = extract_document(extractor, doc)
            with state.writing() as store:
                report.documents.append(reextract_document(store, _Extracted(extractor.version, extraction), doc))
        except Exception as exc:  # one bad document must not cost the rest
            report.errors.append(f"{doc.source}: {type(exc).__name__}: {exc}"[:300])
    return report


@router.post("/reextract", response_model=ReextractResult, responses=problem_responses(400, 401, 403, 404, 413, 422))
async def reextract(state: Reader, _: Admin, body: ReextractRequest) -> ReextractResult:
    """Run the current extractor again on stored documents, keeping every
    correction; what changed per document (facts added, removed, and where
    the extractor and a correction disagree — the correction won)."""
    if sum(bool(x) for x in (body.all, body.documents, body.older_than)) > 1:
        raise ProblemError(422, "give at most one of all, documents, older_than")
    # Extraction is CPU work and the store is blocking: never on the event loop.
    report = await run_in_threadpool(run_reextract, state, body)
    return ReextractResult(documents=report.documents, errors=report.errors, added=report.added,
                           removed=report.removed, conflicts=report.conflicts)
