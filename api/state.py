"""What one running API holds: its settings, the open store, the extractor."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from fastapi import Request

from api.config import Settings
from api.sparql import SparqlView, SparqlWorkers
from graph import prewarm
from graph.store import Store, embedded_path, open_store
from ingest.read_worker import ReadWorker

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
        # spaCy is not documented as safe for concurrent calls: one extraction
        # at a time, under its own lock, so the store lock only covers writes
        # and reads never wait for NLP.
        self.extracting = threading.Lock()
        self.sparql_workers = SparqlWorkers(settings.sparql_workers)
        # Uploads are read in a worker process within a time budget; one file
        # at a time through it.
        self.reading = threading.Lock()
        self.read_worker = ReadWorker(settings.read_timeout_s, max_bytes=settings.max_upload_bytes)
        self.sparql_view: tuple[Any, SparqlView] | None = None
        # Bumped on every write through the API, so caches built from the graph
        # (the SPARQL view) know they are stale.
        self.generation = 0
        self.cache: dict[str, Any] = {}
        self._stop_prewarm = threading.Event()
        self._prewarm: tuple[threading.Thread, list[prewarm.Prewarm]] | None = None

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

    def start_prewarm(self) -> None:
        """Read an embedded store's file into the page cache in the background,
        so the first queries after a start do not wait on the disk page by page."""
        path = embedded_path(self.settings.store_url)
        if not self.settings.prewarm or self._prewarm is not None or path is None or str(path) == ":memory:":
            return
        self._prewarm = prewarm.start(path, self._stop_prewarm)

    def prewarmed(self, timeout: float | None = None) -> prewarm.Prewarm | None:
        """The prewarm's result, waiting up to ``timeout`` seconds (None: not started or not done)."""
        if self._prewarm is None:
            return None
        thread, out = self._prewarm
        thread.join(timeout)
        return out[0] if out else None

    def extractor(self) -> ExtractorLike:
        # spaCy takes about a second to load: once per process, on first upload.
        if self._extractor is None:
            from ingest.extract import Extractor

            self._extractor = Extractor()
        return self._extractor

    def close(self) -> None:
        self._stop_prewarm.set()
        self.sparql_workers.close()
        with self.reading:
            self.read_worker.close()
        with self._lock:
            if self.sparql_view is not None:
                self.sparql_view[1].remove()
                self.sparql_view = None
            if self._store is not None:
                self._store.close()
                self._store = None


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.tradekg
    return state
