"""Entity resolution across documents: when is a mention an entity we have?

One implementation, used by every store inside ``upsert_extraction``. It is
conservative: two organisations become one node only when one's canonical
name is the other's name or alias (after normalisation), their types agree
and their countries do not conflict. Short acronyms ("EC") and generic forms
("the delegation", "the chamber") never merge anything on their own — they
are document-local. A wrong merge can be undone with ``unmerge_entity``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from graph.gazetteer import country_code, country_name, demonym_country, find_place
from graph.model import (
    Entity,
    ExtractedEntity,
    ExtractedRelation,
    Extraction,
    Span,
    normalise_name,
    short_hash,
)
from graph.ontology import (
    AGREEMENT,
    EVENT,
    LED,
    MEMBER_OF,
    MISSION,
    ORGANIZATION,
    ORGANIZED,
    PERSON,
    PLACE,
    PLANS_VISIT,
    PROGRAM,
    SECTOR,
    SYMMETRIC_RELATIONS,
    VISITED,
)

_PREFIX = {
    ORGANIZATION: "org", PERSON: "person", PLACE: "place", EVENT: "event",
    MISSION: "mission", SECTOR: "sector", AGREEMENT: "agreement", PROGRAM: "program",
}

# Forms that name a role, not a body: never evidence that two mentions in
# different reports are the same entity.
GENERIC_FORMS = frozenset({
    "delegation", "business delegation", "trade delegation", "trade mission", "mission",
    "chamber", "ministry", "commission", "committee", "company", "group", "office",
    "park", "agency", "council", "bureau", "government", "administration", "embassy",
    "consulate", "association", "federation", "exhibition", "forum", "fair", "conference",
    "joint commission", "joint venture", "joint company", "visiting delegation",
    "city", "province", "region", "state", "country", "the two countries",
})

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, length: int = 40) -> str:
    s = _SLUG.sub("-", normalise_name(text).encode("ascii", "ignore").decode()).strip("-")
    return s[:length].rstrip("-") or "x"


def entity_key(e: ExtractedEntity, doc_date: str | None = None) -> str:
    """The identity of an extracted entity across documents."""
    name = normalise_name(e.name)
    if e.type == SECTOR and e.attrs.get("code"):
        return f"Sector:{e.attrs['code']}"
    if e.type == PLACE:
        if e.kind == "country" and e.country:
            return f"Place:country:{e.country}"
        return f"Place:{e.kind or ''}:{e.country or ''}:{name}"
    if e.type == ORGANIZATION:
        return f"Organization:{e.country or ''}:{name}"
    if e.type == MISSION:
        # Two reports of "the Chongqing business delegation" in different
        # months are two trips; "the delegation" is only ever its report's.
        # The name as reported, not the trip's name: two reports of one trip
        # may not both say where it went.
        reported = normalise_name(str(e.attrs.get("reported_name") or e.name))
        when = str(e.attrs.get("start") or doc_date or "")[:7]
        report = f"#{e.attrs['report']}" if e.attrs.get("report") else ""
        return f"Mission:{reported}@{when}{report}"
    return f"{e.type}:{name}"


def entity_id(e: ExtractedEntity, doc_date: str | None = None) -> str:
    """A stable, readable id: the same entity gets the same id in every store."""
    if e.type == SECTOR and e.attrs.get("code"):
        return f"sector-{e.attrs['code']}"
    if e.type == PLACE and e.kind == "country" and e.country:
        return f"country-{e.country.lower()}"
    key = entity_key(e, doc_date)
    shown = str(e.attrs.get("reported_name") or e.name) if e.type == MISSION else e.name
    return f"{_PREFIX.get(e.type, 'entity')}-{slug(shown)}-{short_hash(key, length=8)}"


# A quoted proper name inside a longer name: National “Atameken” Chamber of ...,
# LLC "Fergana Denim Group", «Uzbekneftegaz»; the name is its group.
QUOTED_NAME = re.compile(r"[“\"«„]([^”\"»“]{2,60})[”\"»“]")
# "the Republic of Belarus" and "Belarus" name the same country.
_REPUBLIC = re.compile(r"\b(?:the )?Republic of ", re.IGNORECASE)
# "Chamber of Commerce and Industry of Angola": a body, then the place it is of.
_BODY_OF_PLACE = re.compile(r"^(?P<body>.+\S) of (?:the )?(?P<place>[^,()]+)$")

# Words that say what kind of body, office or event a name is, or what field
# it works in, not which one: a name made only of these ("Department of
# Industry and Trade", "Finance Ministry", "round table") names a different
# body in every province or country that has one.
GENERIC_WORDS = frozenset({
    "the", "of", "and", "for", "in", "on", "to", "at", "by", "with", "de", "del", "des", "du", "la", "le", "y",
    "e", "do", "da", "das", "dos", "a", "an", "ministry", "ministries", "department", "directorate",
    "secretariat", "office", "bureau", "agency", "authority", "board", "council", "committee", "commission",
    "chamber", "chambers", "association", "federation", "union", "corporation", "company", "group", "centre",
    "center", "institute", "service", "services", "section", "division", "unit", "team", "desk",
    "administration", "government", "embassy", "consulate", "general", "mission", "delegation",
    "representation", "trade", "commerce", "commercial", "industry", "industries", "industrial", "finance",
    "financial", "economy", "economic", "economics", "affairs", "foreign", "external", "international",
    "national", "federal", "state", "provincial", "municipal", "regional", "city", "central", "bank",
    "investment", "investments", "development", "promotion", "export", "exports", "exporters", "import",
    "imports", "cooperation", "planning", "agriculture", "agricultural", "fisheries", "forestry", "livestock",
    "energy", "mines", "mining", "transport", "tourism", "labour", "health", "education", "interior",
    "environment", "water", "rural", "science", "technology", "innovation", "customs", "revenue", "treasury",
    "statistics", "pavilion", "table", "round", "contract", "supply", "joint", "free", "zone", "zones", "park",
    "special", "fair", "exhibition", "forum", "conference", "summit", "meeting", "business", "enterprises",
    "producers", "manufacturers", "republic", "kingdom", "socialist", "democratic", "people", "s", "ltd",
    "llc", "co", "inc", "plc", "jsc", "sa",
})
# The last word of a body's name before "of <place>" (not "the State of").
_BODY_WORDS = GENERIC_WORDS - {"the", "of", "and", "for", "in", "on", "to", "at", "by", "with", "de", "del", "des",
                                "du", "la", "le", "y", "e", "do", "da", "das", "dos", "a", "an", "state", "republic",
                                "kingdom", "government", "city", "people", "s"}


def _fold(text: str) -> str:
    """``text`` without accents: "São Paulo" is written "Sao Paulo" too."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _place_first(form: str) -> str | None:
    """"Chamber of Commerce and Industry of Angola" and "Angolan Chamber of
    Commerce and Industry" as "Angola Chamber of Commerce and Industry": the
    one order both are read in. None when ``form`` is neither."""
    words = form.split()
    if len(words) >= 3 and (code := demonym_country(words[0])) is not None and code != "EU":
        try:
            name = country_name(code)
        except KeyError:
            return None
        return f"{name} {' '.join(words[1:])}" if name.split()[0] != words[0] else None
    m = _BODY_OF_PLACE.match(form)
    if m is None or m["body"].split()[-1].casefold() not in _BODY_WORDS or len(m["body"].split()) < 2:
        return None
    place = find_place(m["place"])
    if place is None or normalise_name(_fold(place.name)) != normalise_name(_fold(m["place"])) \
            and place.kind != "country":
        return None
    where = country_name(place.country) if place.kind == "country" and place.country else m["place"]
    return f"{where} {m['body']}"


# International bodies reports name by their acronym as often as by their
# name. Only unambiguous ones: "EC" (Community or Commission) is not here.
KNOWN_ACRONYMS = {
    "EU": "European Union", "UN": "United Nations", "WTO": "World Trade Organization",
    "IMF": "International Monetary Fund", "OPEC": "Organization of the Petroleum Exporting Countries",
    "GCC": "Gulf Cooperation Council", "AfDB": "African Development Bank", "ADB": "Asian Development Bank",
    "EBRD": "European Bank for Reconstruction and Development", "OECD":
    "Organisation for Economic Co-operation and Development", "ASEAN": "Association of Southeast Asian Nations",
    "AfCFTA": "African Continental Free Trade Area", "EAEU": "Eurasian Economic Union",
    "ECOWAS": "Economic Community of West African States", "COMESA":
    "Common Market for Eastern and Southern Africa", "UNCTAD": "United Nations Conference on Trade and Development",
    "FAO": "Food and Agriculture Organization",
}
_ACRONYM_OF = {normalise_name(v): k for k, v in KNOWN_ACRONYMS.items()}


# A name of two or more words, the last capitalised, followed by up to three
# words in lower case that an extractor kept with it: "Kazakh Invest
# national company", "SIAL Paris fair".
_TRAILING_DESCRIPTION = re.compile(
    r"^(?P<name>\S+(?:\s+\S+)*?\s+[A-Z0-9]\S*)(?P<description>(?:\s+[a-z][\w-]*){1,3})$")
_NOT_DESCRIPTIONS = frozenset({"of", "and", "for", "in", "on", "at", "to", "the", "de", "del", "da", "do", "y", "e"})


def _without_description(form: str) -> str | None:
    m = _TRAILING_DESCRIPTION.match(form)
    if m is None or _NOT_DESCRIPTIONS & set(m["description"].split()):
        return None
    return m["name"]


# A short form written after the name it stands for, with no brackets:
# "Czech Trade Promotion Agency CzechTrade", "Vietnam Chamber of Commerce and
# Industry VCCI". One word with two capitals or more, after a name of three
# words or more.
_TRAILING_SHORT_FORM = re.compile(r"^(?P<name>\S+(?:\s+\S+){2,})\s+(?P<short>[A-Z][A-Za-z0-9&-]*[A-Z][A-Za-z0-9&-]*)$")


def _without_short_form(form: str) -> str | None:
    """The name without a short form of itself after it: the short form's
    letters, in order, from the name's, starting with its first (the test
    for an abbreviation: "CzechTrade", "VCCI"; not "USA" after "Daewoo
    Corporation", nor a legal form such as "AG" or "JSC", whose letters
    rarely follow the name's first)."""
    m = _TRAILING_SHORT_FORM.match(form.strip())
    if m is None:
        return None
    short = m["short"].lower()
    letters = iter(c for c in m["name"].lower() if c.isalnum())
    if short[0] != next(letters, "") or not all(c in letters for c in short[1:]):
        return None
    if country_code(m["short"]) is not None or demonym_country(m["short"]) is not None:
        return None
    return m["name"]


@lru_cache(maxsize=1 << 16)
def name_variants(form: str) -> tuple[str, ...]:
    """Spellings of one name that reports use interchangeably: the name
    itself, without a quoted part, "of Belarus" for "of the Republic of
    Belarus", the place first ("Angola Chamber of Commerce" for "Angolan
    Chamber of Commerce" and "Chamber of Commerce of Angola"), without
    accents, without a description in lower case after a name of two
    words or more ("Kazakh Invest" for "Kazakh Invest national company"),
    and without a short form of itself after it ("CzechTrade").
    Cached: every write reads the variants of each entity's names several
    times, and a hub's names in report after report."""
    variants = [form.strip()]
    for named in (_without_description(variants[0]), _without_short_form(variants[0])):
        if named is not None:
            variants.append(named)
    unquoted = " ".join(QUOTED_NAME.sub(" ", form).split())
    if unquoted and unquoted != variants[0]:
        variants.append(unquoted)
    for v in list(variants):
        short = _REPUBLIC.sub("", v)
        if short != v:
            variants.append(short)
    for v in list(variants):
        if (first := _place_first(v)) is not None and first not in variants:
            variants.append(first)
    for v in list(variants):
        if (folded := _fold(v)) != v and folded not in variants:
            variants.append(folded)
    known = KNOWN_ACRONYMS.get(form.strip()) or _ACRONYM_OF.get(normalise_name(form))
    if known and known not in variants:
        variants.append(known)
    return tuple(variants)


def named_country(e: ExtractedEntity | Entity) -> str | None:
    """``e``'s country, else the one its name starts with or ends in
    ("Korea Trade-Investment Promotion Agency", "Ministry of Economy and
    Development of Mongolia"); None when neither says."""
    if e.country:
        return e.country
    words = _REPUBLIC.sub("", e.name).split()
    if not words:
        return None
    first = words[0].strip(",")
    code = demonym_country(first) or (country_code(first) if len(first) > 3 else None)
    if code is None and (m := _BODY_OF_PLACE.match(_REPUBLIC.sub("", e.name))) is not None:
        code = country_code(m["place"]) if len(m["place"]) > 3 else None
    return code if code and code != "EU" else None


_AGREEMENT_WORDS = frozenset({
    "memorandum", "understanding", "agreement", "agreements", "accord", "protocol", "contract", "contracts", "deal",
    "mou", "treaty", "letter", "intent", "framework", "partnership", "purchase", "sale", "sales", "loan", "credit",
    "barter", "countertrade", "offtake", "long", "term", "strategic", "memorandums", "establishing", "mechanism",
    "strengthening", "signed", "new",
})


def _identifying(form: str, type: str) -> bool:
    """Whether a normalised form says which thing it is. An event named only
    by places and generic words ("Brazil pavilion", "Kenya-Poland Business
    Forum") recurs at every fair, an agreement named by its genre
    ("Memorandum of Understanding on Trade and Investment Promotion") between
    every pair of parties."""
    words = [w for w in form.split() if w not in GENERIC_WORDS]
    if type == AGREEMENT:  # every pair of parties signs a "Memorandum of Understanding"
        words = [w for w in words if w not in _AGREEMENT_WORDS]
    if type == EVENT:
        words = [w for w in words if demonym_country(w) is None and country_code(w) is None]
    return bool(words)


def _lower_case(form: str) -> bool:
    """Written in lower case: a description. (A script without capitals,
    "重庆市商务委员会", is not.)"""
    return form == form.lower() and form != form.upper()


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _edition_of_season(name: str, doc_date: str | None) -> str | None:
    """An event (a fair, a forum) named without its year is the edition of
    its report's year ("Fruit Logistica" in a 2024 report is "FRUIT
    LOGISTICA 2024"): that name, as an alias, so that either report finds
    the other's. None when the name has a year or the report no date."""
    if not doc_date or not _YEAR.fullmatch(doc_date[:4]) or _YEAR.search(name):
        return None
    return f"{name.strip()} {doc_date[:4]}"


def report_local(e: ExtractedEntity) -> bool:
    """A name that identifies nothing beyond its report: a description in
    lower case ("supply contract", "round table", "joint trade committee"),
    a generic form ("the ministry"), or generic words without a country
    ("Ministry of Finance")."""
    if e.type not in (ORGANIZATION, EVENT, AGREEMENT, PROGRAM):
        return False
    n = normalise_name(e.name)
    return (_lower_case(e.name) or n in GENERIC_FORMS
            or not _identifying(n, e.type) and named_country(e) is None)


def _names_its_post(form: str) -> bool:
    """A diplomatic post is identified by its host as well as its sender:
    "Embassy of Poland in Nairobi", "Australian Embassy, Jakarta" — not
    "the Polish embassy", which every capital has."""
    return bool(re.search(r"\b(?:in|to|at)\b|,", form))


def matching_forms(e: ExtractedEntity | Entity) -> list[str]:
    """Normalised forms that may identify ``e`` in another document. A form
    written all in lower case ("round table", "joint trade committee") is a
    description, not a name."""
    forms = []
    for f in [e.name, *e.aliases]:
        if _lower_case(f) or e.kind == "diplomatic" and not _names_its_post(f):
            continue
        for n in map(normalise_name, name_variants(f)):
            if len(n) < 4 or n in GENERIC_FORMS or " " not in n and n.isdigit():
                continue
            if n not in forms:
                forms.append(n)
    return forms


# An acronym: one word, at least three capitals ("KOTRA", "CEPEX") or a
# capital inside it ("ApexBrasil", "QazTrade").
_ACRONYM = re.compile(r"^(?=\w*[A-Z]\w*[A-Z])[\w-]{4,}$")


def _acronyms(e: ExtractedEntity | Entity) -> set[str]:
    return {normalise_name(f) for f in [e.name, *e.aliases] if _ACRONYM.match(f.strip())} - GENERIC_FORMS


def _short_names(e: ExtractedEntity | Entity) -> set[str]:
    """One-word names it goes by ("Uztextileprom", "Atameken"): not a
    generic word, a place or a nationality."""
    out = set()
    for f in [e.name, *e.aliases]:
        w = f.strip()
        if " " in w or len(w) < 5 or not w[:1].isupper() or normalise_name(w) in GENERIC_WORDS:
            continue
        if demonym_country(w) is None and country_code(w) is None and find_place(w) is None:
            out.add(normalise_name(w))
    return out


# Words of a person's title that say the rank, not the post.
_RANK_WORDS = frozenset({"deputy", "vice", "senior", "chief", "general", "assistant", "acting", "first", "second",
                         "executive", "head", "of", "the", "and", "for", "mr", "ms", "mrs", "dr"})


def _title_words(title: object) -> set[str]:
    return {w for w in normalise_name(str(title or "")).split() if w not in _RANK_WORDS}


# Why a body has its country (``ingest.locations.country_and_reason``) when
# its own words do not say it: where the report's delegation was, whom it
# met there, the report's one destination, a legal form that fits one of the
# report's countries. A good guess about a body, not a name of it.
INFERRED_COUNTRY_REASONS = frozenset({"near", "itinerary", "met_in", "report", "legal_form"})


def _countries_apart(e: ExtractedEntity, cand: Entity) -> bool:
    """Whether two entities' countries make them two things."""
    if not (e.country and cand.country and e.country != cand.country):
        return False
    # Reports disagree on a post's country (the sender's or the host's); its
    # full name with the host says which post it is.
    if e.kind == cand.kind == "diplomatic" and normalise_name(e.name) == normalise_name(cand.name) \
            and _names_its_post(e.name):
        return False
    # A name that says which body it is ("Atameken", "Kazakh Invest") outweighs
    # a country one report only inferred; generic words ("Ministry of Economy")
    # are still told apart by their country.
    inferred = any(x.attrs.get("country_reason") in INFERRED_COUNTRY_REASONS for x in (e, cand))
    return not (inferred and _identifying(normalise_name(e.name), e.type)
                and _identifying(normalise_name(cand.name), cand.type))


def kept_country(country: str | None, attrs: dict[str, Any],
                 e: ExtractedEntity) -> tuple[str | None, dict[str, Any]]:
    """The country and attributes an existing entity keeps when a new
    report's ``e`` resolves to it. Existing facts win and a new report only
    fills gaps, except that a country the body's own words give (its name,
    a description, a stated location) replaces one a report only inferred."""
    attrs = {**e.attrs, **attrs}
    if e.country is None or e.country == country:
        return country, attrs
    if country is None or (attrs.get("country_reason") in INFERRED_COUNTRY_REASONS
                           and e.attrs.get("country_reason") not in (None, *INFERRED_COUNTRY_REASONS)):
        country = e.country
        if "country_reason" in e.attrs:
            attrs["country_reason"] = e.attrs["country_reason"]
    return country, attrs


def _compatible(e: ExtractedEntity, cand: Entity) -> bool:
    if e.type != cand.type or _countries_apart(e, cand):
        return False
    if e.type == PERSON:
        # "Peter Otieno, chief executive" of one report and "Peter Otieno,
        # director" of another: two people who share a name.
        mine, theirs = _title_words(e.attrs.get("title")), _title_words(cand.attrs.get("title"))
        if mine and theirs and not mine & theirs:
            return False
    return not (e.type == PLACE and e.kind and cand.kind and e.kind != cand.kind)


@dataclass
class MergeDecision:
    """Why an extracted entity was taken for an existing one: the form they
    share, which side's name it is, and a score (1.0 = the same name)."""

    into: Entity
    form: str
    reason: str
    score: float


def _generic_ok(form: str, e: ExtractedEntity, c: Entity) -> bool:
    """A form made only of generic words ("Ministry of Industry and Trade")
    identifies a body only in one stated country, and only as both sides'
    name or as a ministry's (a country has one such ministry, but a
    department in every province)."""
    if _identifying(form, e.type):
        return True
    mine, theirs = named_country(e), named_country(c)
    if not (mine and theirs and mine == theirs):
        return False
    return normalise_name(e.name) == normalise_name(c.name) or e.kind == c.kind == "ministry"


def _decision(e: ExtractedEntity, c: Entity) -> MergeDecision | None:
    # Only forms that may identify an entity count (no "the delegation").
    mine, theirs, my_forms = normalise_name(e.name), normalise_name(c.name), set(matching_forms(e))
    if mine == theirs and mine in my_forms:
        return MergeDecision(c, mine, "same name", 1.0) if _generic_ok(mine, e, c) else None
    names = {normalise_name(v) for v in name_variants(e.name)}
    their_names = {normalise_name(v) for v in name_variants(c.name)}
    if shared := {f for f in names & their_names & my_forms if _generic_ok(f, e, c)}:
        return MergeDecision(c, sorted(shared)[0], "same name in another spelling (quoted part, 'Republic of', "
                             "word order, accents)", 0.95)
    if shared := {f for f in names & set(matching_forms(c)) if _generic_ok(f, e, c)}:
        return MergeDecision(c, sorted(shared)[0], "its name is an alias of the existing entity", 0.9)
    if shared := {f for f in their_names & my_forms if _generic_ok(f, e, c)}:
        return MergeDecision(c, sorted(shared)[0], "the existing entity's name is one of its aliases", 0.9)
    # Two reports that both give the body's acronym ("KOTRA") or one-word
    # name ("Uztextileprom"), in one country.
    country = named_country(e)
    if not country or country != named_country(c) or e.type != ORGANIZATION:
        return None
    both = my_forms & set(matching_forms(c))
    if shared := _acronyms(e) & _acronyms(c) & both:
        return MergeDecision(c, sorted(shared)[0], "both give the acronym", 0.85)
    if (not e.kind or not c.kind or e.kind == c.kind) and (shared := _short_names(e) & _short_names(c) & both):
        return MergeDecision(c, sorted(shared)[0], "both go by the one-word name", 0.8)
    return None


def decide(e: ExtractedEntity, candidates: Sequence[Entity]) -> MergeDecision | None:
    """The existing entity ``e`` is, with the reason, or None. A candidate
    counts when one side's canonical name is a form of the other, or both
    give one acronym in one country; an ambiguous choice is no choice."""
    good = [d for c in candidates if _compatible(e, c) for d in [_decision(e, c)] if d is not None]
    best = max((d.score for d in good), default=0.0)
    top = [d for d in good if d.score == best]
    return top[0] if len(top) == 1 else None


def choose(e: ExtractedEntity, candidates: Sequence[Entity]) -> Entity | None:
    """The existing entity ``e`` is, or None (``decide`` without the reason)."""
    d = decide(e, candidates)
    return d.into if d is not None else None


def resolve_entities(
    entities: Sequence[ExtractedEntity],
    doc_date: str | None,
    exists: Callable[[str], Entity | None],
    find_by_forms: Callable[[str, Sequence[str]], list[Entity]],
    decisions: list[MergeDecision] | None = None,
    doc_id: str | None = None,
) -> dict[str, str]:
    """Map each extracted entity's local id to a global id: an existing
    entity's, or a new stable one. ``exists`` and ``find_by_forms`` are the
    store's own look-ups, run inside its write transaction. Derived spellings
    of each name (``name_variants``) are appended to that entity's aliases in
    place, so every backend stores them without knowing the rule, and so is
    an event's edition of the report's year (``_edition_of_season``). Each merge
    into an existing entity is appended to ``decisions`` when given, with
    its reason and score. With ``doc_id``, a name that identifies nothing
    beyond its report (``report_local``) gets an id of that report's, and
    so does a person whose namesake's title says it is someone else."""
    mapping: dict[str, str] = {}
    for e in entities:
        # Derived spellings become aliases, so later reports find them.
        for v in name_variants(e.name)[1:]:
            if v not in e.aliases and normalise_name(v) not in GENERIC_FORMS:
                e.aliases.append(v)
        new_id = entity_id(e, doc_date)
        local = doc_id is not None and report_local(e)
        if e.type == EVENT and not local and (edition := _edition_of_season(e.name, doc_date)) is not None \
                and edition not in e.aliases:
            e.aliases.append(edition)
        if local:
            new_id = _local_id(e, doc_date, str(doc_id))
        found = exists(new_id)
        if found is not None and doc_id is not None and not local and not _compatible(e, found):
            new_id = _local_id(e, doc_date, doc_id)
            found = exists(new_id)
        if found is not None and decisions is not None and e.type != SECTOR \
                and not (e.type == PLACE and e.kind == "country"):
            trip = e.type == MISSION
            decisions.append(MergeDecision(found, normalise_name(str(e.attrs.get("reported_name") or e.name)),
                                           "same trip (name, month)" if trip
                                           else "same name and country" if e.country else "same name", 1.0))
        # A trip is identified by its key (name with destination, month); its
        # reported name is every trip's alias, so forms never merge two trips.
        if found is None and not local and e.type not in (SECTOR, MISSION) \
                and not (e.type == PLACE and e.kind == "country"):
            forms = matching_forms(e)
            decision = decide(e, find_by_forms(e.type, forms)) if forms else None
            if decision is not None:
                found = decision.into
                if decisions is not None:
                    decisions.append(decision)
        mapping[e.id] = found.id if found is not None else new_id
    return mapping


def _local_id(e: ExtractedEntity, doc_date: str | None, doc_id: str) -> str:
    """The id of an entity known only within report ``doc_id``."""
    key = f"{entity_key(e, doc_date)}#{doc_id}"
    return f"{_PREFIX.get(e.type, 'entity')}-{slug(e.name)}-{short_hash(key, length=8)}"


def fuller_name(new: str, old: str, type: str, kind: str | None = None) -> bool:
    """Whether ``new``, another report's name for an entity named ``old``,
    should name it: the fullest form wins ("National Atameken Chamber of
    Entrepreneurs" over "Atameken"; more words, then more letters, then not
    in capitals, then alphabetical), whatever order the reports came in. A
    trip keeps its trip name, a sector and a country theirs."""
    if type in (MISSION, SECTOR) or type == PLACE and kind == "country" \
            or normalise_name(new) == normalise_name(old):
        return False

    def rank(name: str) -> tuple[bool, int, int, str]:
        return name.isupper(), -len(name.split()), -len(name), name

    return rank(new.strip()) < rank(old.strip())


def kind_by_evidence(kinds: Iterable[str | None]) -> str | None:
    """An organisation's kind from every report that gave one: the most
    frequent ("enterprise" in five reports, "other" in one: "enterprise");
    a tie goes to a kind other than "other", then to the first in
    alphabetical order, so that no report's turn decides."""
    counts = Counter(k for k in kinds if k)
    if not counts:
        return None
    return min(counts, key=lambda k: (-counts[k], k == "other", k))


def endpoints(rtype: str, source: str, target: str) -> tuple[str, str]:
    """A relation's stored endpoints: a symmetric relation (MET_WITH,
    SIGNED_WITH) in id order, so the graph does not depend on which report
    stated it first."""
    if rtype in SYMMETRIC_RELATIONS and target < source:
        return target, source
    return source, target


# Relation attributes whose value names another entity of the same report
# (ONTOLOGY.md: SIGNED_WITH's ``agreement``, INVITED's ``event``; ``place``
# where a meeting or signing happened).
ENTITY_REF_ATTRS: tuple[str, ...] = ("agreement", "event", "place")


def map_entity_refs(attrs: dict[str, object], mapping: dict[str, str]) -> dict[str, object]:
    """``attrs`` with document-local entity ids replaced by global ones; a
    reference to an entity the report did not extract is dropped."""
    out = dict(attrs)
    for key in ENTITY_REF_ATTRS:
        value = out.get(key)
        if isinstance(value, str):
            if value in mapping:
                out[key] = mapping[value]
            else:
                del out[key]
    return out



# --- missions as trips -------------------------------------------------------------
#
# A Mission is a trip: who went, where, when. The extractor names it as the
# report does ("the Chongqing business delegation", "the delegation"), which
# is the same for a body's every trip; ``name_trips`` names it by its
# destination and month so that two trips are two nodes a person can tell
# apart, and ``link_sending_bodies`` states that "a delegation of X" is X's.

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
# Where a trip went, in the order the report says it.
_DESTINATION_RELATIONS = (VISITED, PLANS_VISIT)
# Who sent it: their country is where it came from, not where it went.
_SENDER_RELATIONS = (LED, ORGANIZED, MEMBER_OF)


def is_generic_mission_name(name: str) -> bool:
    """"delegation", "the trade mission": a role, not a trip's name."""
    n = normalise_name(name)
    return n.removeprefix("the ") in GENERIC_FORMS


def _month(date: str | None) -> str | None:
    if not date or not re.match(r"\d{4}-\d{2}", date):
        return None
    return f"{_MONTHS[int(date[5:7]) - 1]} {date[:4]}"


def _and_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _trip_parts(x: Extraction, m: ExtractedEntity) -> tuple[list[str], str | None]:
    """The countries trip ``m`` went to (in the report's order, the senders'
    own countries left out) and its first date."""
    by_id = {e.id: e for e in x.entities}
    home = {by_id[r.source].country for r in x.relations
            if r.type in _SENDER_RELATIONS and r.target == m.id and r.source in by_id}
    home.add(demonym_country(m.name.split()[0]) if m.name.split() else None)
    countries: list[str] = []
    for rtype in _DESTINATION_RELATIONS:  # where it went; where it plans to go only if nothing else
        went = sorted((min(s.start for s in by_id[r.target].mentions), cc) for r in x.relations
                      if r.type == rtype and r.source == m.id and r.target in by_id
                      for cc in [by_id[r.target].country] if cc and cc not in home)
        countries = list(dict.fromkeys(cc for _pos, cc in went))
        if countries:
            break
    dates = sorted(d for r in x.relations if m.id in (r.source, r.target) for d in [r.date] if d)
    first = str(m.attrs.get("start") or "") or (dates[0] if dates else None) or x.document.date
    return countries, first


def trip_name(x: Extraction, m: ExtractedEntity) -> str:
    """"Chongqing business delegation to Kazakhstan and Belarus, June 2024";
    the name as reported when the report says neither where nor when."""
    countries, first = _trip_parts(x, m)
    name = m.name.strip()
    if countries:
        name += " to " + _and_list([country_name(c) for c in countries])
    month = _month(first)
    return f"{name}, {month}" if month else name


def name_trips(x: Extraction) -> Extraction:
    """Missions renamed as trips (the reported name kept as an alias). A
    mission the report only calls "the delegation" is marked with its report,
    so that it is never taken for another report's."""
    entities = []
    for e in x.entities:
        if e.type == MISSION:
            name = trip_name(x, e)
            attrs = {**e.attrs, "reported_name": e.name}
            if is_generic_mission_name(e.name):
                attrs["report"] = x.document.id
            aliases = e.aliases if name == e.name else [e.name, *[a for a in e.aliases if a != e.name]]
            e = replace(e, name=name, aliases=aliases, attrs=attrs)
        entities.append(e)
    return replace(x, entities=entities)


# "a delegation of the Polish Chamber of Commerce", "a delegation from X",
# "X's delegation", "the KEPROBA delegation".
_DELEGATION_OF = re.compile(r"\b(?:delegation|mission)s? (?:of|from) (?:the )?$", re.IGNORECASE)
_DELEGATION_AFTER = re.compile(r"^(?:['’]s)? (?:business |trade |official )?(?:delegation|mission)\b",
                               re.IGNORECASE)


def _sentence(text: str, start: int, end: int) -> Span:
    a = max(text.rfind(". ", 0, start) + 2, text.rfind("\n", 0, start) + 1, 0)
    b = min((i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0), default=len(text))
    b = b + 1 if b < len(text) and text[b] == "." else b
    return Span(a, b, text[a:b])


def link_sending_bodies(x: Extraction) -> Extraction:
    """ORGANIZED from X to the mission for "a delegation of X" (ONTOLOGY.md:
    the body that sends a delegation organises it), so X meets whom its
    delegation met. The mission is the one mentioned right there, else the
    report's only one."""
    text = x.document.text
    missions = [e for e in x.entities if e.type == MISSION]
    if not missions:
        return x
    have = {(r.type, r.source, r.target) for r in x.relations}
    added: list[ExtractedRelation] = []
    for org in (e for e in x.entities if e.type == ORGANIZATION):
        for m in org.mentions:
            if demonym_country(m.text.strip()) is not None:  # "a delegation of Kazakh exporters"
                continue
            before = _DELEGATION_OF.search(text, max(0, m.start - 40), m.start)
            after = _DELEGATION_AFTER.match(text[m.end:m.end + 40])
            if before is None and after is None:
                continue
            at = before.start() if before is not None else m.end
            here = [t for t in missions if any(abs(s.start - at) < 30 for s in t.mentions)]
            mission = (here or missions)[0] if len(here) == 1 or len(missions) == 1 else None
            if mission is None or (ORGANIZED, org.id, mission.id) in have:
                continue
            have.add((ORGANIZED, org.id, mission.id))
            span = _sentence(text, min(at, m.start), max(at, m.end))
            added.append(ExtractedRelation(type=ORGANIZED, source=org.id, target=mission.id, confidence=0.8,
                                           evidence=[span], attrs={"rule": "delegation of"}))
    return replace(x, relations=[*x.relations, *added]) if added else x
