"""Who met whom: every meeting (``MEETING_RELATIONS``), or those of one
entity, with the sentences that say so.

A member of a delegation is reported as having met whom the delegation met,
marked ``via`` that mission. That is an inference, never stored as a fact
(ONTOLOGY.md: extraction states what the text states); the store keeps the
ways each entity met each counterpart (``Store.meeting_paths``, derived from
the relations and kept by every write) so that a hub's first page and its
total are read without its thousands of meetings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.model import Entity, Evidence, MeetingPath, Relation
from graph.ontology import MEETING_RELATIONS, MISSION
from graph.store import Store
from queries.common import (
    SENDER_RELATIONS,
    EntityRef,
    Profile,
    country_filter,
    documents_of,
    entities_in,
    evidence_in,
    find_entity,
    only_missions,
    profiles,
    ref,
    sector_filter,
)

# Paths read first for one entity's page (more when the page needs them).
_FIRST_READ = 200
# Without an entity the listing reads at most this many meeting relations
# per page asked for: a page of the whole graph must not read the whole graph.
_SCAN_PER_ROW = 20


@dataclass
class Meeting:
    """``a`` met ``b``; deduplicated across reports and relation types."""

    a: EntityRef
    b: EntityRef
    types: list[str]  # MET_WITH and/or SIGNED_WITH
    via: list[EntityRef] = field(default_factory=list)  # delegations through which a met b
    inferred: bool = False  # True when a met b only as part of a delegation
    first_date: str | None = None
    last_date: str | None = None
    documents: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)  # where it happened, else where the counterpart is
    evidence: list[Evidence] = field(default_factory=list)
    relation_ids: list[str] = field(default_factory=list)


@dataclass
class MeetingPage:
    """One page of meetings in a stable order (newest first, undated last,
    then by counterpart name) and how many there are in all (None when the
    listing of the whole graph stopped reading before the end)."""

    items: list[Meeting]
    total: int | None
    limit: int
    offset: int


@dataclass
class _Pair:
    """Who met whom, as first read: relations without evidence, so that a
    hub's thousands of meetings can be counted and ordered cheaply."""

    a: str
    b: str
    relations: dict[str, Relation] = field(default_factory=dict)
    via: set[str] = field(default_factory=set)
    direct: bool = False
    last: str | None = None  # latest date among the evidence kept

    def add(self, r: Relation, last: str | None, via: str | None) -> None:
        self.relations.setdefault(r.id, r)
        if via is None:
            self.direct = True
        else:
            self.via.add(via)
        if last and (self.last is None or last > self.last):
            self.last = last

    def held_at(self) -> set[str]:
        """Places the reports say it happened."""
        return {r.attrs["place"] for r in self.relations.values() if isinstance(r.attrs.get("place"), str)}


def who_met_whom(
    store: Store,
    entity: str | None = None,
    *,
    country: str | None = None,
    sector: str | None = None,
    kind: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Meeting]:
    """The meetings of ``meetings_page``, without the total."""
    return meetings_page(store, entity, country=country, sector=sector, kind=kind, since=since, until=until,
                         limit=limit, offset=offset).items


def meetings_page(
    store: Store,
    entity: str | None = None,
    *,
    country: str | None = None,
    sector: str | None = None,
    kind: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> MeetingPage:
    """Meetings, newest first. With ``entity``: whom it met (directly or via a
    delegation it belonged to), and the filters apply to the counterpart.
    Without: all meetings, and a filter holds when either side matches.
    ``country`` is a name or ISO code, ``sector`` anything
    ``graph.sectors.normalise_sector`` understands (matched by division).

    With ``entity`` and no filter or window, the newest paths are read until
    they hold the page (``_newest_paths``), then every path of the page's
    counterparts, and the total is the store's count. Otherwise relations
    are read without evidence, counted and ordered. Names are read only
    where the order needs them, evidence only for the page shown."""
    cc = country_filter(country)
    code = sector_filter(sector)
    # With a date window the evidence decides which dates count, so it is read at once.
    windowed = since is not None or until is not None
    pairs: dict[tuple[str, str], _Pair] = {}

    def add(a: str, b: str, r: Relation, via: str | None) -> None:
        if a == b:
            return
        if windowed:
            kept = evidence_in(r, since, until)
            if not kept:
                return
            last = max((ev.date for ev in kept if ev.date), default=None)
        else:
            last = r.date
        key = (a, b)
        if key not in pairs:
            pairs[key] = _Pair(a, b)
        pairs[key].add(r, last, via)

    meeting_types = list(MEETING_RELATIONS)
    complete = True
    total: int | None = None
    if entity is not None:
        e = find_entity(store, entity)
        focus = e.id
        # Whom e met directly, through the delegations it led, joined or sent,
        # and the members of the delegations it met: the store's paths.
        if windowed or cc or code or kind:
            # Dates inside the window or the counterparts' profiles decide:
            # every path is read.
            paths = store.meeting_paths(e.id)
            if windowed:
                evidence = store.relation_evidence(list({p.relation.id: p.relation for p in paths}.values()))
                for path in paths:
                    path.relation.evidence = evidence.get(path.relation.id, [])
        else:
            # Page first: the newest paths, as many as the page needs; the
            # total is kept by the store.
            paths, read_all = _newest_paths(store, e.id, offset + limit)
            if not read_all:
                total = store.meeting_totals([e.id]).get(e.id, 0)
        for path in paths:
            add(e.id, path.counterpart, path.relation, path.via)
    else:
        focus = None
        anchors = entities_in(store, cc, code)
        scan = max(1000, (offset + limit) * _SCAN_PER_ROW)
        rels = store.relations(types=meeting_types, entity_ids=anchors, since=since, until=until,
                               with_evidence=windowed, limit=scan)
        complete = len(rels) < scan
        for r in rels:
            add(r.source, r.target, r, None)
        members = _members(store, only_missions(store, {x for r in rels for x in (r.source, r.target)}))
        crew: dict[str, set[str]] = {}  # mission -> its members
        for member, ms in members.items():
            for m in ms:
                crew.setdefault(m, set()).add(member)
        for r in rels:
            for m in (r.source, r.target):
                other = r.other(m)
                for member in crew.get(m, ()):
                    if member != other:
                        add(member, other, r, m)

    rows = list(pairs.values())
    ents: dict[str, Entity] = {}
    prof: dict[str, Profile] = {}
    if cc or code or kind:
        # Filters need every counterpart's profile; without them the order
        # needs names only where dates tie.
        ents = store.get_entities({x for p in rows for x in (p.a, p.b)}, with_aliases=False)
        prof = profiles(store, ents)
        rows = [p for p in rows if _keep(p, focus, ents, prof, cc=cc, code=code, kind=kind)]
    shown = _page(store, rows, offset, limit, ents)
    if total is not None:
        # Read newest first, the page's pairs may have older paths: all of them.
        assert focus is not None
        for path in store.meeting_paths(focus, counterparts=[p.b for p in shown]):
            add(focus, path.counterpart, path.relation, path.via)
    _read_evidence(store, shown, windowed, focus)
    more = {x for p in shown for x in (p.a, p.b, *p.via, *p.held_at())} - set(ents)
    ents.update(store.get_entities(more, with_aliases=False) if more else {})
    prof.update(profiles(store, {p.b: ents[p.b] for p in shown if p.b in ents and p.b not in prof}))
    items = [_meeting(p, ents, prof, since, until) for p in shown]
    if total is None and complete:
        total = len(rows)
    return MeetingPage(items=items, total=total, limit=limit, offset=offset)


def _newest_paths(store: Store, entity_id: str, need: int) -> tuple[list[MeetingPath], bool]:
    """The newest paths of ``entity_id``, enough for its first ``need``
    counterparts in the page order, and whether they are all its paths.
    Every path dated after the last one read is in (reads stop inside a
    date), so each counterpart kept has its latest date and all who share
    it; the order then needs no other."""
    k = max(_FIRST_READ, 4 * need)
    while True:
        paths = store.meeting_paths(entity_id, limit=k)
        if len(paths) < k:
            return paths, True
        cutoff = paths[-1].relation.date
        newer = [p for p in paths if p.relation.date is not None and (cutoff is None or p.relation.date > cutoff)]
        if len({p.counterpart for p in newer}) >= need:
            return newer, False
        k *= 4


def _members(store: Store, missions: set[str]) -> dict[str, set[str]]:
    """Entity -> the given missions it led, was a member of or sent (one store
    call, no relation records: a hub is met by thousands of delegations)."""
    if not missions:
        return {}
    return store.linked_entities(sorted(missions), types=list(SENDER_RELATIONS), direction="in")


def _page(store: Store, rows: list[_Pair], offset: int, limit: int, ents: dict[str, Entity]) -> list[_Pair]:
    """Rows ``offset`` to ``offset + limit`` in the stable order: newest
    first, undated last, then by counterpart name. Names are read only for
    the date groups the page touches (``ents`` is filled with them)."""
    rows.sort(key=lambda p: p.last or "", reverse=True)
    rows.sort(key=lambda p: p.last is None)
    end = min(len(rows), offset + limit)
    if offset >= end:
        return []
    lo, hi = offset, end
    while lo > 0 and rows[lo - 1].last == rows[offset].last:
        lo -= 1
    while hi < len(rows) and rows[hi].last == rows[end - 1].last:
        hi += 1
    block = rows[lo:hi]
    missing = {p.b for p in block} - set(ents)
    ents.update(store.get_entities(missing, with_aliases=False) if missing else {})
    block.sort(key=lambda p: ents[p.b].name.casefold() if p.b in ents else p.b)
    block.sort(key=lambda p: p.last or "", reverse=True)
    block.sort(key=lambda p: p.last is None)
    return block[offset - lo:end - lo]


def _read_evidence(store: Store, shown: list[_Pair], windowed: bool, focus: str | None) -> None:
    """Attach evidence to the relations of the page (already there when a
    date window made the first read take it). One entity's page reads it
    by its paths (``Store.meeting_evidence``: the entity's range, not a
    random read per relation on a cold cache)."""
    if windowed:
        return
    # One relation may reach the page as several records (one per path).
    rels = [r for p in shown for r in p.relations.values()]
    if rels:
        if focus is not None:
            evidence = store.meeting_evidence(focus, [MeetingPath(counterpart=p.b, relation=r)
                                                      for p in shown for r in p.relations.values()])
        else:
            evidence = store.relation_evidence(list({r.id: r for r in rels}.values()))
        for r in rels:
            r.evidence = evidence.get(r.id, [])


def _matches(eid: str, ents: dict[str, Entity], prof: dict[str, Profile], *,
             cc: str | None, code: str | None, kind: str | None) -> bool:
    e = ents.get(eid)
    if e is None:
        return False
    p = prof.get(eid, Profile())
    if cc and cc not in p.countries:
        return False
    if code and code not in p.sectors:
        return False
    return not (kind and e.kind != kind)


def _keep(p: _Pair, focus: str | None, ents: dict[str, Entity], prof: dict[str, Profile], *,
          cc: str | None, code: str | None, kind: str | None) -> bool:
    if not (cc or code or kind):
        return True
    if focus is not None:
        return _matches(p.b, ents, prof, cc=cc, code=code, kind=kind)
    return any(_matches(x, ents, prof, cc=cc, code=code, kind=kind) for x in (p.a, p.b))


def _meeting(p: _Pair, ents: dict[str, Entity], prof: dict[str, Profile],
             since: str | None, until: str | None) -> Meeting:
    kept: dict[tuple[str, int, int], Evidence] = {}
    for r in p.relations.values():
        for ev in evidence_in(r, since, until):
            kept.setdefault((ev.doc_id, ev.start, ev.end), ev)
    evidence = sorted(kept.values(), key=lambda ev: (ev.date or "", ev.doc_id, ev.start))
    dates = [ev.date for ev in evidence if ev.date]
    return Meeting(
        a=ref(ents, p.a),
        b=ref(ents, p.b),
        types=sorted({r.type for r in p.relations.values()}),
        via=[ref(ents, m) if m in ents else EntityRef(id=m, name=m, type=MISSION) for m in sorted(p.via)],
        inferred=not p.direct,
        first_date=min(dates) if dates else None,
        last_date=max(dates) if dates else None,
        documents=documents_of(evidence),
        # Where the reports say it happened, else where the counterpart is.
        places=sorted({ents[x].name for x in p.held_at() if x in ents}) or sorted(prof.get(p.b, Profile()).places),
        evidence=evidence,
        relation_ids=sorted(p.relations),
    )
