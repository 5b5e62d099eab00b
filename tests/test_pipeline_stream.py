"""The pipeline's one extraction pass over a stream of reports: order, the
broken report alone lost, long texts in pieces, several processes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from graph.model import Document, ExtractedEntity, Extraction, Span, document_id
from graph.sqlite_store import SqliteStore
from ingest.pipeline import ADDED, _extract_stream, ingest_documents, ingest_paths
from ingest.store_writer import InlineWriter, ProcessWriter, open_writer


@dataclass
class _Nlp:
    max_length: int


class _Names:
    """Finds capitalised words; breaks (in a pass and alone) on "BREAK";
    refuses texts longer than its model's limit, like spaCy. Notes what each
    pass was given, and how far ahead of its output it read."""

    version = "test"

    def __init__(self, max_length: int = 400) -> None:
        self.nlp = _Nlp(max_length)
        self.passes: list[list[str]] = []

    def extract(self, doc: Document) -> Extraction:
        if len(doc.text) > self.nlp.max_length:
            raise ValueError("[E088] text too long")
        if "BREAK" in doc.text:
            raise RuntimeError("broken report")
        names: dict[str, list[Span]] = {}
        for m in re.finditer(r"\b[A-Z][a-z]+\b", doc.text):
            names.setdefault(m.group(), []).append(Span(m.start(), m.end(), m.group()))
        entities = [ExtractedEntity(id=f"e{i}", type="Organization", name=n, mentions=s)
                    for i, (n, s) in enumerate(names.items())]
        return Extraction(document=doc, entities=entities, relations=[], extractor=self.version)

    def extract_many(self, docs: Iterable[Document], *, n_process: int = 1,
                     batch_size: int = 32) -> Iterator[Extraction]:
        given: list[str] = []
        self.passes.append(given)
        for doc in docs:
            given.append(doc.source)
            yield self.extract(doc)


def _doc(name: str, text: str) -> Document:
    return Document(id=document_id(text), source=name, text=text)


def test_the_broken_report_alone_is_lost_and_a_long_one_is_extracted_in_pieces(
    sqlite_store: SqliteStore
) -> None:
    long_text = ("Atameken met Minsk officials.\n\n" + "filler words here " * 10 + "\n") * 6
    docs = [_doc("a", "Almaty and Astana."), _doc("b", "Belarus BREAK here."), _doc("c", "Chongqing."),
            _doc("long", long_text), _doc("d", "Dubai.")]
    extractor = _Names()

    report = ingest_documents(sqlite_store, docs, extractor=extractor)

    assert [(e.path, e.reason.split(":")[0]) for e in report.errors] == [("b", "extraction failed")]
    assert report.documents_added == 4
    stored = {d.source for batch in sqlite_store.iter_documents() for d in batch}
    assert stored == {"a", "c", "long", "d"}
    # A pass up to the broken report, a pass from it up to the long text, one after it.
    assert extractor.passes == [["a", "b"], ["c"], ["d"]]


def test_results_come_in_input_order_and_an_error_of_the_input_is_raised_after_them() -> None:
    def docs() -> Iterator[Document]:
        yield _doc("a", "Almaty.")
        yield _doc("b", "BREAK.")
        yield _doc("c", "Chongqing.")
        raise OSError("disk gone")

    out: list[tuple[str, Any]] = []
    with pytest.raises(OSError, match="disk gone"):
        for doc, x in _extract_stream(_Names(), docs(), n_process=1, batch_size=2):
            out.append((doc.source, type(x).__name__))
    assert out == [("a", "Extraction"), ("b", "RuntimeError"), ("c", "Extraction")]


def test_the_stream_reads_only_as_far_as_the_extractor_asks(sqlite_store: SqliteStore) -> None:
    read: list[int] = []

    def docs() -> Iterator[Document]:
        for i in range(50):
            read.append(i)
            yield _doc(str(i), f"Report {i}.")

    stream = _extract_stream(_Names(), docs(), n_process=1, batch_size=4)
    for _ in range(3):
        next(stream)
    assert len(read) <= 4
    stream.close()


def test_two_processes_store_the_same_graph_as_one(
    tmp_path: Path, examples_dir: Path, extractor: Any
) -> None:
    files = sorted(examples_dir.glob("*.txt"))[:4]
    stats = []
    for n in (1, 2):
        with SqliteStore(tmp_path / f"n{n}.db") as store:
            report = ingest_paths(store, files, extractor=extractor, n_process=n, batch_size=2)
            assert report.ok and report.documents_added == len(files)
            stats.append(store.stats())
    assert stats[0] == stats[1]


def _example_docs(examples_dir: Path, n: int = 5) -> list[Document]:
    return [_doc(p.name, p.read_text()) for p in sorted(examples_dir.glob("*.txt"))[:n]]


def test_two_processes_extract_what_one_does_in_order_and_a_failing_batch_stops_the_pass_where_it_fails(
    examples_dir: Path, extractor: Any
) -> None:
    docs = _example_docs(examples_dir)
    one = list(extractor.extract_many(docs, batch_size=2))
    two = list(extractor.extract_many(docs, n_process=2, batch_size=2))
    assert [x.document.source for x in two] == [d.source for d in docs]
    assert [x.to_contract() for x in two] == [x.to_contract() for x in one]
    too_long = Document(id="long", source="long", text="word " * (extractor.nlp.max_length // 5 + 1))
    got = []
    with pytest.raises(ValueError, match="E088"):
        for x in extractor.extract_many([docs[0], docs[1], too_long, docs[2]], n_process=2, batch_size=1):
            got.append(x.document.source)
    assert got == [docs[0].source, docs[1].source]


def test_with_two_processes_a_report_that_breaks_the_extractor_is_the_only_one_lost(
    tmp_path: Path, examples_dir: Path, extractor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = _example_docs(examples_dir)
    broken = docs[2].source
    extract = type(extractor)._extract

    def breaks_on_one(self: Any, document: Document, prepared: str, parsed: Any) -> Extraction:
        if document.source == broken:
            raise RuntimeError("broken report")
        return extract(self, document, prepared, parsed)

    # Patched before the workers are forked, so they break on it too.
    monkeypatch.setattr(type(extractor), "_extract", breaks_on_one)
    with SqliteStore(tmp_path / "two.db") as store:
        report = ingest_documents(store, docs, extractor=extractor, n_process=2, batch_size=2)
    assert report.documents_added == len(docs) - 1
    assert [e.path for e in report.errors] == [broken] and "broken report" in report.errors[0].reason


CHILD = """
import sys
from graph.sqlite_store import SqliteStore
from ingest.extract import Extractor
from ingest.pipeline import ingest_paths

ingest_paths(SqliteStore(sys.argv[1]), sys.argv[2:], extractor=Extractor(), n_process=2, batch_size=1,
             on_progress=lambda path, status: print(status, path, flush=True))
"""


def test_a_killed_ingest_with_two_processes_leaves_no_process_behind(tmp_path: Path, examples_dir: Path) -> None:
    files = [str(p) for p in sorted(examples_dir.glob("*.txt"))]
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path / "killed.db"), *files],
                             cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    workers: list[str] = []
    try:
        # Killed once all its workers are up: the read worker, the two extraction workers
        # and the store writer.
        deadline = time.monotonic() + 120
        while len(workers) < 4 and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            workers = subprocess.run(["ps", "--ppid", str(child.pid), "-o", "pid="], capture_output=True,
                                     text=True, check=False).stdout.split()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert len(workers) == 4
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


def _graph(store: SqliteStore) -> tuple[list[tuple[str, str]], int]:
    entities = sorted((e.id, e.name) for batch in store.iter_entities() for e in batch)
    return entities, store.stats().documents


def test_a_store_file_is_written_from_a_process_of_its_own_with_the_same_outcome(tmp_path: Path) -> None:
    texts = ["Alpha met Beta in Gamma.", "Delta signed with Alpha.", "Epsilon visited Beta."]
    extractions = [_Names().extract(Document(id=document_id(t), source=f"r{i}.txt", text=t))
                   for i, t in enumerate(texts)]
    broken = Extraction(document=Document(id="x", source="x.txt", text="Zeta"),
                        entities=[ExtractedEntity(id="e0", type="Spaceship", name="Zeta",
                                                  mentions=[Span(0, 4, "Zeta")])],
                        relations=[], extractor="test")
    items: list[Extraction | Exception] = [extractions[0], RuntimeError("broken report"), broken,
                                           *extractions[1:], extractions[0]]
    outcomes: dict[str, list[object]] = {"process": [], "in line": []}
    with SqliteStore(tmp_path / "a.db") as a, SqliteStore(tmp_path / "b.db") as b:
        writers = (open_writer(a, outcomes["process"].append), InlineWriter(b, outcomes["in line"].append))
        assert isinstance(writers[0], ProcessWriter)
        for writer in writers:
            for item in items:
                writer.put(item)
            writer.close()
        assert _graph(a) == _graph(b) and _graph(a)[1] == 3
    # Answered in order: a result per write, the extraction failure handed
    # back, one line for the write that failed, the repeated report unchanged.
    process, in_line = outcomes["process"], outcomes["in line"]
    assert [type(o).__name__ for o in process] == [type(o).__name__ for o in in_line] == [
        "UpsertResult", "RuntimeError", "str", "UpsertResult", "UpsertResult", "UpsertResult"]
    assert process[0] == in_line[0] and process[3:] == in_line[3:]
    assert "Spaceship" in str(process[2]) and [r.added for r in process[3:]] == [True, True, False]


def test_a_store_writer_that_dies_is_an_error_naming_the_reports_it_did_not_store(tmp_path: Path) -> None:
    x = _Names().extract(Document(id="d", source="d.txt", text="Alpha met Beta."))
    with SqliteStore(tmp_path / "a.db") as store:
        writer = open_writer(store, lambda outcome: None)
        assert isinstance(writer, ProcessWriter)
        writer._process.kill()
        writer._process.wait()
        with pytest.raises(RuntimeError, match="store writer stopped .* not stored"):
            try:
                writer.put(x)
            finally:
                writer.close()


def test_a_store_in_memory_or_inside_a_transaction_is_written_in_line(tmp_path: Path) -> None:
    with SqliteStore(":memory:") as store:
        assert isinstance(open_writer(store, print), InlineWriter)
    with SqliteStore(tmp_path / "a.db") as store, store.transaction():
        # A writer process would wait for this transaction's lock.
        assert isinstance(open_writer(store, print), InlineWriter)
        report = ingest_documents(store, [Document(id="d", source="d.txt", text="Alpha met Beta.")],
                                  extractor=_Names())
        assert report.documents_added == 1


def test_a_store_writer_that_cannot_open_the_store_says_why(tmp_path: Path) -> None:
    garbage = tmp_path / "not-a-store.db"
    garbage.write_bytes(b"\x00" * 4096)
    writer = ProcessWriter(garbage, lambda outcome: None)
    with pytest.raises(RuntimeError, match="could not open .*not-a-store.db: .*not a database"):
        writer.close()


class _Unpicklable(Exception):
    """An extractor's exception carrying something that cannot cross to
    another process."""

    def __init__(self) -> None:
        super().__init__("broken in a way that does not pickle")
        self.callback = lambda: None


class _BreaksUnpicklably(_Names):
    def extract(self, doc: Document) -> Extraction:
        if "ODD" in doc.text:
            raise _Unpicklable()
        return super().extract(doc)


def test_an_extraction_failure_that_does_not_pickle_is_one_line_and_the_batch_goes_on(tmp_path: Path) -> None:
    docs = [_doc("a", "Almaty."), _doc("b", "Belarus ODD."), _doc("c", "Chongqing.")]
    seen: list[tuple[str, str]] = []
    with SqliteStore(tmp_path / "a.db") as store:
        report = ingest_documents(store, docs, extractor=_BreaksUnpicklably(),
                                  on_progress=lambda path, status: seen.append((path, status)))
    assert [(e.path, e.reason.split(":")[0]) for e in report.errors] == [("b", "extraction failed")]
    assert report.documents_added == 2
    assert seen == [("a", ADDED), ("b", "error"), ("c", ADDED)]
