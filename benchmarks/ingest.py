"""Ingest throughput: raw spaCy ``nlp.pipe`` against the full extractor.

Both run over the same texts (the annotated corpus and examples/reports/,
repeated to a few hundred documents) with the same model, batch size and
process count, so the ratio is what tradekg's own Python costs on top of
spaCy. Usage: python benchmarks/ingest.py [--docs 300] [--n-process 1] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.model import Document, document_id  # noqa: E402
from ingest.extract import Extractor  # noqa: E402
from ingest.nlp import prepare_text  # noqa: E402


def corpus_texts() -> list[str]:
    paths = sorted((ROOT.parent / "shared" / "corpus").glob("*.txt"))
    paths += sorted((ROOT / "examples" / "reports").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths]


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
    args = ap.parse_args()

    base = corpus_texts()
    if not base:
        sys.exit("no texts found")
    texts = [base[i % len(base)] for i in range(args.docs)]
    words = sum(len(t.split()) for t in texts)
    extractor = Extractor()
    nlp = extractor.nlp
    list(extractor.extract_many([Document(id="warm", source="warm", text=base[0])]))

    docs = [Document(id=document_id(t), source=f"doc{i}", text=t) for i, t in enumerate(texts)]

    def run_raw() -> None:
        for _ in nlp.pipe((prepare_text(t) for t in texts), n_process=args.n_process, batch_size=args.batch_size):
            pass

    def run_full() -> None:
        n = sum(1 for _ in extractor.extract_many(docs, n_process=args.n_process, batch_size=args.batch_size))
        assert n == len(texts)

    # Rounds alternate raw and full, so a change in the machine's load falls
    # on both; with one process, CPU time (process_time) is given too: it
    # moves much less than wall time on a shared machine.
    walls: list[tuple[float, float]] = []
    cpus: list[tuple[float, float]] = []
    for _ in range(args.rounds):
        pair_wall, pair_cpu = [], []
        for run in (run_raw, run_full):
            w0, c0 = time.perf_counter(), time.process_time()
            run()
            pair_wall.append(time.perf_counter() - w0)
            pair_cpu.append(time.process_time() - c0)
        walls.append((pair_wall[0], pair_wall[1]))
        cpus.append((pair_cpu[0], pair_cpu[1]))
    raw, full = statistics.median(w[0] for w in walls), statistics.median(w[1] for w in walls)

    print(machine())
    print(f"{len(texts)} docs, {words} words, n_process={args.n_process}, batch_size={args.batch_size}, "
          f"model {extractor.version}, {args.rounds} rounds, load average {os.getloadavg()[0]:.2f}")
    print(f"raw nlp.pipe      : {len(texts) / raw:8.1f} docs/s {words / raw:9.0f} words/s (median)")
    print(f"Extractor         : {len(texts) / full:8.1f} docs/s {words / full:9.0f} words/s (median)")
    print(f"ratio (full / raw), wall, per round: {' '.join(f'{r / f:.2f}' for r, f in walls)}; "
          f"median {statistics.median(r / f for r, f in walls):.2f}")
    if args.n_process == 1:
        print(f"ratio (full / raw), CPU time, per round: {' '.join(f'{r / f:.2f}' for r, f in cpus)}; "
              f"median {statistics.median(r / f for r, f in cpus):.2f}")

if __name__ == "__main__":
    main()
