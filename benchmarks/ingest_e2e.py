"""End-to-end ingest of generated reports, against extraction alone.

    .venv/bin/python -m benchmarks.ingest_e2e --reports 10000 [--words 300] [--n-process 1] [--dir /tmp/tke2e]

Writes ``--reports`` texts with ``benchmarks.reports`` (kept in
``DIR/texts-<reports>-<words>-<seed>``, made again only when missing), then
over the same files:

1. **end to end**: ``ingest.pipeline.ingest_paths`` — what ``tradekg
   ingest`` runs: reading (in the read worker), extraction, resolution and
   the store write — into a fresh SQLite file, with the extractor the CLI
   loads. Every ``upsert_extraction`` is timed (a thin proxy around the
   store), so the per-report store write is given for the first and the last
   ``--window`` reports, beside the per-report wall time (between two
   finished reports) at the start and at the end;
2. **extraction alone**: ``ingest.pipeline.extract_paths`` — what ``tradekg
   extract`` runs: the same reading and extraction, no store.

The ratio end to end / extraction alone, in time per word, is the price of
the store (target: ≤ 1.3); ``--extract-every K`` runs extraction alone on
every K-th report only, to save time (extraction does not depend on the
store). On a machine shared with other work the wall times move with the
load, so the CPU seconds of each phase (this process and its worker
processes) are given too, and their ratio. Loading the extractor, and a
first untimed pass over one batch, are outside both timings. The load
average is sampled every few seconds during each phase. Prints one JSON
object and writes it to ``DIR/result-<reports>-<words>-n<n_process>.json``
(also after the first phase).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import sqlite3
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.reports import write_reports
from graph.model import Extraction
from graph.store import open_store
from ingest.pipeline import ExtractorLike, extract_paths, ingest_paths


class _TimedStore:
    """The store, with the time of every ``upsert_extraction`` noted."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.writes: list[float] = []
        self.write_cpu = 0.0  # of the writes' wall time, how much this process was on a CPU

    def upsert_extraction(self, x: Extraction) -> Any:
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return self._store.upsert_extraction(x)
        finally:
            self.writes.append(time.perf_counter() - t0)
            self.write_cpu += time.process_time() - c0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


class _Load:
    """The 1-minute load average, sampled at most every ``every`` seconds."""

    def __init__(self, every: float = 5.0) -> None:
        self.every, self.samples, self.last = every, [os.getloadavg()[0]], time.monotonic()

    def tick(self) -> None:
        now = time.monotonic()
        if now - self.last >= self.every:
            self.samples.append(os.getloadavg()[0])
            self.last = now

    def summary(self) -> dict[str, float]:
        return {"min": round(min(self.samples), 2), "mean": round(statistics.fmean(self.samples), 2),
                "max": round(max(self.samples), 2)}


def _ms(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    return {"median_ms": round(1000 * statistics.median(ordered), 2),
            "p95_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2)}


def _cpu() -> float:
    """CPU seconds of this process and of its children waited for (the read
    worker, spaCy's worker processes): the work done, whatever else runs."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _cpu_main() -> float:
    """CPU seconds of this process alone: with ``n_process`` > 1, the part
    that does not run in parallel (rules, models, store write)."""
    t = os.times()
    return t.user + t.system


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.txt"))


def machine() -> dict[str, Any]:
    cpu, mem = "?", "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = f"{int(Path('/proc/meminfo').read_text().split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram": mem, "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version}


def end_to_end(files: list[Path], db: Path, extractor: ExtractorLike, *, n_process: int, batch_size: int,
               window: int) -> dict[str, Any]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = _TimedStore(open_store(str(db)))
    load = _Load()
    done: list[float] = []

    def on_progress(path: str, status: str) -> None:
        done.append(time.perf_counter())
        load.tick()

    c0, m0, t0 = _cpu(), _cpu_main(), time.perf_counter()
    report = ingest_paths(store, files, extractor=extractor, n_process=n_process,  # type: ignore[arg-type]
                          batch_size=batch_size, on_progress=on_progress)
    wall, cpu, main_cpu = time.perf_counter() - t0, _cpu() - c0, _cpu_main() - m0
    stats = store.stats()
    store.close()
    gaps = [b - a for a, b in zip([t0, *done], done, strict=False)]
    return {
        "seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
        "cpu_main_seconds": round(main_cpu, 1), "documents_added": report.documents_added, "errors": len(report.errors),
        "entities_added": report.entities_added, "relations_added": report.relations_added,
        "store": dataclasses.asdict(stats) if dataclasses.is_dataclass(stats) else vars(stats), "db_mb": round(db.stat().st_size / 2**20, 1),
        "write_first": _ms(store.writes[:window]), "write_last": _ms(store.writes[-window:]),
        "write_all": _ms(store.writes),
        "write_median_ms_by_tenth": [_ms(store.writes[k * len(store.writes) // 10:
                                                     (k + 1) * len(store.writes) // 10]).get("median_ms")
                                     for k in range(10)], "write_share": round(sum(store.writes) / wall, 3),
        "write_seconds": round(sum(store.writes), 1), "write_cpu_seconds": round(store.write_cpu, 1),
        "per_report_first": _ms(gaps[:window]), "per_report_last": _ms(gaps[-window:]),
        "load": load.summary(),
    }


def extraction_alone(files: list[Path], extractor: ExtractorLike, *, n_process: int,
                     batch_size: int) -> dict[str, Any]:
    load = _Load()
    results: Iterator[tuple[str, Any]] = extract_paths(files, extractor=extractor, n_process=n_process,
                                                       batch_size=batch_size)
    c0, m0, t0 = _cpu(), _cpu_main(), time.perf_counter()
    n = errors = 0
    for _source, x in results:
        n += 1
        errors += not isinstance(x, Extraction)
        load.tick()
    return {"seconds": round(time.perf_counter() - t0, 1), "cpu_seconds": round(_cpu() - c0, 1),
            "cpu_main_seconds": round(_cpu_main() - m0, 1), "documents": n, "errors": errors,
            "load": load.summary()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=500)
    ap.add_argument("--words", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--window", type=int, default=200, help="reports at the start and at the end compared")
    ap.add_argument("--dir", default="/tmp/tke2e")
    ap.add_argument("--skip-extract", action="store_true", help="end to end only")
    ap.add_argument("--extract-every", type=int, default=1,
                    help="extraction alone on every k-th report only (compared in words/s)")
    ap.add_argument("--keep-db", action="store_true")
    args = ap.parse_args()

    from api.cli import load_extractor  # the extractor `tradekg ingest` uses

    work = Path(args.dir)
    texts = work / f"texts-{args.reports}-{args.words}-{args.seed}"
    if not (texts / "complete").exists():
        shutil.rmtree(texts, ignore_errors=True)
        write_reports(texts, args.reports, seed=args.seed, words=args.words)
        (texts / "complete").write_text("")
    files = _files(texts)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in files)

    extractor = load_extractor()
    # Untimed: the first use of the model and of the code paths, so neither phase pays for it.
    for _ in extract_paths(files[:args.batch_size], extractor=extractor, batch_size=args.batch_size):
        pass
    result: dict[str, Any] = {
        "reports": len(files), "words": words, "words_per_report": round(words / max(1, len(files))),
        "n_process": args.n_process, "batch_size": args.batch_size, "machine": machine(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    db = work / f"e2e-{args.reports}-{args.words}-n{args.n_process}.db"
    e2e = end_to_end(files, db, extractor, n_process=args.n_process, batch_size=args.batch_size,
                     window=args.window)
    e2e["words_per_s"] = round(words / e2e["seconds"])
    result["end_to_end"] = e2e
    print(json.dumps(result["end_to_end"]), flush=True)
    if not args.keep_db:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    out = work / f"result-{args.reports}-{args.words}-n{args.n_process}.json"
    out.write_text(json.dumps(result, indent=2))
    if not args.skip_extract:
        sample = files[::args.extract_every]
        sample_words = words if args.extract_every == 1 else \
            sum(len(p.read_text(encoding="utf-8").split()) for p in sample)
        alone = extraction_alone(sample, extractor, n_process=args.n_process, batch_size=args.batch_size)
        alone["words"] = sample_words
        alone["words_per_s"] = round(sample_words / alone["seconds"])
        alone["cpu_ms_per_1000_words"] = round(1e6 * alone["cpu_seconds"] / sample_words, 1)
        e2e["cpu_ms_per_1000_words"] = round(1e6 * e2e["cpu_seconds"] / words, 1)
        result["extraction_alone"] = alone
        # Time per word, so that a sample compares with the whole.
        result["ratio_end_to_end_over_extraction"] = round(alone["words_per_s"] / e2e["words_per_s"], 3)
        result["cpu_ratio_end_to_end_over_extraction"] = round(
            e2e["cpu_ms_per_1000_words"] / alone["cpu_ms_per_1000_words"], 3)
    result["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
