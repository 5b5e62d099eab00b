"""A read-only, bounded SPARQL view of the graph.

The view is the turtle export bulk-loaded into an on-disk Oxigraph store, one
directory per version of the graph, rebuilt when the graph changes (after a
write through this API, or when the store's counts differ because another
process ingested into the same file).

Queries never run in the API process: each goes to a worker process
(``api.sparql_worker``) that opens the view read-only, refuses remote access
(SERVICE, FROM) found in the query's algebra, and stops after ``max_rows``
results. A query still running at its deadline is stopped by killing its
worker, so it gives its CPU back; a fresh worker takes its place.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from api.sparql_worker import SPARQL_RESULTS_JSON, TURTLE
from graph.store import Store
from ingest.workers import start_worker, stop_worker

__all__ = ["SPARQL_RESULTS_JSON", "TURTLE", "SparqlAnswer", "SparqlBusy", "SparqlRefused", "SparqlTimeout",
           "SparqlView", "SparqlWorkers", "build_view", "run_query", "store_fingerprint"]

DEFAULT_MAX_ROWS = 10_000
DEFAULT_WORKERS = 2
# A worker imports rdflib and pyoxigraph before it says it is ready; that
# start-up is not charged to the query's deadline.
WORKER_START_TIMEOUT_S = 60.0
WORKER_START_ALLOWANCE_S = 5.0


class SparqlRefused(ValueError):
    """Not a query this endpoint runs: ``status`` is 400 (invalid, remote
    access, too many results) or 403 (an update)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class SparqlTimeout(Exception):
    pass


class SparqlBusy(Exception):
    """Every worker is busy with another query for the whole deadline."""


@dataclass
class SparqlAnswer:
    media_type: str
    body: bytes


@dataclass
class SparqlView:
    """One version of the graph as an Oxigraph store on disk."""

    path: Path

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def store_fingerprint(store: Store) -> tuple[int, ...]:
    s = store.stats()
    return (s.documents, s.entities, s.relations, s.evidence)


def build_view(store: Store, parent: Path | None = None) -> SparqlView:
    """Export ``store`` as turtle into a new Oxigraph directory under
    ``parent`` (default: the system's temporary directory)."""
    import pyoxigraph as ox

    from queries.export import export_graph

    path = Path(tempfile.mkdtemp(prefix="tradekg-sparql-", dir=parent))
    turtle = path / "graph.ttl"
    with turtle.open("wb") as out:
        export_graph(store, "turtle", out, scope=None)
    # Oxigraph's bulk loader: rdflib's pure-Python Turtle parser took 47 of
    # the 59 s this view needed for 100k relations (1.8M triples).
    oxi = ox.Store(str(path / "store"))
    oxi.bulk_load(path=str(turtle), format=ox.RdfFormat.TURTLE)
    oxi.flush()
    del oxi  # closes the store: workers open it read-only
    turtle.unlink()
    return SparqlView(path / "store")


class _Worker:
    """One ``python -m api.sparql_worker`` process and the socket to it. A
    plain subprocess rather than ``multiprocessing``: the API process has
    threads (no fork), and spawn would re-import whatever script started it."""

    def __init__(self) -> None:
        self.conn, self.process = start_worker("api.sparql_worker")
        if not self.conn.poll(WORKER_START_TIMEOUT_S) or self.conn.recv() != "ready":
            self.kill()
            raise RuntimeError("the SPARQL worker did not start")

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        stop_worker(self.conn, self.process)


class SparqlWorkers:
    """At most ``size`` worker processes, each running one query at a time."""

    def __init__(self, size: int = DEFAULT_WORKERS):
        self.size = size
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self.killed = 0  # workers stopped at a deadline (for tests and logs)

    def run(self, view: SparqlView, text: str, *, timeout_s: float, max_rows: int) -> SparqlAnswer:
        # A query may wait for a worker as long as it may run, plus a
        # worker's start-up (a killed worker is replaced on demand).
        if not self._slots.acquire(timeout=timeout_s + WORKER_START_ALLOWANCE_S):
            raise SparqlBusy("every SPARQL worker stayed busy; try again in a few seconds")
        try:
            return self._run_on_a_worker(view, text, timeout_s, max_rows)
        finally:
            self._slots.release()

    def _run_on_a_worker(self, view: SparqlView, text: str, timeout_s: float, max_rows: int) -> SparqlAnswer:
        with self._lock:
            worker = self._idle.pop() if self._idle else None
        if worker is None or not worker.alive():
            worker = _Worker()  # its start-up is not charged to the query
        try:
            worker.conn.send((str(view.path), text, max_rows))
            finished = worker.conn.poll(timeout_s)
            reply = worker.conn.recv() if finished else None
        except (EOFError, OSError):  # the worker died (out of memory, killed from outside)
            worker.kill()
            raise SparqlRefused("the query stopped its worker (too much memory?); simplify it") from None
        if reply is None:
            worker.kill()
            self.killed += 1
            raise SparqlTimeout(f"the query ran longer than {timeout_s:g} s and was stopped")
        with self._lock:
            self._idle.append(worker)
        if reply[0] == "ok":
            return SparqlAnswer(reply[1], reply[2])
        raise SparqlRefused(reply[2], status=reply[1])

    def idle_pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._idle if w.alive()]

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()


_default_workers: SparqlWorkers | None = None
_default_lock = threading.Lock()


def run_query(
    view: SparqlView,
    text: str,
    timeout_s: float,
    *,
    workers: SparqlWorkers | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> SparqlAnswer:
    """Run one read-only query over ``view``; raises ``SparqlRefused``,
    ``SparqlTimeout`` or ``SparqlBusy``."""
    global _default_workers
    if workers is None:
        with _default_lock:
            if _default_workers is None:
                _default_workers = SparqlWorkers()
            workers = _default_workers
    return workers.run(view, text, timeout_s=timeout_s, max_rows=max_rows)
