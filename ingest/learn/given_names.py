"""Given names learned from the annotations: a feature of the type model.

A list of participants names people the tagger and the rules have never
seen ("- Ama Owusu, GM", "Tomáš Kubíček   Sales Director"); with no title
before them, such names were typed as organisations. The annotated people's
first names are a lexicon no one has to write: a word is kept when it
begins an annotated person's name more often than any other entity's name
("Colombo" begins places too). Learned per training run, like the industry
terms, so a fold's lexicon never holds the names of the texts it is tested on.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

from graph.ontology import PERSON
from ingest.learn.annotations import Annotation
from ingest.titles import TITLE_WORDS

FILE = "given_names.json"


def first_name(name: str) -> str | None:
    """The first word of a name of two words or more that may be a person's,
    titles passed over (lower case); None for a one-word name."""
    words = [w for w in name.replace(".", ". ").split() if w[:1].isupper()]
    words = [w for w in words if w.rstrip(".").lower() not in TITLE_WORDS]
    return words[0].lower() if len(words) >= 2 else None


def feature(name: str, names: frozenset[str]) -> str | None:
    """``given_name`` where a name of two words or more begins with a given
    name, ``given_name_alone`` where a one-word name is one ("Karim", "Priya":
    a list's first names), else None."""
    first = first_name(name)
    if first is not None:
        return "given_name" if first in names else None
    words = name.split()
    return "given_name_alone" if len(words) == 1 and words[0].lower() in names else None


def learn(anns: list[Annotation]) -> frozenset[str]:
    """The first words annotated people's names begin with more often than other names."""
    people: Counter[str] = Counter()
    others: Counter[str] = Counter()
    for a in anns:
        for e in a.entities:
            word = first_name(e["name"])
            if word is not None:
                (people if e["type"] == PERSON else others)[word] += 1
    return frozenset(w for w, n in people.items() if n > others[w])


def save(names: frozenset[str], directory: Path) -> None:
    (directory / FILE).write_text(json.dumps(sorted(names), indent=0, ensure_ascii=False) + "\n", encoding="utf-8")


@lru_cache(maxsize=4)
def load(path: Path) -> frozenset[str]:
    """The stored lexicon; empty where none was trained (older model directories)."""
    return frozenset(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else frozenset()
