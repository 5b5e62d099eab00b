"""Where the annotated relations fall against the relation model's candidate pairs.

    python -m ingest.learn.coverage [--docs 500] [--by-type]

The relation model can only state a relation for a pair of entities that
``features.pair_candidates`` proposes in a sentence the annotation's
evidence covers. This reads a sample of the annotated documents that give
evidence offsets (about every n-th, in name order), parses them as ``make
train`` does, names them with the committed span tagger (which saw these
texts: "found" is a little high), and puts each required relation in one
place:

- ``covered``: a candidate pair the alignment labels with it;
- ``party not found``: a party no extracted entity is aligned to;
- ``party not named in evidence``: both found, but one is not named
  inside the evidence (a pronoun, a heading, the report's own writer);
- ``N sentences apart``: both named inside the evidence, N sentences apart
  (0: one sentence, the pair too far apart to be proposed).

A measurement for choosing what to change (docs/extraction.md, forty-second
round), not a score: the scorer judges extraction.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict

from ingest.learn import span_model
from ingest.learn.annotations import Annotation, load_all, parties
from ingest.learn.features import Report
from ingest.learn.refine import FILES, MODELS_DIR
from ingest.learn.relation_model import candidates
from ingest.learn.train import Parsed, parse, prepare, training_extractor

MAX_APART = 3  # sentences; further is counted as this many


def parsed_and_prepared(anns: list[Annotation]) -> list[Parsed]:
    """The documents as ``make train`` reads them, named by the committed span tagger."""
    items = parse(anns, training_extractor())
    tagger = span_model.SpanTagger.load(MODELS_DIR / FILES["tagger"])
    for p in items:
        p.tagged = span_model.predict(tagger, p.doc, p.doc.text, p.tokens)
    prepare(items, items)
    return items


def where_relations_fall(items: list[Parsed]) -> dict[str, Counter[str]]:
    """For each relation type, how many required relations fall in each place (``items`` prepared)."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for p in items:
        for rtype, place in _places(p):
            out[rtype][place] += 1
    return out


def _places(p: Parsed) -> list[tuple[str, str]]:
    """(type, place) of each required relation of one document that gives its evidence."""
    rep, align = p.rep, p.align
    labelled: set[tuple[str, str, str]] = set()
    for cand, _ in candidates(rep):
        required, optional = align.pair_labels(cand)
        if required | optional:
            source, target = align.gold[cand.source], align.gold[cand.target]
            assert source is not None and target is not None  # labels only aligned pairs
            labelled.update((source["name"], target["name"], t) for t in required | optional)
    entities: dict[str, list[int]] = defaultdict(list)  # annotated name -> entities aligned to it
    for e in rep.entities:
        g = align.gold.get(e.index)
        if g is not None and e.index not in align.misfit and e.index not in align.ignored:
            entities[g["name"]].append(e.index)
    out = []
    for r in p.ann.relations:
        if r.get("optional") or not r.get("evidence"):
            continue
        sources, targets = parties(r["source"]), parties(r["target"])
        if any((a, b, r["type"]) in labelled or (b, a, r["type"]) in labelled for a in sources for b in targets):
            out.append((r["type"], "covered"))
            continue
        found_a = [i for a in sources for i in entities.get(a, [])]
        found_b = [i for b in targets for i in entities.get(b, [])]
        if not found_a or not found_b:
            out.append((r["type"], "party not found"))
            continue
        in_a, in_b = _sentences_in(rep, found_a, r["evidence"]), _sentences_in(rep, found_b, r["evidence"])
        if not in_a or not in_b:
            out.append((r["type"], "party not named in evidence"))
            continue
        apart = min(min(abs(x - y) for x in in_a for y in in_b), MAX_APART)
        out.append((r["type"], f"{apart}{'+' if apart == MAX_APART else ''} sentences apart"))
    return out


def _sentences_in(rep: Report, indices: list[int], evidence: list[list[int]]) -> list[int]:
    """The sentences in which these entities are named inside the evidence spans."""
    return [rep.tokens.sent_no[span.start] for i in indices for _, span in rep.spans.get(i, [])
            if any(s <= span.start_char < t for s, t in evidence)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingest.learn.coverage", description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=500, help="how many annotated documents to sample")
    ap.add_argument("--by-type", action="store_true", help="one line per relation type too")
    args = ap.parse_args(argv)
    anns = sorted((a for a in load_all() if any(r.get("evidence") for r in a.relations)), key=lambda a: a.doc)
    anns = anns[:: max(1, len(anns) // args.docs)][: args.docs]
    items = parsed_and_prepared(anns)
    by_type = where_relations_fall(items)
    total = sum(by_type.values(), Counter())
    n = sum(total.values())
    print(f"{n} required relations with evidence in {len(items)} documents")
    for place, count in total.most_common():
        print(f"  {place:32} {count:6}  {count / n:6.1%}")
    if args.by_type:
        for t, counts in sorted(by_type.items()):
            print(f"{t:16} " + ", ".join(f"{place} {c}" for place, c in counts.most_common()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
