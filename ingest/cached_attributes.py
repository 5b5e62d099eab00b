"""spaCy's attribute ruler and lemmatizer, with the same output, cached.

In ``en_core_web_sm`` the attribute ruler (coarse part of speech and
morphology from the fine tag, a few word and dependency exceptions) and the
rule lemmatizer cost ~17% of the pipeline: the ruler runs 179 token patterns
over every document and sets each match from Python. What it sets depends
only on a token's tag, lower-case form, dependency label and whether it is
white space (and its neighbours', for its two-token patterns). Two values
that pass and fail the same tests of the patterns are the same to it, so a
token's *class* — which tests its fields pass — decides the result, and
there are a few hundred classes in real text. This component looks each
token's class up; for a class not seen yet the stock ruler is run on the
token and its two neighbours (no pattern is longer than two tokens), and
its result fills the table. Lemmas come from the stock lemmatizer's own
function, cached by form, part of speech and morphology (the inputs that
function reads).

Output is identical to the stock components (``tests/test_cached_attributes.py``
compares every token's tag, part of speech, morphology, lemma and dependency
on the gold sets); ``load_model`` installs it only where that holds by
construction: patterns that test nothing but these four fields, at most two
tokens long, a rule lemmatizer that does not overwrite.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import numpy
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.language import Language
from spacy.tokens import Doc

NAME = "tradekg_cached_attributes"
FIELDS = ("TAG", "LOWER", "DEP", "IS_SPACE")
# The caches keyed by word form grow with the vocabulary; past this they start
# again (a form looked up afresh costs a few tests and, rarely, a window
# through the stock ruler).
MAX_FORMS = 500_000
# A new class takes the next number: two threads (the API extracts uploads in
# a thread pool) must not give two classes one number. Module-level, so the
# component still pickles for ``n_process``.
_NUMBERING = threading.Lock()


class Test:
    """One pattern value for one field ("NNP", {"IN": [...]}, {"REGEX": ...});
    a plain class, not a closure, so the component pickles for ``n_process``."""

    def __init__(self, value: Any):
        self.ops: list[tuple[str, Any]] = []
        if not isinstance(value, dict):
            self.ops.append(("==", value))
            return
        for op, arg in value.items():
            if op == "IN":
                self.ops.append(("in", frozenset(arg)))
            elif op == "NOT_IN":
                self.ops.append(("not in", frozenset(arg)))
            elif op == "REGEX":
                self.ops.append(("regex", re.compile(arg)))
            else:
                raise ValueError(f"pattern operator {op} is not supported")

    def __call__(self, value: Any) -> bool:
        for op, arg in self.ops:
            if op == "==":
                ok = value == arg
            elif op == "in":
                ok = value in arg
            elif op == "not in":
                ok = value not in arg
            else:
                ok = isinstance(value, str) and arg.search(value) is not None
            if not ok:
                return False
        return True


Constraint = dict[str, Test]


class CachedAttributes:
    """Raises ValueError for a ruler or lemmatizer whose output it could not
    give exactly."""

    def __init__(self, ruler: Any, lemmatizer: Any):
        if getattr(lemmatizer, "mode", None) != "rule" or getattr(lemmatizer, "overwrite", True):
            raise ValueError("not a rule lemmatizer that leaves the ruler's lemmas")
        self.ruler = ruler
        self.lemmatizer = lemmatizer
        self.strings = ruler.vocab.strings
        self.tests: dict[str, list[Test]] = {f: [] for f in FIELDS}
        self.in_pairs: list[Constraint] = []  # token constraints of two-token patterns
        self.setters: list[Constraint] = []  # ... of patterns that set TAG or DEP
        for p in ruler.patterns:
            for pattern in p["patterns"]:
                if len(pattern) > 2:
                    raise ValueError("patterns longer than two tokens")
                for token in pattern:
                    if not set(token) <= set(FIELDS):
                        raise ValueError(f"pattern tests {sorted(set(token) - set(FIELDS))}")
                    constraint = {k: Test(v) for k, v in token.items()}
                    for k, t in constraint.items():
                        self.tests[k].append(t)
                    if len(pattern) == 2:
                        self.in_pairs.append(constraint)
                    if {"TAG", "DEP"} & set(p["attrs"]):
                        self.setters.append(constraint)
        self.classes: dict[tuple, int] = {}
        self.class_of: dict[tuple[str, int], int] = {}
        self.flags: dict[tuple, tuple[bool, bool]] = {}
        self.results: dict[tuple, tuple] = {}
        self.lemmas: dict[tuple, int] = {}
        self.stock_runs = 0  # tokens (with their neighbours) the stock ruler was run on

    # -- token classes ----------------------------------------------------

    def _class(self, field: str, value: int) -> int:
        text: Any = bool(value) if field == "IS_SPACE" else self.strings[value]
        signature = (field, tuple(t(text) for t in self.tests[field]))
        with _NUMBERING:
            c = self.classes.setdefault(signature, len(self.classes))
        self.class_of[(field, value)] = c
        return c

    def _flags(self, raw: tuple[int, int, int, int]) -> tuple[bool, bool]:
        """(may be in a two-token match, may have its tag or dep set)."""
        tag, lower, dep, space = raw
        values = {"TAG": self.strings[tag], "LOWER": self.strings[lower], "DEP": self.strings[dep],
                  "IS_SPACE": bool(space)}

        def matches(constraints: list[Constraint]) -> bool:
            return any(all(t(values[k]) for k, t in c.items()) for c in constraints)

        return matches(self.in_pairs), matches(self.setters)

    def keys(self, rows: list[list[int]]) -> list[tuple]:
        class_of, flags = self.class_of, self.flags
        own: list[tuple] = []
        paired: list[bool] = []
        for tag, lower, dep, space in rows:
            t = class_of.get(("TAG", tag))
            if t is None:
                t = self._class("TAG", tag)
            lo = class_of.get(("LOWER", lower))
            if lo is None:
                lo = self._class("LOWER", lower)
            d = class_of.get(("DEP", dep))
            if d is None:
                d = self._class("DEP", dep)
            key: tuple = (t, lo, d, space)
            f = flags.get(key)
            if f is None:
                f = flags[key] = self._flags((tag, lower, dep, space))
            if f[1]:
                # The ruler may overwrite this token's tag or dep, so what
                # it had before is part of the answer.
                key = (t, lo, d, space, tag, dep)
            own.append(key)
            paired.append(f[0])
        n = len(own)
        return [
            (k,
             own[i - 1] if p and i and paired[i - 1] else None,
             own[i + 1] if p and i + 1 < n and paired[i + 1] else None)
            for i, (k, p) in enumerate(zip(own, paired, strict=True))
        ]

    # -- the component ----------------------------------------------------

    def _learn(self, doc: Doc, i: int, full: bool) -> tuple:
        """What the stock ruler sets on token ``i``, from the token and its
        neighbours alone: no pattern is longer than two tokens, so nothing
        further away can touch it."""
        self.stock_runs += 1
        window = doc[max(0, i - 1):i + 2]
        mini = Doc(doc.vocab, words=[t.text for t in window], spaces=[bool(t.whitespace_) for t in window])
        for t, m in zip(window, mini, strict=True):
            m.tag, m.dep = t.tag, t.dep
        self.ruler(mini)
        value = tuple(mini.to_array([POS, MORPH, LEMMA, TAG, DEP])[i - window.start].tolist())
        return value if full else value[:3]

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        rows = doc.to_array([TAG, LOWER, DEP, IS_SPACE, ORTH, POS, MORPH, LEMMA])
        if rows[:, 5:].any():
            # Something set these before the ruler: not the case the table
            # was learned in, so the stock components decide.
            return self.lemmatizer(self.ruler(doc))
        if len(self.class_of) > MAX_FORMS or len(self.lemmas) > MAX_FORMS:
            self.class_of.clear()
            self.lemmas.clear()
        keys = self.keys(rows[:, :4].tolist())
        results = self.results
        for i, key in enumerate(keys):
            if key not in results:
                results[key] = self._learn(doc, i, len(key[0]) == 6)
        values = [results[k] for k in keys]
        table: Any = numpy.array([v[:3] for v in values], dtype=numpy.uint64)
        doc.from_array([POS, MORPH, LEMMA], table)
        for i, v in enumerate(values):
            if len(v) == 5:
                doc[i].tag, doc[i].dep = v[3], v[4]
        table[:, 2] = self._lemmas(doc, rows[:, 4].tolist(), values)
        doc.from_array([LEMMA], table[:, 2:])
        return doc

    def _lemmas(self, doc: Doc, orths: list[int], values: list[tuple]) -> list[int]:
        """Every token's lemma: the ruler's, else the stock lemmatizer's
        (which reads the part of speech and morphology set just before)."""
        lemmas, lemmatize, strings = self.lemmas, self.lemmatizer.lemmatize, self.strings
        out = []
        for i, (orth, v) in enumerate(zip(orths, values, strict=True)):
            lemma = v[2]
            if not lemma:
                key = (orth, v[0], v[1])
                lemma = lemmas.get(key)
                if lemma is None:
                    lemma = lemmas[key] = strings.add(lemmatize(doc[i])[0])
            out.append(lemma)
        return out


@Language.factory(NAME)
def make_cached_attributes(nlp: Language, name: str) -> CachedAttributes:
    return CachedAttributes(nlp.get_pipe("attribute_ruler"), nlp.get_pipe("lemmatizer"))


def install(nlp: Language) -> bool:
    """Replace the stock attribute ruler and lemmatizer by the cached
    component, where its output is the same; whether it did."""
    names = nlp.pipe_names
    if "attribute_ruler" not in names or "lemmatizer" not in names:
        return False
    if names.index("lemmatizer") != names.index("attribute_ruler") + 1:
        return False
    try:
        nlp.add_pipe(NAME, before="attribute_ruler")
    except ValueError:  # the constructor's: output it could not give exactly
        return False
    nlp.remove_pipe("attribute_ruler")
    nlp.remove_pipe("lemmatizer")
    return True
