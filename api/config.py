"""Settings of the HTTP API, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_MAX_UPLOAD_MB = 20.0
DEFAULT_SPARQL_TIMEOUT_S = 10.0


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
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    max_upload_bytes: int = int(DEFAULT_MAX_UPLOAD_MB * 1024 * 1024)
    sparql_timeout_s: float = DEFAULT_SPARQL_TIMEOUT_S

    @classmethod
    def from_env(cls, store_url: str | None = None) -> Settings:
        origins = os.environ.get("TRADEKG_CORS_ORIGINS", "")
        return cls(
            store_url=store_url,
            api_key=os.environ.get("TRADEKG_API_KEY") or None,
            read_key=os.environ.get("TRADEKG_READ_KEY") or None,
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            max_upload_bytes=int(_float_env("TRADEKG_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB) * 1024 * 1024),
            sparql_timeout_s=_float_env("TRADEKG_SPARQL_TIMEOUT", DEFAULT_SPARQL_TIMEOUT_S),
        )
