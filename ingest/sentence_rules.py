"""Relations from sentence structure: one rule per trigger word.

Each rule reads the dependency parse around one trigger word (a verb such as
"met", "signed", "led", a noun such as "talks between", a participle such as
"headed by") and links the entities in its subject, object and
prepositional arguments, expanded over conjunctions and appositions
(``Context`` in ``ingest.relations``). No rule links two entities merely
because they share a sentence. ``RULES`` lists each rule with the words that
start it; a token runs the rules of its lemma and of its lower-case form, in
the table's order (a rule may read what an earlier one found).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import cache
from typing import NamedTuple

from spacy.tokens import Span, Token

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
    PARTICIPATED_IN,
    PERSON,
    PLACE,
    PLANS_VISIT,
    SIGNED_WITH,
    VISITED,
)
from graph.sectors import find_sectors
from ingest.relations import (
    ARRIVE_VERBS,
    BRING_VERBS,
    DEAL_NOUNS,
    FUTURE_ADJECTIVES,
    HOLD_OR_SITE_VERBS,
    HOLD_VERBS,
    HOSPITALITY_NOUNS,
    LEAD_VERBS,
    LEAVE_VERBS,
    MEET_DIRECT,
    MEET_NOUNS,
    MEET_VERBS,
    MEMBER_VERBS,
    ORGANIZE_VERBS,
    PARTICIPATE_VERBS,
    PRONOUNS,
    SECTOR_VERBS,
    SHOW_VERBS,
    SIGN_VERBS,
    TRIP_NOUNS,
    VISIT_VERBS,
    Context,
    both_sides,
    deal_noun,
    is_future,
    pairs,
    parties_between,
    sector_entity,
)


class Tags(NamedTuple):
    """One token's tags, read from the report's token lists
    (``ingest.tokens``): a spaCy attribute is a string look-up on every
    access, and every rule tests them."""

    pos: str
    low: str
    dep: str
    tag: str
    lemma: str  # lower case
    is_verb: bool


Rule = Callable[[Context, Token, Tags, Span], None]


def find_sentence_relations(ctx: Context) -> None:
    """Run every sentence's trigger words' rules, adding to ``ctx.found``."""
    tk = ctx.tokens
    for sent in ctx.doc.sents:
        for i in range(sent.start, sent.end):
            lemma, low = tk.lemma[i], tk.lower[i]
            rules = _rules_for(lemma, low)
            if not rules:
                continue
            # Relations the rule finds remember their trigger: later passes
            # read its clause (where the meeting happened).
            ctx.trigger = i
            pos = tk.pos[i]
            tags = Tags(pos, low, tk.dep[i], tk.tag[i], lemma, pos in ("VERB", "AUX"))
            tok = ctx.doc[i]
            for rule in rules:
                rule(ctx, tok, tags, sent)
    ctx.trigger = -1


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


def _event_role(ctx: Context, noun: Token, tags: Tags, sent: Span) -> None:
    """A body named as an event's organiser or exhibitor: "X was among the
    co-organisers", "X was the organiser of E", "X, the organiser of E"."""
    if not (tags.pos in ("NOUN", "PROPN") and tags.low in EVENT_ROLES):
        return
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


def _stand(ctx: Context, noun: Token, tags: Tags, sent: Span) -> None:
    """A pavilion, stand or booth at an event is taking part in it: "X's
    pavilion at E", "X had a stand at E", "the pavilion was arranged by X",
    "E ..., where X had a stand"."""
    if not (tags.pos in ("NOUN", "PROPN") and tags.low in STAND_NOUNS):
        return
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


def _meeting_verb(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and tags.lemma in MEET_VERBS and not is_future(tok)):
        return
    subj = ctx.subjects(tok)
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children)
    meet_preps = ("with", "by") if passive else ("with",)
    obj = ctx.objects(tok, meet_preps, direct=tags.lemma in MEET_DIRECT and not passive)
    if tags.dep == "acl" and tags.tag == "VBN":
        # "the delegation, received by the minister, ..."
        subj = ctx.np_entities(tok.head)
    if tags.dep == "pcomp" and tok.head.lower_ == "of" and tok.head.head.lower_ in (
            "pleasure", "honour", "honor", "privilege"):
        # "our Chamber had the pleasure of welcoming the delegation"
        subj = ctx.subjects(tok.head.head.head)
    if passive and tags.lemma in ("welcome", "receive", "host"):
        # "the group was welcomed at the Embassy of X": by the body there.
        obj += [o for o in ctx.typed(ctx.objects(tok, ("at",), direct=False), ORGANIZATION)
                if ctx.entities[o].kind not in (None, "other", "park")]
    if tags.lemma in ("host", "welcome", "greet"):
        # "welcomed the Lithuanian companies" welcomes firms, not Lithuania.
        obj = [o for o in obj if ctx.entities[o].type != PLACE]
    for s in subj:
        for o in obj:
            ctx.add(MET_WITH, s, o, 0.9 if tags.lemma not in ("host", "welcome", "greet") else 0.8, sent)
    # "was welcomed in George Town": a delegation met there is there.
    for s in ctx.typed(subj, MISSION):
        for place in ctx.typed(ctx.objects(tok, ("in",), direct=False), PLACE):
            ctx.add(VISITED, s, place, 0.6, sent)
    if not obj and len(subj) > 1 and tags.lemma == "meet":
        for a, b in pairs(subj):
            ctx.add(MET_WITH, a, b, 0.8, sent)


def _hospitality_hosted_by(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and tags.lemma in ("host", "give", "offer", "throw")
            and tags.dep == "acl" and tags.tag == "VBN"
            and tok.head.lower_ in HOSPITALITY_NOUNS and not is_future(tok.head.head)):
        return
    # "The day ended with a dinner hosted by the mayor": the host met
    # the guests, the report's one delegation where none is named.
    guests = ctx.objects(tok.head, ("for",), direct=False) + ctx.objects(tok, ("for",), direct=False)
    missions = [e.index for e in ctx.entities if e.type == MISSION]
    for h in ctx.objects(tok, ("by",), direct=False):
        for g in guests or (missions if len(missions) == 1 else []):
            ctx.add(MET_WITH, h, g, 0.6, sent)


def _hospitality_given(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and tags.lemma in ("host", "give", "offer", "throw", "organise", "organize")
            and not is_future(tok)):
        return
    # "hosted a reception for the delegation"
    for c in tok.children:
        if c.dep_ == "dobj" and c.lower_ in HOSPITALITY_NOUNS:
            guests = ctx.objects(c, ("for",), direct=False) + ctx.objects(tok, ("for",), direct=False)
            for s in ctx.subjects(tok):
                for g in guests:
                    ctx.add(MET_WITH, s, g, 0.75, sent)


def _courtesy_call(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and tags.lemma in ("pay", "make") and not is_future(tok)):
        return
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


def _talks_held(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and tags.lemma in ("hold", "have", "begin", "start", "conduct", "open")):
        return
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


def _talks_between(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.pos == "NOUN" and tags.low in MEET_NOUNS):
        return
    parties = parties_between(ctx, tok)
    for a, b in pairs(parties):
        ctx.add(MET_WITH, a, b, 0.8, sent)
    # "three days of talks in Lagos between the minister and a
    # visiting delegation": the delegation was there.
    for place in ctx.typed(ctx.objects(tok, ("in",), direct=False), PLACE):
        for m in ctx.typed(parties, MISSION):
            ctx.add(VISITED, m, place, 0.6, sent)


def _deal_between(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.pos == "NOUN" and tags.low in DEAL_NOUNS):
        return
    for a, b in pairs(parties_between(ctx, tok)):
        ctx.add(SIGNED_WITH, a, b, 0.75, sent, anchor=tok.i)
    # "the accord was reached between A and B"
    if tags.dep == "nsubjpass":
        for a, b in pairs(parties_between(ctx, tok.head)):
            ctx.add(SIGNED_WITH, a, b, 0.8, sent, anchor=tok.i)


def _signing(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb
            and (tags.lemma in SIGN_VERBS or tags.lemma in ("agree", "reach") and tags.dep != "amod")):
        return
    subj = ctx.subjects(tok)
    if tags.lemma in SIGN_VERBS and any(c.dep_ == "agent" for c in tok.children):
        # "An agreement was signed by A and B": the signers are the agents.
        subj = ctx.objects(tok, ("by",), direct=False) or subj
    if not subj and both_sides(tok) and (tags.lemma in SIGN_VERBS or deal_noun(tok) >= 0):
        subj = ctx.last_meeting(sent)
    withs: list[int] = []
    for t in tok.subtree:
        if t.lower_ == "with" and t.dep_ == "prep" and not _other_signing(t, tok):
            # Not across another signing clause ("A signed with B, and C signed with D").
            withs += [e for p in t.children if p.dep_ == "pobj" for e in ctx.np_entities(p)]
    conf = 0.9 if tags.lemma in SIGN_VERBS else 0.7
    deal = deal_noun(tok)
    for s in subj:
        for o in withs:
            ctx.add(SIGNED_WITH, s, o, conf, sent, anchor=deal)
    if not withs and len(subj) > 1 and (tags.lemma in SIGN_VERBS or tags.lemma == "agree"):
        for a, b in pairs(subj):
            ctx.add(SIGNED_WITH, a, b, conf - 0.05, sent, anchor=deal)
    if tags.dep in ("ROOT", "conj") and tags.lemma in SIGN_VERBS:
        for a, b in pairs(parties_between(ctx, tok)):
            ctx.add(SIGNED_WITH, a, b, 0.8, sent, anchor=deal)


def _visit_verb(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and tags.lemma in VISIT_VERBS):
        return
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


def _delegation_taken(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and tags.lemma in ("take", "bring") and tags.tag != "VBN"):
        return
    # "The chamber plans to take a delegation to Reykjavik": the
    # one who takes it goes too.
    for c in tok.children:
        if c.dep_ == "dobj" and (c.lower_ in ("delegation", "mission", "group")
                                 or ctx.ent(c) >= 0 and ctx.entities[ctx.ent(c)].type == MISSION):
            dests = ctx.typed(ctx.objects(tok, ("to",), direct=False), PLACE)
            for s in ctx.typed(ctx.subjects(tok), ORGANIZATION, PERSON):
                for d in dests:
                    ctx.add(PLANS_VISIT if is_future(tok) else VISITED, s, d, 0.7, sent)


def _first_stop(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.low in ("stop", "destination", "leg") and tags.dep == "nsubj" and tok.head.lemma_ == "be"
            and any(c.lower_ in ("first", "second", "third", "next", "last", "final") for c in tok.children)):
        return
    # "The first stop was Hanoi": the report's one delegation went there.
    missions = [e.index for e in ctx.entities if e.type == MISSION]
    for c in tok.head.children:
        if c.dep_ == "attr" and len(missions) == 1:
            for place in ctx.typed(ctx.np_entities(c), PLACE):
                ctx.add(PLANS_VISIT if is_future(tok.head) else VISITED, missions[0], place, 0.6, sent)


def _left_for(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and tags.lemma in LEAVE_VERBS):
        return
    # "left for Kuala Lumpur": going there.
    rtype = PLANS_VISIT if is_future(tok) else VISITED
    for s in ctx.subjects(tok):
        for o in ctx.typed(ctx.objects(tok, ("for",), direct=False), PLACE):
            ctx.add(rtype, s, o, 0.7, sent)


def _brought_to(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and tags.lemma in BRING_VERBS and not is_future(tok) and tags.tag == "VBN" and any(
            c.dep_ in ("nsubjpass", "auxpass") for c in [*tok.children, *tok.head.children])):
        return
    # "The group was then taken to Hai Phong"; "was met at the airport and taken to X"
    holder = tok if any(c.dep_ == "nsubjpass" for c in tok.children) else tok.head
    visitors = [e for c in holder.children if c.dep_ == "nsubjpass"
                for e in (ctx.pronoun(c) if c.lower_ in PRONOUNS else ctx.np_entities(c))]
    for o in ctx.typed(ctx.objects(tok, ("to",), direct=False), PLACE, ORGANIZATION):
        for v in ctx.typed(visitors, MISSION, PERSON, ORGANIZATION):
            ctx.add(VISITED, v, o, 0.7, sent)


def _shown_around(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and tags.lemma in SHOW_VERBS
            and any(c.lower_ in ("around", "round", "through") for c in tok.children)):
        return
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
    if not visitors and tags.dep == "conj":
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


def _arrived(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and (tags.lemma in ARRIVE_VERBS or tags.lemma == "depart")):
        return
    future = is_future(tok)
    rtype = PLANS_VISIT if future else VISITED
    preps = ("in", "at", "to") if tags.lemma != "depart" else ()
    targets = ctx.typed(ctx.objects(tok, preps, direct=tags.lemma == "depart"), PLACE, ORGANIZATION)
    if tags.lemma == "arrive" and any(c.lower_ == "here" for c in tok.children):
        # "arrived here": the place the story was filed from.
        targets += [e.index for e in ctx.entities if e.type == PLACE
                    and any(m.attrs.get("dateline") for m in e.mentions)][:1]
    for s in ctx.subjects(tok):
        for o in targets:
            ctx.add(rtype, s, o, 0.75 if tags.lemma != "depart" else 0.6, sent)


def _trip_to(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    own_trip = tags.low in ("delegation", "delegations") and ctx.ent(tok) >= 0 \
        and ctx.entities[ctx.ent(tok)].type == MISSION
    if not (tags.pos == "NOUN" and tags.low in TRIP_NOUNS or own_trip):
        return
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
        elif tags.dep in ("dobj",) and head.pos_ == "VERB":
            actors = ctx.subjects(head)
            future = is_future(head) or head.lemma_ in ("plan", "prepare")
        elif tags.dep == "nsubjpass" and head.lemma_ in ("plan", "prepare", "schedule", "organise",
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


def _led(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and tags.lemma in LEAD_VERBS):
        return
    if tags.dep == "acl" or any(c.dep_ == "agent" for c in tok.children) and tags.tag == "VBN":
        # "It had been organised by X and was led by Y": a conjoined
        # passive shares the first verb's subject.
        passive_subj = [c for c in tok.children if c.dep_ == "nsubjpass"] or (
            [c for c in tok.head.children if c.dep_ == "nsubjpass"] if tags.dep == "conj" else [])
        led = ctx.np_entities(tok.head) if tags.dep == "acl" else [
            e for c in passive_subj
            for e in (ctx.pronoun(c) if c.lower_ in PRONOUNS else ctx.np_entities(c))]
        if tags.dep == "acl" and not ctx.typed(led, MISSION) and tok.head.dep_ == "pobj" \
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
                for a, b in pairs(leaders):
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


def _members_listed(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and tags.lemma in MEMBER_VERBS):
        return
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


def _accompanied(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and tags.lemma == "accompany" and not is_future(tok)):
        return
    # "The delegation was accompanied by representatives of X";
    # "Ambassador Y accompanied the delegation".
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children) or tags.tag == "VBN":
        groups, members = ctx.subjects(tok), ctx.objects(tok, ("by",), direct=False)
    else:
        groups, members = ctx.objects(tok), ctx.subjects(tok)
    for g in ctx.typed(groups, MISSION):
        for m in ctx.typed(members, ORGANIZATION, PERSON):
            ctx.add(MEMBER_OF, m, g, 0.75, sent)


def _member_of(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.low in ("member", "members") and tags.pos == "NOUN"):
        return
    groups = [e for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
              for p in c.children if p.dep_ == "pobj" for e in ctx.np_entities(p)]
    who = ctx.subjects(tok.head) if tags.dep in ("attr",) else []
    for w in who:
        for g in ctx.typed(groups, MISSION, ORGANIZATION):
            ctx.add(MEMBER_OF, w, g, 0.8, sent)


def _took_part(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    # An invitation is not yet participation; "presented at the forum"
    # takes part, "presented the plan" does not.
    if not (tags.is_verb
            and (tags.lemma in PARTICIPATE_VERBS
                 or tags.lemma == "take" and any(c.lower_ == "part" for c in tok.children)
                 or tags.lemma in ("present", "speak", "exhibit", "showcase", "display")
                 and any(c.dep_ == "prep" and c.lower_ == "at" for c in tok.children))
            and not is_future(tok) and not (tags.dep == "xcomp" and tok.head.lemma_ == "invite")):
        return
    passive = any(c.dep_ in ("nsubjpass", "agent") for c in tok.children)
    if passive and tags.lemma in PARTICIPATE_VERBS:
        # "the opening, which was also attended by the minister"
        held = [c for c in tok.children if c.dep_ == "nsubjpass"]
        if tags.dep == "relcl" and all(c.lower_ in ("which", "that") for c in held):
            held = [tok.head]
        events = [e for c in held for e in _events_of(ctx, c)]
        subj = ctx.objects(tok, ("by",), direct=False)
    else:
        direct = tags.lemma in PARTICIPATE_VERBS and tags.lemma != "take"
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


def _programme_includes(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and tags.lemma == "include" and not is_future(tok)):
        return
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


def _invited(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and tags.lemma == "invite"):
        return
    inviters = ctx.subjects(tok) if tags.tag != "VBN" else ctx.objects(tok, ("by",), direct=False)
    invitees = [e for c in tok.children if c.dep_ in ("dobj", "nsubjpass") for e in ctx.np_entities(c)]
    events = [e for c in tok.children if c.dep_ == "xcomp" for t in c.subtree
              if (e := ctx.ent(t)) >= 0 and ctx.entities[e].type == EVENT]
    for s in inviters:
        for o in invitees:
            ctx.add(INVITED, s, o, 0.85, sent, event=events[0] if events else None)


def _organised(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not ((tags.is_verb or tags.tag == "VBN") and tags.lemma in ORGANIZE_VERBS):
        return
    passive = any(c.dep_ in ("nsubjpass", "agent") for c in tok.children) or tags.dep == "acl"
    if tags.dep == "acomp" and any(c.dep_ == "agent" for c in tok.children):
        # "It was co-organised by X": the parser splits "co-" off and
        # makes the participle a complement of "was".
        events = ctx.subjects(tok.head)
        organisers = ctx.objects(tok, ("by",), direct=False)
    elif passive:
        events = ctx.np_entities(tok.head) if tags.dep == "acl" else [
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
        co = tags.low.startswith("co") or tok.i >= 2 and ctx.doc[tok.i - 1].text == "-" \
            and ctx.doc[tok.i - 2].lower_ == "co"
        own = {tok.i} | {c.i for c in tok.children if c.dep_ == "dobj"}
        organisers += [e for c in tok.subtree if c.dep_ == "prep" and c.lower_ == "with"
                       and (c.head.lower_ in ("together", "jointly", "along")
                            or any(x.lower_ in ("together", "jointly", "along") for x in c.children)
                            or co and c.head.i in own)
                       for p in c.children if p.dep_ == "pobj" for e in ctx.np_entities(p)]
    for o in organisers:
        for ev in ctx.typed(events, EVENT):
            ctx.add(ORGANIZED, o, ev, 0.85, sent)


def _held_or_sited(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and tags.lemma in HOLD_OR_SITE_VERBS):
        return
    if tags.dep == "acl" and (tags.lemma in ("locate", "base", "situate") or tags.tag == "VBN"):
        # "Fruit Logistica 2024, held in Rotterdam"; "A, based in X, and B":
        # the participle describes its own noun, not the conjuncts.
        things = [ctx.ent(tok.head)] if ctx.ent(tok.head) >= 0 else ctx.np_entities(tok.head)
    elif tags.dep == "relcl" and any(c.lower_ in ("which", "that") for c in tok.children
                                     if c.dep_ in ("nsubj", "nsubjpass")):
        # "the exhibition, which opened in Lagos"
        things = [ctx.ent(tok.head)] if ctx.ent(tok.head) >= 0 else []
    else:
        things = [e for c in tok.children if c.dep_ in ("nsubjpass", "nsubj") for e in ctx.np_entities(c)]
    if tags.lemma in HOLD_VERBS:
        things = ctx.typed(things, EVENT)
    if tags.dep == "relcl" and any(c.lower_ == "where" for c in tok.children) \
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


def _located_by_preposition(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    # "the China-Belarus industrial park in Minsk", "AOMI Cargo Distribution Centre in Tokyo"
    if not (tags.dep == "prep" and tags.low in ("in", "at") and tok.head.pos_ in ("NOUN", "PROPN")):
        return
    owner = ctx.ent(tok.head)
    venue = tok.head
    if tags.low == "in" and venue.dep_ == "pobj" and venue.head.lower_ == "at" \
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


def _active_in(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.low == "active" and tags.dep == "acomp" and not is_future(tok.head)):
        return
    # "The visiting companies are active in textiles and leather goods"
    actors = ctx.typed(ctx.subjects(tok.head), ORGANIZATION, MISSION, EVENT)
    for c in [*tok.children, *tok.head.children]:
        if c.dep_ == "prep" and c.lower_ == "in":
            a, b = c.idx, c.right_edge.idx + len(c.right_edge.text)
            for s, e, code in find_sectors(ctx.text[a:b]):
                sec = sector_entity(ctx, code, a + s, a + e)
                for actor in actors:
                    ctx.add(IN_SECTOR, actor, sec, 0.75, sent)


def _sector_verb(ctx: Context, tok: Token, tags: Tags, sent: Span) -> None:
    if not (tags.is_verb and tags.lemma in SECTOR_VERBS and not is_future(tok)):
        return
    # A country "supplies oil" as a trading nation, not as a business.
    # "a company working in X", "a mission focused on X": the noun it hangs from.
    who = ctx.np_entities(tok.head) if tags.dep == "acl" else ctx.subjects(tok)
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
                sec = sector_entity(ctx, code, a + s, a + e)
                for actor in actors:
                    ctx.add(IN_SECTOR, actor, sec, 0.75, sent)


# Each rule with the words (lemmas or lower-case forms) that start it.
RULES: tuple[tuple[Collection[str], Rule], ...] = (
    (MEET_VERBS, _meeting_verb),
    ({"host", "give", "offer", "throw"}, _hospitality_hosted_by),
    ({"host", "give", "offer", "throw", "organise", "organize"}, _hospitality_given),
    ({"pay", "make"}, _courtesy_call),
    ({"hold", "have", "begin", "start", "conduct", "open"}, _talks_held),
    (MEET_NOUNS, _talks_between),
    (DEAL_NOUNS, _deal_between),
    (SIGN_VERBS | {"agree", "reach"}, _signing),
    (VISIT_VERBS, _visit_verb),
    ({"take", "bring"}, _delegation_taken),
    ({"stop", "destination", "leg"}, _first_stop),
    (LEAVE_VERBS, _left_for),
    (BRING_VERBS, _brought_to),
    (SHOW_VERBS, _shown_around),
    (ARRIVE_VERBS | {"depart"}, _arrived),
    (TRIP_NOUNS | {"delegation", "delegations"}, _trip_to),
    (LEAD_VERBS, _led),
    (MEMBER_VERBS, _members_listed),
    ({"accompany"}, _accompanied),
    ({"member", "members"}, _member_of),
    (PARTICIPATE_VERBS | {"take", "present", "speak", "exhibit", "showcase", "display"}, _took_part),
    (STAND_NOUNS, _stand),
    (EVENT_ROLES.keys(), _event_role),
    ({"include"}, _programme_includes),
    ({"invite"}, _invited),
    (ORGANIZE_VERBS, _organised),
    (HOLD_OR_SITE_VERBS, _held_or_sited),
    ({"in", "at"}, _located_by_preposition),
    ({"active"}, _active_in),
    (SECTOR_VERBS, _sector_verb),
)
_RULE_ORDER = {rule: n for n, (_, rule) in enumerate(RULES)}


def _index_rules() -> dict[str, tuple[Rule, ...]]:
    by_word: dict[str, list[Rule]] = {}
    for words, rule in RULES:
        for word in words:
            by_word.setdefault(word, []).append(rule)
    return {word: tuple(rules) for word, rules in by_word.items()}


_RULES_BY_WORD = _index_rules()


def _rules_for(lemma: str, low: str) -> tuple[Rule, ...]:
    if low != lemma and low in _RULES_BY_WORD and lemma in _RULES_BY_WORD:
        return _merged(lemma, low)
    return _RULES_BY_WORD.get(lemma) or _RULES_BY_WORD.get(low, ())


@cache  # both words start rules ("talk" / "talks"): few such pairs, merged once each
def _merged(lemma: str, low: str) -> tuple[Rule, ...]:
    return tuple(sorted(set(_RULES_BY_WORD[lemma]) | set(_RULES_BY_WORD[low]), key=_RULE_ORDER.__getitem__))
