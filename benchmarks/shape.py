"""The shape of a stored graph, to put a synthetic graph beside a real
ingest: how many entities per relation, mentions and aliases per entity,
evidence per relation, how often a relation is stated again in another
report, and how heavy the tail of organisation degrees is.

    .venv/bin/python -m benchmarks.shape REAL.db SYNTHETIC.db [...]

Reads the SQLite file directly (a measurement, not a query: it needs
aggregates the Store protocol does not offer).
"""

from __future__ import annotations

import argparse
import math
import sqlite3
from pathlib import Path


def power_law_fit(degrees: list[int], *, min_tail: int = 50) -> tuple[float, int, int]:
    """(alpha, xmin, tail size) of a discrete power law fitted to the tail
    of ``degrees`` by maximum likelihood (Clauset, Shalizi & Newman 2009,
    eq. 3.7's approximation), xmin chosen by the smallest Kolmogorov-Smirnov
    distance over the tails holding at least ``min_tail`` values."""
    xs = sorted(d for d in degrees if d > 0)
    best: tuple[float, float, int, int] = (math.inf, 0.0, 0, 0)
    for xmin in sorted(set(xs)):
        tail = [x for x in xs if x >= xmin]
        if len(tail) < min_tail:
            break
        alpha = 1 + len(tail) / sum(math.log(x / (xmin - 0.5)) for x in tail)
        # KS distance between the tail's empirical CDF and the fitted one.
        n, ks, i = len(tail), 0.0, 0
        for x in sorted(set(tail)):
            while i < n and tail[i] <= x:
                i += 1
            fitted = 1 - (x / xmin) ** (1 - alpha)
            ks = max(ks, abs(i / n - fitted))
        if ks < best[0]:
            best = (ks, alpha, xmin, n)
    return round(best[1], 2), best[2], best[3]


def graph_shape(path: Path) -> dict[str, float]:
    """The figures ``benchmarks.extracted`` is calibrated on, for one store file."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def one(sql: str) -> float:
        return float(db.execute(sql).fetchone()[0] or 0)

    entities, relations, documents = (one(f"SELECT count(*) FROM {t}") for t in ("entities", "relations", "documents"))
    mentions, aliases = one("SELECT count(*) FROM entity_evidence"), one("SELECT count(*) FROM aliases")
    evidence = one("SELECT count(*) FROM relation_evidence")
    multi_doc = one("SELECT count(*) FROM (SELECT relation_id FROM relation_evidence GROUP BY relation_id"
                    " HAVING count(DISTINCT doc_id) > 1)")
    org_degrees = [int(r[0]) for r in db.execute(
        "SELECT (SELECT count(*) FROM relations r WHERE r.source = e.id)"
        " + (SELECT count(*) FROM relations r WHERE r.target = e.id)"
        " FROM entities e WHERE e.type = 'Organization'")]
    db.close()
    org_degrees.sort(reverse=True)
    top = max(1, len(org_degrees) // 100)
    alpha, xmin, tail = power_law_fit(org_degrees)
    return {
        "documents": documents, "entities": entities, "relations": relations,
        "entities per relation": entities / max(1, relations),
        "mentions per entity": mentions / max(1, entities),
        "mentions per document": mentions / max(1, documents),
        "aliases per entity": aliases / max(1, entities),
        "evidence per relation": evidence / max(1, relations),
        "relations per document": relations / max(1, documents),
        "share of relations in 2+ documents": multi_doc / max(1, relations),
        "organisations": len(org_degrees),
        "top 1% of organisations: share of their edges": sum(org_degrees[:top]) / max(1, sum(org_degrees)),
        "max organisation degree": org_degrees[0] if org_degrees else 0,
        "power-law alpha (organisation degree)": alpha,
        "power-law xmin": xmin,
        "power-law tail size": tail,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stores", nargs="+", type=Path)
    args = ap.parse_args()
    shapes = [graph_shape(p) for p in args.stores]
    print("| figure | " + " | ".join(p.name for p in args.stores) + " |")
    print("|---|" + "---|" * len(shapes))
    for key in shapes[0]:
        cells = [f"{s[key]:,.0f}" if s[key] >= 100 or float(s[key]).is_integer() else f"{s[key]:.3g}"
                 for s in shapes]
        print(f"| {key} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
