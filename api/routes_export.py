"""``GET /export/{format}``: the graph, or a part of it, as a file."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Annotated, Any, BinaryIO, cast

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from api.deps import IsoDate, Reader
from api.problems import ProblemError, problem_responses
from queries.export import FORMATS, ExportScope, export_graph

router = APIRouter(tags=["export"])

_CHUNK = 64 * 1024
# Exports are written here first (in memory up to this size, then on disk), so
# an error becomes a problem answer before any byte is sent, and the store lock
# is not held while a slow client reads.
_SPOOL_BYTES = 8 * 1024 * 1024


def _chunks(fh: IO[bytes]) -> Iterator[bytes]:
    try:
        fh.seek(0)
        while chunk := fh.read(_CHUNK):
            yield chunk
    finally:
        fh.close()


def _scope(entity: str | None, hops: int, country: str | None, sector: str | None, since: str | None,
           until: str | None) -> ExportScope | None:
    if not any((entity, country, sector, since, until)):
        return None
    return ExportScope(entity=entity, hops=hops, country=country, sector=sector, since=since, until=until)


_CONTENT: dict[str, dict[str, Any]] = {fmt.media_type: {"schema": {"type": "string", "format": "binary"}}
                                       for fmt in FORMATS.values()}


@router.get(
    "/export/{fmt}",
    response_class=StreamingResponse,
    responses={200: {"description": "the export file", "content": _CONTENT}, **problem_responses(401, 403, 404, 422)},
)
def export(
    state: Reader,
    fmt: Annotated[str, Path(description=f"one of {', '.join(FORMATS)}")],
    entity: Annotated[str | None, Query(max_length=300, description="only this entity's neighbourhood")] = None,
    hops: Annotated[int, Query(ge=1, le=6)] = 1,
    country: Annotated[str | None, Query(max_length=100)] = None,
    sector: Annotated[str | None, Query(max_length=100)] = None,
    since: Annotated[IsoDate, Query(max_length=10, description="ISO date: relations stated on or after")] = None,
    until: Annotated[IsoDate, Query(max_length=10, description="ISO date: relations stated on or before")] = None,
) -> StreamingResponse:
    """Download the graph as GraphML, GEXF, Cytoscape JSON, node-link JSON,
    Neo4j CSV (zip), Turtle or JSON-LD, with the same filters as the CLI."""
    spec = FORMATS.get(fmt)
    if spec is None:
        raise ProblemError(404, f"no export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    scope = _scope(entity or None, hops, country or None, sector or None, since or None, until or None)
    # Not a `with`: on success the open file is handed to the response, which
    # closes it once streamed (see _chunks).
    fh = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115
    try:
        with state.store() as store:
            export_graph(store, fmt, cast(BinaryIO, fh), scope=scope)
    except ValueError as err:
        fh.close()
        raise ProblemError(422, str(err)) from err
    except BaseException:
        fh.close()
        raise
    filename = f"tradekg.{spec.extension}"
    return StreamingResponse(_chunks(fh), media_type=spec.media_type,
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})
