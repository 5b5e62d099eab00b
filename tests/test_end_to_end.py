"""The user's questions, answered from real reports.

The example reports and the annotated corpus are ingested once through the
real readers, extractor and embedded store; each test asks what a trade
officer would ask and checks the answer against what the reports plainly
say, with its evidence.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from graph.model import normalise_name
from graph.sqlite_store import SqliteStore
from graph.store import Store, UnknownEntity
from ingest.pipeline import ingest_paths
from queries.common import find_entity
from queries.connections import connections, neighbourhood
from queries.export import ExportScope, export_graph
from queries.meetings import who_met_whom
from queries.partners import partner_candidates
from queries.recommend import recommend_contacts
from queries.timeline import timeline

SEED = "chongqing-kazakhstan-belarus-2023.txt"


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path, corpus_dir: Path,
          extractor: object) -> Iterator[Store]:
    store = SqliteStore(tmp_path_factory.mktemp("e2e") / "tradekg.db")
    report = ingest_paths(store, [examples_dir, *sorted(corpus_dir.glob("*.txt"))],
                          extractor=extractor)  # type: ignore[arg-type]
    assert report.ok, [str(e) for e in report.errors]
    assert report.documents_added >= 18
    yield store
    store.close()


def _names(refs: list[str]) -> set[str]:
    return {normalise_name(n) for n in refs}


def test_who_met_atameken_includes_the_chongqing_delegation_with_the_sentence(graph: Store) -> None:
    meetings = who_met_whom(graph, "Atameken")
    assert meetings, "the reports say several delegations met Atameken"
    partners = {normalise_name(m.b.name) for m in meetings} | {normalise_name(m.a.name) for m in meetings}
    # Missions are stored as trips: "Chongqing business delegation to Kazakhstan, June 2021".
    assert any(p.startswith("chongqing business delegation") for p in partners)
    for m in meetings:
        assert m.evidence, "every meeting carries the sentence that states it"
        for ev in m.evidence:
            doc = graph.get_document(ev.doc_id)
            assert doc is not None and doc.text[ev.start:ev.end] == ev.text


def test_delegation_members_are_reported_as_meeting_via_their_mission(graph: Store) -> None:
    changan = find_entity(graph, "Changan Auto")
    inferred = [m for m in who_met_whom(graph, changan.id) if m.inferred]
    assert inferred, "Changan travelled with the delegation, so it met whom the delegation met"
    assert all(m.via for m in inferred)
    counterparts = {normalise_name(m.b.name) for m in inferred}
    assert any("atameken" in n for n in counterparts)


def test_who_met_whom_filters_by_date(graph: Store) -> None:
    everything = who_met_whom(graph, "Atameken")
    # The 2023 report places its meeting after a flight to Minsk; the chamber
    # is still the one node the other reports name (graph.resolve, inferred countries).
    for year in ("2023", "2024"):
        in_year = who_met_whom(graph, "Atameken", since=f"{year}-01-01", until=f"{year}-12-31")
        assert 0 < len(in_year) < len(everything)
        for m in in_year:
            assert any(f"{year}-01-01" <= (ev.date or "") <= f"{year}-12-31\uffff" for ev in m.evidence)


def test_partner_candidates_for_auto_parts_in_kazakhstan_are_kazakh_with_reasons(graph: Store) -> None:
    candidates = partner_candidates(graph, "auto parts", country="Kazakhstan")
    assert candidates
    for c in candidates:
        assert c.reasons and c.evidence
    countries = {c.organization.country for c in candidates if c.organization.country}
    assert countries <= {"KZ"}
    scores = [c.score for c in candidates]
    assert scores == sorted(scores, reverse=True)


def test_contacts_for_a_new_mission_explain_themselves_and_offer_warm_introductions(graph: Store) -> None:
    # Atameken has met Belarusian bodies in Astana and Minsk: a mission of its
    # own to Belarus should be introduced to their contacts through them.
    recs = recommend_contacts(graph, "Atameken", ["Belarus"], ["machinery"])
    assert recs
    for r in recs:
        assert r.reasons and r.score > 0 and not r.already_met
        assert r.entity.type == "Person" or r.entity.country == "BY"
    warm = [r for r in recs if r.warm_path]
    assert warm, "some contacts are reachable through organisations Atameken already met"
    atameken = find_entity(graph, "Atameken").id
    for r in warm:
        first, last = r.warm_path[0], r.warm_path[-1]
        assert atameken in (first.source.id, first.target.id) or first.evidence
        assert r.entity.id in (last.source.id, last.target.id)
        assert all(h.evidence for h in r.warm_path)


def test_already_met_organisations_can_be_listed_to_re_engage_them(graph: Store) -> None:
    fresh = recommend_contacts(graph, "Atameken", ["Belarus"], ["machinery"])
    with_known = recommend_contacts(graph, "Atameken", ["Belarus"], ["machinery"], include_known=True)
    assert any(r.already_met for r in with_known)
    assert {r.entity.id for r in fresh} - {r.entity.id for r in with_known if not r.already_met} == set()


def test_connections_between_a_member_company_and_a_ministry_go_through_the_delegation(graph: Store) -> None:
    paths = connections(graph, "Changan Auto", "Ministry of Economy of Belarus", max_hops=3)
    assert paths
    best = paths[0]
    assert best.hops and all(h.evidence for h in best.hops)
    assert any(n.type == "Mission" for n in best.nodes[1:-1])


def test_the_explorer_neighbourhood_of_atameken_has_nodes_and_edges(graph: Store) -> None:
    sub = neighbourhood(graph, "Atameken", hops=1)
    assert len(sub.entities) > 2 and sub.relations
    assert all(r.source in sub.entities and r.target in sub.entities for r in sub.relations)


def test_a_delegation_timeline_is_in_date_order(graph: Store) -> None:
    items = timeline(graph, "Chongqing business delegation")
    assert items
    dated = [i.date for i in items if i.date]
    assert dated == sorted(dated)


def test_an_unknown_organisation_is_a_clear_error(graph: Store) -> None:
    with pytest.raises(UnknownEntity):
        who_met_whom(graph, "Intergalactic Chamber of Commerce")


def test_the_ingested_graph_exports_to_gexf_and_reads_back(graph: Store) -> None:
    buf = io.BytesIO()
    export_graph(graph, "gexf", buf)
    g = nx.read_gexf(io.BytesIO(buf.getvalue()))
    stats = graph.stats()
    assert g.number_of_nodes() == stats.entities
    assert g.number_of_edges() == stats.relations


def test_an_entity_neighbourhood_exports_as_cytoscape_json(graph: Store) -> None:
    buf = io.BytesIO()
    export_graph(graph, "cytoscape", buf, scope=ExportScope(entity="Atameken", hops=1))
    doc = json.loads(buf.getvalue())
    nodes, edges = doc["elements"]["nodes"], doc["elements"]["edges"]
    ids = {n["data"]["id"] for n in nodes}
    assert edges and all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)
