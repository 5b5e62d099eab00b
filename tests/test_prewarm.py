"""The server reads an embedded store's file into the page cache when it starts."""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from graph.prewarm import prewarm, store_files
from graph.sqlite_store import SqliteStore
from tests.builders import report


def _store(path: Path) -> Path:
    store = SqliteStore(path)
    text = "Minister Ana Costa of the Ministry of Economy met the Lagos Chamber of Commerce in Lagos."
    store.upsert_extraction(report(text, entities={
        "a": ("Person", "Ana Costa"), "m": ("Organization", "Ministry of Economy"),
        "c": ("Organization", "Lagos Chamber of Commerce"), "l": ("Place", "Lagos")},
        relations=[("WORKS_FOR", "a", "m"), ("MET_WITH", "m", "c")]))
    store.close()
    return path


def test_prewarm_reads_the_whole_store_file_and_its_log(tmp_path: Path) -> None:
    db = _store(tmp_path / "kg.db")
    files = store_files(db)
    result = prewarm(files, available=1 << 40)
    assert result.done and result.skipped is None
    assert result.bytes_read == sum(p.stat().st_size for p in files) > 0


def test_a_store_larger_than_half_the_available_memory_is_left_alone(tmp_path: Path) -> None:
    db = _store(tmp_path / "kg.db")
    size = sum(p.stat().st_size for p in store_files(db))
    result = prewarm(store_files(db), available=2 * size - 1)
    assert result.bytes_read == 0
    assert result.skipped is not None and "more than half" in result.skipped
    assert prewarm(store_files(db), available=2 * size).bytes_read == size


def test_prewarm_stops_when_the_server_does(tmp_path: Path) -> None:
    db = _store(tmp_path / "kg.db")
    stop = threading.Event()
    stop.set()
    result = prewarm(store_files(db), stop, available=1 << 40)
    assert result.bytes_read == 0 and result.skipped == "stopped with the server"


def test_the_api_prewarms_its_embedded_store_at_start_and_still_answers(tmp_path: Path) -> None:
    db = _store(tmp_path / "kg.db")
    app = create_app(str(db), settings=Settings())
    with TestClient(app) as client:
        result = app.state.tradekg.prewarmed(timeout=30)
        assert result is not None and result.done
        assert result.bytes_read > 0 or result.skipped  # skipped only on a machine short of memory
        found = client.get("/entities", params={"q": "Lagos Chamber"}).json()
        assert any(e["name"] == "Lagos Chamber of Commerce" for e in found["items"])


def test_prewarm_can_be_turned_off_and_never_runs_for_a_server_store(tmp_path: Path) -> None:
    db = _store(tmp_path / "kg.db")
    off = create_app(str(db), settings=Settings(prewarm=False))
    with TestClient(off):
        assert off.state.tradekg.prewarmed(timeout=1) is None
    server = create_app("bolt://127.0.0.1:1", settings=Settings())
    with TestClient(server):
        assert server.state.tradekg.prewarmed(timeout=1) is None
