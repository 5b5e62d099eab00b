"""API keys with a name and a role, and how a presented key is matched.

Roles, each including the ones before it:

* ``read``: read the graph (only needed when reads are closed);
* ``curate``: also make and undo corrections (the key's name is recorded as
  who made them);
* ``admin``: also ingest, delete and re-extract.

Keys come from the file named by ``$TRADEKG_API_KEYS_FILE`` (JSON or TOML,
see ``parse_keys``), from ``$TRADEKG_API_KEYS`` (the same JSON inline) and from the older single keys: ``$TRADEKG_API_KEY``
is an admin key named "admin", ``$TRADEKG_READ_KEY`` a read key named
"read". A file may hold a key's SHA-256 instead of the key, so the file
itself does not give access.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

READ = "read"
CURATE = "curate"
ADMIN = "admin"
ROLES: tuple[str, ...] = (READ, CURATE, ADMIN)

_HASH_PREFIX = "sha256:"


@dataclass(frozen=True)
class ApiKey:
    """One key: who holds it, what it may do, and the SHA-256 (hex) of the
    key itself; the plain key is never kept."""

    name: str
    role: str
    key_sha256: str

    def allows(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def sha256_hex(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key(name: str, role: str, *, key: str | None = None, key_hash: str | None = None) -> ApiKey:
    """An ``ApiKey`` from a plain key or its hash ("sha256:HEX" or HEX)."""
    if not name.strip():
        raise ValueError("an API key needs a name")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} for key {name!r}; expected one of {', '.join(ROLES)}")
    if (key is None) == (key_hash is None):
        raise ValueError(f"key {name!r} needs exactly one of key or key_hash")
    if key is not None:
        if not key.strip():
            raise ValueError(f"key {name!r} is empty")
        return ApiKey(name=name, role=role, key_sha256=sha256_hex(key))
    digest = str(key_hash).removeprefix(_HASH_PREFIX).lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"key_hash of {name!r} must be a SHA-256 in hex (optionally prefixed sha256:)")
    return ApiKey(name=name, role=role, key_sha256=digest)


def _entries(data: Any, where: str) -> list[dict[str, Any]]:
    # JSON: a list of keys or {"keys": [...]}; TOML: [[keys]] tables.
    rows = data.get("keys") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ValueError(f"{where}: expected a list of keys (JSON) or [[keys]] tables (TOML)")
    return rows


def parse_keys(text: str, *, toml: bool, where: str) -> tuple[ApiKey, ...]:
    """Keys from JSON or TOML text; each has ``name``, ``role`` and either
    ``key`` or ``key_hash``::

        [[keys]]
        name = "amina"
        role = "curate"
        key_hash = "sha256:9f86d0..."
    """
    try:
        data: Any = tomllib.loads(text) if toml else json.loads(text)
    except ValueError as err:  # tomllib.TOMLDecodeError is a ValueError
        raise ValueError(f"{where}: not valid {'TOML' if toml else 'JSON'}: {err}") from err
    keys = []
    for row in _entries(data, where):
        try:
            keys.append(api_key(str(row.get("name", "")), str(row.get("role", "")),
                                key=row.get("key"), key_hash=row.get("key_hash")))
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from err
    names = [k.name for k in keys]
    if len(set(names)) != len(names):
        raise ValueError(f"{where}: two keys have the same name (the name is who corrected)")
    return tuple(keys)


def load_keys_file(path: Path) -> tuple[ApiKey, ...]:
    """Keys from a ``.toml`` file, or a JSON one (any other name)."""
    return parse_keys(path.read_text(encoding="utf-8"), toml=path.suffix.lower() == ".toml", where=str(path))


def match_key(given: str, keys: tuple[ApiKey, ...]) -> ApiKey | None:
    """The key ``given`` is, comparing its hash with every configured one in
    constant time and without stopping at the first match, so timing tells
    neither the key nor which one it was."""
    digest = sha256_hex(given).encode()
    found: ApiKey | None = None
    for k in keys:
        if hmac.compare_digest(digest, k.key_sha256.encode()) and found is None:
            found = k
    return found
