"""Errors as RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from graph.store import StoreError, UnknownDocument, UnknownEntity

PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    # For 422: one entry per offending parameter ({"loc": [...], "msg": "..."}).
    errors: list[dict[str, Any]] | None = None


class ProblemError(Exception):
    """Raise from a route to answer with a problem document."""

    def __init__(self, status: int, detail: str, *, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    body = Problem(
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entry that documents problem answers in OpenAPI."""
    return {
        s: {"model": Problem, "description": HTTPStatus(s).phrase, "content": {PROBLEM_MEDIA_TYPE: {}}}
        for s in statuses
    }


def _validation_errors(err: RequestValidationError) -> list[dict[str, Any]]:
    return [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in err.errors()]


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(request, exc.status, exc.detail, headers=exc.headers)

    @app.exception_handler(UnknownEntity)
    async def _unknown_entity(request: Request, exc: UnknownEntity) -> JSONResponse:
        return problem_response(request, 404, f"no entity {exc.ref!r}")

    @app.exception_handler(UnknownDocument)
    async def _unknown_document(request: Request, exc: UnknownDocument) -> JSONResponse:
        return problem_response(request, 404, f"no document {exc.ref!r}")

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError) -> JSONResponse:
        # A store refusing a request (merging an entity into itself, ...) is the
        # client's doing; an unreachable database would surface as a 500.
        return problem_response(request, 409, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors]
        return problem_response(request, 422, "; ".join(parts) or "invalid request", errors=errors)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        return problem_response(request, exc.status_code, detail, headers=getattr(exc, "headers", None))
