"""Query latency on realistic parameters, hubs and cold starts included.

    .venv/bin/python -m benchmarks.latency [--db /tmp/tkbench/ext1m.db] [--samples 40] [--cold 5] [--prewarm]

For who-met-whom (first page of 50), partner candidates (a sector and a
country) and contact recommendations (two countries, two sectors), on an
embedded store:

* parameters: random organisations that have at least one relation, *and*
  the 10 organisations of highest degree (the chambers and ministries
  everyone meets; for recommendations the 10 bodies that led most
  missions; for partners the sector and country of those hubs);
* warm: one process, every parameter run once untimed, then once timed;
  p50 / p95 / p99 over random and hub parameters together, and hubs alone;
* cold: for ``--cold`` random and ``--cold`` hub parameters, a fresh process
  whose store file was first evicted from the page cache
  (``os.posix_fadvise(..., POSIX_FADV_DONTNEED)``), timing its first call
  (opening the store not included), against the same parameter warm;
  with ``--prewarm``, the same again after the fresh process read the file
  through once (``graph.prewarm``, what ``tradekg serve`` does at start).

The graph should be one ``benchmarks.extracted`` wrote (heavy-tailed, like
an extracted one).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.queries import machine
from benchmarks.synthetic import COUNTRIES, SECTORS
from graph.prewarm import prewarm, store_files
from graph.sqlite_store import SqliteStore
from graph.store import Store
from queries.meetings import who_met_whom
from queries.partners import partner_candidates
from queries.recommend import recommend_contacts

FIRST_PAGE = 50

Params = dict[str, Any]


def run_query(store: Store, name: str, p: Params) -> object:
    if name == "who met whom":
        return who_met_whom(store, p["entity"], limit=FIRST_PAGE)
    if name == "partner candidates":
        return partner_candidates(store, p["sector"], country=p["country"])
    return recommend_contacts(store, p["origin"], p["countries"], p["sectors"])


def hubs_and_randoms(path: Path, samples: int, rng: random.Random) -> dict[str, tuple[list[Params], list[Params]]]:
    """Per query, (random parameters, hub parameters). Read from the file
    directly: degrees of every organisation are an aggregate, not a query."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    top = [r for r in db.execute(
        "SELECT e.id, e.country, n FROM (SELECT id, count(*) AS n FROM"
        " (SELECT source AS id FROM relations UNION ALL SELECT target FROM relations) GROUP BY id) d"
        " JOIN entities e ON e.id = d.id WHERE e.type = 'Organization' ORDER BY n DESC LIMIT 10")]
    leaders = [r[0] for r in db.execute(
        "SELECT source FROM relations WHERE type = 'LED' GROUP BY source ORDER BY count(*) DESC LIMIT 10")]
    n_orgs = db.execute("SELECT max(rowid) FROM entities").fetchone()[0]
    picked: list[str] = []
    all_leaders = [r[0] for r in db.execute("SELECT DISTINCT source FROM relations WHERE type = 'LED'")]
    while len(picked) < samples:
        rowid = rng.randint(1, n_orgs)
        row = db.execute("SELECT e.id FROM entities e WHERE e.rowid = ? AND e.type = 'Organization'"
                         " AND (EXISTS (SELECT 1 FROM relations r WHERE r.source = e.id)"
                         " OR EXISTS (SELECT 1 FROM relations r WHERE r.target = e.id))", (rowid,)).fetchone()
        if row:
            picked.append(row[0])
    sector_of = {h: (db.execute("SELECT target FROM relations WHERE source = ? AND type = 'IN_SECTOR' LIMIT 1",
                                (h,)).fetchone() or ("sector-" + rng.choice(SECTORS),))[0] for h, _, _ in top}
    db.close()
    print(f"top-10 organisation degrees: {[n for _, _, n in top]}")

    def trip() -> tuple[list[str], list[str]]:
        return rng.sample(COUNTRIES[:12], 2), rng.sample(SECTORS, 2)

    return {
        "who met whom": ([{"entity": o} for o in picked], [{"entity": h} for h, _, _ in top]),
        "partner candidates": (
            [{"sector": rng.choice(SECTORS), "country": rng.choice(COUNTRIES[:12])} for _ in range(samples)],
            [{"sector": sector_of[h].removeprefix("sector-"), "country": cc or "DE"} for h, cc, _ in top]),
        "recommendations": (
            [{"origin": o, "countries": c, "sectors": s} for o in rng.sample(all_leaders, samples)
             for c, s in [trip()]],
            [{"origin": o, "countries": c, "sectors": s} for o in leaders for c, s in [trip()]]),
    }


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def pct(values: list[float], q: float) -> float:
    xs = sorted(values)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def evict(path: Path) -> None:
    """Drop the store's file from the page cache (Linux; elsewhere a no-op)."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if p.exists() and hasattr(os, "posix_fadvise"):
            fd = os.open(p, os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def cold_call(path: Path, name: str, p: Params, *, prewarmed: bool = False) -> tuple[float, float]:
    """(ms of the first call of ``name`` in a fresh process, the file evicted
    first; seconds the process spent prewarming the file before it, as
    ``tradekg serve`` does at start, when ``prewarmed``)."""
    evict(path)
    cmd = [sys.executable, "-m", "benchmarks.latency", "--db", str(path), "--one", name, json.dumps(p)]
    out = subprocess.run(cmd + (["--prewarm"] if prewarmed else []), check=True, capture_output=True,
                         text=True).stdout
    call_ms, prewarm_s = out.strip().splitlines()[-1].split()
    return float(call_ms), float(prewarm_s)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=Path("/tmp/tkbench/ext1m.db"))
    ap.add_argument("--samples", type=int, default=40)
    ap.add_argument("--cold", type=int, default=5)
    ap.add_argument("--prewarm", action="store_true",
                    help="also time each cold first call after the fresh process prewarmed the file")
    ap.add_argument("--one", nargs=2, metavar=("QUERY", "PARAMS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        store = SqliteStore(args.db)
        prewarm_s = prewarm(store_files(args.db)).seconds if args.prewarm else 0.0
        print(f"{timed(lambda: run_query(store, args.one[0], json.loads(args.one[1]))):.1f} {prewarm_s:.2f}")
        return
    print(f"machine: {machine()}, load average {os.getloadavg()[0]:.1f}")
    params = hubs_and_randoms(args.db, args.samples, random.Random(11))
    store = SqliteStore(args.db)
    st = store.stats()
    print(f"store: {st.relations:,} relations, {st.entities:,} entities, {st.documents:,} documents")
    extra = (" | prewarm s p50 | first call after prewarm p50 / max ms | after prewarm / warm (p50)",
             "---|---|---|") if args.prewarm else ("", "")
    print("| query | runs | p50 ms | p95 ms | p99 ms | hubs p50 | hubs max | cold first call p50 / max ms "
          f"| warm, same parameters p50 / max | cold / warm (p50){extra[0]} |\n"
          f"|---|---|---|---|---|---|---|---|---|---|{extra[1]}")
    for name, (randoms, hubs) in params.items():
        for p in randoms + hubs:  # warm-up: the pages these parameters touch
            run_query(store, name, p)
        warm = {json.dumps(p): timed(lambda p=p, name=name: run_query(store, name, p))  # type: ignore[misc]
                for p in randoms + hubs}
        hub_ms = [warm[json.dumps(p)] for p in hubs]
        every = list(warm.values())
        chosen = randoms[:args.cold] + hubs[:args.cold]
        cold = [cold_call(args.db, name, p)[0] for p in chosen]
        same = [warm[json.dumps(p)] for p in chosen]
        row = (f"| {name} | {len(every)} | {pct(every, 0.5):.1f} | {pct(every, 0.95):.1f} | {pct(every, 0.99):.1f} "
               f"| {pct(hub_ms, 0.5):.1f} | {max(hub_ms):.1f} | {pct(cold, 0.5):.0f} / {max(cold):.0f} "
               f"| {pct(same, 0.5):.0f} / {max(same):.0f} | {pct(cold, 0.5) / max(0.1, pct(same, 0.5)):.1f} |")
        if args.prewarm:
            after = [cold_call(args.db, name, p, prewarmed=True) for p in chosen]
            calls = [ms for ms, _ in after]
            row += (f" {pct([s for _, s in after], 0.5):.1f} | {pct(calls, 0.5):.0f} / {max(calls):.0f} "
                    f"| {pct(calls, 0.5) / max(0.1, pct(same, 0.5)):.1f} |")
        print(row, flush=True)
    store.close()


if __name__ == "__main__":
    main()
