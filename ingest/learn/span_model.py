"""Entity spans learned from the annotations: a token tagger.

The rules find names their patterns know, and spaCy's small recogniser was
trained on other text; between them the ends of many annotated relations
are never candidates (a company name cut at "and Co", a ministry swallowed
with its minister, an event named by a phrase). This model labels each
token ``O``, ``B-<type>`` (begins a name of that type) or ``I-<type>``
(continues it) from the token and its neighbours. It is a linear-chain CRF
(CRFsuite): the labels of a sentence are chosen together, so a name's end
is decided with its beginning. It replaced a per-token logistic regression
decoded afterwards; on the same held-out fold the CRF finds names with span
F1 0.834 against 0.803 (Organization 0.836 against 0.797).

The spans become candidates (``candidates.add_candidates``) and a feature of
every candidate (``tagged=...``), so the type model sees whether the tagger
agrees; they never decide alone.

Only names are taught (``is_name``), and phrases that name an event or a
mission: a generic "the company" is the rules' business (they know what it
refers to; a tagger does not).
"""

from __future__ import annotations

import ctypes
import gzip
import re
import tempfile
import threading
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import pycrfsuite
from spacy.tokens import Doc

from graph.gazetteer import demonym_country, find_place
from graph.ontology import AGREEMENT, EVENT, MISSION, ORGANIZATION, PERSON, PLACE, PROGRAM
from ingest.learn.annotations import Annotation
from ingest.learn.features import LEGAL_FORMS, Tokens
from ingest.learn.linear import write_gzip
from ingest.organisations import split_at

SPAN_TYPES = (ORGANIZATION, PERSON, PLACE, EVENT, MISSION, PROGRAM, AGREEMENT)
OUTSIDE = "O"
MAX_SPAN_TOKENS = 16  # longer runs are a tagging accident, not a name
MIN_COUNT = 3  # a feature seen fewer times in training cannot be learned: left out
# Averaged passive-aggressive updates, a fixed number of passes over the
# texts in a seeded shuffle: training is bounded and the same data gives the
# same model file. Four times faster to fit than 200 L-BFGS passes and as
# good for every type, event and mission phrases included (SGD lost those);
# docs/extraction.md, thirty-seventh round, has the comparison.
CRF_ALGORITHM = "pa"
CRF_PARAMS = {"max_iterations": 30, "feature.possible_transitions": True}

# The names found in a text: (character start, end) -> entity type, in text order.
Names = dict[tuple[int, int], str]


@lru_cache(maxsize=1 << 16)  # words repeat across reports: each one's shape is worked out once
def _shape(text: str) -> str:
    """A short word shape: "Xx" for "Fujitsu", "X." for "U.S.", "d" for "1987"."""
    out: list[str] = []
    for ch in text[:6]:
        c = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def _shifted(values: list[str], by: int) -> list[str]:
    """Each token's neighbour ``by`` places away; "<edge>" past either end."""
    n = len(values)
    edge = ["<edge>"] * min(abs(by), n)
    return values[by:] + edge if by > 0 else edge + values[:n - len(edge)]


# Each token also sees its neighbours' word, shape, part of speech and entity
# label: kind -> (the column it reads, how many tokens away).
NEIGHBOURS: dict[str, tuple[str, int]] = {
    **{f"{column}{by:+d}": (column, by) for by in (-2, -1, 1, 2) for column in ("w", "sh")},
    **{f"{column}{by:+d}": (column, by) for by in (-1, 1) for column in ("pos", "ent")},
}


def token_columns(doc: Doc, text: str, tokens: Tokens | None = None) -> dict[str, list[str]]:
    """The tokens' own features, a column per kind: the word, its shape, part
    of speech and spaCy's entity label, where the token stands
    (headline, start of a sentence, run of capitals), and whether the
    gazetteer knows it as part of a place or as a demonym; ``NEIGHBOURS`` adds
    the neighbours'. Feature ``kind=value`` is present where the value is
    not empty. Column-wise: it runs on every token of every report, and a
    column is one list comprehension; ``text`` is ``doc.text``, which spaCy
    would build again from the tokens; ``tokens`` the report's token lists
    where the caller has them."""
    tk = tokens if tokens is not None else Tokens(doc)
    n = len(doc)
    lower = tk.lower
    shape = [_shape(word) for word in tk.text]
    pos = tk.pos
    ent = [f"{iob}-{etype}" if etype else "O" for iob, etype in zip(tk.ent_iob, tk.ent_type, strict=True)]
    dep = tk.dep
    capital = [word[:1].isupper() for word in tk.text]
    starts = ["1" if start else "" for start in tk.is_sent_start]
    newline = text.find("\n")
    headline_end = newline if newline >= 0 else len(text)
    headline_kind = "caps" if text[:headline_end].isupper() else "mixed"
    headline = [headline_kind if idx < headline_end else "" for idx in tk.idx]
    head = [lower[h] for h in tk.head]
    columns = {
        "bias": ["1"] * n, "w": lower, "sh": shape, "pos": pos, "ent": ent,
        "suf": [w[-3:] for w in lower],
        "dep": dep, "head": head,
        "sh-1|sh": [f"{a}|{b}" for a, b in zip(_shifted(shape, -1), shape, strict=True)],
        "sh|sh+1": [f"{a}|{b}" for a, b in zip(shape, _shifted(shape, 1), strict=True)],
        "headline": headline, "sent_start": starts,
        "caps_run": [f"{int(i > 0 and capital[i - 1])}{int(i + 1 < n and capital[i + 1])}" if capital[i] else ""
                     for i in range(n)],
        "legal_form": ["1" if w.strip(".") in LEGAL_FORMS else "" for w in lower],
        "place": place_labels(text, tk),
        "demonym": ["1" if word[:1].isupper() and demonym_country(word) else "" for word in tk.text],
    }
    return columns


PLACE_TOKENS = 3  # the longest run of tokens looked up as one place name ("New South Wales")


@lru_cache(maxsize=1 << 16)  # place names repeat across reports
def _place_kind(name: str) -> str | None:
    place = find_place(name)
    return place.kind if place is not None else None


def place_labels(text: str, tk: Tokens) -> list[str]:
    """Each token's part in a place the gazetteer knows ("B-country",
    "I-region"; "" outside one): the longest run of capitalised tokens
    first, left to right. A fixed list, not learned from the annotations,
    so a tagger trained on some texts reads it on others alike (what it
    changed is measured in docs/extraction.md)."""
    words, starts = tk.text, tk.idx
    n = len(words)
    labels = [""] * n
    i = 0
    while i < n:
        found = 0
        if words[i][:1].isupper():
            for k in range(min(PLACE_TOKENS, n - i), 0, -1):
                kind = _place_kind(text[starts[i]:starts[i + k - 1] + len(words[i + k - 1])])
                if kind is not None:
                    labels[i:i + k] = [f"B-{kind}", *[f"I-{kind}"] * (k - 1)]
                    found = k
                    break
        i += found or 1
    return labels


def token_features(doc: Doc, text: str | None = None, tokens: Tokens | None = None) -> list[list[str]]:
    """Each token's features and its neighbours', as the tagger reads them:
    ``kind=value`` for every kind with a value."""
    columns = token_columns(doc, doc.text if text is None else text, tokens)
    columns.update({kind: _shifted(columns[column], by) for kind, (column, by) in NEIGHBOURS.items()})
    # Column by column (one f-string per value, "" where there is none), then token by token.
    named = [[f"{kind}={v}" if v else "" for v in values] for kind, values in columns.items()]
    return [[f for f in row if f] for row in zip(*named, strict=True)]


_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
# A token of the sentence's punctuation, which ends no name (the CRF sometimes takes a full stop in).
_SENTENCE_PUNCTUATION = re.compile(r"[.,;:]+")
PHRASE_TYPES = frozenset({EVENT, MISSION})


def begins_as_name(surface: str) -> bool:
    """A name begins with a capital or a digit; a phrase does not."""
    return surface[:1].isupper() or surface[:1].isdigit()


def is_name(surface: str, etype: str) -> bool:
    """What the tagger learns and proposes: a name (it begins with a capital
    or a digit) or, for events and missions, a phrase of two words or more
    ("five-day meeting of coffee producers", "a delegation of 40 contractors");
    a bare "the meeting" is the rules' business."""
    if begins_as_name(surface):
        return True
    return etype in PHRASE_TYPES and len(_ARTICLE.sub("", surface).split()) >= 2


def gold_labels(doc: Doc, ann: Annotation) -> list[str] | None:
    """Each token's label from the annotation's mentions: the outermost name
    wins where names nest ("Bank of Japan" over "Japan"), a name wins over a
    phrase around it; None when a mention does not line up with the tokens
    (the text is left out)."""
    spans: list[tuple[bool, int, int, str]] = []  # (a phrase, not a name; start, end, type)
    for e in ann.entities:
        if e["type"] not in SPAN_TYPES:
            continue
        for s, t in e.get("mentions", []):
            article = _ARTICLE.match(ann.text[s:t])
            if article:  # "a delegation of ...": the article is not the name
                s += article.end()
            surface = ann.text[s:t]
            if is_name(surface, e["type"]):
                spans.append((not begins_as_name(surface), s, t, e["type"]))
    # Names before phrases, then the longest first: a name inside a phrase is
    # taught as the name ("delegation of the Polish Chamber of Commerce"
    # teaches the chamber; the noun chunks propose the phrase).
    spans.sort(key=lambda x: (x[0], -(x[2] - x[1]), x[1]))
    labels = [OUTSIDE] * len(doc)
    for _, s, t, etype in spans:
        span = doc.char_span(s, t, alignment_mode="expand")
        if span is None or not len(span):
            return None
        if any(labels[i] != OUTSIDE for i in range(span.start, span.end)):
            continue  # inside a longer name already taught
        labels[span.start] = f"B-{etype}"
        for i in range(span.start + 1, span.end):
            labels[i] = f"I-{etype}"
    return labels


def examples(docs: Sequence[tuple[Doc, Annotation]],
             tokens: Sequence[Tokens] | None = None) -> tuple[list[list[list[str]]], list[list[str]]]:
    """Each annotated text as a sequence of its tokens' features, with their
    labels (``tokens``: each text's token lists, where the caller keeps them);
    a text whose names do not line up with its tokens is left out."""
    X: list[list[list[str]]] = []
    y: list[list[str]] = []
    for n, (doc, ann) in enumerate(docs):
        labels = gold_labels(doc, ann)
        if labels is None or not labels:
            continue
        X.append(token_features(doc, tokens=tokens[n] if tokens is not None else None))
        y.append(labels)
    return X, y


class SpanTagger:
    """A trained CRF, kept as the bytes of CRFsuite's model file (gzipped on disk)."""

    def __init__(self, model: bytes) -> None:
        self.model = model
        # CRFsuite's tagger keeps state while it tags: one per thread.
        self._local = threading.local()

    def tag(self, features: list[list[str]]) -> list[str]:
        tagger = getattr(self._local, "tagger", None)
        if tagger is None:
            tagger = self._local.tagger = pycrfsuite.Tagger()
            tagger.open_inmemory(self.model)
        return list(tagger.tag(features))

    def __reduce__(self) -> tuple[type[SpanTagger], tuple[bytes]]:
        return SpanTagger, (self.model,)  # the bytes alone cross processes (not the thread's taggers)

    def save(self, path: Path) -> None:
        write_gzip(path, self.model)

    @classmethod
    def load(cls, path: Path) -> SpanTagger:
        with gzip.open(path, "rb") as gz:
            return cls(gz.read())


def train_tagger(X: Sequence[list[list[str]]], y: Sequence[list[str]]) -> SpanTagger:
    """The CRF fitted to the texts ``examples`` gives (deterministic: a fixed
    number of passes from zero weights, the texts in the order given)."""
    counts = Counter(f for text in X for token in text for f in token)
    trainer = pycrfsuite.Trainer(algorithm=CRF_ALGORITHM, verbose=False)
    for text, labels in zip(X, y, strict=True):
        trainer.append([[f for f in token if counts[f] >= MIN_COUNT] for token in text], labels)
    trainer.set_params(CRF_PARAMS)
    # CRFsuite shuffles the texts with the C library's rand(), which nothing
    # seeds: seeded here, a fit does not depend on what drew from it before.
    ctypes.CDLL(None).srand(0)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tagger.crfsuite"
        trainer.train(str(path))
        return SpanTagger(path.read_bytes())


def predict(tagger: SpanTagger, doc: Doc, text: str, tokens: Tokens | None = None) -> Names:
    """The names the tagger finds in a parsed text (``tokens``: its token
    lists, where the caller has them). A name begins at a ``B-`` label; an
    ``I-`` that follows no beginning of its type starts nothing."""
    if not len(doc):
        return {}
    tk = tokens if tokens is not None else Tokens(doc)
    path = tagger.tag(token_features(doc, text, tk))
    out: Names = {}
    last_stop = 0
    persons = {ent.start_char: ent.end_char for ent in doc.ents if ent.label_ == "PERSON"}
    i = 0
    while i < len(path):
        if not path[i].startswith("B-"):
            i += 1
            continue
        etype = path[i][2:]
        j = i + 1
        while j < len(path) and path[j] == "I-" + etype:
            j += 1
        end = j
        while end - 1 > i and _SENTENCE_PUNCTUATION.fullmatch(tk.text[end - 1]):
            end -= 1  # "the Minsk Automobile Plant." ends at "Plant"
        if end - i <= MAX_SPAN_TOKENS:
            start, stop = tk.idx[i], tk.idx[end - 1] + len(tk.text[end - 1])
            if etype in (PERSON, ORGANIZATION):
                start, stop = whole_words(text, start, stop)
            if start >= last_stop:  # a name the widening reached is not a second one
                for piece in _pieces(text, start, stop, etype):
                    for span, what in _person_of_body(text, *piece, etype, persons):
                        out[span] = what
                last_stop = stop
        i = j
    return out


NAME_GAP = re.compile(r"(?<=\S)(?:[ \t]{2,}|\t)(?=\S)")
BRACKET = re.compile(r"\s*[()]\s*")


def _pieces(text: str, start: int, end: int, etype: str) -> list[tuple[int, int]]:
    """A name does not run across a gap of spaces or a tab inside a line (the
    columns of a table laid out with spaces: "Navoi Copper Products LLC
    Navoi"; a line end may wrap a name), nor across a bracket it does not
    close ("Swiss Import Promotion Programme (SIPPO", "KOTRA) Jakarta
    office": two names each; no annotation names such a span whole), and two
    known places after one another are two ("Regina, Saskatchewan")."""
    pieces = [p for a, b in split_at(NAME_GAP, text, start, end) for p in _bracketed(text, a, b, etype)]
    if etype == PLACE:
        pieces = [p for a, b in pieces for p in _places(text, a, b)]
    return [(a, b) for a, b in pieces if any(ch.isalpha() for ch in text[a:b])]


def _bracketed(text: str, start: int, end: int, etype: str) -> list[tuple[int, int]]:
    """A span cut at its brackets where they do not pair up; of the pieces,
    those that read as names (a "seminar" after "K-BIA)" does not)."""
    if text.count("(", start, end) == text.count(")", start, end):
        return [(start, end)]
    return [(a, b) for a, b in split_at(BRACKET, text, start, end) if is_name(text[a:b], etype)]


def _places(text: str, start: int, end: int) -> list[tuple[int, int]]:
    parts = text[start:end].split(", ")
    if len(parts) < 2 or not all(find_place(p) for p in parts):
        return [(start, end)]
    out, at = [], start
    for p in parts:
        out.append((at, at + len(p)))
        at += len(p) + 2
    return out


def _person_of_body(text: str, start: int, end: int, etype: str,
                    persons: dict[int, int]) -> list[tuple[tuple[int, int], str]]:
    """A body's name that begins with a person the parser's recogniser found,
    then "of" ("Yuko Hirata of Mitsuna Trading Corporation", "Director
    General Park Min-seo of KOTRA"), is the person and the body: few such
    phrases are annotated for the tagger to learn them from."""
    if etype == ORGANIZATION:
        for p_start, p_end in persons.items():
            if start <= p_start and p_end + 4 < end and text[p_end:p_end + 4] == " of " and text[p_end + 4].isupper():
                return [((p_start, p_end), PERSON), ((p_end + 4, end), ORGANIZATION)]
    return [((start, end), etype)]


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """A person's or a body's name does not begin or end inside a word that
    a hyphen joins ("Mei-Lin Cho", "Katarzyna Wróblewska-Nowak"): the
    parser splits such words at the hyphen, the tagger may cut there."""
    while start > 1 and text[start - 1] == "-" and text[start - 2].isalpha():
        start -= 1
        while start > 0 and text[start - 1].isalpha():
            start -= 1
    while end + 1 < len(text) and text[end] == "-" and text[end + 1].isalpha():
        end += 1
        while end < len(text) and text[end].isalpha():
            end += 1
    return start, end
