"""Dependencies shared by the routes: access checks and list bounds."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.auth import check_read, check_write
from api.schemas import MAX_LIMIT
from api.state import AppState, get_state

# Declared so /openapi.json documents both ways of sending a key; the checks
# themselves are in api.auth (they must also work when no key is required).
_bearer = HTTPBearer(auto_error=False, description="TRADEKG_API_KEY (writes) or TRADEKG_READ_KEY (reads)")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="same key as the bearer token")


def read_access(
    request: Request,
    state: Annotated[AppState, Depends(get_state)],
    _b: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
    _h: Annotated[str | None, Depends(_header)] = None,
) -> AppState:
    check_read(request, state.settings)
    return state


def write_access(
    request: Request,
    state: Annotated[AppState, Depends(get_state)],
    _b: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
    _h: Annotated[str | None, Depends(_header)] = None,
) -> AppState:
    check_write(request, state.settings)
    if state.settings.api_key is None:
        check_read(request, state.settings)
    return state


Reader = Annotated[AppState, Depends(read_access)]
Writer = Annotated[AppState, Depends(write_access)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size, at most {MAX_LIMIT}")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="rows to skip")]
