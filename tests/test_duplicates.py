"""Near-duplicates resolution left apart, listed for a person to decide:
`tradekg duplicates` and GET /entities/{id}/candidates."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import cli
from api.config import Settings
from graph.duplicates import duplicate_pairs, similarity
from graph.model import Document, Entity, Evidence, document_id
from graph.store import open_store

TEXT = ("Astana Hub and the Astana Hub International Technology Park; the EU and the European Union; "
        "Polish Chamber of Commerce and Polish Investment and Trade Agency; Ministry of Economy of Belarus "
        "and Ministry of Industry of Belarus.")

ORG = "Organization"


def org(i: str, name: str, country: str | None = None, kind: str | None = None) -> Entity:
    return Entity(id=i, type=ORG, name=name, country=country, kind=kind)


ENTITIES = [
    org("hub", "Astana Hub", "KZ"), org("hub-park", "Astana Hub International Technology Park", "KZ", "park"),
    org("eu", "EU"), org("european-union", "European Union"),
    org("chamber", "Polish Chamber of Commerce", "PL", "chamber"),
    org("paih", "Polish Investment and Trade Agency", "PL", "agency"),
    org("mineco", "Ministry of Economy of Belarus", "BY", "ministry"),
    org("minprom", "Ministry of Industry of Belarus", "BY", "ministry"),
    org("yux-by", "Yuxinou Logistics Co., Ltd.", "BY"), org("yux-cn", "Yuxinou Logistics", "CN"),
]


def test_a_short_form_and_an_acronym_are_candidates_with_reasons() -> None:
    pairs = {(p.a.id, p.b.id): p for p in duplicate_pairs(ENTITIES)}
    assert ("eu", "european-union") in pairs
    assert "initials" in pairs[("eu", "european-union")].reasons[0]
    assert ("hub", "hub-park") in pairs
    assert pairs[("eu", "european-union")].score > 0.5


def test_bodies_that_only_share_a_country_word_are_not_candidates() -> None:
    pairs = {(p.a.id, p.b.id) for p in duplicate_pairs(ENTITIES)}
    assert ("chamber", "paih") not in pairs
    assert ("mineco", "minprom") not in pairs


def test_different_countries_are_never_candidates() -> None:
    assert similarity(ENTITIES[-2], ENTITIES[-1])[0] == 0.0


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dups") / "graph.db"
    doc = Document(id=document_id(TEXT), source="dups.txt", text=TEXT)
    ev = Evidence(doc_id=doc.id, start=0, end=10, text=TEXT[:10])
    store = open_store(path)
    try:
        store.write_graph([doc], [Entity(**{**e.to_dict(), "evidence": [ev]}) for e in ENTITIES], [])
    finally:
        store.close()
    return path


def test_cli_lists_near_duplicates_with_score_and_reasons(db: Path) -> None:
    result = CliRunner().invoke(cli, ["duplicates", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    pairs = {(r["a"]["id"], r["b"]["id"]): r for r in rows}
    assert {("eu", "european-union"), ("hub", "hub-park")} <= set(pairs)
    assert all(r["reasons"] and 0 < r["score"] <= 1 for r in rows)


def test_cli_lists_one_entitys_candidates(db: Path) -> None:
    result = CliRunner().invoke(cli, ["duplicates", "EU", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.stderr
    assert [r["b"]["id"] for r in json.loads(result.stdout)] == ["european-union"]


@pytest.fixture(scope="module")
def api(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(str(db), settings=Settings())) as c:
        yield c


def test_api_lists_an_entitys_candidates(api: TestClient) -> None:
    resp = api.get("/entities/hub/candidates")
    assert resp.status_code == 200
    found = resp.json()
    assert [c["id"] for c in found] == ["hub-park"]
    assert found[0]["reasons"] and found[0]["score"] > 0.5


def test_api_candidates_of_an_unknown_entity_is_a_404(api: TestClient) -> None:
    assert api.get("/entities/nobody/candidates").status_code == 404


def test_resolution_gives_the_reason_and_score_of_each_merge() -> None:
    from graph.resolve import decide
    from tests.builders import report

    [short] = report("Atameken signed an agreement.",
                     entities={"a": ("Organization", "Atameken", {"country": "KZ"})}).entities
    chamber = Entity(id="chamber", type=ORG, name="National Atameken Chamber", aliases=["Atameken"], country="KZ")
    other = Entity(id="other", type=ORG, name="Atameken", country="BY")  # another country: not a candidate
    decision = decide(short, [chamber, other])
    assert decision is not None
    assert (decision.into.id, decision.form, decision.reason, decision.score) == (
        "chamber", "atameken", "its name is an alias of the existing entity", 0.9)


def test_resolution_takes_the_candidate_with_the_strongest_reason_and_no_choice_between_equals() -> None:
    from graph.resolve import decide
    from tests.builders import report

    [agency] = report("The Czech Trade Promotion Agency led the mission.",
                      entities={"a": ("Organization", "Czech Trade Promotion Agency",
                                      {"country": "CZ", "aliases": ["CzechTrade"]})}).entities
    # Its name in another spelling (0.95) beats a one-word alias the report also gives (0.9).
    full = Entity(id="full", type=ORG, name="Czech Trade Promotion Agency CzechTrade", country="CZ")
    short = Entity(id="short", type=ORG, name="CzechTrade")
    decision = decide(agency, [full, short])
    assert decision is not None and decision.into.id == "full" and decision.score == 0.95
    twin = Entity(id="twin", type=ORG, name="Czech Trade Promotion Agency CZT", country="CZ")
    assert decide(agency, [full, twin]) is None  # two equally good: ambiguous, left apart


def test_entity_detail_says_why_a_later_report_was_joined_to_it(tmp_path: Path) -> None:
    from tests.builders import report

    first = report("The National Atameken Chamber (Atameken) met buyers.",
                   entities={"a": ("Organization", "National Atameken Chamber",
                                   {"country": "KZ", "aliases": ["Atameken"]})})
    second = report("Atameken signed an agreement.", entities={"a": ("Organization", "Atameken", {"country": "KZ"})})
    path = tmp_path / "graph.db"
    store = open_store(path)
    try:
        store.upsert_extraction(first)
        store.upsert_extraction(second)
        [chamber] = store.search_entities("National Atameken Chamber")
    finally:
        store.close()
    with TestClient(create_app(str(path), settings=Settings())) as client:
        merges = client.get(f"/entities/{chamber.id}").json()["merges"]
    assert merges == [{"entity_id": chamber.id, "doc_id": second.document.id, "form": "atameken",
                       "reason": "its name is an alias of the existing entity", "score": 0.9}]
