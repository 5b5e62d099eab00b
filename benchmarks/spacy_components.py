"""The stock spaCy pipeline against the one the extractor runs, on new texts
(both with spaCy's NER, so that every annotation can be compared; the
extractor leaves out what its models were trained without).

    .venv/bin/python -m benchmarks.spacy_components [--docs 600] [--batch-size 32]

``ingest/cached_attributes.py`` answers spaCy's attribute ruler from a table
of token classes that fills as texts arrive; ``benchmarks/ingest.py``
repeats a few texts, so its table is full after the warm-up. Here every
text is new: distinct texts (the example reports, the development gold
sets, the shared corpus, then the Reuters stories of ../shared/train), each
pipeline over all of them twice, in alternation: the first pass is what a
new process sees, the second what a long ingest settles to. Every token's
annotations are compared, so the figure is for the same output.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, TAG  # noqa: E402

from benchmarks.ingest import machine  # noqa: E402
from ingest import cached_attributes  # noqa: E402
from ingest.nlp import load_model, prepare_text  # noqa: E402

ATTRS = [TAG, POS, MORPH, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE]


def distinct_texts(limit: int) -> list[str]:
    paths = sorted((ROOT / "examples" / "reports").glob("*.txt"))
    for gold in ("gold", "gold2", "gold3", "gold4"):
        paths += sorted((ROOT / "tests" / gold).glob("*.txt"))
    paths += sorted((ROOT.parent / "shared" / "corpus").glob("*.txt"))
    paths += sorted((ROOT.parent / "shared" / "train" / "reuters-21578").rglob("*.txt"))
    return [prepare_text(p.read_text(encoding="utf-8")) for p in paths[:limit]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=600)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()
    texts = distinct_texts(args.docs)
    stock, version = load_model(cached_attributes=False)
    cached, _ = load_model()
    component: Any = cached.get_pipe(cached_attributes.NAME)
    list(stock.pipe(["Warm up."]))
    list(cached.pipe(["Warm up."]))
    print(machine())
    print(f"{len(texts)} distinct texts, {sum(len(t.split()) for t in texts)} words, {version}")
    for n in (1, 2):
        seconds = {}
        annotations = {}
        for name, nlp in (("stock", stock), ("cached", cached)):
            runs_before = component.stock_runs
            start = time.process_time()
            # A digest per document, compared afterwards: keeping the arrays
            # themselves would grow the heap the next run's garbage
            # collector walks, and tax whichever pipeline runs second.
            digests = [hashlib.blake2b(d.to_array(ATTRS).tobytes()).digest()
                       for d in nlp.pipe(texts, batch_size=args.batch_size)]
            seconds[name] = time.process_time() - start
            annotations[name] = digests
            if name == "cached":
                sent_to_stock = component.stock_runs - runs_before
        same = annotations["stock"] == annotations["cached"]
        print(f"pass {n}: stock {seconds['stock']:.1f} s CPU, cached {seconds['cached']:.1f} s "
              f"({seconds['cached'] / seconds['stock'] - 1:+.1%}); tokens run through the stock ruler "
              f"{sent_to_stock}; annotations identical: {same}")


if __name__ == "__main__":
    main()
