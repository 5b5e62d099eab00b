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

Each fact's evidence is the sentence that states it. Names that contain an
industry term ("Samarkand Agro Machinery JSC") are read in
``relations._name_rules`` with a lower confidence.
"""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

from graph.ontology import EVENT, MISSION, ORGANIZATION
from graph.sectors import find_sectors
from ingest.relations import SECTOR_VERBS, Context, _real, _sector_entity, conjuncts, is_future

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
)
_DESCRIBER = "|".join(sorted(DESCRIBER_NOUNS, key=len, reverse=True))
_DESCRIBER_RE = re.compile(rf"\b(?:{_DESCRIBER})(?:s|es)?\b", re.IGNORECASE)
# ", an Almaty parts distributor," / " is a Minsk-based maker of tractors"
_AFTER_RE = re.compile(
    r"(?:\s*\([^()\n]{1,40}\))?(?:,\s+|\s+(?:is|was|remains|has\s+been)\s+)(?:(?:also|now)\s+)?"
    r"(?P<d>(?:an?|the|one\s+of\s+the)\s+[^,;:()\n]{2,120}?)"
    r"(?=\s*[,;:()]|\.(?:\s|$)|$|\s+(?:which|that|who|whose|to|signed|said|worth|valued|with|since|"
    r"held|located|based|where|and\s+(?:the|a|an|[A-Z])))"
)
# "the Uzbek power grid company " right before a name.
_BEFORE_RE = re.compile(
    rf"\b(?:an?|the)\s+(?P<d>(?:[\w’'&-]+\s+){{0,4}}?(?:{_DESCRIBER})s?)\s+$", re.IGNORECASE)
# "X (auto parts)": a lower-case industry in parentheses after a name.
_PAREN_RE = re.compile(r"\s*\((?P<d>[a-z][^()\n]{1,60})\)")
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
    tail = re.match(r"\s+(?:of|for|in)\s+[^,;:]{1,60}?(?=\s+(?:in|at|from|based|held|located|with|since|"
                    r"who|which|that|to)\b|$)", desc[end:])
    if tail:
        end += tail.end()
    # Weak words count here: "a German oil company" is about oil.
    return find_sectors(desc[:end])


def _descriptions(ctx: Context) -> None:
    text = ctx.text
    for e in ctx.entities:
        if e.type not in (ORGANIZATION, EVENT):
            continue
        for m in _real(e):
            sent = _sentence(ctx, m.start, m.end)
            if sent is None:
                continue
            end_limit = sent.end_char
            found: list[tuple[int, int, str, float]] = []
            am = _AFTER_RE.match(text, m.end, end_limit)
            if am:
                d0 = am.start("d")
                found += [(d0 + s, d0 + t, c, 0.8) for s, t, c in described_sectors(am.group("d"))]
            pm = _PAREN_RE.match(text, m.end, end_limit)
            if pm:
                d0 = pm.start("d")
                found += [(d0 + s, d0 + t, c, 0.7) for s, t, c in find_sectors(pm.group("d"))]
            bm = _BEFORE_RE.search(text, sent.start_char, m.start)
            if bm and bm.end() == m.start:
                d0 = bm.start("d")
                found += [(d0 + s, d0 + t, c, 0.7) for s, t, c in described_sectors(bm.group("d"))]
            for s, t, code, conf in found:
                ctx.add("IN_SECTOR", e.index, _sector_entity(ctx, code, s, t), conf, sent)


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
    for tok in ctx.doc:
        e = ctx.ent(tok)
        if e < 0 or ctx.entities[e].type != MISSION or ctx.ent(tok.head) == e and tok.head is not tok:
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
            ctx.add("IN_SECTOR", e, _sector_entity(ctx, code, s, t), 0.75, sent)


def _group_members(ctx: Context) -> None:
    """"The forum brought together eleven companies from the automotive and
    machinery industries": the group is in those industries."""
    for tok in ctx.doc:
        if tok.pos_ not in ("VERB", "AUX") or tok.lemma_.lower() not in GROUP_VERBS or is_future(tok):
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
                ctx.add("IN_SECTOR", g, _sector_entity(ctx, code, s, t), 0.7, tok.sent)


def find_sector_facts(ctx: Context) -> None:
    _descriptions(ctx)
    _missions(ctx)
    _group_members(ctx)
