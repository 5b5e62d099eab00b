"""Ingest throughput: raw spaCy ``nlp.pipe`` against the full extractor.

All run over the same texts (the annotated corpus and examples/reports/,
repeated to a few hundred documents) with the same model, batch size and
process count. "raw" is the stock pipeline a user would run; "raw, as
extracted" is the pipeline the extractor runs (the attribute ruler and
lemmatizer replaced by their cached equivalent, same output); "full" is
extraction alone, "full + write" extraction and the write into a new
empty SQLite store (``ingest_documents``, what ``tradekg ingest`` runs; each
copy of a repeated text gets its own document id, so nothing is skipped as
already stored). full + write / raw is the ingest bar; full / as-extracted
is what tradekg's own Python costs on top of the spaCy it runs.
Usage: python benchmarks/ingest.py [--docs 300] [--n-process 1] [--rounds 3] [--min-words 1000]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.model import Document, document_id, short_hash  # noqa: E402
from graph.sqlite_store import SqliteStore  # noqa: E402
from ingest.extract import Extractor  # noqa: E402
from ingest.nlp import load_model, prepare_text  # noqa: E402
from ingest.pipeline import ingest_documents  # noqa: E402


def corpus_texts() -> list[str]:
    paths = sorted((ROOT.parent / "shared" / "corpus").glob("*.txt"))
    paths += sorted((ROOT / "examples" / "reports").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths]


def joined(texts: list[str], min_words: int) -> list[str]:
    """Consecutive texts joined (a blank line between) into reports of at
    least ``min_words`` words: longer reports from the same sentences."""
    if min_words <= 0:
        return texts
    out: list[str] = []
    for i in range(len(texts)):
        parts = [texts[i]]
        while sum(len(p.split()) for p in parts) < min_words:
            parts.append(texts[(i + len(parts)) % len(texts)])
        out.append("\n\n".join(parts))
    return out


def cpu_time() -> float:
    """CPU seconds of this process and of its ended children: the store
    writer's process is counted once it has ended with its ingest."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except OSError:
        mem = "?"
    return f"nproc={os.cpu_count()}, CPU={cpu}, RAM={mem}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=300)
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=3, help="alternating raw / full runs; medians reported")
    ap.add_argument("--min-words", type=int, default=0,
                    help="join consecutive texts into reports of at least this many words (e.g. 1000)")
    args = ap.parse_args()

    base = joined(corpus_texts(), args.min_words)
    if not base:
        sys.exit("no texts found")
    texts = [base[i % len(base)] for i in range(args.docs)]
    words = sum(len(t.split()) for t in texts)
    extractor = Extractor()
    nlp = extractor.nlp
    stock, _ = load_model(cached_attributes=False)
    list(extractor.extract_many([Document(id="warm", source="warm", text=base[0])]))
    list(stock.pipe([prepare_text(base[0])]))

    docs = [Document(id=document_id(t), source=f"doc{i}", text=t) for i, t in enumerate(texts)]

    def run_raw() -> None:
        for _ in stock.pipe((prepare_text(t) for t in texts), n_process=args.n_process, batch_size=args.batch_size):
            pass

    def run_as_extracted() -> None:
        for _ in nlp.pipe((prepare_text(t) for t in texts), n_process=args.n_process, batch_size=args.batch_size):
            pass

    def run_full() -> None:
        n = sum(1 for _ in extractor.extract_many(docs, n_process=args.n_process, batch_size=args.batch_size))
        assert n == len(texts)

    unique_docs = [Document(id=short_hash(d.id, str(i), length=24), source=d.source, text=d.text)
                   for i, d in enumerate(docs)]

    def run_full_write() -> None:
        with tempfile.TemporaryDirectory() as tmp, SqliteStore(Path(tmp) / "bench.db") as store:
            report = ingest_documents(store, unique_docs, extractor=extractor, n_process=args.n_process,
                                      batch_size=args.batch_size)
        assert report.documents_added == len(texts), report

    # Rounds alternate the runs, so a change in the machine's load falls on
    # all; with one process, CPU time (this process and the store writer's) is given too: it moves
    # much less than wall time on a shared machine.
    runs = {"raw": run_raw, "as extracted": run_as_extracted, "full": run_full, "full + write": run_full_write}
    walls: list[dict[str, float]] = []
    cpus: list[dict[str, float]] = []
    for _ in range(args.rounds):
        wall, cpu = {}, {}
        for name, run in runs.items():
            w0, c0 = time.perf_counter(), cpu_time()
            run()
            wall[name] = time.perf_counter() - w0
            cpu[name] = cpu_time() - c0
        walls.append(wall)
        cpus.append(cpu)

    print(machine())
    print(f"{len(texts)} docs, {words} words, n_process={args.n_process}, batch_size={args.batch_size}, "
          f"model {extractor.version}, {args.rounds} rounds, load average {os.getloadavg()[0]:.2f}")
    labels = {"raw": "raw nlp.pipe (stock)", "as extracted": "raw nlp.pipe (as extracted)", "full": "Extractor",
              "full + write": "Extractor + store write"}
    for name, label in labels.items():
        median = statistics.median(w[name] for w in walls)
        print(f"{label:28}: {len(texts) / median:8.1f} docs/s {words / median:9.0f} words/s (median)")
    timings = [("wall", walls)] + ([("CPU time", cpus)] if args.n_process == 1 else [])
    for top, base_name in (("full + write", "raw"), ("full", "raw"), ("full", "as extracted")):
        for kind, rounds in timings:
            ratios = [r[base_name] / r[top] for r in rounds]
            print(f"ratio ({top} / {base_name}), {kind}, per round: {' '.join(f'{x:.2f}' for x in ratios)}; "
                  f"median {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
