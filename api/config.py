"""Settings of the HTTP API, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from api.keys import ADMIN, READ, ApiKey, api_key, load_keys_file, parse_keys

DEFAULT_MAX_UPLOAD_MB = 20.0
# A whole upload request (several files and the multipart framing).
DEFAULT_MAX_REQUEST_MB = 100.0
# Any other request body (a SPARQL query, a merge): small JSON or text.
DEFAULT_MAX_BODY_KB = 256.0
DEFAULT_SPARQL_TIMEOUT_S = 10.0
DEFAULT_SPARQL_MAX_ROWS = 10_000
DEFAULT_SPARQL_WORKERS = 2
DEFAULT_READ_TIMEOUT_S = 60.0


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as err:
        raise ValueError(f"${name} must be a number, not {raw!r}") from err


@dataclass(frozen=True)
class Settings:
    store_url: str | None = None
    # Writes need this key; without it, writes are accepted from loopback only.
    api_key: str | None = None
    # When set, reads need it too (or the write key, which implies read).
    read_key: str | None = None
    # Named keys with a role (api.keys), from $TRADEKG_API_KEYS_FILE.
    api_keys: tuple[ApiKey, ...] = ()
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    max_upload_bytes: int = int(DEFAULT_MAX_UPLOAD_MB * 1024 * 1024)
    max_request_bytes: int = int(DEFAULT_MAX_REQUEST_MB * 1024 * 1024)
    max_body_bytes: int = int(DEFAULT_MAX_BODY_KB * 1024)
    sparql_timeout_s: float = DEFAULT_SPARQL_TIMEOUT_S
    sparql_max_rows: int = DEFAULT_SPARQL_MAX_ROWS
    sparql_workers: int = DEFAULT_SPARQL_WORKERS
    # Each uploaded file's reading budget (ingest.read_worker).
    read_timeout_s: float = DEFAULT_READ_TIMEOUT_S
    # Read an embedded store's file into the page cache at start (graph.prewarm).
    prewarm: bool = True

    def all_keys(self) -> tuple[ApiKey, ...]:
        """Every configured key: the file's, then the older single keys
        (the write key is an admin named "admin", the read key "read")."""
        single = [api_key("admin", ADMIN, key=self.api_key) if self.api_key else None,
                  api_key("read", READ, key=self.read_key) if self.read_key else None]
        return (*self.api_keys, *(k for k in single if k is not None))

    @classmethod
    def from_env(cls, store_url: str | None = None) -> Settings:
        origins = os.environ.get("TRADEKG_CORS_ORIGINS", "")
        return cls(
            store_url=store_url,
            api_key=os.environ.get("TRADEKG_API_KEY") or None,
            read_key=os.environ.get("TRADEKG_READ_KEY") or None,
            api_keys=_keys_from_env(),
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            max_upload_bytes=int(_float_env("TRADEKG_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB) * 1024 * 1024),
            max_request_bytes=int(_float_env("TRADEKG_MAX_REQUEST_MB", DEFAULT_MAX_REQUEST_MB) * 1024 * 1024),
            max_body_bytes=int(_float_env("TRADEKG_MAX_BODY_KB", DEFAULT_MAX_BODY_KB) * 1024),
            sparql_timeout_s=_float_env("TRADEKG_SPARQL_TIMEOUT", DEFAULT_SPARQL_TIMEOUT_S),
            sparql_max_rows=int(_float_env("TRADEKG_SPARQL_MAX_ROWS", DEFAULT_SPARQL_MAX_ROWS)),
            sparql_workers=max(1, int(_float_env("TRADEKG_SPARQL_WORKERS", DEFAULT_SPARQL_WORKERS))),
            read_timeout_s=_float_env("TRADEKG_READ_TIMEOUT", DEFAULT_READ_TIMEOUT_S),
            prewarm=os.environ.get("TRADEKG_PREWARM", "1").strip().lower() not in {"0", "false", "no", "off"},
        )


def _keys_from_env() -> tuple[ApiKey, ...]:
    path = os.environ.get("TRADEKG_API_KEYS_FILE")
    inline = os.environ.get("TRADEKG_API_KEYS")
    from_file = load_keys_file(Path(path)) if path else ()
    return (*from_file, *(parse_keys(inline, toml=False, where="$TRADEKG_API_KEYS") if inline else ()))
