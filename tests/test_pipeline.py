"""The ingest pipeline on a real SQLite store with the real extractor."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from graph.model import Document, Extraction
from graph.sqlite_store import SqliteStore
from graph.store import Store
from ingest.pipeline import ADDED, FAILED, UNCHANGED, extract_paths, ingest_documents, ingest_paths
from ingest.readers import ReadError, read_bytes, read_document

ROOT = Path(__file__).resolve().parent.parent

# A few example reports in different formats keep these tests quick.
SAMPLE = [
    "2021-06-chongqing-kazakhstan-auto-parts.txt",
    "2022-05-atameken-delegation-to-chongqing.md",
    "2023-02-keproba-gulfood-dubai.html",
    "2024-06-chongqing-kazakhstan-belarus-great-stone.txt",
]


@pytest.fixture
def reports(tmp_path: Path, examples_dir: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in SAMPLE:
        shutil.copy(examples_dir / name, folder / name)
    return folder


def evidence_by_document(store: Store) -> Counter[str]:
    """How many pieces of evidence each document contributes to the graph."""
    counts: Counter[str] = Counter()
    for entities in store.iter_entities(with_evidence=True):
        counts.update(ev.doc_id for e in entities for ev in e.evidence)
    for relations in store.iter_relations(with_evidence=True):
        counts.update(ev.doc_id for r in relations for ev in r.evidence)
    return counts


def stored_documents(store: Store) -> dict[str, str]:
    return {d.id: d.source for batch in store.iter_documents() for d in batch}


class BreaksOn:
    """The real extractor, except on reports containing a marker: there it
    raises, or (``store=True``) hands the store an extraction without
    provenance, which the store must refuse."""

    def __init__(self, extractor: Any, marker: str, *, store: bool = False) -> None:
        self.inner = extractor
        self.marker = marker
        self.store = store
        self.version = extractor.version

    def extract(self, doc: Document) -> Extraction:
        x: Extraction = self.inner.extract(doc)
        if self.marker not in doc.text:
            return x
        if not self.store:
            raise RuntimeError("extractor crashed on this report")
        return replace(x, entities=[replace(e, mentions=[]) for e in x.entities])

    def extract_many(self, docs: Iterable[Document], *, n_process: int = 1, batch_size: int = 32) -> Iterator[Extraction]:
        for doc in docs:
            yield self.extract(doc)


# --- batches with bad files ---------------------------------------------------------


def test_batch_ingests_good_reports_and_names_every_bad_file(
    reports: Path, tmp_path: Path, sqlite_store: SqliteStore, extractor: Any
) -> None:
    (reports / "empty.txt").write_bytes(b"")
    (reports / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    spreadsheet = tmp_path / "figures.xlsx"
    spreadsheet.write_bytes(b"PK\x03\x04")
    missing = tmp_path / "missing.md"
    progress: dict[str, str] = {}

    report = ingest_paths(sqlite_store, [reports, spreadsheet, missing], extractor=extractor,
                          on_progress=lambda path, status: progress.__setitem__(path, status))

    assert report.documents_seen == len(SAMPLE) + 4
    assert report.documents_added == len(SAMPLE)
    assert report.entities_added > 0 and report.relations_added > 0 and report.evidence_added > 0
    assert not report.ok
    reasons = {e.path: e.reason for e in report.errors}
    assert reasons.keys() == {str(reports / "empty.txt"), str(reports / "photo.txt"), str(spreadsheet), str(missing)}
    assert reasons[str(reports / "empty.txt")] == "empty file"
    assert reasons[str(missing)] == "no such file"
    assert sorted(stored_documents(sqlite_store).values()) == sorted(str(reports / n) for n in SAMPLE)
    assert progress == {**{str(reports / n): ADDED for n in SAMPLE}, **{p: FAILED for p in reasons}}


def test_a_report_the_extractor_crashes_on_is_an_error_and_the_rest_are_stored(
    reports: Path, sqlite_store: SqliteStore, extractor: Any
) -> None:
    broken = reports / SAMPLE[1]
    marker = read_document(broken).text.split("\n")[0]
    report = ingest_paths(sqlite_store, [reports], extractor=BreaksOn(extractor, marker))

    assert [(e.path, e.reason.split(":")[0]) for e in report.errors] == [(str(broken), "extraction failed")]
    assert report.documents_added == len(SAMPLE) - 1
    assert str(broken) not in stored_documents(sqlite_store).values()


def test_a_report_the_store_refuses_leaves_no_trace_in_it(
    reports: Path, sqlite_store: SqliteStore, extractor: Any
) -> None:
    broken = reports / SAMPLE[2]
    broken_id = read_document(broken).id
    report = ingest_paths(sqlite_store, [reports], extractor=BreaksOn(extractor, "Gulfood", store=True))

    assert [e.path for e in report.errors] == [str(broken)]
    assert report.errors[0].reason.startswith("could not store")
    assert report.documents_added == len(SAMPLE) - 1
    assert not sqlite_store.has_document(broken_id)
    assert broken_id not in evidence_by_document(sqlite_store)


# --- idempotence --------------------------------------------------------------------


def test_reingesting_the_same_reports_changes_nothing(reports: Path, sqlite_store: SqliteStore, extractor: Any) -> None:
    first = ingest_paths(sqlite_store, [reports], extractor=extractor)
    stats, evidence = sqlite_store.stats(), evidence_by_document(sqlite_store)
    progress: list[str] = []

    again = ingest_paths(sqlite_store, [reports], extractor=extractor, on_progress=lambda p, s: progress.append(s))

    assert first.documents_added == len(SAMPLE) and first.ok
    assert (again.documents_seen, again.documents_added, again.documents_unchanged) == (len(SAMPLE), 0, len(SAMPLE))
    assert (again.entities_added, again.relations_added, again.evidence_added) == (0, 0, 0)
    assert progress == [UNCHANGED] * len(SAMPLE)
    assert sqlite_store.stats() == stats
    assert evidence_by_document(sqlite_store) == evidence


def test_uploaded_documents_are_ingested_once_even_when_sent_twice(
    examples_dir: Path, sqlite_store: SqliteStore, extractor: Any
) -> None:
    data = (examples_dir / SAMPLE[0]).read_bytes()
    docs = [read_bytes("upload.txt", data), read_bytes("copy.txt", data)]

    report = ingest_documents(sqlite_store, docs, extractor=extractor)

    assert (report.documents_seen, report.documents_added, report.documents_unchanged) == (2, 1, 1)
    assert list(stored_documents(sqlite_store).values()) == ["upload.txt"]


# --- extract without a store --------------------------------------------------------


def test_extract_paths_gives_one_result_per_input_in_input_order(
    reports: Path, tmp_path: Path, extractor: Any
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    given = [reports / SAMPLE[2], bad, reports / SAMPLE[0]]

    results = list(extract_paths(given, extractor=extractor))

    assert [source for source, _ in results] == [str(p) for p in given]
    first, error, last = (r for _, r in results)
    assert isinstance(first, Extraction) and first.document.source == str(given[0]) and first.entities
    assert isinstance(error, ReadError) and str(error) == f"{bad}: empty file"
    assert isinstance(last, Extraction) and last.document.source == str(given[2])


# --- crash safety -------------------------------------------------------------------

CHILD = """
import sys
from graph.sqlite_store import SqliteStore
from ingest.extract import Extractor
from ingest.pipeline import ingest_paths

store = SqliteStore(sys.argv[1])
ingest_paths(store, sys.argv[2:], extractor=Extractor(), batch_size=1,
             on_progress=lambda path, status: print(status, path, flush=True))
print("finished", flush=True)
"""


def test_a_killed_ingest_leaves_whole_reports_and_a_rerun_finishes_the_rest(
    reports: Path, tmp_path: Path, extractor: Any
) -> None:
    paths = [str(reports / n) for n in SAMPLE]
    # What an uninterrupted ingest stores, document by document.
    with SqliteStore(tmp_path / "clean.db") as clean:
        ingest_paths(clean, paths, extractor=extractor)
        expected, expected_stats = evidence_by_document(clean), clean.stats()

    db = tmp_path / "killed.db"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db), *paths], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert child.stdout is not None
    try:
        # Kill as soon as the first report is committed: the child is then
        # extracting or writing the second one.
        for line in child.stdout:
            if line.startswith(ADDED):
                os.kill(child.pid, signal.SIGKILL)
                break
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL

    with SqliteStore(db) as store:
        stored = stored_documents(store)
        evidence = evidence_by_document(store)
        assert 1 <= len(stored) <= len(paths)
        # Every stored report has all its facts, and no fact outlives its report.
        assert evidence.keys() == stored.keys()
        assert {d: evidence[d] for d in stored} == {d: expected[d] for d in stored}

        rerun = ingest_paths(store, paths, extractor=extractor)
        assert rerun.ok, rerun.errors
        assert (rerun.documents_added, rerun.documents_unchanged) == (len(paths) - len(stored), len(stored))
        assert evidence_by_document(store) == expected
        assert store.stats() == expected_stats
