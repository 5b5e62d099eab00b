"""Saying what a name matched, and near-duplicates a person may merge.

``install(app)`` is the one line ``api.app`` needs: every route that looks an
entity up by name answers with ``X-Matched-Entity`` (the id or ids chosen),
a name that matches several entities with none clearly best is a 409 whose
body lists the candidates, and ``GET /entities/{id}/candidates`` lists the
entities that resolution did not merge but might be the same.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import Reader
from api.problems import Problem, problem_response, problem_responses
from graph.duplicates import DuplicateCandidate, candidates_for
from graph.model import Entity
from graph.store import UnknownEntity
from queries.lookup import AmbiguousEntity, noting_matches

MATCHED_ENTITY_HEADER = "X-Matched-Entity"

router = APIRouter(tags=["entities"])


class AmbiguousProblem(Problem):
    """A 409 for a name that matches several entities: pick one by id."""

    candidates: list[Entity]


class MatchedEntityHeader:
    """Notes the name look-ups a request makes (``queries.lookup``) strictly
    and reports the chosen ids in a response header."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with noting_matches(strict=True) as matches:

            async def send_with_header(message: Message) -> None:
                if message["type"] == "http.response.start" and matches:
                    ids = ",".join(dict.fromkeys(m.chosen.id for m in matches))
                    headers = [*message.get("headers", []), (MATCHED_ENTITY_HEADER.lower().encode(),
                                                             ids.encode("ascii", "replace"))]
                    message = {**message, "headers": headers}
                await send(message)

            await self.app(scope, receive, send_with_header)


async def _ambiguous(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AmbiguousEntity)
    response = problem_response(request, 409, str(exc))
    body = AmbiguousProblem(title="Conflict", status=409, detail=str(exc), instance=request.url.path,
                            candidates=exc.candidates)
    response.body = response.render(body.model_dump(exclude_none=True, mode="json"))
    response.headers["content-length"] = str(len(response.body))
    return response


@router.get("/entities/{entity_id}/candidates", response_model=list[DuplicateCandidate],
            responses=problem_responses(401, 403, 404))
def get_candidates(state: Reader, entity_id: str) -> list[DuplicateCandidate]:
    """Entities that may be the same as this one but were not merged, with
    the reasons and a score; merge one with ``POST /entities/merge``."""
    with state.store() as store:
        if store.get_entity(entity_id) is None:
            raise UnknownEntity(entity_id)
        return candidates_for(store, entity_id)


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.add_exception_handler(AmbiguousEntity, _ambiguous)
    app.add_middleware(MatchedEntityHeader)
