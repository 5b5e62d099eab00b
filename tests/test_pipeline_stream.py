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
    assert child.stdout is not None
    workers: list[str] = []
    try:
        for line in child.stdout:
            if line.startswith(ADDED):
                workers = subprocess.run(["ps", "--ppid", str(child.pid), "-o", "pid="], capture_output=True,
                                         text=True, check=True).stdout.split()
                os.kill(child.pid, signal.SIGKILL)
                break
    finally:
        child.kill()
        child.wait()
    assert len(workers) == 3  # the read worker and spaCy's two
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
