"""Route dependencies for the roles of ``api.keys``: who corrects (curate
or admin) and who administers (admin). The checks are in ``api.auth``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.auth import check_curate, check_write
from api.keys import ApiKey
from api.state import AppState, get_state

# Declared so /openapi.json documents both ways of sending a key.
_bearer = HTTPBearer(auto_error=False, description="an API key with the role the route needs")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="same key as the bearer token")


def curate_access(
    request: Request,
    state: Annotated[AppState, Depends(get_state)],
    _b: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
    _h: Annotated[str | None, Depends(_header)] = None,
) -> ApiKey:
    return check_curate(request, state.settings)


def admin_access(
    request: Request,
    state: Annotated[AppState, Depends(get_state)],
    _b: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
    _h: Annotated[str | None, Depends(_header)] = None,
) -> ApiKey:
    return check_write(request, state.settings)


# The key making the request; its name is recorded as who corrected.
Curator = Annotated[ApiKey, Depends(curate_access)]
Admin = Annotated[ApiKey, Depends(admin_access)]
