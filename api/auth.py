"""Who may read and who may write.

* Writes (upload, delete, merge, unmerge) need ``$TRADEKG_API_KEY``, sent as
  ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``. When no key is
  configured, writes are accepted only from loopback clients, so a local
  ``tradekg serve`` works out of the box and an exposed one is read-only.
* Reads are open unless ``$TRADEKG_READ_KEY`` is set; then they need that key
  (or the write key).

Keys are compared with ``hmac.compare_digest`` so timing does not leak them.
"""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import Request

from api.config import Settings
from api.problems import ProblemError

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="tradekg"'}


def presented_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    key = request.headers.get("x-api-key", "").strip()
    return key or None


def _matches(given: str, expected: str | None) -> bool:
    return expected is not None and hmac.compare_digest(given.encode(), expected.encode())


def is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def check_write(request: Request, settings: Settings) -> None:
    key = presented_key(request)
    if settings.api_key is None:
        if is_loopback(request):
            return
        raise ProblemError(
            403, "writes are accepted only from loopback clients because no TRADEKG_API_KEY is configured"
        )
    if key is None:
        raise ProblemError(401, "this write needs an API key (Authorization: Bearer KEY or X-API-Key)",
                           headers=_CHALLENGE)
    if not _matches(key, settings.api_key):
        raise ProblemError(403, "the API key is not valid for writes")


def check_read(request: Request, settings: Settings) -> None:
    if settings.read_key is None:
        return
    key = presented_key(request)
    if key is None:
        raise ProblemError(401, "reading needs an API key (Authorization: Bearer KEY or X-API-Key)",
                           headers=_CHALLENGE)
    if not (_matches(key, settings.read_key) or _matches(key, settings.api_key)):
        raise ProblemError(403, "the API key is not valid for reading")
