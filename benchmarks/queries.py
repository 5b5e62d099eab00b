"""Query latency on a 1M-relation synthetic graph, and export throughput.

    .venv/bin/python -m benchmarks.queries [--db /tmp/tkbench/syn1m.db] [--relations 1000000]

Builds the synthetic store once (``benchmarks.synthetic``) and reuses it;
measures p50/p95 over a sample of inputs for who-met-whom (one entity),
partner candidates and contact recommendations, then a streamed GEXF export
of a 100k-relation graph, and the process's peak memory.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.synthetic import COUNTRIES, SECTORS, generate
from graph.sqlite_store import SqliteStore
from graph.store import Store
from queries.export import export_graph
from queries.meetings import who_met_whom
from queries.partners import partner_candidates
from queries.recommend import recommend_contacts


def _store(path: Path, relations: int) -> Store:
    fresh = not path.exists()
    store = SqliteStore(path)
    if fresh:
        t = time.perf_counter()
        s = generate(store, relations=relations, seed=1)
        print(f"generated {s.relations} relations into {path} in {time.perf_counter() - t:.1f} s")
    return store


def _time(fn: Callable[[], object], runs: list[float]) -> None:
    t = time.perf_counter()
    fn()
    runs.append((time.perf_counter() - t) * 1000)


def _report(name: str, runs: list[float]) -> str:
    runs = sorted(runs)
    p95 = runs[min(len(runs) - 1, int(0.95 * len(runs)))]
    line = f"| {name} | {len(runs)} | {statistics.median(runs):.1f} | {p95:.1f} |"
    print(line)
    return line


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(next(x for x in Path("/proc/meminfo").read_text().splitlines()
                       if x.startswith("MemTotal")).split()[1]) // (1024 * 1024)
    except (OSError, StopIteration, ValueError):
        mem = 0
    return f"{os.cpu_count()} cores, {cpu}, {mem} GB RAM, Python {platform.python_version()}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", default="/tmp/tkbench/syn1m.db")
    ap.add_argument("--relations", type=int, default=1_000_000)
    ap.add_argument("--export-db", default="/tmp/tkbench/syn100k.db")
    ap.add_argument("--samples", type=int, default=50)
    args = ap.parse_args()
    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    store = _store(Path(args.db), args.relations)
    st = store.stats()
    print(f"machine: {machine()}")
    print(f"store: {st.relations} relations, {st.entities} entities, {st.documents} documents")

    orgs = [e.id for e in store.search_entities(None, type="Organization", limit=200_000)]
    leaders = [e.id for k in ("commission", "chamber", "agency")
               for e in store.search_entities(None, type="Organization", kind=k, limit=5_000)]
    print("| query | runs | p50 ms | p95 ms |\n|---|---|---|---|")
    runs: list[float] = []
    for oid in rng.sample(orgs, args.samples):
        _time(lambda oid=oid: who_met_whom(store, oid), runs)  # type: ignore[misc]
    _report("who met whom (one organisation)", runs)
    runs = []
    for _ in range(args.samples):
        sec, cc = rng.choice(SECTORS), rng.choice(COUNTRIES[:10])
        _time(lambda sec=sec, cc=cc: partner_candidates(store, sec, country=cc), runs)  # type: ignore[misc]
    _report("partner candidates (sector + country)", runs)
    runs = []
    for lead in rng.sample(leaders, args.samples):
        ccs, secs = rng.sample(COUNTRIES[:10], 2), rng.sample(SECTORS, 2)
        _time(lambda lead=lead, ccs=ccs, secs=secs: recommend_contacts(store, lead, ccs, secs), runs)  # type: ignore[misc]
    _report("recommend contacts (2 countries, 2 sectors)", runs)
    store.close()

    ex = _store(Path(args.export_db), 100_000)
    for fmt in ("gexf", "graphml", "turtle"):
        t = time.perf_counter()
        buf = io.BytesIO()
        export_graph(ex, fmt, buf)
        print(f"export {fmt}: {ex.stats().relations} relations, {len(buf.getvalue()) / 1e6:.1f} MB "
              f"in {time.perf_counter() - t:.1f} s")
    ex.close()
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
