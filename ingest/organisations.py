"""Names of organisations and events, found by their shape.

The small spaCy model misses or mangles the long institutional names trade
reports are full of ("Trade Promotion Office of the Chongqing Municipal
Commission of Commerce", "National “Atameken” Chamber of Entrepreneurs").
They have a recognisable shape: capitalised words joined by "of", "and",
"the", quotes and dashes, ending in (or headed by) a word such as Commission,
Ministry, Chamber, Group, Ltd, Exhibition. This module finds such names in
running text and says what kind of body each is.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from graph.gazetteer import BRAND_LIKE_PLACE_NAMES, country_code, demonym_country, find_place
from graph.model import normalise_name
from ingest.nlp import is_caps_line

# Head words -> organisation kind. Checked on the name's head (the last word
# before "of"/"for"/"in"), then on any word of the name.
ORG_HEADS: dict[str, str] = {
    "ministry": "ministry", "ministries": "ministry",
    "commission": "commission", "committee": "commission",
    "bureau": "agency", "department": "agency", "office": "agency", "administration": "agency",
    "agency": "agency", "authority": "agency", "authorities": "agency", "customs": "agency",
    "municipality": "agency", "government": "agency", "service": "agency", "directorate": "agency",
    "inspectorate": "agency", "secretariat": "agency", "council": "chamber",
    "embassy": "diplomatic", "consulate": "diplomatic", "legation": "diplomatic",
    "representation": "diplomatic", "consulate-general": "diplomatic",
    "chamber": "chamber", "association": "chamber", "federation": "chamber",
    "confederation": "chamber", "union": "chamber", "alliance": "chamber", "guild": "chamber",
    "society": "chamber", "club": "chamber", "forum": "chamber",
    "park": "park", "zone": "park", "zones": "park", "estate": "park", "hub": "park",
    "ltd": "enterprise", "ltd.": "enterprise", "limited": "enterprise", "co": "enterprise",
    "co.": "enterprise", "corp": "enterprise", "corp.": "enterprise", "corporation": "enterprise",
    "inc": "enterprise", "inc.": "enterprise", "company": "enterprise", "group": "enterprise",
    "holding": "enterprise", "holdings": "enterprise", "llc": "enterprise", "plc": "enterprise",
    "ag": "enterprise", "gmbh": "enterprise", "s.a.": "enterprise", "jsc": "enterprise",
    "ojsc": "enterprise", "pjsc": "enterprise", "llp": "enterprise", "motors": "enterprise",
    "auto": "enterprise", "industries": "enterprise", "enterprises": "enterprise",
    "airlines": "enterprise", "airways": "enterprise", "technologies": "enterprise",
    "bank": "enterprise", "partners": "enterprise", "pharma": "enterprise", "oil": "enterprise",
    "petroleum": "enterprise", "steel": "enterprise", "electronics": "enterprise",
    "news": "media", "daily": "media", "times": "media", "herald": "media", "gazette": "media",
    "tribune": "media", "journal": "media", "press": "media", "television": "media",
    "tv": "media", "radio": "media", "post": "media",
    "chambers": "chamber", "board": "agency", "engineering": "enterprise",
    "shipping": "enterprise", "logistics": "enterprise",
    # Heads of Romance-language names: "Banco do Brasil", "Grupo Bimbo".
    "banco": "enterprise", "banca": "enterprise", "banque": "enterprise", "grupo": "enterprise",
    "groupe": "enterprise", "companhia": "enterprise", "compañía": "enterprise", "empresa": "enterprise",
    "caisse": "other", "société": "enterprise", "sociedad": "enterprise",
    "plant": "enterprise", "works": "enterprise", "factory": "enterprise", "mill": "enterprise",
    "mills": "enterprise", "refinery": "enterprise", "shipyard": "enterprise", "brewery": "enterprise",
    "university": "other", "college": "other", "institute": "other", "academy": "other",
    "airport": "other", "foundation": "other", "school": "other", "hospital": "other",
    "community": "other", "organization": "other", "organisation": "other", "centre": "other",
    "center": "other", "port": "other", "fund": "other", "programme": "other",
}
EVENT_HEADS = frozenset({
    "exhibition", "exhibitions", "fair", "expo", "forum", "conference", "summit", "show",
    "festival", "symposium", "congress", "week", "ceremony", "convention", "roadshow",
    "road show", "meeting", "session", "games", "olympics", "biennale", "salon", "dialogue",
    "seminar", "seminars", "roundtable", "workshop", "pavilion", "day", "days",
})
# Words that make a "Centre"/"Bureau"/"Office" a park or a commerce body.
_PARK_HINTS = ("cargo", "logistic", "distribution", "industrial", "free trade", "technology",
               "science", "economic", "trade", "business", "innovation", "export processing")
# A "Centre" is a park only when it handles goods; a policy or research
# centre is a public body.
_CENTRE_PARK_HINTS = ("cargo", "logistic", "distribution", "industrial", "free trade", "export processing",
                      "bonded", "technology park", "science park")
_CENTRE_AGENCY_HINTS = ("policy", "promotion", "support", "research", "development center",
                        "development centre", "investment", "export")
_COMMERCE_HINTS = ("commerce", "trade", "economic", "business", "investment", "foreign economic")

# The lower-case words inside a body's name ("Chamber of Commerce and
# Industry", "Banco do Brasil"); the rules' name pattern adds what may also
# link two capitalised words there, the learned candidates what they accept.
NAME_LINK_WORDS = frozenset({"of", "and", "for", "on", "de", "du", "des", "la", "le", "der", "für", "&", "do", "da",
                             "dos", "das", "del", "della", "di"})
_CONNECT = rf"(?:{'|'.join(sorted(map(re.escape, NAME_LINK_WORDS | {'the', '–', '—', '-', 'at', 'in', 'es'})))})"
_CAP = r"(?:(?:d[’']|l[’'])?[A-Z0-9][\w’'.&/–-]*[\w.]|[A-Z]|“[^”\n]{1,40}”|\"[A-Z][^\"\n]{0,40}\"|\([A-Z][\w ]{0,30}\))"
# Lower-case words that end a name of a park or a joint body.
_LOWER_TAIL = (r"(?:\s+(?:industrial|economic|technology|free\s+trade|special\s+economic|"
               r"science|high-tech|development|export\s+processing|logistics|bonded)\s+"
               r"(?:park|zone|area|district|estate)"
               # "the SEMICON Southeast Asia exhibition": a name with a plain event noun.
               # "the Messe Berlin exhibition grounds" is a venue, not a show.
               r"|\s+(?:exhibition|fair|expo|trade\s+show|conference|summit)\b"
               r"(?!\s+(?:grounds|centre|center|halls?|venue|site|complex))"
               # Lower-case legal forms: "Aquatis a.s.", "Envi-Pur s.r.o.", "Polmet Sp. z o.o.".
               r"|[ \t]+(?:a\.s\.|s\.r\.o\.|spol\.\s+s\s+r\.o\.|(?:[Ss]p\.[ \t]+)?z[ \t]+o\.o\.|d\.o\.o\.|s\.p\.a\.|"
               r"s\.a\.|s\.r\.l\.|a/s|k\.s\.))")
NAME_RE = re.compile(
    rf"{_CAP}(?:(?:[ \t]+{_CONNECT})*[ \t]+{_CAP})*{_LOWER_TAIL}?"
)
JOINT_BODY_RE = re.compile(
    r"\bjoint\s+(?:[a-z-]+\s+){0,2}(?:commission|committee|council)"
    r"(?:\s+on\s+[a-z]+(?:,\s+[a-z]+)*(?:,?\s+and\s+[a-z]+)?\s+co-?operation)?"
)
# Determiners and sentence openers a capitalised chunk may start with.
_LEADING = frozenset({
    "the", "a", "an", "this", "that", "these", "those", "during", "after", "before", "apart",
    "in", "on", "at", "for", "from", "to", "with", "by", "as", "and", "but", "it", "its",
    "their", "his", "her", "our", "both", "all", "some", "many", "such", "when", "while",
    "since", "under", "according", "representatives", "of", "&", "–", "-", "—", "said",
    "mr", "mrs", "ms", "dr", "compared", "coordinating", "chongqing’s",
    # "Members of the Lagos Chamber ...", "Speakers from X": people of a body.
    "members", "member", "speakers", "delegates", "officials", "executives", "staff",
})
_TRAILING = frozenset({"of", "and", "for", "on", "the", "de", "du", "des", "la", "le", "der",
                       "&", "–", "—", "-", "at", "für", "in"})
_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
# A dateline or date glued to the front or back of a name: "June 15, 2021",
# "3 May 2024" (whose "3" is no name word, so the match starts at "May 2024").
# Newswire datelines abbreviate months: "LAGOS, Nov 10 - The China Council ...".
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
MONTH = rf"(?:{_MONTHS}|{_MONTH_ABBR})"  # a month's name as a name's neighbour writes it
_DATE_HEAD = re.compile(rf"^(?:(?:{_MONTHS}|{_MONTH_ABBR})\s+\d{{1,2}}(?!\d)(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTHS}(?:\s+\d{{4}})?"
                        rf"|{_MONTHS}\s+\d{{4}})\s*[-–—]?\s*")
_WEEKDAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DATE_TAIL = re.compile(rf"\s+(?:on|in|at|of|from|since|until|for)\s+(?:{_MONTHS}|{_WEEKDAYS}|\d).*$")
LEGAL_SUFFIXES = frozenset({"ltd", "ltd.", "limited", "co", "co.", "corp", "corp.", "inc", "inc.",
                            "llc", "plc", "ag", "gmbh", "jsc", "ojsc", "pjsc", "cjsc", "llp", "corporation",
                            "uab", "a.s.", "a.s", "s.a.", "s.a", "bhd", "pte", "pvt", "sarl", "srl",
                            "s.r.l.", "spa", "s.p.a.", "bv", "b.v.", "nv", "n.v.", "oy", "kft", "zrt",
                            "too", "ooo", "zao", "oao", "d.o.o.", "sdn",
                            # Legal forms of Central/Northern European, Latin and Asian companies.
                            "s.r.o.", "s.r.o", "o.o.", "a/s", "as", "asa", "ab", "oyj", "sas", "s.a.s.",
                            "ltda", "ltda.", "s.a.c.", "sac", "eirl", "berhad", "bhd.", "kft.", "zrt.", "nyrt",
                            "d.d.", "ad", "doo", "tbk", "pt", "psc", "kg", "b.v", "n.v", "s.l.", "k.s.", "v.o.s.",
                            "sa", "s.p.a", "sae", "s.a.e.", "pte."})
# Legal forms a company name may carry after a comma: "Co., Ltd.", "Holdings, Inc.".
_LEGAL_TAIL = re.compile(r"(?:\.?,?[ \t]+(?:Co|Ltd|Inc|Corp|LLC|LLP|PLC|JSC|GmbH|AG|S\.A|A\.S|Bhd|Pte|UAB|CJSC|Ltda|SARL|SAS)"
                         r"(?![\w])\.?)+")


def _legal_form_tail() -> re.Pattern[str]:
    """Every legal form of ``LEGAL_SUFFIXES`` that may follow a company's name
    (the learned candidates' names take it; ``_LEGAL_TAIL`` is the rules'
    narrower list after a comma), as written ("Ltd", "LTD", "s.r.o."; "S.A.
    de C.V.", "San. ve Tic. A.Ş.", "Co., Ltd."); a form that is also an
    English word ("as", "ad", "too") counts only in capitals."""
    words = {w.rstrip(".") for w in LEGAL_SUFFIXES} | {"c.v", "şti", "a.ş", "s.a.p.i", "fze", "fzco", "k.k", "san",
                                                       "tic", "s.a.b", "s.l", "s.c", "e.i.r.l", "sp. z o.o"}
    english = {"as", "ad", "too", "co", "pt", "kg", "ab", "sa", "san", "tic"}
    forms = sorted({v for w in words for v in ({w.upper(), w[:1].upper() + w[1:]} if w in english
                                                else {w, w.upper(), w[:1].upper() + w[1:]})}, key=len, reverse=True)
    word = "(?:" + "|".join(re.escape(f) for f in forms) + r")\.?(?![\w.])"
    return re.compile(rf"(?:,?[ \t]+(?:(?:de|ve|&)[ \t]+)?{word})+")


LEGAL_FORM_TAIL = _legal_form_tail()
_LEGAL_FORM_END = re.compile(LEGAL_FORM_TAIL.pattern + r"\s*$")


def without_legal_form(name: str) -> str:
    """A company's name without the legal form it ends in: "Kaimai Dairy
    Ingredients Ltd" -> "Kaimai Dairy Ingredients"; other names as they are."""
    tail = _LEGAL_FORM_END.search(name)
    return name[: tail.start()] if tail and tail.start() > 0 else name


def short_company_name(name: str) -> str | None:
    """A company's name without its legal form, normalised ("kaimai dairy
    ingredients" for "Kaimai Dairy Ingredients Ltd"); None for a name that ends in none."""
    bare = normalise_name(without_legal_form(name))
    return bare if bare and bare != normalise_name(name) else None


# Abbreviations after which a full stop does not end a sentence.
_NO_BREAK = frozenset({"mr", "mrs", "ms", "dr", "st", "co", "prof", "gen", "lt", "col", "no", "jr", "sr",
                       "messrs", "corp", "vs", "sp"})
# Words that name a ministry's or chamber's portfolio: "Ministry of Trade,
# Industry and Energy", "Chamber of Commerce, Industry and Crafts".
PORTFOLIO_WORDS = frozenset({
    "industry", "industries", "energy", "crafts", "handicrafts", "trade", "agriculture", "tourism",
    "investment", "investments", "development", "planning", "finance", "economy", "transport",
    "communications", "mines", "mining", "labour", "labor", "infrastructure", "innovation",
    "technology", "science", "education", "health", "environment", "commerce", "fisheries",
    "forestry", "culture", "construction", "services", "entrepreneurship", "integration", "shipping",
    "employment", "resources", "food", "water", "digital", "cooperation", "co-operation", "affairs",
})


@dataclass(slots=True)
class NameSpan:
    start: int
    end: int
    text: str
    type: str  # Organization / Event
    kind: str | None = None
    acronym: str | None = None  # "(PTABF)" right after the name


def _words(name: str) -> list[str]:
    return name.split()


# The tests on a name's words below are pure functions of the name, and every
# pass (shape names, mentions, clustering, countries, the learned stage) asks
# them again of the same names: they are cached.
@lru_cache(maxsize=1 << 14)
def name_head(name: str) -> str:
    """The head word of a name: the last word before the first "of"/"for"/
    "on"/"in" ("Ministry of Economy of Belarus" -> "Ministry")."""
    words = _words(name)
    for i, w in enumerate(words):
        if i > 0 and w.lower() in ("of", "for", "on", "in", "at"):
            return words[i - 1].strip("“”\"(),")
    return words[-1].strip("“”\"(),") if words else ""


@lru_cache(maxsize=1 << 14)
def org_kind(name: str) -> str | None:
    """The organisation kind a name's words give, or None if the name does
    not look like an organisation."""
    low = name.lower()
    words = [w.strip("“”\"(),").lower() for w in _words(name)]
    if not words:
        return None
    head = name_head(name).lower()
    if "news agency" in low or "news service" in low:
        return "media"
    if "high commission" in low or "consulate" in low or "embassy" in low or "trade representation" in low:
        return "diplomatic"
    # "Penang Development Corporation": a public development body.
    if head == "corporation" and "development" in low:
        return "agency"
    if words[-1] in LEGAL_SUFFIXES:
        return "enterprise"
    if head in ("centre", "center"):
        if any(h in low for h in _CENTRE_PARK_HINTS):
            return "park"
        if any(h in low for h in _CENTRE_AGENCY_HINTS):
            return "agency"
        return "other"
    if head in ("zone", "park", "estate", "hub", "area") and any(h in low for h in _PARK_HINTS):
        return "park"
    # "Polish Trade Office in Nairobi": a country's trade post abroad.
    if head in ("office", "section", "representation") and re.search(
            r"\b(?:trade|commercial|economic)\b.*\bin\s+[A-Z]", name, re.IGNORECASE) and " of the " not in low:
        return "diplomatic"
    if head in ("commission", "committee", "bureau", "department", "office", "administration"):
        if any(h in low for h in _COMMERCE_HINTS):
            return "commission"
        return ORG_HEADS.get(head, "agency")
    # "Port of Rotterdam Authority": a body word at the end outranks a vague head.
    if ORG_HEADS.get(head) == "other" and words[-1] in ORG_HEADS and ORG_HEADS[words[-1]] != "other":
        return ORG_HEADS[words[-1]]
    if head in ORG_HEADS:
        return ORG_HEADS[head]
    if head.lower() in LEGAL_SUFFIXES:
        return "enterprise"
    for i, w in reversed(list(enumerate(words))):
        if w in ORG_HEADS and w not in ("post", "oil", "steel", "auto", "service", "forum", "port",
                                        "union", "community", "government", "petroleum", "bank"):
            if i == 0 and w in ("park", "hall", "house") and len(words) > 1:
                continue  # "Park Ji-hoon": a family name, not a park
            return ORG_HEADS[w]
    return None


@lru_cache(maxsize=1 << 14)
def is_event_name(name: str) -> bool:
    head = name_head(name).lower()
    words = [w.strip("“”\"(),").lower() for w in _words(name)]
    if head in _DAY_HEADS or words and words[-1] in _DAY_HEADS:
        # "Vietnam Coffee Day" is an event; "Day 1", "National Day" are dates.
        return len(words) >= 3
    if head in EVENT_HEADS:
        return True
    return bool(words) and words[-1] in EVENT_HEADS


_DAY_HEADS = frozenset({"day", "days"})


_BASED_LEAD = re.compile(r"(?:[A-Z][\w.'’]*\s+){0,3}[A-Z][\w.'’]*-based\s+")
# The patterns below run on every name candidate of every report: compiled
# once here rather than looked up in re's cache on each call.
_PLACE_IN_PARENS_END = re.compile(r"\s*\(([A-Z][\w ]{0,30})\)$")
_FIRST_WORD = re.compile(r"(\S+)\s+")
_LAST_WORD = re.compile(r"\s+(\S+)$")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading openers ("The", "During"), glued dates, trailing
    connectors and full stops."""
    # The answer depends on the candidate's own characters only, and a
    # report repeats its names: cached on them.
    lead, tail = _trimmed(text[start:end])
    return start + lead, start + tail


@lru_cache(maxsize=1 << 14)
def _trimmed(text: str) -> tuple[int, int]:
    """``_trim`` on a candidate alone: its kept span's offsets."""
    start, end = 0, len(text)
    while start < end and text[start].isspace():
        start += 1
    m0 = _DATE_HEAD.match(text[start:end])
    if m0:
        start += m0.end()
    m1 = _DATE_TAIL.search(text[start:end])
    if m1:
        end = start + m1.start()
    # "Highland Bean Export JSC (Buon Ma Thuot)": a place in parentheses says
    # where the body is; it is not part of the name.
    paren = _PLACE_IN_PARENS_END.search(text[start:end])
    if paren and not paren.group(1).isupper() and find_place(paren.group(1)) is not None:
        end = start + paren.start()
    while end > start and text[end - 1] in ".,;:":
        # "Co., Ltd." keeps the full stop of its abbreviation.
        last = text[start:end].split()[-1].lower() if text[start:end].split() else ""
        if text[end - 1] == "." and last in LEGAL_SUFFIXES and len(text[start:end].split()) > 1:
            break
        end -= 1
    while True:
        seg = text[start:end]
        # "the Lyon-based Rhone Valley Chamber": where the body is, not its name.
        based = _BASED_LEAD.match(seg)
        if based:
            start += based.end()
            continue
        m = _FIRST_WORD.match(seg)
        if m and m.group(1).lower() in _LEADING:
            start += m.end()
            continue
        break
    while True:
        seg = text[start:end]
        m = _LAST_WORD.search(seg)
        if m and m.group(1).lower() in _TRAILING:
            end = start + m.start()
            continue
        break
    return start, end


_NAME_PAIRS = frozenset({"import export", "export import", "research development", "oil gas", "trade investment",
                         "trade industry", "commerce industry", "industry trade", "industry commerce",
                         "science technology", "trade development", "investment development"})


_AND = re.compile(r"\s+and\s+")


def _split_conjoined(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """"Changan Auto and TAIJI Group" is two names; "China and Belarus
    Exhibition" and "Post and Telecommunication Administration Bureau" are
    one. Split at an "and" before the first "of" when both sides have two
    or more words."""
    seg = text[start:end]
    first_of = seg.find(" of ")
    for m in _AND.finditer(seg):
        left, right = seg[: m.start()], seg[m.end():]
        fresh_np = right.startswith("the ") or left.endswith(("”", '"'))
        if first_of != -1 and m.start() > first_of and not right.startswith("the "):
            continue
        # "Machinery Import and Export Corp": a fixed pair inside one name.
        if (left.split() and right.split() and not fresh_np
                and f"{left.split()[-1].lower()} {right.split()[0].lower()}" in _NAME_PAIRS):
            continue
        # Both sides must be names in their own right: "Swedish Trade and
        # Invest Council" stays one.
        left_is_name = org_kind(left) is not None or is_event_name(left)
        # "KTZ Express and Ekibastuz Power Engineering LLP": the legal form
        # closes the right-hand company only.
        if (right.split()[-1].lower() in LEGAL_SUFFIXES and left.split()[-1].lower() not in LEGAL_SUFFIXES
                and len(left.split()) >= 2 and len(right.split()) >= 2
                and all(w[:1].isupper() for w in left.split())):
            return [(start, start + m.start()), *_split_conjoined(text, start + m.end(), end)]
        if fresh_np or left_is_name and len(left.split()) >= 2 and len(right.split()) >= 2:
            return [(start, start + m.start()), *_split_conjoined(text, start + m.end(), end)]
    return [(start, end)]


_LEGAL_FORM_OF = re.compile(r"\s(?:Ltd|Inc|LLC|LLP|JSC|CJSC|OJSC|GmbH|AG|Bhd|UAB|PLC)\.?(\s+of\s+)[A-Z]")
_IN_OR_AT = re.compile(r"\s+(?:in|at)\s+")
_POST_ABROAD = re.compile(r"consulate|embassy|representation|office", re.IGNORECASE)


def _cut_location_tail(text: str, start: int, end: int) -> int:
    """Keep "Consulate General of Belarus in Chongqing" whole, but cut "in
    Minsk" off anything that is not a diplomatic post."""
    return start + _location_tail_cut(text[start:end])


@lru_cache(maxsize=1 << 14)  # as _trimmed: a function of the candidate's characters
def _location_tail_cut(seg: str) -> int:
    """Where ``_cut_location_tail`` ends a candidate, as an offset in it."""
    # "Ararat Cargo CJSC of Yerevan": a legal form closes a company's name.
    lm = _LEGAL_FORM_OF.search(seg)
    if lm:
        return lm.start(1)
    m = _IN_OR_AT.search(seg)
    if m is None:
        return len(seg)
    if _POST_ABROAD.search(seg[: m.start()]):
        return len(seg)
    return m.start()


# Words of a post or a publication before "of": "Director of Trade of the Port
# of Rotterdam Authority", "Newsletter of the X Chamber" name the body after it.
_POST_WORDS = frozenset({
    "director", "president", "minister", "ambassador", "chairman", "chairwoman", "chair", "secretary",
    "head", "manager", "ceo", "governor", "mayor", "consul", "deputy", "vice", "executive", "general",
    "officer", "commissioner", "adviser", "advisor", "counsellor", "representative", "founder",
    "chief", "principal", "envoy", "attaché", "spokesman", "spokeswoman", "spokesperson", "undersecretary",
    "under-secretary", "newsletter", "bulletin", "statement", "note", "release", "report", "issue", "edition",
})


_POST_AFTER = re.compile(r",\s+(?:the\s+)?(?:[A-Za-z-]+\s+){0,3}?(?i:" + "|".join(sorted(_POST_WORDS - {
    "newsletter", "bulletin", "statement", "note", "release", "report", "issue", "edition", "general"})) + r")\b")


def _person_shaped(words: str) -> bool:
    """Two or three capitalised words, none a body, post, event or place word."""
    parts = words.split()
    if not 2 <= len(parts) <= 3 or not all(re.fullmatch(r"[A-Z][a-z\u00e0-\u017f][\w’'-]*", w) for w in parts):
        return False
    low = {w.lower() for w in parts}
    if low & set(ORG_HEADS) or low & EVENT_HEADS or low & _POST_WORDS:
        return False
    return find_place(words) is None and not any(demonym_country(w) or country_code(w) for w in parts)


_OF = re.compile(r"\s+of\s+")
_OF_THE = re.compile(r"\s+of\s+(?:the\s+)?")


@lru_cache(maxsize=1 << 14)
def _body_after_post(name: str) -> int | None:
    """Where the body's own name starts in "<post or publication> of <body>",
    0 when the name is a body's from its start, None when it is a post with
    no body ("Consul General")."""
    first = _OF.search(name)
    prefix = name[: first.start()] if first else name
    if first and _person_shaped(prefix):
        # "Ingrid Solberg of Bergen Marine Pumps AS": a person of a body.
        rest = name[first.end():]
        last = rest.split()[-1].lower() if rest.split() else ""
        if name_head(rest).lower() in ORG_HEADS or last in LEGAL_SUFFIXES:
            return first.end() + (4 if rest.startswith("the ") else 0)
    if not any(w.strip(".,").lower() in _POST_WORDS for w in prefix.split()):
        return 0
    for m in _OF_THE.finditer(name):
        rest = name[m.end():]
        own = _OF.split(rest, maxsplit=1)[0]
        if own != rest and not any(w.lower() in ORG_HEADS or w.lower() in EVENT_HEADS for w in own.split()):
            # "Undersecretary of State Anna X of the Ministry of Y": "State
            # Anna X" is no body's name; the body starts after the next "of".
            continue
        if rest[:1].isupper() and (name_head(rest).lower() in ORG_HEADS or name_head(rest).lower() in EVENT_HEADS
                                   or " of " not in rest and rest.split()[-1].lower() in LEGAL_SUFFIXES):
            return m.end()
    if name_head(name).lower() in _POST_WORDS and org_kind(name) != "diplomatic":
        return None
    return 0


_FULL_STOP = re.compile(r"(\S+)\.[ \t\n]+(?=\S)")
_INITIALS = re.compile(r"(?:[A-Z]\.)*[A-Z]")
_LEGAL_FORM_NEXT = re.compile(r"\s*(?:Ltd|Inc|Limited)")


def _sentence_pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A shape match cut at sentence ends: "... Chamber of Entrepreneurs.
    Aigerim Sadykova" is a name and the start of the next sentence. A full
    stop after an initial or a title abbreviation ("Mr.", "U.S.") does not
    end a sentence; one after a legal form ("Ltd.") does, since the legal
    form closes the name."""
    pieces = []
    cur = start
    for m in _FULL_STOP.finditer(text[start:end]):
        word = m.group(1).strip("“”\"(),")
        low = word.lower()
        if low in _NO_BREAK and low not in ("co", "corp"):
            continue
        if low + "." not in LEGAL_SUFFIXES and _INITIALS.fullmatch(word):
            continue
        if low in ("co", "corp") and _LEGAL_FORM_NEXT.match(text, start + m.end()):
            continue
        cut = start + m.start(1) + len(m.group(1)) + 1
        pieces.append((cur, cut))
        cur = start + m.end()
    pieces.append((cur, end))
    return pieces


def _merge_portfolios(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """"Ministry of Trade" + ", " + "Industry and Energy of the Republic of
    Korea" is one name: the comma joins portfolio words."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out:
            ps, pe = out[-1]
            gap = text[pe:s]
            # "Trade and Handicrafts (UTICA)": the acronym is no portfolio word.
            words = [w for w in text[s:e].split() if not w.startswith("(")]
            upto = words[: words.index("of")] if "of" in words else words
            if (gap.strip() == "," and " of " in text[ps:pe] and "and" in upto
                    and all(w.lower() in PORTFOLIO_WORDS or w == "and" for w in upto)):
                out[-1] = (ps, e)
                continue
        out.append((s, e))
    return out


_SPACED_DASH = re.compile(r"[ \t]+[-–—][ \t]+")


def _split_dash(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """"Chongqing Municipal Commission of Commerce - Trade Promotion News" is
    a body and a byline; "Chongqing Global Trade – Chongqing Export
    Commodities Exhibition" is one event. Split at a spaced dash when the
    left side is an organisation's name on its own."""
    seg = text[start:end]
    for m in _SPACED_DASH.finditer(seg):
        left = seg[: m.start()]
        if org_kind(left) is not None and not is_event_name(left) and len(left.split()) >= 2:
            return [(start, start + m.start()), *_split_dash(text, start + m.end(), end)]
    return [(start, end)]


_DATE_GAP = re.compile(rf"\s+(?:on|in|at|of|from|since|until|for)\s+(?:{_MONTHS}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTHS}"
                       rf"|{_MONTHS}|{_WEEKDAYS}|\d[\d,.]*)(?:,?\s+\d{{4}})?(?=\s|$)")


def _split_dates(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """"Kenya Association of Manufacturers on Tuesday at the Expo": a date
    or number between two names separates them."""
    return split_at(_DATE_GAP, text, start, end)


def split_at(gap: re.Pattern[str], text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The non-empty pieces of ``text[start:end]`` between matches of ``gap``."""
    pieces = []
    cur = start
    for m in gap.finditer(text, start, end):
        pieces.append((cur, m.start()))
        cur = m.end()
    pieces.append((cur, end))
    return [(a, b) for a, b in pieces if b > a]


_ABBREVIATED_LEGAL_END = re.compile(r"\b(?:Co|Corp|Holdings|Ltd)\.?$")
_ACRONYM_END = re.compile(r"\s*\(([A-Z][A-Za-z&.-]{1,14}(?: [A-Z][a-z]{2,14})?)\)$")
_BRACKETED_NOT_ACRONYM = re.compile(rf"{_MONTHS}(?: \d+)?|([A-Z][a-z]+) \1")
_ENDS_IN_YEAR = re.compile(r"[A-Za-z]\s+(?:19|20)\d\d$")


def find_names(text: str) -> list[NameSpan]:
    """Organisation and event names in ``text`` (the prepared report text),
    by shape. ALL-CAPS headline lines are skipped: their capitals say
    nothing about names."""
    out: list[NameSpan] = []
    caps_ranges = []
    pos = 0
    for line in text.split("\n"):
        if is_caps_line(line):
            caps_ranges.append((pos, pos + len(line)))
        pos += len(line) + 1

    caps_starts = [a for a, _ in caps_ranges]

    def in_caps(i: int) -> bool:
        # The lines are in order and apart: only the last one starting at or before i can hold it.
        k = bisect_right(caps_starts, i) - 1
        return k >= 0 and i < caps_ranges[k][1]

    raw: list[tuple[int, int]] = []
    for m in NAME_RE.finditer(text):
        if in_caps(m.start()):
            continue
        for ps, pe in _sentence_pieces(text, m.start(), m.end()):
            for ds, de in _split_dates(text, ps, pe):
                raw.extend(_split_dash(text, ds, de))
    # "Yuxin Precision Gearbox Co., Ltd.": the legal form after a comma.
    extended: list[tuple[int, int]] = []
    for s0, e0 in raw:
        if extended and s0 < extended[-1][1]:
            continue
        if _ABBREVIATED_LEGAL_END.search(text[s0:e0]):
            lt = _LEGAL_TAIL.match(text, e0)
            if lt and lt.end() > e0:
                e0 = lt.end()
        extended.append((s0, e0))
    for s0, e0 in _merge_portfolios(text, extended):
        s, e = _trim(text, s0, e0)
        if e <= s:
            continue
        # "in" may join a diplomatic post to its city; never anything else.
        e = _cut_location_tail(text, s, e)
        for ps, pe in _split_conjoined(text, s, e):
            pe = _cut_location_tail(text, ps, pe)
            ps, pe = _trim(text, ps, pe)
            if pe <= ps:
                continue
            name = text[ps:pe]
            # Possessives belong to the owner, not the name.
            if name.endswith(("’s", "'s")):
                continue
            acronym = None
            # "(SIPB)", "(APEX Peru)": an acronym, perhaps with its country.
            tail = _ACRONYM_END.search(name)
            place = find_place(tail.group(1)) if tail else None
            # "(UTICA)" in capitals is an acronym, even where a town has that name.
            if tail and (place is None or tail.group(1).isupper() and place.kind != "country"):
                # "(June)", "(Wagga Wagga)": a month or a town in brackets is no acronym.
                if not _BRACKETED_NOT_ACRONYM.fullmatch(tail.group(1)):
                    acronym = tail.group(1)
                pe = ps + tail.start()
                name = text[ps:pe]
            cut = _body_after_post(name)
            if cut is None:
                continue
            if cut:
                ps += cut
                name = text[ps:pe]
            if name.startswith(("“", '"')) and name.endswith(("”", '"')) and name[1:2].isupper():
                out.append(NameSpan(ps, pe, name, "Program"))
                continue
            if is_event_name(name):
                stem = name.rsplit(None, 1)[0] if " " in name else ""
                # "the Kazakh exhibition" names no event.
                if name.split()[-1].islower() and (
                        not re.match(r"[A-Z]", stem)
                        or len(stem.split()) == 1 and (demonym_country(stem) or find_place(stem))):
                    continue
                out.append(NameSpan(ps, pe, name, "Event", acronym=acronym))
                continue
            kind = org_kind(name)
            if (kind is None and _ENDS_IN_YEAR.search(name)
                    and not re.search(_MONTHS, name)):
                out.append(NameSpan(ps, pe, name, "Event", acronym=acronym))
                continue
            if kind is None or len(name.split()) < 2 and kind not in ("media",):
                continue
            # "Park Ji-hoon, Executive Vice President of ...": a name whose
            # body word is not its head, followed by a post, is a person's.
            last = name.split()[-1].lower()
            if (name_head(name).lower() not in ORG_HEADS and last not in LEGAL_SUFFIXES
                    and _POST_AFTER.match(text, pe)):
                continue
            # "Belarus Ministry" fine; a bare place is not an organisation.
            if find_place(name) is not None:
                continue
            out.append(NameSpan(ps, pe, name, "Organization", kind, acronym))
    for m in JOINT_BODY_RE.finditer(text):
        if in_caps(m.start()):
            continue
        out.append(NameSpan(m.start(), m.end(), m.group(0), "Organization", "commission"))
    out.sort(key=lambda n: (n.start, -n.end))
    # Overlaps: the first, longest name wins.
    kept: list[NameSpan] = []
    for n in out:
        if kept and n.start < kept[-1].end:
            continue
        kept.append(n)
    return kept


# A city named inside an organisation's name says where it is only when it
# is a real city, not a village that shares a word ("Center", "Union").
NAME_CITY_MIN_POPULATION = 100_000
# A city's other spelling in a name counts outside its country's reports
# only for a metropolis ("Saigon", "Peking").
NAME_ALTERNATE_MIN_POPULATION = 1_000_000


_NAME_CHUNK = re.compile(r"[A-Z][\w’'-]*(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w’'-]*)*")
_HYPHEN = re.compile(r"[-–]")


# Country abbreviations written with full stops, which would cut a name into
# letters ("U.S. Commerce Department"): read without them. Only these: other
# dotted initials are people's ("J.P. Morgan" is not in Japan).
_DOTTED_COUNTRY = re.compile(r"\bU\.(?:S\.(?:A\.)?|K\.|A\.E\.)")


def _name_chunks(name: str) -> list[str]:
    return _NAME_CHUNK.findall(_DOTTED_COUNTRY.sub(lambda m: m[0].replace(".", ""), name))


def name_countries(name: str) -> list[str]:
    """Every country a name names by country name or nationality word, in
    order: "China-Belarus Industrial Park" -> CN, BY."""
    return list(_name_countries(name))


# A report names the same bodies again and again, and several passes
# (mentions, clustering, countries) look each name up: read it once.
@lru_cache(maxsize=1 << 14)
def _name_countries(name: str) -> tuple[str, ...]:
    codes: list[str] = []
    # In a name written in capitals a code cannot be told from a word
    # ("CHAMBER OF COMMERCE AND INDUSTRY"): only "US" is read as one.
    capitals = not any(c.islower() for c in name)
    for chunk in _name_chunks(name):
        words = chunk.split()
        taken = [False] * len(words)
        # Longest window first: "Republic of Korea" before "Korea".
        for size in range(len(words), 0, -1):
            for i in range(len(words) - size + 1):
                if any(taken[i:i + size]):
                    continue
                # The window's first and last words, tested before it is joined.
                if words[i] in ("of", "the") or words[i + size - 1] in ("of", "the"):
                    continue
                window = " ".join(words[i:i + size])
                # A hyphenated word names each of its parts: "China-Belarus".
                parts = [window] if size > 1 else [window, *_HYPHEN.split(window)]
                found = []
                for part in parts:
                    part = part.strip("“”\"")
                    code = (country_code(part, codes=not capitals or part == "US")
                            or demonym_country(part)) if part else None
                    if code:
                        found.append(code)
                        if part == window:
                            break
                if found:
                    taken[i:i + size] = [True] * size
                    codes += found
    seen: list[str] = []
    for c in codes:
        if c not in seen:
            seen.append(c)
    return tuple(seen)


def name_place_countries(name: str, countries: Collection[str] | None = None) -> list[str]:
    """Countries of the real cities and regions a name carries
    ("Chongqing Municipal Commission" -> CN), read in the report's context:
    an obscure homonym ("Gulf", "Delta", "Eastern") counts only in a report
    that names its country."""
    return list(_name_place_countries(name, None if countries is None else frozenset(countries)))


@lru_cache(maxsize=1 << 14)  # as _name_countries; the report's countries are part of the key
def _name_place_countries(name: str, countries: frozenset[str] | None) -> tuple[str, ...]:
    codes: list[str] = []
    for chunk in _name_chunks(name):
        words = [p for w in chunk.split() for p in _HYPHEN.split(w.strip("“”\""))]
        for size in (3, 2, 1):
            for i in range(len(words) - size + 1):
                window = " ".join(words[i:i + size])
                if len(window) <= 3 or not window[:1].isupper() or window.split()[0] in ("of", "the"):
                    continue
                place = find_place(window, countries)
                if place is None or place.kind == "country":
                    continue
                in_context = bool(countries) and place.country in (countries or ())
                if window.casefold() in BRAND_LIKE_PLACE_NAMES and not in_context:
                    continue
                # "Agro" is a spelling of Agra; "Saigon" is Ho Chi Minh City.
                if place.alternate and not in_context and (
                        place.population < NAME_ALTERNATE_MIN_POPULATION or len(window) < 5):
                    continue
                prominent = place.kind == "region" or place.population >= NAME_CITY_MIN_POPULATION
                if (prominent or in_context) and place.country not in codes:
                    codes.append(place.country)
    return tuple(codes)


# Legal forms used in few countries: weak evidence of where a company is,
# read only against the countries the report names.
_LEGAL_FORM_COUNTRIES: dict[str, tuple[str, ...]] = {
    "llp": ("KZ", "GB", "US", "IN"), "too": ("KZ",), "sp. z o.o.": ("PL",), "z o.o.": ("PL",),
    "s.a.": ("PL", "ES", "FR", "BR", "AR", "BE", "LU", "CH", "PT", "CL", "PE", "MX", "CO", "GR"),
    "gmbh": ("DE", "AT", "CH"), "ag": ("DE", "AT", "CH"), "ojsc": ("BY", "RU", "KZ", "UA"),
    "cjsc": ("AM", "RU", "BY", "KG"), "ltda": ("BR", "PT", "CO"), "ltda.": ("BR", "PT", "CO"),
    "s.r.o.": ("CZ", "SK"), "kft": ("HU",), "kft.": ("HU",), "zrt": ("HU",), "uab": ("LT",),
    "oy": ("FI",), "oyj": ("FI",), "ab": ("SE",), "asa": ("NO",), "a/s": ("DK", "NO"), "bv": ("NL",),
    "b.v.": ("NL",), "fze": ("AE",), "fzco": ("AE",), "s.a.c.": ("PE",), "sae": ("EG",), "s.a.e.": ("EG",),
    "bhd": ("MY",), "berhad": ("MY",), "pte": ("SG",), "tbk": ("ID",), "d.o.o.": ("RS", "HR", "SI", "BA"),
    "co., ltd.": ("CN", "VN", "TH", "KR", "JP", "TW"), "jsc": ("KZ", "VN", "RU", "BY", "UZ", "AZ", "GE"),
}


_LEGAL_FORMS_LONGEST_FIRST = sorted(_LEGAL_FORM_COUNTRIES, key=len, reverse=True)


def legal_form_country(name: str, countries: Collection[str]) -> str | None:
    """The one country of the report's that a company's legal form fits
    ("Vistula Payments S.A." in a report on Kazakhstan and Poland -> PL)."""
    low = name.casefold()
    for form in _LEGAL_FORMS_LONGEST_FIRST:
        if low.endswith(" " + form) or low.endswith(form) and form.startswith("co"):
            fitting = [c for c in _LEGAL_FORM_COUNTRIES[form] if c in countries]
            return fitting[0] if len(fitting) == 1 else None
    return None


def name_country(name: str, countries: Collection[str] | None = None) -> str | None:
    """The country a name points to. A country or demonym in the name comes
    first ("Ministry of Economy of the Republic of Belarus" -> BY, "French
    Finance Ministry" -> FR), then a large city or a region in it
    ("Chongqing Municipal Commission" -> CN), read in the context of the
    ``countries`` the report names when given."""
    named = name_countries(name)
    if named:
        return named[0]
    places = name_place_countries(name, countries)
    return places[0] if places else None
