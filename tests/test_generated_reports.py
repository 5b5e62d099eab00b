"""The report-text generator of the end-to-end benchmark
(``benchmarks.reports``): deterministic, the lengths asked for, and texts the
pipeline turns into a graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.reports import REGISTERS, generate_reports, write_reports
from graph.ontology import MISSION, ORGANIZATION, PERSON
from graph.sqlite_store import SqliteStore
from ingest.pipeline import ingest_paths


def test_the_same_seed_gives_the_same_reports_and_another_seed_others() -> None:
    first = list(generate_reports(12, seed=7))
    assert first == list(generate_reports(12, seed=7))
    assert first != list(generate_reports(12, seed=8))
    assert len({name for name, _ in first}) == 12
    assert {name.rsplit("-", 1)[1].removesuffix(".txt") for name, _ in first} == set(REGISTERS)


def test_reports_have_about_the_length_asked_for() -> None:
    for words in (300, 1000):
        counts = [len(text.split()) for _, text in generate_reports(9, seed=2, words=words)]
        assert all(words <= c < 1.5 * words for c in counts), (words, counts)


def test_generated_reports_ingest_into_entities_and_relations(tmp_path: Path, extractor: Any) -> None:
    folder = tmp_path / "reports"
    write_reports(folder, 4, seed=5)

    with SqliteStore(tmp_path / "generated.db") as store:
        report = ingest_paths(store, [folder], extractor=extractor)
        stats = store.stats()

    assert report.ok, report.errors
    assert report.documents_added == 4
    assert report.entities_added >= 20 and report.relations_added >= 10
    assert all(stats.entities_by_type.get(t, 0) >= 1 for t in (MISSION, ORGANIZATION, PERSON))
    assert len(stats.relations_by_type) >= 4
