"""Queries on a small hand-built graph whose answers follow from the reports.

The world: a Chongqing delegation (led by the commission, Changan Auto a
member) met the Atameken chamber and Astana Motors in 2022. In 2023 Atameken
met the Kazakh auto-parts dealers' association. Almaty Auto Parts Market is
in the auto-parts trade (ISIC 45) and Steppe Wholesale Trading in wholesale
(46, same section G), each stated in two reports.
"""

from __future__ import annotations

import os

import pytest

from graph.store import Store, UnknownEntity
from queries.common import find_entity
from queries.connections import connections, neighbourhood
from queries.meetings import meetings_page, who_met_whom
from queries.partners import partner_candidates
from queries.recommend import NEIGHBOUR_CAP, cap_neighbours, recommend_contacts
from queries.timeline import timeline
from tests.builders import report

KZ = {"kind": "country", "country": "KZ"}
COMMISSION = ("Organization", "Chongqing Municipal Commission of Commerce",
              {"kind": "commission", "country": "CN", "aliases": ["Chongqing Commission of Commerce"]})
CHANGAN = ("Organization", "Changan Auto", {"kind": "enterprise", "country": "CN"})
ATAMEKEN = ("Organization", "Atameken Chamber", {"kind": "chamber", "country": "KZ"})
ASTANA_MOTORS = ("Organization", "Astana Motors", {"kind": "enterprise", "country": "KZ"})
DEALERS = ("Organization", "Kazakh Auto Parts Dealers Association", {"kind": "chamber", "country": "KZ"})
ALMATY_MARKET = ("Organization", "Almaty Auto Parts Market", {"kind": "enterprise", "country": "KZ"})
STEPPE = ("Organization", "Steppe Wholesale Trading", {"kind": "enterprise", "country": "KZ"})
MOTOR_TRADE = ("Sector", "auto parts trade", {"code": "45"})
WHOLESALE = ("Sector", "wholesale", {"code": "46"})

# The mission as stored: the trip, by destination and month (graph.resolve.name_trips).
TRIP_2022_NAME = "Chongqing business delegation to Kazakhstan, May 2022"

TRIP_2022 = report(
    "The Chongqing business delegation was led by the Chongqing Municipal Commission of Commerce. "
    "Changan Auto was part of the Chongqing business delegation. "
    "The Chongqing business delegation met with Atameken Chamber in Astana. "
    "The Chongqing business delegation held talks with Astana Motors, an auto parts trade dealer. "
    "The Chongqing business delegation visited Kazakhstan.",
    date="2022-05-10",
    entities={
        "d": ("Mission", "Chongqing business delegation"),
        "c": COMMISSION, "ch": CHANGAN, "a": ATAMEKEN, "m": ASTANA_MOTORS,
        "x": ("Place", "Astana", {"kind": "city", "country": "KZ"}),
        "kz": ("Place", "Kazakhstan", KZ),
        "s": MOTOR_TRADE,
    },
    relations=[("LED", "c", "d"), ("MEMBER_OF", "ch", "d"), ("MET_WITH", "d", "a"), ("MET_WITH", "d", "m"),
               ("LOCATED_IN", "a", "x"), ("IN_SECTOR", "m", "s"), ("VISITED", "d", "kz")],
)

DEALERS_2023 = report(
    "Atameken Chamber met the Kazakh Auto Parts Dealers Association in Almaty. "
    "The Kazakh Auto Parts Dealers Association represents the auto parts trade. "
    "Almaty Auto Parts Market sells in the auto parts trade. "
    "Steppe Wholesale Trading works in wholesale.",
    date="2023-06-24",
    entities={"a": ATAMEKEN, "k": DEALERS, "p": ALMATY_MARKET, "w": STEPPE, "s": MOTOR_TRADE, "s2": WHOLESALE},
    relations=[("MET_WITH", "a", "k"), ("IN_SECTOR", "k", "s"), ("IN_SECTOR", "p", "s"), ("IN_SECTOR", "w", "s2")],
)

MARKETS_2024 = report(
    "Almaty Auto Parts Market expanded its auto parts trade. "
    "Steppe Wholesale Trading expanded in wholesale.",
    date="2024-02-01",
    entities={"p": ALMATY_MARKET, "w": STEPPE, "s": MOTOR_TRADE, "s2": WHOLESALE},
    relations=[("IN_SECTOR", "p", "s"), ("IN_SECTOR", "w", "s2")],
)


@pytest.fixture
def world(store: Store) -> Store:
    for r in (TRIP_2022, DEALERS_2023, MARKETS_2024):
        store.upsert_extraction(r)
    return store


def test_find_entity_by_alias_id_and_country_code(world: Store) -> None:
    e = find_entity(world, "Chongqing Commission of Commerce")
    assert e.name == "Chongqing Municipal Commission of Commerce"
    assert find_entity(world, e.id).id == e.id
    assert find_entity(world, "KZ").id == "country-kz"
    assert find_entity(world, "Kazakhstan").id == "country-kz"


def test_unknown_entity_raises(world: Store) -> None:
    with pytest.raises(UnknownEntity):
        find_entity(world, "Nonexistent Widget Company of Mars")
    with pytest.raises(UnknownEntity):
        who_met_whom(world, "Nonexistent Widget Company of Mars")
    with pytest.raises(UnknownEntity):
        timeline(world, "Nonexistent Widget Company of Mars")


def test_a_delegation_member_met_whom_the_delegation_met_via_the_mission(world: Store) -> None:
    rows = who_met_whom(world, "Changan Auto")
    by_name = {m.b.name: m for m in rows}
    assert set(by_name) == {"Atameken Chamber", "Astana Motors"}
    atameken = by_name["Atameken Chamber"]
    assert atameken.inferred and [v.name for v in atameken.via] == [TRIP_2022_NAME]
    assert atameken.evidence and "met with Atameken Chamber" in atameken.evidence[0].text
    assert atameken.first_date == "2022-05-10" and atameken.documents == [TRIP_2022.document.id]
    assert atameken.places == ["Astana"]


def test_who_met_whom_says_where_the_meeting_was_held_when_the_report_does(store: Store) -> None:
    store.upsert_extraction(report(
        "Atameken Chamber met the Minsk Gear Works in Minsk.", date="2025-04-16",
        entities={"a": ATAMEKEN, "g": ("Organization", "Minsk Gear Works", {"country": "BY"}),
                  "m": ("Place", "Minsk", {"kind": "city", "country": "BY"})},
        relations=[("MET_WITH", "a", "g", {"place": "m"})]))
    [meeting] = who_met_whom(store, "Atameken Chamber")
    assert meeting.places == ["Minsk"]


def test_meeting_a_delegation_is_meeting_its_members(world: Store) -> None:
    names = {m.b.name: m for m in who_met_whom(world, "Atameken Chamber")}
    assert {TRIP_2022_NAME, "Changan Auto", "Chongqing Municipal Commission of Commerce",
            "Kazakh Auto Parts Dealers Association"} <= set(names)
    assert not names[TRIP_2022_NAME].inferred
    assert names["Changan Auto"].inferred


def test_who_met_whom_filters_by_kind_country_sector_and_date(world: Store) -> None:
    assert [m.b.name for m in who_met_whom(world, "Changan Auto", kind="chamber")] == ["Atameken Chamber"]
    assert [m.b.name for m in who_met_whom(world, "Changan Auto", sector="auto parts")] == ["Astana Motors"]
    assert {m.b.name for m in who_met_whom(world, "Changan Auto", country="Kazakhstan")} == {
        "Atameken Chamber", "Astana Motors"}
    assert who_met_whom(world, "Changan Auto", country="BY") == []
    later = who_met_whom(world, "Atameken Chamber", since="2023-01-01")
    assert [m.b.name for m in later] == ["Kazakh Auto Parts Dealers Association"]
    assert who_met_whom(world, "Atameken Chamber", until="2021-12-31") == []


def test_all_meetings_newest_first_and_paged(world: Store) -> None:
    rows = who_met_whom(world)
    assert rows[0].last_date == "2023-06-24"
    assert all((a.last_date or "") >= (b.last_date or "") for a, b in zip(rows, rows[1:], strict=False))
    assert who_met_whom(world, limit=2, offset=1) == rows[1:3]
    # A filtered whole-graph listing keeps meetings where either side matches.
    chambers = who_met_whom(world, kind="chamber")
    assert chambers and all("chamber" in (m.a.kind, m.b.kind) for m in chambers)


def test_pages_of_one_entitys_meetings_add_up_to_the_whole_list_and_its_total(world: Store) -> None:
    every = meetings_page(world, "Atameken Chamber")
    assert every.total == len(every.items) >= 3
    pages = [meetings_page(world, "Atameken Chamber", limit=2, offset=o) for o in range(0, every.total, 2)]
    assert [m for p in pages for m in p.items] == every.items
    assert all(p.total == every.total for p in pages)
    assert meetings_page(world, "Atameken Chamber", offset=every.total).items == []


def test_the_proximity_graph_keeps_each_nodes_strongest_ties_the_same_every_time() -> None:
    hub = {f"org-{i:04d}": float(i % 7) for i in range(3 * NEIGHBOUR_CAP)}
    adj = {"hub": dict(hub), "org-0001": {"hub": 1.0}}
    assert cap_neighbours(adj) == 1
    assert len(adj["hub"]) == NEIGHBOUR_CAP and min(adj["hub"].values()) == 4.0
    again = {"hub": dict(hub)}
    cap_neighbours(again)
    assert again["hub"] == adj["hub"] and adj["org-0001"] == {"hub": 1.0}


def test_connection_path_goes_through_the_shared_contact_with_evidence(world: Store) -> None:
    paths = connections(world, "Changan Auto", "Kazakh Auto Parts Dealers Association")
    assert paths
    best = paths[0]
    assert [n.name for n in best.nodes] == ["Changan Auto", TRIP_2022_NAME,
                                            "Atameken Chamber", "Kazakh Auto Parts Dealers Association"]
    assert all(h.evidence for h in best.hops)
    assert connections(world, "Changan Auto", "Kazakh Auto Parts Dealers Association", max_hops=2) == []


def test_neighbourhood_filters_by_kind(world: Store) -> None:
    sub = neighbourhood(world, "Atameken Chamber", hops=2)
    names = {e.name for e in sub.entities.values()}
    assert {"Changan Auto", "Astana", "Kazakh Auto Parts Dealers Association"} <= names
    only = neighbourhood(world, "Atameken Chamber", hops=2, kinds=["chamber"])
    assert {e.name for e in only.entities.values()} == {"Atameken Chamber", "Kazakh Auto Parts Dealers Association"}
    assert all(r.source in only.entities and r.target in only.entities for r in only.relations)


def test_exact_division_outranks_same_section(world: Store) -> None:
    cands = partner_candidates(world, "auto parts trade", country="KZ")
    names = [c.organization.name for c in cands]
    assert names.index("Almaty Auto Parts Market") < names.index("Steppe Wholesale Trading")
    steppe = cands[names.index("Steppe Wholesale Trading")]
    assert steppe.fit == 0.5 and "same ISIC section" in steppe.reasons[0]
    market = cands[names.index("Almaty Auto Parts Market")]
    assert market.fit == 1.0 and len(market.documents) == 2 and market.evidence


def test_partner_candidates_flag_whom_the_asker_already_met(world: Store) -> None:
    cands = {c.organization.name: c for c in partner_candidates(
        world, "45", asker="Chongqing Municipal Commission of Commerce")}
    assert cands["Astana Motors"].known_to_asker
    assert not cands["Almaty Auto Parts Market"].known_to_asker
    assert "already met by the asker" in cands["Astana Motors"].reasons


def test_partner_candidates_filter_by_kind_and_country(world: Store) -> None:
    assert [c.organization.name for c in partner_candidates(world, "45", kinds=["chamber"])] == [
        "Kazakh Auto Parts Dealers Association"]
    assert partner_candidates(world, "45", country="Belarus") == []
    with pytest.raises(ValueError):
        partner_candidates(world, "zzqx blorp")


def test_bodies_met_by_delegations_of_the_sector_are_weaker_candidates(store: Store) -> None:
    for r in (DEALERS_2023, report(
            "The Almaty auto parts mission works in the auto parts trade. "
            "The Almaty auto parts mission met Atameken Chamber.",
            date="2024-03-03",
            entities={"d": ("Mission", "Almaty auto parts mission"), "a": ATAMEKEN, "s": MOTOR_TRADE},
            relations=[("IN_SECTOR", "d", "s"), ("MET_WITH", "d", "a")])):
        store.upsert_extraction(r)
    cands = partner_candidates(store, "45", country="KZ")
    names = [c.organization.name for c in cands]
    chamber = cands[names.index("Atameken Chamber")]
    assert chamber.fit == 0.3
    assert chamber.reasons[0].startswith("met by Almaty auto parts mission")
    # Organisations stated to be in the division still come first.
    assert names.index("Almaty Auto Parts Market") < names.index("Atameken Chamber")
    assert "Almaty auto parts mission" not in names  # a mission is not a partner organisation


def test_warm_path_goes_through_the_org_the_origin_already_met(world: Store) -> None:
    recs = recommend_contacts(world, "Chongqing Municipal Commission of Commerce", ["Kazakhstan"], ["auto parts"])
    names = [r.entity.name for r in recs]
    # Already met: not recommended again; the association comes first, ahead
    # of the market it has no way in to.
    assert "Atameken Chamber" not in names and "Astana Motors" not in names
    assert names[0] == "Kazakh Auto Parts Dealers Association"
    top = recs[0]
    assert [h.target.name for h in top.warm_path][-2:] == ["Atameken Chamber", "Kazakh Auto Parts Dealers Association"]
    assert all(h.evidence for h in top.warm_path if h.relation_id)
    assert top.signals["fit"] == 1.0 and top.signals["facilitator"] == 1.0
    assert any("warm introduction through Atameken Chamber" in r for r in top.reasons)
    assert "Almaty Auto Parts Market" in names


def test_recommendations_as_of_ignore_later_evidence(world: Store) -> None:
    recs = recommend_contacts(world, "Chongqing Municipal Commission of Commerce", ["KZ"], ["45"],
                              as_of="2022-12-31")
    # In 2022 nobody had yet reported the association or the market.
    assert all(r.entity.name not in (
        "Kazakh Auto Parts Dealers Association", "Almaty Auto Parts Market") for r in recs)
    known = recommend_contacts(world, "Chongqing Municipal Commission of Commerce", ["KZ"], ["45"],
                               as_of="2022-12-31", include_known=True)
    assert {r.entity.name for r in known if r.already_met} == {"Atameken Chamber", "Astana Motors"}


def test_timeline_is_in_date_order_with_delegation_activity(world: Store) -> None:
    items = timeline(world, "Changan Auto")
    assert [i.date for i in items] == sorted(i.date for i in items if i.date)
    kinds = {(i.type, i.object.name, i.via.name if i.via else None) for i in items}
    assert ("MEMBER_OF", TRIP_2022_NAME, None) in kinds
    assert ("MET_WITH", "Atameken Chamber", TRIP_2022_NAME) in kinds
    assert ("VISITED", "Kazakhstan", TRIP_2022_NAME) in kinds
    atameken = timeline(world, "Atameken Chamber", since="2023-01-01")
    assert [(i.date, i.object.name) for i in atameken] == [("2023-06-24", "Kazakh Auto Parts Dealers Association")]


def test_proximity_ranks_do_not_depend_on_the_process_hash_seed():
    # Sets of ids iterate in an order that changes with PYTHONHASHSEED; the
    # same question must give the same answer in every process.
    import subprocess
    import sys

    program = (
        "from queries.recommend import personalised_pagerank\n"
        "ids = [f'org-{i}' for i in range(40)]\n"
        "adj = {a: {} for a in ids}\n"
        "for i, a in enumerate(ids):\n"
        "    for b in (ids[(i * 7 + 3) % 40], ids[(i * 11 + 5) % 40]):\n"
        "        if a != b:\n"
        "            adj[a][b] = adj[b][a] = 1.0 + (i % 3)\n"
        "ppr = personalised_pagerank(adj, set(ids[:5]), eps=1e-4)\n"
        "print(repr(sorted(ppr.items())))\n"
    )
    outputs = {subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(outputs) == 1
