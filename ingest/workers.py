"""Worker processes the parent can kill: for work that must be stoppable at
a deadline (a SPARQL query, reading a hostile file).

A worker is ``python -m MODULE FD``: a plain subprocess, not
``multiprocessing`` — the API process has threads (so no fork), and
``spawn`` would re-import whatever script started the parent. Parent and
worker talk over one end each of a socket pair, as
``multiprocessing.connection.Connection`` objects (pickled messages); the
worker exits when the parent closes its end.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path

# The directory holding the graph/, ingest/ and api/ packages, so a worker
# imports the same code as its parent wherever the parent was started.
_CODE_ROOT = str(Path(__file__).resolve().parent.parent)


def start_worker(module: str) -> tuple[Connection, subprocess.Popen[bytes]]:
    parent_end, child_end = socket.socketpair()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_CODE_ROOT, env.get("PYTHONPATH", "")) if p)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", module, str(child_end.fileno())],
            pass_fds=(child_end.fileno(),), stdin=subprocess.DEVNULL, env=env,
        )
    finally:
        child_end.close()
    return Connection(parent_end.detach()), process


def stop_worker(conn: Connection, process: subprocess.Popen[bytes]) -> None:
    """Kill at once: a worker is stopped because it is stuck."""
    if process.poll() is None:
        process.kill()
    process.wait()
    conn.close()


def worker_connection() -> Connection:
    """In the worker: the connection to the parent (the FD in argv)."""
    return Connection(int(sys.argv[1]))
