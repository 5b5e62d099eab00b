"""Compacting the embedded store: by hand (``tradekg compact``) and at the
end of an ingest that has grown the file enough since it was last compacted."""

from __future__ import annotations

import json
import shutil
from collections import namedtuple
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

import graph.sqlite_store
from api.cli import cli
from graph.model import Extraction
from graph.ontology import MET_WITH, MISSION, ORGANIZATION
from graph.sqlite_store import SqliteStore
from graph.store import StoreError
from tests.builders import report


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def meeting(i: int) -> Extraction:
    return report(
        f"Delegation number {i} from Kostanay met with the Mining Equipment Company {i} of Perth in 2024. "
        + "The talks covered drilling rigs, spare parts and service contracts. " * 20,
        entities={"d": (MISSION, f"Delegation number {i}"),
                  "o": (ORGANIZATION, f"Mining Equipment Company {i}", {"kind": "enterprise"})},
        relations=[(MET_WITH, "d", "o")],
    )


def test_compaction_is_due_when_the_file_has_grown_by_half_since_it_was_last_compacted(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "g.db") as store:
        for i in range(20):
            store.upsert_extraction(meeting(i))
        assert not store.compaction_due(min_bytes=store.size_bytes() + 1), "below the size that matters"
        assert store.compaction_due(min_bytes=0), "never compacted"
        store.compact()
        assert not store.compaction_due(min_bytes=0), "just compacted"
        compacted = store.size_bytes()
        i = 20
        while store.size_bytes() < 1.5 * compacted:
            assert not store.compaction_due(min_bytes=0)
            store.upsert_extraction(meeting(i))
            i += 1
        assert store.compaction_due(min_bytes=0)


def test_compact_refuses_when_the_disk_cannot_hold_the_copy_and_leaves_the_graph_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with SqliteStore(tmp_path / "g.db") as store:
        store.upsert_extraction(meeting(1))
        before = store.stats()
        usage = namedtuple("usage", "total used free")
        monkeypatch.setattr(shutil, "disk_usage", lambda _path: usage(10**9, 10**9, 1024))
        with pytest.raises(StoreError, match="not enough free disk to compact"):
            store.compact()
        assert store.stats() == before


@pytest.fixture
def reports(examples_dir: Path) -> list[Path]:
    paths = sorted(examples_dir.glob("*.txt"))[:2]
    if len(paths) < 2:
        pytest.skip("example reports missing")
    return paths


def test_an_ingest_that_grows_the_store_enough_ends_by_compacting_it(
        reports: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graph.sqlite_store, "COMPACT_FROM_BYTES", 0)
    path = tmp_path / "g.db"
    first = run("ingest", reports[0], "--db", path)
    assert first.exit_code == 0, first.stderr
    assert "compacted" in first.stderr
    stats = run("stats", "--db", path, "--json").stdout
    # The same report again adds nothing: no growth, no second rewrite.
    again = run("ingest", reports[0], "--db", path)
    assert "compact" not in again.stderr
    assert run("stats", "--db", path, "--json").stdout == stats
    skipped = run("ingest", reports[1], "--db", path, "--no-compact")
    assert skipped.exit_code == 0 and "compact" not in skipped.stderr
    assert json.loads(run("stats", "--db", path, "--json").stdout)["documents"] == 2


def test_a_small_store_is_not_compacted_after_an_ingest(reports: list[Path], tmp_path: Path) -> None:
    result = run("ingest", *reports, "--db", tmp_path / "g.db")
    assert result.exit_code == 0
    assert "compact" not in result.stderr
