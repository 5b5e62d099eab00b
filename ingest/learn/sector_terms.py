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
                term = " ".join(w for _, _, w in _words(a.text[s:t]))
                if len(term) < 3:
                    continue
                codes[term][str(e["code"])[:2]] += 1
                marked[term] += 1
                seen.add(term)
        marked_docs.update(seen)
    occurs: Counter[str] = Counter()
    index = _index(codes)
    for a in anns:
        occurs.update(term for _, _, term in _matches(a.text, codes, index))
    out = {}
    for term, by_code in codes.items():
        if marked_docs[term] >= MIN_DOCUMENTS and marked[term] >= MIN_SHARE * max(occurs[term], 1):
            out[term] = by_code.most_common(1)[0][0]
    return dict(sorted(out.items()))


_WORD = re.compile(r"\w[\w'’&-]*")


def _words(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0).lower()) for m in _WORD.finditer(text)]


Index = tuple[int, frozenset[str]]  # the longest term in words; the words terms begin with


def _index(terms: dict[str, str] | dict[str, Counter[str]]) -> Index:
    return max((len(t.split()) for t in terms), default=1), frozenset(t.split(" ", 1)[0] for t in terms)


def _matches(text: str, terms: dict[str, str] | dict[str, Counter[str]], index: Index
             ) -> list[tuple[int, int, str]]:
    """(start, end, term) of each known term, longest first, left to right: a
    look-up per word run, so it costs the same for ten terms or ten thousand.
    Most words begin no term: those are passed over without building the runs."""
    words = _words(text)
    longest, first_words = index
    out = []
    i = 0
    while i < len(words):
        if words[i][2] not in first_words:
            i += 1
            continue
        for n in range(min(longest, len(words) - i), 0, -1):
            key = " ".join(w for _, _, w in words[i:i + n])
            if key in terms:
                out.append((words[i][0], words[i + n - 1][1], key))
                i += n
                break
        else:
            i += 1
    return out


def save(terms: dict[str, str], directory: Path) -> None:
    (directory / FILE).write_text(json.dumps(terms, indent=0, sort_keys=True) + "\n", encoding="utf-8")


Table = tuple[dict[str, str], Index]  # the terms, ready to be looked for


def table(terms: dict[str, str]) -> Table:
    return terms, _index(terms)


@lru_cache(maxsize=4)
def load(path: Path) -> Table:
    return table(json.loads(path.read_text(encoding="utf-8")) if path.exists() else {})


def find(text: str, terms: Table) -> list[tuple[int, int, str]]:
    """(start, end, division) of each learned industry term in text."""
    words, index = terms
    return [(s, e, words[t]) for s, e, t in _matches(text, words, index)] if words else []
