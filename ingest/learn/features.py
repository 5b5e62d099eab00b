"""What the learned models see of a parsed report: one place for the shared pieces.

The rules (``ingest.mentions``, ``ingest.relations``) run first and give
candidate entities and the relations they found; the models then decide.
This module turns one report into model inputs:

- ``Report``: the parsed text, the rules' entities and relations, and each
  entity's mention tokens, computed once;
- ``entity_features``: what an entity's name and its contexts look like
  (shared by the type and the kind model);
- ``pair_candidates`` / ``pair_features``: every pair of entities that a
  sentence names together (or a list line and its heading), or that a rule
  related, and what lies between them (dependency path, words, triggers,
  tense, the rules' verdicts, the heading and table columns of a laid-out
  line: ``layout``); the pairs a sentence makes through a phrase standing
  for an entity ("the meeting", "she", a name found again: ``anaphora``),
  under feature names of their own; and the report's delegation and main
  event with what a sentence names when it leaves them unnamed, described by
  how that entity sits in its sentence, the word by which the sentence may
  speak of the delegation or event ("the group", "we", "exhibitors":
  ``TOPIC_WORDS``) and the path from it, the sentence's nouns, and how
  far back the delegation or event was last named;
- ``pair_vectors``: what spaCy's own encoder says around each pair (the
  contextual vectors the tagger and parser read, ``doc.tensor``).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from spacy.tokens import Doc, Span

from graph.gazetteer import country_code, find_place
from graph.model import place_in_own_name
from graph.ontology import EVENT, MISSION, ORGANIZATION, RELATION_TYPES
from ingest.learn.anaphora import references, repeated_names
from ingest.learn.event_names import EMPTY as NO_EVENT_NAMES
from ingest.learn.event_names import Lexicon as EventNames
from ingest.learn.given_names import feature as given_feature
from ingest.learn.layout import Layout
from ingest.mentions import TITLE_HEADS, Entity, Mention
from ingest.relations import Found
from ingest.tokens import Tokens

Features = dict[str, float]

# Words that make a stated fact a plan rather than a fact.
FUTURE_WORDS = frozenset({"will", "would", "shall", "plan", "expect", "schedule", "due", "next",
                          "intend", "propose", "prepare", "hope", "later", "upcoming", "forthcoming"})
LEGAL_FORMS = frozenset({"inc", "corp", "co", "ltd", "plc", "ag", "sa", "nv", "bv", "spa", "gmbh",
                         "llc", "limited", "corporation", "company", "group", "holdings", "bhd", "pty",
                         "ab", "as", "oy", "kk", "srl", "sarl", "lp", "pt", "jsc", "ojsc", "sac"})
# A name that ends on one of these was cut from a longer phrase ("Merrill Lynch and").
FUNCTION_WORDS = frozenset({"and", "or", "of", "for", "the", "in", "on", "to", "at", "with", "by", "from", "&"})
MAX_PAIR_TOKENS = 60  # pairs further apart in a sentence than this are not candidates
# The encoder's vectors have entries of about ±0.5 and every sparse feature is
# 1.0: scaled down, a whole vector weighs like a few sparse features under the
# same regularisation (0.1 and 0.3 measured alike).
VECTOR_SCALE = 0.1
TITLE_CHARS = 200  # a report's title and dateline: an event named there is what the report is about
# Words by which a sentence speaks of a report's delegation or main event
# without naming it ("The group was received by the chamber", "we met",
# "visitors to the stand"): a pair with an unnamed topic is described from
# the nearest of them (``_unnamed_topic_features``).
TOPIC_WORDS = {
    MISSION: frozenset({"delegation", "mission", "group", "team", "participant", "member", "delegate",
                        "visitor", "we", "us", "our", "they", "them", "their", "it", "its", "i", "my", "company", "firm",
                        "exporter", "buyer", "producer", "manufacturer", "entrepreneur", "businessman"}),
    EVENT: frozenset({"fair", "show", "exhibition", "expo", "event", "forum", "conference", "meeting",
                      "stand", "pavilion", "booth", "exhibitor", "visitor", "session", "programme"}),
}
SENTENCE_NOUNS = 8  # nouns of a sentence read for a pair whose topic it leaves unnamed
VECTOR_PARTS = 4  # a pair's row: source, target, between, product (``pair_vectors``)
VECTOR_WIDTH = 96  # spaCy's small English encoder (``doc.tensor``)


def _words(name: str) -> list[str]:
    return [w for w in re.findall(r"[\w&'’.-]+", name.lower()) if w not in {".", "-"}]


@lru_cache(maxsize=1024)  # a few hundred (n, edges) pairs ever: each name is made once
def _bucket(n: int, edges: tuple[int, ...] = (1, 2, 3, 5, 8, 13, 21)) -> str:
    for e in edges:
        if n <= e:
            return f"<={e}"
    return f">{edges[-1]}"


@dataclass
class Report:
    """One report as the models see it."""

    doc: Doc
    text: str
    entities: list[Entity]
    found: list[Found]
    # entity index -> [(mention, token span)], only mentions that align to tokens
    spans: dict[int, list[tuple[Mention, Span]]] = field(default_factory=dict)
    # the span tagger's names: (start, end) -> entity type (``span_model``)
    tagged: dict[tuple[int, int], str] = field(default_factory=dict)
    # the token lists (``Tokens``): read from ``doc`` when first needed unless given
    token_table: Tokens | None = field(default=None, repr=False)
    # the given names learned with the models (``given_names``)
    given_names: frozenset[str] = field(default=frozenset(), repr=False)
    # the event names learned with the models (``event_names``)
    event_names: EventNames = field(default=NO_EVENT_NAMES, repr=False)
    _ner_of_token: dict[int, str] | None = field(default=None, repr=False)
    _all_spans: list[tuple[int, int, int]] | None = field(default=None, repr=False)
    _sentences: dict[int, tuple[list[str], bool, bool]] = field(default_factory=dict, repr=False)
    _roots: dict[tuple[int, int], int] = field(default_factory=dict, repr=False)
    _dateline: dict[int, bool] = field(default_factory=dict, repr=False)
    _verb_features: dict[int, Features] = field(default_factory=dict, repr=False)
    _unnamed: dict[int, list[int]] = field(default_factory=dict, repr=False)
    _named_in: dict[int, list[int]] = field(default_factory=dict, repr=False)  # entity -> its sentences, sorted
    _layout: Layout | None = field(default=None, repr=False)
    _name_ends: dict[str, set[str]] | None = field(default=None, repr=False)
    # what stands for an entity where no mention of it is (``anaphora``): of
    # these entities and their kinds, so never carried over by ``with_entities``
    _stand_ins: dict[tuple[int, int], tuple[Span, str]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.spans:
            return  # carried over from a report with the same mentions
        for e in self.entities:
            out = []
            for m in e.mentions:
                span = self.doc.char_span(m.start, m.end, alignment_mode="expand")
                if span is not None and len(span):
                    out.append((m, span))
            self.spans[e.index] = out

    def with_entities(self, entities: list[Entity]) -> Report:
        """The same parse with re-typed entities (same indices and mentions):
        spans and token lists are shared, not computed again."""
        return Report(self.doc, self.text, entities, self.found, self.spans, self.tagged, self.token_table,
                      self.given_names, event_names=self.event_names, _layout=self._layout)

    def name_ends(self, word: str) -> set[str]:
        """Where ``word`` (lower case) begins or ends a longer name of the
        report, as "<type>:first" or "<type>:last": "Baker" after "James
        Baker" is the person, "WANG" after "Wang Laboratories" the company."""
        if self._name_ends is None:
            ends: dict[str, set[str]] = defaultdict(set)
            for e in self.entities:
                words = _words(e.name)
                if len(words) >= 2:
                    ends[words[0]].add(f"{e.type}:first")
                    ends[words[-1]].add(f"{e.type}:last")
            self._name_ends = ends
        return self._name_ends.get(word, set())

    @property
    def tokens(self) -> Tokens:
        if self.token_table is None:
            self.token_table = Tokens(self.doc)
        return self.token_table

    @property
    def stand_ins(self) -> dict[tuple[int, int], tuple[Span, str]]:
        """(entity, first token) -> (span, what it is) for each phrase that
        refers back to an entity ("the meeting", "she": ``ref=<head>``) and each
        time its name or alias is found again where the rules did not mark it
        (``repeat``)."""
        if self._stand_ins is None:
            found: dict[tuple[int, int], tuple[Span, str]] = {}
            for idx, span in repeated_names(self.doc, self.text, self.entities, self.spans):
                found[(idx, span.start)] = (span, "repeat")
            for ref in references(self.doc, self.tokens, self.entities, self.spans):
                found.setdefault((ref.antecedent, ref.span.start), (ref.span, f"ref={ref.head}"))
            self._stand_ins = found
        return self._stand_ins

    def stand_in(self, entity: int, span: Span | None) -> str | None:
        """What a candidate's span is when it is not one of the entity's mentions."""
        if span is None:
            return None
        found = self.stand_ins.get((entity, span.start))
        return found[1] if found is not None and found[0].end == span.end else None

    def sentence_at(self, offset: int) -> tuple[int, int]:
        """The character span of the sentence at a character offset."""
        tk = self.tokens
        return tk.sents[tk.sent_no[max(bisect_right(tk.idx, offset) - 1, 0)]]

    def root(self, span: Span) -> int:
        """A span's syntactic root (token index), computed once per span."""
        key = (span.start, span.end)
        r = self._roots.get(key)
        if r is None:
            r = self._roots[key] = span.root.i
        return r

    def ner_labels(self, e: Entity) -> set[str]:
        if self._ner_of_token is None:
            self._ner_of_token = {t: ent.label_ for ent in self.doc.ents for t in range(ent.start, ent.end)}
        return {self._ner_of_token[t] for _, span in self.spans.get(e.index, [])
                for t in range(span.start, span.end) if t in self._ner_of_token}

    def sentence_tokens(self, start: int) -> range:
        """The tokens of the sentence starting at token ``start``."""
        sent_start = self.tokens.sent_start
        end = start + 1
        while end < len(sent_start) and sent_start[end] == start:
            end += 1
        return range(start, end)

    def sentence_facts(self, start: int) -> tuple[list[str], bool, bool]:
        """The verb lemmas of the sentence starting at token ``start``, whether it
        speaks of the future, whether a pronoun is a subject."""
        facts = self._sentences.get(start)
        if facts is None:
            tk = self.tokens
            sent = self.sentence_tokens(start)
            verbs = sorted({tk.lemma[i] for i in sent if tk.pos[i] == "VERB"})
            future = any(tk.lemma[i] in FUTURE_WORDS for i in sent)
            pronoun = any(tk.dep[i] == "nsubj" and tk.pos[i] == "PRON" for i in sent)
            facts = self._sentences[start] = (verbs, future, pronoun)
        return facts

    def unnamed_tokens(self, start: int) -> list[int]:
        """The tokens of the sentence starting at token ``start`` outside any name."""
        out = self._unnamed.get(start)
        if out is None:
            sent, spans = self.sentence_tokens(start), self.all_spans
            named = {t for a, b, _ in spans[bisect_left(spans, (start,)):bisect_left(spans, (sent.stop,))]
                     for t in range(a, b)}
            out = self._unnamed[start] = [i for i in sent if i not in named]
        return out

    def topic_words(self, start: int, topic_type: str) -> list[int]:
        """The tokens of the sentence starting at token ``start`` that can
        speak of a delegation or event (``TOPIC_WORDS``) outside any name."""
        words, lemma = TOPIC_WORDS.get(topic_type, frozenset()), self.tokens.lemma
        return [i for i in self.unnamed_tokens(start) if lemma[i] in words]

    def sentence_nouns(self, start: int) -> list[str]:
        """The nouns of the sentence starting at token ``start`` outside any
        name, in order, at most ``SENTENCE_NOUNS``: what an itinerary line
        or a sentence without the report's delegation is about ("Lunch with
        ...", "B2B session with ...", "tour of the plant of ...")."""
        tk = self.tokens
        return [tk.lemma[i] for i in self.unnamed_tokens(start) if tk.pos[i] == "NOUN"][:SENTENCE_NOUNS]

    def sentences_since(self, entity: int, sent_no: int) -> int | None:
        """How many sentences back the entity was last named (None: not before).
        Asked for every unnamed-topic pair: each entity's sentences are sorted once."""
        named_in = self._named_in.get(entity)
        if named_in is None:
            named_in = self._named_in[entity] = sorted({self.tokens.sent_no[span.start]
                                                        for _, span in self.spans.get(entity, ())})
        k = bisect_left(named_in, sent_no)
        return sent_no - named_in[k - 1] if k else None

    def in_dateline(self, e: Entity) -> bool:
        """Whether one of the entity's mentions is the dateline's place (asked for every pair)."""
        out = self._dateline.get(e.index)
        if out is None:
            out = self._dateline[e.index] = any(m.attrs.get("dateline") for m in e.mentions)
        return out

    def verb_features(self, start: int) -> Features:
        """``sv=<lemma>`` of each verb of the sentence starting at token ``start``:
        every pair in the sentence has them, so they are made once, ready to
        be added to a pair's features in one ``dict.update``."""
        out = self._verb_features.get(start)
        if out is None:
            out = self._verb_features[start] = {f"sv={lemma}": 1.0 for lemma in self.sentence_facts(start)[0]}
        return out

    @property
    def layout(self) -> Layout:
        """The report's headings and table columns (``layout``), read when first asked."""
        if self._layout is None:
            self._layout = Layout(self.text)
        return self._layout

    @property
    def all_spans(self) -> list[tuple[int, int, int]]:
        """(first token, end token, entity) of every mention, in text order."""
        if self._all_spans is None:
            self._all_spans = sorted((s.start, s.end, idx) for idx, spans in self.spans.items() for _, s in spans)
        return self._all_spans

    def bodies_of(self, span: Span) -> list[int]:
        """The entities named inside a span or owning it ("X's office"): a
        mention inside it, or one ending on the "'s" just before it."""
        spans, tk = self.all_spans, self.tokens
        owned = span.start >= 2 and tk.lower[span.start - 1] in ("'s", "’s")
        lo = max(span.start - 12, 0) if owned else span.start
        return [idx for a, b, idx in spans[bisect_left(spans, (lo,)):bisect_left(spans, (span.end,))]
                if (a >= span.start and b <= span.end) or (owned and b == span.start - 1)]

    def mentions_between(self, lo: int, hi: int, skip: tuple[int, int]) -> int:
        """How many mentions of other entities lie within tokens [lo, hi)."""
        spans = self.all_spans
        n = 0
        for k in range(bisect_left(spans, (lo,)), len(spans)):
            a, b, idx = spans[k]
            if a >= hi:
                break
            if b <= hi and idx not in skip:
                n += 1
        return n


# Posts that follow or precede a person's name: the rules' titles and the
# short forms lists use ("Ama Owusu, GM", "Priya Nair, BD lead").
TITLES = TITLE_HEADS | {"gm", "md", "vp", "svp", "evp", "cfo", "coo", "cto", "cmo", "lead", "counsel"}
_NAME_POS = frozenset({"PROPN", "NOUN", "ADJ", "PUNCT"})


def _title_around(tk: Tokens, start: int, end: int) -> list[str]:
    """Whether a post is named next to a span: after it, past a comma, dash
    or bracket, among the next four name-like words; or just before it
    ("Mayor Lorraine Fedoruk", "its president, Stefano Ferraresi")."""
    def is_post(j: int) -> bool:
        return tk.lemma[j] in TITLES or tk.lower[j] in TITLES

    out = []
    k = end + (end < len(tk.lower) and tk.lower[end] in {",", "-", "–", "—", "("})
    for j in range(k, min(k + 4, len(tk.lower))):
        if is_post(j):
            out.append("title_after")
            break
        if tk.pos[j] not in _NAME_POS or tk.lower[j] == ";":  # (a line break is SPACE)
            break
    j = start - 1 - (start > 1 and tk.lower[start - 1] == ",")
    if j >= 0 and is_post(j):
        out.append("title_before")
    return out


@lru_cache(maxsize=1 << 14)
def _gazetteer_features(name: str) -> Features:
    """Whether the whole name is a place the gazetteer lists, of which kind,
    and for a town how large: "Port of Spain" and "People's Republic of
    China" are places whatever a rule made of their words; "Murray",
    "Gillette" and "Burlington" are towns small beside the person or company
    a report more likely means."""
    place = find_place(name)
    if place is None:
        return {}
    f: Features = {f"gazetteer={place.kind}": 1.0}
    if place.kind == "city":
        f[f"gazetteer_town={_bucket(place.population // 10_000, (0, 4, 19, 99))}"] = 1.0
    return f


def entity_features(rep: Report, e: Entity) -> Features:
    """An entity's name form, what the rules and spaCy's NER made of it, and its contexts."""
    f: Features = {f"rule_type={e.type}": 1.0, f"rule_kind={e.kind}": 1.0,
                   f"candidate={e.attrs.get('candidate', 'rules')}": 1.0}
    words = _words(e.name)
    for word in words:
        f[f"w={word}"] = 1.0
    if len(words) == 1:
        for end in sorted(rep.name_ends(words[0])):
            f[f"ends_name={end}"] = 1.0
    if words:
        f[f"first={words[0]}"] = 1.0
        f[f"last={words[-1]}"] = 1.0
        f[f"suf3={words[-1][-3:]}"] = 1.0
        f[f"nwords={_bucket(len(words), (1, 2, 3, 4, 6))}"] = 1.0
        if words[-1].strip(".") in LEGAL_FORMS:
            f["legal_form"] = 1.0
        if len(words) >= 2:
            f[f"last2={words[-2]}_{words[-1]}"] = 1.0
    if " of " in e.name.lower():
        f["has_of"] = 1.0
        after = e.name.lower().split(" of ", 1)[1].split()
        if after:
            f[f"of_next={after[0]}"] = 1.0
    if e.name.isupper():
        f["all_caps"] = 1.0
    if any(ch.isdigit() for ch in e.name):
        f["digit"] = 1.0
    if re.search(r"[$£€¥]|\b(?:dlrs?|mln|billion|pct|usd|eur)\b", e.name, re.IGNORECASE):
        f["money_word"] = 1.0
    if e.name[:1].islower():
        f["lower_start"] = 1.0
    if rep.given_names and (given := given_feature(e.name, rep.given_names)):
        f[given] = 1.0
    if rep.event_names and rep.event_names.names([e.name, *e.aliases]):
        f["known_event"] = 1.0
    for a in e.aliases:
        if a.isupper() and 2 <= len(a) <= 6:
            f["acronym_alias"] = 1.0
    for lab in sorted(rep.ner_labels(e)):  # a set: sorted, so sums add up in one order
        f[f"ner={lab}"] = 1.0
    f[f"mentions={_bucket(len(e.mentions), (1, 2, 3, 5))}"] = 1.0
    if rep.tagged:
        for m in e.mentions[:4]:
            tag = rep.tagged.get((m.start, m.end))
            if tag is not None:
                f[f"tagged={tag}"] = 1.0
            elif any(s < m.end and m.start < t for s, t in rep.tagged):
                f["tagged_other_span"] = 1.0
            else:
                f["untagged"] = 1.0
    if any(m.generic for m in e.mentions):
        f["generic_mention"] = 1.0
    if any(m.attrs.get("dateline") for m in e.mentions):
        f["dateline"] = 1.0
    if words and words[-1] in FUNCTION_WORDS:
        f["ends_on_function_word"] = 1.0
    if len(words) >= 2 and country_code(e.name.split()[0]):
        f["starts_with_country"] = 1.0  # "U.S. Farm": a headline's subject, not a name
    f.update(_gazetteer_features(e.name))
    spans = rep.spans.get(e.index, [])
    tk = rep.tokens
    if spans and all(tk.sent_start[span.start] == 0 for _, span in spans):
        f["headline_only"] = 1.0
        if e.name.isupper():
            f["headline_only_caps"] = 1.0
    if spans:
        first = spans[0][1]
        f[f"root_pos={tk.pos[rep.root(first)]}"] = 1.0
        f[f"last_pos={tk.pos[first.end - 1]}"] = 1.0
    for _, span in spans[:4]:
        if span.start > 0:
            f[f"prev={tk.lower[span.start - 1]}"] = 1.0
        if span.end < len(tk.lower):
            f[f"next={tk.lower[span.end]}"] = 1.0
        for where in _title_around(tk, span.start, span.end):
            f[where] = 1.0
        root = rep.root(span)
        f[f"dep={tk.dep[root]}"] = 1.0
        f[f"head={tk.lemma[tk.head[root]]}"] = 1.0
        for child in tk.children[root]:
            if tk.dep[child] in ("appos", "amod", "compound") and not (span.start <= child < span.end):
                f[f"mod={tk.lemma[child]}"] = 1.0
        # A unit is of its body's kind: the body named in it ("NZTE office in
        # Jakarta") or owning it ("Business France's office in Riyadh").
        for idx in rep.bodies_of(span):
            body = rep.entities[idx]
            if idx != e.index and body.type == ORGANIZATION and body.kind:
                f[f"body_kind={body.kind}"] = 1.0
    return f


def _encoder_rows(rep: Report, width: int) -> np.ndarray | None:
    """spaCy's contextual vectors of the report, one row of ``width`` per
    token (``doc.tensor``), or None where the pipeline gives none of that width."""
    tensor = rep.doc.tensor
    if tensor is None or tensor.ndim != 2 or tensor.shape != (len(rep.doc), width):
        return None
    return tensor


ENTITY_VECTOR_PARTS = 2  # an entity's row: its names' tokens, the tokens just around them (``entity_vectors``)
# Larger than a pair's: the type model (C 0.5, fewer examples) read the
# vectors at 0.1 hardly at all (fold 0 entities +0.0012; 0.3: +0.0021;
# 0.5 and 1.0 worse).
ENTITY_VECTOR_SCALE = 0.3


def entity_vectors(rep: Report, entities: Sequence[Entity], width: int) -> np.ndarray:
    """One row per entity: the mean of spaCy's contextual vectors
    (``doc.tensor``) over the tokens of its first four mentions, and over
    the token before and after each. A town or a company the name's words
    have never shown ("Khanbogd", "Fokida", "Cetus") looks like others of
    its type to the encoder, which reads word shapes and contexts."""
    out = np.zeros((len(entities), ENTITY_VECTOR_PARTS * width), dtype=np.float64)
    tensor = _encoder_rows(rep, width)
    if not entities or tensor is None:
        return out
    n = len(tensor)
    for row, e in enumerate(entities):
        spans = [span for _, span in rep.spans.get(e.index, [])[:4]]
        inside = [t for span in spans for t in range(span.start, span.end)]
        around = [t for span in spans for t in (span.start - 1, span.end) if 0 <= t < n]
        if inside:
            out[row, :width] = tensor[inside].mean(axis=0)
        if around:
            out[row, width:] = tensor[around].mean(axis=0)
    out *= ENTITY_VECTOR_SCALE
    return out


# --- pairs ---------------------------------------------------------------------


@dataclass
class PairCandidate:
    source: int
    target: int
    sentence: tuple[int, int]  # character span of the sentence (naming both, or one for an unnamed delegation)
    source_span: Span | None
    target_span: Span | None
    # For an unnamed pair, which topic the unnamed side is: the report's ("report"), the
    # report's and the one of its kind named last before ("report latest"), or only that ("latest").
    topic: str = ""

    @property
    def unnamed(self) -> bool:
        """The report's delegation or main event paired with an entity of a sentence that does not name it."""
        return (self.source_span is None) != (self.target_span is None)

    @property
    def unnamed_end(self) -> int:
        """For an ``unnamed`` pair, the end its sentence leaves unnamed (the delegation or event)."""
        return self.source if self.source_span is None else self.target


@lru_cache(maxsize=256)
def could_relate(source_type: str, target_type: str) -> bool:
    return any(r.allows(source_type, target_type) for r in RELATION_TYPES.values())


def pair_candidates(rep: Report, kept: set[int] | None = None) -> Iterator[PairCandidate]:
    """Each ordered pair of entities named in one sentence (nearest mentions),
    then the pairs a phrase standing for an entity adds there (``Report.stand_ins``),
    the report's delegation and its main events each with every entity of a
    sentence that does not name it (and so the Mission and the Event named
    last before that sentence: an annual report's second trip, a forum's
    panel under its heading), what a heading names with what its list's
    lines name, what a list entry names first with what its later sentences
    name, and each pair the rules related, once per sentence. With ``kept``, the
    delegation and the events are chosen among those entities (the others
    were dropped)."""
    seen: set[tuple[int, int, int]] = set()
    by_sent: dict[int, list[tuple[int, Span]]] = defaultdict(list)
    sents = rep.tokens.sents
    delegation = report_delegation(rep, kept)
    topics = [*([delegation] if delegation is not None else []), *report_events(rep, kept)]
    for idx, spans in rep.spans.items():
        for _, span in spans:
            by_sent[rep.tokens.sent_no[span.start]].append((idx, span))
    stand_ins: dict[int, list[tuple[int, Span]]] = defaultdict(list)
    for (idx, _), (span, _) in sorted(rep.stand_ins.items()):
        if kept is None or idx in kept:
            stand_ins[rep.tokens.sent_no[span.start]].append((idx, span))
    latest: dict[str, int] = {}  # the Mission and the Event named last before this sentence
    for n in sorted(set(by_sent) | set(stand_ins)):
        items = by_sent.get(n, [])
        sent = sents[n]
        named = [(x, y) for x in items for y in items]
        # A phrase standing for an entity adds the pairs its sentence's names do not make.
        here = stand_ins.get(n, [])
        through = [pair for x in here for y in [*items, *here] for pair in ((x, y), (y, x))]
        for pairs in (named, through):
            for cand in _nearest_pairs(rep, pairs, sent, seen):
                seen.add((cand.source, cand.target, sent[0]))
                yield cand
        last = set(latest.values())
        ranked = [(t, "report latest" if t in last else "report") for t in topics]
        ranked += [(t, "latest") for t in latest.values() if t not in topics]
        for topic, how in ranked:
            for cand in _unnamed_topic_pairs(rep, topic, items, sent, how):
                if (cand.source, cand.target, sent[0]) not in seen:
                    seen.add((cand.source, cand.target, sent[0]))
                    yield cand
        for idx, _span in sorted(items, key=lambda x: x[1].start):
            etype = rep.entities[idx].type
            if etype in (MISSION, EVENT) and (kept is None or idx in kept):
                latest[etype] = idx
        for cand in (*_heading_pairs(rep, items, sent, by_sent), *_item_pairs(rep, items, n, by_sent)):
            if (cand.source, cand.target, sent[0]) not in seen:
                seen.add((cand.source, cand.target, sent[0]))
                yield cand
    for fd in rep.found:
        for a, b in ((fd.source, fd.target), (fd.target, fd.source)):
            key = (a, b, fd.sentence[0])
            if key in seen:
                continue
            seen.add(key)
            yield PairCandidate(a, b, fd.sentence, None, None)


def _nearest_pairs(rep: Report, pairs: list[tuple[tuple[int, Span], tuple[int, Span]]], sent: tuple[int, int],
                   seen: set[tuple[int, int, int]]) -> list[PairCandidate]:
    """Of these ordered (entity, span) pairs in one sentence, one candidate per
    pair of entities that could relate, not yet made here: the nearest spans."""
    best: dict[tuple[int, int], tuple[int, Span, Span]] = {}
    for (a, sa), (b, sb) in pairs:
        if a == b:
            continue
        gap = abs(sa.start - sb.start)
        if gap > MAX_PAIR_TOKENS or (a, b, sent[0]) in seen:
            continue
        if not could_relate(rep.entities[a].type, rep.entities[b].type):
            continue
        if (a, b) not in best or gap < best[(a, b)][0]:
            best[(a, b)] = (gap, sa, sb)
    return [PairCandidate(a, b, sent, sa, sb) for (a, b), (_, sa, sb) in sorted(best.items())]


def report_delegation(rep: Report, kept: set[int] | None = None) -> int | None:
    """The delegation a report is about: its most-mentioned Mission (None without one)."""
    missions = [e for e in rep.entities if e.type == MISSION and rep.spans.get(e.index)
                and (kept is None or e.index in kept)]
    if not missions:
        return None
    return max(missions, key=lambda e: (len(rep.spans[e.index]), -e.index)).index


def _heading_pairs(rep: Report, items: list[tuple[int, Span]], sent: tuple[int, int],
                   by_sent: dict[int, list[tuple[int, Span]]]) -> Iterator[PairCandidate]:
    """What a list item or table row names paired with what the heading above
    it names ("Pavilion line-up (14 ESC members):" over "· Cygnet Ledger
    Systems Pvt Ltd, Pune"): the pair is stated by the layout, across lines."""
    tk = rep.tokens
    named: dict[tuple[int, int], list[tuple[int, Span]]] = {}  # what each heading names
    for b, sb in items:
        heading = rep.layout.heading(sb.start_char)
        if heading is None:
            continue
        if heading not in named:
            first = tk.sent_no[max(bisect_right(tk.idx, heading[0]) - 1, 0)]
            last = tk.sent_no[max(bisect_right(tk.idx, heading[1] - 1) - 1, 0)]
            named[heading] = [(a, sa) for n in range(first, last + 1) for a, sa in by_sent.get(n, ())
                              if heading[0] <= sa.start_char < heading[1]]
        for a, sa in named[heading]:
            yield from _both_ways(rep, (a, sa), (b, sb), sent)


def _item_pairs(rep: Report, items: list[tuple[int, Span]], n: int,
                by_sent: dict[int, list[tuple[int, Span]]]) -> Iterator[PairCandidate]:
    """What a list entry names first (its subject: "2) Ludhiana Forge Tech
    Pvt Ltd, Ludhiana") paired with what a later sentence of the entry names
    ("Representative: Mr Harpreet Singh Bedi, Managing Partner")."""
    tk = rep.tokens
    sent = tk.sents[n]
    for b, sb in items:
        entry = rep.layout.item(sb.start_char)
        if entry is None:
            continue
        # The entry's first line may begin inside the sentence before ("•" ends it).
        first, last = (tk.sent_no[max(bisect_right(tk.idx, at) - 1, 0)] for at in (entry[0], entry[1] - 1))
        named = [(sa.start_char, a, sa, k) for k in range(first, last + 1) for a, sa in by_sent.get(k, ())
                 if entry[0] <= sa.start_char < entry[1]]
        if not named:
            continue
        _, a, sa, k = min(named, key=lambda x: (x[0], x[1]))
        if k != n:  # (named in this sentence: paired as such)
            yield from _both_ways(rep, (a, sa), (b, sb), sent)


def _both_ways(rep: Report, first: tuple[int, Span], second: tuple[int, Span],
               sent: tuple[int, int]) -> Iterator[PairCandidate]:
    """Two entities named on different lines, as a candidate each way a relation allows."""
    (a, sa), (b, sb) = first, second
    if a != b:
        ta, tb = rep.entities[a].type, rep.entities[b].type
        if could_relate(ta, tb):
            yield PairCandidate(a, b, sent, sa, sb)
        if could_relate(tb, ta):
            yield PairCandidate(b, a, sent, sb, sa)


def report_events(rep: Report, kept: set[int] | None = None) -> list[int]:
    """The events a report is about: its most-mentioned Event if named at
    least twice (a fair's exhibitor list leaves the fair unnamed), and the
    first one its title names ("Recap: Vietnam–Nigeria Business Forum" over
    a list of speakers)."""
    events = [e for e in rep.entities if e.type == EVENT and rep.spans.get(e.index)
              and (kept is None or e.index in kept)]
    out = []
    repeated = [e for e in events if len(rep.spans[e.index]) >= 2]
    if repeated:
        out.append(max(repeated, key=lambda e: (len(rep.spans[e.index]), -e.index)).index)
    titled = [(span.start_char, e.index) for e in events for _, span in rep.spans[e.index]
              if span.start_char < TITLE_CHARS]
    if titled and min(titled)[1] not in out:
        out.append(min(titled)[1])
    return out


def _unnamed_topic_pairs(rep: Report, topic: int, items: list[tuple[int, Span]],
                         sent: tuple[int, int], how: str) -> Iterator[PairCandidate]:
    """The report's delegation (or a main event, or the Mission or Event named
    last: ``how`` says which) paired with each entity of a
    sentence that does not name it: mission reports leave their actor out
    ("Visit to the Trakia Economic Zone", "In Tbilisi the participants met
    the chamber"), fair reports their fair ("Exhibitors included ..."). The
    topic's side has no span; ``pair_features`` describes the sentence
    around the named end instead."""
    if any(idx == topic for idx, _ in items):
        return
    topic_type = rep.entities[topic].type
    first: dict[int, Span] = {}
    for idx, span in items:
        if idx not in first or span.start < first[idx].start:
            first[idx] = span
    for idx, span in sorted(first.items()):
        other = rep.entities[idx].type
        if could_relate(topic_type, other):
            yield PairCandidate(topic, idx, sent, None, span, how)
        if could_relate(other, topic_type):
            yield PairCandidate(idx, topic, sent, span, None, how)


def pair_vectors(rep: Report, cands: Sequence[PairCandidate], width: int) -> np.ndarray:
    """One row per pair: spaCy's contextual vector (``doc.tensor``, ``width``
    wide) of the source's root, the target's, the mean of the tokens between
    them and the product of the two ends, each zero where it does not exist
    (an end not named in the sentence, nothing between, a pipeline without
    the vectors). Dense input beside the named features: what the sparse
    words and paths do not say alike for words used alike."""
    out = np.zeros((len(cands), VECTOR_PARTS * width), dtype=np.float64)
    tensor = _encoder_rows(rep, width)
    if not cands or tensor is None:
        return out
    n = len(tensor)
    # All pairs at once (this runs on every report): a row of zeros at index
    # n stands for an end not named, and running sums give each stretch's mean.
    padded = np.vstack([tensor.astype(np.float64), np.zeros((1, width))])
    sums = np.vstack([np.zeros((1, width)), np.cumsum(padded[:n], axis=0)])
    source = np.array([rep.root(c.source_span) if c.source_span is not None else n for c in cands])
    target = np.array([rep.root(c.target_span) if c.target_span is not None else n for c in cands])
    lo = np.array([min(c.source_span.end, c.target_span.end) if c.source_span is not None
                   and c.target_span is not None else 0 for c in cands])
    hi = np.array([max(c.source_span.start, c.target_span.start) if c.source_span is not None
                   and c.target_span is not None else 0 for c in cands])
    out[:, :width] = padded[source]
    out[:, width:2 * width] = padded[target]
    gap = np.maximum(hi - lo, 0)
    between = gap > 0
    out[between, 2 * width:3 * width] = (sums[hi[between]] - sums[lo[between]]) / gap[between, None]
    out[:, 3 * width:] = out[:, :width] * out[:, width:2 * width]
    out *= VECTOR_SCALE
    return out


def _path(tk: Tokens, a: int, b: int) -> tuple[list[str], list[str]]:
    """The dependency path from token a to token b: (steps with directions, lemmas on the way)."""
    up_a = tk.ancestors(a)
    up_b = tk.ancestors(b)
    on_b = set(up_b)
    common = next((t for t in up_a if t in on_b), None)
    if common is None:
        return ["nopath"], []
    left = up_a[: up_a.index(common)]
    right = up_b[: up_b.index(common)]
    steps = [f"{tk.dep[t]}<" for t in left] + [f">{tk.dep[t]}" for t in reversed(right)]
    lemmas = [tk.lemma[t] for t in left[1:]] + [tk.lemma[common]] + [tk.lemma[t] for t in reversed(right[1:])]
    if common in (a, b):
        lemmas = [w for w in lemmas if w not in (tk.lemma[a], tk.lemma[b])]
    return steps, lemmas


def _list_head(tk: Tokens, t: int) -> int:
    """The first item of the list a token is a later item of (itself if none)."""
    while tk.dep[t] == "conj" and tk.head[t] != t:
        t = tk.head[t]
    return t


def _list_item_features(tk: Tokens, ra: int, rb: int, tp: str) -> Features:
    """A list's later items ("will visit France, Italy, Mexico and Colombia")
    hang off its first by ``conj``: what the sentence says of the first it
    says of them. So a pair with a later item also gets the path, the heads
    and the dependencies its list's first item has, under the same names,
    and a flag that it is a later item; two items of one list get nothing."""
    la, lb = _list_head(tk, ra), _list_head(tk, rb)
    if (la, lb) == (ra, rb) or la == lb:
        return {}
    f: Features = {"list_item": 1.0, f"list_item|{tp}": 1.0}
    f.update(_path_features(tk, la, lb)[0])
    f.update(_end_features(tk, la, lb, tp))
    return f


def _path_features(tk: Tokens, a: int, b: int) -> tuple[Features, list[str], list[str]]:
    """The dependency path between two tokens as features (a short one only), and its steps and lemmas."""
    steps, lemmas = _path(tk, a, b)
    f: Features = {}
    if len(steps) <= 6:
        path = " ".join(steps)
        f[f"path={path}"] = 1.0
        f[f"path={path}|{' '.join(lemmas)}"] = 1.0
    return f, steps, lemmas


def _end_features(tk: Tokens, a: int, b: int, tp: str) -> Features:
    """How each end hangs in its sentence: its dependency and the word it hangs from."""
    return {f"src_dep={tk.dep[a]}": 1.0, f"tgt_dep={tk.dep[b]}": 1.0,
            f"src_head={tk.lemma[tk.head[a]]}|{tp}": 1.0, f"tgt_head={tk.lemma[tk.head[b]]}|{tp}": 1.0}


def pair_features(rep: Report, cand: PairCandidate, rule_types: dict[tuple[int, int], set[str]],
                  rule_here: dict[tuple[int, int, int], set[str]]) -> Features:
    a, b = rep.entities[cand.source], rep.entities[cand.target]
    tp = f"{a.type}>{b.type}"
    if cand.unnamed:
        return _unnamed_topic_features(rep, cand, a, b, rule_types, rule_here, tp)
    f = _named_pair_features(rep, cand, a, b, rule_types, rule_here, tp)
    stood = [(end, what) for end, what in (("src", rep.stand_in(cand.source, cand.source_span)),
                                           ("tgt", rep.stand_in(cand.target, cand.target_span)))
             if what is not None]
    if not stood:
        return f
    # A pair made through a phrase standing for an entity gets feature names
    # of its own, as the unnamed-topic pairs do: many of them state nothing,
    # and they must not move the weights of pairs a sentence names together.
    f = {f"ref_{k}": v for k, v in f.items()}
    for end, what in stood:
        kind = what.split("=")[0]
        f[f"ref_{end}_{kind}"] = 1.0
        f[f"ref_{end}_{kind}|{tp}"] = 1.0
        f[f"ref_{end}_{what}"] = 1.0
    return f


def _named_pair_features(rep: Report, cand: PairCandidate, a: Entity, b: Entity,
                         rule_types: dict[tuple[int, int], set[str]],
                         rule_here: dict[tuple[int, int, int], set[str]], tp: str) -> Features:
    """A pair a sentence names together (or the rules related): the path, the
    words and the verbs between and around its two ends."""
    f: Features = {f"types={tp}": 1.0, f"kinds={a.kind or a.type}>{b.kind or b.type}": 1.0, "bias_pair": 1.0}
    for t in rule_types.get((cand.source, cand.target), ()):
        f[f"rule={t}"] = 1.0
        f[f"rule={t}|{tp}"] = 1.0
    for t in rule_types.get((cand.target, cand.source), ()):
        f[f"rule_rev={t}"] = 1.0
    for t in rule_here.get((cand.source, cand.target, cand.sentence[0]), ()):
        f[f"rule_here={t}"] = 1.0
    if cand.sentence[0] == 0:
        f["headline"] = 1.0
    if a.country and b.country:
        # A city in another country than the one named beside it is not in it.
        agree = "same" if a.country == b.country else "differ"
        f[f"country_{agree}"] = 1.0
        f[f"country_{agree}|{tp}"] = 1.0
    if place_in_own_name(a.type, a.name, b.type, [b.name, *b.aliases]):
        f["place_in_name"] = 1.0
        f[f"place_in_name|{a.kind or a.type}"] = 1.0
    if rep.in_dateline(a):
        f["src_dateline"] = 1.0
    if rep.in_dateline(b):
        f["tgt_dateline"] = 1.0
    sa, sb = cand.source_span, cand.target_span
    if sa is None or sb is None:
        f["no_cooccurrence"] = 1.0
        return f
    tk = rep.tokens
    layout = rep.layout
    if tk.sent_no[sa.start] != tk.sent_no[sb.start]:  # a heading and a line of its list, or one list entry
        entry = layout.item(sa.start_char)
        where = "one_entry" if entry is not None and entry == layout.item(sb.start_char) else "under_heading"
        f[where] = 1.0
        f[f"{where}|{tp}"] = 1.0
    ra, rb = rep.root(sa), rep.root(sb)
    f["src_first" if sa.start < sb.start else "tgt_first"] = 1.0
    lo, hi = (sa, sb) if sa.start < sb.start else (sb, sa)
    if lo.start <= hi.start and hi.end <= lo.end or hi.start <= lo.start and lo.end <= hi.end:
        f["nested"] = 1.0  # one is named inside the other ("Apollo Computer Inc")
        f[f"nested|{tp}"] = 1.0
    between = range(lo.end, hi.start)
    f[f"gap={_bucket(len(between))}"] = 1.0
    others = rep.mentions_between(lo.end, hi.start, (cand.source, cand.target))
    f[f"others_between={_bucket(others, (0, 1, 2, 4))}"] = 1.0
    if len(between) <= 12:
        for i in between:
            if not tk.punct[i]:
                f[f"bw={tk.lemma[i]}"] = 1.0
                f[f"bw={tk.lemma[i]}|{tp}"] = 1.0
        if len(between) <= 4:
            f[f"bws={' '.join(tk.lower[i] for i in between)}"] = 1.0
    elif len(between) == 0:
        f["adjacent"] = 1.0
    path_features, steps, lemmas = _path_features(tk, ra, rb)
    f.update(path_features)
    f[f"pathlen={_bucket(len(steps), (1, 2, 3, 4, 6))}"] = 1.0
    for w in lemmas:
        f[f"plem={w}"] = 1.0
        f[f"plem={w}|{tp}"] = 1.0
    f.update(_list_item_features(tk, ra, rb, tp))
    for w in layout.section(tk.idx[sa.start]):
        f[f"sec={w}|{tp}"] = 1.0
    for w in layout.column(tk.idx[sa.start]):
        f[f"src_col={w}|{tp}"] = 1.0
    for w in layout.column(tk.idx[sb.start]):
        f[f"tgt_col={w}|{tp}"] = 1.0
    f.update(_end_features(tk, ra, rb, tp))
    if sa.start > 0:
        f[f"src_prev={tk.lower[sa.start - 1]}"] = 1.0
    if sb.start > 0:
        f[f"tgt_prev={tk.lower[sb.start - 1]}"] = 1.0
    sentence = tk.sent_start[sa.start]
    f.update(rep.verb_features(sentence))
    if rep.sentence_facts(sentence)[1]:  # it speaks of the future
        f["future"] = 1.0
        f[f"future|{tp}"] = 1.0
    return f


def _unnamed_topic_features(rep: Report, cand: PairCandidate, a: Entity, b: Entity,
                                 rule_types: dict[tuple[int, int], set[str]],
                                 rule_here: dict[tuple[int, int, int], set[str]], tp: str) -> Features:
    """A pair whose delegation (or main event) the sentence leaves out: how the named end
    sits in the sentence (a list line's first word, its head and the path up
    to the root, the verbs and nouns) and whether someone else is the
    subject; how many sentences back the topic was named; and the path from
    the word that may speak of it (``topic_word``). Its own
    feature names throughout, so that these pairs, many of them stating
    nothing, do not move the weights of pairs a sentence names together."""
    f: Features = {f"un_types={tp}": 1.0, f"un_kinds={a.kind or a.type}>{b.kind or b.type}": 1.0,
                   "un_bias": 1.0, f"un_topic={cand.topic}|{tp}": 1.0}
    for t in rule_types.get((cand.source, cand.target), ()):
        f[f"un_rule={t}|{tp}"] = 1.0
    for t in rule_here.get((cand.source, cand.target, cand.sentence[0]), ()):
        f[f"un_rule_here={t}"] = 1.0
    span = cand.source_span or cand.target_span
    assert span is not None
    tk = rep.tokens
    r = rep.root(span)
    start = tk.sent_start[r]
    if start == 0:
        f[f"un_headline|{tp}"] = 1.0
    f[f"un_first={tk.lower[start]}|{tp}"] = 1.0
    if span.start == start:
        f[f"un_opens|{tp}"] = 1.0
    f[f"un_dep={tk.dep[r]}|{tp}"] = 1.0
    f[f"un_head={tk.lemma[tk.head[r]]}|{tp}"] = 1.0
    if span.start > start:
        f[f"un_prev={tk.lower[span.start - 1]}|{tp}"] = 1.0
    up = tk.ancestors(r)
    if len(up) <= 5:
        f[f"un_path={' '.join(tk.dep[step] for step in up[:-1])}|{tp}"] = 1.0
    for head in up[1:]:
        f[f"un_up={tk.lemma[head]}|{tp}"] = 1.0
    layout = rep.layout
    for w in layout.section(tk.idx[span.start]):
        f[f"un_sec={w}|{tp}"] = 1.0
    for w in layout.column(tk.idx[span.start]):
        f[f"un_col={w}|{tp}"] = 1.0
    verbs, future, pronoun = rep.sentence_facts(start)
    for lemma in verbs:
        f[f"un_sv={lemma}|{tp}"] = 1.0
    for lemma in rep.sentence_nouns(start):
        f[f"un_sn={lemma}|{tp}"] = 1.0
    if future:
        f[f"un_future|{tp}"] = 1.0
    if pronoun:
        f[f"un_pronoun_subject|{tp}"] = 1.0
    if tk.dep[r] in ("nsubj", "nsubjpass"):
        f[f"un_named_is_subject|{tp}"] = 1.0
    since = rep.sentences_since(cand.unnamed_end, tk.sent_no[r])
    f[f"un_since={'never' if since is None else _bucket(since, (1, 2, 4, 8))}|{tp}"] = 1.0
    f.update(_topic_word_features(rep, cand, tp))
    return f


def topic_word(rep: Report, cand: PairCandidate) -> tuple[int, list[str], list[str]] | None:
    """For a pair with an unnamed topic, the word by which the sentence may
    speak of the topic ("The group was received by the Chamber"), the
    nearest to the named end by the parse, and the dependency path between
    it and the named end, read from the pair's source to its target (steps,
    lemmas)."""
    span = cand.source_span or cand.target_span
    if span is None or not cand.unnamed:
        return None
    tk = rep.tokens
    r = rep.root(span)
    best: tuple[tuple[int, int], int, list[str], list[str]] | None = None
    for w in rep.topic_words(tk.sent_start[r], rep.entities[cand.unnamed_end].type):
        steps, lemmas = _path(tk, w, r) if cand.source_span is None else _path(tk, r, w)
        if steps == ["nopath"]:
            continue
        key = (len(steps), abs(w - r))
        if best is None or key < best[0]:
            best = (key, w, steps, lemmas)
    return None if best is None else best[1:]


def _topic_word_features(rep: Report, cand: PairCandidate, tp: str) -> Features:
    """How the named end of an unnamed-topic pair hangs from the word that
    may speak of the topic (``topic_word``)."""
    found = topic_word(rep, cand)
    if found is None:
        return {f"un_noref|{tp}": 1.0}
    tk = rep.tokens
    word, steps, lemmas = found
    f: Features = {f"un_ref={tk.lemma[word]}|{tp}": 1.0, f"un_ref_dep={tk.dep[word]}|{tp}": 1.0,
                   f"un_ref_len={_bucket(len(steps), (1, 2, 3, 4, 6))}|{tp}": 1.0}
    if len(steps) <= 6:
        path = " ".join(steps)
        f[f"un_refpath={path}|{tp}"] = 1.0
        f[f"un_refpath={path}|{' '.join(lemmas)}"] = 1.0
    for w in lemmas:
        f[f"un_refplem={w}|{tp}"] = 1.0
    return f
