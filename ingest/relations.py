"""What the relation rules share: a found relation (``Found``), the report
as the rules see it (``Context``: its parse, its entities, the noun phrases,
subjects and objects of a clause as entities) and the trigger-word lists.

The rules themselves, run in this order by ``ingest.extract``:
``ingest.sentence_rules`` (one trigger word's clause: "met", "signed",
"talks between", "headed by"), ``ingest.text_rules`` (names, appositions,
lists and layout), ``ingest.sector_facts``, ``ingest.agreements`` and
``ingest.locations``. The learned models (``ingest.learn``) read what they
find as features.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc, Span, Token

from graph.gazetteer import demonym_country
from graph.ontology import (
    MET_WITH,
    MISSION,
    ORGANIZATION,
    PERSON,
    PLACE,
    PLANS_VISIT,
    RELATION_TYPES,
    SECTOR,
    SYMMETRIC_RELATIONS,
)
from ingest.mentions import Entity, Mention
from ingest.organisations import ORG_HEADS
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


def both_sides(verb: Token) -> bool:
    """"The two sides signed", "both parties concluded": the subject is the
    pair that has just met."""
    for c in verb.children:
        if c.dep_ == "nsubj" and c.lower_ in SIDE_NOUNS and any(
                x.lower_ in ("two", "both") for x in c.children):
            return True
    return False


def pairs(ids: list[int]) -> list[tuple[int, int]]:
    return [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]]


def parties_between(ctx: Context, noun: Token) -> list[int]:
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
                    found = parties_between(ctx, p) if p.pos_ == "PROPN" else []
                    if found:
                        return found
    return []


def real_mentions(e: Entity) -> list[Mention]:
    """The mentions that name ``e`` (not "the company" standing for it)."""
    return [m for m in e.mentions if not m.generic]


def sector_entity(ctx: Context, code: str, start: int, end: int) -> int:
    """The report's Sector entity for ``code``, made from the words at ``start:end`` the first time."""
    for e in ctx.entities:
        if e.type == SECTOR and e.attrs.get("code") == code:
            return e.index
    return ctx.new_entity(SECTOR, ctx.text[start:end].lower(), start, end, {"code": code}).index
