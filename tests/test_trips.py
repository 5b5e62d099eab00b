"""Missions as trips (graph.resolve.name_trips, link_sending_bodies): one
node per trip, named so a person can tell trips apart, and tied to the body
whose delegation it is."""

from __future__ import annotations

from graph.model import Entity
from graph.ontology import MISSION
from graph.sqlite_store import SqliteStore
from queries.meetings import meetings_page
from tests.builders import report

KZ = {"kind": "country", "country": "KZ"}
BY = {"kind": "country", "country": "BY"}
CQ_COMMISSION = ("Organization", "Chongqing Municipal Commission of Commerce", {"kind": "commission", "country": "CN"})


def missions(store: SqliteStore) -> list[Entity]:
    return store.search_entities(None, type=MISSION, limit=100)


def trip_2021() -> object:
    return report(
        "The Chongqing business delegation led by the Chongqing Municipal Commission of Commerce visited Kazakhstan.",
        date="2021-06-10",
        entities={"d": ("Mission", "Chongqing business delegation"), "c": CQ_COMMISSION, "k": ("Place", "Kazakhstan", KZ)},
        relations=[("LED", "c", "d"), ("VISITED", "d", "k")])


def trip_2024() -> object:
    return report(
        "From 8 to 15 June the Chongqing business delegation led by the Chongqing Municipal Commission of Commerce"
        " visited Kazakhstan and Belarus.",
        date="2024-06-20",
        entities={"d": ("Mission", "Chongqing business delegation"), "c": CQ_COMMISSION,
                  "k": ("Place", "Kazakhstan", KZ), "b": ("Place", "Belarus", BY)},
        relations=[("LED", "c", "d"), ("VISITED", "d", "k"), ("VISITED", "d", "b", {"date": "2024-06-08"})])


def test_two_trips_of_one_body_are_two_missions_named_by_where_and_when(sqlite_store: SqliteStore) -> None:
    sqlite_store.upsert_extraction(trip_2021())  # type: ignore[arg-type]
    sqlite_store.upsert_extraction(trip_2024())  # type: ignore[arg-type]
    names = sorted(m.name for m in missions(sqlite_store))
    assert names == ["Chongqing business delegation to Kazakhstan and Belarus, June 2024",
                     "Chongqing business delegation to Kazakhstan, June 2021"]
    # The reported name stays findable.
    assert all("Chongqing business delegation" in m.aliases for m in missions(sqlite_store))


def test_the_same_trip_in_two_reports_is_one_mission(sqlite_store: SqliteStore) -> None:
    sqlite_store.upsert_extraction(trip_2024())  # type: ignore[arg-type]
    again = report(
        "In June the Chongqing business delegation led by the Chongqing Municipal Commission of Commerce"
        " visited Kazakhstan and Belarus, the commission said.",
        date="2024-06-21",
        entities={"d": ("Mission", "Chongqing business delegation"), "c": CQ_COMMISSION,
                  "k": ("Place", "Kazakhstan", KZ), "b": ("Place", "Belarus", BY)},
        relations=[("LED", "c", "d"), ("VISITED", "d", "k"), ("VISITED", "d", "b")])
    sqlite_store.upsert_extraction(again)
    assert len(missions(sqlite_store)) == 1


def test_missions_called_only_delegation_never_merge_across_reports(sqlite_store: SqliteStore) -> None:
    for who in ("Aksu Dairy LLP", "Kazakh Grain Export LLP"):
        sqlite_store.upsert_extraction(report(
            f"The delegation, with {who}, visited Belarus.", date="2024-03-01",
            entities={"d": ("Mission", "delegation"), "o": ("Organization", who, {"country": "KZ"}),
                      "b": ("Place", "Belarus", BY)},
            relations=[("MEMBER_OF", "o", "d"), ("VISITED", "d", "b")]))
    found = missions(sqlite_store)
    assert len(found) == 2
    assert {m.name for m in found} == {"delegation to Belarus, March 2024"}


def test_a_delegation_of_an_organisation_meets_for_it(sqlite_store: SqliteStore) -> None:
    x = report(
        "A delegation of the Polish Chamber of Commerce, led by Marek Zielinski, met the Ministry of Industry"
        " and Trade of Vietnam.",
        date="2022-11-14",
        entities={"d": ("Mission", "delegation"),
                  "p": ("Organization", "Polish Chamber of Commerce", {"kind": "chamber", "country": "PL"}),
                  "z": ("Person", "Marek Zielinski"),
                  "m": ("Organization", "Ministry of Industry and Trade of Vietnam", {"kind": "ministry", "country": "VN"})},
        relations=[("LED", "z", "d"), ("MET_WITH", "d", "m")])
    sqlite_store.upsert_extraction(x)
    met = meetings_page(sqlite_store, "Polish Chamber of Commerce").items
    assert [(m.b.name, [v.type for v in m.via]) for m in met] == [
        ("Ministry of Industry and Trade of Vietnam", [MISSION])]
    organised = sqlite_store.relations(types=["ORGANIZED"])
    assert len(organised) == 1 and "delegation of the Polish Chamber" in organised[0].evidence[0].text


def test_a_delegation_of_nationals_is_not_an_organisations() -> None:
    from graph.resolve import link_sending_bodies

    x = report("A delegation of Kazakh food and grain exporters visited Chongqing.",
               entities={"d": ("Mission", "delegation"),
                         "k": ("Organization", "Kazakh Grain Export LLP", {"aliases": ["Kazakh"]})})
    assert link_sending_bodies(x).relations == []
