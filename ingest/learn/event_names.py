"""Names of fairs, forums and shows learned from the annotations: candidates
and a feature of the type model.

A trade fair's name rarely says what it is: "Anuga", "IMARC", "Automechanika
Frankfurt", "Medic East Africa" read as bodies or places, and the tagger
misses many. But the same fairs come back report after report, so the
annotated events' names are a lexicon no one has to write. A form is kept
when it is a name (capitalised, never written in lower case in the training
texts: "webinar" and "business meetings" are not names) and is annotated as
an event more often than as anything else. Years and editions are left out
("Gulfood 2025" and "30th Gulfood" keep "Gulfood"). Learned per training
run, like the given names, so a fold's lexicon never holds the names of the
texts it is tested on.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from graph.model import normalise_name
from graph.ontology import EVENT
from ingest.learn.annotations import Annotation

FILE = "event_names.json"

_WORD = re.compile(r"\w+")
# A year or an edition at either end of a name: not part of the fair's name.
_EDITION_END = re.compile(r"^(?:(?:19|20)\d\d|\d+(?:st|nd|rd|th))\b[\s–-]*|[\s–-]*\b(?:(?:19|20)\d\d|\d+(?:st|nd|rd|th))$",
                          re.IGNORECASE)
# A year just after a name found in a text: part of that mention.
_YEAR_AFTER = re.compile(r"[ \t]+(?:19|20)\d\d\b")


def core(form: str) -> str:
    """A name without the years and editions at its ends ("Gulfood 2025" -> "Gulfood")."""
    previous = None
    while previous != form:
        previous, form = form, _EDITION_END.sub("", form.strip()).strip()
    return form


# Lower-case words a name may hold ("Fruit Logistica", "Salon International de l'Alimentation").
_LINK_WORDS = frozenset({"of", "and", "for", "the", "in", "on", "at", "to", "de", "du", "des", "del", "la", "le",
                         "l", "y", "e", "et", "und", "für", "&"})
# Capitalised words that open a description, not a name ("The city stand", "Last week's session").
_OPENERS = frozenset({"the", "a", "an", "this", "that", "last", "next", "our", "its", "their"})


def _is_name(form: str) -> bool:
    """A name, not a description: capitalised, its lower-case words only
    those that join a name's words, no quotes, not a capitals headline."""
    words = form.replace("'", " ").split()
    if len(form) < 3 or not words or not words[0][:1].isupper() or words[0].lower() in _OPENERS:
        return False
    if any(q in form for q in "\"“”«»") or (form.isupper() and len(words) > 3):
        return False
    return all(w[:1].isupper() or w[:1].isdigit() or w in _LINK_WORDS or not w[:1].isalpha() for w in words)


@dataclass(frozen=True)
class Learned:
    """The names kept, and in how many documents each name (normalised) is
    annotated as an event and as anything else."""

    forms: frozenset[str]
    as_event: Counter[str]
    as_other: Counter[str]


def _annotated(ann: Annotation) -> tuple[dict[str, set[str]], set[str]]:
    """A document's event names (normalised -> every spelling that is a
    name, as written) and the names it gives other entities."""
    events: dict[str, set[str]] = {}
    others: set[str] = set()
    for e in ann.entities:
        for form in {core(f) for f in [e["name"], *e.get("aliases", [])]}:
            key = normalise_name(form)
            if not key:
                continue
            if e["type"] != EVENT:
                others.add(key)
            else:  # an event, whether or not this spelling is written as a name
                spellings = events.setdefault(key, set())
                if _is_name(form):
                    spellings.add(form)
    return events, others


def learn(anns: Sequence[Annotation]) -> Learned:
    """The event names of ``anns`` (``core`` forms) that are names and mostly events (by documents)."""
    as_event: Counter[str] = Counter()
    as_other: Counter[str] = Counter()
    # Every spelling is kept ("Africa-Russia" and "Africa–Russia", "Argentine
    # Pavilion" and "ARGENTINE PAVILION"): ``Lexicon.find`` matches as written.
    surface: dict[str, set[str]] = defaultdict(set)
    for a in anns:
        events, others = _annotated(a)
        as_event.update(events.keys())
        as_other.update(others)
        for key, forms in events.items():
            surface[key] |= forms
    kept = [form for key, forms in surface.items() if as_event[key] > as_other[key] for form in forms]
    written_lower = _written_in_lower_case(kept, (a.text for a in anns))
    return Learned(frozenset(form for form in kept if form not in written_lower), as_event, as_other)


def own_names(learned: Learned, ann: Annotation) -> set[str]:
    """The names ``learned`` keeps only because ``ann`` was among the
    annotations: training hides them from that document's own features, so
    that a name counts as known there as often as on a text never seen
    (most fairs of a new report are not in the lexicon)."""
    events, others = _annotated(ann)
    out = set()
    for form in learned.forms:
        key = normalise_name(form)
        if key in events and learned.as_event[key] - 1 <= learned.as_other[key] - (key in others):
            out.add(form)
    return out


def _written_in_lower_case(forms: Iterable[str], texts: Iterable[str]) -> set[str]:
    """The forms some text writes in lower case ("matchmaking", "business forum")."""
    by_first: dict[str, list[tuple[list[str], str]]] = defaultdict(list)
    for form in forms:
        words = [w.lower() for w in _WORD.findall(form)]
        if words:
            by_first[words[0]].append((words, form))
    out: set[str] = set()
    for text in texts:
        words = _WORD.findall(text)
        for i, w in enumerate(words):
            for form_words, form in by_first.get(w, ()):  # ``w`` as written: lower case only
                if form not in out and words[i:i + len(form_words)] == form_words:
                    out.add(form)
    return out


class Lexicon:
    """The learned names, looked up in a text and by an entity's forms."""

    def __init__(self, forms: Iterable[str]) -> None:
        self.forms = frozenset(forms)
        self.keys = frozenset(normalise_name(f) for f in self.forms)
        self._by_first: dict[str, list[str]] = defaultdict(list)
        for form in sorted(self.forms, key=len, reverse=True):  # the longest name first
            first = _WORD.search(form)
            if first is not None and first.start() == 0:
                self._by_first[first.group(0)].append(form)

    def without(self, forms: Iterable[str]) -> Lexicon:
        """The same lexicon less ``forms`` (``own_names``)."""
        hidden = set(forms)
        return Lexicon(self.forms - hidden) if hidden else self

    def __bool__(self) -> bool:
        return bool(self.forms)

    def names(self, forms: Iterable[str]) -> bool:
        """Whether any of an entity's forms is a learned event name."""
        return any(normalise_name(core(f)) in self.keys for f in forms)

    def find(self, text: str) -> list[tuple[int, int]]:
        """Where the text writes a learned name, as written (with a year after it)."""
        out: list[tuple[int, int]] = []
        end_of_last = 0
        for m in _WORD.finditer(text):
            if m.start() < end_of_last or m.group(0) not in self._by_first:
                continue
            for form in self._by_first[m.group(0)]:
                end = m.start() + len(form)
                if text.startswith(form, m.start()) and not (end < len(text) and (text[end].isalnum())):
                    year = _YEAR_AFTER.match(text, end)
                    end = year.end() if year else end
                    out.append((m.start(), end))
                    end_of_last = end
                    break
        return out


EMPTY = Lexicon(())


def save(lexicon: Lexicon, directory: Path) -> None:
    (directory / FILE).write_text(json.dumps(sorted(lexicon.forms), indent=0, ensure_ascii=False) + "\n",
                                  encoding="utf-8")


@lru_cache(maxsize=4)
def load(path: Path) -> Lexicon:
    """The stored lexicon; empty where none was trained (older model directories)."""
    return Lexicon(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else EMPTY
