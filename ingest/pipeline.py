"""The batch pipeline: files -> documents -> extractions -> store.

Nothing stops a batch but the caller: a file that cannot be read, a
document the extractor chokes on, a store write that fails, each becomes one
error line naming the file, and the rest of the batch goes on. Each document
is stored in its own transaction, so a killed ingest leaves whole reports
behind it and re-running the same command finishes the rest.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from graph.model import Document, Extraction
from graph.store import Store
from ingest.readers import ReadError, iter_report_paths, read_document

# What on_progress(path, status) is told about each file.
ADDED = "added"
UNCHANGED = "unchanged"  # the store already holds this exact report
FAILED = "error"

ProgressCallback = Callable[[str, str], None]


class ExtractorLike(Protocol):
    """What the pipeline needs of ``ingest.extract.Extractor``."""

    version: str

    def extract(self, doc: Document) -> Extraction: ...

    def extract_many(
        self, docs: Iterable[Document], *, n_process: int = 1, batch_size: int = 32
    ) -> Iterator[Extraction]: ...


@dataclass
class IngestReport:
    documents_seen: int = 0
    documents_added: int = 0
    documents_unchanged: int = 0
    entities_added: int = 0
    relations_added: int = 0
    evidence_added: int = 0
    # One per file that could not be read, extracted or stored.
    errors: list[ReadError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def ingest_paths(
    store: Store,
    paths: Iterable[str | os.PathLike[str]],
    *,
    extractor: ExtractorLike,
    n_process: int = 1,
    batch_size: int = 32,
    max_bytes: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """Read every report under ``paths`` and add the new ones to ``store``."""
    report = IngestReport()
    docs: list[Document] = []
    for path in iter_report_paths(paths):
        report.documents_seen += 1
        try:
            docs.append(read_document(path, max_bytes=max_bytes))
        except ReadError as err:
            _fail(report, err, on_progress)
    _ingest(store, docs, report, extractor=extractor, n_process=n_process,
            batch_size=batch_size, on_progress=on_progress)
    return report


def ingest_documents(
    store: Store,
    docs: Iterable[Document],
    *,
    extractor: ExtractorLike,
    n_process: int = 1,
    batch_size: int = 32,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """Add already-read documents (e.g. API uploads) to ``store``."""
    docs = list(docs)
    report = IngestReport(documents_seen=len(docs))
    _ingest(store, docs, report, extractor=extractor, n_process=n_process,
            batch_size=batch_size, on_progress=on_progress)
    return report


def extract_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    extractor: ExtractorLike,
    n_process: int = 1,
    batch_size: int = 32,
    max_bytes: int | None = None,
) -> Iterator[tuple[str, Extraction | ReadError]]:
    """One ``(source, extraction or error)`` per report, in input order,
    without a store (``tradekg extract``)."""
    results: list[tuple[str, Document | ReadError]] = []
    for path in iter_report_paths(paths):
        try:
            results.append((str(path), read_document(path, max_bytes=max_bytes)))
        except ReadError as err:
            results.append((str(path), err))
    docs = [r for _, r in results if isinstance(r, Document)]
    extracted = _extract_each(extractor, docs, n_process=n_process, batch_size=batch_size)
    for source, item in results:
        if isinstance(item, ReadError):
            yield source, item
            continue
        x = next(extracted)
        yield source, x if isinstance(x, Extraction) else ReadError(source, f"extraction failed: {_reason(x)}")


def _ingest(
    store: Store,
    docs: Sequence[Document],
    report: IngestReport,
    *,
    extractor: ExtractorLike,
    n_process: int,
    batch_size: int,
    on_progress: ProgressCallback | None,
) -> None:
    todo: list[Document] = []
    seen: set[str] = set()
    for doc in docs:
        # Known reports cost no extraction work; a report given twice in one
        # batch is stored once.
        if doc.id in seen or store.has_document(doc.id):
            report.documents_unchanged += 1
            _progress(on_progress, doc.source, UNCHANGED)
        else:
            seen.add(doc.id)
            todo.append(doc)

    for doc, x in zip(todo, _extract_each(extractor, todo, n_process=n_process, batch_size=batch_size),
                      strict=True):
        if isinstance(x, Exception):
            _fail(report, ReadError(doc.source, f"extraction failed: {_reason(x)}"), on_progress)
            continue
        try:
            result = store.upsert_extraction(x)
        except Exception as exc:  # one bad write must not cost the rest of the batch
            _fail(report, ReadError(doc.source, f"could not store: {_reason(exc)}"), on_progress)
            continue
        if result.added:
            report.documents_added += 1
            report.entities_added += result.entities_added
            report.relations_added += result.relations_added
            report.evidence_added += result.evidence_added
            _progress(on_progress, doc.source, ADDED)
        else:  # another process stored it since we looked
            report.documents_unchanged += 1
            _progress(on_progress, doc.source, UNCHANGED)


def _extract_each(
    extractor: ExtractorLike, docs: Sequence[Document], *, n_process: int, batch_size: int
) -> Iterator[Extraction | Exception]:
    """One extraction or exception per document, in order. The batched path
    is fast; when a document breaks it, the rest are extracted one at a time
    so only the broken one is lost."""
    done = 0
    try:
        for x in extractor.extract_many(docs, n_process=n_process, batch_size=batch_size):
            yield x
            done += 1
    except Exception:  # the broken one is found again below, one document at a time
        pass
    for doc in docs[done:]:
        try:
            yield extractor.extract(doc)
        except Exception as exc:
            yield exc


def _fail(report: IngestReport, err: ReadError, on_progress: ProgressCallback | None) -> None:
    report.errors.append(err)
    _progress(on_progress, err.path, FAILED)


def _progress(on_progress: ProgressCallback | None, path: str, status: str) -> None:
    if on_progress is not None:
        on_progress(path, status)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__
