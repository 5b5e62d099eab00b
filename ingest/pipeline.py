"""The batch pipeline: files -> documents -> extractions -> store.

Nothing stops a batch but the caller: a file that cannot be read, a
document the extractor chokes on, a store write that fails, each becomes one
error line naming the file, and the rest of the batch goes on. Each document
is stored in its own transaction, so a killed ingest leaves whole reports
behind it and re-running the same command finishes the rest.

Files flow through as one stream: read when the extractor asks for the next
one, extracted, stored, so memory stays bounded (the extractor holds a few
batches of ``batch_size`` at most) for any batch. With ``n_process`` > 1 one
``extract_many`` pass runs over the whole stream: its worker processes
extract the next batches while this process writes the reports already
extracted, so extraction and the store write overlap (a pass per slice of
files would start the workers again for every slice and leave them idle
during the writes). Into an SQLite file the write itself runs in a process
of its own (``ingest.store_writer``), beside extraction, also with one
process. Each file is read in a worker process within a time budget
(``ingest.read_worker``); a text longer than the NLP model takes is
extracted in pieces (``extract_document``).
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from graph.model import Document, ExtractedEntity, ExtractedRelation, Extraction, Span
from graph.store import Store
from ingest.read_worker import ReadWorker
from ingest.readers import ReadError, iter_report_paths, read_document
from ingest.store_writer import Outcome, open_writer, reason, write_one

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
    files = iter_report_paths(paths, report.skipped)
    with _reader(read_timeout_s, max_bytes) as read:

        def documents() -> Iterator[Document]:
            for path in files:
                report.documents_seen += 1
                try:
                    yield read(path)
                except ReadError as err:
                    _fail(report, err, on_progress)

        _ingest(store, documents(), report, extractor=extractor, n_process=n_process,
                batch_size=batch_size, on_progress=on_progress)
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
    # Read errors wait in ``order`` behind the documents read before them.
    order: deque[tuple[str, ReadError | None]] = deque()
    with _reader(read_timeout_s, max_bytes) as read:

        def documents() -> Iterator[Document]:
            for path in iter_report_paths(paths):
                try:
                    doc = read(path)
                except ReadError as err:
                    order.append((str(path), err))
                    continue
                order.append((str(path), None))
                yield doc

        for _doc, x in _extract_stream(extractor, documents(), n_process=n_process, batch_size=batch_size):
            source, error = order.popleft()
            while error is not None:
                yield source, error
                source, error = order.popleft()
            yield source, x if isinstance(x, Extraction) else _extraction_failed(source, x)
        while order:
            source, error = order.popleft()
            if error is not None:
                yield source, error


def _ingest(
    store: Store,
    docs: Iterable[Document],
    report: IngestReport,
    *,
    extractor: ExtractorLike,
    n_process: int,
    batch_size: int,
    on_progress: ProgressCallback | None,
    seen: set[str] | None = None,
) -> None:
    seen = set() if seen is None else seen

    def new_documents() -> Iterator[Document]:
        for doc in docs:
            # Known reports cost no extraction work; a report given twice in
            # one batch is stored once.
            if doc.id in seen or store.has_document(doc.id):
                report.documents_unchanged += 1
                _progress(on_progress, doc.source, UNCHANGED)
            else:
                seen.add(doc.id)
                yield doc

    sources: deque[str] = deque()  # of the items the writer has not answered yet

    def answer(outcome: Outcome) -> None:
        count_outcome(report, sources.popleft(), outcome, on_progress)

    writer = open_writer(store, answer)
    try:
        for doc, x in _extract_stream(extractor, new_documents(), n_process=n_process, batch_size=batch_size):
            sources.append(doc.source)
            writer.put(x)
    finally:
        writer.close()


def store_extraction(
    store: Store, x: Extraction, report: IngestReport, *, on_progress: ProgressCallback | None = None
) -> None:
    """Write one extraction and count it in ``report``; a failed write is
    one error line."""
    count_outcome(report, x.document.source, write_one(store, x), on_progress)


def count_outcome(report: IngestReport, source: str, outcome: Outcome, on_progress: ProgressCallback | None) -> None:
    """Count what the write of one report did, or the one line saying why
    it was not stored."""
    if isinstance(outcome, Exception):
        _fail(report, _extraction_failed(source, outcome), on_progress)
        return
    if isinstance(outcome, str):
        _fail(report, ReadError(source, f"could not store: {outcome}"), on_progress)
        return
    result = outcome
    if result.added:
        report.documents_added += 1
        report.entities_added += result.entities_added
        report.relations_added += result.relations_added
        report.evidence_added += result.evidence_added
        _progress(on_progress, source, ADDED)
    else:  # another process stored it since we looked
        report.documents_unchanged += 1
        _progress(on_progress, source, UNCHANGED)


def _extract_stream(
    extractor: ExtractorLike, docs: Iterable[Document], *, n_process: int, batch_size: int
) -> Iterator[tuple[Document, Extraction | Exception]]:
    """Each document with its extraction or the exception that stopped it,
    in order, taking documents from ``docs`` only as the extractor needs
    them. One batched ``extract_many`` pass runs over the stream; when a
    document breaks it, the documents handed to it and not yet returned are
    extracted one at a time (so only the broken one is lost) and a new pass
    takes the rest. A text too long for the model never enters a pass: it is
    extracted in pieces between two passes. An exception raised by ``docs``
    itself ends the stream after the documents before it."""
    if n_process > 1:
        _forked_workers_die_with_us()
    limit = nlp_max_chars(extractor)
    source = iter(docs)
    pending: deque[Document] = deque()  # handed to the pass, not yet returned by it
    stopped: list[Document | Exception | None] = []  # why a pass's input ended
    taken = [0]

    def feed() -> Iterator[Document]:
        while True:
            try:
                doc = next(source)
            except StopIteration:
                stopped.append(None)
                return
            except Exception as exc:  # the caller's: raised again once the pass is done
                stopped.append(exc)
                return
            if len(doc.text) > limit:
                stopped.append(doc)
                return
            pending.append(doc)
            taken[0] += 1
            yield doc

    while True:
        stopped.clear()
        before = taken[0]
        batched = extractor.extract_many(feed(), n_process=n_process, batch_size=batch_size)
        try:
            for x in batched:
                yield pending.popleft(), x
        except Exception:  # the broken one is found again below, one document at a time
            pass
        finally:
            close = getattr(batched, "close", None)
            if close is not None:
                close()
        if taken[0] == before and not stopped:  # the pass took nothing: one document alone, then again
            next(feed(), None)
        while pending:
            doc = pending.popleft()
            try:
                yield doc, extractor.extract(doc)
            except Exception as exc:
                yield doc, exc
        if not stopped:  # the pass broke before its input ended
            continue
        why = stopped[0]
        if why is None:
            return
        if isinstance(why, BaseException):
            raise why
        try:
            yield why, extract_document(extractor, why)
        except Exception as exc:
            yield why, exc


_forking_pid = [0]
_fork_hook = [False]


def _forked_workers_die_with_us() -> None:
    """Make every process this one forks from now on (the ``n_process`` extraction
    workers) be killed when this one dies, also by SIGKILL. Else a killed
    ingest leaves its workers waiting for work for ever, and, as they hold a
    copy of its end of the read worker's socket, the read worker too."""
    if _fork_hook[0] or not hasattr(os, "register_at_fork"):
        return
    _fork_hook[0] = True
    os.register_at_fork(before=lambda: _forking_pid.__setitem__(0, os.getpid()),
                        after_in_child=_die_with_parent)


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG; Linux only
    except (OSError, AttributeError):
        return
    if os.getppid() != _forking_pid[0]:  # the parent died before the line above
        os._exit(1)


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


def _extraction_failed(source: str, exc: BaseException) -> ReadError:
    """The one line for a report whose extraction raised."""
    return ReadError(source, f"extraction failed: {reason(exc)}")


def _fail(report: IngestReport, err: ReadError, on_progress: ProgressCallback | None) -> None:
    report.errors.append(err)
    _progress(on_progress, err.path, FAILED)


def _progress(on_progress: ProgressCallback | None, path: str, status: str) -> None:
    if on_progress is not None:
        on_progress(path, status)
