"""Reading report files in a worker process, within a time budget.

A hostile or broken file can make a parser run for minutes. Each file is
read by a worker process; if it has not finished within the budget the
worker is killed (so the file stops costing CPU), the file fails with one
clear line, and a fresh worker reads the next one. Started as
``python -m ingest.read_worker FD`` (see ``ingest.workers``).
"""

from __future__ import annotations

import os
import subprocess
from multiprocessing.connection import Connection
from pathlib import Path

from graph.model import Document
from ingest.readers import ReadError, read_bytes, read_document
from ingest.workers import start_worker, stop_worker

DEFAULT_READ_TIMEOUT_S = 60.0
READ_TIMEOUT_ENV = "TRADEKG_READ_TIMEOUT"
WORKER_START_TIMEOUT_S = 60.0


def resolve_read_timeout(timeout_s: float | None = None) -> float:
    """The per-file budget: the argument, else ``$TRADEKG_READ_TIMEOUT``, else 60 s."""
    if timeout_s is not None:
        return timeout_s
    raw = os.environ.get(READ_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_READ_TIMEOUT_S
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{READ_TIMEOUT_ENV} must be a number of seconds, not {raw!r}") from None


class ReadWorker:
    """Reads one file at a time in a child process; reuse it for a batch and
    ``close()`` it (or use it as a context manager) at the end."""

    def __init__(self, timeout_s: float | None = None, *, max_bytes: int | None = None):
        self.timeout_s = resolve_read_timeout(timeout_s)
        self.max_bytes = max_bytes
        self._worker: tuple[Connection, subprocess.Popen[bytes]] | None = None

    def __enter__(self) -> ReadWorker:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def read_path(self, path: str | os.PathLike[str]) -> Document:
        return self._read(str(path), ("path", str(path), self.max_bytes))

    def read_bytes(self, name: str, data: bytes) -> Document:
        return self._read(name, ("bytes", name, data, self.max_bytes))

    def _read(self, source: str, request: tuple[object, ...]) -> Document:
        conn = self._connection()
        try:
            conn.send(request)
            finished = conn.poll(self.timeout_s)
            reply = conn.recv() if finished else None
        except (EOFError, OSError):
            self._kill()
            raise ReadError(source, "the reader stopped on this file (out of memory?)") from None
        if reply is None:
            self._kill()
            raise ReadError(source, f"reading took longer than {self.timeout_s:g} s and was stopped "
                            f"(${READ_TIMEOUT_ENV})")
        if isinstance(reply, ReadError):
            raise reply
        assert isinstance(reply, Document)
        return reply

    def _connection(self) -> Connection:
        if self._worker is not None and self._worker[1].poll() is None:
            return self._worker[0]
        conn, process = start_worker("ingest.read_worker")
        self._worker = (conn, process)
        if not conn.poll(WORKER_START_TIMEOUT_S) or conn.recv() != "ready":
            self._kill()
            raise RuntimeError("the reader worker did not start")
        return conn

    def _kill(self) -> None:
        if self._worker is not None:
            stop_worker(*self._worker)
            self._worker = None

    def close(self) -> None:
        self._kill()


def serve(conn: Connection) -> None:
    """The worker's loop: one ``Document`` or ``ReadError`` per request."""
    conn.send("ready")
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        conn.send(_read_one(request))


def _read_one(request: tuple[object, ...]) -> Document | ReadError:
    kind, source = str(request[0]), str(request[1])
    try:
        if kind == "path":
            return read_document(Path(source), max_bytes=request[2])  # type: ignore[arg-type]
        return read_bytes(source, request[2], max_bytes=request[3])  # type: ignore[arg-type]
    except ReadError as err:
        return err
    except RecursionError:
        return ReadError(source, "nested too deeply to read")
    except MemoryError:
        return ReadError(source, "too large to read in memory")
    except Exception as exc:  # a reader bug must cost one file, not the batch
        text = " ".join(str(exc).split())[:200]
        return ReadError(source, f"could not read ({type(exc).__name__}: {text})")


if __name__ == "__main__":
    from ingest.workers import worker_connection

    serve(worker_connection())
