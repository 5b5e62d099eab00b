"""The HTTP API over a real SqliteStore file: reads, writes, auth, errors.

The graph here is written with ``Store.write_graph`` (already-resolved
records), so these tests check the API and not the extractor's recall; the
upload tests in ``test_api_upload.py`` run the real extractor.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from graph.model import Document, Entity, Evidence, Relation, document_id, relation_id
from graph.store import open_store

KEY = "s3cret-write-key"
LOOPBACK = ("127.0.0.1", 40000)

REPORT = (
    'A delegation led by the National "Atameken" Chamber of Entrepreneurs visited Chongqing in May 2022. '
    "On 9 May the delegation met with the Chongqing Municipal Commission of Commerce. "
    "Changan Auto, a Chongqing car maker, met the commission on 10 June 2021. "
    "Changan Auto makes passenger cars and auto parts. "
    "Atameken signed a memorandum with the Chongqing Municipal Commission of Commerce."
)
OTHER_REPORTS = ["Second report about nothing in particular.", "Third report, also quiet."]


def _ev(doc: Document, sentence_start: str, date: str | None = None) -> Evidence:
    start = doc.text.index(sentence_start)
    end = doc.text.index(".", start) + 1
    return Evidence(doc_id=doc.id, start=start, end=end, text=doc.text[start:end], date=date)


def _rel(rtype: str, source: str, target: str, ev: Evidence) -> Relation:
    return Relation(id=relation_id(rtype, source, target), type=rtype, source=source, target=target,
                    confidence=0.9, date=ev.date, evidence=[ev])


def write_example_graph(path: Path) -> None:
    doc = Document(id=document_id(REPORT), source="atameken.txt", text=REPORT, title="Atameken in Chongqing",
                   date="2022-05-18")
    others = [Document(id=document_id(t), source=f"other-{i}.txt", text=t, title=f"Other {i}")
              for i, t in enumerate(OTHER_REPORTS)]
    lead = _ev(doc, "A delegation led")
    met = _ev(doc, "On 9 May", "2022-05-09")
    changan_met = _ev(doc, "Changan Auto, a", "2021-06-10")
    cars = _ev(doc, "Changan Auto makes")
    signed = _ev(doc, "Atameken signed", "2022-05-10")
    entities = [
        Entity(id="atameken", type="Organization", name='National "Atameken" Chamber of Entrepreneurs',
               aliases=["Atameken"], kind="chamber", country="KZ", evidence=[lead]),
        Entity(id="ccmc", type="Organization", name="Chongqing Municipal Commission of Commerce",
               aliases=["the commission"], kind="commission", country="CN", evidence=[met]),
        Entity(id="delegation", type="Mission", name="Kazakh business delegation", evidence=[lead]),
        Entity(id="changan", type="Organization", name="Changan Auto", kind="enterprise", country="CN",
               evidence=[changan_met]),
        Entity(id="sector-29", type="Sector", name="motor vehicles", attrs={"code": "29"}, evidence=[cars]),
        Entity(id="chongqing", type="Place", name="Chongqing", kind="city", country="CN", evidence=[lead]),
    ]
    relations = [
        _rel("LED", "atameken", "delegation", lead),
        _rel("VISITED", "delegation", "chongqing", lead),
        _rel("MET_WITH", "delegation", "ccmc", met),
        _rel("MET_WITH", "changan", "ccmc", changan_met),
        _rel("SIGNED_WITH", "atameken", "ccmc", signed),
        _rel("IN_SECTOR", "changan", "sector-29", cars),
        _rel("LOCATED_IN", "changan", "chongqing", changan_met),
    ]
    store = open_store(path)
    try:
        store.write_graph([doc, *others], entities, relations)
    finally:
        store.close()


@pytest.fixture(scope="module")
def graph_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("api") / "graph.db"
    write_example_graph(path)
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A graph of its own for tests that write."""
    path = tmp_path / "graph.db"
    write_example_graph(path)
    return path


def client_for(db: Path, *, client: tuple[str, int] = ("testclient", 50000), **settings: object) -> TestClient:
    app = create_app(str(db), settings=Settings(**settings))  # type: ignore[arg-type]
    return TestClient(app, client=client)


@pytest.fixture(scope="module")
def api(graph_db: Path) -> Iterator[TestClient]:
    with client_for(graph_db) as c:
        yield c


def assert_problem(resp, status: int, *words: str) -> dict:  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert body["status"] == status
    for w in words:
        assert w in body["detail"]
    return body


# --- reading -------------------------------------------------------------------


def test_health_answers_ok(api: TestClient) -> None:
    r = api.get("/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_stats_count_what_was_written(api: TestClient) -> None:
    s = api.get("/stats").json()
    assert s["documents"] == 3
    assert s["entities"] == 6
    assert s["relations"] == 7
    assert s["organizations_by_kind"]["chamber"] == 1


def test_documents_are_paginated(api: TestClient) -> None:
    first = api.get("/documents", params={"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_offset"] == 2
    assert "text" not in first["items"][0]
    rest = api.get("/documents", params={"limit": 2, "offset": 2}).json()
    assert len(rest["items"]) == 1 and rest["next_offset"] is None
    ids = {d["id"] for d in first["items"] + rest["items"]}
    assert len(ids) == 3


def test_document_detail_carries_its_text(api: TestClient) -> None:
    r = api.get(f"/documents/{document_id(REPORT)}")
    assert r.status_code == 200
    assert r.json()["text"] == REPORT


def test_unknown_document_is_a_404_problem_naming_it(api: TestClient) -> None:
    assert_problem(api.get("/documents/nope123"), 404, "nope123")


def test_entity_search_finds_by_alias_and_filters(api: TestClient) -> None:
    page = api.get("/entities", params={"q": "Atameken"}).json()
    assert page["items"][0]["id"] == "atameken"
    orgs = api.get("/entities", params={"type": "Organization", "country": "cn"}).json()["items"]
    assert {e["id"] for e in orgs} == {"ccmc", "changan"}
    one = api.get("/entities", params={"limit": 1}).json()
    assert len(one["items"]) == 1 and one["next_offset"] == 1


def test_bad_entity_filters_are_422_problems(api: TestClient) -> None:
    assert_problem(api.get("/entities", params={"type": "Planet"}), 422, "Planet")
    assert_problem(api.get("/entities", params={"kind": "guild"}), 422, "guild")
    assert_problem(api.get("/entities", params={"limit": 0}), 422, "limit")
    assert_problem(api.get("/entities", params={"limit": 100000}), 422, "limit")


def test_entity_detail_has_relations_with_evidence(api: TestClient) -> None:
    d = api.get("/entities/ccmc").json()
    assert d["entity"]["name"] == "Chongqing Municipal Commission of Commerce"
    assert d["entity"]["evidence"][0]["text"].startswith("On 9 May")
    types = {r["type"] for r in d["relations"]}
    assert {"MET_WITH", "SIGNED_WITH"} <= types
    assert {"delegation", "changan", "atameken"} <= set(d["related"])
    assert all(r["evidence"] for r in d["relations"])


def test_unknown_entity_is_a_404_problem_naming_it(api: TestClient) -> None:
    assert_problem(api.get("/entities/no-such-thing"), 404, "no-such-thing")
    assert_problem(api.get("/who-met-whom", params={"entity": "Gondor Trade Board"}), 404, "Gondor Trade Board")
    assert_problem(api.get("/timeline", params={"entity": "Gondor Trade Board"}), 404, "Gondor Trade Board")


def test_who_met_whom_gives_counterparts_with_sentence_and_date(api: TestClient) -> None:
    page = api.get("/who-met-whom", params={"entity": "Atameken"}).json()
    met = {m["b"]["id"]: m for m in page["items"]}
    assert "ccmc" in met
    assert met["ccmc"]["last_date"] == "2022-05-10"
    assert any("Atameken signed" in e["text"] for e in met["ccmc"]["evidence"])
    everyone = api.get("/who-met-whom", params={"limit": 1}).json()
    assert len(everyone["items"]) == 1 and everyone["next_offset"] == 1


def test_who_met_whom_pages_count_the_meetings(api: TestClient) -> None:
    first = api.get("/who-met-whom", params={"limit": 1}).json()
    second = api.get("/who-met-whom", params={"limit": 1, "offset": 1}).json()
    assert first["total"] == second["total"] >= 2
    pair = [(p["items"][0]["a"]["id"], p["items"][0]["b"]["id"]) for p in (first, second)]
    assert pair[0] != pair[1]


def test_who_met_whom_filters_by_date(api: TestClient) -> None:
    page = api.get("/who-met-whom", params={"entity": "Changan Auto", "since": "2022-01-01"}).json()
    assert page["items"] == []
    page = api.get("/who-met-whom", params={"entity": "Changan Auto", "until": "2021-12-31"}).json()
    assert [m["b"]["id"] for m in page["items"]] == ["ccmc"]


def test_bad_country_filter_is_a_422_problem(api: TestClient) -> None:
    assert_problem(api.get("/who-met-whom", params={"country": "Atlantis"}), 422, "Atlantis")


def test_connections_walk_through_the_commission(api: TestClient) -> None:
    paths = api.get("/connections", params={"a": "Atameken", "b": "Changan Auto"}).json()
    assert paths
    names = [n["name"] for n in paths[0]["nodes"]]
    assert names[0].endswith("Chamber of Entrepreneurs") and names[-1] == "Changan Auto"
    assert all(h["evidence"] for h in paths[0]["hops"])


def test_neighbourhood_returns_the_network_around_an_entity(api: TestClient) -> None:
    n = api.get("/neighbourhood", params={"entity": "Atameken", "hops": 2}).json()
    assert n["center"] == "atameken"
    assert {"atameken", "delegation", "ccmc"} <= set(n["entities"])
    assert all(r["source"] in n["entities"] and r["target"] in n["entities"] for r in n["relations"])
    assert_problem(api.get("/neighbourhood", params={"entity": "Atameken", "types": "LIKES"}), 422, "LIKES")


def test_partners_rank_the_car_maker_for_the_motor_sector(api: TestClient) -> None:
    rows = api.get("/partners", params={"sector": "29"}).json()
    assert rows[0]["organization"]["id"] == "changan"
    assert rows[0]["reasons"]


def test_recommendations_need_a_country(api: TestClient) -> None:
    assert_problem(api.get("/recommendations", params={"origin": "Atameken"}), 422, "country")
    rows = api.get("/recommendations", params={"origin": "Atameken", "country": "CN", "sector": "29"})
    assert rows.status_code == 200
    for row in rows.json():
        assert row["reasons"] and row["entity"]["id"] != "atameken"


def test_timeline_lists_dated_facts_in_order(api: TestClient) -> None:
    items = api.get("/timeline", params={"entity": "ccmc"}).json()
    dates = [i["date"] for i in items if i["date"]]
    assert dates == sorted(dates) and "2021-06-10" in dates


# --- exports and SPARQL ----------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "media"),
    [("graphml", "xml"), ("gexf", "xml"), ("cytoscape", "json"), ("nodelink", "json"), ("neo4j-csv", "zip"),
     ("turtle", "turtle"), ("jsonld", "json")],
)
def test_exports_stream_files_that_parse(api: TestClient, fmt: str, media: str) -> None:
    r = api.get(f"/export/{fmt}")
    assert r.status_code == 200, r.text
    assert media in r.headers["content-type"]
    assert "attachment; filename=" in r.headers["content-disposition"]
    body = r.content
    if fmt in ("graphml", "gexf"):
        root = ET.fromstring(body)
        assert len(list(root.iter())) > 10
    elif fmt == "neo4j-csv":
        names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        assert any(n.endswith(".csv") for n in names)
    elif fmt == "turtle":
        assert len(rdflib.Graph().parse(data=body, format="turtle")) > 10
    elif fmt == "jsonld":
        assert len(rdflib.Graph().parse(data=body, format="json-ld")) > 10
    else:
        assert "Changan Auto" in json.dumps(json.loads(body))


def test_export_can_be_scoped_to_a_neighbourhood(api: TestClient) -> None:
    whole = api.get("/export/nodelink").content
    part = api.get("/export/nodelink", params={"entity": "Changan Auto", "hops": 1}).content
    assert len(part) < len(whole)
    assert "Changan Auto" in part.decode()


def test_unknown_export_format_is_a_404_problem(api: TestClient) -> None:
    assert_problem(api.get("/export/pptx"), 404, "pptx")


def test_sparql_select_answers_in_sparql_json(api: TestClient) -> None:
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    r = api.get("/sparql", params={"query": q})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    n = int(r.json()["results"]["bindings"][0]["n"]["value"])
    assert n > 10
    post = api.post("/sparql", content=q, headers={"content-type": "application/sparql-query"})
    assert post.json() == r.json()


def test_sparql_finds_an_entity_by_its_name(api: TestClient) -> None:
    q = 'ASK { ?s ?p "Changan Auto" }'
    assert api.get("/sparql", params={"query": q}).json()["boolean"] is True


def test_sparql_updates_are_refused(api: TestClient) -> None:
    update = "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"
    assert_problem(api.get("/sparql", params={"query": update}), 403, "read-only")
    assert_problem(api.post("/sparql", data={"update": update}), 403, "read-only")
    assert_problem(api.get("/sparql", params={"query": "SELEKT nothing"}), 400, "not a valid SPARQL query")


# --- the explorer's files ----------------------------------------------------------


def test_explorer_page_and_cytoscape_are_served(api: TestClient) -> None:
    page = api.get("/")
    assert page.status_code == 200 and "/vendor/cytoscape.min.js" in page.text
    js = api.get("/vendor/cytoscape.min.js")
    assert js.status_code == 200 and "cytoscape" in js.text[:5000]
    assert api.get("/static/explorer.js").status_code == 200


# --- access control -------------------------------------------------------------


def test_writes_need_the_key_when_one_is_configured(db: Path) -> None:
    with client_for(db, api_key=KEY) as c:
        body = assert_problem(c.delete(f"/documents/{document_id(OTHER_REPORTS[0])}"), 401, "API key")
        assert body["title"] == "Unauthorized"
        r = c.delete(f"/documents/{document_id(OTHER_REPORTS[0])}", headers={"Authorization": "Bearer nope"})
        assert_problem(r, 403, "not valid")
        r = c.delete(f"/documents/{document_id(OTHER_REPORTS[0])}", headers={"Authorization": f"Bearer {KEY}"})
        assert r.status_code == 200
        r = c.delete(f"/documents/{document_id(OTHER_REPORTS[1])}", headers={"X-API-Key": KEY})
        assert r.status_code == 200


def test_without_a_key_writes_come_only_from_loopback(db: Path) -> None:
    doc = document_id(OTHER_REPORTS[0])
    with client_for(db) as remote:
        assert_problem(remote.delete(f"/documents/{doc}"), 403, "loopback")
    with client_for(db, client=LOOPBACK) as local:
        assert local.delete(f"/documents/{doc}").status_code == 200


def test_reads_need_the_read_key_when_one_is_set(db: Path) -> None:
    with client_for(db, read_key="reader", api_key=KEY) as c:
        assert_problem(c.get("/stats"), 401, "API key")
        assert_problem(c.get("/stats", headers={"X-API-Key": "wrong"}), 403, "not valid")
        assert c.get("/stats", headers={"X-API-Key": "reader"}).status_code == 200
        assert c.get("/stats", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
        assert c.get("/health").status_code == 200


def test_cors_allows_only_configured_origins(db: Path) -> None:
    with client_for(db, cors_origins=("https://ok.example",)) as c:
        ok = c.get("/health", headers={"Origin": "https://ok.example"})
        assert ok.headers.get("access-control-allow-origin") == "https://ok.example"
        other = c.get("/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


# --- curation ----------------------------------------------------------------------


def test_deleting_a_document_removes_it_and_its_facts(db: Path) -> None:
    with client_for(db, client=LOOPBACK) as c:
        doc = document_id(REPORT)
        r = c.delete(f"/documents/{doc}")
        assert r.status_code == 200 and r.json() == {"id": doc, "deleted": True}
        assert_problem(c.get(f"/documents/{doc}"), 404, doc)
        assert_problem(c.delete(f"/documents/{doc}"), 404, doc)
        assert c.get("/stats").json()["relations"] == 0


def test_merge_then_unmerge_restores_the_entity(db: Path) -> None:
    with client_for(db, client=LOOPBACK) as c:
        r = c.post("/entities/merge", json={"keep": "ccmc", "drop": "changan"})
        assert r.status_code == 200, r.text
        assert "Changan Auto" in r.json()["aliases"]
        assert c.get("/entities/changan").json()["entity"]["id"] == "ccmc"
        r = c.post("/entities/changan/unmerge")
        assert r.status_code == 200 and r.json()["name"] == "Changan Auto"
        assert c.get("/entities/changan").json()["entity"]["id"] == "changan"


def test_merge_errors_are_problems(db: Path) -> None:
    with client_for(db, client=LOOPBACK) as c:
        assert_problem(c.post("/entities/merge", json={"keep": "ccmc", "drop": "ghost"}), 404, "ghost")
        assert_problem(c.post("/entities/merge", json={"keep": "ccmc", "drop": "ccmc"}), 422, "same")
        assert_problem(c.post("/entities/merge", json={"keep": "ccmc"}), 422, "drop")
        assert_problem(c.post("/entities/ghost/unmerge"), 409, "ghost", "not merged")


def test_the_sparql_view_keeps_any_text_a_report_holds(tmp_path: Path) -> None:
    # The view is loaded by Oxigraph's strict parser: names and sentences
    # with quotes, newlines, angle brackets and any script must still load.
    from api.sparql import build_view, run_query
    from tests.builders import report

    text = ('Ассоциация "Жол" <Almaty> met 北京汽车 in Zürich.\nIt said: "tab\there" & \\ more; 😀 '
            "Ассоциация \"Жол\" <Almaty> signed with 北京汽车.")
    store = open_store(str(tmp_path / "tricky.db"))
    try:
        store.upsert_extraction(report(text, date="2024-02-03", entities={
            "a": ("Organization", 'Ассоциация "Жол" <Almaty>'), "b": ("Organization", "北京汽车"),
            "z": ("Place", "Zürich")}, relations=[("MET_WITH", "a", "b"), ("SIGNED_WITH", "a", "b")]))
        view = build_view(store)
        for name in ('Ассоциация "Жол" <Almaty>', "北京汽车", "Zürich"):
            literal = json.dumps(name, ensure_ascii=False)
            answer = run_query(view, f"ASK {{ ?s ?p {literal} }}", 30)
            assert json.loads(answer.body)["boolean"] is True, name
    finally:
        store.close()
