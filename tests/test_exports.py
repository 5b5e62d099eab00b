"""Every export read back with the real library: entities, relations and
their attributes survive."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import networkx as nx
import pytest
import rdflib
from rdflib.namespace import PROV, RDF

from graph.store import Store
from queries.export import FORMATS, ORG, TK, TKV, ExportScope, export_graph
from tests.test_queries import DEALERS_2023, MARKETS_2024, TRIP_2022, TRIP_2022_NAME


@pytest.fixture
def world(store: Store) -> Store:
    for r in (TRIP_2022, DEALERS_2023, MARKETS_2024):
        store.upsert_extraction(r)
    return store


def _export(store: Store, fmt: str, scope: ExportScope | None = None) -> bytes:
    buf = io.BytesIO()
    export_graph(store, fmt, buf, scope=scope)
    return buf.getvalue()


def _by_name(g: nx.Graph, attr: str = "label") -> dict[str, str]:
    return {d[attr]: n for n, d in g.nodes(data=True)}


def _counts(store: Store) -> tuple[int, int]:
    s = store.stats()
    return s.entities, s.relations


def test_every_format_is_listed_with_media_type_and_extension() -> None:
    assert set(FORMATS) == {"graphml", "gexf", "cytoscape", "nodelink", "neo4j-csv", "turtle", "jsonld"}
    assert all(f.media_type and f.extension for f in FORMATS.values())
    with pytest.raises(ValueError):
        export_graph(None, "dot", io.BytesIO())  # type: ignore[arg-type]


def test_graphml_round_trips_entities_relations_and_attributes(world: Store) -> None:
    g = nx.read_graphml(io.BytesIO(_export(world, "graphml")))
    assert (g.number_of_nodes(), g.number_of_edges()) == _counts(world)
    names = _by_name(g)
    atameken = g.nodes[names["Atameken Chamber"]]
    assert atameken["type"] == "Organization" and atameken["kind"] == "chamber" and atameken["country"] == "KZ"
    assert g.nodes[names["Almaty Auto Parts Market"]]["sectors"] == "45"
    edges = [d for _u, _v, d in g.edges(names[TRIP_2022_NAME], data=True) if d["type"] == "MET_WITH"]
    edges += [d for _u, _v, d in g.in_edges(names[TRIP_2022_NAME], data=True)
              if d["type"] == "MET_WITH"]
    assert edges and all(d["weight"] >= 1 and d["first_date"] == "2022-05-10" and d["evidence"] for d in edges)


def test_gexf_round_trips(world: Store) -> None:
    g = nx.read_gexf(io.BytesIO(_export(world, "gexf")))
    assert (g.number_of_nodes(), g.number_of_edges()) == _counts(world)
    names = _by_name(g)
    assert g.nodes[names["Kazakh Auto Parts Dealers Association"]]["kind"] == "chamber"
    types = {d["type"] for _u, _v, d in g.edges(data=True)}
    assert {"MET_WITH", "LED", "MEMBER_OF", "IN_SECTOR"} <= types
    assert all(d["weight"] >= 1 for _u, _v, d in g.edges(data=True))


def test_cytoscape_and_nodelink_json(world: Store) -> None:
    cy = json.loads(_export(world, "cytoscape"))
    n, m = _counts(world)
    assert len(cy["elements"]["nodes"]) == n and len(cy["elements"]["edges"]) == m
    assert {e["data"]["label"] for e in cy["elements"]["edges"]} >= {"MET_WITH", "LED"}
    g = nx.node_link_graph(json.loads(_export(world, "nodelink")), edges="links")
    assert (g.number_of_nodes(), g.number_of_edges()) == (n, m)
    assert g.nodes["country-kz"]["label"] == "Kazakhstan"


def test_neo4j_csv_bundle_has_import_headers_and_every_row(world: Store) -> None:
    zf = zipfile.ZipFile(io.BytesIO(_export(world, "neo4j-csv")))
    assert {"README.txt", "nodes.csv", "relationships.csv"} <= set(zf.namelist())
    nodes = list(csv.DictReader(io.TextIOWrapper(zf.open("nodes.csv"), encoding="utf-8")))
    rels = list(csv.DictReader(io.TextIOWrapper(zf.open("relationships.csv"), encoding="utf-8")))
    n, m = _counts(world)
    assert len(nodes) == n and len(rels) == m
    assert {"id:ID", ":LABEL"} <= set(nodes[0]) and {":START_ID", ":END_ID", ":TYPE", "weight:int"} <= set(rels[0])
    ids = {r["id:ID"] for r in nodes}
    assert all(r[":START_ID"] in ids and r[":END_ID"] in ids for r in rels)
    chamber = next(r for r in nodes if r["name"] == "Atameken Chamber")
    assert chamber[":LABEL"] == "Entity;Organization" and chamber["kind"] == "chamber"


@pytest.mark.parametrize("fmt,rdf_format", [("turtle", "turtle"), ("jsonld", "json-ld")])
def test_rdf_uses_org_and_prov_with_spans(world: Store, fmt: str, rdf_format: str) -> None:
    g = rdflib.Graph()
    g.parse(data=_export(world, fmt).decode(), format=rdf_format)
    orgs = set(g.subjects(RDF.type, ORG.Organization))
    assert len(orgs) == 7
    # Memberships for delegation members; every fact derived from its report, with the span.
    assert set(g.subjects(RDF.type, ORG.Membership))
    facts = set(g.subjects(RDF.type, RDF.Statement))
    assert len(facts) == _counts(world)[1]
    doc = TK[f"doc/{TRIP_2022.document.id}"]
    met = [f for f in facts if g.value(f, RDF.predicate) == TKV.MET_WITH]
    assert met and all((f, PROV.wasDerivedFrom, None) in g for f in met)
    texts = {TK[f"doc/{r.document.id}"]: r.document.text for r in (TRIP_2022, DEALERS_2023, MARKETS_2024)}
    oa = rdflib.Namespace("http://www.w3.org/ns/oa#")
    for f in met:
        q = g.value(f, PROV.qualifiedDerivation)
        start, end = int(g.value(q, oa.start)), int(g.value(q, oa.end))
        assert texts[g.value(q, PROV.entity)][start:end] == str(g.value(q, oa.exact))
    assert (doc, RDF.type, PROV.Entity) in g


def test_scoped_exports_keep_only_the_asked_part(world: Store) -> None:
    g = nx.read_graphml(io.BytesIO(_export(world, "graphml", ExportScope(entity="Changan Auto", hops=1))))
    assert set(_by_name(g)) == {"Changan Auto", TRIP_2022_NAME}
    recent = nx.read_graphml(io.BytesIO(_export(world, "graphml", ExportScope(since="2024-01-01"))))
    assert set(_by_name(recent)) == {"Almaty Auto Parts Market", "Steppe Wholesale Trading",
                                     "auto parts trade", "wholesale"}
    by_sector = nx.read_graphml(io.BytesIO(_export(world, "graphml", ExportScope(sector="46"))))
    assert set(_by_name(by_sector)) == {"Steppe Wholesale Trading", "wholesale"}
