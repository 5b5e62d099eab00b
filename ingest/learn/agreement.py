"""How far two annotators agree: the texts annotated twice, scored against each other.

    python -m ingest.learn.agreement [--json]

Each text in ``annotations/second/<annotator>/`` was also annotated, without
either annotator seeing the other's work, in ``annotations/reuters/`` or
``annotations/reports/``. Agreement is measured with the scorer's own rules
(``../shared/eval/score.py``): one annotation is the gold, the other is
turned into an extractor's output (each relation with its first acceptable
party), then the other way round; the two F1s are averaged. Optional facts
count as the scorer counts them (neither rewarded nor penalised).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

from ingest.learn.annotations import ANNOTATIONS, FIRST, Annotation, gold_view, load


def as_output(ann: Annotation) -> dict[str, Any]:
    """An annotation as if an extractor had written it."""
    ids = {e["name"]: f"e{n}" for n, e in enumerate(ann.entities)}
    ents = [{"id": ids[e["name"]], "name": e["name"], "type": e["type"], "kind": e.get("kind"),
             "aliases": e.get("aliases", []), "code": e.get("code")} for e in ann.entities]

    def first(x: str | list[str]) -> str:
        return x[0] if isinstance(x, list) else x

    rels = [{"type": r["type"], "source": ids[first(r["source"])], "target": ids[first(r["target"])]}
            for r in ann.relations if not r.get("optional")]
    return {"entities": ents, "relations": rels}


def pairs(root: Path = ANNOTATIONS) -> list[tuple[Annotation, Annotation]]:
    out = []
    for second in sorted((root / "second").rglob("*.ann.json")):
        for folder in FIRST:
            first = root / folder / second.name
            if first.exists():
                out.append((load(first), load(second)))
    return out


def measure(scorer: ModuleType, twice: list[tuple[Annotation, Annotation]]) -> dict[str, Any]:
    ents = [scorer.Tally(), scorer.Tally()]
    rels = [scorer.Tally(), scorer.Tally()]
    kinds: list[Counter[str]] = [Counter(), Counter()]
    for a, b in twice:
        for n, (gold, other) in enumerate(((a, b), (b, a))):
            e, r, k = scorer.score_report(scorer.Gold(gold_view(gold)), as_output(other), [])
            ents[n].add(e)
            rels[n].add(r)
            kinds[n].update(k)

    def mean_f1(tallies: list[Any], key: str | None = None) -> float:
        return round(sum(t.prf(key)["f1"] for t in tallies) / 2, 3)

    rel_types = sorted({t for tally in rels for t in (*tally.tp, *tally.fp, *tally.fn)})
    ent_types = sorted({t for tally in ents for t in (*tally.tp, *tally.fp, *tally.fn)})
    kind_total = sum(k["right"] + k["wrong"] for k in kinds)
    return {
        "documents": len(twice),
        "entity_f1": mean_f1(ents),
        "entity_f1_by_type": {t: mean_f1(ents, t) for t in ent_types},
        "relation_f1": mean_f1(rels),
        "relation_f1_by_type": {t: mean_f1(rels, t) for t in rel_types},
        "org_kind_agreement": round(sum(k["right"] for k in kinds) / kind_total, 3) if kind_total else None,
    }


def main(argv: list[str] | None = None) -> int:
    from ingest.learn.train import load_scorer

    ap = argparse.ArgumentParser(prog="python -m ingest.learn.agreement", description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result = measure(load_scorer(), pairs())
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(f"{result['documents']} texts annotated twice")
    print(f"entities F1 {result['entity_f1']:.3f}, relations F1 {result['relation_f1']:.3f}, "
          f"organisation kind agreement {result['org_kind_agreement']}")
    for t, f in result["entity_f1_by_type"].items():
        print(f"  {t:16} {f:.3f}")
    for t, f in result["relation_f1_by_type"].items():
        print(f"  {t:16} {f:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
