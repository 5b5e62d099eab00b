"""Which of a report's entities are one: "SEC" and "U.S. Securities and
Exchange Commission", "Storer" and "Storer Communications Inc", "Hu" and
"Hu Yaobang", "Sourroille" and "Juan Sourrouille" (a typo), "the Council"
written as "Council" and "Netherlands-Vietnam Business Council".

The rules group mentions by the forms they know (``mentions.cluster``);
what they leave apart reaches the graph as two nodes. This model looks at
every pair of a report's entities whose names are linked at all (a shared
word, initials, a word spelt nearly alike), and at each person named only
by a post ("the Deputy Minister") beside the persons the text gives that
post to, and says whether they are the same; its features, training and
decision are side by side here.

Applied last (``refine``), after the entities are typed and the relations
found: the merged entity keeps the fuller name, every mention and the
relations of both.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence
from difflib import SequenceMatcher
from functools import lru_cache

from graph.gazetteer import country_code, demonym_country
from graph.model import normalise_name
from graph.ontology import AGREEMENT, EVENT, MISSION, ORGANIZATION, PERSON, PROGRAM
from graph.resolve import ENTITY_REF_ATTRS, QUOTED_NAME
from ingest.learn.align import NONE, Alignment
from ingest.learn.candidates import capitals_in_order, names_a_unit, place_names
from ingest.learn.features import Features, Report, _bucket
from ingest.learn.linear import LinearModel, train
from ingest.mentions import TITLE_HEADS, Entity
from ingest.organisations import LEGAL_SUFFIXES, ORG_HEADS, short_company_name
from ingest.relations import Found
from ingest.titles import COURTESY, title_pattern

SAME = "same"
# Entities of these types can be one another's short forms; a place is
# grouped by its gazetteer entry and a sector by its code.
ALIASABLE = frozenset({ORGANIZATION, PERSON, EVENT, MISSION, PROGRAM, AGREEMENT})
STOP = frozenset({"of", "and", "the", "for", "de", "in", "on", "to", "&", "a"})
# From which two entities are one. Measured on three cross-validation folds
# (models fitted on the other four, T's thresholds): 0.5 against 0.6 gives
# entities +0.0012 / +0.0014 / +0.0015 and relations +0.0006 / +0.0002 /
# +0.0012; 0.4 merges more but loses relations on all three.
DEFAULT_THRESHOLD = 0.5
# Said before a person's name, never part of it: "Ms Berrada" is "Leila Berrada".
# Not the professional abbreviations: "Ing", "Hon", "Ir" also begin bodies'
# names ("ING Bank", "Hon Hai"); normalised, "H.E." is "he".
HONORIFICS = frozenset(t.lower() for t in COURTESY) | {"dr", "prof", "he", "sheikh", "m"}
# A year or a numbered edition in a name: "Gulfood 2025", "41st Havana International Fair".
_EDITION = re.compile(r"\b(?:(?:19|20)\d\d|\d+(?:st|nd|rd|th))\b", re.IGNORECASE)
# A delegation named as its country's side of the talks: "the Uzbek side", "the Finnish party".
_SIDE = re.compile(r"(?:the\s+)?([A-Z][\w-]+)\s+(?:side|party)", re.IGNORECASE)
# Where a delegation comes from, in its name: "delegation from Uzbekistan",
# "trade mission of Kazakhstan flour producers" (not "mission to Kenya").
_FROM_COUNTRY = re.compile(r"\b(?:from|of)\s+(?:the\s+)?([A-Z][\w-]+(?:\s+(?:of\s+)?[A-Z][\w-]+)?)")
# How far (characters) from a person's name a post may be written and still
# be read as the post that person holds ("Park Ji-hoon, Director General of ...").
POST_BESIDE = 80


@lru_cache(maxsize=1 << 14)
def _words(name: str) -> tuple[str, ...]:
    words = normalise_name(name).split()
    while len(words) > 1 and words[0] in HONORIFICS:
        words = words[1:]
    return tuple(words)


@lru_cache(maxsize=1 << 14)
def _initials(name: str, skip_stop: bool) -> str:
    words = re.findall(r"[A-Za-z][\w’'-]*", name)
    return "".join(w[0] for w in words if not (skip_stop and w.lower() in STOP)).lower()


def _initials_before_legal_form(short: str, name: str) -> bool:
    """Whether ``short`` is the initials of ``name`` without the legal forms
    it ends in ("GEC": "General Electric Co Plc", "EDS": "Electronic Data
    Systems Corp")."""
    words = [w for w in re.findall(r"[A-Za-z][\w’'.-]*", name) if w.lower() not in STOP]
    while words and words[-1].lower().rstrip(".") in LEGAL_SUFFIXES:
        words.pop()
        if len(words) >= 2 and "".join(w[0] for w in words).lower() == short:
            return True
    return False


def _in_order(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _forms(e: Entity) -> list[str]:
    """The entity's distinct written names (a hub is named the same way dozens of times)."""
    return list(dict.fromkeys(m.text for m in e.mentions if not m.generic)) or [e.name]


def _near_word(w: str, others: Sequence[str]) -> str | None:
    """How ``w`` is spelt in ``others``, if nearly alike: a typo ("Sourroille"),
    a plural or possessive ("Reuter"/"Reuters")."""
    if len(w) < 4:
        return None
    best = None
    for o in others:
        # Typos past the third letter only: the look-up in ``candidates`` goes by it.
        if len(o) < 4 or o == w or o[:3] != w[:3]:
            continue
        if o.startswith(w) or w.startswith(o):
            best = "prefix"
        elif abs(len(o) - len(w)) <= 2 and SequenceMatcher(None, w, o).ratio() >= 0.8:
            return "typo"
    return best


@lru_cache(maxsize=1 << 14)
def post_words(name: str) -> tuple[str, ...] | None:
    """The words of a name that is only a post ("Deputy Director-General",
    "the Vice-Chairman"), None for any other name: a report that introduces
    "Park Ji-hoon, Director General of KHIDI" goes on with "the Director General"."""
    words = tuple(w for w in re.split(r"[\s-]+", normalise_name(name)) if w)
    return words if 0 < len(words) <= 4 and words[-1] in TITLE_HEADS else None


# What may stand between a post and the name of the person holding it:
# "the Deputy Minister for Trade and Industry, Hon. Abena Owusu-Mensah",
# "Park Ji-hoon, Director General of ..." (no verb: "the Director General
# was supported by Kim" does not make Kim the Director General).
_POST_THEN_NAME = re.compile(r"(?:\s+(?:of|for)\s+[^,.;:\n]{1,60})?\s*,?\s*"
                             rf"(?:{title_pattern()}\s+)*")
_NAME_THEN_POST = re.compile(r"\s*,\s*(?:(?:the|a|an|its|their)\s+)?(?:[\w’'.&-]+\s+){0,4}")


def post_beside(post: Entity, person: Entity, text: str) -> str | None:
    """How the post ``post`` is given to the named ``person``: "title" (the
    post the rules read for the person holds its words), "beside" (written in
    apposition to one of the person's names), or None."""
    words = post_words(post.name)
    if post.type != PERSON or person.type != PERSON or words is None or post_words(person.name) is not None:
        return None
    title = set(normalise_name(str(person.attrs.get("title", ""))).replace("-", " ").split())
    if title and set(words) <= title:
        return "title"
    written = re.compile(r"\b" + r"[\s-]+".join(map(re.escape, words)) + r"\b", re.IGNORECASE)
    for m in person.mentions:
        if m.generic:
            continue
        for hit in written.finditer(text, max(0, m.start - POST_BESIDE), min(len(text), m.end + POST_BESIDE)):
            if hit.end() <= m.start and _POST_THEN_NAME.fullmatch(text, hit.end(), m.start) \
                    or hit.start() >= m.end and _NAME_THEN_POST.fullmatch(text, m.end, hit.start()):
                return "beside"
    return None


def linked(a: Entity, b: Entity) -> bool:
    """Whether two names are linked at all: only such pairs are candidates."""
    if a.type not in ALIASABLE or b.type not in ALIASABLE:
        return False
    for x in _forms(a):
        for y in _forms(b):
            wx, wy = _words(x), _words(y)
            if set(wx) - STOP & set(wy):
                return True
            sx, sy = (x, y) if len(x) >= len(y) else (y, x)
            if len(sy) >= 2 and sy.replace(".", "").isupper() and capitals_in_order(sy.replace(".", ""), sx):
                return True
            if any(_near_word(w, wx) for w in wy):
                return True
    return False


def ruled_same(a: Entity, b: Entity) -> bool | None:
    """Where the names alone settle it, whatever the model says (it sees few
    such pairs: the rules group most of them before it runs):
    - a body named with and without its legal form is one ("Kaimai Dairy
      Ingredients Ltd", "Kaimai Dairy Ingredients");
    - two events or trips whose names carry different years or editions are
      two ("Gulfood 2025", "Gulfood 2026");
    - a body's quoted name in its full name is the body ("Atameken" and
      National “Atameken” Chamber of Entrepreneurs);
    - a named unit of a body is not the body ("Trade Promotion Office of the
      Chongqing Municipal Commission of Commerce").
    None where the model decides."""
    if a.type == b.type == ORGANIZATION:
        unit = False
        for x in _forms(a):
            for y in _forms(b):
                long_form, short_form = (x, y) if len(x) > len(y) else (y, x)
                bare = short_company_name(long_form)
                if (bare is not None and bare == normalise_name(short_form)) or quotes_its_name(long_form, short_form):
                    return True
                unit = unit or names_a_unit_of(long_form, short_form)
        if unit:
            return False
    return False if editions_differ(a, b) else None


_QUOTES = " “”\"«»„"


def quotes_its_name(full: str, short: str) -> bool:
    """Whether ``short`` is the name quoted in ``full``, before any "of" (in
    "Astrakhan branch of JSC "Russian Railways"" the quoted name is the
    parent's). In the annotations 146 pairs of organisations are written
    so, every one a single entity."""
    # Compared as written, case and quotes aside (not ``normalise_name``,
    # which would take "The SEZ" for a quoted "SEZ").
    name = short.strip(_QUOTES).casefold()
    return full.strip(_QUOTES).casefold() != name and any(
        m.group(1).strip().casefold() == name and re.search(r"\bof\b", full[:m.start()]) is None
        for m in QUOTED_NAME.finditer(full))


# What names a unit before "of (the)" and the body it belongs to: two words
# at least, the first capitalised ("Press Office", "Nuevo León Chapter"); a
# lone "Office of the U.S. Trade Representative" is the body itself.
_UNIT_BEFORE = re.compile(r"[A-Z]\S*(?:\s+\S+)+\s+of(?:\s+the)?\s+")


def names_a_unit_of(unit: str, body: str) -> bool:
    """Whether ``unit`` is "<a named unit> of (the) <body>", and ``body`` is
    named as a body is (a head such as Commission, Embassy, Association).
    In the annotations 94 pairs of organisations are written so, every one
    two entities; without the head five more are, each one entity ("U.S.
    Department of Agriculture" and "Agriculture")."""
    if len(unit) <= len(body) or not unit.lower().endswith(body.lower()):
        return False
    return (_UNIT_BEFORE.fullmatch(unit[: len(unit) - len(body)]) is not None
            and any(w in ORG_HEADS for w in _words(body)))


def editions_differ(a: Entity, b: Entity) -> bool:
    """Two events or trips whose names carry different years or editions."""
    if a.type not in (EVENT, MISSION) or b.type not in (EVENT, MISSION):
        return False
    editions_a, editions_b = _editions(a.name), _editions(b.name)
    return bool(editions_a and editions_b and not editions_a & editions_b)


@lru_cache(maxsize=1 << 14)
def _editions(name: str) -> frozenset[str]:
    return frozenset(m.lower() for m in _EDITION.findall(name))


def origin_countries(e: Entity) -> set[str]:
    """The countries a delegation's names say it comes from."""
    out: set[str] = set()
    for form in _forms(e):
        out.update(c for w in re.findall(r"[A-Z][\w-]*", form) if (c := demonym_country(w)))
        out.update(c for m in _FROM_COUNTRY.finditer(form) if (c := country_code(m.group(1))))
    return out


def sides(entities: Sequence[Entity]) -> dict[int, int]:
    """A delegation the report names only as its country's side ("the Uzbek
    side") -> the named delegation from that country, the most mentioned if
    there are several. The model sees few of these: the words they share are
    a nationality, which many other pairs share too."""
    missions = [e for e in entities if e.type == MISSION and e.mentions]
    out: dict[int, int] = {}
    origins: dict[int, set[str]] = {}  # read once, and only where a side is named
    for side in missions:
        written = _SIDE.fullmatch(side.name)
        country = demonym_country(written.group(1)) if written else None
        if country is None:
            continue
        if not origins:
            origins = {e.index: origin_countries(e) for e in missions if not _SIDE.fullmatch(e.name)}
        same = [e for e in missions if e.index in origins and country in origins[e.index]]
        if same:
            out[side.index] = max(same, key=lambda e: (len(e.mentions), -e.first)).index
    return out


def pair_features(a: Entity, b: Entity, rivals: int, sentences: dict[int, set[int]],
                  places: frozenset[str], text: str) -> Features:
    """``a`` is named first; ``rivals``: how many other earlier entities ``b``
    is linked to; ``sentences``: where each entity is named (``sentences_of``);
    ``places``: the places the report names (``place_names``); ``text``: the report's."""
    f: Features = {"bias": 1.0, f"types={a.type}|{b.type}": 1.0, f"rivals={min(rivals, 3)}": 1.0}
    post = post_beside(b, a, text) or post_beside(a, b, text)
    if post:
        # A post and a person said to hold it: "the Deputy Minister" is "Abena Owusu-Mensah".
        f[f"post_of_person={post}"] = 1.0
        if post_words(a.name):
            f["post_named_first"] = 1.0
    if a.type == b.type:
        f["same_type"] = 1.0
    long_name, short_name = (a.name, b.name) if len(a.name) >= len(b.name) else (b.name, a.name)
    if short_name == a.name and len(a.name) != len(b.name):
        f["short_first"] = 1.0  # "GATT ... the General Agreement on Tariffs and Trade"
    lw, sw = _words(long_name), _words(short_name)
    f[f"short_words={_bucket(len(sw), (1, 2, 3, 4))}"] = 1.0
    f[f"long_words={_bucket(len(lw), (1, 2, 3, 4, 6))}"] = 1.0
    if lw == sw:
        f["same_words"] = 1.0
    elif {normalise_name(x) for x in (a.name, *a.aliases)} & {normalise_name(x) for x in (b.name, *b.aliases)}:
        # "Norstar Bancorp", also written "Norstar", and a "Norstar" the type model made a body after the rules grouped names.
        f["a_form_in_common"] = 1.0
    content_l, content_s = [w for w in lw if w not in STOP], [w for w in sw if w not in STOP]
    shared = set(content_l) & set(content_s)
    # A word spelt nearly alike counts as the same word ("Vocker", "Volcker").
    near = {w: n for w in content_s if w not in shared and (n := _near_word(w, content_l))}
    for n in near.values():
        f[f"near_word={n}"] = 1.0
    if content_s:
        frac = (len(shared) + len(near)) / len(set(content_s))
        f[f"short_covered={round(frac * 4) / 4}"] = 1.0
    # Each with words of its own: "World Bank" and "Central Bank".
    own_long = set(content_l) - shared - {w for w in content_l if any(_near_word(x, [w]) for x in near)}
    own_short = set(content_s) - shared - set(near)
    if own_short and own_long:
        f["both_have_own_words"] = 1.0
    if a.type == b.type and a.type in (MISSION, EVENT):
        # What one name says and the other does not tells trips and editions
        # apart ("Return METS mission", "second hydrogen mission", "Gulfood 2026").
        for w in sorted(own_short | own_long)[:6]:
            f[f"own_word={'<number>' if w.isdigit() else w}"] = 1.0
    if shared and sw and lw:
        if sw[0] == lw[0]:
            f["same_first_word"] = 1.0
        if sw[-1] == lw[-1]:
            f["same_last_word"] = 1.0
        if len(sw) < len(lw) and lw[: len(sw)] == sw:
            f["short_is_prefix"] = 1.0
        if len(sw) < len(lw) and lw[-len(sw):] == sw:
            f["short_is_suffix"] = 1.0
        # Fewer words: what was left out (a legal form, a first name, a place).
        rest = [w for w in lw if w not in shared]
        if rest and all(w.rstrip(".") in LEGAL_SUFFIXES for w in rest):
            f["differs_by_legal_form"] = 1.0
        for w in rest[:3]:
            f[f"left_out={w}" if w in LEGAL_SUFFIXES or w in STOP or w in ORG_HEADS else "left_out=word"] = 1.0
        if rest and names_a_unit(sw, rest, places):
            f["left_out_names_unit"] = 1.0  # "NZTE" and "NZTE Riyadh": a body and its office
    if len(sw) == 1:
        word = sw[0]
        if word in ORG_HEADS:
            f["short_is_head_word"] = 1.0  # "Council", "Agency"
        if shared:
            pos = "first" if lw[0] == word else ("last" if lw[-1] == word else "middle")
            f[f"one_word_at={pos}"] = 1.0
    bare = short_name.replace(".", "").replace("-", "")
    if len(bare) >= 2 and bare.isupper() and bare.isalpha():
        f["short_all_caps"] = 1.0
        low = bare.lower()
        if len(sw) == 1 and sw[0] in lw:
            f["caps_word_of_name"] = 1.0  # a headline's "QUEST" for "Quest Biotechnology Inc": no acronym
        elif low == _initials(long_name, True):
            f["acronym=initials"] = 1.0
        elif low == _initials(long_name, False):
            f["acronym=initials_with_stop"] = 1.0
        elif _initials_before_legal_form(low, long_name):
            f["acronym=initials_before_legal_form"] = 1.0  # "GM", "General Motors Corp"
        elif capitals_in_order(low, long_name):
            f["acronym=capitals_in_order"] = 1.0
        elif _in_order(low, long_name.lower()):
            f["acronym=letters_in_order"] = 1.0
        if any(f"({short_name})" in m.text or f"({bare})" in m.text for m in a.mentions + b.mentions):
            f["acronym_in_brackets"] = 1.0
    if not shared and not near:
        f["no_shared_word"] = 1.0
    if a.type == PERSON or b.type == PERSON:
        if len(sw) == 1 and lw and sw[0] == lw[-1]:
            f["person_surname"] = 1.0
        elif len(sw) == 1 and lw and sw[0] == lw[0]:
            f["person_first_name"] = 1.0
        elif len(sw) >= 2 and len(lw) >= 2 and sw[-1] == lw[-1] and sw[0][:1] != lw[0][:1]:
            f["person_other_first_name"] = 1.0  # "Hiroshi Saito", "Eishiro Saito"
    for e, side in ((a, "a"), (b, "b")):
        f[f"{side}_mentions={_bucket(len(e.mentions), (1, 2, 4))}"] = 1.0
        cand = e.attrs.get("candidate")
        f[f"{side}_from={cand or 'rules'}"] = 1.0
    if a.type == ORGANIZATION and b.type == ORGANIZATION:
        f[f"kinds={a.kind}|{b.kind}"] = 1.0
        if a.country and b.country and a.country != b.country:
            f["countries_differ"] = 1.0
    # Named side by side ("Fujitsu and Fujitsu America") they are rarely one.
    if sentences[a.index] & sentences[b.index]:
        f["same_sentence"] = 1.0
    gap = min((abs(x.start - y.start) for x in a.mentions for y in b.mentions), default=0)
    f[f"gap={_bucket(gap // 200, (0, 1, 3, 8))}"] = 1.0
    return f


def sentences_of(rep: Report, entities: Sequence[Entity]) -> dict[int, set[int]]:
    """Per entity, the sentences (first token) its mentions are in."""
    first_token = rep.tokens.sent_start
    return {e.index: {first_token[span.start] for _, span in rep.spans.get(e.index, [])} for e in entities}


def _lookup_keys(e: Entity) -> tuple[set[str], bool]:
    """The words (and three-letter starts of longer words) a linked name must
    share with this one; whether one of its forms is in capitals (an acronym
    is linked by its letters, not its words)."""
    keys: set[str] = set()
    capitals = False
    for form in _forms(e):
        for w in _words(form):
            if w not in STOP:
                keys.add(w)
            if len(w) >= 4:
                keys.add(f"{w[:3]}…")
        bare = form.replace(".", "")
        capitals = capitals or (len(bare) >= 2 and bare.isupper())
    return keys, capitals


def candidates(entities: Sequence[Entity], text: str) -> Iterator[tuple[Entity, Entity, int]]:
    """(earlier, later, rivals) for every linked pair of entities, in order of
    first mention; then each person named only by a post with each person
    said to hold it (``post_beside``).

    Every pair is tested only where the two share a word, a word's start or
    one of them is in capitals: reports name a hundred entities and more."""
    live = sorted((e for e in entities if e.mentions and e.type in ALIASABLE), key=lambda e: e.first)
    seen: set[tuple[int, int]] = set()
    for a, b, rivals in _linked_pairs(live):
        seen.add((a.index, b.index))
        yield a, b, rivals
    persons = [e for e in live if e.type == PERSON]
    for post in persons:
        if post_words(post.name) is None:
            continue
        holders = [e for e in persons if post_beside(post, e, text)]
        for holder in holders:
            a, b = (holder, post) if holder.first <= post.first else (post, holder)
            if (a.index, b.index) not in seen:
                seen.add((a.index, b.index))
                yield a, b, len(holders) - 1


def _linked_pairs(live: list[Entity]) -> Iterator[tuple[Entity, Entity, int]]:
    """The pairs whose names are linked (``linked``), looked up by shared keys."""
    by_key: dict[str, list[int]] = {}
    in_capitals: list[int] = []
    for j, b in enumerate(live):
        keys, capitals = _lookup_keys(b)
        maybe = set(range(j)) if capitals else set(in_capitals)
        for k in keys:
            maybe.update(by_key.get(k, ()))
        earlier = [live[i] for i in sorted(maybe) if linked(live[i], b)]
        for a in earlier:
            yield a, b, len(earlier) - 1
        for k in keys:
            by_key.setdefault(k, []).append(j)
        if capitals:
            in_capitals.append(j)


def examples(rep: Report, align: Alignment) -> tuple[list[Features], list[str]]:
    """Pairs of candidates that both stand for an annotated entity: the same one or not."""
    X, y = [], []
    pairs = list(candidates(rep.entities, rep.text))
    sentences = sentences_of(rep, rep.entities) if pairs else {}
    places = place_names(rep.entities)
    for a, b, rivals in pairs:
        ga, gb = align.gold.get(a.index), align.gold.get(b.index)
        if ga is None or gb is None or align.entity_type(a.index) == NONE or align.entity_type(b.index) == NONE:
            continue
        X.append(pair_features(a, b, rivals, sentences, places, rep.text))
        y.append(SAME if ga is gb else NONE)
    return X, y


def train_aliases(X: Sequence[Features], y: Sequence[str]) -> LinearModel:
    if len(set(y)) < 2:
        # Too few texts to show both (a test's tiny slice): a model that keeps
        # entities apart unless every pair seen was one.
        return LinearModel("aliases", [SAME], True, [10.0 if y and y[0] == SAME else -10.0], {},
                           thresholds={SAME: DEFAULT_THRESHOLD})
    model = train("aliases", X, [{lab} if lab == SAME else set() for lab in y], labels=[SAME],
                  multilabel=True, C=0.5, min_count=2)
    model.thresholds = {SAME: DEFAULT_THRESHOLD}
    return model


def merge(model: LinearModel, rep: Report, entities: list[Entity], found: list[Found]
          ) -> tuple[list[Entity], list[Found]]:
    """Fold each entity into the earlier one the model is surest it is (above
    the threshold); the relations of both name the survivor."""
    threshold = model.thresholds.get(SAME, DEFAULT_THRESHOLD)
    best: dict[int, tuple[float, int]] = {}
    pairs = [(a, b, rivals) for a, b, rivals in candidates(entities, rep.text) if a.type == b.type]
    sentences = sentences_of(rep, entities) if pairs else {}
    places = place_names(entities)
    for a, b, rivals in pairs:
        ruled = ruled_same(a, b)
        if ruled is False:
            continue
        p = 1.0 if ruled else model.proba(pair_features(a, b, rivals, sentences, places, rep.text))[SAME]
        if p >= threshold and p > best.get(b.index, (0.0, -1))[0]:
            best[b.index] = (p, a.index)
    for side, delegation in sides(entities).items():
        best[side] = (1.0, delegation)
    if not best:
        return entities, found
    by_index = {e.index: e for e in entities}
    into: dict[int, int] = {}

    def root(i: int) -> int:
        while i in into:
            i = into[i]
        return i

    # Surest first. A join that would make one entity of two that the names
    # keep apart is skipped: "Gulfood 2025" and "Gulfood 2026", each likely
    # the "Gulfood" named between them.
    joined = {e.index: [e] for e in entities}
    for _, later, earlier in sorted(((p, b, a) for b, (p, a) in best.items()), reverse=True):
        ra, rb = root(earlier), root(later)
        if ra == rb or any(editions_differ(x, y) for x in joined[ra] for y in joined[rb]):
            continue
        first, second = (ra, rb) if by_index[ra].first <= by_index[rb].first else (rb, ra)
        into[second] = first
        joined[first] += joined.pop(second)
    groups: dict[int, list[Entity]] = {}
    for e in entities:
        groups.setdefault(root(e.index), []).append(e)
    out: list[Entity] = []
    for r, members in groups.items():
        if len(members) == 1:
            out.append(members[0])
            continue
        out.append(_merged(by_index[r], members))
    new_found = []
    for fd in found:
        s, t = root(fd.source), root(fd.target)
        if s == t:
            continue  # "Fed" PART_OF "Federal Reserve Board": one entity now
        attrs = {k: root(v) if k in ENTITY_REF_ATTRS and isinstance(v, int) else v for k, v in fd.attrs.items()}
        new_found.append(dataclasses.replace(fd, source=s, target=t, attrs=attrs))
    out.sort(key=lambda e: e.first)
    return out, new_found


def _merged(first: Entity, members: list[Entity]) -> Entity:
    """One entity of several: the first's index, the fullest name (its kind
    and country too), every mention and form."""
    def fullness(e: Entity) -> tuple[int, int, int]:
        # A person keeps the name, not the post ("Deputy Minister" is an alias).
        return (0 if e.type == PERSON and post_words(e.name) else 1, 0 if e.name.isupper() else 1, len(e.name))

    fullest = max(members, key=fullness)
    mentions = sorted((m for e in members for m in e.mentions), key=lambda m: (m.start, m.end))
    seen = {normalise_name(fullest.name)}
    aliases = []
    for form in [f for e in members for f in [e.name, *e.aliases]]:
        n = normalise_name(form)
        if n and n not in seen:
            seen.add(n)
            aliases.append(form)
    attrs = {**{k: v for e in members for k, v in e.attrs.items()}, **fullest.attrs}
    return dataclasses.replace(first, type=fullest.type, name=fullest.name, aliases=aliases,
                               kind=fullest.kind, country=fullest.country or first.country,
                               attrs=attrs, mentions=mentions)
