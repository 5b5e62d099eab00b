"""The curation commands end to end on a real store: corrections from the
CLI, the audit log and undo, corrected documents exported as training
annotations the checker accepts, and a re-extraction killed mid-way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import Result
from typer.testing import CliRunner

from api.cli import cli
from graph.ontology import MET_WITH, VISITED
from graph.sqlite_store import SqliteStore
from ingest.pipeline import ingest_paths
from tests.test_pipeline import SAMPLE, evidence_by_document, stored_documents
from tests.test_store_contract import ASTANA_2023, entity_named

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_corrections_from_the_cli_are_logged_undone_and_exported_as_annotations(tmp_path: Path) -> None:
    db = tmp_path / "kg.db"
    with SqliteStore(db) as store:
        store.upsert_extraction(ASTANA_2023)
        d = entity_named(store, "Chongqing business delegation").id
        x = entity_named(store, "Astana").id
        a = entity_named(store, "National Atameken Chamber of Entrepreneurs").id
        c = entity_named(store, "Changan Auto").id
    text = ASTANA_2023.document.text
    assert run("correct", "reject", VISITED, d, x, "--by", "ana", "--why", "never went", "--db", db).exit_code == 0
    assert run("correct", "add", MET_WITH, c, a, "--by", "ana", "--document", ASTANA_2023.document.id,
               "--start", text.index("Changan"), "--end", len(text), "--db", db).exit_code == 0
    assert run("correct", "entity", c, "--kind", "park", "--by", "ana", "--db", db).exit_code == 0

    log = json.loads(run("corrections", "--json", "--db", db).stdout)
    assert [e["kind"] for e in log] == ["entity", "add", "reject"] and {e["by"] for e in log} == {"ana"}
    assert run("undo", log[0]["id"], "--by", "ben", "--db", db).exit_code == 0
    with SqliteStore(db) as store:
        assert store.get_entity(c).kind == "enterprise"  # type: ignore[union-attr]

    out = tmp_path / "ann"
    assert run("export-annotations", "--out", out, "--db", db).exit_code == 0
    [ann] = sorted(out.glob("*.ann.json"))
    assert ann.with_name(ann.name.replace(".ann.json", ".txt")).read_text(encoding="utf-8") == text
    stored = json.loads(ann.read_text(encoding="utf-8"))
    rels = {(r["type"], r["source"], r["target"]) for r in stored["relations"]}
    assert (MET_WITH, "Changan Auto", "National Atameken Chamber of Entrepreneurs") in rels
    assert not any(t == VISITED for t, _, _ in rels), "a rejected relation is not training data"
    check = subprocess.run([sys.executable, "-m", "ingest.learn.annotations", "check", str(out)],
                           cwd=ROOT, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


CHILD = """
import sys
from api.cli import main
sys.argv = ["tradekg", "reextract", "--db", sys.argv[1]]
main()
"""


def test_a_killed_reextraction_leaves_whole_documents_and_a_rerun_finishes_keeping_corrections(
    tmp_path: Path, examples_dir: Path, extractor: Any
) -> None:
    paths = [str(examples_dir / n) for n in SAMPLE]
    db = tmp_path / "kg.db"
    with SqliteStore(db) as store:
        ingest_paths(store, paths, extractor=extractor)
        expected = evidence_by_document(store)
        docs = stored_documents(store)
        rel = next(r for r in store.relations() if len(r.evidence) == 1)
        # Stored by an older extractor: every document is due for re-extraction.
        store._db.execute("UPDATE documents SET extractor = 'tradekg-extract/0.1'")
    assert run("correct", "reject", rel.type, rel.source, rel.target, "--by", "ana", "--db", db).exit_code == 0

    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None
    try:
        for line in child.stderr:
            if line.startswith("re-extracted"):
                os.kill(child.pid, signal.SIGKILL)
                break
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL

    def rejected_is_out(store: SqliteStore) -> bool:
        return all(r.id != rel.id for r in store.relations(types=[rel.type]))

    with SqliteStore(db) as store:
        versions = {d.extractor for batch in store.iter_documents() for d in batch}
        assert stored_documents(store) == docs, "no document is lost"
        assert extractor.version in versions and versions <= {extractor.version, "tradekg-extract/0.1"}
        assert store.pending_reextracts() == []
        assert rejected_is_out(store)

    rerun = run("reextract", "--db", db)
    assert rerun.exit_code == 0, rerun.stderr
    with SqliteStore(db) as store:
        assert {d.extractor for batch in store.iter_documents() for d in batch} == {extractor.version}
        assert rejected_is_out(store)
        found = evidence_by_document(store)
        # The same extractor finds the same facts, less the rejected one's evidence.
        assert found.keys() == expected.keys()
        assert sum(found.values()) == sum(expected.values()) - len(rel.evidence)
