"""Who met whom: every meeting (``MEETING_RELATIONS``), or those of one
entity, with the sentences that say so.

A member of a delegation is reported as having met whom the delegation met,
marked ``via`` that mission. That is an inference made here, at query time;
it is never stored (ONTOLOGY.md: extraction states what the text states).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.model import Entity, Evidence, Relation
from graph.ontology import MEETING_RELATIONS, MISSION
from graph.store import Store
from queries.common import (
    EntityRef,
    Profile,
    country_filter,
    delegation_members,
    documents_of,
    entities_in,
    evidence_in,
    find_entity,
    missions_of,
    only_missions,
    profiles,
    ref,
    sector_filter,
)

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
class _Pair:
    a: str
    b: str
    types: set[str] = field(default_factory=set)
    via: set[str] = field(default_factory=set)
    direct: bool = False
    evidence: dict[tuple[str, int, int], Evidence] = field(default_factory=dict)
    relation_ids: set[str] = field(default_factory=set)
    held_at: set[str] = field(default_factory=set)  # places the reports say it happened

    def add(self, r: Relation, evidence: Iterable[Evidence], via: str | None) -> None:
        self.types.add(r.type)
        self.relation_ids.add(r.id)
        if isinstance(r.attrs.get("place"), str):
            self.held_at.add(r.attrs["place"])
        if via is None:
            self.direct = True
        else:
            self.via.add(via)
        for ev in evidence:
            self.evidence.setdefault((ev.doc_id, ev.start, ev.end), ev)


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
    """Meetings, newest first. With ``entity``: whom it met (directly or via a
    delegation it belonged to), and the filters apply to the counterpart.
    Without: all meetings, and a filter holds when either side matches.
    ``country`` is a name or ISO code, ``sector`` anything
    ``graph.sectors.normalise_sector`` understands (matched by division)."""
    cc = country_filter(country)
    code = sector_filter(sector)
    pairs: dict[tuple[str, str], _Pair] = {}

    def add(a: str, b: str, r: Relation, via: str | None) -> None:
        if a == b:
            return
        ev = evidence_in(r, since, until)
        if (since or until) and not ev:
            return
        key = (a, b)
        if key not in pairs:
            pairs[key] = _Pair(a, b)
        pairs[key].add(r, ev, via)

    meeting_types = list(MEETING_RELATIONS)
    if entity is not None:
        e = find_entity(store, entity)
        focus = e.id
        direct = store.relations(types=meeting_types, entity_ids=[e.id], since=since, until=until)
        for r in direct:
            add(e.id, r.other(e.id), r, None)
        # e met whom its delegations met ...
        own = missions_of(store, [e.id]) if e.type != MISSION else {}
        team = {e.id, *own}
        if own:
            for r in store.relations(types=meeting_types, entity_ids=list(own), since=since, until=until):
                m = r.source if r.source in own else r.target
                other = r.other(m)
                if other not in team:
                    add(e.id, other, r, m)
        # ... and the members of every delegation e met.
        met_missions = only_missions(store, {r.other(e.id) for r in direct})
        if met_missions:
            members = delegation_members(store, list(met_missions))
            for r in direct:
                m = r.other(e.id)
                for member in members.get(m, ()):
                    add(e.id, member, r, m)
    else:
        focus = None
        anchors = entities_in(store, cc, code)
        scan = max(1000, (offset + limit) * _SCAN_PER_ROW)
        rels = store.relations(types=meeting_types, entity_ids=anchors, since=since, until=until,
                               limit=scan)
        for r in rels:
            add(r.source, r.target, r, None)
        missions = only_missions(store, {x for r in rels for x in (r.source, r.target)})
        members = delegation_members(store, list(missions)) if missions else {}
        for r in rels:
            for m in (r.source, r.target):
                other = r.other(m)
                for member in members.get(m, ()):
                    if member != other:
                        add(member, other, r, m)

    if not pairs:
        return []
    ids = {x for k in pairs for x in k} | {m for p in pairs.values() for m in (*p.via, *p.held_at)}
    ents = store.get_entities(ids)
    prof = profiles(store, ents)
    rows = [p for p in pairs.values()
            if _keep(p, focus, ents, prof, cc=cc, code=code, kind=kind)]
    # Newest first, undated last, then by counterpart name (stable sorts).
    rows.sort(key=lambda p: ents[p.b].name.casefold() if p.b in ents else p.b)
    rows.sort(key=lambda p: _last(p) or "", reverse=True)
    rows.sort(key=lambda p: _last(p) is None)
    return [_meeting(p, ents, prof) for p in rows[offset:offset + limit]]


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


def _last(p: _Pair) -> str | None:
    dates = [ev.date for ev in p.evidence.values() if ev.date]
    return max(dates) if dates else None


def _meeting(p: _Pair, ents: dict[str, Entity], prof: dict[str, Profile]) -> Meeting:
    evidence = sorted(p.evidence.values(), key=lambda ev: (ev.date or "", ev.doc_id, ev.start))
    dates = [ev.date for ev in evidence if ev.date]
    return Meeting(
        a=ref(ents, p.a),
        b=ref(ents, p.b),
        types=sorted(p.types),
        via=[ref(ents, m) if m in ents else EntityRef(id=m, name=m, type=MISSION) for m in sorted(p.via)],
        inferred=not p.direct,
        first_date=min(dates) if dates else None,
        last_date=max(dates) if dates else None,
        documents=documents_of(evidence),
        # Where the reports say it happened, else where the counterpart is.
        places=sorted({ents[x].name for x in p.held_at if x in ents}) or sorted(prof.get(p.b, Profile()).places),
        evidence=evidence,
        relation_ids=sorted(p.relation_ids),
    )
