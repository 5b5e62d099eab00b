"""Dependencies shared by the routes: access checks and list bounds."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator

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


_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _iso_date(value: str | None) -> str | None:
    """A calendar date, or a year or month of one: 2024, 2024-05, 2024-05-31."""
    if not value:
        return value
    m = _ISO_DATE.fullmatch(value)
    if m is None:
        raise ValueError("expected an ISO date: YYYY, YYYY-MM or YYYY-MM-DD")
    try:
        dt.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        raise ValueError(f"{value} is not a calendar date") from None
    return value


IsoDate = Annotated[str | None, AfterValidator(_iso_date)]
