"""More candidate entities than the rules propose, for the type model to judge.

The rules only name what their patterns know; the span tagger trained here
(``span_model``) and spaCy's recogniser find names they pass over
("Tachonics Corp", "Massachusetts", "ICCO meeting"), and a capitals
headline names countries the body may not repeat. These become candidates
marked ``candidate=tagger``, ``ner`` or ``headline``; the type model keeps
the real ones (a wrong candidate costs nothing when it is dropped).
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Collection, Sequence
from typing import Any

from spacy.tokens import Doc, Span, Token

from graph.gazetteer import country_code, find_place
from graph.model import normalise_name
from graph.ontology import EVENT, MISSION, ORGANIZATION, PERSON, PLACE, SECTOR
from ingest.learn import sector_terms, span_model
from ingest.learn.event_names import Lexicon as EventNames
from ingest.mentions import NAMED_SOON_AFTER, TITLE_HEADS, Entity, Mention
from ingest.organisations import LEGAL_FORM_TAIL, MONTH, NAME_LINK_WORDS, ORG_HEADS, PORTFOLIO_WORDS, org_kind
from ingest.relations import Found
from ingest.titles import titles_before

NER_TYPES = {"ORG": ORGANIZATION, "PERSON": PERSON, "GPE": PLACE, "LOC": PLACE, "EVENT": EVENT,
             "FAC": ORGANIZATION}
_LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_TRAILING = re.compile(r"(?:'s|’s)$")


def _place(surface: str, start: int, end: int, candidate: str) -> Mention:
    place = find_place(surface) or find_place(surface.title())
    if place is not None:
        return Mention(start, end, surface, PLACE, kind=place.kind, country=place.country,
                       key=f"{place.kind}:{place.country}:{place.name}",
                       attrs={"standard_name": place.name, "candidate": candidate})
    return Mention(start, end, surface, PLACE, kind="region", key=f"region::{normalise_name(surface)}",
                   attrs={"candidate": candidate})


# What a name picks up from its line and is never part of it: a time or
# number before it ("10:00 Ministry of Trade" in an itinerary table), an
# ownership adjective ("State-owned", "Toronto-listed"), a dangling "and"
# or "of" where the name was cut, an opening bracket never closed.
_EDGE_BEFORE = re.compile(r"^(?:(?:\d[\d:.]*(?:\s*[–-]\s*\d[\d:.]*)?"
                          r"|[A-Z][\w.]*-(?:owned|listed|based|registered|controlled|backed|run))\s+)+(?=[A-Z])")
# "Klaipeda for the TransBaltica conference": the city a show is held in.
_PLACES_FOR = re.compile(r"^(.+?)\s+for\s+(?:the\s+)?(?=[A-Z0-9])")
_EDGE_AFTER = re.compile(r"(?:,|\s+(?:and|or|of|for|in|on|the|to|at|with|by|from|&))+$|\s*\(([^()]*)$")
# An itinerary's date before a name, set off by a dash, a bar or a column gap
# ("6 October – Polish–Uzbek Business Forum", "Feb | Busan ...", "18 Oct
# Azerbaijan–Czech Health Forum"): an abbreviated month needs no mark.
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE_BEFORE = re.compile(rf"(?:{_ORDINAL}\s+)?{MONTH}(?:\s+{_ORDINAL})?(?:\s+\d{{4}})?(?:,?\s*\([A-Z][a-z]{{1,3}}\))?,?"
                          r"(?:\s*[–—|]\s*|\s+-\s+|[ \t]{2,})"
                          r"|(?:Feb|Apr|Aug|Sept?|Oct|Nov|Dec)\.?\s+(?=[A-Z])")
# A place set off before a name is where it is or where the line was
# written ("Tashkent — Korea–Uzbekistan Medical Business Forum", "Dubai — Al
# Noor Hypermarkets LLC", "Mar  Brussels   Embassy of Kazakhstan").
_SET_OFF = re.compile(r"\s+[–—]\s+|\s+-\s+|\s*\|\s*|[ \t]{2,}")


# "the International Coffee Organization, ICO, said": a short form set off by
# a comma, when its letters are the name's capitals in order (not ", LLC",
# the legal form of the name or of the next one in a list).
_COMMA_SHORT_FORM = re.compile(r",\s*([A-Z]{2,6})$")
# "EC-produced", "World Bank-funded": the name before a participle joined to it.
_PARTICIPLE_AFTER = re.compile(r"(?<=\w)-(?:[a-z]+ed|made|run)$")


def capitals_in_order(short: str, name: str) -> bool:
    """Whether the letters of ``short`` are capitals of ``name``, in order
    ("ICO": "International Coffee Organization"; "GM": "General Motors Corp")."""
    capitals = iter(ch.lower() for ch in name if ch.isupper())
    return all(ch.lower() in capitals for ch in short)


def clean_edges(text: str, start: int, end: int) -> tuple[int, int, str | None]:
    """A name's span without what it picked up at its edges (a time, a
    date, a place set off before it; a dangling word or a participle after
    it), and the acronym an unclosed bracket or a comma set off ("Dubai
    International Financial Centre (DIFC" -> the centre, "DIFC")."""
    acronym = None
    lead = _EDGE_BEFORE.match(text, start, end)
    if lead and lead.end() < end:
        start = lead.end()
    date = _DATE_BEFORE.match(text, start, end)
    if date and date.end() < end and text[date.end()].isupper():
        start = date.end()
    set_off = _SET_OFF.search(text, start, end)
    before = text[start:set_off.start()] if set_off else ""
    if set_off and set_off.end() < end and text[set_off.end()].isupper() and not (
            before.isupper() and len(before) <= 4) and (find_place(before) or find_place(before.title())):
        start = set_off.end()  # (not "ITA – Italian Trade Agency": a short form, not Italy's code)
    for _ in range(2):  # "X (ABC" then what came before the bracket
        tail = _EDGE_AFTER.search(text, start, end)
        if tail is None or tail.start() <= start:
            break
        if tail.group(1) and re.fullmatch(r"[A-Z][A-Za-z0-9&.-]{1,10}", tail.group(1).strip()):
            acronym = tail.group(1).strip()
        end = tail.start()
        while end > start and text[end - 1].isspace():
            end -= 1
    if participle := _PARTICIPLE_AFTER.search(text, start, end):
        end = participle.start()
    comma = _COMMA_SHORT_FORM.search(text, start, end)
    if comma and capitals_in_order(comma.group(1), text[start:comma.start()]):
        end, acronym = comma.start(), comma.group(1)
    return start, end, acronym


def _mention(text: str, etype: str, start: int, end: int, candidate: str) -> Mention | None:
    surface = text[start:end]
    lead = _LEADING.match(surface)
    if lead:
        start += lead.end()
    trail = _TRAILING.search(text[start:end])
    if trail:
        end -= len(trail.group(0))
    if etype != PLACE:
        start, end, _ = clean_edges(text, start, end)
    surface = text[start:end].strip()
    if len(surface) < 2 or not span_model.is_name(surface, etype):
        return None
    if etype == PLACE:
        return _place(surface, start, end, candidate)
    kind = (org_kind(surface) or "other") if etype == ORGANIZATION else None
    return Mention(start, end, surface, etype, kind=kind, attrs={"candidate": candidate})


def _headline_countries(text: str) -> list[Mention]:
    """Countries named in a capitals headline ("JAPAN ADVISED TO ...")."""
    first = text.split("\n", 1)[0]
    if not first.strip() or first.upper() != first:
        return []
    out = []
    words = list(re.finditer(r"[A-Z][A-Z.'-]+", first))
    taken: set[int] = set()
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            if any(j in taken for j in range(i, i + size)):
                continue
            s, e = words[i].start(), words[i + size - 1].end()
            place = find_place(first[s:e].title())
            if place is not None and place.kind == "country":
                taken.update(range(i, i + size))
                out.append(Mention(s, e, first[s:e], PLACE, kind="country", country=place.country,
                                   key=f"country:{place.country}:{place.name}",
                                   attrs={"standard_name": place.name, "candidate": "headline"}))
    return out


# Meetings and shows named by a phrase ("the ICCO executive board meeting",
# "the weekend meeting", "a special session": the annotators name the
# meeting a wire story reports by its modifiers); a bare "meeting" or
# "talks" is no name. The heads are those the annotations' Event names end
# in at least four times (a pavilion, a signing, an evening reception),
# plus workshops, webinars and roadshows; the type model decides.
EVENT_HEADS = frozenset({"meeting", "conference", "summit", "fair", "exhibition", "expo", "forum", "session",
                         "round", "talks", "congress", "symposium", "seminar", "show", "assembly",
                         "pavilion", "ceremony", "roundtable", "stand", "day", "week", "meet", "table", "signing",
                         "lunch", "dinner", "reception", "festival", "auction", "briefing", "tasting",
                         "matchmaking", "showcase", "event", "workshop", "webinar", "roadshow"})
# Travelling groups named by a phrase ("a World Bank mission", "the IMF team",
# "Trade Mission to Turkmenistan"): the report's delegation is its hub.
MISSION_HEADS = frozenset({"mission", "delegation", "team"})
# A counted or national group of firms or people travels as a delegation
# too ("Eleven German machine builders", "Korean seafood importers"); the
# type model tells such a group from one that stays at home.
GROUP_HEADS = frozenset({"company", "firm", "exporter", "buyer", "producer", "manufacturer", "importer",
                         "investor", "maker", "enterprise", "supplier", "processor", "executive", "trader",
                         "entrepreneur", "businessman", "businesswoman", "builder", "grower", "distributor"})
# A body's office, desk or site named by where it is ("the Lagos liaison
# office", "NZTE's office in Jakarta", "the Namangan free economic zone",
# "the port of Algeciras"): the annotations name such units as bodies of
# their own, the rules see only the place in them. The heads are those the
# annotations' Organization names end in as a common noun; the type model
# decides which phrases are units.
UNIT_HEADS = frozenset({"office", "branch", "desk", "bureau", "department", "directorate", "division",
                        "secretariat", "embassy", "consulate", "commission", "committee", "zone", "park", "port",
                        "terminal", "complex", "centre", "center", "cluster", "hub", "campus", "estate", "akimat",
                        "khokimiyat"})


def _phrase_mentions(doc: Doc, text: str) -> list[Mention]:
    """Events, then missions, named by a noun phrase with one of their heads
    (one pass over the parse's noun chunks)."""
    events: list[Mention] = []
    missions: list[Mention] = []
    units: list[Mention] = []
    for chunk in doc.noun_chunks:
        heads = {chunk.root.lemma_.lower(), chunk.root.lower_}
        if any(t.dep_ == "neg" for t in chunk):
            continue  # "not a mission"
        if heads & EVENT_HEADS:
            words = [t for t in chunk if t.dep_ not in ("det", "poss", "case") and not t.is_punct]
            # Who meets ends the name: "the fourth session of the Business Council".
            spans = phrase_spans(chunk.root, EVENT)
            end = max(chunk.end_char, spans[-1][1]) if spans else chunk.end_char
            words = _after_columns(text, words)
            if words and (end > chunk.end_char or len(words) >= 2 and any(
                    t.is_title or t.is_upper or t.pos_ in ("NOUN", "PROPN", "ADJ") for t in words[:-1])):
                events.append(_phrase(text, words[0].idx, end, EVENT, {"candidate": "chunk"}))
        if heads & MISSION_HEADS:
            if mission := _head_phrase(text, chunk, MISSION, {"candidate": "chunk"}):
                missions.append(mission)
        elif chunk.root.lemma_.lower() in GROUP_HEADS and chunk.root.tag_ == "NNS" and any(
                t.ent_type_ in ("NORP", "GPE", "CARDINAL") or t.dep_ == "nummod" for t in chunk) and not (
                chunk.root.dep_ == "pobj" and chunk.root.head.head.lemma_.lower() in _MISSION_WORDS):
            # (Not who a delegation is made of: "a delegation of nine Slovenian firms".)
            words = _after_columns(text, [t for t in chunk if t.dep_ not in ("det", "poss", "case") and not t.is_punct])
            if not words:
                continue
            start = words[0].idx
            missions.append(_phrase(text, start, chunk.end_char, MISSION, {"candidate": "group"}))
        if heads & UNIT_HEADS and (
                unit := _head_phrase(text, chunk, ORGANIZATION, {"candidate": "unit", "head_at": chunk.root.idx})):
            units.append(unit)
    return events + missions + units


def _head_phrase(text: str, chunk: Span, etype: str, attrs: dict[str, Any]) -> Mention | None:
    """A delegation or a unit named by its noun phrase and what follows its
    head: two words at least, or one word when who travels or where it goes
    or sits follows ("a mission to Kigali", "the office in Riyadh")."""
    words = _after_columns(text, [t for t in chunk if t.dep_ not in ("det", "poss", "case", "nummod")
                                  and not t.is_punct])
    spans = phrase_spans(chunk.root, etype)
    end = max(chunk.end_char, spans[-1][1]) if spans else chunk.end_char
    if len(words) >= 2 or (words and end > chunk.end_char):
        return _phrase(text, words[0].idx, end, etype, attrs)
    return None


def _phrase(text: str, start: int, end: int, etype: str, attrs: dict[str, Any]) -> Mention:
    """A mention of a phrase, without the line break or spaces its last token may carry."""
    while end > start and text[end - 1].isspace():
        end -= 1
    return Mention(start, end, text[start:end], etype, attrs=attrs)


# Where a table's or an itinerary's columns meet: a bar, a line break, a gap of spaces.
_COLUMN_BREAK = re.compile(r"[|\n\t]|[ ]{2,}")


def _after_columns(text: str, words: list[Token]) -> list[Token]:
    """A phrase's words after the last column break among them: a noun chunk
    read across a table's columns ("Feb | Busan battery materials
    delegation", "14:00  ITPC market seminar") keeps only its last column."""
    for k in range(len(words) - 1, -1, -1):
        if words[k].is_space or _COLUMN_BREAK.search(words[k].text):  # the break is a token of its own
            return words[k + 1:]
        if k and _COLUMN_BREAK.search(text, words[k - 1].idx + len(words[k - 1]), words[k].idx):
            return words[k:]
    return words


def _object_end(prep: Token, *, places: bool) -> tuple[int, int] | None:
    """The end (character, token) of a preposition's object and the objects
    coordinated with it: places ("to Lagos and Nairobi") or who travels ("of
    22 Canadian companies", "from Uzbekistan", "of the Dubai Chambers");
    None when the object is not one of these."""
    doc = prep.doc
    obj = next((t for t in prep.children if t.dep_ == "pobj"), None)
    end = None
    while obj is not None:
        place = obj.ent_type_ in ("GPE", "LOC")
        group = obj.pos_ == "PROPN" or obj.ent_type_ in ("ORG", "NORP") or obj.tag_ == "NNS"
        if not ((place or obj.pos_ == "PROPN") if places else (place or group)):
            break
        last = obj.i
        while obj.ent_type_ and last + 1 < len(doc) and doc[last + 1].ent_iob_ == "I":
            last += 1  # the whole name: "the Ministry of Economy", "New Delhi"
        end = (doc[last].idx + len(doc[last]), last)
        obj = next((t for t in obj.children if t.dep_ == "conj" and t.i > last), None)
    return end


# The words that head a delegation's, an event's or a unit's phrase, and
# what may follow them in its name: who travels or meets ("delegation of the
# Dubai Chambers", "second session of the Business Council"), where a
# delegation goes ("mission to Hanoi and Haiphong"), whose unit it is and
# where it sits ("Embassy of Canada in Riyadh").
_MISSION_WORDS = frozenset({"mission", "delegation", "team", "roadshow", "trip", "visit", "group"})
_PHRASE_HEADS = {MISSION: _MISSION_WORDS, EVENT: EVENT_HEADS, ORGANIZATION: UNIT_HEADS}
_PHRASE_PREPS = {MISSION: {"to": "where", "of": "who", "from": "who"}, EVENT: {"of": "who"},
                 ORGANIZATION: {"of": "who", "in": "where", "to": "where"}}
# What before the head is part of the name ("Uzbek health ministry
# delegation", "second Lubelskie mission"); not "a", "its", "two".
_NAME_MODIFIERS = frozenset({"amod", "compound", "nmod", "npadvmod"})


def phrase_spans(head: Token, etype: str) -> list[tuple[int, int]]:
    """The character spans of the names the phrase around a delegation's, an
    event's or a unit's head word gives it: its noun phrase ("pharmaceutical
    delegation"), then with who travels or meets ("... of nine Slovenian
    firms", "... from Uzbekistan") and where it goes ("... to Hanoi and
    Haiphong"), each longer than the one before; [] for another head."""
    if head.lemma_.lower() not in _PHRASE_HEADS[etype] and head.lower_ not in _PHRASE_HEADS[etype]:
        return []
    doc = head.doc
    first = min([t.left_edge.i for t in head.lefts if t.dep_ in _NAME_MODIFIERS
                 or t.dep_ == "poss" and t.pos_ == "NOUN"] + [head.i])  # "Moroccan buyers' delegation"
    while first < head.i and (doc[first].is_punct or doc[first].dep_ in ("det", "poss", "case")):
        first += 1
    left, last = doc[first].idx, head.i
    spans = [(left, head.idx + len(head))]
    said: set[str] = set()
    for prep in head.rights:
        what = _PHRASE_PREPS[etype].get(prep.lower_)
        if prep.dep_ != "prep" or prep.i != last + 1 or what is None or what in said:
            break
        said.add(what)
        group = _object_end(prep, places=what == "where")
        if group is None:
            break
        right, last = group
        spans.append((left, right))
    return spans


def phrase_forms(doc: Doc, text: str, start: int, end: int, etype: str) -> list[str]:
    """The names (``phrase_spans``) the phrase around a mention's head gives
    it. ``text`` is ``doc.text``, passed in: spaCy rebuilds it from every
    token each time it is read (read once per mention, it was 16% of
    extraction time)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return []
    return [text[a:b] for a, b in phrase_spans(span.root, etype)]


def split_missions(doc: Doc, text: str, entities: list[Entity]) -> list[Entity]:
    """The rules join every "the delegation" of a report to its named
    delegation; one whose phrase says more ("an Uzbek health ministry
    delegation", "the outbound delegation") may be another trip. Such
    mentions become a delegation of their own, named by their phrase, for
    the alias model to join back where they are the same (it is trained
    on which are). A delegation no mention names keeps the first such
    phrase. Returns the entities, the new ones last."""
    out = list(entities)
    for e in entities:
        if e.type != MISSION or len(e.mentions) < 2:
            continue
        own = {normalise_name(f) for f in [e.name, *e.aliases] if len(f.split()) >= 2}
        unnamed = all(m.generic for m in e.mentions)
        split: dict[str, Entity] = {}
        for m in sorted((m for m in e.mentions if m.generic), key=lambda m: m.start):
            forms = phrase_forms(doc, text, m.start, m.end, MISSION)
            # Unnamed, its phrase may say more after the head ("delegation of Polish food firms").
            form = forms[-1] if unnamed and forms and len(forms[0].split()) < 2 else (forms or [""])[0]
            if len(form.split()) < 2 or normalise_name(form) in own:
                continue
            if not own:  # a delegation named by no mention: its first phrase is its own
                own.add(normalise_name(form))
                continue
            key = normalise_name(form)
            if key not in split:
                split[key] = Entity(len(out), MISSION, [], name=forms[-1], attrs={"candidate": "split"})
                out.append(split[key])
            e.mentions.remove(m)
            m.entity = split[key].index
            split[key].mentions.append(m)
    return out


def name_phrases(doc: Doc, text: str, entities: list[Entity]) -> None:
    """The phrases the parse gives a delegation's, an event's or a unit's
    mentions ("delegation of the Dubai Chambers" where the rules saw
    "delegation", "Embassy of Canada in Riyadh" where they saw "Embassy of
    Canada") become its aliases, after the forms it had. The name stays: a report's
    main delegation gathers mentions of other trips ("a return delegation
    of park operators"), whose phrases must not displace its own. In place."""
    for e in entities:
        if e.type not in _PHRASE_HEADS:
            continue
        forms = [f for m in sorted(e.mentions, key=lambda m: m.start)
                 for f in phrase_forms(doc, text, m.start, m.end, e.type) if len(f.split()) >= 2]
        seen = {normalise_name(f) for f in [e.name, *e.aliases]}
        for form in forms:
            if normalise_name(form) not in seen:
                seen.add(normalise_name(form))
                e.aliases.append(form)


def _sector_mentions(text: str, terms: sector_terms.Table | None) -> list[Mention]:
    if terms is None:
        return []
    return [Mention(s, e, text[s:e], SECTOR, key=code, attrs={"code": code, "candidate": "learned"})
            for s, e, code in sector_terms.find(text, terms)]




# "Ministry of Commerce" + ", Industry and Tourism": the rest of a portfolio list.
_PORTFOLIO_LIST = re.compile(r"(?:,[ \t]+[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?)*,?[ \t]+and[ \t]+([A-Z][a-z]+)\b")


def extend_portfolios(text: str, entities: list[Entity]) -> None:
    """A ministry's or a chamber's mention that stops inside its list of
    portfolios ("Ministry of Commerce" before ", Industry and Tourism",
    "Federal Ministry for Economic Affairs" before "and Energy") takes the
    rest of the list; the shorter form stays an alias. In place."""
    for e in entities:
        if e.type != ORGANIZATION:
            continue
        for m in e.mentions:
            words = m.text.split()
            if not ({"of", "for"} & set(words[1:-1]) and words[-1].lower() in PORTFOLIO_WORDS):
                continue
            tail = _PORTFOLIO_LIST.match(text, m.end)
            if tail is not None and tail.group(1).lower() in PORTFOLIO_WORDS:
                _extend(text, e, m, tail.end())


def extend_legal_forms(text: str, entities: list[Entity]) -> None:
    """A company's mention that stops before its legal form ("Laboratorios
    Ocampo S.A." before "de C.V.", "Sanjivani Lifesciences Pvt." before
    "Ltd.") takes it: a name does not end inside one. The shorter form
    stays an alias. In place."""
    for e in entities:
        if e.type != ORGANIZATION:
            continue
        for m in e.mentions:
            end = m.end
            # "Konkan Beverages Pvt" before ". Ltd.": the full stop is the abbreviation's.
            if text[end:end + 1] == "." and _ends_in_legal_form(m.text):
                end += 1
            tail = LEGAL_FORM_TAIL.match(text, end)
            # "American Soybean Association, ASA": its short form, not a Norwegian company's legal form.
            short = _COMMA_SHORT_FORM.match(tail.group(0)) if tail is not None else None
            if tail is not None and not (short and capitals_in_order(short.group(1), m.text)):
                _extend(text, e, m, tail.end())


def _ends_in_legal_form(name: str) -> bool:
    words = name.split()
    return len(words) >= 2 and LEGAL_FORM_TAIL.fullmatch(" " + words[-1]) is not None


def _extend(text: str, e: Entity, m: Mention, end: int) -> None:
    """A mention of ``e`` runs on to ``end``; a name that was its text
    follows, and the shorter form stays an alias."""
    short = m.text
    m.end = end
    m.text = text[m.start:end]
    if e.name == short:
        e.name = m.text
    if normalise_name(short) not in {normalise_name(f) for f in [e.name, *e.aliases]}:
        e.aliases.append(short)


_POSSESSIVE = re.compile(r"^(.+?)['’]s\s+(?=[A-Z0-9])")
_WORD = re.compile(r"\S+")
_ACRONYM_AT_END = re.compile(r"\s*\(([A-Z][A-Za-z0-9&.-]{1,10})\)$")
# "By Achieng Otieno", "UCCI Olena Dovzhenko", "Marshal Tomasz Wierzbicki": a
# byline, a body's short form or a post before a person's name is no part of it.
_PERSON_LEAD = re.compile(r"(?:[Bb]y|[A-Z]{2,}(?:\s+[A-Z]{2,})*|"
                          + "|".join(sorted({w[:1].upper() + w[1:] for w in TITLE_HEADS}
                                            | {"Marshal", "Voivode", "Professor", "Rector"}))
                          + r")\s+(?=[A-ZÀ-Þ][a-zà-ÿ])")
# "Sophie Lambert (Toulouse office)": what a bracket after a person's name says is about them.
_PERSON_BRACKET = re.compile(r"\s*\([^()]*\)$")
# "Netherlands Business Support Office (NBSO) in Hawassa": a short form in
# brackets (capitalised words, two capitals at least) ends the name and is
# its alias; a place after it is where the body is, not its name.
_BRACKETED_SHORT_FORM = re.compile(r"\s*\(((?:[A-ZÀ-Þİ][^\s()]*)(?:\s[A-ZÀ-Þİ][^\s()]*){0,3})\)"
                                   r"(?:\s+(?:in|at)\s+(.+))?$")


def name_core(text: str, etype: str) -> tuple[int, int, str | None]:
    """The part of a mention that is the name, and a short form it gave in
    brackets: no courtesy title or bracketed remark around a person's name,
    no bracketed short form (and the place after it) in a body's or an
    event's."""
    start, end, short = 0, len(text), None
    if etype == PERSON:
        # "Mr Harshad Mehta Desai", "H.E. Dr. Ali Said": titles are no part of a person's name.
        start = titles_before(text)
        while ((lead := _PERSON_LEAD.match(text, start)) and len(text[lead.end():].split()) >= 2
               and not find_place(text[lead.end():])):  # "JETRO São Paulo" is an office, not a person
            start = lead.end()
        bracket = _PERSON_BRACKET.search(text, start)
        if bracket and bracket.start() > start:
            end = bracket.start()
    elif etype in (ORGANIZATION, EVENT):
        bracket = _BRACKETED_SHORT_FORM.search(text)
        if (bracket and bracket.start() > 0 and sum(c.isupper() for c in bracket.group(1)) >= 2
                and (bracket.group(2) is None or find_place(bracket.group(2)))):
            end, short = bracket.start(), bracket.group(1)
    return start, end, short


def trim_names(entities: list[Entity]) -> None:
    """Cut what a name swallowed from its neighbours, in place:
    "Japan's Kanto Machine Tool Co" -> "Kanto Machine Tool Co" (the owner
    before "'s" is a place or another entity of the report); "Electronic
    Industries Association of Japan Chairman Shoichi Saba" -> the body
    before the title, and for a person the name after it."""
    known = {normalise_name(f) for e in entities for f in [e.name, *e.aliases] if e.mentions}
    for e in entities:
        if e.type not in (ORGANIZATION, PERSON, EVENT, MISSION) or not e.name:
            continue
        changed = False
        for m in e.mentions:
            if m.generic:
                continue
            start, end, bracketed = clean_edges(m.text, 0, len(m.text))
            if gap := span_model.NAME_GAP.search(m.text, start, end):
                end = gap.start()  # the next column of a table laid out with spaces
            if e.type == EVENT and (held_in := _PLACES_FOR.match(m.text, start, end)) and all(
                    find_place(p) for p in re.split(r",\s*|\s+and\s+", held_in.group(1))):
                start = held_in.end()
            core_start, core_end, short = name_core(m.text[start:end], e.type)
            start, end = start + core_start, start + core_end
            if (start, end) != (0, len(m.text)):
                m.start, m.end, m.text = m.start + start, m.start + end, m.text[start:end]
                for alias in (bracketed, short):
                    if alias and normalise_name(alias) not in {normalise_name(a) for a in e.aliases}:
                        e.aliases.append(alias)
                changed = True
            if e.type not in (ORGANIZATION, PERSON):
                continue
            owner = _POSSESSIVE.match(m.text)
            if owner and (normalise_name(owner.group(1)) in known or country_code(owner.group(1))
                          or find_place(owner.group(1))):
                m.start += owner.end()
                m.text = m.text[owner.end():]
                changed = True
            words = list(_WORD.finditer(m.text))
            for k, w in enumerate(words[1:-1], start=1):
                title = w.group(0)
                after = [x.group(0).strip(",.").lower() for x in words[k + 1:]]
                if not (title[:1].isupper() and title.lower() in TITLE_HEADS and words[k + 1].group(0)[:1].isupper()):
                    continue
                if any(x in ORG_HEADS or x in TITLE_HEADS for x in after) or words[0].group(0).lower() in TITLE_HEADS:
                    continue  # "Trade Commissioner Service", "Deputy Trade Minister X": not a body then a person
                if e.type == ORGANIZATION:
                    cut = words[k - 1].end()
                    acronym = _ACRONYM_AT_END.search(m.text[:cut])
                    if acronym:  # "... of Japan (EIAJ) Chairman": the acronym is an alias
                        e.aliases.append(acronym.group(1))
                        cut = acronym.start()
                    m.end = m.start + cut
                    m.text = m.text[:cut]
                elif len(words) - k - 1 >= 2:  # a person's name after the title: two words at least
                    cut = words[k + 1].start()
                    m.start += cut
                    m.text = m.text[cut:]
                else:
                    continue
                changed = True
                break
        if changed:
            e.name = max((m.text for m in e.mentions if not m.generic), key=len)


def _is_chunk(m: Mention) -> bool:
    """An event, mission or unit named by a phrase: the noun chunks found
    here, and the tagger's phrases ("a five-day meeting of coffee producers";
    not its names, which begin with a capital)."""
    source = m.attrs.get("candidate")
    if m.type == ORGANIZATION:
        return source == "unit"
    if m.type not in (EVENT, MISSION):
        return False
    return source in ("chunk", "group") or (source == "tagger" and not span_model.begins_as_name(m.text))


def _nests(m: Mention, start: int, end: int, etype: str, chunk: bool) -> bool:
    """Whether a new mention and a covered span [start, end) of type ``etype``
    may both stand, one inside the other, each an entity of its own: a
    meeting or a delegation named by a phrase holds the names inside it ("the
    IMF meeting", "a World Bank mission", "the coffee talks"), and an
    industry term inside a body's name says what it does ("Georgian Tea
    Producers Association", "Apollo Computer Inc")."""
    if (m.start, m.end) == (start, end):
        return False
    if _is_chunk(m):
        # A unit holds the body it belongs to ("NZTE office"), not a name of its own head.
        whose = etype != ORGANIZATION or m.type != ORGANIZATION or end <= m.attrs["head_at"]
        return etype in (ORGANIZATION, PLACE, PERSON, SECTOR) and m.start <= start and end <= m.end and whose
    if m.type == ORGANIZATION and m.attrs.get("candidate") == "tagger" and etype in (PLACE, PERSON, SECTOR):
        # The tagger's body name holds the places, people and industries it
        # names ("University of São Paulo", "Samarkand Textile Machinery").
        return m.start <= start and end <= m.end and _name_words(m.text.split(), m.text)
    inside = start <= m.start and m.end <= end
    return inside and (chunk or (m.type == SECTOR and etype in (ORGANIZATION, MISSION, EVENT)))


def take_tagged_names(text: str, entities: list[Entity], tagged: Sequence[Mention]) -> None:
    """A rule's mention of a body inside a longer name the span tagger found
    (``tagged``: its mentions) ("Gear Co., Ltd." in "Seongsan Precision Gear
    Co., Ltd.", "MATRADE" in "MATRADE Lagos"): the tagger's name stands,
    where it reads as one name (``_one_longer_name``). A body's only mention
    grows to it; one of several leaves its body, and the tagger's name
    becomes a candidate of its own. In place."""
    names = [n for n in tagged if n.type == ORGANIZATION]
    if not names:
        return
    bodies = [m for e in entities if e.type == ORGANIZATION for m in e.mentions]
    for e in entities:
        if e.type != ORGANIZATION:
            continue
        for m in list(e.mentions):
            if m.generic:
                continue
            outer = next((n for n in names if n.start <= m.start and m.end <= n.end
                          and (n.start, n.end) != (m.start, m.end)), None)
            if outer is None or not _one_longer_name(text, m, outer, bodies):
                continue
            if len(e.mentions) == 1:
                m.start, m.end, m.text = outer.start, outer.end, outer.text
                e.name = outer.text
            else:
                e.mentions.remove(m)


# What may join names in one run of capitals: "and", "&", a comma, an
# owner's "'s" (or "'" after an s), the spaces or tab between a table's columns.
_NAME_JOINT = re.compile(r"(?:\s|['’]s?(?=\s)|\band\b|&|,)*")
_RUN_ON_PARTS = frozenset({ORGANIZATION, PERSON, PLACE})


def split_run_on_names(text: str, entities: list[Entity], tagged: Sequence[Mention]) -> None:
    """A rule's mention of a body that the span tagger reads as two or more
    names with only a joint between them (``_NAME_JOINT``): "Korea
    Federation of Textile Industries and KOTRA", "TRW Inc's TRW Components
    International Inc", "Norway's Nordfjord Seafood Group", "Heilongjiang
    Department of Commerce Wang Guoqing". The mention keeps the first body of
    them; the others (bodies, places, people) are then candidates of their
    own. Of such mentions in the training texts the annotations name every
    part 319 times, some of them 30 and the whole 33 (docs/extraction.md,
    forty-eighth round). A first part of one word that is not an acronym
    stays joined unless it is a place the gazetteer knows and no "and"
    follows it ("Tate and Lyle Plc", "Moody's Investors Service", not
    "Calgary's Prairie Carbon Capture Ltd"). In place."""
    names = sorted((n for n in tagged if n.type in _RUN_ON_PARTS), key=lambda n: (n.start, -n.end))
    if len(names) < 2:
        return
    for e in entities:
        if e.type != ORGANIZATION:
            continue
        for m in e.mentions:
            parts = [] if m.generic else _run_on_parts(text, m, names)
            body = next((n for n in parts if n.type == ORGANIZATION), None)
            if body is None:
                continue
            if e.name == m.text:
                e.name = body.text
            m.start, m.end, m.text = body.start, body.end, body.text


def _run_on_parts(text: str, m: Mention, names: list[Mention]) -> list[Mention]:
    """The tagger's names that make up ``m`` with only joints between them, or []."""
    parts: list[Mention] = []
    for n in names:
        if m.start <= n.start and n.end <= m.end and (n.start, n.end) != (m.start, m.end) \
                and (not parts or n.start >= parts[-1].end):
            parts.append(n)
    if len(parts) < 2:
        return []
    gaps = [(m.start, parts[0].start), *((a.end, b.start) for a, b in zip(parts, parts[1:], strict=False)),
            (parts[-1].end, m.end)]
    if not all(_NAME_JOINT.fullmatch(text, s, t) for s, t in gaps):
        return []
    first, joint = parts[0].text, text[parts[0].end:parts[1].start]
    one_word = " " not in first.strip() and sum(c.isupper() for c in first) < 2
    if one_word and (re.search(r"\band\b|&", joint) or find_place(first) is None):
        return []
    return parts


# What the rules read as two names or a name and a remark: a bracket, an
# owner's "'s", a dash between a body and its unit or country.
_NOT_ONE_NAME = re.compile(r"[()]|['’]s\s|\s[-–—]\s")


def _one_longer_name(text: str, m: Mention, outer: Mention, bodies: list[Mention]) -> bool:
    """Whether the tagger's longer span is one name holding the rules' ``m``:
    no other body the rules found inside it ("Pampanga Fine Foods and Manila
    Mart Ltd"), no bracket, owner or dash, a capitalised word or a legal
    form in what it adds (not "FICCI group"), and a line break only inside
    a company's name that ends in its legal form (a list item wrapped under
    its bullet)."""
    if _NOT_ONE_NAME.search(outer.text):
        return False
    if any(b is not m and outer.start <= b.start and b.end <= outer.end and (b.start, b.end) != (m.start, m.end)
           for b in bodies):
        return False
    added = text[outer.start:m.start] + " " + text[m.end:outer.end]
    if "\n" in added and not _ends_in_legal_form(" ".join(outer.text.split())):
        return False
    words = added.split()
    if not _name_words(words, m.text):
        return False
    return any(w[:1].isupper() for w in words) or LEGAL_FORM_TAIL.search(added) is not None


def _name_words(words: list[str], head: str) -> bool:
    """Whether ``words`` can be part of the name of a body named ``head``:
    capitalised words, numbers and the lower-case links of names; "in" or
    "at" before a country, or in the name of a unit abroad."""
    words = [w.strip(",.;:()\"'“”") for w in words]
    for k, w in enumerate(words):
        if not w or any(c.isupper() or c.isdigit() for c in w) or w.lower() in _NAME_LINKS:
            continue
        if w in ("in", "at") and (_LOCATED_UNITS & set(head.lower().split())
                                  or country_code(" ".join(words[k + 1:]))):
            continue  # "Embassy of Canada in Riyadh", "Canadian Chamber of Commerce in Vietnam"
        return False  # "Polish Chamber of Commerce visited Hanoi", "FICCI group"
    return True


# Lower-case words inside a body's name: the rules' own, and those of
# names in Spanish, Portuguese, French, German and Dutch they do not link by.
_NAME_LINKS = NAME_LINK_WORDS | {"les", "y", "e", "et", "und", "van", "von"}
# A body's unit named with the place it is in ("High Commission of India in
# Pretoria"); other bodies "in" a city are just there ("the Belarusian
# Chamber of Commerce and Industry in Astana").
_LOCATED_UNITS = frozenset({"embassy", "consulate", "commission", "centre", "center", "office", "representation"})


def add_candidates(doc: Doc, text: str, rule_entities: list[Entity], terms: sector_terms.Table | None = None, *,
                   tagged: span_model.Names | None = None, keep_rules: bool = True,
                   event_names: EventNames | None = None) -> list[Entity]:
    """The rules' entities followed by the new candidates (indices continue);
    ``terms`` is the learned industry-term file, ``tagged`` the names the
    span tagger found (they come before spaCy's where the two overlap),
    ``event_names`` the learned names of fairs and forums (after the
    tagger's, whose spans are surer at the edges: "SIAL Middle East", not
    "SIAL"; before spaCy's: "Anuga" is a fair, whatever spaCy reads). ``keep_rules`` leaves the
    rules' entities unchanged (training reuses them for every fold); the
    extractor, which uses them once, skips the copy."""
    entities = copy.deepcopy(rule_entities) if keep_rules else list(rule_entities)
    trim_names(entities)
    found = [m for (s, t), etype in (tagged or {}).items() if (m := _mention(text, etype, s, t, "tagger")) is not None]
    found += [m for s, t in (event_names.find(text) if event_names else [])
              if (m := _mention(text, EVENT, s, t, "event_names")) is not None]
    take_tagged_names(text, entities, found)
    split_run_on_names(text, entities, found)
    covered = [(m.start, m.end, e.type, False) for e in entities for m in e.mentions]
    by_form: dict[tuple[str, str], Entity] = {}
    for e in entities:
        for form in [e.name, *e.aliases]:
            by_form.setdefault((e.type, normalise_name(form)), e)
        for m in e.mentions:
            if m.key:
                by_form.setdefault((e.type, m.key), e)
    out = list(entities)
    found += [m for ent in doc.ents if ent.label_ in NER_TYPES
              if (m := _mention(text, NER_TYPES[ent.label_], ent.start_char, ent.end_char, "ner")) is not None]
    for e in entities:
        if e.type == SECTOR:
            by_form.setdefault((SECTOR, str(e.attrs.get("code"))), e)
    more = [*_headline_countries(text), *found, *_phrase_mentions(doc, text),
            *_sector_mentions(text, terms)]
    for m in more:
        # The spans it overlaps first (a plain scan of all covered spans), then whether one forbids it.
        overlapping = [c for c in covered if m.start < c[1] and c[0] < m.end]
        if any(not _nests(m, s, t, etype, chunk) for s, t, etype, chunk in overlapping):
            continue
        covered.append((m.start, m.end, m.type, _is_chunk(m)))
        form = normalise_name(m.text)
        if m.type == SECTOR:
            target = by_form.get((SECTOR, m.key))
            if target is not None:
                m.entity = target.index
                target.mentions.append(m)
                continue
        target = by_form.get((m.type, m.key)) if m.key else None
        target = target or by_form.get((m.type, form))
        if target is None and m.type == PERSON:
            target = next((e for e in out if e.type == PERSON and form and
                           normalise_name(e.name).endswith(" " + form)), None)
        if target is not None:
            m.entity = target.index
            target.mentions.append(m)
            if form not in {normalise_name(a) for a in [target.name, *target.aliases]}:
                target.aliases.append(m.text)
            continue
        name = m.attrs.get("standard_name") if m.text.isupper() else m.text
        attrs = {"candidate": m.attrs["candidate"]}
        if m.type == SECTOR:
            attrs["code"] = m.key
            name = m.text.lower()
        e = Entity(len(out), m.type, [m], name=name or m.text, kind=m.kind, country=m.country, attrs=attrs)
        m.entity = e.index
        out.append(e)
        by_form[(m.type, form)] = e
        if m.key:
            by_form[(m.type, m.key)] = e
    extend_legal_forms(text, out)
    extend_portfolios(text, out)
    out = split_missions(doc, text, out)
    name_phrases(doc, text, out)
    return out


def _tokens(name: str) -> list[str]:
    return normalise_name(name).split()


def names_a_unit(short: Sequence[str], rest: Sequence[str], places: Collection[str]) -> bool:
    """Whether the words ``rest`` a longer name adds to a body's name
    ``short`` make it one of the body's offices or branches: "NZTE Riyadh",
    "ProColombia office in Madrid", "Kansai Castings Brazil Ltda" (its
    office words, or a place the report names or a country). A place added
    to a unit only says where it is: "the China-Belarus industrial park in
    Minsk" is the park."""
    if any(w in UNIT_HEADS for w in rest):
        return True
    if short and short[-1] in UNIT_HEADS:
        return False
    runs = (" ".join(rest[i:j]) for i in range(len(rest)) for j in range(i + 1, min(len(rest), i + 3) + 1))
    return any(run in places or country_code(run) is not None for run in runs)


def place_names(entities: Sequence[Entity]) -> frozenset[str]:
    """The places a report names, as ``names_a_unit`` looks them up."""
    return frozenset(normalise_name(e.name) for e in entities if e.type == PLACE)


def merge_short_forms(entities: list[Entity], found: list[Found], text: str = "") -> list[Found]:
    """Fold a short form into the full name it abbreviates, in place: "Quest"
    into "Quest Biotechnology Inc", "FCS" into "FCS Laboratories Inc", and
    (given the ``text``) one in brackets after a body's name into it:
    "VIETRADE" in "the Vietnam Trade Promotion Agency (VIETRADE)".
    A body's office is not its full name: "NZTE" stays beside "NZTE Riyadh".
    An unnamed delegation folds into a named one too (``_join_unnamed_missions``).

    The short entity keeps its index with no mentions (the models skip it);
    the rules' relations that named it now name the full one."""
    orgs = [e for e in entities if e.type == ORGANIZATION and e.mentions]
    places = place_names(entities)
    bracketed = _bracketed_short_forms(text, orgs) if text else {}
    into: dict[int, int] = {}
    for a in entities:
        if not a.mentions or a.type not in (ORGANIZATION, PERSON) or any(m.generic for m in a.mentions):
            continue
        if a.index in bracketed and bracketed[a.index] not in into:
            _fold(a, entities[bracketed[a.index]], into)
            continue
        short = _tokens(a.name)
        if not short or not a.name[:1].isupper():
            continue
        if a.type == PERSON and (len(short) > 1 or any(
                p is not a and p.type == PERSON and _tokens(p.name)[-1:] == short for p in entities)):
            continue  # a surname stands for its person, never for a company
        fuller = [b for b in orgs if b is not a and len(_tokens(b.name)) > len(short)
                  and _tokens(b.name)[: len(short)] == short
                  and not names_a_unit(short, _tokens(b.name)[len(short):], places)]
        same = [b for b in orgs if b is not a and b.index < a.index and _tokens(b.name) == short]
        target = same[0] if same else (fuller[0] if len(fuller) == 1 else None)
        if target is not None:
            _fold(a, target, into)
    _join_unnamed_missions(entities, into)
    if not into:
        return found
    out = []
    for fd in found:
        src, tgt = into.get(fd.source, fd.source), into.get(fd.target, fd.target)
        if src != tgt:
            out.append(dataclasses.replace(fd, source=src, target=tgt))
    return out


def _join_unnamed_missions(entities: list[Entity], into: dict[int, int]) -> None:
    """A delegation the rules never saw named ("the delegation", "the
    group") joins the named one before it that only the models' candidates
    found ("Brazilian Agribusiness Technology Mission to Nigeria" in the
    title): the rules join an unnamed delegation to a named one they found
    themselves, and the relation pairs made for the report's delegation go
    to the entity that gathers its mentions."""
    named = sorted((m.start, e.index) for e in entities if e.type == MISSION and "candidate" in e.attrs
                   for m in e.mentions if not m.generic)
    for a in entities:
        if a.type != MISSION or not a.mentions or "candidate" in a.attrs or not all(m.generic for m in a.mentions):
            continue
        first = min(m.start for m in a.mentions)
        before = [index for start, index in named if start < first]
        soon = [index for start, index in named if first < start <= first + NAMED_SOON_AFTER]
        if before or soon:
            _fold(a, entities[before[-1] if before else soon[0]], into)


def _fold(a: Entity, target: Entity, into: dict[int, int]) -> None:
    """``a``'s mentions and names become ``target``'s."""
    into[a.index] = target.index
    for m in a.mentions:
        m.entity = target.index
    target.mentions.extend(a.mentions)
    seen = {normalise_name(x) for x in [target.name, *target.aliases]}
    for form in [a.name, *a.aliases]:
        if normalise_name(form) not in seen:
            target.aliases.append(form)
            seen.add(normalise_name(form))
    a.mentions = []


_OPEN_BRACKET = re.compile(r"\s*\(\s*")
_CLOSE_BRACKET = re.compile(r"\s*\)")


def _bracketed_short_forms(text: str, orgs: list[Entity]) -> dict[int, int]:
    """Bodies named in brackets right after another body's longer name
    ("Brazilian Machinery Builders' Association (ABIMAQ)"): short entity ->
    the one it abbreviates, where that is one body."""
    starts = {m.start: e for e in orgs for m in e.mentions}
    targets: dict[int, set[int]] = {}
    for b in orgs:
        for m in b.mentions:
            opened = _OPEN_BRACKET.match(text, m.end)
            if opened is None:
                continue
            a = starts.get(opened.end())
            if a is None or a is b or len(_tokens(a.name)) >= len(_tokens(b.name)):
                continue
            if any(_CLOSE_BRACKET.match(text, n.end) for n in a.mentions if n.start == opened.end()):
                targets.setdefault(a.index, set()).add(b.index)
    return {a: next(iter(bs)) for a, bs in targets.items() if len(bs) == 1}
