"""Relations from sentence structure.

Each rule reads the dependency parse around one trigger word (a verb such as
"met", "signed", "led", a noun such as "talks between", a participle such as
"headed by") and links the entities in its subject, object and
prepositional arguments, expanded over conjunctions and appositions. No rule
links two entities merely because they share a sentence. A few rules read
names instead of sentences: "Trade Promotion Office of the X Commission" is
PART_OF X. Sector facts from descriptions and names are in ``sector_facts``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc, Span, Token

from graph.gazetteer import demonym_country, find_place
from graph.model import normalise_name
from graph.ontology import (
    EVENT,
    IN_SECTOR,
    INVITED,
    LED,
    LOCATED_IN,
    MEMBER_OF,
    MET_WITH,
    MISSION,
    ORGANIZATION,
    ORGANIZED,
    PART_OF,
    PARTICIPATED_IN,
    PERSON,
    PLACE,
    PLANS_VISIT,
    RELATION_TYPES,
    SECTOR,
    SIGNED_WITH,
    SYMMETRIC_RELATIONS,
    VISITED,
    WORKS_FOR,
)
from graph.sectors import find_sectors
from ingest.mentions import TITLE_HEADS, Entity, Mention
from ingest.nlp import BULLET_MARK
from ingest.organisations import LEGAL_SUFFIXES, ORG_HEADS
from ingest.tokens import Tokens

SUBJ = ("nsubj", "nsubjpass", "csubj")
MEET_VERBS = frozenset({"meet", "receive", "confer", "negotiate", "talk", "welcome", "host", "greet", "brief",
                        "co-host"})
# "hosted a reception for the delegation": the host met the guests.
HOSPITALITY_NOUNS = frozenset({"reception", "dinner", "lunch", "luncheon", "breakfast", "banquet", "gala"})
# Verbs whose direct object is the other party: "X received the delegation".
MEET_DIRECT = frozenset({"meet", "receive", "welcome", "host", "greet"})
# Verbs that take a visitor round a place: "was shown around the park".
SHOW_VERBS = frozenset({"show", "guide", "take", "walk", "escort"})
# "The group was then taken to Hai Phong": brought there.
BRING_VERBS = frozenset({"take", "bring", "escort", "drive", "accompany", "send", "dispatch"})
PRONOUNS = frozenset({"it", "they", "he", "she", "we"})
MEET_NOUNS = frozenset({"talks", "talk", "meeting", "meetings", "discussions", "negotiations", "consultations"})
SIGN_VERBS = frozenset({"sign", "conclude", "ink", "initial"})
DEAL_NOUNS = frozenset({"agreement", "accord", "memorandum", "contract", "deal", "mou", "treaty", "protocol"})
VISIT_VERBS = frozenset({"visit", "tour"})
# "return" is left out: going home is no visit.
ARRIVE_VERBS = frozenset({"arrive", "travel", "go", "fly", "come", "proceed", "land"})
LEAVE_VERBS = frozenset({"leave", "depart", "set"})
TRIP_NOUNS = frozenset({"visit", "trip", "trips", "journey", "tour", "mission", "visits", "roadshow"})
LEAD_VERBS = frozenset({"lead", "head"})
MEMBER_VERBS = frozenset({"consist", "comprise", "include", "compose", "involve", "bring"})
PARTICIPATE_VERBS = frozenset({"participate", "attend", "exhibit", "join"})
ORGANIZE_VERBS = frozenset({"organise", "organize", "host", "sponsor", "stage", "convene", "hold", "launch",
                            "co-organise", "co-organize", "co-host", "co-sponsor", "arrange", "co-arrange",
                            # spaCy lemmatises "staging" as "stag".
                            "stag"})
HOLD_VERBS = frozenset({"hold", "take", "open", "stage", "organise", "organize"})
HOLD_OR_SITE_VERBS = HOLD_VERBS | {"locate", "base", "situate"}
SECTOR_VERBS = frozenset({"engage", "specialise", "specialize", "operate", "produce", "manufacture",
                          "make", "develop", "sell", "export", "supply", "invest", "focus", "work",
                          "provide", "build", "grow", "process", "distribute", "trade"})
FUTURE_MARKERS = frozenset({"will", "shall", "plan", "intend", "expect", "aim", "prepare", "'ll", "due", "schedule",
                            "set"})
# Plural nouns for firms: "eight Korean manufacturers" are firms, not Korea.
FIRM_NOUNS = frozenset({"companies", "firms", "enterprises", "exporters", "importers", "manufacturers", "producers",
                        "makers", "suppliers", "buyers", "businesses", "exhibitors", "growers", "processors"})
OWN_UNITS = frozenset({"office", "branch", "bureau", "representation", "team", "unit", "department"})
# "Speakers from X", "officials from X": people standing for their body.
PEOPLE_OF = frozenset({"speakers", "representatives", "officials", "executives", "delegates", "managers",
                       "experts", "staff", "members"})
FUTURE_ADJECTIVES = frozenset({"next", "upcoming", "planned", "future", "forthcoming"})


@dataclass(slots=True)
class Found:
    type: str
    source: int
    target: int
    confidence: float
    sentence: tuple[int, int]
    attrs: dict[str, Any] = field(default_factory=dict)
    anchor: int = -1  # the token of the deal noun a SIGNED_WITH rests on ("contract")
    trigger: int = -1  # the token whose rule found it ("met", "talks"): where-clauses hang from it


class Context:
    """One parsed report with its entities, and the relations found so far."""

    def __init__(self, doc: Doc, text: str, entities: list[Entity], mentions: list[Mention],
                 new_entity: Callable[[str, str, int, int, dict[str, Any]], Entity],
                 tokens: Tokens | None = None) -> None:
        self.doc = doc
        self._tokens = tokens
        self.text = text
        self.entities = entities
        self.new_entity = new_entity
        self.tok_ent = [-1] * len(doc)
        for m in mentions:
            # A dateline place is where the story was filed, never an actor.
            if m.entity < 0 or m.type == SECTOR or m.attrs.get("dateline"):
                continue
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is None:
                continue
            for i in range(span.start, span.end):
                if self.tok_ent[i] == -1:
                    self.tok_ent[i] = m.entity
        self.sectors = [m for m in mentions if m.type == SECTOR and m.entity >= 0]
        self.starts = {m.start: entities[m.entity] for m in mentions if m.entity >= 0 and not m.generic}
        self.found: list[Found] = []
        # The token whose rule is running; relations it finds remember it so
        # later passes can read its clause (where the meeting happened).
        self.trigger = -1
        # The event of the last pavilion or stand named ("the pavilion was arranged by X").
        self.pavilion_event = -1

    @property
    def tokens(self) -> Tokens:
        """The parse's token attributes as lists (``ingest.tokens``), read once."""
        if self._tokens is None:
            self._tokens = Tokens(self.doc)
        return self._tokens

    def tokens_with(self, values: list[str], words: Collection[str]) -> list[Token]:
        """The tokens whose value in ``values`` (a column of ``tokens``) is one
        of ``words``, in text order: a rule that fires on a few words need not
        make a Token of every word to look."""
        return [self.doc[i] for i, value in enumerate(values) if value in words]

    def add(self, rtype: str, src: int, tgt: int, conf: float, sent: Span, anchor: int = -1,
            **attrs: Any) -> None:
        if src < 0 or tgt < 0 or src == tgt:
            return
        a, b = self.entities[src], self.entities[tgt]
        rel = RELATION_TYPES[rtype]
        if not rel.allows(a.type, b.type):
            return
        if rtype == PLANS_VISIT and b.type != PLACE:
            return  # a planned trip goes to a place (ONTOLOGY.md)
        if not (a.type in rel.sources and b.type in rel.targets):
            if rtype in SYMMETRIC_RELATIONS:
                src, tgt = tgt, src
            else:
                return
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.found.append(Found(rtype, src, tgt, conf, (sent.start_char, sent.end_char), attrs, anchor,
                                self.trigger))

    # --- noun phrases -> entities ---------------------------------------------

    def ent(self, tok: Token) -> int:
        return self.tok_ent[tok.i]

    def np_entities(self, tok: Token, depth: int = 0) -> list[int]:
        """Entities a noun phrase headed by ``tok`` stands for, over
        conjunctions, appositions, "representatives of X" and national
        adjectives ("Indian businessmen" -> India)."""
        out: list[int] = []
        for t in conjuncts(tok):
            e = self.ent(t)
            if e >= 0:
                out.append(e)
                # "A Sdn Bhd and B Sdn Bhd had a stand": the parser may hang the
                # first name, with its "and", inside the second.
                for c in t.children:
                    if c.dep_ in ("nmod", "compound") and c.i < t.i and self.ent(c) >= 0 \
                            and self.ent(c) != e and any(x.dep_ == "cc" and x.lower_ == "and" for x in c.children):
                        out.append(self.ent(c))
                continue
            if t.lower_ in ("latter", "former") and any(c.lower_ == "the" for c in t.children):
                # "talks with A and B, and signed with the latter": the nearest
                # name before it (the one before that for "the former").
                seen: list[int] = []
                for i in range(t.i - 1, max(-1, t.sent.start - 40), -1):
                    if self.tok_ent[i] >= 0 and self.tok_ent[i] not in seen:
                        seen.append(self.tok_ent[i])
                want = 0 if t.lower_ == "latter" else 1
                if len(seen) > want and self.entities[seen[want]].type in (ORGANIZATION, PERSON):
                    out.append(seen[want])
                continue
            if depth > 2:
                continue
            inner: list[int] = []
            for c in t.children:
                if c.dep_ == "appos":
                    inner += self.np_entities(c, depth + 1)
            if not inner:
                for c in t.children:
                    if c.dep_ == "prep" and (c.lower_ in ("of", "like", "including")
                                             or c.lower_ == "from" and t.lower_ in PEOPLE_OF) \
                            or c.dep_ == "acl" and c.lower_ in ("including",):
                        # "officials of X and of Y"
                        for cp in conjuncts(c):
                            for p in cp.children:
                                if p.dep_ == "pobj":
                                    inner += self.np_entities(p, depth + 1)
                    elif c.dep_ == "acl" and c.lemma_ in ("operate", "own", "run", "manage") and c.tag_ == "VBN":
                        # "a cocoa plant operated by X" stands for X.
                        inner += [e for a in c.children if a.dep_ == "agent"
                                  for p in a.children if p.dep_ == "pobj" for e in self.np_entities(p, depth + 1)]
                    elif c.dep_ == "prep" and c.lower_ == "such":
                        for p in c.subtree:
                            if p.dep_ == "pobj":
                                inner += self.np_entities(p, depth + 1)
                                break
            if not inner and t.pos_ == "NOUN" and t.lower_ in ORG_HEADS:
                # "the Kazakh Invest national company": the name modifies a
                # common noun for a body.
                # "MATRADE's Seoul office": the body's own unit stands for it.
                for c in t.children:
                    if (c.dep_ in ("nmod", "compound") or c.dep_ == "poss" and t.lower_ in OWN_UNITS) \
                            and c.i < t.i and self.ent(c) >= 0 \
                            and self.entities[self.ent(c)].type == ORGANIZATION:
                        inner.append(self.ent(c))
                        break
            if not inner and t.pos_ in ("NOUN", "PROPN") and t.lower_ in FIRM_NOUNS:
                # "Twenty-two Peruvian exporters exhibited": the report's one
                # delegation when they act; never their country.
                missions = [e.index for e in self.entities if e.type == MISSION]
                if t.dep_ in ("nsubj", "nsubjpass") and len(missions) == 1:
                    inner.append(missions[0])
            elif not inner and t.pos_ in ("NOUN", "PROPN"):
                for c in t.children:
                    if c.dep_ in ("amod", "compound") and c.i < t.i:
                        for cc in conjuncts(c):
                            code = demonym_country(cc.text)
                            if code and cc.text[:1].isupper():
                                inner.append(self.country_entity(code, cc))
            out += [e for e in inner if e >= 0]
        return list(dict.fromkeys(out))

    def country_entity(self, code: str, tok: Token) -> int:
        for e in self.entities:
            if e.type == PLACE and e.kind == "country" and e.country == code:
                return e.index
        return -1

    def subjects(self, verb: Token) -> list[int]:
        v: Token | None = verb
        for _ in range(3):
            if v is None:
                break
            subs = [c for c in v.children if c.dep_ in ("nsubj", "csubj", "nsubjpass")]
            subs = subs + self.swallowed_conjunct(v) if subs else self.swallowed_subject(v)
            if subs:
                out: list[int] = []
                for s in subs:
                    if s.lower_ in ("which", "that", "who") and v.dep_ == "relcl":
                        # "X a.s., which makes freight wagons": the noun the clause is on.
                        out += [self.ent(v.head)] if self.ent(v.head) >= 0 else self.np_entities(v.head)
                    elif s.lower_ in PRONOUNS:
                        out += self.pronoun(s)
                    else:
                        out += self.np_entities(s)
                return out
            # Shared subject: "X is engaged in ... and consists of ...";
            # purpose clauses take the main verb's subject.
            if v.dep_ == "relcl":
                # "Piotr Nowak, Deputy Minister of ... of Poland, who led": the
                # person the clause is about, not the last noun before it.
                who = [c for c in v.children if c.dep_ == "nsubj" and c.lower_ == "who"]
                if who:
                    for i in range(who[0].i - 1, max(v.sent.start, who[0].i - 40) - 1, -1):
                        if self.tok_ent[i] >= 0 and self.entities[self.tok_ent[i]].type == PERSON:
                            return [self.tok_ent[i]]
                return self.np_entities(v.head)
            if v.dep_ not in ("conj", "xcomp", "advcl") or v.head is v:
                return []
            v = v.head
            # A verb misparsed as the conjunct of a noun ("... chemical
            # products and consists of"): climb to the clause's verb.
            steps = 0
            while (v.pos_ not in ("VERB", "AUX") or v.dep_ == "acl") and v.head is not v and steps < 10:
                v = v.head
                steps += 1
        return []

    def swallowed_subject(self, verb: Token) -> list[Token]:
        """"On 3 May 2024 Orda Gearworks Ltd signed ...": without a comma the
        parser makes the name the object of the fronted "On"; a name that
        ends such a date phrase before the verb is the verb's subject."""
        for c in verb.children:
            if c.dep_ != "prep" or c.i > verb.i or c.lower_ not in ("on", "in", "at"):
                continue
            for p in c.children:
                dated = any(t.like_num or t.ent_type_ == "DATE" for t in p.subtree if t.i < p.i)
                if p.dep_ == "pobj" and dated and self.ent(p) >= 0 and self.entities[self.ent(p)].type != PLACE:
                    return [p]
        if verb.dep_ == "ROOT" and verb.tag_ == "VBD":
            # "On the margins of the session, A and B organised ...": the
            # parser hangs the names on the fronted phrase and the verb has
            # no subject; the names right before it are.
            out: list[Token] = []
            i = verb.i - 1
            while i >= verb.sent.start:
                t = self.doc[i]
                if self.ent(t) >= 0 and self.entities[self.ent(t)].type in (ORGANIZATION, PERSON, MISSION):
                    if not out or self.ent(out[-1]) != self.ent(t):
                        out.append(t)
                elif t.lower_ not in ("and", "the") or not out:
                    break
                i -= 1
            return out
        return []

    def swallowed_conjunct(self, verb: Token) -> list[Token]:
        """"On 12 March the Hamburg office of X and Y convened ...": the
        parser makes the first subject a second object of the fronted "On"
        (its "and" still hangs from it); it is a subject too."""
        out: list[Token] = []
        for c in verb.children:
            if c.dep_ != "prep" or c.i > verb.i or c.lower_ not in ("on", "in"):
                continue
            objs = [p for p in c.children if p.dep_ == "pobj"]
            if len(objs) < 2 or not (objs[0].ent_type_ == "DATE" or objs[0].like_num
                                     or any(t.like_num for t in objs[0].subtree)):
                continue
            out += [p for p in objs[1:] if p.pos_ in ("NOUN", "PROPN")
                    and any(x.dep_ == "cc" and x.lower_ == "and" for x in p.children)]
        return out

    def pronoun(self, tok: Token) -> list[int]:
        """"Fujitsu said it signed ...": "it" is the subject of the saying
        verb; "the delegation left for X, where it attended ...": the subject
        of the clause the pronoun's clause hangs from."""
        for v in tok.head.ancestors:
            if v.pos_ not in ("VERB", "AUX"):
                continue
            for c in v.children:
                if c.dep_ in ("nsubj", "nsubjpass") and c.i != tok.i and c.lower_ not in PRONOUNS:
                    ents = self.np_entities(c)
                    if ents:
                        return ents
        # Otherwise the first subject entity of the nearest earlier sentence
        # that has one ("Day 3, Curitiba. It then travelled to ...").
        sent = tok.sent
        for _ in range(3):
            if sent.start == 0:
                break
            sent = self.doc[sent.start - 1].sent
            for t in sent:
                if t.dep_ in ("nsubj", "nsubjpass") and t.lower_ not in ("it", "they"):
                    ents = self.np_entities(t)
                    if ents:
                        return ents[:1]
        # No earlier subject parsed: "it" in a mission report is the
        # delegation last named in those sentences.
        if tok.lower_ in ("it", "they"):
            for i in range(tok.i - 1, sent.start - 1, -1):
                e = self.tok_ent[i]
                if e >= 0 and self.entities[e].type == MISSION:
                    return [e]
        return []

    def objects(self, verb: Token, preps: tuple[str, ...] = (), direct: bool = True) -> list[int]:
        out: list[int] = []
        for c in verb.children:
            if direct and c.dep_ in ("dobj", "attr", "oprd"):
                out += self.np_entities(c)
            elif c.dep_ == "prep" and c.lower_ in preps or c.dep_ == "agent" and "by" in preps:
                # "with the ministry and with the agency"
                for cp in conjuncts(c):
                    for p in cp.children:
                        if p.dep_ == "pobj":
                            out += self.np_entities(p)
            elif c.dep_ == "prep" and preps:
                # "talks with A on X and with B": the second "with" is
                # parsed as a conjunct of "on".
                for cp in conjuncts(c)[1:]:
                    if cp.lower_ in preps:
                        out += [e for p in cp.children if p.dep_ == "pobj" for e in self.np_entities(p)]
        return out

    def recent_mission(self, sent: Span) -> int:
        """The delegation last mentioned in this sentence or the one before:
        who held the talks a report states without an actor."""
        start = sent.start
        for _ in range(2):
            if start > 0:
                start = self.doc[start - 1].sent.start
        for i in range(sent.end - 1, start - 1, -1):
            e = self.tok_ent[i]
            if e >= 0 and self.entities[e].type == MISSION:
                return e
        return -1

    def last_meeting(self, sent: Span) -> list[int]:
        """The two parties of the latest meeting found in this sentence or
        the one before: who "the two sides" are."""
        start = self.doc[sent.start - 1].sent.start_char if sent.start > 0 else sent.start_char
        for f in reversed(self.found):
            if f.sentence[0] < start:
                break
            if f.type == MET_WITH:
                return [f.source, f.target]
        return []

    def typed(self, ids: list[int], *types: str) -> list[int]:
        return [i for i in ids if self.entities[i].type in types]


def conjuncts(tok: Token) -> list[Token]:
    out = [tok]
    stack = [tok]
    while stack:
        t = stack.pop()
        for c in t.children:
            if c.dep_ == "conj" and c not in out:
                out.append(c)
                stack.append(c)
    return out


def is_future(verb: Token) -> bool:
    for c in verb.children:
        if c.dep_ in ("aux", "auxpass") and c.lower_ in FUTURE_MARKERS:
            return True
    v = verb
    while v.dep_ in ("xcomp", "conj") and v.head is not v:
        v = v.head
        if v.lemma_ in FUTURE_MARKERS or any(c.lower_ in FUTURE_MARKERS for c in v.children if c.dep_ == "aux"):
            return True
    # "invited the chamber to lead a mission to Astana": not yet done.
    if verb.dep_ == "xcomp" and verb.head.lemma_ in ("invite", "ask", "urge", "propose", "want", "hope",
                                                      "agree", "decide", "offer"):
        return True
    # "The next mission of the chamber goes to Almaty."
    for c in verb.children:
        if c.dep_ in ("nsubj", "nsubjpass") and any(a.lower_ in FUTURE_ADJECTIVES for a in c.children):
            return True
    return verb.lemma_ in ("plan", "intend")


def deal_noun(verb: Token) -> int:
    """The token of what was signed ("signed a supply contract", "reached an
    accord", "a letter of intent"), or -1 when the object is no deal."""
    for c in verb.children:
        if c.dep_ not in ("dobj", "nsubjpass"):
            continue
        if c.lower_ in DEAL_NOUNS or c.lemma_.lower() in DEAL_NOUNS:
            return c.i
        if c.lower_ == "letter" and any(p.lower_ == "of" for p in c.children):
            return c.i
    return -1


SIDE_NOUNS = frozenset({"sides", "parties", "partners", "delegations"})


def _both_sides(verb: Token) -> bool:
    """"The two sides signed", "both parties concluded": the subject is the
    pair that has just met."""
    for c in verb.children:
        if c.dep_ == "nsubj" and c.lower_ in SIDE_NOUNS and any(
                x.lower_ in ("two", "both") for x in c.children):
            return True
    return False


def _pairs(ids: list[int]) -> list[tuple[int, int]]:
    return [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]]


def _between(ctx: Context, noun: Token) -> list[int]:
    for c in noun.children:
        if c.dep_ == "prep" and c.lower_ == "between":
            for p in c.children:
                if p.dep_ == "pobj":
                    return ctx.np_entities(p)
    for c in noun.children:
        # "talks in Lagos between A and B": the parser hangs "between" on the place.
        if c.dep_ == "prep" and c.lower_ in ("in", "at"):
            for p in c.children:
                if p.dep_ == "pobj":
                    found = _between(ctx, p) if p.pos_ == "PROPN" else []
                    if found:
                        return found
    return []


def _sentence_rules(ctx: Context, sent: Span) -> None:
    doc = ctx.doc
    tk = ctx.tokens
    for tok in sent:
        # Each token's tags are read from the report's token lists: a spaCy
        # attribute is a string look-up on every access, and every rule below
        # tests them.
        i = tok.i
        pos, low, dep, tag = tk.pos[i], tk.lower[i], tk.dep[i], tk.tag[i]
        ctx.trigger = i
        lemma = tk.lemma[i]  # lower case
        is_verb = pos in ("VERB", "AUX")
        if is_verb and lemma in MEET_VERBS and not is_future(tok):
            subj = ctx.subjects(tok)
            passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children)
            meet_preps = ("with", "by") if passive else ("with",)
            obj = ctx.objects(tok, meet_preps, direct=lemma in MEET_DIRECT and not passive)
            if dep == "acl" and tag == "VBN":
                # "the delegation, received by the minister, ..."
                subj = ctx.np_entities(tok.head)
            if dep == "pcomp" and tok.head.lower_ == "of" and tok.head.head.lower_ in (
                    "pleasure", "honour", "honor", "privilege"):
                # "our Chamber had the pleasure of welcoming the delegation"
                subj = ctx.subjects(tok.head.head.head)
            if passive and lemma in ("welcome", "receive", "host"):
                # "the group was welcomed at the Embassy of X": by the body there.
                obj += [o for o in ctx.typed(ctx.objects(tok, ("at",), direct=False), ORGANIZATION)
                        if ctx.entities[o].kind not in (None, "other", "park")]
            if lemma in ("host", "welcome", "greet"):
                # "welcomed the Lithuanian companies" welcomes firms, not Lithuania.
                obj = [o for o in obj if ctx.entities[o].type != PLACE]
            for s in subj:
                for o in obj:
                    ctx.add(MET_WITH, s, o, 0.9 if lemma not in ("host", "welcome", "greet") else 0.8, sent)
            # "was welcomed in George Town": a delegation met there is there.
            for s in ctx.typed(subj, MISSION):
                for place in ctx.typed(ctx.objects(tok, ("in",), direct=False), PLACE):
                    ctx.add(VISITED, s, place, 0.6, sent)
            if not obj and len(subj) > 1 and lemma == "meet":
                for a, b in _pairs(subj):
                    ctx.add(MET_WITH, a, b, 0.8, sent)
        if is_verb and lemma in ("host", "give", "offer", "throw") and dep == "acl" and tag == "VBN" \
                and tok.head.lower_ in HOSPITALITY_NOUNS and not is_future(tok.head.head):
            # "The day ended with a dinner hosted by the mayor": the host met
            # the guests, the report's one delegation where none is named.
            guests = ctx.objects(tok.head, ("for",), direct=False) + ctx.objects(tok, ("for",), direct=False)
            missions = [e.index for e in ctx.entities if e.type == MISSION]
            for h in ctx.objects(tok, ("by",), direct=False):
                for g in guests or (missions if len(missions) == 1 else []):
                    ctx.add(MET_WITH, h, g, 0.6, sent)
        if is_verb and lemma in ("host", "give", "offer", "throw", "organise", "organize") and not is_future(tok):
            # "hosted a reception for the delegation"
            for c in tok.children:
                if c.dep_ == "dobj" and c.lower_ in HOSPITALITY_NOUNS:
                    guests = ctx.objects(c, ("for",), direct=False) + ctx.objects(tok, ("for",), direct=False)
                    for s in ctx.subjects(tok):
                        for g in guests:
                            ctx.add(MET_WITH, s, g, 0.75, sent)
        if is_verb and lemma in ("pay", "make") and not is_future(tok):
            # "paid a courtesy call on the Vice President"
            for c in tok.children:
                if c.dep_ == "dobj" and c.lower_ in ("call", "calls"):
                    subj = ctx.subjects(tok)
                    hosts = ctx.objects(c, ("on", "to", "at"), direct=False) + ctx.objects(
                        tok, ("on", "to", "at"), direct=False)
                    for s in subj:
                        for h in hosts:
                            ctx.add(MET_WITH, s, h, 0.8, sent)
                        for place in ctx.typed(ctx.objects(tok, ("in",), direct=False), PLACE):
                            if ctx.entities[s].type == MISSION:
                                ctx.add(VISITED, s, place, 0.6, sent)
        elif is_verb and lemma in ("hold", "have", "begin", "start", "conduct", "open"):
            for c in tok.children:
                # "Talks were held with MIDA": the delegation in view held them.
                if c.dep_ == "nsubjpass" and c.lower_ in MEET_NOUNS:
                    holders = ctx.objects(tok, ("by",), direct=False) or [ctx.recent_mission(sent)]
                    for o in ctx.objects(tok, ("with",), direct=False) + ctx.objects(c, ("with",), direct=False):
                        for h in holders:
                            ctx.add(MET_WITH, h, o, 0.6, sent)
                if c.dep_ == "dobj":
                    nouns = [c] + [p for p in c.subtree if p.dep_ == "pobj" and p.lower_ in MEET_NOUNS]
                    if not any(n.lower_ in MEET_NOUNS for n in nouns):
                        continue
                    subj = ctx.subjects(tok)
                    # "held talks with X": the "with" may hang from the verb.
                    others = ctx.objects(tok, ("with",), direct=False)
                    for n in nouns:
                        others += ctx.objects(n, ("with",), direct=False)
                    for o in dict.fromkeys(others):
                        for s in subj:
                            ctx.add(MET_WITH, s, o, 0.85, sent)
                    # "begins talks in Bonn": the talker is there.
                    for p in [*tok.children, *c.subtree]:
                        if p.dep_ == "prep" and p.lower_ == "in":
                            for place in ctx.typed(ctx.objects(p, (), direct=False) + [
                                    e for pp in p.children if pp.dep_ == "pobj" for e in ctx.np_entities(pp)], PLACE):
                                if ctx.entities[place].kind == "city":
                                    for s in subj:
                                        ctx.add(VISITED, s, place, 0.6, sent)
        if pos == "NOUN" and low in MEET_NOUNS:
            parties = _between(ctx, tok)
            for a, b in _pairs(parties):
                ctx.add(MET_WITH, a, b, 0.8, sent)
            # "three days of talks in Lagos between the minister and a
            # visiting delegation": the delegation was there.
            for place in ctx.typed(ctx.objects(tok, ("in",), direct=False), PLACE):
                for m in ctx.typed(parties, MISSION):
                    ctx.add(VISITED, m, place, 0.6, sent)
        if pos == "NOUN" and low in DEAL_NOUNS:
            for a, b in _pairs(_between(ctx, tok)):
                ctx.add(SIGNED_WITH, a, b, 0.75, sent, anchor=tok.i)
            # "the accord was reached between A and B"
            if dep == "nsubjpass":
                for a, b in _pairs(_between(ctx, tok.head)):
                    ctx.add(SIGNED_WITH, a, b, 0.8, sent, anchor=tok.i)
        if is_verb and (lemma in SIGN_VERBS or lemma in ("agree", "reach") and dep != "amod"):
            subj = ctx.subjects(tok)
            if lemma in SIGN_VERBS and any(c.dep_ == "agent" for c in tok.children):
                # "An agreement was signed by A and B": the signers are the agents.
                subj = ctx.objects(tok, ("by",), direct=False) or subj
            if not subj and _both_sides(tok) and (lemma in SIGN_VERBS or deal_noun(tok) >= 0):
                subj = ctx.last_meeting(sent)
            withs: list[int] = []
            for t in tok.subtree:
                if t.lower_ == "with" and t.dep_ == "prep" and not _other_signing(t, tok):
                    # Not across another signing clause ("A signed with B, and C signed with D").
                    withs += [e for p in t.children if p.dep_ == "pobj" for e in ctx.np_entities(p)]
            conf = 0.9 if lemma in SIGN_VERBS else 0.7
            deal = deal_noun(tok)
            for s in subj:
                for o in withs:
                    ctx.add(SIGNED_WITH, s, o, conf, sent, anchor=deal)
            if not withs and len(subj) > 1 and (lemma in SIGN_VERBS or lemma == "agree"):
                for a, b in _pairs(subj):
                    ctx.add(SIGNED_WITH, a, b, conf - 0.05, sent, anchor=deal)
            if dep in ("ROOT", "conj") and lemma in SIGN_VERBS:
                for a, b in _pairs(_between(ctx, tok)):
                    ctx.add(SIGNED_WITH, a, b, 0.8, sent, anchor=deal)
        if is_verb and lemma in VISIT_VERBS:
            future = is_future(tok)
            rtype = PLANS_VISIT if future else VISITED
            targets = ctx.objects(tok, ("to",))
            # "toured a meal plant in Gimhae": an unnamed site in a named place.
            for c in tok.children:
                # "a meal plant in Gimhae run by X" is in Gimhae too.
                if c.dep_ == "dobj" and ctx.ent(c) < 0 and (not ctx.np_entities(c) or any(
                        a.dep_ == "acl" and a.lemma_ in ("operate", "own", "run", "manage") for a in c.children)):
                    targets += ctx.typed([e for p in c.children if p.dep_ == "prep" and p.lower_ == "in"
                                          for q in p.children if q.dep_ == "pobj" for e in ctx.np_entities(q)], PLACE)
            for s in ctx.subjects(tok):
                for o in targets:
                    ctx.add(rtype, s, o, 0.85, sent)
        if is_verb and lemma in ("take", "bring") and tag != "VBN":
            # "The chamber plans to take a delegation to Reykjavik": the
            # one who takes it goes too.
            for c in tok.children:
                if c.dep_ == "dobj" and (c.lower_ in ("delegation", "mission", "group")
                                         or ctx.ent(c) >= 0 and ctx.entities[ctx.ent(c)].type == MISSION):
                    dests = ctx.typed(ctx.objects(tok, ("to",), direct=False), PLACE)
                    for s in ctx.typed(ctx.subjects(tok), ORGANIZATION, PERSON):
                        for d in dests:
                            ctx.add(PLANS_VISIT if is_future(tok) else VISITED, s, d, 0.7, sent)
        if low in ("stop", "destination", "leg") and dep == "nsubj" and tok.head.lemma_ == "be" and any(
                c.lower_ in ("first", "second", "third", "next", "last", "final") for c in tok.children):
            # "The first stop was Hanoi": the report's one delegation went there.
            missions = [e.index for e in ctx.entities if e.type == MISSION]
            for c in tok.head.children:
                if c.dep_ == "attr" and len(missions) == 1:
                    for place in ctx.typed(ctx.np_entities(c), PLACE):
                        ctx.add(PLANS_VISIT if is_future(tok.head) else VISITED, missions[0], place, 0.6, sent)
        if is_verb and lemma in LEAVE_VERBS:
            # "left for Kuala Lumpur": going there.
            rtype = PLANS_VISIT if is_future(tok) else VISITED
            for s in ctx.subjects(tok):
                for o in ctx.typed(ctx.objects(tok, ("for",), direct=False), PLACE):
                    ctx.add(rtype, s, o, 0.7, sent)
        if is_verb and lemma in BRING_VERBS and not is_future(tok) and tag == "VBN" and any(
                c.dep_ in ("nsubjpass", "auxpass") for c in [*tok.children, *tok.head.children]):
            # "The group was then taken to Hai Phong"; "was met at the airport and taken to X"
            holder = tok if any(c.dep_ == "nsubjpass" for c in tok.children) else tok.head
            visitors = [e for c in holder.children if c.dep_ == "nsubjpass"
                        for e in (ctx.pronoun(c) if c.lower_ in PRONOUNS else ctx.np_entities(c))]
            for o in ctx.typed(ctx.objects(tok, ("to",), direct=False), PLACE, ORGANIZATION):
                for v in ctx.typed(visitors, MISSION, PERSON, ORGANIZATION):
                    ctx.add(VISITED, v, o, 0.7, sent)
        if is_verb and lemma in SHOW_VERBS and any(c.lower_ in ("around", "round", "through") for c in tok.children):
            # "The mission was shown around the zone" / "X showed the visitors around the zone".
            around = [p for c in tok.children if c.lower_ in ("around", "round", "through")
                      for p in c.children if p.dep_ == "pobj"]
            # "shown around the Steel Works" is sometimes parsed with the place as object.
            toured = [] if around else [c for c in tok.children if c.dep_ == "dobj"]
            visitors = [e for c in tok.children if c.dep_ in ("nsubjpass", "dative") or c.dep_ == "dobj" and around
                        for e in ctx.np_entities(c)]
            for p in toured:
                for o in ctx.typed(ctx.np_entities(p), PLACE, ORGANIZATION):
                    for v in ctx.typed(visitors or [e for c in tok.head.children if c.dep_ in ("nsubjpass", "nsubj")
                                                    for e in (ctx.pronoun(c) if c.lower_ in PRONOUNS
                                                              else ctx.np_entities(c))], MISSION, PERSON):
                        ctx.add(VISITED, v, o, 0.7, sent)
            if not visitors and dep == "conj":
                # "was taken to X and shown around Y": the first verb's subject.
                visitors = [e for c in tok.head.children if c.dep_ in ("nsubjpass", "nsubj")
                            for e in (ctx.pronoun(c) if c.lower_ in PRONOUNS else ctx.np_entities(c))]
            for c in tok.children:
                if c.lower_ in ("around", "round", "through"):
                    for p in c.children:
                        if p.dep_ == "pobj":
                            for o in ctx.typed(ctx.np_entities(p), PLACE, ORGANIZATION):
                                for v in visitors:
                                    ctx.add(VISITED, v, o, 0.75, sent)
        if is_verb and (lemma in ARRIVE_VERBS or lemma == "depart"):
            future = is_future(tok)
            rtype = PLANS_VISIT if future else VISITED
            preps = ("in", "at", "to") if lemma != "depart" else ()
            targets = ctx.typed(ctx.objects(tok, preps, direct=lemma == "depart"), PLACE, ORGANIZATION)
            if lemma == "arrive" and any(c.lower_ == "here" for c in tok.children):
                # "arrived here": the place the story was filed from.
                targets += [e.index for e in ctx.entities if e.type == PLACE
                            and any(m.attrs.get("dateline") for m in e.mentions)][:1]
            for s in ctx.subjects(tok):
                for o in targets:
                    ctx.add(rtype, s, o, 0.75 if lemma != "depart" else 0.6, sent)
        own_trip = low in ("delegation", "delegations") and ctx.ent(tok) >= 0 \
            and ctx.entities[ctx.ent(tok)].type == MISSION
        if pos == "NOUN" and low in TRIP_NOUNS or own_trip:
            # "a second mission, this time to Senegal and Mali,"
            tos = [c for c in tok.children if c.dep_ == "prep" and c.lower_ == "to"] + [
                c for a in tok.children if a.dep_ == "appos" and a.lower_ == "time"
                for c in a.children if c.dep_ == "prep" and c.lower_ == "to"]
            dests = ctx.typed([e for c in tos for p in c.children if p.dep_ == "pobj" for e in ctx.np_entities(p)],
                              PLACE)
            if dests:
                head = tok.head
                actors = []
                future = False
                if own_trip:
                    # "Tunisian business delegation to Côte d'Ivoire": the
                    # delegation goes, not whoever sends it.
                    actors = [ctx.ent(tok)]
                    future = head.pos_ in ("VERB", "AUX") and (is_future(head) or head.lemma_ in (
                        "plan", "prepare", "schedule"))
                elif dep in ("dobj",) and head.pos_ == "VERB":
                    actors = ctx.subjects(head)
                    future = is_future(head) or head.lemma_ in ("plan", "prepare")
                elif dep == "nsubjpass" and head.lemma_ in ("plan", "prepare", "schedule", "organise",
                                                                  "organize", "arrange"):
                    # "A second mission ... is being prepared by the agency";
                    # "A mission of avocado exporters to Hamburg is planned".
                    actors = ctx.objects(head, ("by",), direct=False) or ctx.typed([ctx.ent(tok)], MISSION)
                    future = True
                # "the visit of the Mongolian delegation to Korea"
                actors = actors or ctx.typed(ctx.objects(tok, ("of", "by"), direct=False), MISSION)
                if actors:
                    for a in actors:
                        for d in dests:
                            ctx.add(PLANS_VISIT if future else VISITED, a, d, 0.7, sent)
                else:
                    missions = [e.index for e in ctx.entities if e.type == MISSION]
                    # "A second visit to Brazil is planned for 2025"
                    planned = is_future(head) or head.lemma_ in ("plan", "schedule", "expect", "prepare") or any(
                        a.lower_ in FUTURE_ADJECTIVES | {"second", "follow-up", "return"} for a in tok.children)
                    if len(missions) == 1 and not future and not planned:
                        for d in dests:
                            ctx.add(VISITED, missions[0], d, 0.55, sent)
        if is_verb and lemma in LEAD_VERBS:
            if dep == "acl" or any(c.dep_ == "agent" for c in tok.children) and tag == "VBN":
                # "It had been organised by X and was led by Y": a conjoined
                # passive shares the first verb's subject.
                passive_subj = [c for c in tok.children if c.dep_ == "nsubjpass"] or (
                    [c for c in tok.head.children if c.dep_ == "nsubjpass"] if dep == "conj" else [])
                led = ctx.np_entities(tok.head) if dep == "acl" else [
                    e for c in passive_subj
                    for e in (ctx.pronoun(c) if c.lower_ in PRONOUNS else ctx.np_entities(c))]
                if dep == "acl" and not ctx.typed(led, MISSION) and tok.head.dep_ == "pobj" \
                        and tok.head.head.lower_ == "of":
                    # "the mission of twelve producers, led by X": the parser
                    # hangs the participle on the members.
                    led = ctx.np_entities(tok.head.head.head)
                for leader in ctx.objects(tok, ("by",), direct=False):
                    for m in ctx.typed(led, MISSION):
                        ctx.add(LED, leader, m, 0.9, sent)
            else:
                subj = ctx.subjects(tok)
                for c in tok.children:
                    if c.dep_ != "dobj":
                        continue
                    if any(x.lower_ == "respective" for x in c.children) and c.lower_.endswith("s"):
                        leaders = ctx.typed(subj, PERSON, ORGANIZATION)
                        for s in leaders:
                            m = _respective_mission(ctx, s, c)
                            ctx.add(LED, s, m, 0.85, sent)
                        # Heads of delegations to one joint body meet there.
                        for a, b in _pairs(leaders):
                            ctx.add(MET_WITH, a, b, 0.6, sent)
                    else:
                        led = ctx.typed(ctx.np_entities(c), MISSION)
                        for m in led:
                            for s in subj:
                                ctx.add(LED, s, m, 0.9, sent)
                        # "GEPA led a delegation ... to Germany": the delegation went there.
                        dests = ctx.typed(ctx.objects(tok, ("to",), direct=False)
                                          + ctx.objects(c, ("to",), direct=False), PLACE)
                        for m in led:
                            for d in dests:
                                ctx.add(PLANS_VISIT if is_future(tok) else VISITED, m, d, 0.75, sent)
        if is_verb and lemma in MEMBER_VERBS:
            groups = ctx.typed(ctx.subjects(tok), MISSION, ORGANIZATION)
            if not groups:
                # "Its members included A and B": the body or delegation "its" is.
                for c in tok.children:
                    if c.dep_ == "nsubj" and c.lower_ in ("members", "participants"):
                        for p in c.children:
                            if p.dep_ == "poss":
                                owners = ctx.pronoun(p) if p.lower_ in ("its", "their") else ctx.np_entities(p)
                                groups += ctx.typed(owners, MISSION, ORGANIZATION)
            members: list[int] = []
            for c in tok.children:
                if c.dep_ in ("dobj", "prep", "agent"):
                    members += [ctx.ent(t) for t in c.subtree if ctx.ent(t) >= 0]
            for g in groups:
                for m in dict.fromkeys(members):
                    if ctx.entities[m].type in (ORGANIZATION, PERSON):
                        ctx.add(MEMBER_OF, m, g, 0.8, sent)
        if is_verb and lemma == "accompany" and not is_future(tok):
            # "The delegation was accompanied by representatives of X";
            # "Ambassador Y accompanied the delegation".
            if any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children) or tag == "VBN":
                groups, members = ctx.subjects(tok), ctx.objects(tok, ("by",), direct=False)
            else:
                groups, members = ctx.objects(tok), ctx.subjects(tok)
            for g in ctx.typed(groups, MISSION):
                for m in ctx.typed(members, ORGANIZATION, PERSON):
                    ctx.add(MEMBER_OF, m, g, 0.75, sent)
        if low in ("member", "members") and pos == "NOUN":
            groups = [e for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
                      for p in c.children if p.dep_ == "pobj" for e in ctx.np_entities(p)]
            who = ctx.subjects(tok.head) if dep in ("attr",) else []
            for w in who:
                for g in ctx.typed(groups, MISSION, ORGANIZATION):
                    ctx.add(MEMBER_OF, w, g, 0.8, sent)
        if is_verb and (lemma in PARTICIPATE_VERBS or lemma == "take" and any(c.lower_ == "part" for c in tok.children)
                        or lemma in ("present", "speak", "exhibit", "showcase", "display")
                        and any(c.dep_ == "prep" and c.lower_ == "at" for c in tok.children)) \
                and not is_future(tok) and not (dep == "xcomp" and tok.head.lemma_ == "invite"):
            # An invitation is not yet participation; "presented at the forum"
            # takes part, "presented the plan" does not.
            passive = any(c.dep_ in ("nsubjpass", "agent") for c in tok.children)
            if passive and lemma in PARTICIPATE_VERBS:
                # "the opening, which was also attended by the minister"
                held = [c for c in tok.children if c.dep_ == "nsubjpass"]
                if dep == "relcl" and all(c.lower_ in ("which", "that") for c in held):
                    held = [tok.head]
                events = [e for c in held for e in _events_of(ctx, c)]
                subj = ctx.objects(tok, ("by",), direct=False)
            else:
                direct = lemma in PARTICIPATE_VERBS and lemma != "take"
                events = ctx.typed(ctx.objects(tok, ("in", "at"), direct=direct), EVENT, ORGANIZATION)
                events += [e for c in tok.children if (c.dep_ == "dobj" and direct or c.dep_ == "prep"
                                                       and c.lower_ in ("in", "at"))
                           for p in ([c] if c.dep_ == "dobj" else [x for x in c.children if x.dep_ == "pobj"])
                           for e in _events_of(ctx, p) if e not in events]
                subj = ctx.subjects(tok)
            if not events and not passive and not any(c.dep_ == "dobj" and c.lower_ != "part"
                                                      or c.dep_ == "prep" and c.lower_ in ("in", "at")
                                                      for c in tok.children):
                # "A delegation of nine exporters took part.": in the event
                # the sentence before named; "X exhibited for the first time":
                # at the show the report's exhibitors last took part in.
                events = _event_before(ctx, sent) or [
                    f.target for f in ctx.found if f.type == PARTICIPATED_IN and f.sentence[0] < sent.start_char][-1:]
                subj = ctx.typed(subj, MISSION, ORGANIZATION, PERSON)
            for s in subj:
                for ev in events:
                    ctx.add(PARTICIPATED_IN, s, ev, 0.85, sent)
        if pos in ("NOUN", "PROPN") and low in STAND_NOUNS:
            _stand_rule(ctx, tok, sent)
        if pos in ("NOUN", "PROPN") and low in EVENT_ROLES:
            _role_rule(ctx, tok, sent)
        if is_verb and lemma == "include" and not is_future(tok):
            # "The delegation's programme included the Korea Halal Food Forum"
            for c in tok.children:
                if c.dep_ == "nsubj" and c.lower_ in PROGRAMME_NOUNS:
                    owners = ctx.typed([e for p in c.children if p.dep_ == "poss" for e in ctx.np_entities(p)],
                                       MISSION, ORGANIZATION, PERSON)
                    if not owners:
                        missions = [e.index for e in ctx.entities if e.type == MISSION]
                        owners = missions if len(missions) == 1 else []
                    for ev in ctx.typed(ctx.objects(tok), EVENT):
                        for o in owners:
                            ctx.add(PARTICIPATED_IN, o, ev, 0.75, sent)
        if is_verb and lemma == "invite":
            inviters = ctx.subjects(tok) if tag != "VBN" else ctx.objects(tok, ("by",), direct=False)
            invitees = [e for c in tok.children if c.dep_ in ("dobj", "nsubjpass") for e in ctx.np_entities(c)]
            events = [e for c in tok.children if c.dep_ == "xcomp" for t in c.subtree
                      if (e := ctx.ent(t)) >= 0 and ctx.entities[e].type == EVENT]
            for s in inviters:
                for o in invitees:
                    ctx.add(INVITED, s, o, 0.85, sent, event=events[0] if events else None)
        if (is_verb or tag == "VBN") and lemma in ORGANIZE_VERBS:
            passive = any(c.dep_ in ("nsubjpass", "agent") for c in tok.children) or dep == "acl"
            if dep == "acomp" and any(c.dep_ == "agent" for c in tok.children):
                # "It was co-organised by X": the parser splits "co-" off and
                # makes the participle a complement of "was".
                events = ctx.subjects(tok.head)
                organisers = ctx.objects(tok, ("by",), direct=False)
            elif passive:
                events = ctx.np_entities(tok.head) if dep == "acl" else [
                    e for c in tok.children if c.dep_ == "nsubjpass"
                    for e in (ctx.pronoun(c) if c.lower_ in PRONOUNS else ctx.np_entities(c))]
                organisers = ctx.objects(tok, ("by",), direct=False)
            else:
                events = [e for c in tok.children if c.dep_ == "dobj" for e in ctx.np_entities(c)]
                organisers = ctx.subjects(tok)
            if organisers:
                # Co-organisers: "X, jointly with Y, hosted", "organised by X
                # together with Y", "X co-organised E with Y" (the tokenizer
                # may split off "co-").
                co = low.startswith("co") or tok.i >= 2 and doc[tok.i - 1].text == "-" \
                    and doc[tok.i - 2].lower_ == "co"
                own = {tok.i} | {c.i for c in tok.children if c.dep_ == "dobj"}
                organisers += [e for c in tok.subtree if c.dep_ == "prep" and c.lower_ == "with"
                               and (c.head.lower_ in ("together", "jointly", "along")
                                    or any(x.lower_ in ("together", "jointly", "along") for x in c.children)
                                    or co and c.head.i in own)
                               for p in c.children if p.dep_ == "pobj" for e in ctx.np_entities(p)]
            for o in organisers:
                for ev in ctx.typed(events, EVENT):
                    ctx.add(ORGANIZED, o, ev, 0.85, sent)
        if is_verb and lemma in HOLD_OR_SITE_VERBS:
            if dep == "acl" and (lemma in ("locate", "base", "situate") or tag == "VBN"):
                # "Fruit Logistica 2024, held in Rotterdam"; "A, based in X, and B":
                # the participle describes its own noun, not the conjuncts.
                things = [ctx.ent(tok.head)] if ctx.ent(tok.head) >= 0 else ctx.np_entities(tok.head)
            elif dep == "relcl" and any(c.lower_ in ("which", "that") for c in tok.children
                                             if c.dep_ in ("nsubj", "nsubjpass")):
                # "the exhibition, which opened in Lagos"
                things = [ctx.ent(tok.head)] if ctx.ent(tok.head) >= 0 else []
            else:
                things = [e for c in tok.children if c.dep_ in ("nsubjpass", "nsubj") for e in ctx.np_entities(c)]
            if lemma in HOLD_VERBS:
                things = ctx.typed(things, EVENT)
            if dep == "relcl" and any(c.lower_ == "where" for c in tok.children) \
                    and ctx.ent(tok.head) >= 0 and ctx.entities[ctx.ent(tok.head)].type == PLACE:
                # "Hanoi, where the forum took place on 9 April"
                for th in things:
                    ctx.add(LOCATED_IN, th, ctx.ent(tok.head), 0.75, sent)
                things = []
            # "took place at the exhibition centre in Astana": the venue's place.
            venue_places = [e for c in tok.children if c.dep_ == "prep" and c.lower_ == "at"
                            for p in c.children if p.dep_ == "pobj"
                            for q in p.children if q.dep_ == "prep" and q.lower_ == "in"
                            for r in q.children if r.dep_ == "pobj" for e in ctx.np_entities(r)]
            wheres = ctx.typed(ctx.objects(tok, ("in", "at"), direct=False), PLACE, ORGANIZATION) or ctx.typed(
                venue_places, PLACE)
            for th in things:
                for w in wheres[:1]:
                    ctx.add(LOCATED_IN, th, w, 0.8, sent)
        # "the China-Belarus industrial park in Minsk", "AOMI Cargo Distribution Centre in Tokyo"
        if dep == "prep" and low in ("in", "at") and tok.head.pos_ in ("NOUN", "PROPN"):
            owner = ctx.ent(tok.head)
            venue = tok.head
            if low == "in" and venue.dep_ == "pobj" and venue.head.lower_ == "at" \
                    and ctx.ent(venue.head.head) >= 0 and ctx.entities[ctx.ent(venue.head.head)].type == EVENT:
                # "the Korea Halal Food Forum at the exhibition centre in Busan"
                for p in tok.children:
                    if p.dep_ == "pobj":
                        for w in ctx.typed(ctx.np_entities(p), PLACE):
                            ctx.add(LOCATED_IN, ctx.ent(venue.head.head), w, 0.7, sent)
            if owner >= 0 and ctx.entities[owner].type in (ORGANIZATION, EVENT):
                for p in tok.children:
                    if p.dep_ == "pobj":
                        for w in ctx.typed(ctx.np_entities(p), PLACE):
                            ctx.add(LOCATED_IN, owner, w, 0.7, sent)
        if low == "active" and dep == "acomp" and not is_future(tok.head):
            # "The visiting companies are active in textiles and leather goods"
            actors = ctx.typed(ctx.subjects(tok.head), ORGANIZATION, MISSION, EVENT)
            for c in [*tok.children, *tok.head.children]:
                if c.dep_ == "prep" and c.lower_ == "in":
                    a, b = c.idx, c.right_edge.idx + len(c.right_edge.text)
                    for s, e, code in find_sectors(ctx.text[a:b]):
                        sec = _sector_entity(ctx, code, a + s, a + e)
                        for actor in actors:
                            ctx.add(IN_SECTOR, actor, sec, 0.75, sent)
        if is_verb and lemma in SECTOR_VERBS and not is_future(tok):
            # A country "supplies oil" as a trading nation, not as a business.
            # "a company working in X", "a mission focused on X": the noun it hangs from.
            who = ctx.np_entities(tok.head) if dep == "acl" else ctx.subjects(tok)
            actors = ctx.typed(who, ORGANIZATION, MISSION, EVENT)
            if actors:
                arg_spans = []
                for c in tok.children:
                    if c.dep_ not in ("dobj", "prep", "xcomp", "conj") or c.pos_ == "VERB":
                        continue
                    # "X, which builds pumps, Y, the shipping line, ...": the
                    # argument ends where the next listed name starts.
                    end_tok = next((t for t in c.subtree if ctx.ent(t) >= 0 and ctx.ent(t) not in actors), None)
                    end = end_tok.idx if end_tok is not None and end_tok.i > c.left_edge.i else \
                        c.right_edge.idx + len(c.right_edge.text)
                    arg_spans.append((c.left_edge.idx, end))
                for a, b in arg_spans:
                    for s, e, code in find_sectors(ctx.text[a:b]):
                        sec = _sector_entity(ctx, code, a + s, a + e)
                        for actor in actors:
                            ctx.add(IN_SECTOR, actor, sec, 0.75, sent)
    ctx.trigger = -1
    del doc


# Parts of an event one attends: "attended the exhibition's opening".
EVENT_PARTS = frozenset({"opening", "launch", "ceremony", "session", "sessions", "closing", "edition", "day",
                         "programme", "program"})
# "a national pavilion at the fair", "had a stand at the show".
STAND_NOUNS = frozenset({"pavilion", "stand", "booth", "stall"})
PROGRAMME_NOUNS = frozenset({"programme", "program", "agenda", "itinerary", "schedule"})


# "X was among the co-organisers", "Y, the organiser of the fair".
EVENT_ROLES = {
    **dict.fromkeys(("organiser", "organisers", "organizer", "organizers", "co-organiser", "co-organisers",
                     "co-organizer", "co-organizers", "host", "hosts", "co-host", "co-hosts"), ORGANIZED),
    **dict.fromkeys(("exhibitor", "exhibitors", "participant", "participants"), PARTICIPATED_IN),
}


def _role_rule(ctx: Context, noun: Token, sent: Span) -> None:
    """A body named as an event's organiser or exhibitor: "X was among the
    co-organisers", "X was the organiser of E", "X, the organiser of E"."""
    head = noun.head
    if noun.dep_ == "pobj" and head.lower_ == "among" and head.head.pos_ in ("VERB", "AUX"):
        verb = head.head
    elif noun.dep_ == "attr" and head.pos_ in ("VERB", "AUX"):
        verb = head
    elif noun.dep_ == "pobj" and head.lower_ == "of" and head.head.lower_ == "one" and head.head.dep_ == "attr":
        # "X was one of the exhibitors at E"
        verb = head.head.head
    elif noun.dep_ == "appos" and ctx.ent(head) >= 0:
        verb = None
    else:
        return
    if verb is not None and (is_future(verb) or verb.lemma_ != "be"):
        return
    actors = [ctx.ent(head)] if verb is None else ctx.subjects(verb)
    events = [e for c in noun.children if c.dep_ == "prep" and c.lower_ in ("of", "at")
              for p in c.children if p.dep_ == "pobj" for e in _events_of(ctx, p)]
    if not events and not any(c.dep_ == "prep" for c in noun.children):
        # "Our association was among the co-organisers." of the event just named
        in_sentence = {ctx.tok_ent[i] for i in range(sent.start, sent.end)
                       if ctx.tok_ent[i] >= 0 and ctx.entities[ctx.tok_ent[i]].type == EVENT}
        events = list(in_sentence) if len(in_sentence) == 1 else [] if in_sentence else _event_before(ctx, sent)
    for a in ctx.typed(actors, ORGANIZATION, PERSON, MISSION, PLACE):
        for ev in events:
            ctx.add(EVENT_ROLES[noun.lower_], a, ev, 0.7, sent)


def _event_before(ctx: Context, sent: Span) -> list[int]:
    """The event of the nearest of the two sentences before ``sent`` that
    names events, if it names exactly one."""
    before = sent
    for _ in range(2):
        if before.start == 0:
            return []
        before = ctx.doc[before.start - 1].sent
        events = {ctx.tok_ent[i] for i in range(before.start, before.end)
                  if ctx.tok_ent[i] >= 0 and ctx.entities[ctx.tok_ent[i]].type == EVENT}
        if events:
            return list(events) if len(events) == 1 else []
    return []


def _events_of(ctx: Context, tok: Token) -> list[int]:
    """Events a noun phrase names, also through a part of the event ("the
    exhibition's opening", "the opening ceremony of the fair")."""
    found = ctx.typed(ctx.np_entities(tok), EVENT)
    if found or tok.lower_ not in EVENT_PARTS:
        return found
    for c in tok.children:
        if c.dep_ == "poss":
            found += ctx.typed(ctx.np_entities(c), EVENT)
        elif c.dep_ == "prep" and c.lower_ == "of":
            found += [e for p in c.children if p.dep_ == "pobj" for e in ctx.typed(ctx.np_entities(p), EVENT)]
    return found


def _stand_rule(ctx: Context, noun: Token, sent: Span) -> None:
    """A pavilion, stand or booth at an event is taking part in it: "X's
    pavilion at E", "X had a stand at E", "the pavilion was arranged by X",
    "E ..., where X had a stand"."""
    verb = noun.head
    # "arranged a pavilion at the fair": the "at" may hang from the verb.
    ats = [c for c in noun.children if c.dep_ == "prep" and c.lower_ == "at"]
    if noun.dep_ == "dobj":
        ats += [c for c in verb.children if c.dep_ == "prep" and c.lower_ == "at"]
    events = [e for c in ats for p in c.children if p.dep_ == "pobj" for e in _events_of(ctx, p)]
    where = [c for c in verb.children if c.lower_ == "where"]
    if not events and where and verb.dep_ == "relcl":
        # "the Korea Halal Food Forum at BEXCO in Busan, where X had a stand"
        t: Token = verb.head
        for _ in range(6):
            events = ctx.typed([ctx.ent(t)] if ctx.ent(t) >= 0 else [], EVENT)
            if events or t.head is t:
                break
            t = t.head
    elif not events and ctx.doc[sent.start].lower_ == "where" and sent.start > 0:
        # The same, when the parser starts a sentence at "where".
        before = ctx.doc[sent.start - 1].sent
        events = [ctx.tok_ent[i] for i in range(before.end - 1, before.start - 1, -1)
                  if ctx.tok_ent[i] >= 0 and ctx.entities[ctx.tok_ent[i]].type == EVENT][:1]
    if not events:
        # "took part in E ..., with a national pavilion": the sentence's one event.
        in_sentence = {ctx.tok_ent[i] for i in range(sent.start, sent.end)
                       if ctx.tok_ent[i] >= 0 and ctx.entities[ctx.tok_ent[i]].type == EVENT
                       and ctx.tok_ent[i] != ctx.ent(noun)}
        events = list(in_sentence) if len(in_sentence) == 1 else []
    if not events:
        # "The pavilion was arranged by the ministry": the pavilion named before.
        events = [ctx.pavilion_event] if ctx.pavilion_event >= 0 else []
    if not events:
        return
    ctx.pavilion_event = events[0]
    actors = [e for c in noun.children if c.dep_ == "poss" for e in ctx.np_entities(c)]
    if noun.dep_ == "dobj" and verb.pos_ in ("VERB", "AUX") and not is_future(verb):
        actors += ctx.subjects(verb)
    elif noun.dep_ == "nsubjpass" and not is_future(verb):
        actors += ctx.objects(verb, ("by",), direct=False)
        # "arranged by the ministry together with the chamber"
        actors += [e for c in verb.subtree if c.dep_ == "prep" and c.lower_ == "with"
                   and (c.head.lower_ in ("together", "jointly", "along")
                        or any(x.lower_ in ("together", "jointly", "along") for x in c.children))
                   for p in c.children if p.dep_ == "pobj" for e in ctx.np_entities(p)]
    for a in ctx.typed(actors, ORGANIZATION, PERSON, MISSION, PLACE):
        for ev in events:
            ctx.add(PARTICIPATED_IN, a, ev, 0.75, sent)


def _other_signing(tok: Token, verb: Token) -> bool:
    """Whether a word belongs to another signing verb's clause than ``verb``."""
    for a in tok.ancestors:
        if a.pos_ in ("VERB", "AUX"):
            return a.i != verb.i and a.lemma_.lower() in SIGN_VERBS
    return False


def _respective_mission(ctx: Context, leader: int, tok: Token) -> int:
    """"A and B are heading their respective delegations": one delegation each."""
    person = ctx.entities[leader]
    surname = person.name.split()[-1]
    name = f"{surname}'s delegation"
    for e in ctx.entities:
        if e.type == MISSION and e.name == name:
            return e.index
    return ctx.new_entity(MISSION, name, tok.idx, tok.idx + len(tok.text), {}).index


def _sector_entity(ctx: Context, code: str, start: int, end: int) -> int:
    for e in ctx.entities:
        if e.type == SECTOR and e.attrs.get("code") == code:
            return e.index
    return ctx.new_entity(SECTOR, ctx.text[start:end].lower(), start, end, {"code": code}).index


def _name_rules(ctx: Context) -> None:
    """Relations a name states by itself."""
    by_name = {normalise_name(e.name): e for e in ctx.entities if e.type == ORGANIZATION}
    for e in ctx.entities:
        if e.type not in (ORGANIZATION, MISSION, EVENT):
            continue
        m0 = min((m for m in _real(e)), key=lambda m: m.start, default=None)
        if m0 is None:
            continue
        sent = ctx.doc.char_span(m0.start, m0.end, alignment_mode="expand")
        if sent is None:
            continue
        s = sent.sent
        if e.type == ORGANIZATION:
            # "Trade Promotion Office of the Chongqing Municipal Commission of Commerce"
            n = normalise_name(e.name)
            for part in re.finditer(r" of (?:the )?(.+)$", n):
                other = by_name.get(part.group(1))
                if other is not None and other is not e:
                    ctx.add(PART_OF, e.index, other.index, 0.8, s)
            # "Consulate General of Belarus in Chongqing"
            lm = re.search(r"\bin ([A-Z][\w ]+)$", e.name)
            if lm:
                place = find_place(lm.group(1))
                if place is not None:
                    for p in ctx.entities:
                        if p.type == PLACE and p.country == place.country and normalise_name(p.name) == normalise_name(lm.group(1)):
                            ctx.add(LOCATED_IN, e.index, p.index, 0.7, s)
        # "Bureau of Fujian Province (PTABF), China": where the body is.
        if e.type == ORGANIZATION:
            for m in _real(e):
                tail = re.match(r"(?:\s*\([A-Z.&]+\))?,\s+", ctx.text[m.end:m.end + 20])
                if tail:
                    where = ctx.starts.get(m.end + tail.end())
                    if where is not None and where.type == PLACE:
                        ctx.add(LOCATED_IN, e.index, where.index, 0.6, s)


# "The Kenyan side was chaired by X, and the Polish side by Y"
_SIDE_RE = re.compile(r"\b[Tt]he\s+(?P<nat>[A-Z][\w-]+)\s+(?:side|delegation|party)\s+"
                      r"(?P<verb>(?:was|were)\s+(?:chaired|led|headed|co-chaired)\s+)?by\s+")


def _sides(ctx: Context) -> None:
    """Heads of the two sides of a joint commission or talks: each LED its
    nation's delegation where the report names one, and the heads met."""
    text = ctx.text
    for sent in ctx.doc.sents:
        heads: list[int] = []
        verb_seen = False
        for sm in _SIDE_RE.finditer(text, sent.start_char, sent.end_char):
            verb_seen = verb_seen or bool(sm.group("verb"))
            if not verb_seen:
                continue
            # The head: the first person named before the next comma or "and".
            stop = re.compile(r",|;|\sand\s").search(text, sm.end(), sent.end_char)
            limit = stop.start() if stop else sent.end_char
            head = next((e for s0, e in sorted(ctx.starts.items()) if sm.end() <= s0 < limit and e.type == PERSON),
                        None)
            if head is None:
                continue
            heads.append(head.index)
            nat = sm.group("nat").lower()
            for m in ctx.entities:
                if m.type == MISSION and nat in m.name.lower().split():
                    ctx.add(LED, head.index, m.index, 0.75, sent)
        for a, b in _pairs(list(dict.fromkeys(heads))):
            ctx.add(MET_WITH, a, b, 0.6, sent)


_ARM_RE = re.compile(r",\s+(?:the|an?)\s+(?:[\w-]+\s+){0,3}?(?:arm|subsidiary|unit|division|affiliate)\s+of\s+")


def _arms(ctx: Context) -> None:
    """"Interbras, the trading arm of Brazil's state oil company Petrobras":
    PART_OF the first body named in the apposition."""
    text = ctx.text
    for e in ctx.entities:
        if e.type != ORGANIZATION:
            continue
        for m in _real(e):
            am = _ARM_RE.match(text, m.end)
            if am is None:
                continue
            stop = re.compile(r"[,;]|\.\s").search(text, am.end())
            limit = stop.start() if stop else len(text)
            owner = next((o for s0, o in sorted(ctx.starts.items())
                          if am.end() <= s0 < limit and o.type == ORGANIZATION and o is not e), None)
            span = ctx.doc.char_span(m.start, m.end, alignment_mode="expand")
            if owner is not None and span is not None:
                ctx.add(PART_OF, e.index, owner.index, 0.75, span.sent)


def _real(e: Entity) -> list[Mention]:
    return [m for m in e.mentions if not m.generic]


_APPOS_END = re.compile(r",(?!\s*(?:Ltd|Inc|LLC|Co)\b)|;|\.\s|\s(?:said|told|says|who|and\s+[A-Z])\b|$")


def _appositive_rules(ctx: Context) -> None:
    """WORKS_FOR and titles from "Pu Pu, deputy director of the Office",
    "Aigerim Sadykova, deputy chairwoman of the board of Atameken,", "the
    EC's external relations commissioner, Willy De Clercq", "Its chairman,
    Davron Vakhabov," and "Iranian Oil Minister Gholamreza Aqazadeh"."""
    text = ctx.text
    starts: dict[int, Entity] = {}
    org_mentions: list[tuple[int, int, Entity]] = []
    for e in ctx.entities:
        for m in e.mentions:
            starts[m.start] = e
            if e.type == ORGANIZATION:
                org_mentions.append((m.start, m.end, e))
    org_mentions.sort(key=lambda x: x[0])
    for e in ctx.entities:
        if e.type != PERSON:
            continue
        for m in _real(e):
            span = ctx.doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is None:
                continue
            sent = span.sent
            if _title_after(ctx, e, m.end, sent, starts):
                continue
            # "Ingrid Solberg of Bergen Marine Pumps AS said", "Ambassador X of the Embassy of Y"
            of = re.match(r"\s+(?:of|from)\s+(?:the\s+)?", text[m.end:sent.end_char])
            body = starts.get(m.end + of.end()) if of else None
            if body is not None and body.type == ORGANIZATION:
                ctx.add(WORKS_FOR, e.index, body.index, 0.7, sent)
            before = text[sent.start_char:m.start]
            bm = re.search(r"((?:[\w’'-]+\s+){0,5})([\w’'-]+),?\s*$", before)
            if not bm:
                continue
            words = (bm.group(1) + bm.group(2)).split()
            # Back to the nearest word that cannot be part of a title.
            keep: list[str] = []
            for i, w in reversed(list(enumerate(words))):
                # "Our President and CEO, X": "and" between two posts is one post.
                joined = w == "and" and keep and keep[0].lower() in TITLE_HEADS and i > 0 \
                    and words[i - 1].lower() in TITLE_HEADS and words[i - 1][:1].isupper()
                if not joined and (w.lower() in ("and", "by", "between", "with", "said", "told", "the", "a", "an",
                                                 "of", "to", "that", "in", "from", "as") or w.endswith((".", ";"))
                                   or w.endswith(",") and keep):
                    break
                keep.insert(0, w.rstrip(","))
            owner: Entity | None = None
            poss = [i for i, w in enumerate(keep) if w.endswith(("'s", "’s", "s'", "s’"))]
            if poss:
                # The mention that ends at the possessive: "Ararat Cargo's", "Acme Logistics'".
                word = keep[poss[-1]]
                cut = 1 if word.endswith(("s'", "s’")) else 2
                at = sent.start_char + before.rfind(word) + len(word) - cut
                owner = next((o for s_, e_, o in org_mentions if e_ == at), None)
                keep = keep[poss[-1] + 1:]
                if not keep and owner is not None:
                    # "KOTRA's Kim Min-jun said": the body's own person.
                    ctx.add(WORKS_FOR, e.index, owner.index, 0.7, sent)
                    continue
            while keep and keep[-1].rstrip(".") in ("Dr", "Mr", "Mrs", "Ms", "Prof"):
                keep.pop()  # an honorific is no part of the post
            if keep and keep[0].lower() == "our" and _own_body(ctx) is not None:
                # "Our President and CEO, X," in a body's own newsletter.
                owner = _own_body(ctx)
                keep.pop(0)
            while keep and (keep[0].lower() in ("its", "their") or demonym_country(keep[0])):
                if keep[0].lower() in ("its", "their"):
                    # "Its chairman": the body last named before this sentence;
                    # "organised by X ..., was headed by its director": X.
                    at = sent.start_char + before.rfind(keep[0])
                    owner = next((o for s_, e_, o in reversed(org_mentions) if e_ <= at), None)
                keep.pop(0)
            if keep and any(w.lower().strip(",") in TITLE_HEADS for w in keep):
                title = " ".join(keep).rstrip(",")
                e.attrs.setdefault("title", title)
                if owner is not None:
                    ctx.add(WORKS_FOR, e.index, owner.index, 0.75, sent, title=title)


def _own_body(ctx: Context) -> Entity | None:
    """The body a report speaks for: the organisation it calls "our Chamber",
    "our association"."""
    for m in re.finditer(r"\b[Oo]ur\s+", ctx.text):
        e = ctx.starts.get(m.end()) or next((o for o in ctx.entities for x in o.mentions if x.start == m.end()), None)
        if e is not None and e.type == ORGANIZATION:
            return e
    return None


def _member_companies(ctx: Context) -> None:
    """"the facility of member company X" in a body's own report: X is a
    member of that body."""
    own = None
    for m in re.finditer(r"\bmember\s+(?:company|companies|firms?|organi[sz]ations?)\s+(?:the\s+)?", ctx.text):
        member = ctx.starts.get(m.end())
        own = own or _own_body(ctx)
        span = ctx.doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if member is not None and member.type == ORGANIZATION and own is not None and span is not None:
            ctx.add(MEMBER_OF, member.index, own.index, 0.65, span.sent)


def _title_after(ctx: Context, person: Entity, end: int, sent: Span, starts: dict[int, Entity]) -> bool:
    """"Name, <title> of|at|for <body>,": the title is everything before the
    body's name; the body is the first organisation or place named inside
    the apposition."""
    text = ctx.text
    lead = re.match(r",\s+(?:the\s+|a\s+|an\s+)?(?:(?:now|currently|also)\s+)?", text[end:sent.end_char])
    if not lead or re.match(r"(?:together|along|jointly)\s+with\b|(?:and|or|but|while)\s", text[end + lead.end():]):
        # "X, together with the Ambassador of Y,", "X, and included ...": no post of X.
        return False
    p = end + lead.end()
    owner = starts.get(p)
    if owner is not None and owner.type == ORGANIZATION:
        # "Ricardo Almeida, FIESP's director of international affairs"
        after = next((m.end for m in owner.mentions if m.start == p), p)
        poss = re.match(r"(?:’s|'s)\s+([a-z][\w -]{2,60}?)(?=,|\s+(?:said|told)\b|\.(?:\s|$)|$)",
                        text[after:sent.end_char])
        if poss and any(w in TITLE_HEADS for w in poss.group(1).split()[:3]):
            person.attrs.setdefault("title", poss.group(1))
            ctx.add(WORKS_FOR, person.index, owner.index, 0.8, sent, title=poss.group(1))
            return True
    stop = _APPOS_END.search(text, p + 1, sent.end_char)
    limit = stop.start() if stop else sent.end_char
    for cm in re.finditer(r"\s(?:of|at|for|with)\s+(?:the\s+)?", text[p:limit]):
        org = starts.get(p + cm.end())
        owned = re.match(r"(?:state|privately|publicly|family|government)-(?:owned|run|held)\s+", text[p + cm.end():])
        if org is None and owned:
            # "a director of state-owned Banco do Brasil"
            org = starts.get(p + cm.end() + owned.end())
        if org is None:
            # "Director General of CzechTrade": a short name the report gave
            # the body before ("... Agency CzechTrade") that no mention covers.
            word = re.match(r"[A-Z][\w&-]+(?=[,.;]|\s+(?:said|told)\b|$)", text[p + cm.end():limit])
            org = _short_names(ctx).get(word.group(0)) if word else None
        if org is None or org.type not in (ORGANIZATION, PLACE):
            continue
        title = text[p:p + cm.start()].strip()
        if not title or not any(w.lower() in TITLE_HEADS for w in title.split()) or len(title.split()) > 8:
            return False
        person.attrs.setdefault("title", title)
        ctx.add(WORKS_FOR, person.index, org.index, 0.85, sent, title=title)
        return True
    title = text[p:limit].strip()
    words = title.split()
    # "vice minister of trade and integration": a post without a body.
    if (words and len(words) <= 7 and words[0].lower() != "who" and all(w.islower() for w in words)
            and any(w in TITLE_HEADS for w in words[:3])):
        person.attrs.setdefault("title", title)
        return True
    return False


def _short_names(ctx: Context) -> dict[str, Entity]:
    """Organisations by the last word of a full name of three words or more
    ("Czech Trade Promotion Agency CzechTrade" -> "CzechTrade") and by their
    one-word aliases."""
    out: dict[str, Entity] = {}
    for e in ctx.entities:
        if e.type != ORGANIZATION:
            continue
        for form in [e.name, *e.aliases]:
            words = form.split()
            if len(words) == 1 or len(words) >= 3 and words[-1][:1].isupper() and words[-1].lower() not in ORG_HEADS \
                    and words[-1].lower() not in LEGAL_SUFFIXES and words[-2].lower() != "of":
                out.setdefault(words[-1], e)
    return out


_IN_COUNTRY_RE = re.compile(r",[ \t]+|\s+in\s+(?:the\s+)?")


def _gazetteer_rules(ctx: Context) -> None:
    """Cities and regions lie in their country where the text says so:
    "Poti, Georgia", "Mersin in Turkey". Naming both in a report is not
    enough (the gazetteer knows it, the report does not state it)."""
    for e in ctx.entities:
        if e.type != PLACE or e.kind not in ("city", "region"):
            continue
        for m in _real(e):
            link = _IN_COUNTRY_RE.match(ctx.text, m.end)
            country = ctx.starts.get(link.end()) if link else None
            if country is None or country.type != PLACE or country.kind != "country" or country.country != e.country:
                continue
            span = ctx.doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None:
                ctx.add(LOCATED_IN, e.index, country.index, 0.6, span.sent)
                break


# "The delegation included:" at a line end, then one member per bullet line.
_LIST_INTRO_RE = re.compile(r"\b(?:includ(?:ed|es|e|ing)|compris(?:ed|es|e|ing)|consist(?:ed|s)?\s+of|"
                            r"members?|participants?|companies|firms|were|are)\b")
_LINE_END_COLON = re.compile(r":[ \t]*\n")
_BULLET_RE = re.compile(rf"[ \t]*(?:{BULLET_MARK})?[ \t]*")
# "Its members: A, B and C." on one line.
_INLINE_LIST_RE = re.compile(r"\b(?:includ(?:ed|es|e)|compris(?:ed|es|e)|members|participants|companies)\s*:[ \t]*(?=\S)")
# "Among the companies in the group were A; B; and C." / "Among them were ..."
_AMONG_RE = re.compile(r"\b[Aa]mong\s+(?P<who>them|those|the\s+[^,.;:\n]{1,60}?)(?:\s+(?:were|was|are|is)\s+|,\s+)")


def _group_of(ctx: Context, start: int, end: int) -> int:
    """The delegation a list belongs to: one named in the span, else the
    report's only delegation. A delegation named elsewhere only as a plan
    ("A trade mission of ... is planned for June") is not it, even where the
    list's own reference ("the exhibitors") was joined to it."""
    def planned(m: Mention) -> bool:
        span = ctx.doc.char_span(m.start, m.end, alignment_mode="expand")
        verb = next((v for v in span.root.ancestors if v.pos_ in ("VERB", "AUX")), None) if span else None
        return verb is not None and (is_future(verb) or verb.lemma_ in ("plan", "prepare", "schedule"))

    def later(e: Entity) -> bool:
        others = [m for m in e.mentions if not start <= m.start < end]
        return bool(others) and all(planned(m) for m in others)

    for m_start, e in sorted(ctx.starts.items()):
        if start <= m_start < end and e.type == MISSION:
            return e.index
    for i in range(len(ctx.doc)):
        t = ctx.doc[i]
        if start <= t.idx < end and ctx.ent(t) >= 0 and ctx.entities[ctx.ent(t)].type == MISSION:
            return -1 if later(ctx.entities[ctx.ent(t)]) else ctx.ent(t)
    missions = [e for e in ctx.entities if e.type == MISSION]
    return missions[0].index if len(missions) == 1 and not later(missions[0]) else -1


def _first_org_at(ctx: Context, start: int, end: int) -> int:
    for m_start, e in sorted(ctx.starts.items()):
        if start <= m_start < end and e.type in (ORGANIZATION, PERSON):
            return e.index
    return -1


# "The programme included:", "Products on show included:": the lines below
# are agenda items or goods, not members.
_NOT_MEMBERS_RE = re.compile(r"\b(?:programmes?|programs?|agendas?|itinerar(?:y|ies)|schedules?|topics?|products?|"
                             r"goods|items|exhibits|sessions?|visits?|stops?|destinations?|cities|sites)\b",
                             re.IGNORECASE)


def _programme_list(ctx: Context, line_start: int, pos: int) -> None:
    """A delegation's programme listed line by line: a line that names an
    event is an event the delegation took part in."""
    text = ctx.text
    intro = ctx.doc.char_span(line_start, pos - 1, alignment_mode="expand")
    if intro is None or not re.search(r"\b(?:programmes?|programs?|agendas?|itinerar(?:y|ies)|schedules?)\b",
                                      intro.text, re.IGNORECASE):
        return
    group = _group_of(ctx, line_start, pos)
    if group < 0:
        return
    while pos < len(text):
        while pos < len(text) and text[pos] == "\n":
            pos += 1
        bullet = _BULLET_RE.match(text, pos)
        line_end = text.find("\n", pos)
        line_end = len(text) if line_end < 0 else line_end
        if bullet is None or bullet.end() == pos or pos >= len(text):
            break  # the list ends at the first unbulleted line
        at = bullet.end() + (4 if text.startswith("the ", bullet.end()) else 0)
        event = ctx.starts.get(at)
        sent = ctx.doc.char_span(pos, line_end, alignment_mode="expand")
        if event is not None and event.type == EVENT and sent is not None:
            ctx.add(PARTICIPATED_IN, group, event.index, 0.7, sent)
        pos = line_end


def _exhibited_at(ctx: Context, start: int, end: int) -> int:
    """For a list of exhibitors ("Among the exhibitors were", "The exhibitors
    included:"), the event they exhibited at: the last event something took
    part in before the list, else the report's only event."""
    if not re.search(r"\bexhibitors\b", ctx.text[start:end], re.IGNORECASE):
        return -1
    before = [f.target for f in ctx.found if f.type == PARTICIPATED_IN and f.sentence[0] < start]
    if before:
        return before[-1]
    events = [e.index for e in ctx.entities if e.type == EVENT]
    return events[0] if len(events) == 1 else -1


def _member_lists(ctx: Context) -> None:
    """Members named in lists rather than sentences: bullet lines under an
    introducing line, and "Among the companies were A, B and C"."""
    text = ctx.text
    for colon in _LINE_END_COLON.finditer(text):
        line_start = text.rfind("\n", 0, colon.start()) + 1
        if not _LIST_INTRO_RE.search(text, line_start, colon.start()):
            continue
        if _NOT_MEMBERS_RE.search(text, line_start, colon.start()):
            _programme_list(ctx, line_start, colon.end())
            continue
        group = _group_of(ctx, line_start, colon.end())
        if group < 0:
            continue
        shown_at = _exhibited_at(ctx, line_start, colon.start())
        pos = colon.end()
        bulleted = False
        while True:
            while pos < len(text) and text[pos] == "\n":
                pos += 1
            bullet = _BULLET_RE.match(text, pos)
            if bullet is None or pos >= len(text):
                break
            # A bulleted list ends at the first line without a bullet.
            has_bullet = bool(text[pos:bullet.end()].strip())
            if bulleted and not has_bullet:
                break
            bulleted = bulleted or has_bullet
            line_end = text.find("\n", pos)
            line_end = len(text) if line_end < 0 else line_end
            # Each line must open with a member's name, bulleted or not.
            member = _first_org_at(ctx, bullet.end(), bullet.end() + 1)
            if member < 0:
                break
            sent = ctx.doc.char_span(pos, line_end, alignment_mode="expand")
            if member >= 0 and sent is not None:
                ctx.add(MEMBER_OF, member, group, 0.75, sent)
                if shown_at >= 0:
                    ctx.add(PARTICIPATED_IN, member, shown_at, 0.7, sent)
            pos = line_end
    for im in _INLINE_LIST_RE.finditer(text):
        span = ctx.doc.char_span(im.start(), im.end(), alignment_mode="expand")
        if span is None:
            continue
        sent = span.sent
        group = _group_of(ctx, sent.start_char, im.start())
        if group < 0:
            continue
        for s0, e in sorted(ctx.starts.items()):
            if im.end() <= s0 < sent.end_char and e.type in (ORGANIZATION, PERSON) and (
                    s0 == im.end() or re.search(r"(?:,|;|\band)\s*$", text[im.end():s0])):
                ctx.add(MEMBER_OF, e.index, group, 0.75, sent)
    for am in _AMONG_RE.finditer(text):
        span = ctx.doc.char_span(am.start(), am.end(), alignment_mode="expand")
        if span is None:
            continue
        sent = span.sent
        who = am.group("who")
        if not (who in ("them", "those") or any(n in who for n in FIRM_NOUNS | {"group", "delegation", "members",
                                                                                 "mission", "firms"})):
            continue
        group = _group_of(ctx, am.start("who"), am.end("who"))
        shown_at = _exhibited_at(ctx, am.start(), am.end())
        listing = text[am.end():sent.end_char]
        if am.group(0).rstrip().endswith(","):
            # "Among the participating firms, A and B were singled out":
            # the list is the clause's subject.
            cut = _LIST_VERB_RE.search(listing)
            listing = listing[:cut.start()] if cut else ""
        # Each listed name, not the bodies inside their descriptions; a name
        # may follow a description ("and the start-up Kerecis").
        pos = am.end()
        for piece in re.split(r"(;|,|\band\b)", listing):
            at = pos
            pos += len(piece)
            lead = _LIST_LEAD_RE.match(piece)
            listed = ctx.starts.get(at + lead.end()) if lead else None
            if listed is not None and listed.type in (ORGANIZATION, PERSON):
                if group >= 0:
                    ctx.add(MEMBER_OF, listed.index, group, 0.75, sent)
                if shown_at >= 0:
                    ctx.add(PARTICIPATED_IN, listed.index, shown_at, 0.7, sent)


# The start of a listed name: spaces, then "the start-up", "the pharmaceutical
# group" (a description with no preposition in it) or nothing.
_LIST_LEAD_RE = re.compile(r"\s*(?:(?:the|an?)\s+(?:(?!(?:to|of|for|with|from|by|in|at|on)\s)[a-z][\w-]*\s+){0,3})?")
_LIST_VERB_RE = re.compile(r"\s(?:were|was|are|is|have|has|had|received|signed|won|concluded)\s")


# "X, based in Y", "X (Y)", "X, which has its head office in Y", "X, the
# exhibition company based in Y": what the text says about where X is.
_WHERE_AFTER_RE = re.compile(
    r"(?:\s*\([A-Z][A-Za-z&.-]{1,14}\))?,?\s+(?:(?:which|that)\s+(?:is|was|are|were)\s+)?"
    r"(?:(?:also|now|currently)\s+)?(?:headquartered|based|located|situated|registered|held|staged)\s+in\s+(?:the\s+)?"
    r"|(?:\s*\([A-Z][A-Za-z&.-]{1,14}\))?,?\s+(?:which|that)\s+(?:has|had)\s+(?:its\s+|an?\s+)?"
    r"(?:head\s+office|headquarters|main\s+office|registered\s+office|seat|base|offices?)\s+in\s+(?:the\s+)?"
    # "KOTRA's office in Madrid"
    r"|(?:'s|’s)\s+(?:(?:regional|representative|trade|branch|liaison)\s+)?(?:office|branch|bureau)\s+in\s+"
    r"(?:the\s+)?"
    r"|,\s+(?:an?|the)\s+(?:[a-z][\w-]*\s+){0,6}?(?:headquartered|based|located|situated|held)\s+in\s+(?:the\s+)?"
    r"|\s+\((?=[^()\n]{2,40}\))"
)
_OF_PLACE_RE = re.compile(r"\s+(?:of|from)\s+(?:the\s+)?")
_IN_RE = re.compile(r"\s+in\s+")
# "X, a grower of table grapes in Ica", "X, a cooperative of avocado
# producers from La Libertad", "X, which exports bananas from Piura": a
# description of what a body does, ending in where it does it.
_DESCRIBED_IN_RE = re.compile(
    r"(?:\s*\([A-Z][A-Za-z&.-]{1,14}\))?,\s+(?:(?:an?|the)\s+(?:[\w’'-]+\s+){0,3}?"
    r"(?:grower|producer|maker|manufacturer|exporter|importer|processor|supplier|distributor|trader|shipper|"
    r"company|firm|cooperative|co-operative|group|operator|farm|mill|plant|factory|brewery|winery)s?"
    r"(?:\s+of\s+(?:[\w’'-]+\s+){1,4}?)?"
    r"|which\s+(?:exports?|produces?|grows?|makes?|manufactures?|operates?|ships?|farms?|processes|mines?|runs?)"
    r"\s+(?:[\w’'-]+\s+){1,4}?)(?:in|from)\s+(?:the\s+)?")
# "X, a Y-based maker", "X is a Y-based"; "the Y-based X".
_BASED_BEFORE_RE = re.compile(r"(?:\s*\([A-Z][A-Za-z&.-]{1,14}\))?(?:,|\s+(?:is|was))\s+(?:an?|the)\s+"
                              r"(?:[a-z][\w-]*\s+){0,3}$")
_BASED_AFTER_RE = re.compile(r"-based\s+(?:[a-z][\w-]*\s+){0,4}")
# "the Hamburg office of X"; "X's Seoul office".
_OFFICE_OF_RE = re.compile(r"\s+(?:(?:regional|representative|trade|branch|liaison)\s+)?"
                           r"(?:office|branch|bureau|representation)\s+of\s+(?:the\s+)?")
_POSSESSIVE_RE = re.compile(r"(?:'s|’s|')\s+")
_OFFICE_AFTER_RE = re.compile(r"\s+(?:(?:regional|representative|trade|branch|liaison)\s+)?"
                              r"(?:office|branch|bureau|representation)\b")


def _stated_locations(ctx: Context) -> None:
    """LOCATED_IN from the phrases reports use to say where a body or an
    event is, read off the text around the names (the parse often hangs
    these participles and parentheses elsewhere)."""
    text = ctx.text
    ends: dict[int, Entity] = {}
    for e in ctx.entities:
        if e.type in (ORGANIZATION, EVENT):
            for mention in e.mentions:
                ends.setdefault(mention.end, e)
    places = {s: e for s, e in ctx.starts.items() if e.type == PLACE}

    def add(thing: Entity, place: Entity, at: int) -> None:
        span = ctx.doc.char_span(at, at + 1, alignment_mode="expand")
        if span is not None:
            ctx.add(LOCATED_IN, thing.index, place.index, 0.75, span.sent)

    for end, thing in ends.items():
        m = _WHERE_AFTER_RE.match(text, end)
        if not m and thing.type == ORGANIZATION:
            # "Ararat Cargo CJSC of Yerevan": the name ends before "of".
            m = _OF_PLACE_RE.match(text, end) or _DESCRIBED_IN_RE.match(text, end)
            if not m and text[:end].rsplit(None, 1)[-1].lower() in LEGAL_SUFFIXES:
                # "Harbourside Foods Ltd. in Dartmouth": a registered company
                # named with its town.
                m = _IN_RE.match(text, end)
        if m:
            place = places.get(m.end())
            if place is not None:
                pm = next(x for x in place.mentions if x.start == m.end())
                if not m.group(0).endswith("(") or text[pm.end:pm.end + 1] == ")":
                    add(thing, place, end)
        m = _POSSESSIVE_RE.match(text, end)
        if m and thing.type == ORGANIZATION:
            place = places.get(m.end())
            owned = next((x for x in place.mentions if x.start == m.end()), None) if place else None
            if place is not None and owned is not None and _OFFICE_AFTER_RE.match(text, owned.end):
                add(thing, place, end)
    for start, place in places.items():
        pm = next(x for x in place.mentions if x.start == start)
        m = _OFFICE_OF_RE.match(text, pm.end)
        if m:
            owner = ctx.starts.get(m.end())
            if owner is not None and owner.type == ORGANIZATION:
                add(owner, place, start)
            continue
        m = _BASED_AFTER_RE.match(text, pm.end)
        if not m:
            continue
        after = ctx.starts.get(pm.end + m.end() - m.start())
        if after is not None and after.type == ORGANIZATION:
            add(after, place, start)
            continue
        line_start = text.rfind("\n", 0, start) + 1
        before = _BASED_BEFORE_RE.search(text, line_start, start)
        if before:
            owner = ends.get(before.start())
            if owner is not None and owner.type == ORGANIZATION:
                add(owner, place, start)


# Words that say an event was held, hosted or organised ("took place",
# "co-hosted", "was staged"); the parser often splits "co-" or misreads
# them, so they are read as words.
_HOLD_WORD = re.compile(r"(?:co-?)?(?:host|organi[sz]|hold|held|stag|convene|took|take|taking|open)", re.IGNORECASE)


def _takes_part(tok: Token) -> bool:
    """"took part", "taking part": attending, not holding."""
    return tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "part"


def _event_venues(ctx: Context) -> None:
    """LOCATED_IN for an event from the place its holding clause names:
    "organised the forum in Nairobi", "the forum took place on 9 April at
    the Grand Hotel in Hanoi", "the roundtable, which the chamber co-hosted
    with Y in Halifax". From the event's name, the words up to "at"/"in"
    must hold a verb of holding and no other verb; a venue's name is passed
    over to the place after it (ONTOLOGY.md: LOCATED_IN ends at a Place)."""
    doc = ctx.doc
    owner = ctx.tok_ent
    # The last token of each event mention (read from the list, not token by token: this runs per report).
    ends = [i for i, ev in enumerate(owner) if ev >= 0 and ctx.entities[ev].type == EVENT
            and not (i + 1 < len(owner) and owner[i + 1] == ev)]
    for i in ends:
        tok, ev = doc[i], owner[i]
        sent = tok.sent
        first = i
        while first > sent.start and ctx.ent(doc[first - 1]) == ev:
            first -= 1
        # "organised the forum at ...": a holding verb right before the name
        # ("took part in the forum" is no holding).
        held = any(_HOLD_WORD.match(t.text) and t.pos_ in ("VERB", "AUX") and not _takes_part(t)
                   for t in doc[max(sent.start, first - 3):first])
        j = i + 1
        while j < sent.end:
            t = doc[j]
            e = ctx.ent(t)
            if t.text in (";", ":") or e >= 0 and ctx.entities[e].type == EVENT:
                break
            if e >= 0:
                # A name on the way (the co-host, the venue): the place may follow it.
                while j + 1 < sent.end and ctx.ent(doc[j + 1]) == e:
                    j += 1
            elif _HOLD_WORD.fullmatch(t.lemma_) or _HOLD_WORD.match(t.text) and t.tag_ in ("VBD", "VBN", "JJ"):
                held = not _takes_part(t)
            elif t.pos_ == "VERB" and t.text != "-":
                break
            elif held and t.lower_ in ("at", "in") and t.pos_ == "ADP":
                k = j + 1
                while k < sent.end and doc[k].lower_ == "the":
                    k += 1
                where = ctx.ent(doc[k]) if k < sent.end else -1
                if where >= 0 and ctx.entities[where].type == PLACE:
                    ctx.add(LOCATED_IN, ev, where, 0.7, sent)
                    break
            j += 1


_WHICH_RE = re.compile(r",\s+(?:which|that)\s+(?:the\s+)?")
_ORGANISED_WITH_RE = re.compile(r"\s+(?:co-?)?(?:hosted|organi[sz]ed|staged|convened|sponsored)"
                                r"(?:\s+(?:(?:jointly|together)\s+)?with\s+(?:the\s+)?)?")


def _organised_which(ctx: Context) -> None:
    """"the roundtable, which the chamber co-hosted with the department":
    an object relative clause the parser breaks at "co-"; both hosts
    organised the event."""
    text = ctx.text
    # "which the Chamber co-hosted": a reference ("the Chamber") counts here.
    starts = {x.start: o for o in ctx.entities for x in o.mentions}
    for e in ctx.entities:
        if e.type != EVENT:
            continue
        for m in _real(e):
            wm = _WHICH_RE.match(text, m.end)
            first = starts.get(wm.end()) if wm else None
            if wm is None or first is None or first.type not in (ORGANIZATION, PERSON):
                continue
            end = max(x.end for x in first.mentions if x.start == wm.end())
            vm = _ORGANISED_WITH_RE.match(text, end)
            if vm is None:
                continue
            hosts = [first]
            second = starts.get(vm.end()) if vm.group(0).rstrip().endswith(("with", "the")) else None
            if second is not None and second.type == ORGANIZATION:
                hosts.append(second)
            span = ctx.doc.char_span(m.start, m.end, alignment_mode="expand")
            for h in hosts:
                if span is not None:
                    ctx.add(ORGANIZED, h.index, e.index, 0.75, span.sent)


# ", the shipping line", ", a Polish drug maker": what only a company is.
_COMPANY_APPOS_RE = re.compile(
    r",\s+(?:the|an?)\s+(?:[\w-]+\s+){0,3}?(?:company|firm|shipping\s+line|group|maker|manufacturer|producer|"
    r"carrier|operator|bank|brand|start-up|startup|supplier|exporter|importer|distributor|trader|airline|"
    r"conglomerate|retailer|wholesaler)\b(?![’'-])")  # not "Smith, the group's chairman"
_DEAL_BETWEEN_RE = re.compile(r"\b(?:MoU|memorandum|agreement|contract|deal|accord)\s+between\s+(?:the\s+)?$",
                              re.IGNORECASE)


def _as_company(ctx: Context, e: Entity) -> None:
    """A body the parser's name finder took for a person ("Eimskip")."""
    if e.type == PERSON and not e.attrs.get("title") and all(" " not in m.text for m in e.mentions) \
            and len({m.text for m in e.mentions}) == 1:
        e.type = ORGANIZATION
        e.kind = "enterprise"
        for m in e.mentions:
            m.type = ORGANIZATION


def _people_that_are_bodies(ctx: Context) -> None:
    """One-word "persons" the text shows to be companies: "Eimskip, the
    shipping line", "an MoU between Polpharma and the Kenya Medical Supplies
    Authority". People in reports have a first name or a title."""
    text = ctx.text
    for e in ctx.entities:
        if e.type != PERSON:
            continue
        for m in _real(e):
            line_start = text.rfind("\n", 0, m.start) + 1
            if _COMPANY_APPOS_RE.match(text, m.end) or _DEAL_BETWEEN_RE.search(text, line_start, m.start) \
                    and re.match(r"\s+and\s+(?:the\s+)?[A-Z]", text[m.end:]):
                _as_company(ctx, e)
                break


def find_relations(ctx: Context) -> list[Found]:
    _people_that_are_bodies(ctx)
    for sent in ctx.doc.sents:
        _sentence_rules(ctx, sent)
    _member_lists(ctx)
    _stated_locations(ctx)
    _event_venues(ctx)
    _organised_which(ctx)
    _name_rules(ctx)
    _arms(ctx)
    _sides(ctx)
    _member_companies(ctx)
    _appositive_rules(ctx)
    _gazetteer_rules(ctx)
    return ctx.found
