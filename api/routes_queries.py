"""The questions: who met whom, connections, neighbourhood, partner
candidates, contacts for a future mission, timeline.

Each route is a thin wrapper over one function of ``queries``; a filter value
the query does not understand (``ValueError``) becomes a 422 naming it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import IsoDate, Limit, Offset, Reader
from api.problems import ProblemError, problem_responses
from api.schemas import MAX_LIMIT, Page, page
from graph.model import Entity, Relation
from graph.ontology import RELATION_TYPES, check_relation_type
from queries.connections import ConnectionPath, connections, neighbourhood
from queries.meetings import Meeting, meetings_page
from queries.partners import PartnerCandidate, partner_candidates
from queries.recommend import Recommendation, recommend_contacts
from queries.timeline import TimelineItem, timeline

router = APIRouter(tags=["queries"])

_READ_ERRORS = problem_responses(401, 403, 404, 422)

Country = Annotated[str | None, Query(max_length=100, description="country name or ISO 3166-1 alpha-2 code")]
Sector = Annotated[str | None, Query(max_length=100, description="sector name or ISIC Rev.4 division code")]
Kind = Annotated[str | None, Query(max_length=40, description="organisation kind, e.g. chamber, enterprise")]
Since = Annotated[IsoDate, Query(max_length=10, description="ISO date: evidence on or after")]
Until = Annotated[IsoDate, Query(max_length=10, description="ISO date: evidence on or before")]
EntityParam = Annotated[str, Query(min_length=1, max_length=300, description="entity id or name")]


@contextmanager
def bad_filter() -> Iterator[None]:
    try:
        yield
    except ValueError as err:
        raise ProblemError(422, str(err)) from err


def _relation_types(types: list[str] | None) -> list[str] | None:
    if not types:
        return None
    with bad_filter():
        return [check_relation_type(t) for t in types]


class Neighbourhood(BaseModel):
    """The entities around ``center`` and the relations between them, with evidence."""

    center: str
    entities: dict[str, Entity]
    relations: list[Relation]


@router.get("/who-met-whom", response_model=Page[Meeting], responses=_READ_ERRORS)
def get_who_met_whom(
    state: Reader,
    entity: Annotated[str | None, Query(max_length=300, description="entity id or name; all meetings if omitted")] = None,
    country: Country = None,
    sector: Sector = None,
    kind: Kind = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[Meeting]:
    """Meetings and signings, newest first (then by counterpart name), with dates, places and the
    sentences that state them; ``total`` counts them all (null when listing the whole graph)."""
    with state.store() as store, bad_filter():
        found = meetings_page(store, entity or None, country=country, sector=sector, kind=kind,
                              since=since, until=until, limit=limit + 1, offset=offset)
    result = page(found.items, limit, offset)
    result.total = found.total
    return result


@router.get("/connections", response_model=list[ConnectionPath], responses=_READ_ERRORS)
def get_connections(
    state: Reader,
    a: EntityParam,
    b: EntityParam,
    max_hops: Annotated[int, Query(ge=1, le=6)] = 4,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[ConnectionPath]:
    """The best paths between two entities, each hop with its evidence."""
    with state.store() as store, bad_filter():
        return connections(store, a, b, max_hops=max_hops, limit=limit)


@router.get("/neighbourhood", response_model=Neighbourhood, responses=_READ_ERRORS)
def get_neighbourhood(
    state: Reader,
    entity: EntityParam,
    hops: Annotated[int, Query(ge=1, le=3)] = 1,
    types: Annotated[list[str] | None, Query(description=f"relation types to follow: {', '.join(RELATION_TYPES)}")] = None,
    kinds: Annotated[list[str] | None, Query(description="keep neighbours of these entity types or kinds")] = None,
    limit: Annotated[int, Query(ge=1, le=2000, description="at most this many relations")] = 300,
) -> Neighbourhood:
    """An entity's network for the explorer."""
    rtypes = _relation_types(types)
    with state.store() as store, bad_filter():
        sub = neighbourhood(store, entity, hops=hops, types=rtypes, kinds=kinds, limit=limit)
        from queries.common import find_entity

        center = find_entity(store, entity).id
    return Neighbourhood(center=center, entities=sub.entities, relations=sub.relations)


@router.get("/partners", response_model=list[PartnerCandidate], responses=_READ_ERRORS)
def get_partners(
    state: Reader,
    sector: Annotated[str, Query(min_length=1, max_length=100, description="sector name or ISIC division")],
    country: Country = None,
    kind: Annotated[list[str] | None, Query(description="organisation kinds to keep")] = None,
    asker: Annotated[str | None, Query(max_length=300, description="who is asking: marks partners already known")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
) -> list[PartnerCandidate]:
    """Organisations ranked as partners in a sector, with the reasons."""
    with state.store() as store, bad_filter():
        return partner_candidates(store, sector, country=country, kinds=kind or None, asker=asker or None,
                                  limit=limit)


@router.get("/recommendations", response_model=list[Recommendation], responses=_READ_ERRORS)
def get_recommendations(
    state: Reader,
    origin: EntityParam,
    country: Annotated[list[str], Query(min_length=1, description="destination countries (repeat)")],
    sector: Annotated[list[str] | None, Query(description="sectors of interest (repeat)")] = None,
    as_of: Annotated[IsoDate, Query(max_length=10, description="ISO date to rank recency from")] = None,
    include_known: Annotated[bool, Query(description="also list organisations already met (flagged)")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
) -> list[Recommendation]:
    """Whom a mission from ``origin`` should meet, ranked, with reasons and warm introductions."""
    with state.store() as store, bad_filter():
        return recommend_contacts(store, origin, country, sector or [], limit=limit, as_of=as_of,
                                  include_known=include_known)


@router.get("/timeline", response_model=list[TimelineItem], responses=_READ_ERRORS)
def get_timeline(state: Reader, entity: EntityParam, since: Since = None, until: Until = None) -> list[TimelineItem]:
    """An entity's dated facts in order."""
    with state.store() as store, bad_filter():
        return timeline(store, entity, since=since, until=until)
