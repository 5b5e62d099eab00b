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
from dataclasses import dataclass

from graph.gazetteer import country_code, demonym_country, find_place
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
    "university": "other", "college": "other", "institute": "other", "academy": "other",
    "airport": "other", "foundation": "other", "school": "other", "hospital": "other",
    "community": "other", "organization": "other", "organisation": "other", "centre": "other",
    "center": "other", "port": "other", "fund": "other", "programme": "other",
}
EVENT_HEADS = frozenset({
    "exhibition", "exhibitions", "fair", "expo", "forum", "conference", "summit", "show",
    "festival", "symposium", "congress", "week", "ceremony", "convention", "roadshow",
    "road show", "meeting", "session", "games", "olympics", "biennale", "salon", "dialogue",
})
# Words that make a "Centre"/"Bureau"/"Office" a park or a commerce body.
_PARK_HINTS = ("cargo", "logistic", "distribution", "industrial", "free trade", "technology",
               "science", "economic", "trade", "business", "innovation", "export processing")
_COMMERCE_HINTS = ("commerce", "trade", "economic", "business", "investment", "foreign economic")

_CONNECT = r"(?:of|and|for|on|the|de|du|des|la|le|der|für|&|–|—|-|at|in)"
_CAP = r"(?:[A-Z0-9][\w’'.&/-]*[\w.]|[A-Z]|“[^”\n]{1,40}”|\"[A-Z][^\"\n]{0,40}\"|\([A-Z][\w ]{0,30}\))"
# Lower-case words that end a name of a park or a joint body.
_LOWER_TAIL = (r"(?:\s+(?:industrial|economic|technology|free\s+trade|special\s+economic|"
               r"science|high-tech|development|export\s+processing|logistics|bonded)\s+"
               r"(?:park|zone|area|district|estate))")
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
})
_TRAILING = frozenset({"of", "and", "for", "on", "the", "de", "du", "des", "la", "le", "der",
                       "&", "–", "—", "-", "at", "für", "in"})
_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
# A dateline or date glued to the front or back of a name.
_DATE_HEAD = re.compile(rf"^{_MONTHS}\s+\d{{1,2}}\s*[-–—]?\s*")
_DATE_TAIL = re.compile(rf"\s+(?:on|in|at|of|from|since|until)\s+(?:{_MONTHS}|\d).*$")
LEGAL_SUFFIXES = frozenset({"ltd", "ltd.", "limited", "co", "co.", "corp", "corp.", "inc", "inc.",
                            "llc", "plc", "ag", "gmbh", "jsc", "ojsc", "pjsc", "llp", "corporation"})


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


def name_head(name: str) -> str:
    """The head word of a name: the last word before the first "of"/"for"/
    "on"/"in" ("Ministry of Economy of Belarus" -> "Ministry")."""
    words = _words(name)
    for i, w in enumerate(words):
        if i > 0 and w.lower() in ("of", "for", "on", "in", "at"):
            return words[i - 1].strip("“”\"(),")
    return words[-1].strip("“”\"(),") if words else ""


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
    if words[-1] in LEGAL_SUFFIXES:
        return "enterprise"
    if head in ("centre", "center", "zone", "park", "estate", "hub", "area") and any(h in low for h in _PARK_HINTS):
        return "park"
    if head in ("commission", "committee", "bureau", "department", "office", "administration"):
        if any(h in low for h in _COMMERCE_HINTS):
            return "commission"
        return ORG_HEADS.get(head, "agency")
    if head in ORG_HEADS:
        return ORG_HEADS[head]
    for w in reversed(words):
        if w in ORG_HEADS and w not in ("post", "oil", "steel", "auto", "service", "forum", "port",
                                        "union", "community", "government", "petroleum", "bank"):
            return ORG_HEADS[w]
    return None


def is_event_name(name: str) -> bool:
    head = name_head(name).lower()
    if head in EVENT_HEADS:
        return True
    words = [w.strip("“”\"(),").lower() for w in _words(name)]
    return bool(words) and words[-1] in EVENT_HEADS


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading openers ("The", "During"), glued dates, trailing
    connectors and full stops."""
    m0 = _DATE_HEAD.match(text[start:end])
    if m0:
        start += m0.end()
    m1 = _DATE_TAIL.search(text[start:end])
    if m1:
        end = start + m1.start()
    while end > start and text[end - 1] in ".,;:":
        end -= 1
    while True:
        seg = text[start:end]
        m = re.match(r"(\S+)\s+", seg)
        if m and m.group(1).lower() in _LEADING:
            start += m.end()
            continue
        break
    while True:
        seg = text[start:end]
        m = re.search(r"\s+(\S+)$", seg)
        if m and m.group(1).lower() in _TRAILING:
            end = start + m.start()
            continue
        break
    return start, end


def _split_conjoined(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """"Changan Auto and TAIJI Group" is two names; "China and Belarus
    Exhibition" and "Post and Telecommunication Administration Bureau" are
    one. Split at an "and" before the first "of" when both sides have two
    or more words."""
    seg = text[start:end]
    first_of = seg.find(" of ")
    for m in re.finditer(r"\s+and\s+", seg):
        if first_of != -1 and m.start() > first_of:
            break
        left, right = seg[: m.start()], seg[m.end():]
        fresh_np = right.startswith("the ") or left.endswith(("”", '"'))
        # Both sides must be names in their own right: "Swedish Trade and
        # Invest Council" stays one.
        left_is_name = org_kind(left) is not None or is_event_name(left)
        if fresh_np or left_is_name and len(left.split()) >= 2 and len(right.split()) >= 2:
            return [(start, start + m.start()), *_split_conjoined(text, start + m.end(), end)]
    return [(start, end)]


def _cut_location_tail(text: str, start: int, end: int) -> int:
    """Keep "Consulate General of Belarus in Chongqing" whole, but cut "in
    Minsk" off anything that is not a diplomatic post."""
    seg = text[start:end]
    m = re.search(r"\s+(?:in|at)\s+", seg)
    if m is None:
        return end
    if re.search(r"consulate|embassy|representation|office", seg[: m.start()], re.IGNORECASE):
        return end
    return start + m.start()


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

    def in_caps(i: int) -> bool:
        return any(a <= i < b for a, b in caps_ranges)

    for m in NAME_RE.finditer(text):
        if in_caps(m.start()):
            continue
        s, e = _trim(text, m.start(), m.end())
        if e <= s:
            continue
        # "in" may join a diplomatic post to its city; never anything else.
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
            tail = re.search(r"\s*\(([A-Z][A-Z&.]{1,9})\)$", name)
            if tail:
                acronym = tail.group(1)
                pe = ps + tail.start()
                name = text[ps:pe]
            if name.startswith(("“", '"')) and name.endswith(("”", '"')) and name[1:2].isupper():
                out.append(NameSpan(ps, pe, name, "Program"))
                continue
            if is_event_name(name):
                out.append(NameSpan(ps, pe, name, "Event", acronym=acronym))
                continue
            kind = org_kind(name)
            if kind is None or len(name.split()) < 2 and kind not in ("media",):
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


def name_country(name: str) -> str | None:
    """The country a name points to: a country, demonym or known place in
    it ("Ministry of Economy of Belarus", "French Finance Ministry",
    "Chongqing Municipal Commission")."""
    for w in re.findall(r"[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)?", name):
        for cand in (w, w.split()[0]):
            for part in re.split(r"[-–]", cand):
                part = part.strip("“”\"")
                if not part:
                    continue
                code = country_code(part) or demonym_country(part)
                if code:
                    return code
                place = find_place(part)
                if place is not None and place.kind != "country" and len(part) > 3:
                    return place.country
    return None
