"""Entities: search, detail, curation (merge / unmerge), graph statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Limit, Offset, Reader, Writer
from api.problems import ProblemError, problem_responses
from api.schemas import EntityDetail, MergeRequest, Page, page
from graph.model import Entity, Stats
from graph.ontology import ENTITY_TYPES, ORG_KINDS, PLACE_KINDS, check_entity_type
from graph.store import UnknownEntity

router = APIRouter(tags=["entities"])

# Relations shown with one entity; the neighbourhood endpoint pages through more.
MAX_ENTITY_RELATIONS = 500


def check_filters(type: str | None = None, kind: str | None = None) -> None:
    """Reject a filter value the ontology does not know (422, naming it)."""
    try:
        if type is not None:
            check_entity_type(type)
    except ValueError as err:
        raise ProblemError(422, str(err)) from err
    if kind is not None and kind not in ORG_KINDS and kind not in PLACE_KINDS:
        raise ProblemError(
            422, f"unknown kind {kind!r}; expected one of {', '.join(ORG_KINDS + PLACE_KINDS)}"
        )


@router.get("/entities", response_model=Page[Entity], responses=problem_responses(401, 403, 422))
def search_entities(
    state: Reader,
    q: Annotated[str | None, Query(max_length=200, description="name or alias (exact, prefix, substring)")] = None,
    type: Annotated[str | None, Query(description=f"one of {', '.join(ENTITY_TYPES)}")] = None,
    kind: Annotated[str | None, Query(description="organisation or place kind")] = None,
    country: Annotated[str | None, Query(max_length=2, description="ISO 3166-1 alpha-2")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[Entity]:
    """Find organisations, people, places ... by name."""
    check_filters(type, kind)
    with state.store() as store:
        rows = store.search_entities(q or None, type=type, kind=kind, country=country.upper() if country else None,
                                     limit=limit + 1, offset=offset)
    return page(rows, limit, offset)


@router.get("/entities/{entity_id}", response_model=EntityDetail, responses=problem_responses(401, 403, 404))
def get_entity(state: Reader, entity_id: str) -> EntityDetail:
    """An entity with aliases, evidence, its relations and their evidence."""
    with state.store() as store:
        entity = store.get_entity(entity_id)
        if entity is None:
            raise UnknownEntity(entity_id)
        rels = store.relations(entity_ids=[entity.id], limit=MAX_ENTITY_RELATIONS)
        related = store.get_entities({r.other(entity.id) for r in rels})
        merges = store.merge_records(entity.id)
    return EntityDetail(entity=entity, relations=rels, related=related, merges=merges)


@router.post("/entities/merge", response_model=Entity, responses=problem_responses(400, 401, 403, 404, 409, 422))
def merge_entities(state: Writer, body: MergeRequest) -> Entity:
    """Fold ``drop`` into ``keep`` (aliases, evidence, relations); undo with unmerge."""
    if body.keep == body.drop:
        raise ProblemError(422, "keep and drop are the same entity")
    with state.writing() as store:
        return store.merge_entities(body.keep, body.drop)


@router.post("/entities/{entity_id}/unmerge", response_model=Entity,
             responses=problem_responses(401, 403, 404, 409))
def unmerge_entity(state: Writer, entity_id: str) -> Entity:
    """Bring back an entity that was merged into another."""
    with state.writing() as store:
        return store.unmerge_entity(entity_id)


@router.get("/stats", response_model=Stats, responses=problem_responses(401, 403))
def stats(state: Reader) -> Stats:
    """How many documents, entities, relations and evidence spans, by type."""
    with state.store() as store:
        return store.stats()
