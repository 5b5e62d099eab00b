"""The store write of an ingest, beside the parse rather than after it.

An ingest spends most of its time in spaCy; the store write (resolution
look-ups, inserts, the commit) adds about a sixth on the same core. Into an
SQLite file the write runs in a process of its own, so on two cores it
overlaps the parse of the next reports. A thread does not do this: the
write's Python and the parse's share one GIL, and measured, a writer thread
made the ingest slower than writing in line.

The writer is a worker process (``ingest.workers``) with its own connection
to the file (WAL lets this process keep reading while it writes). It is
sent extractions, at most ``QUEUE_DEPTH`` ahead of its answers (memory stays
bounded: the parse waits when the store falls behind), and answers each with
what it stored, in order. A document is still stored in one transaction of
its own, so a killed ingest leaves whole reports behind; the writer ends
when its parent's end of the socket closes, also when the parent is killed.
Any other store is written in line.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import NoReturn

from graph import gazetteer
from graph.model import Extraction, UpsertResult
from graph.sqlite_store import SqliteStore
from graph.store import Store
from ingest.workers import start_worker, stop_worker

# What the writer answers for one item: the stored result, the reason the
# write failed, or the extraction failure it was handed (nothing to write;
# answered in its turn, so progress lines keep the order of the input).
Outcome = UpsertResult | str | Exception
Answer = Callable[[Outcome], None]

# Items handed to the writer and not yet answered, at most.
QUEUE_DEPTH = 16


class InlineWriter:
    """Writes each item when it is given (any store)."""

    def __init__(self, store: Store, answer: Answer):
        self._store, self._answer = store, answer

    def put(self, item: Extraction | Exception) -> None:
        self._answer(item if isinstance(item, Exception) else write_one(self._store, item))

    def close(self) -> None:
        pass


class ProcessWriter:
    """Writes items in a worker process (``ingest.workers``) into the SQLite
    file at ``path``; ``answer`` is called with each outcome, in order."""

    def __init__(self, path: Path, answer: Answer, *, depth: int = QUEUE_DEPTH):
        self._path, self._answer, self._depth = path, answer, depth
        # Not waited for here: the worker starts (~0.2 s) while the first
        # batch parses; its first message says whether it opened the store.
        self._conn, self._process = start_worker("ingest.store_writer")
        self._waiting = 1  # messages due: "ready", then one answer per extraction sent
        self._ready = False
        # Outcomes in input order; None where the worker's answer is due. An
        # extraction failure never crosses to the worker (it may not pickle).
        self._order: deque[Outcome | None] = deque()
        try:
            self._conn.send(str(path))
        except OSError:
            self._stopped()

    def put(self, item: Extraction | Exception) -> None:
        if isinstance(item, Exception):
            self._order.append(item)
            self._answer_in_turn()
            return
        while self._waiting >= self._depth or (self._waiting and self._conn.poll()):
            self._collect_one()
        try:
            self._conn.send(item)
        except OSError:
            self._stopped()
        self._waiting += 1
        self._order.append(None)

    def close(self) -> None:
        """Wait for every item to be answered, then let the writer end."""
        try:
            while self._waiting:
                self._collect_one()
            self._conn.close()  # the worker's recv ends: it closes the store and exits
            self._process.wait()
        finally:
            stop_worker(self._conn, self._process)

    def _collect_one(self) -> None:
        try:
            outcome = self._conn.recv()
        except (EOFError, OSError):
            self._stopped()
        self._waiting -= 1
        if self._ready:
            self._order.popleft()  # answers come in order: this is the first one due
            self._answer(outcome)
            self._answer_in_turn()
        elif outcome == "ready":
            self._ready = True
        else:
            stop_worker(self._conn, self._process)
            raise RuntimeError(f"the store writer could not open {self._path}: {outcome}")

    def _answer_in_turn(self) -> None:
        while self._order and self._order[0] is not None:
            outcome = self._order.popleft()
            assert outcome is not None
            self._answer(outcome)

    def _stopped(self) -> NoReturn:
        code = self._process.poll()
        lost = self._waiting - (not self._ready)
        raise RuntimeError(f"the store writer stopped (exit code {code}); "
                           f"{lost} reports sent to it were not stored")


def open_writer(store: Store, answer: Answer) -> InlineWriter | ProcessWriter:
    """The writer for ``store``: a process for an SQLite file (unless the
    caller holds a transaction on it, whose lock the process would wait
    for), else in line."""
    if isinstance(store, SqliteStore) and store.path.is_file() and not store.in_transaction:
        return ProcessWriter(store.path, answer)
    return InlineWriter(store, answer)


def write_one(store: Store, item: Extraction) -> UpsertResult | str:
    try:
        return store.upsert_extraction(item)
    except Exception as exc:  # one bad write must not cost the rest of the batch
        return reason(exc)


def reason(exc: BaseException) -> str:
    """An exception as one short line."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


def serve(conn: Connection) -> None:
    """The worker: open the store named first, then one outcome per item,
    until the parent closes its end (or dies: the socket closes with it)."""
    try:
        store = SqliteStore(conn.recv())
    except Exception as exc:
        conn.send(reason(exc))
        return
    with store:
        conn.send("ready")
        # Resolution's place tables take a few seconds to build: built now,
        # while the parent parses its first batch, not on the first write.
        gazetteer.load()
        while True:
            try:
                item = conn.recv()
            except (EOFError, OSError):  # the parent closed its end, or died
                return
            conn.send(write_one(store, item))


if __name__ == "__main__":
    from ingest.workers import worker_connection

    serve(worker_connection())
