"""Cross-report resolution through the whole pipeline, on the labelled pairs.

    .venv/bin/python -m benchmarks.resolution [--set tests/data/resolution_pairs.tsv] [--errors]

``python -m graph.resolve_eval`` judges the merge decision on the annotated
names. Here each pair's two reports are read and *extracted* (the product
extractor), ingested into a fresh in-memory SQLite store in both orders, and
the pair counts as merged when the extracted entities that cover the
annotated entity's occurrences in each report land on one entity. An
annotated entity the extractor did not find (or found as several pieces)
cannot be merged: a miss when the pair is SAME. Reports outside the
repository (``../shared``) are used when present; pairs from the blind sets
are left out (only summary figures are ever taken from those).
"""

from __future__ import annotations

import argparse
import re
from functools import cache
from pathlib import Path

from graph.model import Extraction
from graph.resolve_eval import DEFAULT_SET, Pair, Side, load_pairs
from graph.sqlite_store import SqliteStore

ROOT = Path(__file__).resolve().parent.parent


def _text_path(doc: str) -> Path:
    return (ROOT / f"{doc}.txt").resolve()


@cache
def _extractor():  # type: ignore[no-untyped-def]
    from ingest.extract import Extractor

    return Extractor()


@cache
def _extraction(doc: str) -> Extraction:
    from ingest.readers import read_document

    return _extractor().extract(read_document(_text_path(doc)))  # type: ignore[no-any-return]


def _occurrences(text: str, forms: set[str]) -> list[tuple[int, int]]:
    """Where the report writes one of ``forms``, as character ranges of the
    extracted text."""
    return [(m.start(), m.end()) for form in forms
            for m in re.finditer(r"(?<!\w)" + re.escape(form) + r"(?!\w)", text)]


def _covering(x: Extraction, side: Side) -> str | None:
    """The local id of the extracted entity of ``side``'s type whose
    mentions overlap most occurrences of the annotated name (then of its
    aliases written with a capital)."""
    names = _occurrences(x.document.text, {side.name})
    others = _occurrences(x.document.text, {a for a in side.aliases if a[:1].isupper()} - {side.name})
    best, score = None, (0, 0)
    for e in x.entities:
        if e.type != side.type:
            continue
        got = tuple(sum(1 for s, t in spans if any(m.start < t and s < m.end for m in e.mentions))
                    for spans in (names, others))
        if got > score:
            best, score = e.id, got
    return best


def _merged(first: Side, second: Side) -> bool | None:
    """Whether the extracted entities of both sides land on one entity;
    None when the extractor did not find one of them."""
    xs = [_extraction(s.doc) for s in (first, second)]
    local = [_covering(x, s) for x, s in zip(xs, (first, second), strict=True)]
    if None in local:
        return None
    store = SqliteStore(":memory:")
    try:
        ids = []
        for x, lid in zip(xs, local, strict=True):
            store.upsert_extraction(x)
            entity = next(e for e in x.entities if e.id == lid)
            hits = [h for h in store.search_entities(entity.name, type=entity.type, limit=20)
                    if x.document.id in {ev.doc_id for ev in (store.get_entity(h.id) or h).evidence}]
            if not hits:
                return None  # dropped by hygiene, or renamed beyond recognition
            ids.append(hits[0].id)
        return ids[0] == ids[1]
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.resolution", description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", type=Path, default=DEFAULT_SET)
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args(argv)
    pairs: list[Pair] = [p for p in load_pairs(args.set)
                         if "blind" not in p.a.doc + p.b.doc
                         and _text_path(p.a.doc).exists() and _text_path(p.b.doc).exists()]
    right = wrong = missed = unfound = 0
    for p in pairs:
        for first, second in ((p.a, p.b), (p.b, p.a)):
            m = _merged(first, second)
            if m is None:
                unfound += 1
            if m and p.same:
                right += 1
            elif m:
                wrong += 1
                if args.errors:
                    print(f"false merge: {first.name} <{Path(first.doc).name}> | {second.name} <{Path(second.doc).name}>")
            elif p.same:
                missed += 1
                if args.errors:
                    why = "not extracted" if m is None else "left apart"
                    print(f"missed ({why}): {first.name} <{Path(first.doc).name}> | {second.name} "
                          f"<{Path(second.doc).name}>")
    precision = right / (right + wrong) if right + wrong else 1.0
    recall = right / (right + missed) if right + missed else 1.0
    print(f"{len(pairs)} pairs ({sum(p.same for p in pairs)} SAME), {2 * len(pairs)} decisions: {right} right merges, "
          f"{wrong} wrong, {missed} missed ({unfound} decisions with an entity not extracted); "
          f"precision {precision:.3f}, recall {recall:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
