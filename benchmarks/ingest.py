"""Ingest throughput: raw spaCy ``nlp.pipe`` against the full extractor.

Both run over the same texts (the annotated corpus and examples/reports/,
repeated to a few hundred documents) with the same model, batch size and
process count, so the ratio is what tradekg's own Python costs on top of
spaCy. Usage: python benchmarks/ingest.py [--docs 300] [--n-process 1]
"""

from __future__ import annotations

import argparse
import os
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
    args = ap.parse_args()

    base = corpus_texts()
    if not base:
        sys.exit("no texts found")
    texts = [base[i % len(base)] for i in range(args.docs)]
    words = sum(len(t.split()) for t in texts)
    extractor = Extractor()
    nlp = extractor.nlp
    list(extractor.extract_many([Document(id="warm", source="warm", text=base[0])]))

    t0 = time.perf_counter()
    for _ in nlp.pipe((prepare_text(t) for t in texts), n_process=args.n_process, batch_size=args.batch_size):
        pass
    raw = time.perf_counter() - t0

    docs = [Document(id=document_id(t), source=f"doc{i}", text=t) for i, t in enumerate(texts)]
    t0 = time.perf_counter()
    n = sum(1 for _ in extractor.extract_many(docs, n_process=args.n_process, batch_size=args.batch_size))
    full = time.perf_counter() - t0
    assert n == len(texts)

    print(machine())
    print(f"{len(texts)} docs, {words} words, n_process={args.n_process}, batch_size={args.batch_size}, "
          f"model {extractor.version}")
    print(f"raw nlp.pipe      : {len(texts) / raw:8.1f} docs/s {words / raw:9.0f} words/s")
    print(f"Extractor         : {len(texts) / full:8.1f} docs/s {words / full:9.0f} words/s")
    print(f"ratio (full / raw): {raw / full:.2f}")


if __name__ == "__main__":
    main()
