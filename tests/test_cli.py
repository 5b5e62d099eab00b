"""The ``tradekg`` command line, run in-process on real SQLite files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from api.cli import cli
from tests.falkordb_server import FalkorServer

REPORTS = ("2022-05-atameken-delegation-to-chongqing.md", "2021-06-chongqing-kazakhstan-auto-parts.txt")


@pytest.fixture(scope="module")
def reports(examples_dir: Path) -> list[Path]:
    paths = [examples_dir / name for name in REPORTS]
    if not all(p.is_file() for p in paths):
        pytest.skip("example reports missing")
    return paths


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, reports: list[Path]) -> Path:
    path = tmp_path_factory.mktemp("cli") / "graph.db"
    result = run("ingest", *reports, "--db", path)
    assert result.exit_code == 0, result.stderr
    return path


def test_ingest_summarises_what_was_added(db: Path, reports: list[Path]) -> None:
    again = run("ingest", *reports, "--db", db)
    assert again.exit_code == 0
    assert "documents unchanged" in again.stderr
    assert again.stdout == ""


def test_stats_counts_the_ingested_reports(db: Path) -> None:
    result = run("stats", "--db", db, "--json")
    stats = json.loads(result.stdout)
    assert stats["documents"] == 2
    assert stats["relations"] > 0 and stats["entities_by_type"]["Organization"] > 0
    table = run("stats", "--db", db)
    assert "documents" in table.stdout


def test_who_met_whom_as_json_names_both_sides_with_evidence(db: Path) -> None:
    result = run("who-met-whom", "Atameken", "--db", db, "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows
    assert all("Atameken" in r["a"]["name"] for r in rows)
    counterparts = {r["b"]["name"] for r in rows}
    assert any("Chongqing" in name for name in counterparts)
    assert all(r["evidence"] and r["evidence"][0]["text"] for r in rows)


def test_who_met_whom_table_shows_the_sentence(db: Path) -> None:
    rows = json.loads(run("who-met-whom", "Atameken", "--db", db, "--json").stdout)
    result = run("who-met-whom", "Atameken", "--db", db)
    assert result.exit_code == 0
    first_words = rows[0]["evidence"][0]["text"].split()[:2]
    flat = " ".join(result.stdout.split())
    assert " ".join(first_words) in flat


def test_who_met_whom_pages_with_limit_and_offset_and_says_how_many(db: Path) -> None:
    every = json.loads(run("who-met-whom", "Atameken", "--db", db, "--json").stdout)
    second = json.loads(run("who-met-whom", "Atameken", "--db", db, "--json", "--limit", "1", "--offset", "1").stdout)
    assert second == every[1:2]
    table = run("who-met-whom", "Atameken", "--db", db, "--limit", "1")
    assert f"of {len(every)}" in " ".join(table.stderr.split())


def test_unknown_entity_is_one_line_and_exit_2(db: Path) -> None:
    result = run("who-met-whom", "Gondor Trade Board", "--db", db)
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: no entity 'Gondor Trade Board'"
    assert run("timeline", "Gondor Trade Board", "--db", db).exit_code == 2


def test_bad_filter_is_exit_2(db: Path) -> None:
    result = run("who-met-whom", "--country", "Atlantis", "--db", db)
    assert result.exit_code == 2
    assert "Atlantis" in result.stderr


def test_extract_prints_one_contract_object_per_input_in_order(reports: list[Path], tmp_path: Path) -> None:
    ordered = [reports[1], reports[0]]
    result = run("extract", *ordered, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    objs = [json.loads(line) for line in lines]
    assert [o["source"] for o in objs] == [str(p) for p in ordered]
    for o in objs:
        assert set(o) == {"source", "document", "entities", "relations"}
        assert {"id", "title", "date"} <= set(o["document"])
        ids = {e["id"] for e in o["entities"]}
        assert all({"id", "name", "type", "aliases"} <= set(e) for e in o["entities"])
        for r in o["relations"]:
            assert r["source"] in ids and r["target"] in ids
            assert 0 <= r["confidence"] <= 1
            assert all({"start", "end", "text"} == set(s) for s in r["evidence"])
    assert not (tmp_path / "data").exists()


def test_extract_expands_a_directory_in_sorted_order(reports: list[Path], tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for p in reports:
        (folder / p.name).write_bytes(p.read_bytes())
    result = run("extract", folder, "--format", "jsonl")
    sources = [json.loads(line)["source"] for line in result.stdout.splitlines()]
    assert sources == sorted(str(folder / p.name) for p in reports)


def test_a_bad_file_is_one_error_line_and_exit_1(reports: list[Path], tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"this is not a pdf")
    db = tmp_path / "g.db"
    result = run("ingest", reports[0], bad, "--db", db)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith(str(bad))]
    assert len(errors) == 1 and errors[0].startswith(f"{bad}: ")
    stats = json.loads(run("stats", "--db", db, "--json").stdout)
    assert stats["documents"] == 1  # the good report went in all the same
    extract = run("extract", bad, reports[0])
    assert extract.exit_code == 1 and len(extract.stdout.splitlines()) == 1


def test_export_writes_a_file_that_parses(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.graphml"
    result = run("export", "--format", "graphml", "--out", out, "--db", db)
    assert result.exit_code == 0
    assert ET.parse(out).getroot().tag.endswith("graphml")
    assert run("export", "--format", "pptx", "--db", db).exit_code == 2


def test_compact_rewrites_the_file_and_keeps_the_graph(reports: list[Path], tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    assert run("ingest", *reports, "--db", path).exit_code == 0
    before = run("stats", "--db", path, "--json").stdout
    met = run("who-met-whom", "Atameken", "--db", path, "--json").stdout
    result = run("compact", "--db", path)
    assert result.exit_code == 0, result.stderr
    assert "compacted" in result.stderr
    assert run("stats", "--db", path, "--json").stdout == before
    assert run("who-met-whom", "Atameken", "--db", path, "--json").stdout == met


def test_entities_and_documents_list_what_is_stored(db: Path) -> None:
    found = json.loads(run("entities", "Atameken", "--db", db, "--json").stdout)
    assert found and all(e["type"] == "Organization" for e in found[:1])
    docs = json.loads(run("documents", "--db", db, "--json").stdout)
    assert len(docs) == 2
    assert run("entities", "--type", "Planet", "--db", db).exit_code == 2


def test_merge_unmerge_and_delete_document(reports: list[Path], tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    assert run("ingest", *reports, "--db", db).exit_code == 0
    ents = json.loads(run("entities", "--type", "Organization", "--db", db, "--json").stdout)
    keep, drop = ents[0]["id"], ents[1]["id"]
    assert run("merge", keep, drop, "--db", db).exit_code == 0
    assert run("unmerge", drop, "--db", db).exit_code == 0
    assert run("merge", keep, "ghost", "--db", db).exit_code == 2
    doc = json.loads(run("documents", "--db", db, "--json").stdout)[0]["id"]
    assert run("delete-document", doc, "--db", db).exit_code == 0
    assert run("delete-document", doc, "--db", db).exit_code == 2
    stats = json.loads(run("stats", "--db", db, "--json").stdout)
    assert stats["documents"] == 1


@pytest.mark.falkordb
def test_sync_copies_the_graph_to_a_server_and_running_it_again_changes_nothing(
    db: Path, falkordb_server: FalkorServer
) -> None:
    url = falkordb_server.url("cli-sync")
    try:
        first = run("sync", "--from", db, "--to", url)
        assert first.exit_code == 0, first.stderr
        assert "Synced into" in first.stderr and "target was empty" in first.stderr
        copied = json.loads(run("stats", "--store", url, "--json").stdout)
        assert copied == json.loads(run("stats", "--db", db, "--json").stdout)
        again = run("sync", "--from", db, "--to", url, "--batch-size", "7")
        assert again.exit_code == 0, again.stderr
        assert json.loads(run("stats", "--store", url, "--json").stdout) == copied
        # The copy answers questions as the original does.
        assert (json.loads(run("who-met-whom", "Atameken", "--store", url, "--json").stdout)
                == json.loads(run("who-met-whom", "Atameken", "--db", db, "--json").stdout))
    finally:
        falkordb_server.delete_graph("cli-sync")


def test_sync_to_a_server_that_is_down_is_one_line_naming_it(db: Path) -> None:
    from tests.falkordb_server import free_port

    url = f"falkordb://127.0.0.1:{free_port()}/nothing-here"
    result = run("sync", "--from", db, "--to", url)
    assert result.exit_code == 2
    assert url in result.stderr and "Traceback" not in result.stderr
