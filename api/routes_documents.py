"""Reports: upload (ingest), list, read, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from api.deps import Limit, Offset, Reader, Writer
from api.problems import ProblemError, problem_responses
from api.schemas import Deleted, DocumentDetail, DocumentSummary, FileResult, Page, UploadReport, page
from api.state import AppState
from graph.store import UnknownDocument

router = APIRouter(tags=["documents"])

_CHUNK = 1024 * 1024


async def _read_limited(upload: UploadFile, limit: int) -> bytes | None:
    """The file's bytes, or None when it is larger than ``limit``; reading
    stops there, so an oversized upload is never held whole in memory."""
    parts: list[bytes] = []
    size = 0
    while chunk := await upload.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
    return b"".join(parts)


def _ingest_one(state: AppState, name: str, data: bytes) -> FileResult:
    """Read, extract and store one upload. Only the write holds the store
    lock: reading runs in a worker process, extraction under its own lock,
    so reads of the graph never wait for NLP."""
    from ingest.pipeline import IngestReport, extract_document, store_extraction
    from ingest.readers import ReadError

    try:
        with state.reading:
            doc = state.read_worker.read_bytes(name, data)
    except ReadError as err:
        return FileResult(name=name, ok=False, error=err.reason)
    with state.store() as store:
        known = store.has_document(doc.id)
    if known:
        return FileResult(name=name, ok=True, doc_id=doc.id, added=False)
    with state.extracting:
        try:
            extraction = extract_document(state.extractor(), doc)
        except Exception as exc:  # one report the extractor chokes on is that file's error
            return FileResult(name=name, ok=False, doc_id=doc.id, error=f"extraction failed: {type(exc).__name__}")
    report = IngestReport(documents_seen=1)
    with state.writing() as store:
        store_extraction(store, extraction, report)
    if report.errors:
        return FileResult(name=name, ok=False, doc_id=doc.id, error="; ".join(e.reason for e in report.errors))
    return FileResult(
        name=name, ok=True, doc_id=doc.id, added=report.documents_added > 0,
        entities_added=report.entities_added, relations_added=report.relations_added,
        evidence_added=report.evidence_added,
    )


@router.post("/documents", response_model=UploadReport, responses=problem_responses(400, 401, 403, 413, 422))
async def upload_documents(
    state: Writer,
    files: Annotated[list[UploadFile], File(description="report files: txt, md, html, pdf, docx")],
) -> UploadReport:
    """Ingest uploaded reports. Every file gets its own result; a file that
    cannot be read is reported with the reason and the others go on. The
    whole request may be at most ``TRADEKG_MAX_REQUEST_MB``, each file
    ``TRADEKG_MAX_UPLOAD_MB``."""
    from starlette.concurrency import run_in_threadpool

    limit = state.settings.max_upload_bytes
    results: list[FileResult] = []
    for upload in files:
        name = upload.filename or "upload"
        data = await _read_limited(upload, limit)
        if data is None:
            results.append(FileResult(name=name, ok=False,
                                      error=f"larger than the upload limit of {limit / 1024 / 1024:g} MB"))
            continue
        # Extraction is CPU work: keep it off the event loop.
        results.append(await run_in_threadpool(_ingest_one, state, name, data))
    return UploadReport(
        ok=all(r.ok for r in results),
        documents_added=sum(1 for r in results if r.ok and r.added),
        documents_unchanged=sum(1 for r in results if r.ok and not r.added),
        files=results,
    )


@router.get("/documents", response_model=Page[DocumentSummary], responses=problem_responses(401, 403, 422))
def list_documents(state: Reader, limit: Limit = 50, offset: Offset = 0) -> Page[DocumentSummary]:
    """Ingested reports, newest first, without their text."""
    with state.store() as store:
        docs = store.list_documents(limit=limit + 1, offset=offset)
    return page([DocumentSummary.of(d) for d in docs], limit, offset)


@router.get("/documents/{doc_id}", response_model=DocumentDetail, responses=problem_responses(401, 403, 404))
def get_document(state: Reader, doc_id: str) -> DocumentDetail:
    """One report with its full text (evidence spans index into it)."""
    with state.store() as store:
        doc = store.get_document(doc_id)
    if doc is None:
        raise UnknownDocument(doc_id)
    return DocumentDetail.of(doc)


@router.delete("/documents/{doc_id}", response_model=Deleted, responses=problem_responses(401, 403, 404))
def delete_document(state: Writer, doc_id: str) -> Deleted:
    """Remove a report and the facts only it supports."""
    with state.writing() as store:
        if not store.delete_document(doc_id):
            raise ProblemError(404, f"no document {doc_id!r}")
    return Deleted(id=doc_id)
