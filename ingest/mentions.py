"""Mentions of entities in one report, and their grouping into entities.

A mention is a character span with a type. They come from four sources, in
order of trust: name shapes (``organisations.find_names``), domain patterns
(titles before names, delegations, datelines), spaCy's NER, and the
gazetteer. A later source never overrides a span an earlier one claimed.
``cluster`` then groups mentions of one thing: acronyms in parentheses,
surnames, short forms of long names and definite descriptions ("the
chamber", "the delegation") join the entity they refer to.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.symbols import PROPN
from spacy.tokens import Doc

from graph.gazetteer import country_code, demonym_country, find_place
from graph.model import normalise_name
from graph.ontology import EVENT, MISSION, ORGANIZATION, PERSON, PLACE, PROGRAM, SECTOR
from graph.sectors import find_sectors, sector_name
from ingest.nlp import is_caps_line
from ingest.organisations import (
    EVENT_HEADS,
    LEGAL_SUFFIXES,
    ORG_HEADS,
    find_names,
    name_country,
    name_head,
    org_kind,
)
from ingest.titles import COURTESY, title_pattern


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    text: str
    type: str
    kind: str | None = None
    country: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    generic: bool = False  # "the delegation", "the chamber": refers, never names
    key: str = ""  # what identifies the entity (a place's code, a sector's division)
    acronym: str | None = None
    entity: int = -1


@dataclass(slots=True)
class Entity:
    index: int
    type: str
    mentions: list[Mention]
    name: str = ""
    kind: str | None = None
    country: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)

    @property
    def first(self) -> int:
        return min(m.start for m in self.mentions)


TITLE_HEADS = frozenset({
    "minister", "director", "mayor", "president", "vice-president", "chairman", "chairwoman",
    "chair", "secretary", "ambassador", "consul", "consul-general", "governor", "premier",
    "commissioner", "spokesman", "spokeswoman", "spokesperson", "manager", "chief", "head",
    "envoy", "representative", "counsellor", "counselor", "attaché", "attache", "officer",
    "executive", "ceo", "chancellor", "king", "prince", "sheikh", "deputy", "leader",
    "secretary-general", "general", "founder", "owner", "partner", "adviser", "advisor",
    "official", "delegate", "mp", "senator", "congressman", "vice-chairman", "vice-mayor",
    "vice-governor", "vice-minister", "prime", "economist", "analyst", "engineer",
})
_TITLE_WORD = (r"(?:Mayor|Minister|President|Director|Chairman|Chairwoman|Ambassador|Governor|Premier|"
               r"Commissioner|Consul|Secretary|Chancellor|Envoy|Spokesman|Spokeswoman|spokesman|"
               r"spokeswoman|minister|director|mayor|ambassador|chairman|commissioner|governor|CEO)")
# Letters of European names too ("Pétur Þ. Óskarsson"); a middle initial may stand between.
_UP = "A-ZÀ-ÖØ-ÞŁŚŹŻĆŃŠŽČŘĎŤŇ"
_LO = "a-zß-öø-ÿłśźżćńšžčřďťňą-ę"
_NAME = (rf"[{_UP}][{_LO}][\w’'-]*(?:\s+(?:de|den|van|von|der|da|di|du|le|la|bin|al|el|ter)){{0,2}}"
         rf"(?:\s+(?:[{_UP}]\.\s+)?[{_UP}][{_LO}][\w’'-]*){{1,3}}")
# "Undersecretary of State Anna Nowak", "Principal Secretary for Trade Dr Jane Otieno"
TITLED_NAME_RE = re.compile(rf"\b(?:{_TITLE_WORD}|Undersecretary|Under-Secretary)"
                            r"(?:\s+(?:of\s+State|for\s+[A-Z][a-z]+(?:\s+and\s+[A-Z][a-z]+)?))?"
                            rf"(?:\s+(?:Dr|Mr|Mrs|Ms|Prof)\.?)?\s+({_NAME})")
# How far (characters, a few sentences) after an unnamed delegation the
# report may name it: held reports score the same from 0 to 400, worse from 800.
NAMED_SOON_AFTER = 400
_MISSION_WORDS = (r"(?:delegations?|trade\s+missions?|business\s+missions?|economic\s+missions?|investment\s+missions?|"
                  r"trade\s+teams?|roadshow\s+teams?|roadshows?|"
                  # "the mission of twelve Malaysian food producers": a counted group.
                  r"missions?(?=\s+of\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                  r"\w+teen|twenty|thirty|forty|fifty|several|some|\w+ty-\w+)\b))")
MISSION_RE = re.compile(
    rf"\b((?:[Tt]he|[Aa]n?|[Tt]heir|[Ii]ts|[Tt]his|[Tt]hat)\s+)?"
    rf"((?:(?:visiting|final|whole|entire|respective|official|high-level|large|joint)\s+)*"
    # Capitalised name words, never an article: "Participants\n\nThe delegation"
    # is a heading and then "the delegation".
    rf"(?:(?!(?:The|An?|Their|Its|This|That|Our)\s)[A-Z][\w’'-]+(?:’s|'s)?\s+){{0,3}}"
    rf"(?:(?:business|trade|government|governmental|economic|official|commercial|investment|"
    rf"ministerial|high-level|industrial|parliamentary|joint)\s+(?:and\s+)?){{0,3}}{_MISSION_WORDS})\b"
)
DATELINE_RE = re.compile(
    r"^([A-Z][A-Z .'-]{1,40}?),\s+((?:January|February|March|April|May|June|July|August|September|"
    r"October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?\s+\d{1,2})\s+-",
    re.MULTILINE,
)
# Mixed-case datelines of web articles: "Tbilisi, 12 May 2024 - ", or the
# place and date alone on a line under the headline.
DATELINE_MIXED_RE = re.compile(
    r"^([A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,2}),[ \t]+(\d{1,2}[ \t]+(?:January|February|March|April|May|June|July|"
    r"August|September|October|November|December)(?:[ \t]+\d{4})?|(?:January|February|March|April|May|June|"
    r"July|August|September|October|November|December)[ \t]+\d{1,2}(?:,[ \t]+\d{4})?)[ \t]*(?:[-–—]|$)",
    re.MULTILINE,
)
DEFINITE_RE = re.compile(
    # "the Chamber" capitalised, as newsletters write their own body.
    r"\b[Tt]he\s+(?:([A-Z][a-z]+)\s+)?((?:[Cc]hamber|[Cc]ommission|[Mm]inistry|[Aa]gency|[Uu]nion|[Aa]ssociation|"
    r"[Ff]ederation|[Ee]mbassy|[Cc]onsulate)(?!-)|chamber|commission|ministry|agency|company|park|zone|bureau|council|"
    r"embassy|consulate|exhibition|fair|forum|expo|show|conference|office|group|joint company|joint venture|"
    r"union|association|federation)\b"
    # "the exhibition company", "the fair grounds": a modifier, not a reference.
    r"(?!\s+(?:of|[A-Z]|(?:company|companies|centre|center|organi[sz]ers?|halls?|grounds|venue|site|complex|"
    r"programme|program)\b))"
)
# "the visitors", "our group", "the Kazakh guests": the report's delegation.
GROUP_REF_RE = re.compile(
    r"\b(?:[Tt]he|[Oo]ur)\s+(?:(?:[A-Z][a-z]+|foreign|visiting)\s+)?(visitors|guests|group|members|mission|team|delegates|"
    r"exhibitors|visiting\s+(?:companies|firms|businesses|exporters))\b"
    r"(?!\s+of\b|['’])"
)


def _words_alternative(words: list[str]) -> str:
    """A regex matching any of ``words`` (tried in that order), written for
    speed: a look-ahead for their first letters, then one group per first
    letter ("s(?:ecretary-general|ecretary|pokesman)"). At each word of a
    text the engine then tests one character, and at most the words of one
    letter, instead of trying every word; what matches is the same."""
    by_first: dict[str, list[str]] = {}
    for word in words:
        by_first.setdefault(word[0], []).append(re.escape(word[1:]))
    firsts = "".join(re.escape(first) for first in by_first)
    return rf"(?=[{firsts}])(?:" + "|".join(f"{re.escape(first)}(?:{'|'.join(rest)})"
                                             for first, rest in by_first.items()) + ")"


# A name, a comma and a post: "Zhou Min, general manager of ..."; longest
# first ("secretary-general" before "secretary").
_APPOS_TITLE = _words_alternative(sorted(TITLE_HEADS, key=lambda t: len(re.escape(t)), reverse=True))
APPOSED_PERSON_RE = re.compile(
    rf"\b({_NAME}),\s+(?:the\s+|a\s+)?(?:[A-Z][\w&.-]*(?:’s|'s)\s+)?(?:[A-Za-z-]+\s+){{0,3}}(?i:{_APPOS_TITLE})\b"
    rf"(?:\s+(?:of|at|for)\b|,)"
)
# A post, a comma and a name: "Its chairman, Davron Vakhabov,".
TITLE_COMMA_PERSON_RE = re.compile(
    rf"\b(?i:{_APPOS_TITLE})(?:\s+of\s+(?:the\s+)?[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){{0,3}})?,\s+({_NAME})(?=\s*[,.;])")
# "Petrobras, the Brazilian state oil company": an organisation by apposition.
ORG_APPOS_RE = re.compile(
    r",\s+(?:the|a|an)\s+(?:[\w-]+\s+){0,4}(?:company|firm|operator|corporation|group|bank|trader|producer|"
    r"maker|manufacturer|exporter|importer|carrier|airline|conglomerate|forwarder|holding|enterprise|shipbuilder|"
    r"supplier|processor|utility|miner|insurer|developer)\b(?![’'-])"  # not "X, the group's chairman"
)
# "Interbras, the trading arm of Petrobras": a body by what it is part of.
ARM_OF_RE = re.compile(r"(?<![\w-])([A-Z][\w&-]+(?:\s+[A-Z][\w&-]+){0,3}),\s+(?:the|an?)\s+(?:[\w-]+\s+){0,3}?"
                       r"(?:arm|subsidiary|unit|division|affiliate)\s+of\s+")
# "the state oil company Pertamina", "the Embraer plant": a company by the noun
# before or after it.
ORG_BEFORE_RE = re.compile(r"\b(?:company|firm|group|enterprise|corporation|conglomerate|carrier|airline|bank|"
                           r"shipbuilder|manufacturer|producer|maker|operator|giant)\s+$", re.IGNORECASE)
ORG_AFTER_RE = re.compile(r"(?:’s|'s)?\s+(?:plant|factory|works|headquarters|facility|facilities|shipyard|refinery|"
                          r"mill|site|premises|subsidiary|logistics\s+centre|terminal)\b")
# A place name followed by one of these is a feature, not the place.
_FEATURE_AFTER = re.compile(r"\s+(?:river|lake|sea|mountains?|valley|street|avenue|road|square|bay|"
                            r"district|hotel|airport|station)\b", re.IGNORECASE)
# Below this population a city counts only when the report names its country.
SMALL_CITY = 100_000
_CAPS_COUNTRIES = frozenset({"uk", "usa", "us", "u s", "ussr", "uae", "prc", "peru", "chad", "cuba", "iran",
                              "iraq", "oman", "togo", "mali", "fiji", "laos", "niger", "china", "india",
                              "japan", "italy", "spain", "egypt", "kenya", "syria", "ghana", "qatar"})
_STRIP_LEAD = re.compile(r"^(?:the|The|a|an|An|A)\s+")
_POSSESSIVE = re.compile(r"(?:’s|'s|’|')$")


def _clean(text: str, start: int, end: int) -> tuple[int, int]:
    seg = text[start:end]
    m = _STRIP_LEAD.match(seg)
    if m:
        start += m.end()
    seg = text[start:end]
    m2 = _POSSESSIVE.search(seg)
    if m2:
        end = start + m2.start()
    while end > start and text[end - 1] in ".,;:-– \n":
        end -= 1
    return start, end


class Claims:
    """Which characters already belong to a mention."""

    def __init__(self, n: int) -> None:
        self.taken = bytearray(n)

    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def take(self, start: int, end: int) -> None:
        self.taken[start:end] = b"\x01" * (end - start)


def _place_mention(text: str, start: int, end: int, min_population: int = 0,
                   caps_ok: bool = False, context: frozenset[str] | None = None) -> Mention | None:
    surface = text[start:end]
    if _FEATURE_AFTER.match(text, end):
        return None
    # "EC", "IRNA": short capitals are acronyms of bodies far more often
    # than country codes.
    if not caps_ok and surface.isupper() and len(surface) <= 5 and normalise_name(surface) not in _CAPS_COUNTRIES:
        return None
    place = find_place(surface, context)
    if place is None:
        return None
    if place.kind == "city" and place.population < min_population:
        return None
    # A small town that shares a word with the report ("Ishim", a river)
    # needs its country named somewhere in the report.
    if (place.kind == "city" and context is not None and place.population < SMALL_CITY
            and place.country not in context):
        return None
    return Mention(start, end, surface, PLACE, kind=place.kind, country=place.country,
                   key=f"{place.kind}:{place.country}:{place.name}", attrs={"standard_name": place.name})


# A region's word after its name; not where the words go on as a body's
# name ("Kostanay Region Akimat", "Lagos State University").
_REGION_AFTER = re.compile(r" (?:[Rr]egion|[Pp]rovince|State|[Oo]blast|[Cc]ounty|[Dd]istrict|[Pp]refecture|"
                           r"[Gg]overnorate)\b(?!-| +[A-Z&(])")


def _region_mention(text: str, named_after: Mention, end: int) -> Mention | None:
    """The region written as a place's name and a region's word: the
    gazetteer's region of that name, or one it does not list ("Kostanay
    Region", named after its city); None where the words name a city or a country."""
    surface = text[named_after.start:end]
    place = find_place(surface)
    if place is not None and place.kind != "region":
        return None
    name = place.name if place is not None else str(named_after.attrs.get("standard_name", named_after.text))
    country = place.country if place is not None else named_after.country
    return Mention(named_after.start, end, surface, PLACE, kind="region", country=country,
                   key=f"region:{country}:{name}", attrs={"standard_name": name})


def collect(text: str, doc: Doc, doc_date: str | None) -> tuple[list[Mention], dict[str, Any]]:
    """Every mention in one report, and facts about the report itself (its
    dateline place and date)."""
    claims = Claims(len(text))
    mentions: list[Mention] = []
    info: dict[str, Any] = {}
    caps_lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if is_caps_line(m.group(0))]
    context = countries_named(text)

    caps_starts = [a for a, _ in caps_lines]

    def in_caps(i: int) -> bool:
        # Asked of every token: the lines are in order and apart, so only the last one starting at or before i can hold it.
        k = bisect_right(caps_starts, i) - 1
        return k >= 0 and i < caps_lines[k][1]

    def add(m: Mention) -> None:
        if m.end > m.start and claims.free(m.start, m.end):
            claims.take(m.start, m.end)
            mentions.append(m)

    # Datelines: "PEKING, March 31 -" names the place the story was filed from.
    for dm in DATELINE_RE.finditer(text):
        pm = _place_mention(text, dm.start(1), dm.end(1), caps_ok=True)
        if pm is not None:
            pm.text = pm.text.title() if pm.text.isupper() else pm.text
            pm.attrs["dateline"] = True
            add(pm)
            info.setdefault("dateline_place", pm.key)
        info.setdefault("dateline_date", dm.group(2))
        claims.take(dm.start(2), dm.end(2))
    for dm in DATELINE_MIXED_RE.finditer(text[:600]):
        pm = _place_mention(text, dm.start(1), dm.end(1))
        if pm is not None:
            pm.attrs["dateline"] = True
            add(pm)
            info.setdefault("dateline_place", pm.key)
            info.setdefault("dateline_date", dm.group(2))
            claims.take(dm.start(2), dm.end(2))

    names = find_names(text)
    for n in names:
        m = Mention(n.start, n.end, n.text, n.type, kind=n.kind, acronym=n.acronym)
        if n.type == ORGANIZATION:
            m.country = name_country(n.text, context)
        add(m)
        if n.acronym:
            # Every use of the acronym, not only the one in parentheses.
            for am in re.finditer(rf"(?<![\w-]){re.escape(n.acronym)}(?![\w-])", text[n.end:]):
                a_start = n.end + am.start()
                if any(o.start <= a_start < o.end for o in names):
                    continue  # "SIPB Investment Seminar 2024" is a name of its own
                add(Mention(a_start, a_start + len(n.acronym), n.acronym, n.type, kind=n.kind,
                            attrs={"acronym_of": n.text}))
        words = n.text.split()
        if n.type == ORGANIZATION and len(words) >= 3 and words[-1].lower() in LEGAL_SUFFIXES:
            # "Andean Berries Perú S.A.C. ... Andean Berries Perú held talks":
            # later uses of the name without its legal form.
            core = " ".join(w for w in words if w.lower() not in LEGAL_SUFFIXES)
            for cm in re.finditer(rf"(?<![\w-]){re.escape(core)}(?![\w-])", text[n.end:]):
                c_start = n.end + cm.start()
                if not any(o.start <= c_start < o.end for o in names):
                    add(Mention(c_start, c_start + len(core), core, n.type, kind=n.kind, attrs={"short_of": n.text}))

    # Bodies named inside an event's name: "4th Session of the X Joint Commission".
    for n in names:
        if n.type != EVENT:
            continue
        inner = re.match(r".*?\b(?:[Ss]ession|[Mm]eeting|[Pp]lenary)\s+of\s+(?:the\s+)?", n.text)
        if inner and org_kind(n.text[inner.end():]):
            s0 = n.start + inner.end()
            mentions.append(Mention(s0, n.end, text[s0:n.end], ORGANIZATION, kind=org_kind(text[s0:n.end]),
                                    country=name_country(text[s0:n.end], context)))

    # "Gulfood 2023, the food and beverage exhibition": a one-word brand is an
    # event when an apposition says so.
    for em in EVENT_APPOS_RE.finditer(text):
        s, e = em.start(1), em.end(1)
        words = em.group(1).split()
        # "Innoprom. Central Asia, the ... fair": a region after a name's full stop.
        if in_caps(s) or words[0] in _COMPASS or find_place(em.group(1)) or demonym_country(words[0]):
            continue
        add(Mention(s, e, em.group(1), EVENT))

    # A trade show named as a brand around "Expo": "Seafood Expo Global",
    # "Expo Colombia Agro" (the names above end in their head word). Not
    # "Messe": "Messe Frankfurt" organises fairs, "Makuhari Messe" hosts them.
    for em in EXPO_NAME_RE.finditer(text):
        s = em.start()
        while (opener := _FIRST_WORD.match(text, s, em.end())) and opener.group(1).lower() in STOP_WORDS:
            s = opener.end()  # "At Seafood Expo Global": the sentence's first word is no part of it
        words = text[s:em.end()].split()
        if len(words) >= 2 and not in_caps(s) and not _VENUE_WORDS & set(words):
            add(Mention(s, em.end(), text[s:em.end()], EVENT))

    # Places inside names ("Bureau of Fujian Province") are places too;
    # they nest inside the name rather than claim characters.
    for m in list(mentions):
        if m.type != ORGANIZATION:
            continue
        for pm_ in re.finditer(r"\b(?:of|in)\s+(?:the\s+)?([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)?)", m.text):
            pm = _place_mention(text, m.start + pm_.start(1), m.start + pm_.end(1), context=context)
            region_word = _REGION_AFTER.match(text, pm.end) if pm is not None else None
            if pm is not None and region_word and region_word.end() <= m.end:
                # "Ministry of Mining of San Juan Province": the province.
                pm = _region_mention(text, pm, region_word.end()) or pm
            if pm is not None:
                mentions.append(pm)
    # "Mekong Rice Export JSC (Can Tho)": a place in parentheses after a name.
    for m in list(mentions):
        if m.type != ORGANIZATION:
            continue
        paren = re.match(r"\s*\(([A-Z][\w ]{1,30})\)", text[m.end:m.end + 40])
        if paren and claims.free(m.end + paren.start(1), m.end + paren.end(1)):
            pm = _place_mention(text, m.end + paren.start(1), m.end + paren.end(1), context=context)
            if pm is not None:
                add(pm)
    for tm in TITLED_NAME_RE.finditer(text):
        if not in_caps(tm.start()):
            s, e = _clean(text, tm.start(1), tm.end(1))
            if find_place(text[s:e]) is None and claims.free(s, e):
                add(Mention(s, e, text[s:e], PERSON))
                # "of State", "for Trade" in the post name no body.
                if claims.free(tm.start(), s):
                    claims.take(tm.start(), s)
    for rx in (APPOSED_PERSON_RE, TITLE_COMMA_PERSON_RE):
        for am in rx.finditer(text):
            s, e = _clean(text, am.start(1), am.end(1))
            if in_caps(s) or not _could_be_person(text[s:e]):
                continue
            add(Mention(s, e, text[s:e], PERSON))

    for mm in MISSION_RE.finditer(text):
        if in_caps(mm.start()):
            continue
        s, e = mm.start(2), mm.end(2)
        phrase = text[s:e]
        words = phrase.split()
        plural = words[-1].endswith("s")
        lead = (mm.group(1) or "").strip().lower()
        has_name = any(w[0].isupper() for w in words) or words[0] == "visiting"
        if "respective" in words:
            continue  # handled by the relation rules, one mission per leader
        if re.search(r"(?:’s|'s)\s+(?:own\s+)?$", text[max(0, s - 30):s]):
            continue  # "the chamber's own delegation" is another body's trip
        if plural and not has_name:
            continue
        generic = not has_name or lead in ("the", "this", "that", "its", "their") and not any(
            w[0].isupper() for w in words)
        add(Mention(s, e, phrase, MISSION, generic=generic))
    for gm in GROUP_REF_RE.finditer(text):
        if not in_caps(gm.start()):
            add(Mention(gm.start(1), gm.end(1), gm.group(1), MISSION, generic=True))

    for am in ARM_OF_RE.finditer(text):
        s, e = am.start(1), am.end(1)
        if not in_caps(s) and claims.free(s, e) and find_place(text[s:e]) is None:
            add(Mention(s, e, text[s:e], ORGANIZATION, kind="enterprise", country=name_country(text[s:e], context)))

    for ent in doc.ents:
        if in_caps(ent.start_char):
            continue
        s, e = _clean(text, ent.start_char, ent.end_char)
        if e <= s or not claims.free(s, e):
            continue
        surface = text[s:e]
        label = ent.label_
        if label == "PERSON":
            if "\n" in surface or not surface[:1].isupper() or text.startswith("-based", e):
                continue  # "a Johor Bahru-based maker": a place, never a person
            if ORG_APPOS_RE.match(text, e) or ORG_BEFORE_RE.search(text[max(0, s - 40):s]) or (
                    " " not in surface and ORG_AFTER_RE.match(text, e)):
                add(Mention(s, e, surface, ORGANIZATION, kind="enterprise", country=name_country(surface, context)))
                continue
            if not _could_be_person(surface):
                continue
            pm = _place_mention(text, s, e)
            known = any(x.type == PLACE and x.key == (pm.key if pm else None) for x in mentions)
            if pm is not None and (known or pm.kind != "city" or find_place(surface).population >= 1_000_000):  # type: ignore[union-attr]
                add(pm)
                continue
            add(Mention(s, e, surface, PERSON))
        elif label in ("GPE", "LOC", "NORP", "ORG", "FAC", "PRODUCT"):
            pm = _place_mention(text, s, e, context=context)
            if pm is not None and (label != "NORP"):
                add(pm)
                continue
            if label in ("GPE", "LOC") and pm is None and ORG_BEFORE_RE.search(text[max(0, s - 40):s]):
                # "the state mining company Codelco": no place by that name
                add(Mention(s, e, surface, ORGANIZATION, kind="enterprise", country=name_country(surface, context)))
                continue
            if label in ("ORG", "FAC") and "\n" not in surface and surface[:1].isupper():
                # "Ms Errázuriz" read as a body: a courtesy title names a person, never a body
                # (where a word of it is a post's or an event's, nothing is taken).
                if _titled_name(surface):
                    if _could_be_person(surface):
                        add(Mention(s, e, surface, PERSON))
                    continue
                if demonym_country(surface) or _FEATURE_AFTER.match(text, e):
                    continue  # "Kazakh", "the Ishim river"
                after = text[e:e + 30].split()
                if after and after[0].lower().strip(",.") in TITLE_HEADS:
                    continue  # "Foreign Trade Minister": part of a title
                if surface.split()[-1].lower() in TITLE_HEADS or _PORTFOLIO_OF_POST.search(text, max(0, s - 40), s):
                    continue  # "Consul General", "Minister of Industry and Trade": a post
                words = surface.lower().split()
                if len(words) > 2 and words[0] in TITLE_HEADS and words[1] == "of" \
                        and not set(words) & set(ORG_HEADS):
                    continue  # "the Minister of Foreign Trade and Tourism, X": a post, not a body
                if _is_industry(surface):
                    continue  # "Seafood" in a headline is an industry
                kind = org_kind(surface)
                if kind is None and label == "FAC":
                    continue
                if kind is None and ORG_BEFORE_RE.search(text[max(0, s - 40):s]):
                    kind = "enterprise"  # "the Kenyan firm Twiga Foods"
                add(Mention(s, e, surface, ORGANIZATION, kind=kind or "other",
                            country=name_country(surface, context)))
                # "Minsk Automobile Plant (MAZ)": the acronym is an alias.
                am_ = ACRONYM_AFTER_RE.match(text, e)
                if am_ and find_place(am_.group(1)) is None:
                    add(Mention(am_.start(1), am_.end(1), am_.group(1), ORGANIZATION, kind=kind or "other",
                                attrs={"acronym_of": surface}))
        elif label == "EVENT":
            from ingest.organisations import is_event_name
            if is_event_name(surface):
                add(Mention(s, e, surface, EVENT))

    # Places the model missed: proper-noun runs the gazetteer knows.
    # What the loop reads of each token, for all tokens in one pass (spaCy
    # makes a new Token on every doc[i]); ``text`` is the parsed text.
    pos, tok_start, length = cast(list[list[int]], doc.to_array(["POS", "IDX", "LENGTH"]).reshape(-1, 3).T.tolist())
    # a capitalised proper noun
    name_word = [p == PROPN and text[s:s + 1].isupper() for p, s in zip(pos, tok_start, strict=True)]
    tok_end = [s + n for s, n in zip(tok_start, length, strict=True)]
    for sent in doc.sents:
        i, sent_end = sent.start, sent.end
        while i < sent_end:
            if not name_word[i] or in_caps(tok_start[i]):
                i += 1
                continue
            j = i
            while j < sent_end and name_word[j]:
                j += 1
            for a, b in ((i, j), (i, i + 1)):
                s, e = tok_start[a], tok_end[b - 1]
                s, e = _clean(text, s, e)
                if e > s and claims.free(s, e):
                    pm = _place_mention(text, s, e, min_population=SMALL_CITY, context=context)
                    if pm is not None:
                        add(pm)
                        break
            i = j

    # "the Almaty region", "Lagos State": the region, not the city it is named after.
    for k, m in enumerate(mentions):
        if m.type == PLACE and m.kind in ("city", "region"):
            region_word = _REGION_AFTER.match(text, m.end)
            if region_word and claims.free(m.end, region_word.end()):
                region = _region_mention(text, m, region_word.end())
                if region is not None:
                    claims.take(m.end, region_word.end())
                    mentions[k] = region

    # Definite descriptions: resolved to the nearest entity of that head later.
    for dm2 in DEFINITE_RE.finditer(text):
        s, e = dm2.start(2), dm2.end(2)
        if in_caps(s):
            continue
        adj = dm2.group(1)
        if adj and not demonym_country(adj):
            continue  # "the Chongqing office" is a name-like phrase, not a reference
        head = dm2.group(2).lower()
        etype = EVENT if head in ("exhibition", "fair", "forum", "expo", "show", "conference") else ORGANIZATION
        attrs: dict[str, Any] = {"head": head}
        if adj:
            attrs["country"] = demonym_country(adj)
        add(Mention(s, e, dm2.group(2), etype, generic=True, attrs=attrs))

    # Industries: unambiguous terms anywhere except headlines.
    for s, e, code in find_sectors(text, weak=False):
        if not in_caps(s):
            mentions.append(Mention(s, e, text[s:e], SECTOR, key=code, attrs={"code": code}))

    mentions.sort(key=lambda m: (m.start, -m.end))
    return mentions, info


_YEAR_END = re.compile(r"\s+(?:19|20)\d\d$")
_SHOW_HEADS = frozenset({"exhibition", "fair", "expo", "show"})
_COMPASS = frozenset({"Central", "North", "South", "East", "West", "Northern", "Southern", "Eastern",
                      "Western", "Middle", "Upper", "Lower", "Greater"})
# Up to three capitalised words (or an edition, a year) each side of "Expo".
_BRAND_WORD = r"(?:[A-Z][\w&'’-]*|\d+(?:st|nd|rd|th)?)"
EXPO_NAME_RE = re.compile(rf"(?<![\w-])(?:{_BRAND_WORD}\s+){{0,3}}(?:Expo|EXPO)(?:\s+{_BRAND_WORD}){{0,3}}(?![\w-])")
_FIRST_WORD = re.compile(r"(\S+)\s+")
# "Istanbul Expo Center" is where a show is held, not the show.
_VENUE_WORDS = frozenset({"Center", "Centre", "Hall", "Halls", "Park", "Complex", "Grounds", "City", "Village"})
EVENT_APPOS_RE = re.compile(
    r"(?<![\w-])([A-Z][\w&’'-]+(?:\s+[A-Z][\w&’'-]+){0,2}(?:\s+\d{4})?),\s+(?:the|an?)\s+(?:[\w-]+\s+){0,6}?"
    r"(?:exhibition|fair|trade\s+show|expo|festival|conference|summit)\b"
)
ACRONYM_AFTER_RE = re.compile(r"\s*\(([A-Z][A-Za-z&.-]{1,14}(?: [A-Z][a-z]{2,14})?)\)")
_NOT_NAME_WORDS = frozenset(ORG_HEADS) | EVENT_HEADS | TITLE_HEADS | {
    "delegation", "mission", "group", "park", "statement", "newsletter", "news", "plans", "issue",
    "members", "talks", "companies", "government"}


# Words that name a body but are also common family names ("Park Ji-hoon").
_SURNAME_LIKE = frozenset({"park", "hall", "post", "bank", "king", "mills", "house"})
_PORTFOLIO_OF_POST = re.compile(r"\b(?i:minister|ministers|secretary|director|commissioner)\s+of\s+(?:the\s+)?$")


def _is_industry(surface: str) -> bool:
    if len(surface.split()) > 3:
        return False
    terms = find_sectors(surface)
    return len(terms) == 1 and terms[0][0] == 0 and terms[0][1] == len(surface)


# A courtesy title and one to three capitalised words, no possessive.
_HONORIFIC_NAME = re.compile(rf"{title_pattern((*COURTESY, 'Dr'))}(?:\s+[A-ZÀ-Ý](?:[\w-]|['’](?!s\b))+){{1,3}}")


def _titled_name(surface: str) -> bool:
    """A person's name after a courtesy title ("Ms Errázuriz"), unless it
    ends as a body's does ("Mr Price Group") or is a possessive ("Dr.
    Reddy's Laboratories")."""
    return bool(_HONORIFIC_NAME.fullmatch(surface)) and org_kind(surface.split()[-1]) is None


def _could_be_person(surface: str) -> bool:
    """A person's name has no word that names a body, an event or a post."""
    words = [w.strip(",.").lower() for w in surface.split()]
    if not words or any(w in _NOT_NAME_WORDS and not (i == 0 and w in _SURNAME_LIKE and len(words) > 1)
                        for i, w in enumerate(words)):
        return False
    return find_place(surface) is None and demonym_country(surface) is None


@lru_cache(maxsize=8)  # collect and find_countries both read the report's text
def countries_named(text: str) -> frozenset[str]:
    """Countries a report names, by name or nationality word."""
    codes = set()
    for m in re.finditer(r"[A-Z][\w’'-]+(?:\s+(?:of\s+)?[A-Z][\w’'-]+)?", text):
        for cand in (m.group(0), m.group(0).split()[0]):
            code = country_code(cand) or demonym_country(cand)
            if code:
                codes.add(code)
    return frozenset(codes)


_SPELLING = {"center": "centre", "organization": "organisation", "co-operation": "cooperation"}


def _tokens(name: str) -> list[str]:
    return list(_token_tuple(name))


@lru_cache(maxsize=1 << 14)  # every mention is compared with every earlier one
def _token_tuple(name: str) -> tuple[str, ...]:
    return tuple(_SPELLING.get(w, w) for w in normalise_name(name).split())


@lru_cache(maxsize=1 << 14)
def _core_tokens(name: str) -> tuple[str, ...]:
    """A name's tokens without its legal form ("Fujitsu Ltd" -> fujitsu)."""
    return tuple(w for w in _token_tuple(name) if w not in LEGAL_SUFFIXES)


def _subsequence(short: Sequence[str], long: Sequence[str]) -> bool:
    it = iter(long)
    return all(w in it for w in short)


@lru_cache(maxsize=1 << 14)  # as _token_tuple
def _initials(name: str) -> str:
    return "".join(w[0] for w in re.findall(r"[A-Za-z][\w’'-]*", name) if w[0].isupper())


def cluster(mentions: list[Mention], text: str) -> list[Entity]:
    """Group mentions into entities, in order of first mention."""
    entities: list[Entity] = []
    by_key: dict[tuple[str, str], Entity] = {}

    def new(m: Mention, key: tuple[str, str] | None) -> Entity:
        e = Entity(len(entities), m.type, [m])
        entities.append(e)
        if key is not None:
            by_key[key] = e
        m.entity = e.index
        return e

    def join(e: Entity, m: Mention) -> None:
        e.mentions.append(m)
        m.entity = e.index

    def named(types: tuple[str, ...]) -> list[Entity]:
        return [e for e in entities if e.type in types and any(not x.generic for x in e.mentions)]

    def refers_to(m: Mention) -> Entity | None:
        """An earlier entity this short form, acronym or surname stands for."""
        # Tuples straight from the caches: this runs for every pair of a
        # mention and an earlier one.
        toks = _token_tuple(m.text)
        if not toks:
            return None
        short_of = m.attrs.get("short_of")
        for e in reversed(entities):
            for x in e.mentions:
                if x.generic or x.type == SECTOR:
                    continue
                if m.text == x.acronym or short_of == x.text or (len(m.text) >= 2 and m.text.isupper() and m.text == _initials(x.text)
                                           and len(m.text) >= 2 and e.type == ORGANIZATION):
                    return e
                xt = _token_tuple(x.text)
                if e.type == PERSON and m.type in (PERSON, ORGANIZATION) and len(toks) < len(xt) and xt[-len(toks):] == toks:
                    return e
                if e.type in (ORGANIZATION, EVENT) and m.type in (ORGANIZATION, EVENT, PERSON):
                    core = _core_tokens(x.text)
                    if toks == core or (len(toks) == 1 and toks[0] in _quoted_words(x.text)):
                        return e
                    if (m.type == e.type and len(toks) >= 2 and len(toks) < len(xt) and _subsequence(toks, xt)
                            and normalise_name(name_head(m.text)) == normalise_name(name_head(x.text))):
                        return e
                    # "Fujitsu" for "Fujitsu Ltd": the name without its legal form.
                    if len(toks) == 1 and len(core) == 1 and core == toks:
                        return e
                    # "CzechTrade" for "Czech Trade Promotion Agency CzechTrade":
                    # a body's short name written after its full one.
                    if (len(toks) == 1 and len(core) >= 3 and core[-1] == toks[0] and m.text[:1].isupper()
                            and toks[0] not in ORG_HEADS and e.type == ORGANIZATION):
                        return e
        return None

    for m in mentions:
        if m.type == PLACE:
            k = (PLACE, m.key)
            if k in by_key:
                join(by_key[k], m)
            else:
                new(m, k)
            continue
        if m.type == SECTOR:
            k = (SECTOR, m.key)
            if k in by_key:
                join(by_key[k], m)
            else:
                new(m, k)
            continue
        if m.generic:
            target: Entity | None = None
            head = m.attrs.get("head")
            if m.type == MISSION:
                cands = named((MISSION,))
                target = cands[-1] if cands else None
            else:
                for e in reversed(entities):
                    if e.type != m.type:
                        continue
                    # "the Belarusian chamber" is not the Kazakh one.
                    if m.attrs.get("country") and e.kind and e.country and e.country != m.attrs["country"]:
                        continue
                    # "Cologne Interior Fair 2025" is "the fair": the year is no head.
                    heads = {normalise_name(name_head(_YEAR_END.sub("", x.text))) for x in e.mentions if not x.generic}
                    # "the show" for an exhibition, "the exhibition" for a fair.
                    if e.type == EVENT and head in _SHOW_HEADS and heads & _SHOW_HEADS:
                        heads.add(head)
                    if head in heads or (head in ("joint company", "joint venture", "company", "group")
                                         and e.kind == "enterprise") or (head == "agency" and e.kind == "media"):
                        target = e
                        break
                if target is None and m.type == EVENT and head in _SHOW_HEADS:
                    # "FRUIT LOGISTICA 2024 ... the fair": a show's brand name
                    # with its year has no head noun to match.
                    target = next((e for e in reversed(entities) if e.type == EVENT and not m.attrs.get("country")
                                   and any(_YEAR_END.search(x.text) and not _SHOW_HEADS & set(x.text.lower().split())
                                           for x in e.mentions if not x.generic)), None)
            if target is not None:
                join(target, m)
            elif m.type == MISSION:
                # One unnamed delegation however often the report refers to it.
                if (MISSION, "generic") in by_key:
                    join(by_key[(MISSION, "generic")], m)
                else:
                    new(m, (MISSION, "generic"))
            continue
        k = (m.type, normalise_name(m.text))
        if k in by_key:
            join(by_key[k], m)
            continue
        ref = refers_to(m)
        if ref is not None:
            join(ref, m)
            by_key[k] = ref
            continue
        if m.type == ORGANIZATION and m.text.isupper() and len(m.text) <= 3 and not m.attrs.get("acronym_of"):
            # A bare unknown acronym from NER is as likely a ticker as a body.
            pass
        new(m, k)

    # Generic missions seen before any named one belong to the first named
    # one if it follows within a few sentences ("led a delegation of eleven
    # processors ... The Ghanaian trade mission visited"); one first named
    # further on is another trip ("Investment roadshow to Seoul and Tokyo" at
    # the end of a report on two other delegations).
    generic_missions = [e for e in entities if e.type == MISSION and all(x.generic for x in e.mentions)]
    named_missions = named((MISSION,))
    if named_missions:
        first = named_missions[0]
        named_at = min(x.start for x in first.mentions if not x.generic)
        for g in generic_missions:
            if not 0 <= named_at - max(x.end for x in g.mentions) <= NAMED_SOON_AFTER:
                continue
            for x in g.mentions:
                join(first, x)
            g.mentions = []
    entities = [e for e in entities if e.mentions]
    _merge_short_forms(entities)
    _merge_quoted_aliases(entities)
    entities = [e for e in entities if e.mentions]
    entities.sort(key=lambda e: e.first)
    for i, e in enumerate(entities):
        e.index = i
        for x in e.mentions:
            x.entity = i
        _finish(e)
    return entities


def _merge_short_forms(entities: list[Entity]) -> None:
    """"Chongqing Global Trade Exhibition" is a short form of "2023 Chongqing
    Global Trade – Chongqing Export Commodities (Belarus) Exhibition" even
    when the short form comes first: same type, same head, its words in order."""
    # What the test reads of an entity's longest name, worked out once per
    # entity rather than once per pair; an entity that takes in another's
    # mentions is read again.
    longest: dict[int, tuple[list[str], str, str]] = {}

    def longest_name(i: int) -> tuple[list[str], str, str]:
        """Tokens, normalised head and first non-numeric token."""
        if i not in longest:
            name = max((m.text for m in entities[i].mentions if not m.generic), key=len, default="")
            tokens = _tokens(name)
            longest[i] = (tokens, normalise_name(name_head(name)), next((w for w in tokens if not w.isdigit()), ""))
        return longest[i]

    for a in entities:
        if a.type not in (ORGANIZATION, EVENT) or not a.mentions:
            continue
        at = _tokens(max((m.text for m in a.mentions if not m.generic), key=len, default=""))
        if len(at) < 2:
            continue
        for j, b in enumerate(entities):
            if b is a or b.type != a.type or not b.mentions:
                continue
            bt, head, first = longest_name(j)
            if (len(bt) > len(at) and _subsequence(at, bt) and at[0] == first
                    and normalise_name(name_head(" ".join(at))) == head and head not in LEGAL_SUFFIXES):
                b.mentions.extend(a.mentions)
                a.mentions = []
                longest.pop(j)
                break


def _merge_quoted_aliases(entities: list[Entity]) -> None:
    """"“Great Stone”" on its own is the quoted alias of "China-Belarus
    Industrial Park “Great Stone”", not a programme of its own."""
    for a in entities:
        if a.type != PROGRAM or not a.mentions:
            continue
        key = normalise_name(a.mentions[0].text)
        for b in entities:
            if b.type == ORGANIZATION and b.mentions and any(key in _quoted_words(x.text) for x in b.mentions):
                b.mentions.extend(a.mentions)
                for x in a.mentions:
                    x.type = ORGANIZATION
                a.mentions = []
                break


@lru_cache(maxsize=1 << 14)  # as _token_tuple
def _quoted_words(name: str) -> frozenset[str]:
    return frozenset(normalise_name(q) for q in re.findall(r"[“\"]([^”\"]+)[”\"]", name))


def _finish(e: Entity) -> None:
    """Canonical name (the fullest form), aliases and attributes."""
    real = [m for m in e.mentions if not m.generic] or e.mentions
    if e.type == SECTOR:
        e.attrs["code"] = real[0].key
        e.name = real[0].text.lower() if not real[0].text.isupper() else sector_name(real[0].key)
    else:
        def fullness(m: Mention) -> tuple[int, int, int]:
            return (0 if m.text.isupper() and len(m.text) > 4 else 1, len(m.text), -m.start)
        e.name = max(real, key=fullness).text
        if e.name.isupper() and len(e.name) > 5:
            e.name = e.name.title()
    seen = {normalise_name(e.name)}
    for m in e.mentions:
        n = normalise_name(m.text)
        if n and n not in seen:
            seen.add(n)
            e.aliases.append(m.text if not m.generic else f"the {m.text}")
    if e.type == PLACE:
        e.kind = real[0].kind
        e.country = real[0].country
        std = real[0].attrs.get("standard_name")
        if e.kind == "city" and std and normalise_name(std) not in seen:
            e.aliases.append(std)
    elif e.type == ORGANIZATION:
        kinds = [m.kind for m in real if m.kind]
        e.kind = kinds[0] if kinds else (org_kind(e.name) or "other")
        # The fullest name says best what the body is.
        e.kind = org_kind(e.name) or e.kind
        countries = [m.country for m in real if m.country]
        e.country = countries[0] if countries else name_country(e.name)
    elif e.type == MISSION:
        for w in re.findall(r"[A-Z][\w’'-]+", e.name):
            code = country_code(w) or demonym_country(w)
            if code:
                e.country = None
                e.attrs["origin"] = code
                break
