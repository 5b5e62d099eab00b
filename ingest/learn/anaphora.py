"""Where a sentence speaks of an entity without the rules' mention of it there.

Back-references: "the meeting", "the Minister", "the company", "she".

Reports name a thing once and then refer back to it: "The meeting was
chaired by Minister Lim", "the Secretary was received at JETRO", "The
company met Hanbit Gourmet". A sentence like that states a relation of an
entity it does not name, and without a candidate pair there the relation
model cannot find it (in a sample of 150 annotated reports, a fifth of the
relations whose two entities were both found had no pair to be found in).

``references`` proposes, for each definite noun phrase or subject pronoun
that no name covers, the one entity it most plausibly refers back to: the
latest one named before it whose name holds the phrase's head word ("the
pavilion" → "Ethiopia Coffee Pavilion"), a person whose title holds it
("the Minister"), a company for "the company" and "the firm", a person for
"he" and "she"; and beside the latest, the one of those named most often
before it. Those are only candidates: the relation
model, which knows the pair comes from a reference (``pair_features``),
learns from the annotations when such pairs state something. The report's
delegation is left to the pairs made for sentences that leave it unnamed.

Repeated names: ``repeated_names`` finds an entity's name or alias again
where the rules did not mark it, on its own ("GEPA" after "Ghana Export
Promotion Authority (GEPA)") or inside another name ("Dubai" in "Norwegian
Business Council Dubai", which is in Dubai).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from graph.ontology import MISSION, ORGANIZATION, PERSON, SECTOR
from ingest.mentions import TITLE_HEADS, Entity, Mention
from ingest.tokens import Tokens

DETERMINERS = frozenset({"the", "this", "that", "these", "those"})
PRONOUNS = frozenset({"he", "she"})
# Heads that refer to a company by what it is rather than by a word of its name.
COMPANY_HEADS = frozenset({"company", "firm", "exporter", "importer", "manufacturer", "producer",
                           "supplier", "distributor", "buyer", "maker"})
# Heads too vague to pick one entity by ("the side", "the country").
VAGUE_HEADS = frozenset({"side", "country", "group", "delegation", "mission", "party", "parties", "way",
                         "time", "year", "week", "day", "month", "end", "number", "rest", "one", "visit"})
MAX_MODIFIERS = 3  # tokens between the determiner and the head ("the two-day ministerial meeting")


@dataclass(frozen=True)
class Reference:
    antecedent: int  # the entity referred to (its index)
    span: Span  # the referring phrase
    head: str  # its head word (lemma, lower case) or pronoun
    how: str  # "latest": the latest entity it fits; "salient": the one it fits named most often before it


def _name_words(name: str) -> set[str]:
    words = set(re.findall(r"[a-z]+", name.lower()))
    return words | {w[:-1] for w in words if w.endswith("s")}


def _matcher(head: str) -> Callable[[Entity], bool] | None:
    """Which entities a phrase with this head word can refer back to."""
    if head in PRONOUNS:
        return lambda e: e.type == PERSON
    if head in VAGUE_HEADS:
        return None
    if head in COMPANY_HEADS:
        return lambda e: e.type == ORGANIZATION and (e.kind == "enterprise" or head in _name_words(e.name))
    if head in TITLE_HEADS:
        return lambda e: e.type == PERSON and head in _name_words(str(e.attrs.get("title", "")))
    return lambda e: e.type != PERSON and head in _name_words(e.name)


def _phrase(tk: Tokens, i: int) -> tuple[int, str] | None:
    """(last token, head) of a referring phrase starting at token i, if one does."""
    if tk.lower[i] in PRONOUNS and tk.dep[i] in ("nsubj", "nsubjpass"):
        return i, tk.lower[i]
    if tk.lower[i] not in DETERMINERS or tk.dep[i] != "det":
        return None
    h = tk.head[i]
    if not i < h <= i + 1 + MAX_MODIFIERS:
        return None
    # A capitalised head is a name the rules missed ("the Second Industrial City"), unless a title.
    if not (tk.pos[h] == "NOUN" or tk.pos[h] == "PROPN" and tk.lemma[h] in TITLE_HEADS):
        return None
    if h + 1 < len(tk.lower) and tk.dep[h + 1] == "compound":  # "the trade mission": the head comes later
        return None
    return h, tk.lemma[h]


def references(doc: Doc, tokens: Tokens, entities: Sequence[Entity],
               spans: Mapping[int, Sequence[tuple[Mention, Span]]]) -> list[Reference]:
    """Each referring phrase no name covers, with the entities it may refer
    back to among those named before it in an earlier sentence (within one
    sentence the pair exists already): the latest it fits and, when another,
    the one it fits named most often ("the company" of a success story is
    its subject more often than the buyer named last)."""
    named: set[int] = set()
    starts: list[tuple[int, int]] = []  # (first token of a mention, entity), in text order
    for idx, items in spans.items():
        if entities[idx].type == MISSION:
            continue
        for _, span in items:
            named.update(range(span.start, span.end))
            starts.append((span.start, idx))
    starts.sort()
    out = []
    for i in range(len(tokens.lower)):
        found = _phrase(tokens, i)
        if found is None or i in named:
            continue
        last, head = found
        fits = _matcher(head)
        if fits is None or any(t in named for t in range(i, last + 1)):
            continue
        before = [idx for _, idx in starts[: bisect_left(starts, (tokens.sent_start[i], -1))]
                  if fits(entities[idx])]
        if not before:
            continue
        span = doc[i:last + 1]
        out.append(Reference(before[-1], span, head, "latest"))
        counts = Counter(before)
        salient = max(counts, key=lambda idx: (counts[idx], -idx))
        if salient != before[-1]:
            out.append(Reference(salient, span, head, "salient"))
    return out


MAX_REPEATS = 400  # per report: bounded work whatever the text


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"  # what ``\w`` matches in a str pattern


def whole_word_occurrences(text: str, form: str) -> Iterator[tuple[int, int]]:
    r"""(start, end) of each occurrence of ``form`` not inside a longer word,
    left to right, not overlapping: what ``re.finditer(r"(?<!\w)FORM(?!\w)")``
    finds, without compiling a pattern per name (a report has hundreds)."""
    i = text.find(form)
    while i != -1:
        j = i + len(form)
        if (i == 0 or not _word_char(text[i - 1])) and (j == len(text) or not _word_char(text[j])):
            yield i, j
            i = text.find(form, j)
        else:
            i = text.find(form, i + 1)


def repeated_names(doc: Doc, text: str, entities: Sequence[Entity],
                   spans: Mapping[int, Sequence[tuple[Mention, Span]]]) -> list[tuple[int, Span]]:
    """(entity, span) for each occurrence of an entity's name or alias that
    none of its own mentions covers. Only forms that look like names (three
    characters or more, a capital letter) and fit whole tokens are looked for."""
    out: list[tuple[int, Span]] = []
    for e in entities:
        if e.type == SECTOR or not spans.get(e.index):
            continue
        own = [(span.start_char, span.end_char) for _, span in spans[e.index]]
        forms = {f for f in [e.name, *e.aliases] if len(f) >= 3 and any(c.isupper() for c in f)}
        for form in sorted(forms, key=len, reverse=True):
            for start, end in whole_word_occurrences(text, form):
                if any(s < end and start < t for s, t in own):
                    continue
                span = doc.char_span(start, end)
                if span is None:
                    continue
                own.append((start, end))
                out.append((e.index, span))
                if len(out) >= MAX_REPEATS:
                    return out
    return out
