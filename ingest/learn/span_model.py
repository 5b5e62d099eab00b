"""Entity spans learned from the annotations: a token tagger.

The rules find names their patterns know, and spaCy's small recogniser was
trained on other text; between them the ends of many annotated relations
are never candidates (a company name cut at "and Co", a ministry swallowed
with its minister, an event named by a phrase). This model labels each
token ``O``, ``B-<type>`` (begins a name of that type) or ``I-<type>``
(continues it) from the token and its neighbours; the best label sequence
that never continues a name it did not begin (Viterbi) gives the spans.

The spans become candidates (``candidates.add_candidates``) and a feature of
every candidate (``tagged=...``), so the type model sees whether the tagger
agrees; they never decide alone.

Only names are taught (``is_name``), and phrases that name an event or a
mission: a generic "the company" is the rules' business (they know what it
refers to; a tagger does not).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from spacy.tokens import Doc

from graph.ontology import AGREEMENT, EVENT, MISSION, ORGANIZATION, PERSON, PLACE, PROGRAM
from ingest.learn.annotations import Annotation
from ingest.learn.features import LEGAL_FORMS, Features, Tokens
from ingest.learn.linear import LinearModel, train

SPAN_TYPES = (ORGANIZATION, PERSON, PLACE, EVENT, MISSION, PROGRAM, AGREEMENT)
OUTSIDE = "O"
LABELS = [OUTSIDE, *(f"{p}-{t}" for t in SPAN_TYPES for p in "BI")]
MAX_SPAN_TOKENS = 16  # longer runs are a tagging accident, not a name

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
    of speech and spaCy's entity label, and where the token stands
    (headline, start of a sentence, run of capitals); ``NEIGHBOURS`` adds
    the neighbours'. Feature ``kind=value`` is present where the value is
    not empty. Column-wise because it runs on every token of every report
    (``LinearModel.score_columns``); ``text`` is ``doc.text``, which spaCy
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
    }
    return columns


def token_features(doc: Doc, tokens: Tokens | None = None) -> list[Features]:
    """The same features and the neighbours' token by token, as the learner takes them."""
    columns = token_columns(doc, doc.text, tokens)
    columns.update({kind: _shifted(columns[column], by) for kind, (column, by) in NEIGHBOURS.items()})
    return [{f"{kind}={v}": 1.0 for kind, v in zip(columns, row, strict=True) if v}
            for row in zip(*columns.values(), strict=True)]


_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
PHRASE_TYPES = frozenset({EVENT, MISSION})


def is_name(surface: str, etype: str) -> bool:
    """What the tagger learns and proposes: a name (it begins with a capital
    or a digit) or, for events and missions, a phrase of two words or more
    ("five-day meeting of coffee producers", "a delegation of 40 contractors");
    a bare "the meeting" is the rules' business."""
    if surface[:1].isupper() or surface[:1].isdigit():
        return True
    return etype in PHRASE_TYPES and len(_ARTICLE.sub("", surface).split()) >= 2


def gold_labels(doc: Doc, ann: Annotation) -> list[str] | None:
    """Each token's label from the annotation's mentions: the outermost name
    wins where mentions nest ("Bank of Japan" over "Japan"); None when a
    mention does not line up with the tokens (the text is left out)."""
    spans: list[tuple[int, int, str]] = []
    for e in ann.entities:
        if e["type"] not in SPAN_TYPES:
            continue
        for s, t in e.get("mentions", []):
            article = _ARTICLE.match(ann.text[s:t])
            if article:  # "a delegation of ...": the article is not the name
                s += article.end()
            if is_name(ann.text[s:t], e["type"]):
                spans.append((s, t, e["type"]))
    spans.sort(key=lambda x: (-(x[1] - x[0]), x[0]))
    labels = [OUTSIDE] * len(doc)
    for s, t, etype in spans:
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
             tokens: Sequence[Tokens] | None = None) -> tuple[list[Features], list[str]]:
    """Every token of the annotated texts, with its label (``tokens``: each
    text's token lists, where the caller keeps them)."""
    X: list[Features] = []
    y: list[str] = []
    for n, (doc, ann) in enumerate(docs):
        labels = gold_labels(doc, ann)
        if labels is None:
            continue
        X += token_features(doc, tokens=tokens[n] if tokens is not None else None)
        y += labels
    return X, y


def train_tagger(X: Sequence[Features], y: Sequence[str]) -> LinearModel:
    return train("span_tagger", X, y, labels=LABELS, multilabel=False, C=0.5, min_count=3)


# I-<type> may only follow B-<type> or I-<type>.
_ALLOWED = np.array([[not (b.startswith("I-") and a[2:] != b[2:]) for b in LABELS] for a in LABELS])
_CAN_START = np.array([not lab.startswith("I-") for lab in LABELS])


SURE_OUTSIDE = 0.995  # a token at least this surely outside every name ends any name before it


def _decode(logp: np.ndarray) -> list[int]:
    """The best allowed label sequence. Tokens surely outside every name
    are labelled O; since O may follow and precede anything, they split the
    text into short stretches, and the exact search runs on those alone
    (the same answer as one search over the whole text wherever the sure
    tokens are O; a test checks it)."""
    n = logp.shape[0]
    path = [0] * n
    unsure = ~(logp[:, 0] >= np.log(SURE_OUTSIDE))
    # Runs of tokens not surely outside, [i, j): where ``unsure`` turns on and off (numpy, not a loop over every token).
    edges = np.flatnonzero(np.diff(np.concatenate([[False], unsure, [False]]).astype(np.int8))).tolist()
    stretches = list(zip(edges[0::2], edges[1::2], strict=True))
    for (i, j), labels in zip(stretches, _viterbi_many([logp[i:j] for i, j in stretches]), strict=True):
        path[i:j] = labels
    return path


def _viterbi(logp: np.ndarray) -> list[int]:
    """The best label sequence (log-probabilities per token and label) that
    never continues a name it did not begin."""
    return _viterbi_many([logp])[0]


def _viterbi_many(stretches: list[np.ndarray]) -> list[list[int]]:
    """``_viterbi`` of each stretch. The stretches are searched side by side,
    one token position at a time (a report's longest stretch is a few dozen
    tokens: that many numpy steps instead of one per token); each stretch's
    arithmetic is the same as searching it alone."""
    if not stretches:
        return []
    # Longest first: the stretches still going at a position are then the first rows.
    order = sorted(range(len(stretches)), key=lambda n: -len(stretches[n]))
    lengths = [len(stretches[n]) for n in order]
    k = len(LABELS)
    logp = np.zeros((len(order), lengths[0], k))
    for row, n in enumerate(order):
        logp[row, :lengths[row]] = stretches[n]
    neg = np.where(_ALLOWED, 0.0, -np.inf)
    score = np.where(_CAN_START, logp[:, 0], -np.inf)  # stretch x label
    back = np.zeros((len(order), lengths[0], k), dtype=np.int64)
    going = len(order)
    for i in range(1, lengths[0]):
        while lengths[going - 1] <= i:
            going -= 1
        cand = score[:going, :, None] + neg  # stretch x previous label x next label
        back[:going, i] = cand.argmax(axis=1)
        score[:going] = cand.max(axis=1) + logp[:going, i]
    paths: list[list[int]] = [[] for _ in stretches]
    for row, n in enumerate(order):
        best = [int(score[row].argmax())]
        for i in range(lengths[row] - 1, 0, -1):
            best.append(int(back[row, i, best[-1]]))
        paths[n] = best[::-1]
    return paths


def predict(model: LinearModel, doc: Doc, text: str, tokens: Tokens | None = None) -> Names:
    """The names the tagger finds in a parsed text (``tokens``: its token
    lists, where the caller has them)."""
    if not len(doc):
        return {}
    tk = tokens if tokens is not None else Tokens(doc)
    scores = model.score_columns(token_columns(doc, text, tk), NEIGHBOURS)
    # Log-probabilities per token and label (the search adds them up).
    scores -= scores.max(axis=1, keepdims=True)
    path = [LABELS[k] for k in _decode(scores - np.log(np.exp(scores).sum(axis=1, keepdims=True)))]
    out: Names = {}
    i = 0
    while i < len(path):
        if not path[i].startswith("B-"):
            i += 1
            continue
        etype = path[i][2:]
        j = i + 1
        while j < len(path) and path[j] == "I-" + etype:
            j += 1
        if j - i <= MAX_SPAN_TOKENS:
            out[(tk.idx[i], tk.idx[j - 1] + len(tk.text[j - 1]))] = etype
        i = j
    return out
