"""The store contract: what every backend must do, run on every backend.

A backend is correct when this whole file passes against it (the ``store``
fixture in conftest.py lists the backends). Queries and exports rely on
nothing else.
"""

from __future__ import annotations

import pytest

from graph.model import Document, Entity, Evidence, Extraction, Relation, normalise_name, relation_id
from graph.sqlite_store import SqliteStore
from graph.store import Store, StoreError, UnknownEntity
from tests.builders import report

ASTANA_2023 = report(
    "The Chongqing business delegation met with the National Atameken Chamber of Entrepreneurs in Astana. "
    "Changan Auto was part of the delegation.",
    date="2023-06-24",
    entities={
        "d": ("Mission", "Chongqing business delegation"),
        "a": ("Organization", "National Atameken Chamber of Entrepreneurs",
              {"kind": "chamber", "country": "KZ", "aliases": ["Atameken"]}),
        "c": ("Organization", "Changan Auto", {"kind": "enterprise", "country": "CN"}),
        "x": ("Place", "Astana", {"kind": "city", "country": "KZ"}),
    },
    relations=[("MET_WITH", "d", "a"), ("MEMBER_OF", "c", "d"), ("VISITED", "d", "x")],
)

# A second report, a year later, naming the chamber by its short form.
ALMATY_2024 = report(
    "Atameken received a Belarusian delegation from the Ministry of Economy of Belarus. "
    "The Ministry of Economy of Belarus signed a memorandum with Atameken.",
    date="2024-03-10",
    entities={
        "a": ("Organization", "Atameken", {"kind": "chamber"}),
        "d": ("Mission", "Belarusian delegation"),
        "m": ("Organization", "Ministry of Economy of Belarus", {"kind": "ministry", "country": "BY"}),
    },
    relations=[("MET_WITH", "a", "d"), ("SIGNED_WITH", "m", "a"), ("MEMBER_OF", "m", "d")],
)


# A mission is stored as the trip it was (graph.resolve.name_trips); the
# reported name stays an alias.
ASTANA_TRIP = "Chongqing business delegation to Kazakhstan, June 2023"


def entity_named(store: Store, name: str) -> Entity:
    hits = [e for e in store.search_entities(name)
            if normalise_name(name) in {normalise_name(f) for f in [e.name, *e.aliases]}]
    assert len(hits) == 1, f"expected one entity named {name!r}, got {hits}"
    return hits[0]


def test_a_report_becomes_entities_and_relations_with_provenance(store: Store) -> None:
    result = store.upsert_extraction(ASTANA_2023)
    assert result.added and result.entities_added == 4 and result.relations_added == 3
    doc = ASTANA_2023.document
    assert store.has_document(doc.id)
    stored = store.get_document(doc.id)
    assert stored is not None and stored.text == doc.text and stored.date == "2023-06-24"

    chamber = store.get_entity(entity_named(store, "National Atameken Chamber of Entrepreneurs").id)
    assert chamber is not None
    assert chamber.kind == "chamber" and chamber.country == "KZ" and "Atameken" in chamber.aliases
    assert chamber.evidence, "an entity without evidence has no provenance"
    for ev in chamber.evidence:
        assert ev.doc_id == doc.id and doc.text[ev.start:ev.end] == ev.text

    [met] = store.relations(types=["MET_WITH"], entity_ids=[chamber.id])
    assert met.confidence == pytest.approx(0.9)
    assert met.date == "2023-06-24"  # the report's date when the sentence gives none
    [ev] = met.evidence
    assert ev.doc_id == doc.id and doc.text[ev.start:ev.end] == ev.text
    assert "met with the National Atameken Chamber" in ev.text


def test_reingesting_a_report_changes_nothing(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    before = store.stats()
    again = store.upsert_extraction(ASTANA_2023)
    assert not again.added and again.entities_added == again.relations_added == again.evidence_added == 0
    assert store.stats() == before


def test_the_same_organisation_in_two_reports_is_one_node_with_both_evidence(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)
    chamber = entity_named(store, "National Atameken Chamber of Entrepreneurs")
    full = store.get_entity(chamber.id)
    assert full is not None
    assert {ev.doc_id for ev in full.evidence} == {ASTANA_2023.document.id, ALMATY_2024.document.id}
    met = store.relations(types=["MET_WITH"], entity_ids=[chamber.id])
    assert len(met) == 2
    assert store.stats().entities_by_type["Organization"] == 3


def test_each_merge_is_recorded_with_its_reason_and_score_and_goes_with_its_report(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)
    chamber = entity_named(store, "National Atameken Chamber of Entrepreneurs")
    [record] = store.merge_records(chamber.id)
    assert (record.doc_id, record.form, record.reason, record.score) == (
        ALMATY_2024.document.id, "atameken", "its name is an alias of the existing entity", 0.9)
    ministry = entity_named(store, "Ministry of Economy of Belarus")
    assert store.merge_records(ministry.id) == []  # made by its only report: nothing was joined
    store.delete_document(ALMATY_2024.document.id)
    assert store.merge_records(chamber.id) == []


def test_the_fullest_form_a_report_gives_names_the_entity(store: Store) -> None:
    store.upsert_extraction(ALMATY_2024)  # "Atameken" first
    store.upsert_extraction(ASTANA_2023)
    chamber = entity_named(store, "Atameken")
    assert chamber.name == "National Atameken Chamber of Entrepreneurs"
    assert "Atameken" in chamber.aliases
    assert normalise_name(chamber.name) not in {normalise_name(a) for a in chamber.aliases}
    assert [e.id for e in store.find_by_forms("Organization", ["atameken"])] == [chamber.id]


def _kind_report(n: int, kind: str) -> Extraction:
    return report(f"Report {n}: Kestrel Components LLC met buyers.",
                  entities={"k": ("Organization", "Kestrel Components LLC", {"kind": kind, "country": "AM"})})


def test_an_organisations_kind_is_the_one_most_reports_give_and_follows_deletes(store: Store) -> None:
    other, *enterprise = [_kind_report(0, "other"), *(_kind_report(n, "enterprise") for n in (1, 2, 3))]
    store.upsert_extraction(other)  # the first report's kind no longer wins
    for x in enterprise:
        store.upsert_extraction(x)
    [kestrel] = store.search_entities("Kestrel Components LLC")
    assert kestrel.kind == "enterprise"
    for x in enterprise[:2]:
        store.delete_document(x.document.id)
    # one report each: a tie goes to a kind other than "other"
    assert store.get_entity(kestrel.id).kind == "enterprise"  # type: ignore[union-attr]
    store.delete_document(enterprise[2].document.id)
    assert store.get_entity(kestrel.id).kind == "other"  # type: ignore[union-attr]


def test_a_copied_organisations_kind_counts_as_one_report(store: Store) -> None:
    first = _kind_report(0, "chamber")
    doc = first.document
    ev = Evidence(doc_id=doc.id, start=10, end=32, text=doc.text[10:32])
    store.write_graph([doc], [Entity(id="kestrel", type="Organization", name="Kestrel Components LLC",
                                     kind="chamber", country="AM", evidence=[ev])], [])
    store.upsert_extraction(_kind_report(1, "enterprise"))  # one each: the tie keeps "chamber"
    assert store.get_entity("kestrel").kind == "chamber"  # type: ignore[union-attr]
    store.upsert_extraction(_kind_report(2, "enterprise"))
    assert store.get_entity("kestrel").kind == "enterprise"  # type: ignore[union-attr]


def test_a_symmetric_relation_stated_both_ways_is_one_relation_with_all_evidence(store: Store) -> None:
    one = report("Alpha Group met Beta Ltd in Minsk.", date="2022-01-05",
                 entities={"a": ("Organization", "Alpha Group"), "b": ("Organization", "Beta Ltd")},
                 relations=[("MET_WITH", "a", "b")])
    two = report("Beta Ltd hosted Alpha Group again.", date="2023-02-07",
                 entities={"b": ("Organization", "Beta Ltd"), "a": ("Organization", "Alpha Group")},
                 relations=[("MET_WITH", "b", "a", {"confidence": 0.6})])
    store.upsert_extraction(one)
    store.upsert_extraction(two)
    [rel] = store.relations(types=["MET_WITH"])
    assert len(rel.evidence) == 2
    assert rel.confidence == pytest.approx(0.9)  # the strongest statement
    assert rel.date == "2023-02-07"  # the latest
    assert rel.first_date == "2022-01-05" and rel.last_date == "2023-02-07"


def test_organisations_of_the_same_name_in_different_countries_stay_apart(store: Store) -> None:
    by = report("The Ministry of Economy met the Gamma delegation.", date="2022-01-01",
                entities={"m": ("Organization", "Ministry of Economy", {"country": "BY", "kind": "ministry"}),
                          "g": ("Mission", "Gamma delegation")},
                relations=[("MET_WITH", "m", "g")])
    kz = report("The Ministry of Economy met the Delta delegation.", date="2022-02-01",
                entities={"m": ("Organization", "Ministry of Economy", {"country": "KZ", "kind": "ministry"}),
                          "g": ("Mission", "Delta delegation")},
                relations=[("MET_WITH", "m", "g")])
    store.upsert_extraction(by)
    store.upsert_extraction(kz)
    ministries = store.search_entities("Ministry of Economy", type="Organization")
    assert sorted(m.country or "" for m in ministries) == ["BY", "KZ"]


def test_a_country_a_report_only_inferred_does_not_split_a_named_body_and_yields_to_its_stated_one(
        store: Store) -> None:
    # The first report met the chamber after a flight to Minsk; the second names it Kazakh.
    minsk = report("After landing in Minsk the delegation met Atameken and the Ministry of Economy.",
                   date="2023-06-20",
                   entities={"a": ("Organization", "Atameken", {"country": "BY", "country_reason": "itinerary"}),
                             "m": ("Organization", "Ministry of Economy",
                                   {"kind": "ministry", "country": "BY", "country_reason": "itinerary"})},
                   relations=[])
    almaty = report("Kazakhstan's Atameken hosted the Ministry of Economy in Almaty.", date="2024-03-10",
                    entities={"a": ("Organization", "Atameken", {"country": "KZ", "country_reason": "described"}),
                              "m": ("Organization", "Ministry of Economy",
                                    {"kind": "ministry", "country": "KZ", "country_reason": "itinerary"})},
                    relations=[])
    store.upsert_extraction(minsk)
    store.upsert_extraction(almaty)
    chamber = entity_named(store, "Atameken")
    assert chamber.country == "KZ" and chamber.attrs["country_reason"] == "described"
    # Generic words are still two ministries, one per country.
    ministries = store.search_entities("Ministry of Economy", type="Organization")
    assert sorted(m.country or "" for m in ministries) == ["BY", "KZ"]
    # The other order: the stated country first, the inferred one after.
    for text, country, reason in (("QazTrade signed in Astana.", "KZ", "located"),
                                  ("In Minsk the delegation met QazTrade.", "BY", "itinerary")):
        store.upsert_extraction(report(text, date="2025-01-01", relations=[], entities={
            "q": ("Organization", "QazTrade", {"country": country, "country_reason": reason})}))
    qaztrade = entity_named(store, "QazTrade")
    assert qaztrade.country == "KZ" and qaztrade.attrs["country_reason"] == "located"


def test_short_acronyms_alone_do_not_merge_organisations(store: Store) -> None:
    a = report("The EC signed an accord.", entities={"e": ("Organization", "EC")}, relations=[])
    b = report("The Export Council (EC) met buyers.",
               entities={"e": ("Organization", "Export Council", {"aliases": ["EC"]})}, relations=[])
    store.upsert_extraction(a)
    store.upsert_extraction(b)
    assert store.stats().entities == 2


def test_deleting_a_document_keeps_facts_other_documents_support(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)
    chamber_id = entity_named(store, "National Atameken Chamber of Entrepreneurs").id
    assert store.delete_document(ALMATY_2024.document.id)
    assert not store.has_document(ALMATY_2024.document.id)
    chamber = store.get_entity(chamber_id)
    assert chamber is not None  # still stated by the 2023 report
    assert {ev.doc_id for ev in chamber.evidence} == {ASTANA_2023.document.id}
    assert not store.search_entities("Ministry of Economy of Belarus")  # only the deleted report named it
    assert len(store.relations(types=["MET_WITH"], entity_ids=[chamber_id])) == 1
    assert store.relations(types=["SIGNED_WITH"]) == []
    for rel in store.relations():
        assert all(ev.doc_id == ASTANA_2023.document.id for ev in rel.evidence)
    assert not store.delete_document(ALMATY_2024.document.id)


def test_deleting_and_reingesting_restores_the_same_graph(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)
    full = store.stats()
    store.delete_document(ALMATY_2024.document.id)
    store.upsert_extraction(ALMATY_2024)
    assert store.stats() == full


def test_an_entity_without_a_mention_span_is_refused_and_nothing_is_written(store: Store) -> None:
    bad = report("Alpha Group met Beta Ltd.", entities={"a": ("Organization", "Alpha Group"),
                                                        "b": ("Organization", "Beta Ltd")},
                 relations=[("MET_WITH", "a", "b")])
    bad.entities[1].mentions.clear()
    with pytest.raises(StoreError, match="no mention span"):
        store.upsert_extraction(bad)
    assert not store.has_document(bad.document.id)
    assert store.stats().entities == 0 and store.stats().relations == 0


def test_search_ranks_exact_then_prefix_then_substring_and_filters(store: Store) -> None:
    store.upsert_extraction(report(
        "Atameken met Atameken Partners. Friends of Atameken Club met Atameken.",
        entities={"a": ("Organization", "Atameken", {"kind": "chamber", "country": "KZ"}),
                  "p": ("Organization", "Atameken Partners", {"kind": "enterprise", "country": "KZ"}),
                  "f": ("Organization", "Friends of Atameken Club", {"kind": "other"})},
        relations=[("MET_WITH", "a", "p"), ("MET_WITH", "f", "a")]))
    names = [e.name for e in store.search_entities("atameken")]
    assert names == ["Atameken", "Atameken Partners", "Friends of Atameken Club"]
    assert [e.name for e in store.search_entities("atameken", kind="enterprise")] == ["Atameken Partners"]
    assert [e.name for e in store.search_entities(None, country="KZ")] == ["Atameken", "Atameken Partners"]
    assert [e.name for e in store.search_entities("atameken", limit=1, offset=1)] == ["Atameken Partners"]
    assert store.search_entities("100%_sure") == []


def test_search_finds_entities_by_alias(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    [hit] = store.search_entities("Atameken")
    assert hit.name == "National Atameken Chamber of Entrepreneurs"


def test_find_by_forms_matches_normalised_names_and_aliases_of_one_type(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    [hit] = store.find_by_forms("Organization", [normalise_name("ATAMEKEN")])
    assert hit.name == "National Atameken Chamber of Entrepreneurs"
    assert store.find_by_forms("Person", [normalise_name("Atameken")]) == []


def test_relations_filter_by_type_endpoint_direction_and_date(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)
    chamber = entity_named(store, "National Atameken Chamber of Entrepreneurs").id
    changan = entity_named(store, "Changan Auto").id
    assert {r.type for r in store.relations(entity_ids=[chamber])} == {"MET_WITH", "SIGNED_WITH"}
    assert [r.type for r in store.relations(entity_ids=[changan], direction="out")] == ["MEMBER_OF"]
    assert store.relations(entity_ids=[changan], direction="in") == []
    in_2024 = store.relations(entity_ids=[chamber], since="2024-01-01", until="2024-12-31")
    assert {r.type for r in in_2024} == {"MET_WITH", "SIGNED_WITH"} and len(in_2024) == 2
    assert len(store.relations(entity_ids=[chamber], until="2023-12-31")) == 1
    assert len(store.relations(until="2023-06-24")) == 3  # the until day itself is included
    assert len(store.relations(limit=2)) == 2
    assert store.relations(types=["MET_WITH"], with_evidence=False)[0].evidence == []


def test_evidence_read_later_is_the_evidence_read_with_the_relations(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)
    bare = store.relations(with_evidence=False)
    later = store.relation_evidence(bare)
    assert {r.id: r.evidence for r in store.relations()} == later
    assert store.relation_evidence([]) == {}


def test_neighbourhood_grows_by_hops(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)
    changan = entity_named(store, "Changan Auto").id
    one = store.neighbourhood([changan], hops=1)
    assert {e.name for e in one.entities.values()} == {"Changan Auto", ASTANA_TRIP}
    two = store.neighbourhood([changan], hops=2)
    assert "National Atameken Chamber of Entrepreneurs" in {e.name for e in two.entities.values()}
    assert "Astana" in {e.name for e in two.entities.values()}
    for rel in two.relations:
        assert rel.evidence and rel.source in two.entities and rel.target in two.entities
    only_members = store.neighbourhood([changan], hops=3, types=["MEMBER_OF"])
    assert {r.type for r in only_members.relations} == {"MEMBER_OF"}
    capped = store.neighbourhood([changan], hops=3, max_relations=2)
    assert len(capped.relations) == 2


def test_degrees_count_relations_touching_each_entity(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    mission = entity_named(store, "Chongqing business delegation").id
    changan = entity_named(store, "Changan Auto").id
    assert store.degrees([mission, changan, "no-such-id"]) == {mission: 3, changan: 1, "no-such-id": 0}


def test_degrees_follow_deletes_merges_and_unmerges(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)

    def counted() -> dict[str, int]:
        ids = {x for r in store.relations(with_evidence=False) for x in (r.source, r.target)}
        return {i: len(store.relations(entity_ids=[i], with_evidence=False)) for i in ids}

    assert store.degrees(counted()) == counted()
    chamber = entity_named(store, "National Atameken Chamber of Entrepreneurs").id
    ministry = entity_named(store, "Ministry of Economy of Belarus").id
    store.merge_entities(chamber, ministry)  # their SIGNED_WITH becomes a loop, not a relation
    assert store.degrees([chamber, ministry]) == {chamber: counted()[chamber], ministry: 0}
    store.unmerge_entity(ministry)
    assert store.degrees(counted()) == counted()
    store.delete_document(ALMATY_2024.document.id)
    assert store.degrees([chamber, ministry]) == {chamber: 1, ministry: 0}


def test_merge_moves_evidence_and_relations_and_unmerge_undoes_it(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(report(
        "Atameken Chamber hosted Gamma Holding.", date="2024-09-01",
        entities={"a": ("Organization", "Atameken Chamber", {"kind": "chamber"}),
                  "g": ("Organization", "Gamma Holding", {"kind": "enterprise"})},
        relations=[("MET_WITH", "a", "g")]))
    keep = entity_named(store, "National Atameken Chamber of Entrepreneurs").id
    drop = entity_named(store, "Atameken Chamber").id
    assert keep != drop  # resolution was conservative
    before = store.stats()

    merged = store.merge_entities(keep, drop)
    assert merged.id == keep and "Atameken Chamber" in merged.aliases
    assert len({ev.doc_id for ev in merged.evidence}) == 2
    assert {store.get_entities([r.other(keep)])[r.other(keep)].name
            for r in store.relations(types=["MET_WITH"], entity_ids=[keep])} == \
        {ASTANA_TRIP, "Gamma Holding"}
    followed = store.get_entity(drop)
    assert followed is not None and followed.id == keep  # the old id still finds it
    assert store.stats().entities == before.entities - 1

    restored = store.unmerge_entity(drop)
    assert restored.id == drop and restored.name == "Atameken Chamber"
    assert store.stats() == before
    assert len(store.relations(types=["MET_WITH"], entity_ids=[keep])) == 1
    assert len(store.relations(types=["MET_WITH"], entity_ids=[drop])) == 1


def test_merging_unknown_or_mismatched_entities_is_a_clear_error(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    chamber = entity_named(store, "National Atameken Chamber of Entrepreneurs").id
    astana = entity_named(store, "Astana").id
    with pytest.raises(UnknownEntity):
        store.merge_entities(chamber, "org-nothing-here")
    with pytest.raises(StoreError, match="cannot merge"):
        store.merge_entities(chamber, astana)
    with pytest.raises(StoreError):
        store.unmerge_entity(chamber)


def test_a_later_report_naming_a_merged_entity_lands_on_the_survivor(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(report("Atameken Chamber hosted Gamma Holding.",
                                   entities={"a": ("Organization", "Atameken Chamber"),
                                             "g": ("Organization", "Gamma Holding")},
                                   relations=[("MET_WITH", "a", "g")]))
    keep = entity_named(store, "National Atameken Chamber of Entrepreneurs").id
    store.merge_entities(keep, entity_named(store, "Atameken Chamber").id)
    store.upsert_extraction(report("Atameken Chamber signed with Delta Bank.", date="2025-01-01",
                                   entities={"a": ("Organization", "Atameken Chamber"),
                                             "d": ("Organization", "Delta Bank")},
                                   relations=[("SIGNED_WITH", "a", "d")]))
    assert [r.other(keep) for r in store.relations(types=["SIGNED_WITH"], entity_ids=[keep])] == \
        [entity_named(store, "Delta Bank").id]


def test_listing_documents_pages_without_text(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)
    docs = store.list_documents(limit=10)
    assert {d.id for d in docs} == {ASTANA_2023.document.id, ALMATY_2024.document.id}
    assert all(d.text == "" for d in docs)
    assert len(store.list_documents(limit=1)) == 1
    assert len(store.list_documents(limit=10, offset=1)) == 1


def test_iterating_the_whole_graph_returns_everything_once(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)
    stats = store.stats()
    ents = [e for batch in store.iter_entities(batch_size=2) for e in batch]
    rels = [r for batch in store.iter_relations(batch_size=2) for r in batch]
    docs = [d for batch in store.iter_documents(batch_size=1) for d in batch]
    assert len(ents) == len({e.id for e in ents}) == stats.entities
    assert len(rels) == len({r.id for r in rels}) == stats.relations
    assert all(r.evidence for r in rels)
    assert {d.id for d in docs} == {ASTANA_2023.document.id, ALMATY_2024.document.id}
    with_ev = [e for batch in store.iter_entities(with_evidence=True) for e in batch]
    assert all(e.evidence for e in with_ev)


def test_write_graph_bulk_loads_idempotently(store: Store) -> None:
    doc = Document(id="doc-1", source="synthetic", text="Alpha met Beta.", date="2021-01-01")
    ev = Evidence(doc_id="doc-1", start=0, end=15, text="Alpha met Beta.", date="2021-01-01", confidence=0.8)
    ents = [
        Entity(id="org-alpha", type="Organization", name="Alpha", kind="enterprise", country="KZ",
               aliases=["Alpha LLP"], evidence=[Evidence(doc_id="doc-1", start=0, end=5, text="Alpha")]),
        Entity(id="org-beta", type="Organization", name="Beta", kind="chamber",
               evidence=[Evidence(doc_id="doc-1", start=10, end=14, text="Beta")]),
    ]
    rid = relation_id("MET_WITH", "org-alpha", "org-beta")
    rels = [Relation(id=rid, type="MET_WITH", source="org-alpha", target="org-beta", confidence=0.8,
                     date="2021-01-01", evidence=[ev])]
    store.write_graph([doc], ents, rels)
    first = store.stats()
    store.write_graph([doc], ents, rels)
    assert store.stats() == first
    assert first.documents == 1 and first.entities == 2 and first.relations == 1
    [found] = store.search_entities("Alpha LLP")
    assert found.id == "org-alpha" and found.country == "KZ"
    [rel] = store.relations(entity_ids=["org-beta"])
    assert rel.id == rid and rel.evidence[0].text == "Alpha met Beta."


def test_stats_count_by_type_and_kind(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    stats = store.stats()
    assert stats.documents == 1
    assert stats.entities_by_type == {"Mission": 1, "Organization": 2, "Place": 1}
    assert stats.relations_by_type == {"MET_WITH": 1, "MEMBER_OF": 1, "VISITED": 1}
    assert stats.organizations_by_kind == {"chamber": 1, "enterprise": 1}


def test_write_graph_in_two_batches_keeps_the_latest_date_and_strongest_confidence(store: Store) -> None:
    rid = relation_id("MET_WITH", "org-alpha", "org-beta")
    ents = [Entity(id=i, type="Organization", name=i, evidence=[Evidence(doc_id="d1", start=0, end=1, text="A")])
            for i in ("org-alpha", "org-beta")]

    def batch(doc: str, date: str, confidence: float) -> list[Relation]:
        ev = Evidence(doc_id=doc, start=0, end=9, text="they met.", date=date, confidence=confidence)
        return [Relation(id=rid, type="MET_WITH", source="org-alpha", target="org-beta",
                         confidence=confidence, date=date, evidence=[ev])]

    store.write_graph([Document(id="d1", source="s", text="they met.")], ents, batch("d1", "2021-01-01", 0.5))
    store.write_graph([Document(id="d2", source="s", text="they met.")], [], batch("d2", "2023-05-05", 0.9))
    [rel] = store.relations(types=["MET_WITH"])
    assert rel.date == "2023-05-05" and rel.confidence == pytest.approx(0.9) and len(rel.evidence) == 2


def test_republic_of_and_quoted_names_resolve_to_the_same_organisation(store: Store) -> None:
    store.upsert_extraction(report(
        "The delegation met the Ministry of Economy of the Republic of Belarus and visited the "
        "China-Belarus Industrial Park “Great Stone”.", date="2024-06-20",
        entities={"m": ("Organization", "Ministry of Economy of the Republic of Belarus", {"country": "BY"}),
                  "p": ("Organization", "China-Belarus Industrial Park “Great Stone”", {"kind": "park"})},
        relations=[]))
    store.upsert_extraction(report(
        "The Ministry of Economy of Belarus hosted talks at the China-Belarus Industrial Park.",
        date="2025-01-10",
        entities={"m": ("Organization", "Ministry of Economy of Belarus", {"country": "BY"}),
                  "p": ("Organization", "China-Belarus Industrial Park", {"kind": "park"})},
        relations=[("LOCATED_IN", "m", "p")]))
    assert store.stats().entities == 2
    [ministry] = store.search_entities("Ministry of Economy of Belarus")
    assert ministry.name == "Ministry of Economy of the Republic of Belarus"


def test_a_name_extracted_with_a_description_after_it_is_the_named_body(store: Store) -> None:
    store.upsert_extraction(report(
        "Kazakh Invest national company hosted the delegation.", date="2025-03-01",
        entities={"k": ("Organization", "Kazakh Invest national company", {"country": "KZ", "kind": "agency"})},
        relations=[]))
    store.upsert_extraction(report(
        'The delegation signed with National Company "KAZAKH INVEST" JSC.', date="2025-04-01",
        entities={"k": ("Organization", 'National Company "KAZAKH INVEST" JSC',
                        {"country": "KZ", "kind": "agency", "aliases": ["KAZAKH INVEST"]})},
        relations=[]))
    assert store.stats().entities == 1


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_a_name_followed_by_its_own_short_form_is_the_named_body(store: Store, order: tuple[int, int]) -> None:
    reports = [
        report("Czech Trade Promotion Agency CzechTrade opened an office in Hanoi.", date="2025-03-01",
               entities={"c": ("Organization", "Czech Trade Promotion Agency CzechTrade",
                               {"country": "CZ", "kind": "agency"})}, relations=[]),
        report("The Czech Trade Promotion Agency led the mission.", date="2025-04-01",
               entities={"c": ("Organization", "Czech Trade Promotion Agency", {"country": "CZ", "kind": "agency"})},
               relations=[]),
        # Letters that do not abbreviate the name: a subsidiary, not a short form.
        report("Daewoo Corporation USA imports the parts.", date="2025-05-01",
               entities={"d": ("Organization", "Daewoo Corporation USA", {"kind": "enterprise"})}, relations=[]),
        report("Daewoo Corporation builds the plant.", date="2025-06-01",
               entities={"d": ("Organization", "Daewoo Corporation", {"kind": "enterprise"})}, relations=[]),
    ]
    for i in (*order, *(2 + i for i in order)):
        store.upsert_extraction(reports[i])
    assert store.stats().entities == 3


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0)])
def test_a_fair_named_without_its_year_is_the_edition_of_its_reports_year(
        store: Store, order: tuple[int, int, int]) -> None:
    reports = [
        report("Growers will exhibit at Fruit Logistica in Berlin.", date="2024-01-15",
               entities={"f": ("Event", "Fruit Logistica")}, relations=[]),
        report("The council's stand at FRUIT LOGISTICA 2024 drew buyers.", date="2024-02-20",
               entities={"f": ("Event", "FRUIT LOGISTICA 2024")}, relations=[]),
        report("The council's stand at Fruit Logistica 2023 drew buyers.", date="2023-02-20",
               entities={"f": ("Event", "Fruit Logistica 2023")}, relations=[]),
    ]
    for i in order:
        store.upsert_extraction(reports[i])
    editions = sorted(e.name for e in store.search_entities("Fruit Logistica", type="Event"))
    assert len(editions) == 2 and "Fruit Logistica 2023" in editions


def test_relation_attributes_naming_entities_point_at_their_global_ids(store: Store) -> None:
    x = report("Alpha Group signed a supply contract with Beta Ltd in Minsk.", date="2024-01-01",
               entities={"a": ("Organization", "Alpha Group"), "b": ("Organization", "Beta Ltd"),
                         "k": ("Agreement", "supply contract", {"value": 4.5e6, "currency": "USD"}),
                         "m": ("Place", "Minsk", {"kind": "city", "country": "BY"})},
               relations=[("SIGNED_WITH", "a", "b", {"agreement": "k", "place": "m", "event": "e9"})])
    store.upsert_extraction(x)
    [rel] = store.relations(types=["SIGNED_WITH"])
    contract = store.get_entity(rel.attrs["agreement"])
    assert contract is not None and contract.type == "Agreement" and contract.attrs["currency"] == "USD"
    minsk = store.get_entity(rel.attrs["place"])
    assert minsk is not None and minsk.name == "Minsk"
    assert "event" not in rel.attrs  # it named nothing the report extracted


def test_merging_an_entity_that_absorbed_another_moves_everything_and_unmerges_in_steps(store: Store) -> None:
    for name, other, date in (("Alpha Group", "Delta Bank", "2021-01-01"), ("Alpha Holding", "Echo Ltd", "2022-01-01"),
                              ("Alpha Corporation", "Foxtrot Plc", "2023-01-01")):
        store.upsert_extraction(report(f"{name} met {other}.", date=date,
                                       entities={"a": ("Organization", name), "o": ("Organization", other)},
                                       relations=[("MET_WITH", "a", "o")]))
    group, holding, corp = (entity_named(store, n).id for n in ("Alpha Group", "Alpha Holding", "Alpha Corporation"))
    store.merge_entities(holding, group)   # Group -> Holding
    store.merge_entities(corp, holding)    # Holding (with Group) -> Corporation
    merged = store.get_entity(corp)
    assert merged is not None and len({ev.doc_id for ev in merged.evidence}) == 3
    assert len(store.relations(entity_ids=[corp])) == 3
    assert store.stats().entities == 4

    store.unmerge_entity(holding)  # Holding comes back, still holding Group
    assert len(store.relations(entity_ids=[corp])) == 1
    assert len(store.relations(entity_ids=[holding])) == 2
    store.unmerge_entity(group)
    assert [len(store.relations(entity_ids=[i])) for i in (group, holding, corp)] == [1, 1, 1]
    assert store.stats().entities == 6


def test_linked_entities_filter_by_type_kind_country_and_date_in_the_store(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)
    store.upsert_extraction(report(
        "The Gamma delegation met the Kazakh Dealers Union.", date="2025-02-02",
        entities={"g": ("Mission", "Gamma delegation"),
                  "u": ("Organization", "Kazakh Dealers Union", {"kind": "chamber"})},
        relations=[("MET_WITH", "g", "u")]))
    chamber = entity_named(store, "National Atameken Chamber of Entrepreneurs").id
    chongqing = entity_named(store, "Chongqing business delegation").id
    belarusian = entity_named(store, "Belarusian delegation").id
    gamma = entity_named(store, "Gamma delegation").id
    union = entity_named(store, "Kazakh Dealers Union").id
    ministry = entity_named(store, "Ministry of Economy of Belarus").id

    met = store.linked_entities([chongqing, belarusian, gamma], types=["MET_WITH"])
    assert met == {chamber: {chongqing, belarusian}, union: {gamma}}
    # An entity without a country passes a country filter; one elsewhere does not.
    assert set(store.linked_entities([chongqing, gamma], types=["MET_WITH"], country="KZ")) == {chamber, union}
    assert set(store.linked_entities([chongqing, gamma], types=["MET_WITH"], country="BY")) == {union}
    assert store.linked_entities([chamber], types=["SIGNED_WITH", "MET_WITH"], kinds=["ministry"]) == \
        {ministry: {chamber}}
    assert set(store.linked_entities([chongqing], types=["MEMBER_OF"], direction="in")) == \
        {entity_named(store, "Changan Auto").id}
    assert store.linked_entities([chongqing], types=["MEMBER_OF"], direction="out") == {}
    assert set(store.linked_entities([chamber], types=["MET_WITH"], entity_type="Mission",
                                     until="2023-12-31")) == {chongqing}


def paths_from_relations(store: Store) -> dict[str, set[tuple[str, str, str]]]:
    """What ``meeting_paths`` must hold, worked out from the relations and
    entity types alone: each meeting both ways round, and through each
    delegation its senders (LED, MEMBER_OF, ORGANIZED) and whom it met."""
    rels = store.relations(with_evidence=False)
    types = {i: e.type for i, e in store.get_entities({x for r in rels for x in (r.source, r.target)}).items()}
    senders: dict[str, set[str]] = {}
    for r in rels:
        if r.type in ("LED", "MEMBER_OF", "ORGANIZED") and types.get(r.target) == "Mission":
            senders.setdefault(r.target, set()).add(r.source)
    out: dict[str, set[tuple[str, str, str]]] = {}
    for r in rels:
        if r.type not in ("MET_WITH", "SIGNED_WITH"):
            continue
        out.setdefault(r.source, set()).add((r.target, r.id, ""))
        out.setdefault(r.target, set()).add((r.source, r.id, ""))
        for m, y in ((r.source, r.target), (r.target, r.source)):
            for x in senders.get(m, set()) - {y}:
                out.setdefault(x, set()).add((y, r.id, m))
                out.setdefault(y, set()).add((x, r.id, m))
    return out


def assert_meeting_paths_follow_the_relations(store: Store, also: set[str]) -> None:
    expected = paths_from_relations(store)
    stored = {r.id: r for r in store.relations(with_evidence=False)}
    full = store.relation_evidence(list(stored.values()))
    ids = set(expected) | also | {e.id for batch in store.iter_entities() for e in batch}
    for i in sorted(ids):
        paths = store.meeting_paths(i)
        assert {(p.counterpart, p.relation.id, p.via or "") for p in paths} == expected.get(i, set()), i
        # Each path's relation as stored now (its date and confidence follow new evidence).
        assert all(p.relation == stored[p.relation.id] for p in paths), i
        assert store.meeting_totals([i]) == {i: len({c for c, _, _ in expected.get(i, set())})}, i
        # The evidence a page of meetings shows: the relations' own.
        assert store.meeting_evidence(i, paths) == {p.relation.id: full[p.relation.id] for p in paths}, i
    if isinstance(store, SqliteStore):
        # Nothing left over either: the copies are exactly the evidence of the paths.
        db = store._db
        copies = db.execute("SELECT * FROM meeting_evidence ORDER BY 1, 2, 3, 4, 5, 6, 7, 8").fetchall()
        derived = db.execute(
            "SELECT DISTINCT p.entity_id, p.counterpart_id, ev.relation_id, ev.doc_id, ev.start, ev.end,"
            " ev.origin_source, ev.origin_target, ev.text, ev.date, ev.confidence, ev.extractor"
            " FROM meeting_paths p JOIN relation_evidence ev ON ev.relation_id = p.relation_id"
            " ORDER BY 1, 2, 3, 4, 5, 6, 7, 8").fetchall()
        assert [tuple(r) for r in copies] == [tuple(r) for r in derived]


def test_meeting_paths_are_meetings_and_meetings_through_delegations_newest_first(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)
    chamber = entity_named(store, "National Atameken Chamber of Entrepreneurs").id
    trip = entity_named(store, "Chongqing business delegation").id
    belarusian = entity_named(store, "Belarusian delegation").id
    changan = entity_named(store, "Changan Auto").id
    ministry = entity_named(store, "Ministry of Economy of Belarus").id

    paths = store.meeting_paths(chamber)
    assert {(p.counterpart, p.via) for p in paths} == {
        (trip, None), (changan, trip), (belarusian, None), (ministry, None), (ministry, belarusian)}
    assert [p.relation.date[:4] for p in paths if p.relation.date] == ["2024"] * 3 + ["2023"] * 2
    assert not any(p.relation.evidence for p in paths)  # evidence is read for the page only
    # A member met whom its delegation met, through the delegation.
    [via_trip] = store.meeting_paths(changan)
    assert (via_trip.counterpart, via_trip.via, via_trip.relation.type) == (chamber, trip, "MET_WITH")
    assert store.meeting_paths(chamber, limit=2) == paths[:2]
    assert {p.counterpart for p in store.meeting_paths(chamber, counterparts=[ministry])} == {ministry}
    assert store.meeting_totals([chamber, changan, "no-such-id"]) == {chamber: 4, changan: 1, "no-such-id": 0}
    assert_meeting_paths_follow_the_relations(store, set())


def test_a_hubs_meeting_total_follows_deletes_merges_unmerges_and_corrections(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)
    chamber = entity_named(store, "National Atameken Chamber of Entrepreneurs").id
    ministry = entity_named(store, "Ministry of Economy of Belarus").id
    trip = entity_named(store, "Chongqing business delegation").id
    changan = entity_named(store, "Changan Auto").id
    seen = {chamber, ministry, trip, changan}
    assert store.meeting_totals([chamber]) == {chamber: 4}

    store.merge_entities(chamber, ministry)  # the ministry's meetings become the chamber's
    assert_meeting_paths_follow_the_relations(store, seen)
    store.unmerge_entity(ministry)
    assert_meeting_paths_follow_the_relations(store, seen)
    assert store.meeting_totals([chamber]) == {chamber: 4}

    # A correction takes Changan out of the delegation: the chamber no longer met it.
    [member] = store.relations(types=["MEMBER_OF"], entity_ids=[changan], with_evidence=False)
    store.remove_relation("MEMBER_OF", member.id)
    assert store.meeting_totals([chamber, changan]) == {chamber: 3, changan: 0}
    assert_meeting_paths_follow_the_relations(store, seen)
    # The delegation was a company after all: meeting it is not meeting its members.
    store.update_entity(entity_named(store, "Belarusian delegation").id, {"type": "Organization"})
    assert_meeting_paths_follow_the_relations(store, seen)

    store.delete_document(ALMATY_2024.document.id)
    assert store.meeting_totals([chamber, ministry]) == {chamber: 1, ministry: 0}
    assert_meeting_paths_follow_the_relations(store, seen)
    store.upsert_extraction(ALMATY_2024)  # ingest again: back as before the delete
    assert_meeting_paths_follow_the_relations(store, seen)
    # A meeting restated by another report, which then goes: the meeting
    # stays, with the evidence of the first report only.
    again = report("The Chongqing business delegation met with the National Atameken Chamber of Entrepreneurs again.",
                   date="2023-06-25",
                   entities={"d": ("Mission", "Chongqing business delegation"),
                             "a": ("Organization", "National Atameken Chamber of Entrepreneurs", {"country": "KZ"})},
                   relations=[("MET_WITH", "d", "a")])
    store.upsert_extraction(again)
    assert_meeting_paths_follow_the_relations(store, seen)
    store.delete_document(again.document.id)
    assert_meeting_paths_follow_the_relations(store, seen)


def test_entity_types_and_entities_without_aliases_read_what_ranking_needs(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    chamber = entity_named(store, "National Atameken Chamber of Entrepreneurs")
    trip = entity_named(store, "Chongqing business delegation").id
    assert store.entity_types([chamber.id, trip, "no-such-id"]) == {chamber.id: "Organization", trip: "Mission"}
    [bare] = store.get_entities([chamber.id], with_aliases=False).values()
    assert (bare.name, bare.kind, bare.country, bare.aliases) == (chamber.name, "chamber", "KZ", [])
    assert store.get_entities([chamber.id])[chamber.id].aliases == ["Atameken"]


def test_evidence_counts_are_the_spans_that_state_each_relation(store: Store) -> None:
    def restate_the_meeting(how: str, date: str) -> None:
        store.upsert_extraction(report(
            f"The Chongqing business delegation met with the National Atameken Chamber of Entrepreneurs {how}.",
            date=date,
            entities={"d": ("Mission", "Chongqing business delegation"),
                      "a": ("Organization", "National Atameken Chamber of Entrepreneurs", {"country": "KZ"})},
            relations=[("MET_WITH", "d", "a")]))

    store.upsert_extraction(ASTANA_2023)
    restate_the_meeting("again", "2023-06-25")

    def counted_from_the_evidence() -> None:
        rels = store.relations(with_evidence=False)
        full = {r.id: r for r in store.relations()}
        assert store.evidence_counts(rels) == {r.id: len(full[r.id].evidence) for r in rels}

    counted_from_the_evidence()
    rels = store.relations(with_evidence=False)
    assert sorted(store.evidence_counts(rels).values())[-1] == 2  # the meeting, stated twice
    # A record read before a later report restated the meeting (its date has
    # changed since): the count as it is now.
    [met] = store.relations(types=["MET_WITH"], with_evidence=False)
    restate_the_meeting("once more", "2023-06-26")
    assert store.evidence_counts([met]) == {met.id: 3}
    counted_from_the_evidence()
    store.upsert_extraction(ALMATY_2024)
    chamber = entity_named(store, "National Atameken Chamber of Entrepreneurs").id
    ministry = entity_named(store, "Ministry of Economy of Belarus").id
    store.merge_entities(chamber, ministry)
    counted_from_the_evidence()
    store.unmerge_entity(ministry)
    counted_from_the_evidence()
    store.delete_document(ASTANA_2023.document.id)
    counted_from_the_evidence()


def assert_sector_members_follow_the_relations(store: Store) -> None:
    """``sector_members`` equals what it is read in place of: the entities
    linked to each sector, their rows and their degrees, with each filter."""
    rels = store.relations(types=["IN_SECTOR"], with_evidence=False)
    sectors = sorted({r.target for r in rels} | {"no-such-sector"})
    for filters in ({}, {"entity_type": "Organization"}, {"entity_type": "Mission"}, {"country": "KZ"},
                    {"country": "BY"}, {"kinds": ["chamber", "enterprise"]},
                    {"entity_type": "Organization", "country": "KZ", "kinds": ["enterprise"]}):
        linked = store.linked_entities(sectors, types=["IN_SECTOR"], direction="in", **filters)  # type: ignore[arg-type]
        ents = store.get_entities(linked, with_aliases=False)
        deg = store.degrees(linked)
        members = store.sector_members(sectors, **filters)  # type: ignore[arg-type]
        assert {i: (m.entity, m.sectors, m.degree) for i, m in members.items()} == \
            {i: (ents[i], linked[i], deg[i]) for i in linked}, filters
    known = store.get_entities({r.source for r in rels}, with_aliases=False)
    assert {s: set(store.sector_members([s])) for s in sectors} == \
        {s: {r.source for r in rels if r.target == s and r.source in known} for s in sectors}


def test_sector_members_follow_ingest_corrections_merges_and_deletes(store: Store) -> None:
    motor = ("Sector", "auto parts trade", {"code": "45"})
    dealers = report(
        "The Kazakh Auto Parts Dealers Association represents the auto parts trade. "
        "Almaty Auto Parts Market sells in the auto parts trade. "
        "The Gamma delegation of the auto parts trade met the Kazakh Auto Parts Dealers Association.",
        date="2023-06-24",
        entities={"k": ("Organization", "Kazakh Auto Parts Dealers Association", {"kind": "chamber", "country": "KZ"}),
                  "p": ("Organization", "Almaty Auto Parts Market", {"kind": "enterprise"}),
                  "g": ("Mission", "Gamma delegation"), "s": motor},
        relations=[("IN_SECTOR", "k", "s"), ("IN_SECTOR", "p", "s"), ("IN_SECTOR", "g", "s"), ("MET_WITH", "g", "k")])
    market = report(
        "Almaty Auto Parts Market, of Kazakhstan, expanded its auto parts trade. Minsk Parts trades auto parts trade.",
        date="2024-02-01",
        entities={"p": ("Organization", "Almaty Auto Parts Market", {"kind": "enterprise", "country": "KZ"}),
                  "b": ("Organization", "Minsk Parts", {"kind": "enterprise", "country": "BY"}), "s": motor},
        relations=[("IN_SECTOR", "p", "s"), ("IN_SECTOR", "b", "s"), ("SIGNED_WITH", "b", "p")])
    store.upsert_extraction(dealers)
    assert_sector_members_follow_the_relations(store)
    store.upsert_extraction(market)  # a country learnt, a degree grown, a member added
    assert_sector_members_follow_the_relations(store)
    chamber = entity_named(store, "Kazakh Auto Parts Dealers Association").id
    shop = entity_named(store, "Almaty Auto Parts Market").id
    minsk = entity_named(store, "Minsk Parts").id
    sector = next(iter(store.linked_entities([chamber], types=["IN_SECTOR"], direction="out")))
    assert set(store.sector_members([sector], entity_type="Organization", country="KZ")) == {chamber, shop}

    store.merge_entities(shop, minsk)  # Minsk's sector membership moves to the survivor
    assert_sector_members_follow_the_relations(store)
    store.unmerge_entity(minsk)
    assert_sector_members_follow_the_relations(store)
    store.update_entity(chamber, {"country": "BY", "kind": "association", "name": "Dealers Union"})
    assert_sector_members_follow_the_relations(store)
    store.update_entity(chamber, {"type": "Mission"})
    assert_sector_members_follow_the_relations(store)
    [member] = store.relations(types=["IN_SECTOR"], entity_ids=[minsk], with_evidence=False)
    store.remove_relation("IN_SECTOR", member.id)
    assert_sector_members_follow_the_relations(store)
    store.delete_document(market.document.id)
    assert_sector_members_follow_the_relations(store)
    store.delete_document(dealers.document.id)
    assert store.sector_members([sector]) == {}
    store.upsert_extraction(dealers)
    assert_sector_members_follow_the_relations(store)
    text = "Bulk Org works in bulk trade."
    doc = Document(id="bulk-doc", source="bulk.txt", text=text, date="2024-01-01")
    ev = Evidence(doc_id=doc.id, start=0, end=len(text), text=text, date=doc.date)
    rel = Relation(id=relation_id("IN_SECTOR", "org-bulk", sector), type="IN_SECTOR", source="org-bulk",
                   target=sector, confidence=0.9, date=doc.date, evidence=[ev])
    # A bulk load may bring a relation before its entity (a sync, batch by
    # batch; a backend may also drop it until then).
    store.write_graph([doc], [], [rel])
    assert "org-bulk" not in store.sector_members([sector])
    assert_sector_members_follow_the_relations(store)
    store.write_graph([], [Entity(id="org-bulk", type="Organization", name="Bulk Org", country="KZ",
                                  evidence=[ev])], [rel])
    assert "org-bulk" in store.sector_members([sector], country="KZ")
    assert_sector_members_follow_the_relations(store)


def assert_evidence_spans_are_the_evidence_without_text(store: Store, entity_ids: set[str]) -> None:
    everything = store.relations(with_evidence=False)
    full = store.relation_evidence(everything)
    for i in sorted(entity_ids):
        mine = store.relations(entity_ids=[i], with_evidence=False)
        asked = mine + [r for r in everything if r not in mine][:1]  # and one not its own: read in full
        assert store.evidence_spans(i, asked) == {
            r.id: [Evidence(doc_id=ev.doc_id, start=ev.start, end=ev.end, text="", date=ev.date)
                   for ev in full[r.id]] for r in asked}, i


def test_evidence_spans_follow_merges_unmerges_and_deletes(store: Store) -> None:
    store.upsert_extraction(ASTANA_2023)
    store.upsert_extraction(ALMATY_2024)
    # The signing stated the other way round: the same symmetric relation,
    # evidence whose origins are swapped.
    store.upsert_extraction(report(
        "Atameken signed a memorandum with the Ministry of Economy of Belarus.", date="2024-05-01",
        entities={"a": ("Organization", "Atameken", {"kind": "chamber"}),
                  "m": ("Organization", "Ministry of Economy of Belarus", {"kind": "ministry", "country": "BY"})},
        relations=[("SIGNED_WITH", "a", "m")]))
    chamber = entity_named(store, "National Atameken Chamber of Entrepreneurs").id
    ministry = entity_named(store, "Ministry of Economy of Belarus").id
    changan = entity_named(store, "Changan Auto").id
    trip = entity_named(store, "Chongqing business delegation").id
    seen = {chamber, ministry, changan, trip}
    assert_evidence_spans_are_the_evidence_without_text(store, seen)
    store.merge_entities(chamber, changan)  # evidence whose origin is now held by the chamber
    assert_evidence_spans_are_the_evidence_without_text(store, {chamber, ministry, trip})
    store.merge_entities(ministry, chamber)  # and a merge of what absorbed another
    assert_evidence_spans_are_the_evidence_without_text(store, {ministry, trip})
    store.unmerge_entity(chamber)
    assert_evidence_spans_are_the_evidence_without_text(store, {chamber, ministry, trip})
    store.unmerge_entity(changan)
    store.delete_document(ALMATY_2024.document.id)
    assert_evidence_spans_are_the_evidence_without_text(store, seen)
