"""A name that matches several entities: the best is used and the user is
told the others (CLI: a line on stderr; API: X-Matched-Entity, or a 409 with
the candidates when nothing is clearly best)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import cli
from api.config import Settings
from graph.model import Document, Entity, Evidence, Relation, document_id, relation_id
from graph.store import open_store

TEXT = ("The Kazakh business delegation met the National Atameken Chamber in Astana. "
        "Atameken, the chamber, hosted the talks. The Atameken programme funds exporters. "
        "Yuxinou Logistics Co., Ltd. in Minsk and Yuxinou Logistics Co., Ltd. in Chongqing run trains.")


def _ev(doc: Document, phrase: str) -> Evidence:
    start = doc.text.index(phrase)
    return Evidence(doc_id=doc.id, start=start, end=start + len(phrase), text=phrase)


def write_graph(path: Path) -> None:
    doc = Document(id=document_id(TEXT), source="lookup.txt", text=TEXT, date="2022-05-10")
    met = _ev(doc, "The Kazakh business delegation met the National Atameken Chamber in Astana.")
    entities = [
        Entity(id="chamber", type="Organization", name="National Atameken Chamber", aliases=["Atameken"],
               kind="chamber", country="KZ", evidence=[met, _ev(doc, "Atameken, the chamber")]),
        Entity(id="programme", type="Program", name="Atameken", evidence=[_ev(doc, "The Atameken programme")]),
        Entity(id="mission", type="Mission", name="Kazakh business delegation", evidence=[met]),
        Entity(id="yuxinou-by", type="Organization", name="Yuxinou Logistics Co., Ltd.", country="BY",
               evidence=[_ev(doc, "Yuxinou Logistics Co., Ltd. in Minsk")]),
        Entity(id="yuxinou-cn", type="Organization", name="Yuxinou Logistics Co., Ltd.", country="CN",
               evidence=[_ev(doc, "Yuxinou Logistics Co., Ltd. in Chongqing")]),
    ]
    relations = [Relation(id=relation_id("MET_WITH", "mission", "chamber"), type="MET_WITH", source="mission",
                          target="chamber", evidence=[met])]
    store = open_store(path)
    try:
        store.write_graph([doc], entities, relations)
    finally:
        store.close()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lookup") / "graph.db"
    write_graph(path)
    return path


@pytest.fixture(scope="module")
def api(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(str(db), settings=Settings())) as c:
        yield c


def test_cli_uses_the_chamber_for_atameken_and_names_the_programme(db: Path) -> None:
    result = CliRunner().invoke(cli, ["who-met-whom", "Atameken", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.stderr
    assert "Kazakh business delegation" in result.stdout
    assert ("2 entities match 'Atameken'; using National Atameken Chamber (Organization, chamber), "
            "others: Atameken (Program, programme)") in result.stderr


def test_cli_says_nothing_when_a_name_matches_one_entity(db: Path) -> None:
    result = CliRunner().invoke(cli, ["who-met-whom", "Kazakh business delegation", "--db", str(db), "--json"])
    assert result.exit_code == 0
    assert "match" not in result.stderr


def test_cli_still_answers_for_an_unclear_name_and_lists_the_others(db: Path) -> None:
    result = CliRunner().invoke(cli, ["timeline", "Yuxinou Logistics Co., Ltd.", "--db", str(db), "--json"])
    assert result.exit_code == 0
    assert "2 entities match 'Yuxinou Logistics Co., Ltd.'" in result.stderr


def test_api_sends_the_entity_a_name_matched(api: TestClient) -> None:
    resp = api.get("/who-met-whom", params={"entity": "Atameken"})
    assert resp.status_code == 200
    assert resp.headers["X-Matched-Entity"] == "chamber"
    assert [m["b"]["name"] for m in resp.json()["items"]] == ["Kazakh business delegation"]


def test_api_sends_no_header_when_given_an_id_or_no_entity(api: TestClient) -> None:
    assert "X-Matched-Entity" not in api.get("/who-met-whom", params={"entity": "chamber"}).headers
    assert "X-Matched-Entity" not in api.get("/stats").headers


def test_api_answers_409_with_the_candidates_when_nothing_is_clearly_best(api: TestClient) -> None:
    resp = api.get("/who-met-whom", params={"entity": "Yuxinou Logistics Co., Ltd."})
    assert resp.status_code == 409, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert "2 entities match" in body["detail"]
    assert sorted(c["id"] for c in body["candidates"]) == ["yuxinou-by", "yuxinou-cn"]
    # Asking by id is the way out.
    assert api.get("/who-met-whom", params={"entity": "yuxinou-by"}).status_code == 200
