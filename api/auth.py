"""Who may read, write and correct.

Keys have a name and a role (``api.keys``: read < curate < admin) and are
sent as ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``.

* Admin writes (upload, delete, merge, unmerge, re-extract) need an admin
  key. When no admin key is configured, they are accepted only from
  loopback clients, so a local ``tradekg serve`` works out of the box and
  an exposed one is read-only; a client elsewhere always needs a key.
* Corrections need a curate or admin key, from anywhere: the key's name is
  recorded as who made them.
* Reads are open unless a read key is configured (``$TRADEKG_READ_KEY`` or
  a key with the read role); then they need a key of any role.

Keys are compared by hash with ``hmac.compare_digest`` so timing does not
leak them.
"""

from __future__ import annotations

import ipaddress

from fastapi import Request

from api.config import Settings
from api.keys import ADMIN, CURATE, READ, ApiKey, match_key
from api.problems import ProblemError

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="tradekg"'}


def presented_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    key = request.headers.get("x-api-key", "").strip()
    return key or None


def is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


# Who made an admin write from loopback when no admin key is configured.
LOCAL = ApiKey(name="local", role=ADMIN, key_sha256="")


def caller(request: Request, settings: Settings) -> ApiKey | None:
    """The key the request presents (None: it presents none); a key that is
    not configured is refused."""
    key = presented_key(request)
    if key is None:
        return None
    found = match_key(key, settings.all_keys())
    if found is None:
        raise ProblemError(403, "the API key is not valid")
    return found


def _needs_key(what: str) -> ProblemError:
    return ProblemError(401, f"{what} needs an API key (Authorization: Bearer KEY or X-API-Key)",
                        headers=_CHALLENGE)


def _refuse(found: ApiKey, role: str, what: str) -> ProblemError:
    return ProblemError(403, f"the API key {found.name!r} has the {found.role} role; {what} needs {role}")


def check_write(request: Request, settings: Settings) -> ApiKey:
    """An admin write: the admin key that makes it, or ``LOCAL``."""
    found = caller(request, settings)
    if found is None:
        if any(k.role == ADMIN for k in settings.all_keys()):
            raise _needs_key("this write")
        if is_loopback(request):
            return LOCAL
        raise ProblemError(
            403, "writes are accepted only from loopback clients because no admin key "
            "(TRADEKG_API_KEY or TRADEKG_API_KEYS_FILE) is configured"
        )
    if not found.allows(ADMIN):
        raise _refuse(found, ADMIN, "this write")
    return found


def check_curate(request: Request, settings: Settings) -> ApiKey:
    """A correction: the curate or admin key that makes it, loopback or not,
    since its name is recorded as who corrected."""
    found = caller(request, settings)
    if found is None:
        if not any(k.allows(CURATE) for k in settings.all_keys()):
            raise ProblemError(403, "corrections need a key with the curate or admin role, and none is "
                               "configured (TRADEKG_API_KEYS_FILE or TRADEKG_API_KEY)")
        raise _needs_key("a correction")
    if not found.allows(CURATE):
        raise _refuse(found, CURATE, "a correction")
    return found


def reads_are_closed(settings: Settings) -> bool:
    return any(k.role == READ for k in settings.all_keys())


def check_read(request: Request, settings: Settings) -> None:
    if not reads_are_closed(settings):
        return
    if presented_key(request) is None:
        raise _needs_key("reading")
    try:
        caller(request, settings)
    except ProblemError:
        raise ProblemError(403, "the API key is not valid for reading") from None
