"""Where things are and where they happened.

Two passes after the relation rules:

- ``find_places``: a meeting, signing, participation, organisation or a visit
  to a body gets ``attrs["place"]`` = the Place entity the text says it
  happened in ("met X in Almaty", "In Almaty the delegation met X",
  "travelled to Chengdu, where it met X", "signed ... at a ceremony in
  Tbilisi"). Nothing is guessed: no stated place, no attribute.
- ``find_countries``: an organisation without a country in its name gets one
  from the report, by ``choose_country``'s order of trust.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from spacy.tokens import Doc, Token

from graph.gazetteer import demonym_country
from graph.ontology import (
    EVENT,
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
    SIGNED_WITH,
    VISITED,
    WORKS_FOR,
)
from ingest.mentions import Entity, countries_named
from ingest.organisations import legal_form_country, name_countries, name_country, name_place_countries
from ingest.relations import DEAL_NOUNS, MEET_NOUNS, Context, Found
from ingest.tokens import Tokens

# Relations that happen somewhere; VISITED only when the visit is to a body.
PLACED_RELATIONS = frozenset({MET_WITH, SIGNED_WITH, PARTICIPATED_IN, ORGANIZED})
# Occasions whose own "in <place>" is where the act happened: "signed at a
# ceremony in Tbilisi", "met at a round table in Astana".
VENUE_NOUNS = frozenset({"ceremony", "meeting", "meetings", "forum", "session", "table", "reception",
                         "event", "conference", "talks", "dinner", "seminar", "fair", "exhibition"})


# --- where it happened ---------------------------------------------------------


def _place_entity(ctx: Context, tok: Token) -> int:
    e = ctx.ent(tok)
    return e if e >= 0 and ctx.entities[e].type == PLACE else -1


def _located_event_place(ctx: Context, event: int) -> int:
    """Where the report says an event took place ("the forum held in Almaty")."""
    for f in ctx.found:
        if f.type == LOCATED_IN and f.source == event and ctx.entities[f.target].type == PLACE:
            return f.target
    return -1


def _prep_place(ctx: Context, node: Token) -> int:
    """The Place of an "in/at" phrase hanging from ``node``: "in Almaty",
    "at a ceremony in Tbilisi", "at the fair" (when the fair's place is known)."""
    for c in node.children:
        if c.dep_ != "prep" or c.lower_ not in ("in", "at"):
            continue
        for p in c.children:
            if p.dep_ != "pobj":
                continue
            place = _place_entity(ctx, p)
            if place >= 0:
                return place
            e = ctx.ent(p)
            if e >= 0 and ctx.entities[e].type == EVENT:
                place = _located_event_place(ctx, e)
                if place >= 0:
                    return place
            if p.lower_ in VENUE_NOUNS:
                place = _prep_place(ctx, p)
                if place >= 0:
                    return place
    return -1


def _clause_nodes(trigger: Token) -> list[Token]:
    """The trigger, then the words its clause shares adjuncts with: a noun
    trigger's verb ("talks ... were held in X"), the verb a conjoined or
    infinitive verb hangs from ("In Almaty the delegation visited X and met Y")."""
    nodes = [trigger]
    node = trigger
    for _ in range(4):
        if node.pos_ in ("VERB", "AUX"):
            if node.dep_ not in ("conj", "xcomp") or node.head is node:
                break
        elif node.dep_ in ("ROOT",):
            break
        node = node.head
        nodes.append(node)
    return nodes


def _previous_sentence_place(ctx: Context, tok: Token) -> int:
    """"There" points at the place the previous sentence put the actors in."""
    sent = tok.sent
    if sent.start == 0:
        return -1
    prev = ctx.doc[sent.start - 1].sent
    root = prev.root
    for node in [root, *[t for t in prev if t.dep_ == "conj" and t.head is root]]:
        place = _prep_place(ctx, node)
        if place < 0:
            for c in node.children:
                if c.dep_ == "prep" and c.lower_ == "to":
                    place = next((x for p in c.children if p.dep_ == "pobj"
                                  if (x := _place_entity(ctx, p)) >= 0), -1)
        if place >= 0:
            return place
    return -1


def _phrase_nodes(node: Token) -> list[Token]:
    """Words whose "in/at" phrase says where the act of ``node`` happened:
    the verb or noun itself; the talks or deal it is about ("held talks in
    Astana", "signed the accord in Minsk"); the party it was with ("met with
    representatives of X in Berlin"); an amount's adjective the parser hangs
    the venue on ("worth EUR 18 million at a ceremony in Tbilisi")."""
    out = [node]
    for c in node.children:
        if c.dep_ in ("dobj", "nsubjpass") and c.lower_ in MEET_NOUNS | DEAL_NOUNS:
            out.append(c)
        elif c.dep_ == "prep" and c.lower_ == "with":
            out += [p for p in c.children if p.dep_ == "pobj"]
        elif c.lower_ in ("worth", "valued") or c.dep_ == "advcl" and c.pos_ not in ("VERB", "AUX"):
            out.append(c)
    return out


def stated_place(ctx: Context, trigger: Token) -> int:
    """The Place entity the clause of ``trigger`` says the act happened in,
    or -1 when the text does not say."""
    for node in _clause_nodes(trigger):
        for word in _phrase_nodes(node):
            place = _prep_place(ctx, word)
            if place >= 0:
                return place
        # "travelled to Chengdu, where it ... met X"
        if node.dep_ == "relcl" and any(c.lower_ == "where" for c in node.children):
            place = _place_entity(ctx, node.head)
            if place >= 0:
                return place
        if any(c.lower_ == "there" and c.dep_ == "advmod" for c in node.children):
            return _previous_sentence_place(ctx, node)
    return -1


def _placed(ctx: Context, f: Found) -> bool:
    if f.type in PLACED_RELATIONS:
        return True
    return f.type == VISITED and ctx.entities[f.target].type == ORGANIZATION


def find_places(ctx: Context) -> None:
    for f in ctx.found:
        if f.trigger < 0 or "place" in f.attrs or not _placed(ctx, f):
            continue
        place = stated_place(ctx, ctx.doc[f.trigger])
        # A place is not where it met itself ("Kazakhstan signed with X in Kazakhstan").
        if place >= 0 and place not in (f.source, f.target):
            f.attrs["place"] = place


# --- where an organisation is ----------------------------------------------------


@dataclass(slots=True)
class CountryClues:
    """What a report says about one organisation's country, by source."""

    name: str | None = None  # the one country its own name names ("Belarusian Chamber ...")
    described: list[str] = field(default_factory=list)  # "the Kazakh chamber X", "X, an Almaty dealer"
    located: list[str] = field(default_factory=list)  # an explicit LOCATED_IN
    named: list[str] = field(default_factory=list)  # several countries in its name ("China-Belarus ...")
    name_places: list[str] = field(default_factory=list)  # countries of cities/regions in its name
    near: list[str] = field(default_factory=list)  # "X in Minsk", "X near Minsk"
    itinerary: list[str] = field(default_factory=list)  # where the travelling side was when it met X
    met_in: list[str] = field(default_factory=list)  # where it hosted a meeting the text places
    report: str | None = None  # the one country the visit went to, for bodies met on it
    mentioned: list[str] = field(default_factory=list)  # every country the report names
    legal_form: str | None = None  # the one report country its legal form fits ("Sp. z o.o.")


def _one(codes: Iterable[str]) -> str | None:
    """The country when the clues agree on one; several is no answer."""
    distinct = set(codes)
    return distinct.pop() if len(distinct) == 1 else None


def country_and_reason(clues: CountryClues) -> tuple[str | None, str | None]:
    """The organisation's country and the clue that gave it, in order of
    trust: the one country its name names, a nationality or city describing
    it, a stated location; then, for a name that names several countries or
    only a city or region, the one of those the report's own statements
    ("in Minsk", where the delegation was, where it met) point to; last the
    report's single destination country."""
    if clues.name:
        return clues.name, "name"
    for reason, codes in (("described", clues.described), ("located", clues.located)):
        if (code := _one(codes)) is not None:
            return code, reason
    stated = [("near", clues.near), ("itinerary", clues.itinerary), ("met_in", clues.met_in),
              ("report", [clues.report] if clues.report else [])]
    for options, own in ((clues.named, "name"), (clues.name_places, "name_place")):
        if not options:
            continue
        for reason, codes in [*stated, ("mentioned", clues.mentioned)]:
            fitting = [c for c in options if c in codes]
            if len(fitting) == 1:
                return fitting[0], f"{own}+{reason}"
        return options[0], own
    for reason, codes in stated:
        if (code := _one(codes)) is not None:
            return code, reason
    if clues.legal_form:
        return clues.legal_form, "legal_form"
    return None, None


def choose_country(clues: CountryClues) -> str | None:
    """The organisation's country (``country_and_reason`` without the reason)."""
    return country_and_reason(clues)[0]


# ", an Almaty parts distributor", " is a Minsk-based maker", " (KZ), the Kazakh chamber"
_AFTER_RE = re.compile(
    r"\.?(?:\s*\([^()\n]{1,40}\))?(?:,\s+|\s+(?:is|was)\s+)(?:an?|the|one\s+of\s+the)\s+"
    r"(?P<d>[^,;:()\n]{2,100}?)(?=\s*[,;:()]|\.(?:\s|$)|$)"
)
# Where a description stops being about the body: "a subsidiary of a Russian group".
_DESCRIPTION_END = re.compile(r"\s(?:of|for|to|with|between|and|which|that|who|whose|said|signed|worth|"
                              r"valued|serving|supplying)\s")
# "Ararat Cargo CJSC of Yerevan", "X from Almaty": the place right after the name.
_OF_PLACE_RE = re.compile(r"\s+(?:of|from)\s+(?:the\s+)?")
# "the China-Belarus industrial park in Minsk", "Great Stone near Minsk".
_NEAR_PLACE_RE = re.compile(r"\s+(?:in|near|outside|at)\s+(?:the\s+)?")


def _description_country(text: str) -> str | None:
    cut = _DESCRIPTION_END.search(text)
    return name_country(text[:cut.start()] if cut else text)


def _premodifier(ctx: Context, start: int, end: int) -> str | None:
    """"the Kazakh chamber Atameken", "the Uzbek power grid company X": the
    adjectives and nouns right before a name, ending in a common noun."""
    span = ctx.doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    i = span.start
    j = i - 1
    while j >= 0 and ctx.doc[j].pos_ in ("ADJ", "NOUN", "PROPN") and ctx.ent(ctx.doc[j]) < 0 \
            and ctx.doc[j].sent.start == ctx.doc[i].sent.start:
        j -= 1
    words = ctx.doc[j + 1:i]
    if len(words) < 2 or not words[-1].text.islower() or words[-1].pos_ != "NOUN":
        return None
    return words.text


def _described_countries(ctx: Context, e: Entity) -> list[str]:
    text = ctx.text
    codes: list[str] = []
    for m in e.mentions:
        if m.generic:
            # "the Kazakh chamber" referring to it
            if m.attrs.get("country"):
                codes.append(m.attrs["country"])
            continue
        after = _AFTER_RE.match(text, m.end)
        if after:
            code = _description_country(after.group("d"))
            if code:
                codes.append(code)
        of = _OF_PLACE_RE.match(text, m.end)
        if of:
            place = ctx.starts.get(of.end())
            if place is not None and place.type == PLACE and place.country:
                codes.append(place.country)
        before = _premodifier(ctx, m.start, m.end)
        if before:
            code = name_country(before) or next(
                (c for w in before.split() if (c := demonym_country(w))), None)
            if code:
                codes.append(code)
    return codes


def visiting_side(ctx: Context) -> set[int]:
    """The delegation, its members and leaders, who organised it, and the
    bodies its people work for: the side that travelled."""
    side = {e.index for e in ctx.entities if e.type == MISSION}
    for f in ctx.found:
        if f.type in (LED, MEMBER_OF, ORGANIZED) and f.target in side:
            side.add(f.source)
    for f in ctx.found:
        if f.type == WORKS_FOR and f.source in side:
            side.add(f.target)
        elif f.type == WORKS_FOR and f.target in side:
            side.add(f.source)
    return side


def _place_country(ctx: Context, place: int) -> str | None:
    return ctx.entities[place].country


def _destination(ctx: Context, side: set[int], dateline_country: str | None) -> str | None:
    """The one country the visit went to, from the places the travelling
    side visited and the places the text puts its meetings in; the dateline
    when those say nothing. Two countries: no answer."""
    codes: list[str] = []
    for f in ctx.found:
        if f.source not in side and f.target not in side:
            continue
        target = ctx.entities[f.target]
        if f.type == VISITED and f.source in side and target.type == PLACE and target.country:
            codes.append(target.country)
        place = f.attrs.get("place")
        if isinstance(place, int) and (code := _place_country(ctx, place)):
            codes.append(code)
    if not codes and dateline_country:
        return dateline_country
    return _one(codes)


def _hosts(ctx: Context, side: set[int]) -> dict[int, list[Found]]:
    """Organisations that met, signed with or were visited by the travelling
    side, with those relations."""
    out: dict[int, list[Found]] = {}
    for f in ctx.found:
        if f.type not in (MET_WITH, SIGNED_WITH, VISITED):
            continue
        pairs = [(f.source, f.target)] if f.type == VISITED else [(f.source, f.target), (f.target, f.source)]
        for visitor, host in pairs:
            if visitor in side and host not in side and ctx.entities[host].type == ORGANIZATION:
                out.setdefault(host, []).append(f)
    return out


def _meeting_countries(ctx: Context, org: int, side: set[int], known: dict[int, str | None]) -> list[str]:
    """Countries of the places where the text puts a meeting at which
    ``org`` was the host: the other party travelled (the delegation's side,
    or a body whose own country is another)."""
    codes: list[str] = []
    for f in ctx.found:
        place = f.attrs.get("place")
        if not isinstance(place, int) or org not in (f.source, f.target) or f.type not in (
                MET_WITH, SIGNED_WITH, VISITED):
            continue
        other = f.target if f.source == org else f.source
        if f.type == VISITED and f.target != org:
            continue
        code = _place_country(ctx, place)
        if code is None:
            continue
        other_country = known.get(other)
        if other in side or other_country is not None and other_country != code:
            codes.append(code)
    return codes


def _near_countries(ctx: Context, e: Entity) -> list[str]:
    codes = []
    for m in e.mentions:
        near = _NEAR_PLACE_RE.match(ctx.text, m.end)
        place = ctx.starts.get(near.end()) if near else None
        if place is not None and place.type == PLACE and place.country:
            codes.append(place.country)
    return codes


def _itinerary_countries(ctx: Context, org: int, side: set[int]) -> list[str]:
    """Where the travelling side had last gone when it met or visited
    ``org``: "On 11 June the delegation flew to Minsk. ... On 13 June the
    delegation visited the China-Belarus Industrial Park"."""
    trips: dict[int, set[str]] = {}
    for f in ctx.found:
        target = ctx.entities[f.target]
        if f.type == VISITED and f.source in side and target.type == PLACE and target.country:
            trips.setdefault(f.sentence[0], set()).add(target.country)
    codes = []
    for f in ctx.found:
        if f.type not in (MET_WITH, SIGNED_WITH, VISITED) or org not in (f.source, f.target):
            continue
        other = f.target if f.source == org else f.source
        if other not in side:
            continue
        before = [start for start in trips if start <= f.sentence[0]]
        # "visited Almaty and Minsk": a sentence naming two countries says
        # nothing about where the next meeting was.
        if before and len(last := trips[max(before)]) == 1:
            codes.append(next(iter(last)))
    return codes


def _foreign_counterparts(ctx: Context, side: set[int], known: dict[int, str | None],
                          destination: str | None) -> set[int]:
    """Bodies that met or signed with a body from abroad on the trip
    ("Kericho Highlands Tea Ltd signed a contract with Gulf Leaf Trading
    LLC" in a report on a Kenyan mission to Dubai): hosts too."""
    out: set[int] = set()
    if destination is None:
        return out
    for f in ctx.found:
        if f.type not in (MET_WITH, SIGNED_WITH):
            continue
        for a, b in ((f.source, f.target), (f.target, f.source)):
            if a in side or ctx.entities[a].type != ORGANIZATION or known.get(a):
                continue
            if known.get(b) and known[b] != destination:
                out.add(a)
    return out


def report_countries(ctx: Context, dateline_country: str | None) -> frozenset[str]:
    """The countries a report names: its Place entities', its nationality
    words' and its dateline's."""
    codes = {e.country for e in ctx.entities if e.type == PLACE and e.country} | countries_named(ctx.text)
    if dateline_country:
        codes.add(dateline_country)
    return frozenset(codes)


def find_final_countries(doc: Doc, text: str, entities: list[Entity], found: list[Found],
                         tokens: Tokens | None, dateline_country: str | None) -> None:
    """``find_countries`` again, on the entities and relations the models
    kept: the names only they found ("Kazakh Invest", from the span tagger)
    and the relations they decided are what the report says. The rule
    stage's pass stays: its countries are features the models were trained
    on. (On the held and development reports, organisations whose country
    is stated and found: 0.72 right, against 0.50 with the rule stage's
    countries alone.)"""
    # The mentions point to the entities' new places (the models re-index them).
    mentions = [replace(m, entity=e.index) for e in entities for m in e.mentions]
    ctx = Context(doc, text, entities, mentions, _no_new_entity, tokens)
    ctx.found = list(found)
    find_countries(ctx, dateline_country)


def _no_new_entity(etype: str, name: str, start: int, end: int, attrs: dict[str, Any]) -> Entity:
    raise AssertionError("the countries are found among the entities there are")


def find_countries(ctx: Context, dateline_country: str | None = None) -> None:
    """Give each organisation the country the report states or implies
    (``country_and_reason``), and say why in ``attrs["country_reason"]``."""
    side = visiting_side(ctx)
    hosts = _hosts(ctx, side)
    destination = _destination(ctx, side, dateline_country)
    context = report_countries(ctx, dateline_country)
    clues: dict[int, CountryClues] = {}
    for e in ctx.entities:
        if e.type != ORGANIZATION:
            continue
        named = name_countries(e.name)
        diplomatic = e.kind == "diplomatic"
        c = CountryClues(
            # A post abroad belongs to the country that sends it, whatever
            # its first country word ("Embassy of Kenya in Abu Dhabi").
            name=named[0] if len(named) == 1 or named and diplomatic else None,
            described=_described_countries(ctx, e),
            named=named if len(named) > 1 else [],
            name_places=[] if named else name_place_countries(e.name, context),
            near=_near_countries(ctx, e),
            mentioned=sorted(context),
            legal_form=legal_form_country(e.name, context),
        )
        if not named and not c.name_places and e.country:
            # A country an earlier rule found for a mention (an acronym's
            # full name, an ORG the model tagged).
            c.name = e.country
        c.located = [code for f in ctx.found if f.type == LOCATED_IN and f.source == e.index
                     and ctx.entities[f.target].type == PLACE and (code := _place_country(ctx, f.target))]
        clues[e.index] = c
    # What each body's own name or description says, to tell visitors from hosts.
    known: dict[int, str | None] = {
        i: c.name or _one(c.described) or next(iter(c.named or c.name_places), None) or c.legal_form
        for i, c in clues.items()}
    for e in ctx.entities:
        if e.type == MISSION and e.attrs.get("origin"):
            known[e.index] = e.attrs["origin"]
    # A person speaks for the body they work for.
    for f in ctx.found:
        if f.type == WORKS_FOR and ctx.entities[f.source].type == PERSON:
            known.setdefault(f.source, known.get(f.target))
    counterparts = _foreign_counterparts(ctx, side, known, destination)
    for i, c in clues.items():
        c.met_in = _meeting_countries(ctx, i, side, known)
        if (i in hosts or i in counterparts) and i not in side:
            c.report = destination
            c.itinerary = _itinerary_countries(ctx, i, side)
        code, reason = country_and_reason(c)
        ctx.entities[i].country = code
        if code is not None and reason is not None:
            ctx.entities[i].attrs["country_reason"] = reason
        else:
            ctx.entities[i].attrs.pop("country_reason", None)
