"""Industry words learned from the annotations, beside the hand-made ISIC lexicon.

``graph.sectors`` names industries in the words of the ISIC titles and a
lexicon; reports also say "defense contractor", "chipmaker", "cocoa". The
annotated Sector mentions give more terms with their ISIC division. A term is
kept when annotators marked it in at least two documents and it is marked
in at least a third of the places it occurs (so "oil" in "oil price" talk
still counts, "bank" in every bank's name does not).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

from ingest.learn.annotations import Annotation

FILE = "sector_terms.json"
MIN_DOCUMENTS = 2
MIN_SHARE = 0.34


def learn(anns: list[Annotation]) -> dict[str, str]:
    """term (lower case) -> ISIC division."""
    codes: dict[str, Counter[str]] = defaultdict(Counter)
    marked_docs: Counter[str] = Counter()
    marked: Counter[str] = Counter()
    for a in anns:
        seen = set()
        for e in a.entities:
            if e["type"] != "Sector" or not e.get("code"):
                continue
            for s, t in e.get("mentions", []):
                term = re.sub(r"\s+", " ", a.text[s:t].lower()).strip()
                if len(term) < 3:
                    continue
                codes[term][str(e["code"])[:2]] += 1
                marked[term] += 1
                seen.add(term)
        marked_docs.update(seen)
    occurs: Counter[str] = Counter()
    for a in anns:
        low = a.text.lower()
        for term in codes:
            occurs[term] += len(re.findall(_bounded(term), low))
    out = {}
    for term, by_code in codes.items():
        if marked_docs[term] >= MIN_DOCUMENTS and marked[term] >= MIN_SHARE * max(occurs[term], 1):
            out[term] = by_code.most_common(1)[0][0]
    return dict(sorted(out.items()))


def _bounded(term: str) -> str:
    return r"(?<!\w)" + r"\s+".join(re.escape(w) for w in term.split()) + r"(?!\w)"


def save(terms: dict[str, str], directory: Path) -> None:
    (directory / FILE).write_text(json.dumps(terms, indent=0, sort_keys=True) + "\n", encoding="utf-8")


@lru_cache(maxsize=4)
def pattern(path: Path) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    if not path.exists():
        return None, {}
    terms: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    if not terms:
        return None, {}
    alts = "|".join(_bounded(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(alts, re.IGNORECASE), terms


def find(text: str, path: Path) -> list[tuple[int, int, str]]:
    """(start, end, division) of each learned industry term in text."""
    rx, terms = pattern(path)
    if rx is None:
        return []
    return [(m.start(), m.end(), terms[re.sub(r"\s+", " ", m.group(0).lower())]) for m in rx.finditer(text)]
