"""Store write per report as the store grows: empty store against a large one.

    .venv/bin/python -m benchmarks.ingest_store [--large /tmp/tkbench/syn1m.db] [--relations 1000000]
                                                [--rounds 5] [--reports examples/reports]

The example reports are read and extracted once, before any timing, so the
figure is ``SqliteStore.upsert_extraction`` alone: entity resolution and the
write transaction. Each round writes every report, timing each write, then
deletes them again (untimed), so every round writes the same reports into
the same graph. Two stores: a new empty file, and a copy of a large
synthetic store (``benchmarks.synthetic``, seed 1; built once at ``--large``
if missing and never written to, so "before" and "after" runs start from the
same file). Opening the copy is timed apart: it is where an older store file
gains this version's indexes and planner statistics.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ingest import machine  # noqa: E402
from benchmarks.synthetic import generate  # noqa: E402
from graph.model import Extraction  # noqa: E402
from graph.sqlite_store import SqliteStore  # noqa: E402
from ingest.extract import Extractor  # noqa: E402
from ingest.readers import iter_report_paths, read_document  # noqa: E402


def extract_reports(directory: Path) -> list[Extraction]:
    extractor = Extractor()
    return [extractor.extract(read_document(p)) for p in iter_report_paths([directory])]


def large_store_file(path: Path, relations: int) -> Path:
    """The large synthetic store at ``path``, built first if missing, its
    write-ahead log folded in so that a plain file copy is the whole store."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        with SqliteStore(path) as store:
            s = generate(store, relations=relations, seed=1)
        print(f"built {path}: {s.relations} relations, {s.entities} entities in {time.perf_counter() - t:.0f} s")
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


def time_writes(store: SqliteStore, extractions: list[Extraction], rounds: int) -> list[float]:
    """Milliseconds per ``upsert_extraction``, every report once per round."""
    times: list[float] = []
    for _ in range(rounds):
        # Resolution appends derived spellings to the extraction's aliases:
        # each write gets a fresh copy, made outside the timing.
        batch = [copy.deepcopy(x) for x in extractions]
        for x in batch:
            t = time.perf_counter()
            result = store.upsert_extraction(x)
            times.append((time.perf_counter() - t) * 1000)
            assert result.added, f"{x.document.source} was already in the store"
        for x in batch:
            store.delete_document(x.document.id)
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary_row(name: str, times: list[float]) -> str:
    return (f"| {name} | {len(times)} | {statistics.median(times):.1f} | {percentile(times, 0.95):.1f} "
            f"| {max(times):.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--large", type=Path, default=Path("/tmp/tkbench/syn1m.db"))
    ap.add_argument("--relations", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--reports", type=Path, default=ROOT / "examples" / "reports")
    args = ap.parse_args()

    t = time.perf_counter()
    extractions = extract_reports(args.reports)
    print(f"extracted {len(extractions)} reports from {args.reports} in {time.perf_counter() - t:.1f} s "
          f"({sum(len(x.entities) for x in extractions)} entities, "
          f"{sum(len(x.relations) for x in extractions)} relations)")
    large = large_store_file(args.large, args.relations)

    with tempfile.TemporaryDirectory(dir=args.large.parent) as tmp:
        with SqliteStore(Path(tmp) / "empty.db") as store:
            empty = time_writes(store, extractions, args.rounds)

        work = Path(tmp) / "large.db"
        shutil.copyfile(large, work)
        t = time.perf_counter()
        store = SqliteStore(work)
        opened = time.perf_counter() - t
        relations = store.stats().relations
        try:
            full = time_writes(store, extractions, args.rounds)
        finally:
            store.close()

    print(f"machine: {machine()}, SQLite {sqlite3.sqlite_version}")
    print(f"large store: copy of {large}, {relations:,} relations; opened in {opened:.2f} s")
    print("| store | writes | median ms | p95 ms | max ms |\n|---|---|---|---|---|")
    print(summary_row("empty", empty))
    print(summary_row(f"{relations:,} relations", full))
    print(f"ratio large / empty: median {statistics.median(full) / statistics.median(empty):.2f}, "
          f"p95 {percentile(full, 0.95) / percentile(empty, 0.95):.2f}")


if __name__ == "__main__":
    main()
