"""Read an embedded store's file into the page cache when a server starts.

After a reboot, or once other work has pushed the store out of memory, the
first queries read their pages from the disk one at a time: at a million
relations a hub's first answer takes 3-5 times as long as the next one
(``docs/benchmarks.md``). The same bytes read in order take a fraction of
that. So ``tradekg serve`` reads the file through once, in a background
thread, as PostgreSQL's ``pg_prewarm`` does; queries are answered meanwhile
and are only faster for it.

Bounded: a file larger than half the memory the system has available is
left alone (reading it would push out what it needs, and itself); reading
stops as soon as the server does.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("tradekg.prewarm")

CHUNK = 1 << 20
MAX_SHARE_OF_AVAILABLE = 0.5


@dataclass
class Prewarm:
    """What a prewarm did: bytes read, seconds taken, and why it stopped short, if it did."""

    files: tuple[Path, ...]
    bytes_read: int = 0
    seconds: float = 0.0
    skipped: str | None = None
    done: bool = False


def available_memory() -> int | None:
    """Bytes of memory the system can give without swapping (None where it cannot tell)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def store_files(db: Path) -> tuple[Path, ...]:
    """The database file and its write-ahead log, those that exist."""
    return tuple(p for p in (db, Path(f"{db}-wal")) if p.is_file())


def prewarm(files: Sequence[Path], stop: threading.Event | None = None,
            available: int | None = None) -> Prewarm:
    """Read ``files`` through once, in order, unless together they are more
    than half of ``available`` memory (default: what the system reports)."""
    result = Prewarm(tuple(files))
    total = sum(p.stat().st_size for p in files if p.is_file())
    available = available_memory() if available is None else available
    if available is None:
        result.skipped = "the system does not say how much memory is available"
    elif total > MAX_SHARE_OF_AVAILABLE * available:
        result.skipped = (f"{total / 1e9:.1f} GB is more than half of the {available / 1e9:.1f} GB "
                          "of memory available")
    if result.skipped:
        result.done = True
        return result
    started = time.perf_counter()
    buffer = bytearray(CHUNK)
    for path in files:
        try:
            with open(path, "rb", buffering=0) as f:
                if hasattr(os, "posix_fadvise"):  # let the kernel read ahead in large runs
                    os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
                while not (stop is not None and stop.is_set()):
                    n = f.readinto(buffer)
                    if not n:
                        break
                    result.bytes_read += n
        except OSError as exc:  # the file went away or cannot be read: queries will say so
            result.skipped = f"{path}: {exc.strerror or exc}"
            break
    if stop is not None and stop.is_set() and not result.skipped:
        result.skipped = "stopped with the server"
    result.seconds = time.perf_counter() - started
    result.done = True
    return result


def start(db: Path, stop: threading.Event) -> tuple[threading.Thread, list[Prewarm]]:
    """Prewarm ``db`` in a daemon thread; the list receives the result."""
    out: list[Prewarm] = []

    def run() -> None:
        result = prewarm(store_files(db), stop)
        out.append(result)
        if result.skipped:
            log.info("store file not prewarmed: %s", result.skipped)
        else:
            log.info("store file prewarmed: %.0f MB in %.1f s", result.bytes_read / 1e6, result.seconds)

    thread = threading.Thread(target=run, name="tradekg-prewarm", daemon=True)
    thread.start()
    return thread, out
