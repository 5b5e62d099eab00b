"""The batch pipeline: files -> documents -> extractions -> store.

Nothing stops a batch but the caller: a file that cannot be read, a
document the extractor chokes on, a store write that fails, each becomes one
error line naming the file, and the rest of the batch goes on. Each document
is stored in its own transaction, so a killed ingest leaves whole reports
behind it and re-running the same command finishes the rest.

Files flow through in slices of ``batch_size``: read, extracted, stored, then
the next slice, so memory stays bounded for any batch and a slow file delays
only its own slice. Each file is read in a worker process within a time
budget (``ingest.read_worker``); a text longer than the NLP model takes is
extracted in pieces (``extract_document``).
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from graph.model import Document, ExtractedEntity, ExtractedRelation, Extraction, Span
from graph.store import Store
from ingest.read_worker import ReadWorker
from ingest.readers import ReadError, iter_report_paths, read_document

# spaCy's default ``nlp.max_length``: longer texts are refused with E088.
DEFAULT_NLP_MAX_CHARS = 1_000_000

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
    # Files a folder walk left out (unsupported type, a folder seen before).
    skipped: list[ReadError] = field(default_factory=list)

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
    read_timeout_s: float | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """Read every report under ``paths`` and add the new ones to ``store``.
    ``read_timeout_s`` is each file's reading budget (0: read in this
    process, without one)."""
    report = IngestReport()
    seen: set[str] = set()
    files = iter_report_paths(paths, report.skipped)
    with _reader(read_timeout_s, max_bytes) as read:
        for chunk in _slices(files, batch_size):
            docs: list[Document] = []
            for path in chunk:
                report.documents_seen += 1
                try:
                    docs.append(read(path))
                except ReadError as err:
                    _fail(report, err, on_progress)
            _ingest(store, docs, report, extractor=extractor, n_process=n_process,
                    batch_size=batch_size, on_progress=on_progress, seen=seen)
    return report


class _InProcessReader:
    def __init__(self, max_bytes: int | None):
        self.max_bytes = max_bytes

    def __enter__(self) -> Callable[[Path], Document]:
        return lambda path: read_document(path, max_bytes=self.max_bytes)

    def __exit__(self, *_: object) -> None:
        pass


class _WorkerReader:
    def __init__(self, timeout_s: float | None, max_bytes: int | None):
        self.worker = ReadWorker(timeout_s, max_bytes=max_bytes)

    def __enter__(self) -> Callable[[Path], Document]:
        return self.worker.read_path

    def __exit__(self, *_: object) -> None:
        self.worker.close()


def _reader(timeout_s: float | None, max_bytes: int | None) -> _InProcessReader | _WorkerReader:
    if timeout_s is not None and timeout_s <= 0:
        return _InProcessReader(max_bytes)
    return _WorkerReader(timeout_s, max_bytes)


def _slices(items: Iterable[Path], size: int) -> Iterator[list[Path]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, max(1, size))):
        yield chunk


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
    read_timeout_s: float | None = None,
) -> Iterator[tuple[str, Extraction | ReadError]]:
    """One ``(source, extraction or error)`` per report, in input order,
    without a store (``tradekg extract``)."""
    with _reader(read_timeout_s, max_bytes) as read:
        for chunk in _slices(iter_report_paths(paths), batch_size):
            results: list[tuple[str, Document | ReadError]] = []
            for path in chunk:
                try:
                    results.append((str(path), read(path)))
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
    seen: set[str] | None = None,
) -> None:
    todo: list[Document] = []
    seen = set() if seen is None else seen
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
        store_extraction(store, x, report, on_progress=on_progress)


def store_extraction(
    store: Store, x: Extraction, report: IngestReport, *, on_progress: ProgressCallback | None = None
) -> None:
    """Write one extraction and count it in ``report``; a failed write is
    one error line."""
    doc = x.document
    try:
        result = store.upsert_extraction(x)
    except Exception as exc:  # one bad write must not cost the rest of the batch
        _fail(report, ReadError(doc.source, f"could not store: {_reason(exc)}"), on_progress)
        return
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
    so only the broken one is lost. Texts too long for the model never enter
    the batch: they are extracted in pieces."""
    limit = nlp_max_chars(extractor)
    if any(len(d.text) > limit for d in docs):
        for doc in docs:
            try:
                yield extract_document(extractor, doc)
            except Exception as exc:
                yield exc
        return
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


def nlp_max_chars(extractor: ExtractorLike) -> int:
    nlp = getattr(extractor, "nlp", None)
    return int(getattr(nlp, "max_length", DEFAULT_NLP_MAX_CHARS))


def extract_document(extractor: ExtractorLike, doc: Document) -> Extraction:
    """``extractor.extract(doc)``, also for texts longer than the NLP model
    accepts: those are cut at paragraph (else line, else word) breaks into
    pieces the model takes, and the pieces' extractions joined, with every
    span shifted back to an offset into the whole text."""
    limit = nlp_max_chars(extractor)
    if len(doc.text) <= limit:
        return extractor.extract(doc)
    pieces = [(start, extractor.extract(dataclasses.replace(doc, text=doc.text[start:end])))
              for start, end in text_pieces(doc.text, limit)]
    return _join_pieces(doc, pieces, extractor.version)


def text_pieces(text: str, limit: int) -> list[tuple[int, int]]:
    """``(start, end)`` ranges covering ``text``, each at most ``limit`` long."""
    ranges: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start:start + limit]
        cut = limit  # no break in the window: cut mid-word
        for brk in ("\n\n", "\n", " "):
            at = window.rfind(brk)
            if at > limit // 4:
                cut = at + len(brk)
                break
        end = start + cut
        ranges.append((start, end))
        start = end
    ranges.append((start, len(text)))
    return ranges


def _shift(span: Span, by: int) -> Span:
    return Span(span.start + by, span.end + by, span.text)


def _join_pieces(doc: Document, pieces: list[tuple[int, Extraction]], version: str) -> Extraction:
    """One extraction from the pieces': an entity named the same way in two
    pieces becomes one entity; local ids are renumbered."""
    entities: dict[tuple[str, str], ExtractedEntity] = {}
    relations: list[ExtractedRelation] = []
    for offset, x in pieces:
        local: dict[str, str] = {}
        for e in x.entities:
            key = (e.type, e.name)
            if key not in entities:
                entities[key] = dataclasses.replace(e, id=f"e{len(entities) + 1}", aliases=list(e.aliases),
                                                    mentions=[])
            joined = entities[key]
            joined.aliases.extend(a for a in e.aliases if a not in joined.aliases)
            joined.mentions.extend(_shift(m, offset) for m in e.mentions)
            local[e.id] = joined.id
        for r in x.relations:
            if r.source in local and r.target in local:
                relations.append(dataclasses.replace(r, source=local[r.source], target=local[r.target],
                                                     evidence=[_shift(s, offset) for s in r.evidence]))
    return Extraction(document=doc, entities=list(entities.values()), relations=relations, extractor=version)


def _fail(report: IngestReport, err: ReadError, on_progress: ProgressCallback | None) -> None:
    report.errors.append(err)
    _progress(on_progress, err.path, FAILED)


def _progress(on_progress: ProgressCallback | None, path: str, status: str) -> None:
    if on_progress is not None:
        on_progress(path, status)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__
