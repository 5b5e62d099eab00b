"""Bulk sync of synthetic graphs into FalkorDB (native client), and query
latency there beside the embedded figures.

    .venv/bin/python -m benchmarks.sync [--sizes 100000 1000000] [--batch-size 2000] [--repeat 1]
                                        [--source-dir /tmp/tkbench-sync] [--url falkordb://host:port/graph]

For each size, a synthetic SQLite store (``benchmarks.synthetic``, built once
and reused) is synced into an empty FalkorDB graph with ``graph.sync``, then
synced again into the full graph (the idempotent path a re-run takes: every
relation is looked up and found); relations per second are counted over the
relations phase, which is what the bar (>= 50k relations/s) is about. Without ``--url`` a FalkorDB server
is started for each size and repeat (the tests' harness) and stopped afterwards, and the
CPU seconds the server and this process spent in the relations phase are
reported beside the wall time: on a shared machine they move much less
than the wall time does.
"""

from __future__ import annotations

import argparse
import inspect
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.synthetic import COUNTRIES, SECTORS, generate
from graph.cypher_store import CypherStore
from graph.sqlite_store import SqliteStore
from graph.store import Store
from graph.sync import sync_stores


def _source(directory: Path, relations: int) -> SqliteStore:
    path = directory / f"syn{relations}.db"
    fresh = not path.exists()
    store = SqliteStore(path)
    if fresh:
        s = generate(store, relations=relations, seed=1)
        print(f"generated {s.relations} relations into {path} in {s.seconds:.1f} s")
    return store


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU of process ``pid`` (all its threads) so far; 0 when unknown."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _sync(source: Store, target: CypherStore, batch_size: int, server_pid: int | None = None) -> str:
    """Sync and print one table row; the target's state decides the path."""
    # kind -> (wall, this process's CPU, the server's CPU) after its last batch
    marks: dict[str, tuple[float, float, float]] = {}

    def progress(kind: str, count: int) -> None:
        marks[kind] = (time.perf_counter(), time.process_time(), _cpu_seconds(server_pid))

    start = (time.perf_counter(), time.process_time(), _cpu_seconds(server_pid))
    report = sync_stores(source, target, batch_size=batch_size, on_progress=progress)
    ents_done = marks.get("entities", start)
    rels_done = marks.get("relations", ents_done)
    rel_seconds, client_cpu, server_cpu = (b - a for a, b in zip(ents_done, rels_done, strict=True))
    stats = target.stats()
    assert stats.relations == report.relations, (stats.relations, report.relations)
    cpu = f" {server_cpu:.1f} | {client_cpu:.1f} |" if server_pid is not None else " - | - |"
    into = "empty" if report.into_empty else "full (re-sync)"
    line = (f"| {report.relations:,} | {into} | {report.entities:,} | {report.documents:,} | {report.evidence:,} "
            f"| {batch_size} | {report.seconds:.1f} | {rel_seconds:.1f} | {report.relations / rel_seconds:,.0f} |"
            + cpu)
    print(line, flush=True)
    return line


def _p50_p95(name: str, fn: Callable[[], object], n: int) -> str:
    runs = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    runs.sort()
    line = f"| {name} | {n} | {statistics.median(runs):.1f} | {runs[min(n - 1, int(0.95 * n))]:.1f} |"
    print(line, flush=True)
    return line


def _latency(store: Store, samples: int) -> None:
    from queries.meetings import who_met_whom
    from queries.partners import partner_candidates
    from queries.recommend import recommend_contacts

    rng = random.Random(7)
    orgs = [e.id for e in store.search_entities(None, type="Organization", limit=200_000)]
    leaders = [e.id for k in ("commission", "chamber", "agency")
               for e in store.search_entities(None, type="Organization", kind=k, limit=5_000)]
    print("| query | runs | p50 ms | p95 ms |\n|---|---|---|---|")
    picks = iter(rng.sample(orgs, samples))
    _p50_p95("who met whom (one organisation)", lambda: who_met_whom(store, next(picks)), samples)
    _p50_p95("partner candidates (sector + country)",
             lambda: partner_candidates(store, rng.choice(SECTORS), country=rng.choice(COUNTRIES[:10])), samples)
    lead = iter(rng.sample(leaders, samples))
    _p50_p95("recommend contacts (2 countries, 2 sectors)",
             lambda: recommend_contacts(store, next(lead), rng.sample(COUNTRIES[:10], 2), rng.sample(SECTORS, 2)),
             samples)


def _export(source: Store, target: Store) -> None:
    """A whole-graph read: GEXF of the same graph from both stores, into a
    temporary file."""
    import tempfile

    from queries.export import export_graph

    print("| GEXF export of the whole graph | seconds | MiB |\n|---|---|---|")
    for name, store in (("from FalkorDB", target), ("from SQLite", source)):
        with tempfile.TemporaryFile() as out:
            started = time.perf_counter()
            export_graph(store, "gexf", out)
            seconds = time.perf_counter() - started
            print(f"| {name} | {seconds:.1f} | {out.tell() / 2**20:.0f} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--batch-size", type=int, default=inspect.signature(sync_stores).parameters["batch_size"].default)
    ap.add_argument("--repeat", type=int, default=1, help="syncs per size (alternating sizes)")
    ap.add_argument("--no-resync", action="store_true", help="skip the second sync into the full graph")
    ap.add_argument("--export", action="store_true",
                    help="also time a whole-graph GEXF export of the last graph, from FalkorDB and from SQLite")
    ap.add_argument("--source-dir", default="/tmp/tkbench-sync")
    ap.add_argument("--url", help="an existing FalkorDB graph (it is emptied first)")
    ap.add_argument("--latency-samples", type=int, default=30, help="0 to skip the query latency part")
    args = ap.parse_args()
    directory = Path(args.source_dir)
    directory.mkdir(parents=True, exist_ok=True)

    from benchmarks.queries import machine

    print(f"machine: {machine()}")
    print("| relations | into | entities | documents | evidence | batch | total s | relations s | relations/s"
          " | server CPU s | client CPU s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for run in range(args.repeat):
        for size in args.sizes:
            last = run == args.repeat - 1 and size == args.sizes[-1]
            source = _source(directory, size)
            print(f"<!-- load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} -->", flush=True)
            with _target(args.url) as (target, pid):
                _sync(source, target, args.batch_size, pid)
                if not args.no_resync:
                    _sync(source, target, args.batch_size, pid)
                if last and args.latency_samples:
                    print(f"query latency on FalkorDB, {target.stats().relations:,} relations:")
                    _latency(target, args.latency_samples)
                if last and args.export:
                    _export(source, target)
            source.close()


@contextmanager
def _target(url: str | None) -> Iterator[tuple[CypherStore, int | None]]:
    """An empty FalkorDB graph: on a server of its own, started for this run
    (a graph deleted on a shared server is freed in the background, and that
    work would land in the next run's figures), or the graph at ``url``,
    emptied first."""
    if url is not None:
        target = CypherStore.from_url(url)
        target.clear()
        try:
            yield target, None
        finally:
            target.close()
        return
    from tests.falkordb_server import FalkorServer

    server = FalkorServer.start()
    try:
        target = CypherStore.from_url(server.url("bench"))
        try:
            yield target, server.proc.pid
        finally:
            target.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
