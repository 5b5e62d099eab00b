"""Relations read from names, appositions, lists and layout rather than
from one trigger word's clause: "Trade Promotion Office of the X Commission"
is PART_OF X; "X, the Y arm of Z"; a list under "The delegation included:";
"X-based"; "the two sides". ``find_text_relations`` runs them in order after
the sentence rules (``ingest.sentence_rules``), whose relations some read.
"""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

from graph.gazetteer import demonym_country, find_place
from graph.model import normalise_name
from graph.ontology import (
    EVENT,
    LED,
    LOCATED_IN,
    MEMBER_OF,
    MET_WITH,
    MISSION,
    ORGANIZATION,
    ORGANIZED,
    PART_OF,
    PARTICIPATED_IN,
    PERSON,
    PLACE,
    WORKS_FOR,
)
from ingest.mentions import TITLE_HEADS, Entity, Mention
from ingest.nlp import BULLET_MARK
from ingest.organisations import LEGAL_SUFFIXES, ORG_HEADS
from ingest.relations import FIRM_NOUNS, Context, is_future, pairs, real_mentions


def find_text_relations(ctx: Context) -> None:
    """The passes after the sentence rules, in order, adding to ``ctx.found``."""
    _member_lists(ctx)
    _stated_locations(ctx)
    _event_venues(ctx)
    _organised_which(ctx)
    _name_rules(ctx)
    _arms(ctx)
    _sides(ctx)
    _member_companies(ctx)
    _appositive_rules(ctx)
    _gazetteer_rules(ctx)


def _name_rules(ctx: Context) -> None:
    """Relations a name states by itself."""
    by_name = {normalise_name(e.name): e for e in ctx.entities if e.type == ORGANIZATION}
    for e in ctx.entities:
        if e.type not in (ORGANIZATION, MISSION, EVENT):
            continue
        m0 = min((m for m in real_mentions(e)), key=lambda m: m.start, default=None)
        if m0 is None:
            continue
        sent = ctx.doc.char_span(m0.start, m0.end, alignment_mode="expand")
        if sent is None:
            continue
        s = sent.sent
        if e.type == ORGANIZATION:
            # "Trade Promotion Office of the Chongqing Municipal Commission of Commerce"
            n = normalise_name(e.name)
            for part in re.finditer(r" of (?:the )?(.+)$", n):
                other = by_name.get(part.group(1))
                if other is not None and other is not e:
                    ctx.add(PART_OF, e.index, other.index, 0.8, s)
            # "Consulate General of Belarus in Chongqing"
            lm = re.search(r"\bin ([A-Z][\w ]+)$", e.name)
            if lm:
                place = find_place(lm.group(1))
                if place is not None:
                    for p in ctx.entities:
                        if p.type == PLACE and p.country == place.country and normalise_name(p.name) == normalise_name(lm.group(1)):
                            ctx.add(LOCATED_IN, e.index, p.index, 0.7, s)
        # "Bureau of Fujian Province (PTABF), China": where the body is.
        if e.type == ORGANIZATION:
            for m in real_mentions(e):
                tail = re.match(r"(?:\s*\([A-Z.&]+\))?,\s+", ctx.text[m.end:m.end + 20])
                if tail:
                    where = ctx.starts.get(m.end + tail.end())
                    if where is not None and where.type == PLACE:
                        ctx.add(LOCATED_IN, e.index, where.index, 0.6, s)


# "The Kenyan side was chaired by X, and the Polish side by Y"
_SIDE_RE = re.compile(r"\b[Tt]he\s+(?P<nat>[A-Z][\w-]+)\s+(?:side|delegation|party)\s+"
                      r"(?P<verb>(?:was|were)\s+(?:chaired|led|headed|co-chaired)\s+)?by\s+")


def _sides(ctx: Context) -> None:
    """Heads of the two sides of a joint commission or talks: each LED its
    nation's delegation where the report names one, and the heads met."""
    text = ctx.text
    for sent in ctx.doc.sents:
        heads: list[int] = []
        verb_seen = False
        for sm in _SIDE_RE.finditer(text, sent.start_char, sent.end_char):
            verb_seen = verb_seen or bool(sm.group("verb"))
            if not verb_seen:
                continue
            # The head: the first person named before the next comma or "and".
            stop = re.compile(r",|;|\sand\s").search(text, sm.end(), sent.end_char)
            limit = stop.start() if stop else sent.end_char
            head = next((e for s0, e in sorted(ctx.starts.items()) if sm.end() <= s0 < limit and e.type == PERSON),
                        None)
            if head is None:
                continue
            heads.append(head.index)
            nat = sm.group("nat").lower()
            for m in ctx.entities:
                if m.type == MISSION and nat in m.name.lower().split():
                    ctx.add(LED, head.index, m.index, 0.75, sent)
        for a, b in pairs(list(dict.fromkeys(heads))):
            ctx.add(MET_WITH, a, b, 0.6, sent)


_ARM_RE = re.compile(r",\s+(?:the|an?)\s+(?:[\w-]+\s+){0,3}?(?:arm|subsidiary|unit|division|affiliate)\s+of\s+")


def _arms(ctx: Context) -> None:
    """"Interbras, the trading arm of Brazil's state oil company Petrobras":
    PART_OF the first body named in the apposition."""
    text = ctx.text
    for e in ctx.entities:
        if e.type != ORGANIZATION:
            continue
        for m in real_mentions(e):
            am = _ARM_RE.match(text, m.end)
            if am is None:
                continue
            stop = re.compile(r"[,;]|\.\s").search(text, am.end())
            limit = stop.start() if stop else len(text)
            owner = next((o for s0, o in sorted(ctx.starts.items())
                          if am.end() <= s0 < limit and o.type == ORGANIZATION and o is not e), None)
            span = ctx.doc.char_span(m.start, m.end, alignment_mode="expand")
            if owner is not None and span is not None:
                ctx.add(PART_OF, e.index, owner.index, 0.75, span.sent)



_APPOS_END = re.compile(r",(?!\s*(?:Ltd|Inc|LLC|Co)\b)|;|\.\s|\s(?:said|told|says|who|and\s+[A-Z])\b|$")


def _appositive_rules(ctx: Context) -> None:
    """WORKS_FOR and titles from "Pu Pu, deputy director of the Office",
    "Aigerim Sadykova, deputy chairwoman of the board of Atameken,", "the
    EC's external relations commissioner, Willy De Clercq", "Its chairman,
    Davron Vakhabov," and "Iranian Oil Minister Gholamreza Aqazadeh"."""
    text = ctx.text
    starts: dict[int, Entity] = {}
    org_mentions: list[tuple[int, int, Entity]] = []
    for e in ctx.entities:
        for m in e.mentions:
            starts[m.start] = e
            if e.type == ORGANIZATION:
                org_mentions.append((m.start, m.end, e))
    org_mentions.sort(key=lambda x: x[0])
    for e in ctx.entities:
        if e.type != PERSON:
            continue
        for m in real_mentions(e):
            span = ctx.doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is None:
                continue
            sent = span.sent
            if _title_after(ctx, e, m.end, sent, starts):
                continue
            # "Ingrid Solberg of Bergen Marine Pumps AS said", "Ambassador X of the Embassy of Y"
            of = re.match(r"\s+(?:of|from)\s+(?:the\s+)?", text[m.end:sent.end_char])
            body = starts.get(m.end + of.end()) if of else None
            if body is not None and body.type == ORGANIZATION:
                ctx.add(WORKS_FOR, e.index, body.index, 0.7, sent)
            before = text[sent.start_char:m.start]
            bm = re.search(r"((?:[\w’'-]+\s+){0,5})([\w’'-]+),?\s*$", before)
            if not bm:
                continue
            words = (bm.group(1) + bm.group(2)).split()
            # A finite verb ends a post: "The Director General met Deputy Minister X"
            # ("managing director", "acting minister" stay posts).
            tk = ctx.tokens
            verbs = {tk.text[i] for i in range(sent.start, sent.end)
                     if tk.tag[i] in ("VBD", "VBZ", "VBP", "MD") and tk.text[i].islower()}
            # Back to the nearest word that cannot be part of a title.
            keep: list[str] = []
            for i, w in reversed(list(enumerate(words))):
                # "Our President and CEO, X": "and" between two posts is one post.
                joined = w == "and" and keep and keep[0].lower() in TITLE_HEADS and i > 0 \
                    and words[i - 1].lower() in TITLE_HEADS and words[i - 1][:1].isupper()
                if not joined and (w.lower() in ("and", "by", "between", "with", "said", "told", "the", "a", "an",
                                                 "of", "to", "that", "in", "from", "as") or w.endswith((".", ";"))
                                   or w.endswith(",") and keep or w in verbs):
                    break
                keep.insert(0, w.rstrip(","))
            owner: Entity | None = None
            poss = [i for i, w in enumerate(keep) if w.endswith(("'s", "’s", "s'", "s’"))]
            if poss:
                # The mention that ends at the possessive: "Ararat Cargo's", "Acme Logistics'".
                word = keep[poss[-1]]
                cut = 1 if word.endswith(("s'", "s’")) else 2
                at = sent.start_char + before.rfind(word) + len(word) - cut
                owner = next((o for s_, e_, o in org_mentions if e_ == at), None)
                keep = keep[poss[-1] + 1:]
                if not keep and owner is not None:
                    # "KOTRA's Kim Min-jun said": the body's own person.
                    ctx.add(WORKS_FOR, e.index, owner.index, 0.7, sent)
                    continue
            while keep and keep[-1].rstrip(".") in ("Dr", "Mr", "Mrs", "Ms", "Prof"):
                keep.pop()  # an honorific is no part of the post
            if keep and keep[0].lower() == "our" and _own_body(ctx) is not None:
                # "Our President and CEO, X," in a body's own newsletter.
                owner = _own_body(ctx)
                keep.pop(0)
            while keep and (keep[0].lower() in ("its", "their") or demonym_country(keep[0])):
                if keep[0].lower() in ("its", "their"):
                    # "Its chairman": the body last named before this sentence;
                    # "organised by X ..., was headed by its director": X.
                    at = sent.start_char + before.rfind(keep[0])
                    owner = next((o for s_, e_, o in reversed(org_mentions) if e_ <= at), None)
                keep.pop(0)
            if keep and any(w.lower().strip(",") in TITLE_HEADS for w in keep):
                title = " ".join(keep).rstrip(",")
                e.attrs.setdefault("title", title)
                if owner is not None:
                    ctx.add(WORKS_FOR, e.index, owner.index, 0.75, sent, title=title)


def _own_body(ctx: Context) -> Entity | None:
    """The body a report speaks for: the organisation it calls "our Chamber",
    "our association"."""
    for m in re.finditer(r"\b[Oo]ur\s+", ctx.text):
        e = ctx.starts.get(m.end()) or next((o for o in ctx.entities for x in o.mentions if x.start == m.end()), None)
        if e is not None and e.type == ORGANIZATION:
            return e
    return None


def _member_companies(ctx: Context) -> None:
    """"the facility of member company X" in a body's own report: X is a
    member of that body."""
    own = None
    for m in re.finditer(r"\bmember\s+(?:company|companies|firms?|organi[sz]ations?)\s+(?:the\s+)?", ctx.text):
        member = ctx.starts.get(m.end())
        own = own or _own_body(ctx)
        span = ctx.doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if member is not None and member.type == ORGANIZATION and own is not None and span is not None:
            ctx.add(MEMBER_OF, member.index, own.index, 0.65, span.sent)


def _title_after(ctx: Context, person: Entity, end: int, sent: Span, starts: dict[int, Entity]) -> bool:
    """"Name, <title> of|at|for <body>,": the title is everything before the
    body's name; the body is the first organisation or place named inside
    the apposition."""
    text = ctx.text
    lead = re.match(r",\s+(?:the\s+|a\s+|an\s+)?(?:(?:now|currently|also)\s+)?", text[end:sent.end_char])
    if not lead or re.match(r"(?:together|along|jointly)\s+with\b|(?:and|or|but|while)\s", text[end + lead.end():]):
        # "X, together with the Ambassador of Y,", "X, and included ...": no post of X.
        return False
    p = end + lead.end()
    owner = starts.get(p)
    if owner is not None and owner.type == ORGANIZATION:
        # "Ricardo Almeida, FIESP's director of international affairs"
        after = next((m.end for m in owner.mentions if m.start == p), p)
        poss = re.match(r"(?:’s|'s)\s+([a-z][\w -]{2,60}?)(?=,|\s+(?:said|told)\b|\.(?:\s|$)|$)",
                        text[after:sent.end_char])
        if poss and any(w in TITLE_HEADS for w in poss.group(1).split()[:3]):
            person.attrs.setdefault("title", poss.group(1))
            ctx.add(WORKS_FOR, person.index, owner.index, 0.8, sent, title=poss.group(1))
            return True
    stop = _APPOS_END.search(text, p + 1, sent.end_char)
    limit = stop.start() if stop else sent.end_char
    for cm in re.finditer(r"\s(?:of|at|for|with)\s+(?:the\s+)?", text[p:limit]):
        org = starts.get(p + cm.end())
        owned = re.match(r"(?:state|privately|publicly|family|government)-(?:owned|run|held)\s+", text[p + cm.end():])
        if org is None and owned:
            # "a director of state-owned Banco do Brasil"
            org = starts.get(p + cm.end() + owned.end())
        if org is None:
            # "Director General of CzechTrade": a short name the report gave
            # the body before ("... Agency CzechTrade") that no mention covers.
            word = re.match(r"[A-Z][\w&-]+(?=[,.;]|\s+(?:said|told)\b|$)", text[p + cm.end():limit])
            org = _short_names(ctx).get(word.group(0)) if word else None
        if org is None or org.type not in (ORGANIZATION, PLACE):
            continue
        title = text[p:p + cm.start()].strip()
        if not title or not any(w.lower() in TITLE_HEADS for w in title.split()) or len(title.split()) > 8:
            return False
        person.attrs.setdefault("title", title)
        ctx.add(WORKS_FOR, person.index, org.index, 0.85, sent, title=title)
        return True
    title = text[p:limit].strip()
    words = title.split()
    # "vice minister of trade and integration": a post without a body.
    if (words and len(words) <= 7 and words[0].lower() != "who" and all(w.islower() for w in words)
            and any(w in TITLE_HEADS for w in words[:3])):
        person.attrs.setdefault("title", title)
        return True
    return False


def _short_names(ctx: Context) -> dict[str, Entity]:
    """Organisations by the last word of a full name of three words or more
    ("Czech Trade Promotion Agency CzechTrade" -> "CzechTrade") and by their
    one-word aliases."""
    out: dict[str, Entity] = {}
    for e in ctx.entities:
        if e.type != ORGANIZATION:
            continue
        for form in [e.name, *e.aliases]:
            words = form.split()
            if len(words) == 1 or len(words) >= 3 and words[-1][:1].isupper() and words[-1].lower() not in ORG_HEADS \
                    and words[-1].lower() not in LEGAL_SUFFIXES and words[-2].lower() != "of":
                out.setdefault(words[-1], e)
    return out


_IN_COUNTRY_RE = re.compile(r",[ \t]+|\s+in\s+(?:the\s+)?")


def _gazetteer_rules(ctx: Context) -> None:
    """Cities and regions lie in their country where the text says so:
    "Poti, Georgia", "Mersin in Turkey". Naming both in a report is not
    enough (the gazetteer knows it, the report does not state it)."""
    for e in ctx.entities:
        if e.type != PLACE or e.kind not in ("city", "region"):
            continue
        for m in real_mentions(e):
            link = _IN_COUNTRY_RE.match(ctx.text, m.end)
            country = ctx.starts.get(link.end()) if link else None
            if country is None or country.type != PLACE or country.kind != "country" or country.country != e.country:
                continue
            span = ctx.doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None:
                ctx.add(LOCATED_IN, e.index, country.index, 0.6, span.sent)
                break


# "The delegation included:" at a line end, then one member per bullet line.
_LIST_INTRO_RE = re.compile(r"\b(?:includ(?:ed|es|e|ing)|compris(?:ed|es|e|ing)|consist(?:ed|s)?\s+of|"
                            r"members?|participants?|companies|firms|were|are)\b")
_LINE_END_COLON = re.compile(r":[ \t]*\n")
_BULLET_RE = re.compile(rf"[ \t]*(?:{BULLET_MARK})?[ \t]*")
# "Its members: A, B and C." on one line.
_INLINE_LIST_RE = re.compile(r"\b(?:includ(?:ed|es|e)|compris(?:ed|es|e)|members|participants|companies)\s*:[ \t]*(?=\S)")
# "Among the companies in the group were A; B; and C." / "Among them were ..."
_AMONG_RE = re.compile(r"\b[Aa]mong\s+(?P<who>them|those|the\s+[^,.;:\n]{1,60}?)(?:\s+(?:were|was|are|is)\s+|,\s+)")


def _group_of(ctx: Context, start: int, end: int) -> int:
    """The delegation a list belongs to: one named in the span, else the
    report's only delegation. A delegation named elsewhere only as a plan
    ("A trade mission of ... is planned for June") is not it, even where the
    list's own reference ("the exhibitors") was joined to it."""
    def planned(m: Mention) -> bool:
        span = ctx.doc.char_span(m.start, m.end, alignment_mode="expand")
        verb = next((v for v in span.root.ancestors if v.pos_ in ("VERB", "AUX")), None) if span else None
        return verb is not None and (is_future(verb) or verb.lemma_ in ("plan", "prepare", "schedule"))

    def later(e: Entity) -> bool:
        others = [m for m in e.mentions if not start <= m.start < end]
        return bool(others) and all(planned(m) for m in others)

    for m_start, e in sorted(ctx.starts.items()):
        if start <= m_start < end and e.type == MISSION:
            return e.index
    for i in range(len(ctx.doc)):
        t = ctx.doc[i]
        if start <= t.idx < end and ctx.ent(t) >= 0 and ctx.entities[ctx.ent(t)].type == MISSION:
            return -1 if later(ctx.entities[ctx.ent(t)]) else ctx.ent(t)
    missions = [e for e in ctx.entities if e.type == MISSION]
    return missions[0].index if len(missions) == 1 and not later(missions[0]) else -1


def _first_org_at(ctx: Context, start: int, end: int) -> int:
    for m_start, e in sorted(ctx.starts.items()):
        if start <= m_start < end and e.type in (ORGANIZATION, PERSON):
            return e.index
    return -1


# "The programme included:", "Products on show included:": the lines below
# are agenda items or goods, not members.
_NOT_MEMBERS_RE = re.compile(r"\b(?:programmes?|programs?|agendas?|itinerar(?:y|ies)|schedules?|topics?|products?|"
                             r"goods|items|exhibits|sessions?|visits?|stops?|destinations?|cities|sites)\b",
                             re.IGNORECASE)


def _programme_list(ctx: Context, line_start: int, pos: int) -> None:
    """A delegation's programme listed line by line: a line that names an
    event is an event the delegation took part in."""
    text = ctx.text
    intro = ctx.doc.char_span(line_start, pos - 1, alignment_mode="expand")
    if intro is None or not re.search(r"\b(?:programmes?|programs?|agendas?|itinerar(?:y|ies)|schedules?)\b",
                                      intro.text, re.IGNORECASE):
        return
    group = _group_of(ctx, line_start, pos)
    if group < 0:
        return
    while pos < len(text):
        while pos < len(text) and text[pos] == "\n":
            pos += 1
        bullet = _BULLET_RE.match(text, pos)
        line_end = text.find("\n", pos)
        line_end = len(text) if line_end < 0 else line_end
        if bullet is None or bullet.end() == pos or pos >= len(text):
            break  # the list ends at the first unbulleted line
        at = bullet.end() + (4 if text.startswith("the ", bullet.end()) else 0)
        event = ctx.starts.get(at)
        sent = ctx.doc.char_span(pos, line_end, alignment_mode="expand")
        if event is not None and event.type == EVENT and sent is not None:
            ctx.add(PARTICIPATED_IN, group, event.index, 0.7, sent)
        pos = line_end


def _exhibited_at(ctx: Context, start: int, end: int) -> int:
    """For a list of exhibitors ("Among the exhibitors were", "The exhibitors
    included:"), the event they exhibited at: the last event something took
    part in before the list, else the report's only event."""
    if not re.search(r"\bexhibitors\b", ctx.text[start:end], re.IGNORECASE):
        return -1
    before = [f.target for f in ctx.found if f.type == PARTICIPATED_IN and f.sentence[0] < start]
    if before:
        return before[-1]
    events = [e.index for e in ctx.entities if e.type == EVENT]
    return events[0] if len(events) == 1 else -1


def _member_lists(ctx: Context) -> None:
    """Members named in lists rather than sentences: bullet lines under an
    introducing line, and "Among the companies were A, B and C"."""
    text = ctx.text
    for colon in _LINE_END_COLON.finditer(text):
        line_start = text.rfind("\n", 0, colon.start()) + 1
        if not _LIST_INTRO_RE.search(text, line_start, colon.start()):
            continue
        if _NOT_MEMBERS_RE.search(text, line_start, colon.start()):
            _programme_list(ctx, line_start, colon.end())
            continue
        group = _group_of(ctx, line_start, colon.end())
        if group < 0:
            continue
        shown_at = _exhibited_at(ctx, line_start, colon.start())
        pos = colon.end()
        bulleted = False
        while True:
            while pos < len(text) and text[pos] == "\n":
                pos += 1
            bullet = _BULLET_RE.match(text, pos)
            if bullet is None or pos >= len(text):
                break
            # A bulleted list ends at the first line without a bullet.
            has_bullet = bool(text[pos:bullet.end()].strip())
            if bulleted and not has_bullet:
                break
            bulleted = bulleted or has_bullet
            line_end = text.find("\n", pos)
            line_end = len(text) if line_end < 0 else line_end
            # Each line must open with a member's name, bulleted or not.
            member = _first_org_at(ctx, bullet.end(), bullet.end() + 1)
            if member < 0:
                break
            sent = ctx.doc.char_span(pos, line_end, alignment_mode="expand")
            if member >= 0 and sent is not None:
                ctx.add(MEMBER_OF, member, group, 0.75, sent)
                if shown_at >= 0:
                    ctx.add(PARTICIPATED_IN, member, shown_at, 0.7, sent)
            pos = line_end
    for im in _INLINE_LIST_RE.finditer(text):
        span = ctx.doc.char_span(im.start(), im.end(), alignment_mode="expand")
        if span is None:
            continue
        sent = span.sent
        group = _group_of(ctx, sent.start_char, im.start())
        if group < 0:
            continue
        for s0, e in sorted(ctx.starts.items()):
            if im.end() <= s0 < sent.end_char and e.type in (ORGANIZATION, PERSON) and (
                    s0 == im.end() or re.search(r"(?:,|;|\band)\s*$", text[im.end():s0])):
                ctx.add(MEMBER_OF, e.index, group, 0.75, sent)
    for am in _AMONG_RE.finditer(text):
        span = ctx.doc.char_span(am.start(), am.end(), alignment_mode="expand")
        if span is None:
            continue
        sent = span.sent
        who = am.group("who")
        if not (who in ("them", "those") or any(n in who for n in FIRM_NOUNS | {"group", "delegation", "members",
                                                                                 "mission", "firms"})):
            continue
        group = _group_of(ctx, am.start("who"), am.end("who"))
        shown_at = _exhibited_at(ctx, am.start(), am.end())
        listing = text[am.end():sent.end_char]
        if am.group(0).rstrip().endswith(","):
            # "Among the participating firms, A and B were singled out":
            # the list is the clause's subject.
            cut = _LIST_VERB_RE.search(listing)
            listing = listing[:cut.start()] if cut else ""
        # Each listed name, not the bodies inside their descriptions; a name
        # may follow a description ("and the start-up Kerecis").
        pos = am.end()
        for piece in re.split(r"(;|,|\band\b)", listing):
            at = pos
            pos += len(piece)
            lead = _LIST_LEAD_RE.match(piece)
            listed = ctx.starts.get(at + lead.end()) if lead else None
            if listed is not None and listed.type in (ORGANIZATION, PERSON):
                if group >= 0:
                    ctx.add(MEMBER_OF, listed.index, group, 0.75, sent)
                if shown_at >= 0:
                    ctx.add(PARTICIPATED_IN, listed.index, shown_at, 0.7, sent)


# The start of a listed name: spaces, then "the start-up", "the pharmaceutical
# group" (a description with no preposition in it) or nothing.
_LIST_LEAD_RE = re.compile(r"\s*(?:(?:the|an?)\s+(?:(?!(?:to|of|for|with|from|by|in|at|on)\s)[a-z][\w-]*\s+){0,3})?")
_LIST_VERB_RE = re.compile(r"\s(?:were|was|are|is|have|has|had|received|signed|won|concluded)\s")


# "X, based in Y", "X (Y)", "X, which has its head office in Y", "X, the
# exhibition company based in Y": what the text says about where X is.
_WHERE_AFTER_RE = re.compile(
    r"(?:\s*\([A-Z][A-Za-z&.-]{1,14}\))?,?\s+(?:(?:which|that)\s+(?:is|was|are|were)\s+)?"
    r"(?:(?:also|now|currently)\s+)?(?:headquartered|based|located|situated|registered|held|staged)\s+in\s+(?:the\s+)?"
    r"|(?:\s*\([A-Z][A-Za-z&.-]{1,14}\))?,?\s+(?:which|that)\s+(?:has|had)\s+(?:its\s+|an?\s+)?"
    r"(?:head\s+office|headquarters|main\s+office|registered\s+office|seat|base|offices?)\s+in\s+(?:the\s+)?"
    # "KOTRA's office in Madrid"
    r"|(?:'s|’s)\s+(?:(?:regional|representative|trade|branch|liaison)\s+)?(?:office|branch|bureau)\s+in\s+"
    r"(?:the\s+)?"
    r"|,\s+(?:an?|the)\s+(?:[a-z][\w-]*\s+){0,6}?(?:headquartered|based|located|situated|held)\s+in\s+(?:the\s+)?"
    r"|\s+\((?=[^()\n]{2,40}\))"
)
_OF_PLACE_RE = re.compile(r"\s+(?:of|from)\s+(?:the\s+)?")
_IN_RE = re.compile(r"\s+in\s+")
# "X, a grower of table grapes in Ica", "X, a cooperative of avocado
# producers from La Libertad", "X, which exports bananas from Piura": a
# description of what a body does, ending in where it does it.
_DESCRIBED_IN_RE = re.compile(
    r"(?:\s*\([A-Z][A-Za-z&.-]{1,14}\))?,\s+(?:(?:an?|the)\s+(?:[\w’'-]+\s+){0,3}?"
    r"(?:grower|producer|maker|manufacturer|exporter|importer|processor|supplier|distributor|trader|shipper|"
    r"company|firm|cooperative|co-operative|group|operator|farm|mill|plant|factory|brewery|winery)s?"
    r"(?:\s+of\s+(?:[\w’'-]+\s+){1,4}?)?"
    r"|which\s+(?:exports?|produces?|grows?|makes?|manufactures?|operates?|ships?|farms?|processes|mines?|runs?)"
    r"\s+(?:[\w’'-]+\s+){1,4}?)(?:in|from)\s+(?:the\s+)?")
# "X, a Y-based maker", "X is a Y-based"; "the Y-based X".
_BASED_BEFORE_RE = re.compile(r"(?:\s*\([A-Z][A-Za-z&.-]{1,14}\))?(?:,|\s+(?:is|was))\s+(?:an?|the)\s+"
                              r"(?:[a-z][\w-]*\s+){0,3}$")
_BASED_AFTER_RE = re.compile(r"-based\s+(?:[a-z][\w-]*\s+){0,4}")
# "the Hamburg office of X"; "X's Seoul office".
_OFFICE_OF_RE = re.compile(r"\s+(?:(?:regional|representative|trade|branch|liaison)\s+)?"
                           r"(?:office|branch|bureau|representation)\s+of\s+(?:the\s+)?")
_POSSESSIVE_RE = re.compile(r"(?:'s|’s|')\s+")
_OFFICE_AFTER_RE = re.compile(r"\s+(?:(?:regional|representative|trade|branch|liaison)\s+)?"
                              r"(?:office|branch|bureau|representation)\b")


def _stated_locations(ctx: Context) -> None:
    """LOCATED_IN from the phrases reports use to say where a body or an
    event is, read off the text around the names (the parse often hangs
    these participles and parentheses elsewhere)."""
    text = ctx.text
    ends: dict[int, Entity] = {}
    for e in ctx.entities:
        if e.type in (ORGANIZATION, EVENT):
            for mention in e.mentions:
                ends.setdefault(mention.end, e)
    places = {s: e for s, e in ctx.starts.items() if e.type == PLACE}

    def add(thing: Entity, place: Entity, at: int) -> None:
        span = ctx.doc.char_span(at, at + 1, alignment_mode="expand")
        if span is not None:
            ctx.add(LOCATED_IN, thing.index, place.index, 0.75, span.sent)

    for end, thing in ends.items():
        m = _WHERE_AFTER_RE.match(text, end)
        if not m and thing.type == ORGANIZATION:
            # "Ararat Cargo CJSC of Yerevan": the name ends before "of".
            m = _OF_PLACE_RE.match(text, end) or _DESCRIBED_IN_RE.match(text, end)
            if not m and text[:end].rsplit(None, 1)[-1].lower() in LEGAL_SUFFIXES:
                # "Harbourside Foods Ltd. in Dartmouth": a registered company
                # named with its town.
                m = _IN_RE.match(text, end)
        if m:
            place = places.get(m.end())
            if place is not None:
                pm = next(x for x in place.mentions if x.start == m.end())
                if not m.group(0).endswith("(") or text[pm.end:pm.end + 1] == ")":
                    add(thing, place, end)
        m = _POSSESSIVE_RE.match(text, end)
        if m and thing.type == ORGANIZATION:
            place = places.get(m.end())
            owned = next((x for x in place.mentions if x.start == m.end()), None) if place else None
            if place is not None and owned is not None and _OFFICE_AFTER_RE.match(text, owned.end):
                add(thing, place, end)
    for start, place in places.items():
        pm = next(x for x in place.mentions if x.start == start)
        m = _OFFICE_OF_RE.match(text, pm.end)
        if m:
            owner = ctx.starts.get(m.end())
            if owner is not None and owner.type == ORGANIZATION:
                add(owner, place, start)
            continue
        m = _BASED_AFTER_RE.match(text, pm.end)
        if not m:
            continue
        after = ctx.starts.get(pm.end + m.end() - m.start())
        if after is not None and after.type == ORGANIZATION:
            add(after, place, start)
            continue
        line_start = text.rfind("\n", 0, start) + 1
        before = _BASED_BEFORE_RE.search(text, line_start, start)
        if before:
            owner = ends.get(before.start())
            if owner is not None and owner.type == ORGANIZATION:
                add(owner, place, start)


# Words that say an event was held, hosted or organised ("took place",
# "co-hosted", "was staged"); the parser often splits "co-" or misreads
# them, so they are read as words.
_HOLD_WORD = re.compile(r"(?:co-?)?(?:host|organi[sz]|hold|held|stag|convene|took|take|taking|open)", re.IGNORECASE)


def _takes_part(tok: Token) -> bool:
    """"took part", "taking part": attending, not holding."""
    return tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "part"


def _event_venues(ctx: Context) -> None:
    """LOCATED_IN for an event from the place its holding clause names:
    "organised the forum in Nairobi", "the forum took place on 9 April at
    the Grand Hotel in Hanoi", "the roundtable, which the chamber co-hosted
    with Y in Halifax". From the event's name, the words up to "at"/"in"
    must hold a verb of holding and no other verb; a venue's name is passed
    over to the place after it (ONTOLOGY.md: LOCATED_IN ends at a Place)."""
    doc = ctx.doc
    owner = ctx.tok_ent
    # The last token of each event mention (read from the list, not token by token: this runs per report).
    ends = [i for i, ev in enumerate(owner) if ev >= 0 and ctx.entities[ev].type == EVENT
            and not (i + 1 < len(owner) and owner[i + 1] == ev)]
    for i in ends:
        tok, ev = doc[i], owner[i]
        sent = tok.sent
        first = i
        while first > sent.start and ctx.ent(doc[first - 1]) == ev:
            first -= 1
        # "organised the forum at ...": a holding verb right before the name
        # ("took part in the forum" is no holding).
        held = any(_HOLD_WORD.match(t.text) and t.pos_ in ("VERB", "AUX") and not _takes_part(t)
                   for t in doc[max(sent.start, first - 3):first])
        j = i + 1
        while j < sent.end:
            t = doc[j]
            e = ctx.ent(t)
            if t.text in (";", ":") or e >= 0 and ctx.entities[e].type == EVENT:
                break
            if e >= 0:
                # A name on the way (the co-host, the venue): the place may follow it.
                while j + 1 < sent.end and ctx.ent(doc[j + 1]) == e:
                    j += 1
            elif _HOLD_WORD.fullmatch(t.lemma_) or _HOLD_WORD.match(t.text) and t.tag_ in ("VBD", "VBN", "JJ"):
                held = not _takes_part(t)
            elif t.pos_ == "VERB" and t.text != "-":
                break
            elif held and t.lower_ in ("at", "in") and t.pos_ == "ADP":
                k = j + 1
                while k < sent.end and doc[k].lower_ == "the":
                    k += 1
                where = ctx.ent(doc[k]) if k < sent.end else -1
                if where >= 0 and ctx.entities[where].type == PLACE:
                    ctx.add(LOCATED_IN, ev, where, 0.7, sent)
                    break
            j += 1


_WHICH_RE = re.compile(r",\s+(?:which|that)\s+(?:the\s+)?")
_ORGANISED_WITH_RE = re.compile(r"\s+(?:co-?)?(?:hosted|organi[sz]ed|staged|convened|sponsored)"
                                r"(?:\s+(?:(?:jointly|together)\s+)?with\s+(?:the\s+)?)?")


def _organised_which(ctx: Context) -> None:
    """"the roundtable, which the chamber co-hosted with the department":
    an object relative clause the parser breaks at "co-"; both hosts
    organised the event."""
    text = ctx.text
    # "which the Chamber co-hosted": a reference ("the Chamber") counts here.
    starts = {x.start: o for o in ctx.entities for x in o.mentions}
    for e in ctx.entities:
        if e.type != EVENT:
            continue
        for m in real_mentions(e):
            wm = _WHICH_RE.match(text, m.end)
            first = starts.get(wm.end()) if wm else None
            if wm is None or first is None or first.type not in (ORGANIZATION, PERSON):
                continue
            end = max(x.end for x in first.mentions if x.start == wm.end())
            vm = _ORGANISED_WITH_RE.match(text, end)
            if vm is None:
                continue
            hosts = [first]
            second = starts.get(vm.end()) if vm.group(0).rstrip().endswith(("with", "the")) else None
            if second is not None and second.type == ORGANIZATION:
                hosts.append(second)
            span = ctx.doc.char_span(m.start, m.end, alignment_mode="expand")
            for h in hosts:
                if span is not None:
                    ctx.add(ORGANIZED, h.index, e.index, 0.75, span.sent)


# ", the shipping line", ", a Polish drug maker": what only a company is.
_COMPANY_APPOS_RE = re.compile(
    r",\s+(?:the|an?)\s+(?:[\w-]+\s+){0,3}?(?:company|firm|shipping\s+line|group|maker|manufacturer|producer|"
    r"carrier|operator|bank|brand|start-up|startup|supplier|exporter|importer|distributor|trader|airline|"
    r"conglomerate|retailer|wholesaler)\b(?![’'-])")  # not "Smith, the group's chairman"
_DEAL_BETWEEN_RE = re.compile(r"\b(?:MoU|memorandum|agreement|contract|deal|accord)\s+between\s+(?:the\s+)?$",
                              re.IGNORECASE)


def _as_company(ctx: Context, e: Entity) -> None:
    """A body the parser's name finder took for a person ("Eimskip")."""
    if e.type == PERSON and not e.attrs.get("title") and all(" " not in m.text for m in e.mentions) \
            and len({m.text for m in e.mentions}) == 1:
        e.type = ORGANIZATION
        e.kind = "enterprise"
        for m in e.mentions:
            m.type = ORGANIZATION


def people_that_are_bodies(ctx: Context) -> None:
    """One-word "persons" the text shows to be companies: "Eimskip, the
    shipping line", "an MoU between Polpharma and the Kenya Medical Supplies
    Authority". People in reports have a first name or a title."""
    text = ctx.text
    for e in ctx.entities:
        if e.type != PERSON:
            continue
        for m in real_mentions(e):
            line_start = text.rfind("\n", 0, m.start) + 1
            if _COMPANY_APPOS_RE.match(text, m.end) or _DEAL_BETWEEN_RE.search(text, line_start, m.start) \
                    and re.match(r"\s+and\s+(?:the\s+)?[A-Z]", text[m.end:]):
                _as_company(ctx, e)
                break
