"""IN_SECTOR from the ways trade reports say what a body or a trip is about.

The verb frames in ``relations`` ("is engaged in", "produces") catch only a
few of them. Reports mostly describe instead:

- an apposition or copula after a name: "Steppe Motors LLP, an Almaty parts
  distributor," / "X is a Minsk-based maker of tractors";
- a description before a name: "the Uzbek power grid company X";
- an industry in parentheses after a listed member: "X (dairy products)";
- modifiers of a delegation: "an agribusiness delegation", "a delegation of
  twenty-six enterprises working in auto parts and logistics", "a trade
  mission of electronics component makers";
- the members a group brings: "brought together eleven companies from the
  automotive and machinery industries", "included manufacturers of tractors".

Each fact's evidence is the sentence that states it. A name that contains an
industry term ("Samarkand Agro Machinery JSC") gives a weaker fact (0.6; 0.5
for a ministry), and only when no description states the body's industry:
"Tisza Poultry Kft. (poultry processing)" processes food, whatever the name
suggests.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.tokens import Span, Token

from graph.ontology import EVENT, IN_SECTOR, MISSION, ORGANIZATION
from graph.sectors import find_sectors
from ingest.nlp import BULLET_MARK
from ingest.relations import (
    FIRM_NOUNS,
    SECTOR_VERBS,
    Context,
    conjuncts,
    is_future,
    real_mentions,
    sector_entity,
)

# Bodies that govern or regulate rather than trade: their name's portfolio is
# a sector only when it is one industry ("Ministry of Agriculture"), never
# when it is the economy at large ("Ministry of Trade, Industry and Energy").
GOVERNING_KINDS = frozenset({"ministry", "commission", "agency"})
_GENERAL_PORTFOLIO = re.compile(r"\b(?:trade|commerce|industry|industries|economy|economic|investment|"
                                r"development|integration|finance|planning|affairs|exports?)\b", re.IGNORECASE)
# Words that are industries in running text but not in a name ("Gulf Leaf
# Trading LLC" trades tea; "Krakow Technology Park" is not about design).
_NAME_NOISE = frozenset({"trading", "design", "security", "it", "ai", "travel", "arts", "sport", "credit",
                         "universities", "schools", "property", "distribution", "storage", "research",
                         "training", "post", "postal", "power"})


_RESEARCH_BODY = re.compile(r"\bresearch\s+(?:institute|centre|center|council)|\bacademy\s+of\s+sciences?\b"
                            r"|\binstitute\s+of\s+(?:[\w-]+\s+){0,3}?sciences?\b", re.IGNORECASE)


def name_sectors(name: str, etype: str, kind: str | None) -> list[tuple[int, int, str]]:
    """Industry terms a name states about its bearer, as spans in ``name``.

    A company's term nearest the head says what it does ("Bursa Textile
    Machinery" makes machinery); a product term before Machines/Equipment/
    Systems is the machinery for it ("Baltic Dairy Systems"). Events keep
    every term ("Fair of Food and Beverages"). Embassies and media outlets
    have no sector; governing bodies only a single-industry portfolio;
    chambers and associations their members' industry ("Machinery Exporters
    Association"), never "commerce"."""
    if etype == ORGANIZATION and kind in ("media", "diplomatic"):
        return []
    research = _RESEARCH_BODY.search(name)
    if etype == ORGANIZATION and research:
        # "Kazakh Research Institute of Veterinary Science" does research
        # (72); its subject is not its trade.
        return [(research.start(), research.end(), "72")]
    terms = [t for t in find_sectors(name) if name[t[0]:t[1]].lower() not in _NAME_NOISE
             or name[t[0]:t[1]].lower() == "power" and kind == "enterprise"]
    if not terms:
        return []
    if etype == EVENT:
        return terms
    if kind in GOVERNING_KINDS:
        if _GENERAL_PORTFOLIO.search(name) or len({c for _s, _e, c in terms}) != 1:
            return []
        return terms[-1:]
    st, en, code = terms[-1]
    if re.match(r"\s+(?:Machines|Machinery|Equipment|Systems)\b", name[en:]):
        return [(st, en, "28")]
    return [terms[-1]]


# Nouns that say what kind of business or event something is; a description
# ending in one of them is about the thing's trade.
DESCRIBER_NOUNS = (
    "company", "firm", "maker", "manufacturer", "producer", "processor", "exporter", "importer",
    "distributor", "dealer", "dealership", "supplier", "wholesaler", "retailer", "trader", "operator",
    "carrier", "forwarder", "provider", "developer", "group", "holding", "conglomerate", "cooperative",
    "co-operative", "chain", "brand", "grower", "plant", "factory", "mill", "bank", "insurer", "airline",
    "enterprise", "business", "start-up", "startup", "house", "network", "exhibition", "fair", "show",
    "expo", "festival", "forum", "conference", "association", "federation", "union", "cluster",
    "park", "zone", "hub", "market", "specialist", "leader", "player", "investor", "builder",
    "shipbuilder", "farmer", "breeder", "miner", "refiner", "packer", "brewer", "utility", "shipyard",
    "fishery", "foundry", "mine", "refinery", "winery", "bakery", "dairy", "shipping line",
)
_DESCRIBER = "|".join(sorted(DESCRIBER_NOUNS, key=len, reverse=True))
_DESCRIBER_RE = re.compile(rf"\b(?:{_DESCRIBER})(?:s|es)?\b", re.IGNORECASE)
# ", an Almaty parts distributor," / " is a Minsk-based maker of tractors"
_AFTER_RE = re.compile(
    r"\.?(?:\s*\([^()\n]{1,40}\))?(?:,\s+|\s+(?:is|was|remains|has\s+been)\s+)(?:(?:also|now)\s+)?"
    # "X a.s., producer of freight wagons": list lines drop the article.
    r"(?P<d>(?:(?:an?|the|one\s+of\s+the)\s+|(?=(?:maker|manufacturer|producer|processor|exporter|importer|"
    r"distributor|supplier|grower|operator|developer|builder)s?\s+of\s))[^,;:()\n]{2,120}?)"
    r"(?=\s*[,;:()]|\.(?:\s|$)|$|\s+(?:which|that|who|whose|to|signed|said|worth|valued|with|since|"
    r"held|located|based|where|and\s+(?:the|a|an|[A-Z])))"
)
# "the Uzbek power grid company " right before a name.
_BEFORE_RE = re.compile(
    rf"\b(?:an?|the)\s+(?P<d>(?:[\w’'&-]+\s+){{0,4}}?(?:{_DESCRIBER})s?)\s+$", re.IGNORECASE)
# "X (auto parts)": a lower-case industry in parentheses after a name.
_PAREN_RE = re.compile(r"\.?\s*\((?P<d>[a-z][^()\n]{1,60})\)")
# A member's industry after a dash on its bullet line.
_DASH_RE = re.compile(r"[ \t]+[–—-][ \t]+(?P<d>[a-z][^\n]{1,80})")
_BULLET_START = re.compile(rf"(?:^|\n)[ \t]*(?:(?:{BULLET_MARK})[ \t]+)?$")
# Describer nouns that make an unsuffixed name a company ("Fergana Fruit Export, a producer of ...").
_COMPANY_NOUNS = re.compile(r"\b(?:company|firm|maker|manufacturer|producer|processor|exporter|importer|distributor|"
                            r"dealer|supplier|wholesaler|retailer|trader|carrier|forwarder|shipbuilder|grower|"
                            r"farmer|brand|conglomerate|airline|miner|refiner|brewer)s?\b", re.IGNORECASE)
# Plural nouns for the firms a group is made of.
MEMBER_NOUNS = frozenset({
    "company", "companies", "enterprise", "enterprises", "firm", "firms", "business", "businesses",
    "exporter", "exporters", "importer", "importers", "producer", "producers", "maker", "makers",
    "manufacturer", "manufacturers", "supplier", "suppliers", "processor", "processors",
    "distributor", "distributors", "dealer", "dealers", "trader", "traders", "representative",
    "representatives", "member", "members", "participant", "participants", "exhibitor", "exhibitors",
    "grower", "growers", "entrepreneur", "entrepreneurs", "startup", "startups", "start-ups",
    "house", "houses", "operator", "operators",
})
GROUP_VERBS = frozenset({"include", "comprise", "consist", "bring", "gather", "unite", "involve",
                         "feature", "represent", "attract"})


def described_sectors(desc: str) -> list[tuple[int, int, str]]:
    """Industry terms of a description that ends in a describer noun, read
    up to that noun and in its "of/for ..." complement ("maker of tractors",
    "fair for home textiles"); nothing when no describer noun is there."""
    noun = None
    for m in _DESCRIBER_RE.finditer(desc):
        noun = m
    if noun is None:
        return []
    end = noun.end()
    # "an importer specialising in tropical fruit", "a maker of tractors"
    tail = re.match(r"\s+(?:(?:specialis|specializ|work|operat|deal|trad)ing\s+in|active\s+in|of|for|in)\s+"
                    r"[^,;:]{1,60}?(?=\s+(?:in|at|from|based|held|located|with|since|who|which|that|to)\b|$)",
                    desc[end:])
    if tail:
        end += tail.end()
    # Weak words count here: "a German oil company" is about oil.
    return find_sectors(desc[:end])


def _descriptions(ctx: Context) -> None:
    text = ctx.text
    for e in ctx.entities:
        if e.type not in (ORGANIZATION, EVENT):
            continue
        for m in real_mentions(e):
            sent = _sentence(ctx, m.start, m.end)
            if sent is None:
                continue
            # The parser may end a sentence at "Kft." inside "Kft., a maker of";
            # a description runs to the end of its line at most.
            line_end = text.find("\n", m.end)
            limit = max(sent.end_char, line_end if line_end >= 0 else len(text))
            found: list[tuple[int, int, str, float]] = []
            said_to = sent.end_char
            readers: list[tuple[re.Pattern[str], float, Callable[[str], list[tuple[int, int, str]]]]] = [
                (_AFTER_RE, 0.8, described_sectors), (_PAREN_RE, 0.7, find_sectors)]
            if _BULLET_START.search(text, max(0, m.start - 6), m.start):
                # "– Aquatis a.s. – water treatment and wastewater plants"
                readers.append((_DASH_RE, 0.7, find_sectors))
            for rx, conf, read in readers:
                dm = rx.match(text, m.end, limit)
                if dm and rx is _AFTER_RE and e.kind == "other" and _COMPANY_NOUNS.search(dm.group("d")):
                    e.kind = "enterprise"  # the description says it is a company
                if dm and re.search(r"\b(?:arm|subsidiary|unit|division|affiliate)\s+of\b", dm.group("d")):
                    continue  # "the trading arm of the state oil company X" describes X
                if dm:
                    d0 = dm.start("d")
                    terms = [(d0 + s, d0 + t, c, conf) for s, t, c in read(dm.group("d"))]
                    found += terms
                    if terms:
                        said_to = max(said_to, dm.end())
            bm = _BEFORE_RE.search(text, sent.start_char, m.start)
            if bm and bm.end() == m.start:
                d0 = bm.start("d")
                found += [(d0 + s, d0 + t, c, 0.7) for s, t, c in described_sectors(bm.group("d"))]
            evidence = ctx.doc.char_span(sent.start_char, said_to, alignment_mode="expand") or sent
            for s, t, code, conf in found:
                ctx.add(IN_SECTOR, e.index, sector_entity(ctx, code, s, t), conf, evidence)


def _sentence(ctx: Context, start: int, end: int) -> Span | None:
    span = ctx.doc.char_span(start, end, alignment_mode="expand")
    return span.sent if span is not None else None


def _phrase_ranges(ctx: Context, tok: Token) -> list[tuple[int, int]]:
    """Character ranges of the noun phrase under ``tok``, leaving out clauses
    that say something else about it ("exporters led by the agency") but
    keeping those that say what it does ("enterprises working in X")."""
    skip: set[int] = set()
    for t in tok.subtree:
        if t.dep_ in ("acl", "relcl", "appos") and t.lemma_.lower() not in SECTOR_VERBS:
            skip.update(x.i for x in t.subtree)
    ranges: list[tuple[int, int]] = []
    for t in tok.subtree:
        if t.i in skip or ctx.ent(t) >= 0:
            continue
        s, e = t.idx, t.idx + len(t.text)
        if ranges and ranges[-1][1] >= s - 1:
            ranges[-1] = (ranges[-1][0], e)
        else:
            ranges.append((s, e))
    return ranges


def _terms_in(ctx: Context, ranges: list[tuple[int, int]], weak: bool) -> list[tuple[int, int, str]]:
    out = []
    for a, b in ranges:
        out += [(a + s, a + e, c) for s, e, c in find_sectors(ctx.text[a:b], weak=weak)]
    return out


def _not_this_trip(tok: Token) -> bool:
    """A planned trip, or one made earlier ("had led a food mission"), is
    another delegation than the one the report is about."""
    for v in [tok, *tok.ancestors]:
        if v.pos_ in ("VERB", "AUX"):
            if is_future(v) or any(c.dep_ == "aux" and c.lower_ == "had" for c in v.children):
                return True
            if v.dep_ not in ("xcomp", "conj", "acl", "relcl"):
                break
    return False


def _missions(ctx: Context) -> None:
    # Only the tokens of mission mentions (from the owner list: spaCy makes a
    # new Token on each access, and this runs for every report).
    owner = ctx.tok_ent
    for i in [i for i, e in enumerate(owner) if e >= 0 and ctx.entities[e].type == MISSION]:
        tok, e = ctx.doc[i], owner[i]
        # compare positions, not identity
        if ctx.ent(tok.head) == e and tok.head.i != tok.i:
            continue
        if _not_this_trip(tok):
            continue
        sent = tok.sent
        terms: list[tuple[int, int, str]] = []
        # "an agribusiness delegation", "a textile and garment delegation"
        for c in tok.children:
            if c.dep_ in ("amod", "compound", "nmod") and c.i < tok.i and ctx.ent(c) < 0:
                terms += _terms_in(ctx, [(c.left_edge.idx, c.idx + len(c.text))], weak=True)
                for cc in conjuncts(c)[1:]:
                    terms += _terms_in(ctx, [(cc.idx, cc.idx + len(cc.text))], weak=True)
        # "a delegation of food and grain exporters working in ..."
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in ("of", "from"):
                for p in c.children:
                    if p.dep_ == "pobj" and ctx.ent(p) < 0 and p.lower_ in MEMBER_NOUNS:
                        terms += _terms_in(ctx, _phrase_ranges(ctx, p), weak=True)
        for s, t, code in terms:
            ctx.add(IN_SECTOR, e, sector_entity(ctx, code, s, t), 0.75, sent)


def _firms_acting(ctx: Context) -> None:
    """"Fourteen Polish furniture companies exhibited at ...": firms acting
    as a subject are the report's one delegation (``Context.np_entities``),
    and their modifiers say its industry."""
    missions = [e.index for e in ctx.entities if e.type == MISSION]
    if len(missions) != 1:
        return
    for tok in ctx.tokens_with(ctx.tokens.lower, FIRM_NOUNS):
        if tok.dep_ != "nsubj" or ctx.ent(tok) >= 0:
            continue
        if tok.head.pos_ not in ("VERB", "AUX") or is_future(tok.head) or _not_this_trip(tok):
            continue
        if missions[0] not in ctx.np_entities(tok):
            continue
        ranges = [(c.left_edge.idx, c.idx + len(c.text)) for c in tok.children
                  if c.dep_ in ("amod", "compound", "nmod") and c.i < tok.i and ctx.ent(c) < 0]
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                ranges += [r for p in c.children if p.dep_ == "pobj" for r in _phrase_ranges(ctx, p)]
        for s, t, code in _terms_in(ctx, ranges, weak=True):
            ctx.add(IN_SECTOR, missions[0], sector_entity(ctx, code, s, t), 0.7, tok.sent)


def _group_members(ctx: Context) -> None:
    """"The forum brought together eleven companies from the automotive and
    machinery industries": the group is in those industries."""
    for tok in ctx.tokens_with(ctx.tokens.lemma, GROUP_VERBS):
        if tok.pos_ not in ("VERB", "AUX") or is_future(tok):
            continue
        groups = ctx.typed(ctx.subjects(tok), MISSION, EVENT, ORGANIZATION)
        if not groups:
            continue
        ranges: list[tuple[int, int]] = []
        for c in tok.children:
            if c.dep_ == "dobj":
                nouns = [c]
            elif c.dep_ == "prep" and c.lower_ in ("of", "from"):
                nouns = [p for p in c.children if p.dep_ == "pobj"]
            else:
                continue
            for n in nouns:
                for cj in conjuncts(n):
                    # Named members are not the group's description.
                    if ctx.ent(cj) < 0 and (cj.lower_ in MEMBER_NOUNS or c.lower_ == "from"):
                        ranges += _phrase_ranges(ctx, cj)
        for s, t, code in _terms_in(ctx, ranges, weak=False):
            for g in groups:
                ctx.add(IN_SECTOR, g, sector_entity(ctx, code, s, t), 0.7, tok.sent)


def _names(ctx: Context) -> None:
    """"Fujian Fujitsu Communications Software Ltd" works in software,
    unless the report describes the body's trade itself."""
    described = {f.source for f in ctx.found if f.type == IN_SECTOR}
    for e in ctx.entities:
        if e.type not in (ORGANIZATION, EVENT) or e.index in described:
            continue
        m0 = min(real_mentions(e), key=lambda m: m.start, default=None)
        sent = _sentence(ctx, m0.start, m0.end) if m0 is not None else None
        if m0 is None or sent is None:
            continue
        conf = 0.5 if e.kind in GOVERNING_KINDS else 0.6
        for st, en, code in name_sectors(ctx.text[m0.start:m0.end], e.type, e.kind):
            ctx.add(IN_SECTOR, e.index, sector_entity(ctx, code, m0.start + st, m0.start + en), conf, sent)


# What a trip came for: "came to explore cooperation in fisheries technology,
# cold-chain logistics and marine biotechnology".
# ("met partners in the food industry" says the partners' trade, not the trip's).
PURPOSE_NOUNS = frozenset({"cooperation", "co-operation", "opportunities", "partnerships", "collaboration"})
# "the priority sectors – pharmaceuticals, building materials and agri-food –"
_PRIORITY_RE = re.compile(r"\b(?:priority|target|key|focus)\s+(?:sectors|industries)\s*(?:[–—:-]|were|are|"
                          r"included|include|,)\s*(?P<d>[^.;:()–—]{3,160})")


def _trip_purpose(ctx: Context) -> None:
    """A delegation's industries from what it came for: "cooperation in X,
    Y and Z" after a visiting verb, "the priority sectors - X, Y and Z -"
    of the report's one delegation."""
    for tok in ctx.tokens_with(ctx.tokens.lower, PURPOSE_NOUNS):
        if tok.i + 1 >= len(ctx.doc) or ctx.doc[tok.i + 1].lower_ != "in":
            continue
        verb = next((v for v in tok.ancestors if v.pos_ in ("VERB", "AUX")), None)
        if verb is None or is_future(verb) or _not_this_trip(tok):
            continue
        actors = [e for e in ctx.subjects(verb) if ctx.entities[e].type == MISSION]
        if not actors:
            continue
        # The list runs to the next verb; the parser often breaks it up.
        end = tok.sent.end
        for t in ctx.doc[tok.i + 2:tok.sent.end]:
            if t.pos_ == "VERB" or t.text == ";":
                end = t.i
                break
        a = ctx.doc[tok.i + 1].idx
        b = ctx.doc[end - 1].idx + len(ctx.doc[end - 1].text)
        for s, t_, code in find_sectors(ctx.text[a:b]):
            for actor in actors:
                ctx.add(IN_SECTOR, actor, sector_entity(ctx, code, a + s, a + t_), 0.7, tok.sent)
    missions = [e.index for e in ctx.entities if e.type == MISSION]
    if len(missions) != 1:
        return
    for pm in _PRIORITY_RE.finditer(ctx.text):
        sent = _sentence(ctx, pm.start(), pm.end())
        if sent is None or _not_this_trip(sent.root):
            continue
        d0 = pm.start("d")
        for s, t_, code in find_sectors(pm.group("d")):
            ctx.add(IN_SECTOR, missions[0], sector_entity(ctx, code, d0 + s, d0 + t_), 0.7, sent)


def find_sector_facts(ctx: Context) -> None:
    _descriptions(ctx)
    _missions(ctx)
    _trip_purpose(ctx)
    _firms_acting(ctx)
    _group_members(ctx)
    _names(ctx)
