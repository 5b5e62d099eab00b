"""Agreements as entities: what was signed, between whom, for how much.

A SIGNED_WITH found on a deal noun ("signed a supply contract with",
"the accord between") makes one ``Agreement`` entity per deal noun, named
from the text ("supply contract between A and B"), with ``value`` and
``currency`` (ISO 4217) when the signing sentence states an amount after the
deal noun ("worth USD 4.5 million", "valued at EUR 850,000", "10 mln
yuan"). Each SIGNED_WITH on it carries ``agreement`` = the entity's index
(turned into the local id on output). The date is the signing's date,
filled in when the relations are assembled.
"""

from __future__ import annotations

import re
from collections import defaultdict

from spacy.tokens import Token

from graph.ontology import AGREEMENT, SIGNED_WITH
from ingest.relations import Context, Found

# Currency codes as written in reports, and the ISO 4217 code each stands for.
_CODES = {
    "USD": "USD", "EUR": "EUR", "GBP": "GBP", "CNY": "CNY", "RMB": "CNY", "JPY": "JPY", "CHF": "CHF",
    "RUB": "RUB", "KZT": "KZT", "UZS": "UZS", "BYN": "BYN", "INR": "INR", "AUD": "AUD", "CAD": "CAD",
    "AED": "AED", "SAR": "SAR", "TRY": "TRY", "KRW": "KRW", "VND": "VND", "PLN": "PLN", "BRL": "BRL",
    "EGP": "EGP", "GHS": "GHS", "KES": "KES", "NGN": "NGN", "MYR": "MYR", "SGD": "SGD", "HKD": "HKD",
    "GEL": "GEL", "AMD": "AMD", "MNT": "MNT", "US$": "USD", "$": "USD", "€": "EUR", "£": "GBP",
}
_WORDS = {
    "dollars": "USD", "dollar": "USD", "us dollars": "USD", "u.s. dollars": "USD", "euros": "EUR",
    "euro": "EUR", "yuan": "CNY", "renminbi": "CNY", "yen": "JPY", "sterling": "GBP",
    "pounds sterling": "GBP", "roubles": "RUB", "rubles": "RUB", "tenge": "KZT", "rupees": "INR",
    "won": "KRW", "lira": "TRY", "zlotys": "PLN", "zloty": "PLN", "reais": "BRL", "naira": "NGN",
    "cedis": "GHS", "dirhams": "AED", "riyals": "SAR", "ringgit": "MYR", "dong": "VND", "lari": "GEL",
    "drams": "AMD", "tugriks": "MNT",
}
_MULTIPLIERS = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "m": 1e6, "billion": 1e9,
                "bln": 1e9, "bn": 1e9}
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MULT = r"thousand|million|mln|billion|bln|bn"
_CODE = "|".join(re.escape(c) for c in sorted(_CODES, key=len, reverse=True))
_WORD = "|".join(re.escape(w) for w in sorted(_WORDS, key=len, reverse=True))
MONEY_RE = re.compile(
    rf"(?:(?<![\w$])(?P<code>{_CODE})\s?(?P<num>{_NUM})(?:\s*(?P<mult>{_MULT})\b|(?P<short>[mk])\b)?"
    rf"|(?<![\w.])(?P<num2>{_NUM})\s*(?:(?P<mult2>{_MULT})\s+)?(?P<word>{_WORD}|{_CODE})(?![\w]))",
)
# What follows a deal noun to complete its name: "memorandum of understanding".
_OF_WHAT = frozenset({"understanding", "intent", "intention", "cooperation", "co-operation", "sale", "supply"})


def parse_money(text: str) -> tuple[float, str] | None:
    """The first amount of money in ``text``: (value, ISO 4217 code)."""
    m = MONEY_RE.search(text)
    if m is None:
        return None
    if m.group("code"):
        num, mult, cur = m.group("num"), m.group("mult") or m.group("short"), _CODES[m.group("code")]
    else:
        word = m.group("word")
        num, mult = m.group("num2"), m.group("mult2")
        cur = _CODES.get(word) or _WORDS[word.lower()]
    value = float(num.replace(",", "")) * _MULTIPLIERS.get((mult or "").lower(), 1.0)
    return value, cur


# Modifiers that say nothing about what kind of deal it is.
_BLAND = frozenset({"similar", "new", "first", "second", "third", "further", "separate", "another",
                    "additional", "formal", "final", "preliminary", "landmark", "major", "big", "large"})


def _deal_phrase(noun: Token) -> tuple[int, int]:
    """Character span of "supply contract", "memorandum of understanding";
    durations and bland adjectives ("five-year", "similar") are left out."""
    start = noun.idx
    for c in noun.lefts:
        if c.dep_ not in ("compound", "amod", "nmod") or c.lower_ in _BLAND:
            continue
        if any(t.like_num or t.pos_ == "NUM" for t in c.subtree):
            continue
        start = min(start, c.left_edge.idx if c.left_edge.pos_ != "DET" else c.idx)
    end = noun.idx + len(noun.text)
    for c in noun.rights:
        if c.dep_ == "prep" and c.lower_ == "of":
            objs = [p for p in c.children if p.dep_ == "pobj" and p.lower_ in _OF_WHAT]
            if objs:
                end = objs[0].idx + len(objs[0].text)
    return start, end


def _parties(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def find_agreements(ctx: Context) -> None:
    by_anchor: dict[int, list[Found]] = defaultdict(list)
    for f in ctx.found:
        if f.type == SIGNED_WITH and f.anchor >= 0:
            by_anchor[f.anchor].append(f)
    anchors = sorted(by_anchor)
    last = -1
    for n, anchor in enumerate(anchors):
        found = by_anchor[anchor]
        noun = ctx.doc[anchor]
        start, end = _deal_phrase(noun)
        # "... signed the accord": a bare definite deal noun is the last one named.
        if last >= 0 and (start, end) == (noun.idx, noun.idx + len(noun.text)) and any(
                c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in noun.children):
            for f in found:
                f.attrs["agreement"] = last
            continue
        parties = sorted({i for f in found for i in (f.source, f.target)}, key=lambda i: ctx.entities[i].first)
        phrase = ctx.text[start:end].replace("\n", " ")
        name = f"{phrase} between {_parties([ctx.entities[i].name for i in parties])}"
        attrs: dict[str, object] = {}
        # The amount stated after the deal noun, before the next deal in the sentence.
        sent = noun.sent
        stop = sent.end_char
        later = [a for a in anchors[n + 1:] if ctx.doc[a].sent.start == sent.start]
        if later:
            stop = ctx.doc[later[0]].left_edge.idx
        money = parse_money(ctx.text[noun.left_edge.idx:stop])
        if money is not None:
            value, currency = money
            attrs["value"] = int(value) if value.is_integer() else value
            attrs["currency"] = currency
        agreement = ctx.new_entity(AGREEMENT, name, start, end, attrs)
        last = agreement.index
        for f in found:
            f.attrs["agreement"] = agreement.index
