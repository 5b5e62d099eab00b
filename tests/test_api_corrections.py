"""Corrections over HTTP and the roles of API keys, over a real SqliteStore
file (the example graph of ``test_api.py``)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.keys import ADMIN, CURATE, READ, api_key, load_keys_file, match_key, sha256_hex
from graph.model import Relation, document_id, relation_id
from tests.test_api import LOOPBACK, OTHER_REPORTS, REPORT, assert_problem, client_for, write_example_graph

CURATOR_KEY = "curator-secret"
READER_KEY = "reader-secret"
ADMIN_KEY = "admin-secret"
KEYS = (
    api_key("amina", CURATE, key_hash="sha256:" + sha256_hex(CURATOR_KEY)),
    api_key("ops", ADMIN, key=ADMIN_KEY),
)
AS_CURATOR = {"Authorization": f"Bearer {CURATOR_KEY}"}
AS_ADMIN = {"X-API-Key": ADMIN_KEY}
MET = {"relation_type": "MET_WITH", "source": "changan", "target": "ccmc"}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "graph.db"
    write_example_graph(path)
    return path


def curated(db: Path, **settings: object) -> TestClient:
    return client_for(db, api_keys=KEYS, **settings)


def relation_ids(c: TestClient, entity: str) -> set[str]:
    return {f"{r['type']} {r['source']} {r['target']}" for r in c.get(f"/entities/{entity}").json()["relations"]}


# --- keys and roles ----------------------------------------------------------------


def test_keys_load_from_toml_and_json_with_plain_keys_or_hashes(tmp_path: Path) -> None:
    toml = tmp_path / "keys.toml"
    toml.write_text(f'[[keys]]\nname = "amina"\nrole = "curate"\nkey_hash = "sha256:{sha256_hex("k1")}"\n'
                    '[[keys]]\nname = "ops"\nrole = "admin"\nkey = "k2"\n')
    js = tmp_path / "keys.json"
    js.write_text(json.dumps([{"name": "viewer", "role": "read", "key": "k3"}]))
    keys = load_keys_file(toml) + load_keys_file(js)
    assert [(k.name, k.role) for k in keys] == [("amina", CURATE), ("ops", ADMIN), ("viewer", READ)]
    assert match_key("k1", keys) == keys[0] and match_key("k3", keys) == keys[2]
    assert match_key("k4", keys) is None
    assert all("k2" not in k.key_sha256 for k in keys)  # only hashes are kept


@pytest.mark.parametrize("rows, words", [
    ([{"name": "x", "role": "boss", "key": "k"}], "unknown role"),
    ([{"name": "x", "role": "read"}], "exactly one"),
    ([{"name": "x", "role": "read", "key_hash": "abc"}], "SHA-256"),
    ([{"name": "x", "role": "read", "key": "a"}, {"name": "x", "role": "admin", "key": "b"}], "same name"),
])
def test_a_bad_keys_file_is_refused_naming_the_problem(tmp_path: Path, rows: list[dict[str, str]], words: str) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(rows))
    with pytest.raises(ValueError, match=words):
        load_keys_file(path)


def test_keys_come_from_the_environment_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"keys": [{"name": "amina", "role": "curate", "key": "k1"}]}))
    monkeypatch.setenv("TRADEKG_API_KEYS_FILE", str(path))
    monkeypatch.setenv("TRADEKG_API_KEYS", json.dumps([{"name": "bo", "role": "read", "key": "k2"}]))
    monkeypatch.setenv("TRADEKG_API_KEY", "legacy")
    names = {(k.name, k.role) for k in Settings.from_env().all_keys()}
    assert names == {("amina", CURATE), ("bo", READ), ("admin", ADMIN)}


def test_corrections_need_a_curate_or_admin_key_even_from_loopback(db: Path) -> None:
    with curated(db, client=LOOPBACK, read_key=READER_KEY) as c:
        body = {"kind": "accept", **MET}
        assert_problem(c.post("/corrections", json=body), 401, "API key")
        assert_problem(c.post("/corrections", json=body, headers={"X-API-Key": "wrong"}), 403, "not valid")
        assert_problem(c.post("/corrections", json=body, headers={"X-API-Key": READER_KEY}), 403, "read role")
        assert c.post("/corrections", json=body, headers=AS_CURATOR).status_code == 201
        assert c.post("/corrections", json=body, headers=AS_ADMIN).status_code == 201


def test_corrections_without_any_curate_key_configured_say_how_to_configure_one(db: Path) -> None:
    with client_for(db, client=LOOPBACK) as c:
        assert_problem(c.post("/corrections", json={"kind": "accept", **MET}), 403, "TRADEKG_API_KEYS_FILE")


def test_a_curate_key_cannot_ingest_delete_or_reextract_but_an_admin_key_can(db: Path) -> None:
    doc = document_id(OTHER_REPORTS[0])
    with curated(db, client=LOOPBACK) as c:
        assert_problem(c.delete(f"/documents/{doc}", headers=AS_CURATOR), 403, "curate role", "admin")
        assert_problem(c.post("/reextract", json={"documents": [doc]}, headers=AS_CURATOR), 403, "admin")
        # An admin key is configured: loopback alone no longer writes.
        assert_problem(c.delete(f"/documents/{doc}"), 401, "API key")
        assert c.delete(f"/documents/{doc}", headers=AS_ADMIN).status_code == 200


def test_writes_from_elsewhere_always_need_a_key(db: Path) -> None:
    doc = document_id(OTHER_REPORTS[0])
    with curated(db) as remote:
        assert_problem(remote.delete(f"/documents/{doc}"), 401, "API key")
        assert remote.delete(f"/documents/{doc}", headers=AS_ADMIN).status_code == 200


def test_the_old_single_key_is_an_admin_named_admin(db: Path) -> None:
    with client_for(db, api_key="legacy") as c:
        r = c.post("/corrections", json={"kind": "reject", **MET, "why": "no such meeting"},
                   headers={"Authorization": "Bearer legacy"})
        assert r.status_code == 201, r.text
        assert r.json()["by"] == "admin"


def test_reads_stay_open_unless_a_read_key_is_configured(db: Path) -> None:
    with curated(db) as c:
        assert c.get("/stats").status_code == 200
    with client_for(db, api_keys=(*KEYS, api_key("viewer", READ, key=READER_KEY))) as c:
        assert_problem(c.get("/review"), 401, "API key")
        assert c.get("/review", headers={"X-API-Key": READER_KEY}).status_code == 200
        assert c.get("/review", headers=AS_CURATOR).status_code == 200


# --- each kind of correction -----------------------------------------------------------


def test_a_rejection_records_the_key_name_and_takes_the_relation_out(db: Path) -> None:
    with curated(db) as c:
        assert "MET_WITH changan ccmc" in relation_ids(c, "changan")
        r = c.post("/corrections", json={"kind": "reject", **MET, "why": "they never met"}, headers=AS_CURATOR)
        assert r.status_code == 201, r.text
        made = r.json()
        assert made["by"] == "amina" and made["why"] == "they never met" and made["kind"] == "reject"
        assert made["at"] and made["id"].startswith("c-")
        assert "MET_WITH changan ccmc" not in relation_ids(c, "changan")


def test_accept_and_add_put_relations_that_stay(db: Path) -> None:
    text = REPORT
    start = text.index("Changan Auto makes")
    end = text.index(".", start) + 1
    with curated(db) as c:
        assert c.post("/corrections", json={"kind": "accept", **MET}, headers=AS_CURATOR).status_code == 201
        on_sentence = {"kind": "add", "relation_type": "MET_WITH", "source": "changan", "target": "atameken",
                       "document": document_id(REPORT), "start": start, "end": end}
        r = c.post("/corrections", json=on_sentence, headers=AS_CURATOR)
        assert r.status_code == 201, r.text
        assert r.json()["evidence"][0]["text"] == text[start:end]
        own_word = {"kind": "add", "relation_type": "SIGNED_WITH", "source": "changan", "target": "atameken",
                    "why": "told me at the fair"}
        assert c.post("/corrections", json=own_word, headers=AS_CURATOR).status_code == 201
        assert {"MET_WITH changan atameken", "SIGNED_WITH changan atameken"} <= relation_ids(c, "changan")


def test_entity_changes_set_only_what_is_sent_and_null_clears(db: Path) -> None:
    with curated(db) as c:
        body = {"kind": "entity", "entity_id": "changan",
                "changes": {"kind": "agency", "aliases_add": ["Changan Automobile"]}}
        assert c.post("/corrections", json=body, headers=AS_CURATOR).status_code == 201
        ent = c.get("/entities/changan").json()["entity"]
        assert ent["kind"] == "agency" and "Changan Automobile" in ent["aliases"] and ent["country"] == "CN"
        body = {"kind": "entity", "entity_id": "changan", "changes": {"country": None}}
        assert c.post("/corrections", json=body, headers=AS_CURATOR).status_code == 201
        assert c.get("/entities/changan").json()["entity"]["country"] is None


def test_merge_and_split_as_corrections(db: Path) -> None:
    with curated(db) as c:
        r = c.post("/corrections", json={"kind": "merge", "keep": "ccmc", "drop": "changan"}, headers=AS_CURATOR)
        assert r.status_code == 201, r.text
        assert c.get("/entities/changan").json()["entity"]["id"] == "ccmc"
        r = c.post("/corrections", json={"kind": "split", "entity_id": "changan"}, headers=AS_CURATOR)
        assert r.status_code == 201, r.text
        assert c.get("/entities/changan").json()["entity"]["id"] == "changan"


def test_bad_corrections_are_problems(db: Path) -> None:
    with curated(db) as c:
        def post(body: dict[str, object]):  # type: ignore[no-untyped-def]
            return c.post("/corrections", json=body, headers=AS_CURATOR)

        assert_problem(post({"kind": "teleport"}), 422, "kind")
        assert_problem(post({"kind": "accept", **MET, "relation_type": "LOVES"}), 422, "LOVES")
        assert_problem(post({"kind": "reject", **MET, "target": "delegation"}), 409, "no MET_WITH")
        assert_problem(post({"kind": "accept", **MET, "source": "ghost"}), 409, "ghost")
        assert_problem(post({"kind": "entity", "entity_id": "changan", "changes": {"country": "ZZZ"}}), 422)
        assert_problem(post({"kind": "entity", "entity_id": "changan", "changes": {"kind": "castle"}}), 422, "castle")
        assert_problem(post({"kind": "entity", "entity_id": "ghost", "changes": {"kind": "agency"}}), 404, "ghost")
        assert_problem(post({"kind": "merge", "keep": "ccmc", "drop": "ccmc"}), 422, "same")
        assert_problem(post({"kind": "split", "entity_id": "ccmc"}), 409, "not merged")
        assert_problem(post({"kind": "add", **MET, "document": document_id(REPORT), "start": 5, "end": 10**6}),
                       422, "span")


# --- the audit log and undo ---------------------------------------------------------------


def test_the_audit_log_is_paginated_newest_first_and_undo_marks_who(db: Path) -> None:
    with curated(db) as c:
        made = [c.post("/corrections", json={"kind": kind, **MET}, headers=AS_CURATOR).json()["id"]
                for kind in ("accept", "reject")]
        made.append(c.post("/corrections", json={"kind": "entity", "entity_id": "ccmc",
                                                 "changes": {"kind": "agency"}}, headers=AS_ADMIN).json()["id"])
        first = c.get("/corrections", params={"limit": 2}).json()
        assert [x["id"] for x in first["items"]] == made[::-1][:2]
        assert first["total"] == 3 and first["next_offset"] == 2
        rest = c.get("/corrections", params={"limit": 2, "offset": 2}).json()
        assert [x["id"] for x in rest["items"]] == [made[0]] and rest["next_offset"] is None

        r = c.delete(f"/corrections/{made[1]}", headers=AS_CURATOR)
        assert r.status_code == 200, r.text
        assert r.json()["undone_by"] == "amina"
        # The rejection is undone; the earlier acceptance is in force again.
        assert "MET_WITH changan ccmc" in relation_ids(c, "changan")
        assert_problem(c.delete(f"/corrections/{made[1]}", headers=AS_CURATOR), 409, "already undone")
        assert_problem(c.delete("/corrections/c-nope", headers=AS_CURATOR), 404, "c-nope")
        assert_problem(c.delete(f"/corrections/{made[0]}"), 401)
        active = c.get("/corrections", params={"undone": False}).json()
        assert {x["id"] for x in active["items"]} == {made[0], made[2]}


# --- the review queue ---------------------------------------------------------------------


def test_the_review_queue_puts_low_confidence_first_then_well_connected_entities(db: Path) -> None:
    from graph.store import open_store

    store = open_store(db)
    try:
        # A fact the extractor was unsure of, on the Changan sentence.
        located = next(r for r in store.relations(types=["LOCATED_IN"], entity_ids=["changan"]))
        doubt = Relation(id=relation_id("PART_OF", "changan", "ccmc"), type="PART_OF", source="changan",
                         target="ccmc", confidence=0.3,
                         evidence=[dataclasses.replace(ev, confidence=0.3) for ev in located.evidence])
        store.write_graph([], [], [doubt])
    finally:
        store.close()
    with curated(db) as c:
        page = c.get("/review", params={"limit": 3}).json()
        assert page["total"] == 8
        first = page["items"][0]
        assert first["relation"]["type"] == "PART_OF" and first["source"]["name"] == "Changan Auto"
        # Then the rest (all 0.9) by the degree of their better connected end: ccmc has 4.
        assert page["items"][1]["degree"] == 4 and page["items"][2]["degree"] == 4
        ev = first["evidence"][0]
        assert ev["sentence"] == "Changan Auto, a Chongqing car maker, met the commission on 10 June 2021."
        assert ev["sentence"][ev["span_start"]:ev["span_end"]] == ev["sentence"]

        c.post("/corrections", json={"kind": "reject", "relation_type": "PART_OF", "source": "changan",
                                     "target": "ccmc"}, headers=AS_CURATOR)
        c.post("/corrections", json={"kind": "accept", **MET}, headers=AS_CURATOR)
        after = c.get("/review", params={"limit": 3}).json()
        assert after["total"] == 6
        assert {i["relation"]["type"] for i in after["items"]}.isdisjoint({"PART_OF"})
        assert_problem(c.get("/review", params={"type": "LOVES"}), 422, "LOVES")
        only = c.get("/review", params={"type": "MET_WITH"}).json()
        assert only["total"] == 1 and {i["relation"]["type"] for i in only["items"]} == {"MET_WITH"}


# --- re-extraction -----------------------------------------------------------------------


def test_reextraction_over_http_keeps_corrections(tmp_path: Path, rule_extractor: Any) -> None:
    from graph.model import Document
    from graph.store import open_store
    from ingest.pipeline import extract_document

    db = tmp_path / "extracted.db"
    doc = Document(id=document_id(REPORT), source="atameken.txt", text=REPORT)
    store = open_store(db)
    try:
        store.upsert_extraction(extract_document(rule_extractor, doc))
    finally:
        store.close()
    app = create_app(str(db), settings=Settings(api_keys=KEYS), extractor=rule_extractor)
    with TestClient(app, client=("testclient", 50000)) as c:
        changan = c.get("/entities", params={"q": "Changan Auto"}).json()["items"][0]["id"]
        facts = relation_ids(c, changan)
        met = next(f for f in facts if f.startswith("MET_WITH"))
        rtype, source, target = met.split()
        r = c.post("/corrections", json={"kind": "reject", "relation_type": rtype, "source": source,
                                         "target": target, "why": "wrong"}, headers=AS_CURATOR)
        assert r.status_code == 201, r.text
        atameken = c.get("/entities", params={"q": "Atameken"}).json()["items"][0]["id"]
        own_word = {"kind": "add", "relation_type": "SIGNED_WITH", "source": changan, "target": atameken}
        assert c.post("/corrections", json=own_word, headers=AS_CURATOR).status_code == 201

        assert_problem(c.post("/reextract", json={"all": True, "older_than": "1"}, headers=AS_ADMIN), 422,
                       "at most one")
        assert_problem(c.post("/reextract", json={"documents": ["nope"]}, headers=AS_ADMIN), 404, "nope")
        r = c.post("/reextract", json={"documents": [doc.id]}, headers=AS_ADMIN)
        assert r.status_code == 200, r.text
        report = r.json()
        assert report["errors"] == [] and [d["doc_id"] for d in report["documents"]] == [doc.id]
        assert any("kept rejected" in x for x in report["documents"][0]["conflicts"])
        after = relation_ids(c, changan)
        assert met not in after
        assert any(f.startswith("SIGNED_WITH") and atameken in f for f in after)
