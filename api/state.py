"""What one running API holds: its settings, the open store, the extractor."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from fastapi import Request

from api.config import Settings
from graph.store import Store, open_store

if TYPE_CHECKING:
    from ingest.pipeline import ExtractorLike


class AppState:
    def __init__(self, settings: Settings, *, extractor: ExtractorLike | None = None):
        self.settings = settings
        # FastAPI runs sync routes in a thread pool; one lock keeps the store
        # (an SQLite connection, or a driver session) used by one thread at a time.
        self._lock = threading.RLock()
        self._store: Store | None = None
        self._extractor: ExtractorLike | None = extractor
        # Bumped on every write through the API, so caches built from the graph
        # (the SPARQL view) know they are stale.
        self.generation = 0
        self.cache: dict[str, Any] = {}

    @contextmanager
    def store(self) -> Iterator[Store]:
        with self._lock:
            if self._store is None:
                self._store = open_store(self.settings.store_url)
            yield self._store

    @contextmanager
    def writing(self) -> Iterator[Store]:
        with self.store() as store:
            try:
                yield store
            finally:
                self.generation += 1

    def extractor(self) -> ExtractorLike:
        # spaCy takes about a second to load: once per process, on first upload.
        if self._extractor is None:
            from ingest.extract import Extractor

            self._extractor = Extractor()
        return self._extractor

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.tradekg
    return state
