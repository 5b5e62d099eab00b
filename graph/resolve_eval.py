"""Merge precision and recall of cross-report resolution on a labelled set.

``tests/data/resolution_pairs.tsv`` holds pairs of entities named in two
different annotated reports (names, aliases, type, kind, country; for people
their title), each labelled SAME or DIFFERENT by a person who read both
reports. For every pair, both orders: the first report's entity is ingested
into a fresh SQLite store through ``upsert_extraction`` (hygiene, resolution,
everything a real ingest runs), then the second's; the pair is *merged* when
both land on one entity id. A merge of a SAME pair is a true positive, of a
DIFFERENT pair a false positive; a SAME pair left apart is a miss.

    python -m graph.resolve_eval                 # the figures
    python -m graph.resolve_eval --errors        # and every wrong decision
    python -m graph.resolve_eval --json          # machine-readable

The extraction is taken as given (the annotated names and countries), so the
figures measure the merge decision, not the extractor; see
docs/resolution.md for what the set holds and its limits.
"""

from __future__ import annotations

import argparse
import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from graph.model import Document, ExtractedEntity, Extraction, Span, document_id
from graph.sqlite_store import SqliteStore

DEFAULT_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "resolution_pairs.tsv"


@dataclass(frozen=True)
class Side:
    """One report's entity: what its extraction would say."""

    type: str
    name: str
    aliases: tuple[str, ...]
    kind: str | None
    country: str | None
    title: str | None
    doc: str


@dataclass(frozen=True)
class Pair:
    a: Side
    b: Side
    same: bool
    category: str
    note: str


def load_pairs(path: Path = DEFAULT_SET) -> list[Pair]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    pairs = []
    for row in csv.DictReader(lines, delimiter="\t"):
        def side(s: str, row: dict[str, str] = row) -> Side:
            aliases = tuple(a.strip() for a in row[f"aliases_{s}"].split(" | ") if a.strip())
            return Side(row["type"], row[f"name_{s}"], aliases, row[f"kind_{s}"] or None,
                        row[f"country_{s}"] or None, row[f"title_{s}"] or None, row[f"doc_{s}"])
        pairs.append(Pair(side("a"), side("b"), row["label"] == "SAME", row["category"], row["note"]))
    return pairs


def _extraction(side: Side) -> Extraction:
    """A one-entity report: the names as its text, each a mention."""
    text, mentions = f"Report {side.doc}.\n", []
    for form in dict.fromkeys([side.name, *side.aliases]):
        start = len(text)
        text += form
        mentions.append(Span(start, len(text), form))
        text += ".\n"
    attrs = {"title": side.title} if side.title else {}
    doc = Document(id=document_id(text), source=side.doc, text=text)
    entity = ExtractedEntity(id="e1", type=side.type, name=side.name, aliases=list(side.aliases),
                             kind=side.kind, country=side.country, attrs=attrs, mentions=mentions)
    return Extraction(document=doc, entities=[entity], relations=[], extractor="resolve_eval")


def merged(first: Side, second: Side) -> bool:
    """Whether the store takes ``second`` for ``first`` when the reports
    arrive in that order (a fresh in-memory SQLite store: the same code and
    SQL as a file)."""
    store = SqliteStore(":memory:")
    try:
        for side in (first, second):
            store.upsert_extraction(_extraction(side))
        return len({e.id for batch in store.iter_entities() for e in batch}) == 1
    finally:
        store.close()


@dataclass
class Result:
    pairs: int = 0
    same: int = 0
    decisions: int = 0  # two per pair: both orders
    true_merges: int = 0
    false_merges: int = 0
    missed: int = 0
    order_dependent: int = 0
    errors: list[tuple[str, Pair, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        merges = self.true_merges + self.false_merges
        return self.true_merges / merges if merges else 1.0

    @property
    def recall(self) -> float:
        return self.true_merges / (self.true_merges + self.missed) if self.true_merges + self.missed else 1.0

    def as_dict(self) -> dict[str, object]:
        return {"pairs": self.pairs, "same_pairs": self.same, "decisions": self.decisions,
                "true_merges": self.true_merges, "false_merges": self.false_merges, "missed": self.missed,
                "order_dependent_pairs": self.order_dependent,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4)}


def evaluate(pairs: list[Pair]) -> Result:
    result = Result(pairs=len(pairs), same=sum(p.same for p in pairs))
    for p in pairs:
        outcomes = [merged(p.a, p.b), merged(p.b, p.a)]
        result.decisions += 2
        if outcomes[0] != outcomes[1]:
            result.order_dependent += 1
        for m in outcomes:
            if m and p.same:
                result.true_merges += 1
            elif m:
                result.false_merges += 1
            elif p.same:
                result.missed += 1
        if any(outcomes) and not p.same:
            result.errors.append(("false merge", p, "both orders" if all(outcomes) else "one order"))
        elif not all(outcomes) and p.same:
            result.errors.append(("missed", p, "both orders" if not any(outcomes) else "one order"))
    return result


def _show(s: Side) -> str:
    extra = ", ".join(x for x in (s.kind, s.country) if x)
    return f"{s.name} ({extra})" if extra else s.name


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m graph.resolve_eval", description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", type=Path, default=DEFAULT_SET, help="the labelled pairs (TSV)")
    ap.add_argument("--errors", action="store_true", help="list every wrong decision")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result = evaluate(load_pairs(args.set))
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        d = result.as_dict()
        print(f"{d['pairs']} pairs ({d['same_pairs']} SAME), {d['decisions']} decisions (both orders): "
              f"{d['true_merges']} right merges, {d['false_merges']} wrong merges, {d['missed']} missed; "
              f"precision {result.precision:.3f}, recall {result.recall:.3f}; "
              f"{d['order_dependent_pairs']} pairs decided differently by order")
    if args.errors:
        for kind, p, how in result.errors:
            print(f"{kind:11} [{how}] {p.a.type}: {_show(p.a)} <{Path(p.a.doc).name}> | {_show(p.b)} "
                  f"<{Path(p.b.doc).name}>  -- {p.note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
