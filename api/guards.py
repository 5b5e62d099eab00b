"""ASGI middleware that runs before any route: request bodies and response headers.

* ``BodyGuard`` decides before a byte of the body is read: the caller's
  access (FastAPI parses a multipart body *before* the route's
  dependencies run, so without this an anonymous client could make the
  server spool a gigabyte to disk only to be told 401), then the declared
  ``Content-Length``; and it streams the body through a hard cap, for
  clients that declare nothing or lie.
* ``SecurityHeaders`` adds the security headers to every response and turns
  an unhandled exception into a problem+json 500 (Starlette's own answer is
  ``text/plain``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from http import HTTPStatus
from typing import Any

from fastapi import Request
from starlette.exceptions import HTTPException

from api.auth import check_curate, check_read, check_write
from api.config import Settings
from api.problems import PROBLEM_MEDIA_TYPE, ProblemError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("tradekg.api")

UPLOAD_PATH = "/documents"
SPARQL_PATH = "/sparql"
CORRECTIONS_PATH = "/corrections"  # api.routes_corrections: curate keys
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# The explorer loads only its own files; Cytoscape.js inserts one fixed
# <style> element (".__________cytoscape_container { position: relative; }"),
# allowed by its hash rather than by 'unsafe-inline'.
CYTOSCAPE_STYLE_HASH = "'sha256-pgvDUBa4IjFA2yuSJ2cqcyxmNYJMborsd0ORcRv9vw8='"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; "
    f"style-src 'self' {CYTOSCAPE_STYLE_HASH}; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's /docs and /redoc pages load Swagger UI and ReDoc from their CDN
# with an inline bootstrap script; only those two pages get this policy.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src 'self' https://fonts.gstatic.com; worker-src blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def _problem_body(status: int, detail: str, path: str) -> bytes:
    return json.dumps({"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status,
                       "detail": detail, "instance": path}).encode()


async def send_problem(send: Send, scope: Scope, status: int, detail: str,
                       headers: dict[str, str] | None = None) -> None:
    body = _problem_body(status, detail, scope.get("path", ""))
    raw = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    if scope.get("type") == "http":
        # The client may still be sending a body nobody will read.
        raw.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int):
        super().__init__(413, f"the request body is larger than {_size(limit)}", headers={"Connection": "close"})


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:g} MB"
    return f"{n / 1024:g} KB"


class BodyGuard:
    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.settings = settings

    def body_limit(self, path: str) -> int:
        return self.settings.max_request_bytes if path == UPLOAD_PATH else self.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        try:
            self.check_access(Request(scope), path)
        except ProblemError as err:
            await send_problem(send, scope, err.status, err.detail, err.headers)
            return
        limit = self.body_limit(path)
        declared = _content_length(scope)
        if declared is None and _has_header(scope, b"content-length"):
            await send_problem(send, scope, 400, "the Content-Length header is not a number")
            return
        if declared is not None and declared > limit:
            await send_problem(send, scope, 413, f"the request body is larger than {_size(limit)}")
            return
        await self.app(scope, _capped(receive, limit), send)

    def check_access(self, request: Request, path: str) -> None:
        """The same checks the routes make (``api.deps``), made before the body is read."""
        if path == SPARQL_PATH:
            check_read(request, self.settings)
            return
        if path == CORRECTIONS_PATH or path.startswith(CORRECTIONS_PATH + "/"):
            check_curate(request, self.settings)
            return
        check_write(request, self.settings)
        if self.settings.api_key is None:
            check_read(request, self.settings)


def _has_header(scope: Scope, name: bytes) -> bool:
    return any(k.lower() == name for k, _ in scope.get("headers", ()))


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == b"content-length":
            try:
                n = int(value)
            except ValueError:
                return None
            return n if n >= 0 else None
    return None


def _capped(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def receive_at_most() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return receive_at_most


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_CONTENT_SECURITY_POLICY if scope.get("path") in DOCS_PATHS else CONTENT_SECURITY_POLICY
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"server"]
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", policy.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except BodyTooLarge as err:  # raised while a middleware read the body
            if started:
                raise
            await send_problem(send_with_headers, scope, 413, str(err.detail))
        except Exception:
            if started:
                raise
            log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            await send_problem(send_with_headers, scope, 500,
                               "the server failed on this request; the error is in its log")
