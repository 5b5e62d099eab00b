"""The ``tradekg`` command line.

Results go to stdout (a rich table, or JSON with ``--json``); progress,
summaries of writes and errors go to stderr, so stdout can be piped. Exit
codes: 0 fine, 1 some input failed, 2 bad usage (unknown entity, bad filter).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from api import render
from graph.cypher_connections import redact
from graph.store import Store, StoreError, UnknownDocument, UnknownEntity, open_store
from queries.lookup import EntityMatch, noting_matches

if TYPE_CHECKING:
    from graph.sqlite_store import SqliteStore
    from ingest.pipeline import ExtractorLike

cli = typer.Typer(
    name="tradekg",
    help="A knowledge graph of trade relationships, built from trade-mission reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=False)
err = Console(stderr=True)

DbOpt = Annotated[str | None, typer.Option("--db", help="SQLite file (default $TRADEKG_DB or data/tradekg.db)")]
StoreOpt = Annotated[str | None, typer.Option("--store", help="store URL (bolt://, neo4j://, falkordb://); "
                                              "default $TRADEKG_STORE")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]
CountryOpt = Annotated[str | None, typer.Option("--country", help="country name or ISO code")]
SectorOpt = Annotated[str | None, typer.Option("--sector", help="sector name or ISIC Rev.4 division")]
KindOpt = Annotated[str | None, typer.Option("--kind", help="organisation kind (chamber, enterprise, ...)")]
SinceOpt = Annotated[str | None, typer.Option("--since", help="ISO date")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="ISO date")]
LimitOpt = Annotated[int, typer.Option("--limit", min=1, max=10_000)]


@functools.cache
def load_extractor() -> ExtractorLike:
    """The extractor, loaded once per process (spaCy takes about a second)."""
    from ingest.extract import Extractor

    return Extractor()


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


@contextmanager
def opened(db: str | None, store: str | None = None) -> Iterator[Store]:
    """The store named on the command line (or by the environment); known
    errors become one line and exit code 2."""
    s: Store | None = None
    try:
        s = open_store(store or db)
        with noting_matches() as matches:
            yield s
        tell_matches(matches)
    except (UnknownEntity, UnknownDocument) as exc:
        fail(str(exc))
    except ValueError as exc:  # a filter the query did not understand
        fail(str(exc))
    except StoreError as exc:
        fail(str(exc))
    except sqlite3.DatabaseError as exc:  # --db names a file that is not (or no longer) an SQLite database
        fail(f"cannot use {store or db or 'the database'} as a tradekg database: {exc}")
    finally:
        if s is not None:
            s.close()


def tell_matches(matches: list[EntityMatch]) -> None:
    """A line on stderr for each name that matched several entities."""
    for m in matches:
        if m.others:
            err.print(m.note(), highlight=False, markup=False, soft_wrap=True)


def _jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    raise TypeError(f"cannot encode {type(obj).__name__}")


def emit(result: Any, as_json: bool, table: Callable[[Any], Table]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result, default=_jsonable, ensure_ascii=False, indent=2) + "\n")
    elif isinstance(result, list) and not result:
        err.print("no results")
    else:
        out.print(table(result))


# --- building the graph ------------------------------------------------------


@cli.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="report files or directories")],
    db: DbOpt = None,
    store: StoreOpt = None,
    n_process: Annotated[int, typer.Option("--n-process", min=1, help="extraction processes")] = 1,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 32,
    compact: Annotated[bool, typer.Option(
        "--compact/--no-compact",
        help="end by compacting an embedded store that has grown by half since it was last compacted "
             "(and is 64 MiB or more)")] = True,
) -> None:
    """Read reports, extract who met whom, add them to the graph."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ingest.pipeline import ingest_paths
    from ingest.readers import ReadError, iter_report_paths

    skipped: list[ReadError] = []
    files = list(iter_report_paths(paths, skipped))
    with opened(db, store) as s, Progress(
        TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=err, transient=True,
    ) as progress:
        task = progress.add_task("", total=len(files))

        def on_progress(path: str, status: str) -> None:
            progress.update(task, advance=1, description=Path(path).name)

        report = ingest_paths(s, files, extractor=load_extractor(), n_process=n_process, batch_size=batch_size,
                              on_progress=on_progress)
        if compact:
            compact_if_due(s)
    summary = Table(title="Ingested", show_header=False)
    for label, n in (("documents added", report.documents_added),
                     ("documents unchanged", report.documents_unchanged),
                     ("entities added", report.entities_added), ("relations added", report.relations_added),
                     ("evidence added", report.evidence_added), ("errors", len(report.errors)),
                     ("files skipped", len(skipped))):
        summary.add_row(label, str(n))
    err.print(summary)
    for e in [*skipped, *report.errors]:
        err.print(str(e), highlight=False, markup=False)
    if report.errors:
        raise typer.Exit(1)


@cli.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="report files or directories")],
    format: Annotated[str, typer.Option("--format", help="output format")] = "jsonl",
    n_process: Annotated[int, typer.Option("--n-process", min=1)] = 1,
) -> None:
    """Print what extraction finds, one JSON object per report (the
    ONTOLOGY.md contract), without touching any store."""
    from ingest.pipeline import extract_paths
    from ingest.readers import ReadError

    if format != "jsonl":
        fail(f"unknown format {format!r}; only jsonl")
    failed = False
    for _source, result in extract_paths(paths, extractor=load_extractor(), n_process=n_process):
        if isinstance(result, ReadError):
            failed = True
            err.print(str(result), highlight=False, markup=False)
            continue
        sys.stdout.write(json.dumps(result.to_contract(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    if failed:
        raise typer.Exit(1)


# --- questions ---------------------------------------------------------------


@cli.command("who-met-whom")
def who_met_whom_cmd(
    name: Annotated[str | None, typer.Argument(help="entity name or id; all meetings if omitted")] = None,
    country: CountryOpt = None,
    sector: SectorOpt = None,
    kind: KindOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: LimitOpt = 50,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    store: StoreOpt = None,
) -> None:
    """Who met whom: dates, places, and the sentence that says so."""
    from queries.meetings import meetings_page

    with opened(db, store) as s:
        found = meetings_page(s, name, country=country, sector=sector, kind=kind, since=since, until=until,
                              limit=limit, offset=offset)
    emit(found.items, as_json, render.meetings_table)
    if found.items and found.total is not None and not as_json:
        err.print(f"meetings {offset + 1}-{offset + len(found.items)} of {found.total}"
                  + (f"; next page: --offset {offset + limit}" if offset + limit < found.total else ""))


@cli.command()
def connections(
    a: Annotated[str, typer.Argument(help="entity name or id")],
    b: Annotated[str, typer.Argument(help="entity name or id")],
    max_hops: Annotated[int, typer.Option("--max-hops", min=1, max=6)] = 4,
    limit: LimitOpt = 5,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    store: StoreOpt = None,
) -> None:
    """How two entities are connected, hop by hop with evidence."""
    from queries.connections import connections as find_connections

    with opened(db, store) as s:
        rows = find_connections(s, a, b, max_hops=max_hops, limit=limit)
    emit(rows, as_json, render.connections_table)


@cli.command()
def partners(
    sector: Annotated[str, typer.Option("--sector", help="sector name or ISIC Rev.4 division")],
    country: CountryOpt = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="organisation kind (repeat)")] = None,
    asker: Annotated[str | None, typer.Option("--asker", help="who asks: marks partners already known")] = None,
    limit: LimitOpt = 20,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    store: StoreOpt = None,
) -> None:
    """Partner candidates in a sector, ranked, with reasons."""
    from queries.partners import partner_candidates

    with opened(db, store) as s:
        rows = partner_candidates(s, sector, country=country, kinds=kind or None, asker=asker, limit=limit)
    emit(rows, as_json, render.partners_table)


@cli.command()
def recommend(
    origin: Annotated[str, typer.Option("--origin", help="who is travelling (name or id)")],
    country: Annotated[list[str], typer.Option("--country", help="destination country (repeat)")],
    sector: Annotated[list[str] | None, typer.Option("--sector", help="sector of interest (repeat)")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="ISO date to rank recency from")] = None,
    include_known: Annotated[bool, typer.Option(
        "--include-known", help="also list organisations already met (flagged), to re-engage them")] = False,
    limit: LimitOpt = 20,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    store: StoreOpt = None,
) -> None:
    """Contacts for the next mission, with reasons and warm introductions."""
    from queries.recommend import recommend_contacts

    with opened(db, store) as s:
        rows = recommend_contacts(s, origin, country, sector or [], limit=limit, as_of=as_of,
                                  include_known=include_known)
    emit(rows, as_json, render.recommendations_table)


@cli.command()
def timeline(
    name: Annotated[str, typer.Argument(help="entity name or id")],
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    store: StoreOpt = None,
) -> None:
    """An entity's dated facts, in order."""
    from queries.timeline import timeline as entity_timeline

    with opened(db, store) as s:
        rows = entity_timeline(s, name, since=since, until=until)
    emit(rows, as_json, render.timeline_table)


@cli.command()
def export(
    format: Annotated[str, typer.Option("--format", help="graphml, gexf, cytoscape, nodelink, neo4j-csv, "
                                        "turtle or jsonld")],
    out_path: Annotated[Path | None, typer.Option("--out", help="file to write (default: stdout)")] = None,
    entity: Annotated[str | None, typer.Option("--entity", help="only this entity's neighbourhood")] = None,
    hops: Annotated[int, typer.Option("--hops", min=1, max=6)] = 1,
    country: CountryOpt = None,
    sector: SectorOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    db: DbOpt = None,
    store: StoreOpt = None,
) -> None:
    """Write the graph (or a part of it) for visualisation or another database."""
    from queries.export import FORMATS, export_graph

    if format not in FORMATS:
        fail(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    scope = export_scope(entity=entity, hops=hops, country=country, sector=sector, since=since, until=until)
    with opened(db, store) as s:
        if out_path is None:
            export_graph(s, format, sys.stdout.buffer, scope=scope)
            sys.stdout.flush()
        else:
            with out_path.open("wb") as fh:
                export_graph(s, format, fh, scope=scope)
            err.print(f"wrote {out_path}")


def export_scope(**filters: Any) -> Any:
    """An ``ExportScope`` from the filters given, or None for the whole graph."""
    from queries.export import ExportScope

    given = {k: v for k, v in filters.items() if v is not None and k != "hops"}
    if not given:
        return None
    return ExportScope(**given, hops=filters["hops"])


# --- looking around ----------------------------------------------------------


@cli.command()
def stats(as_json: JsonOpt = False, db: DbOpt = None, store: StoreOpt = None) -> None:
    """How many documents, entities, relations and evidence spans."""
    with opened(db, store) as s:
        result = s.stats()
    emit(result, as_json, render.stats_table)


@cli.command()
def entities(
    q: Annotated[str | None, typer.Argument(help="name or alias to look for")] = None,
    type: Annotated[str | None, typer.Option("--type", help="Organization, Person, Place, ...")] = None,
    kind: KindOpt = None,
    country: Annotated[str | None, typer.Option("--country", help="ISO 3166-1 alpha-2")] = None,
    limit: LimitOpt = 50,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    store: StoreOpt = None,
) -> None:
    """Find entities by name, type, kind or country."""
    from graph.ontology import check_entity_type

    with opened(db, store) as s:
        if type is not None:
            check_entity_type(type)
        rows = s.search_entities(q, type=type, kind=kind, country=country.upper() if country else None,
                                 limit=limit, offset=offset)
    emit(rows, as_json, render.entities_table)


@cli.command()
def documents(
    limit: LimitOpt = 100,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    store: StoreOpt = None,
) -> None:
    """Ingested reports, newest first."""
    with opened(db, store) as s:
        rows = s.list_documents(limit=limit, offset=offset)
    for d in rows:
        d.text = ""  # listings never carry the text
    emit(rows, as_json, render.documents_table)


# --- curation ----------------------------------------------------------------


@cli.command("delete-document")
def delete_document(doc_id: Annotated[str, typer.Argument(help="document id")], db: DbOpt = None,
                    store: StoreOpt = None) -> None:
    """Remove a report and the facts only it supports."""
    with opened(db, store) as s:
        if not s.delete_document(doc_id):
            raise UnknownDocument(doc_id)
    err.print(f"deleted {doc_id}")


@cli.command()
def merge(keep: Annotated[str, typer.Argument(help="id of the entity that stays")],
          drop: Annotated[str, typer.Argument(help="id of the entity folded into it")],
          db: DbOpt = None, store: StoreOpt = None) -> None:
    """Fold one entity into another (undo with unmerge)."""
    with opened(db, store) as s:
        e = s.merge_entities(keep, drop)
    err.print(f"merged {drop} into {e.id} ({e.name})", highlight=False)


@cli.command()
def unmerge(drop: Annotated[str, typer.Argument(help="id of the entity to bring back")],
            db: DbOpt = None, store: StoreOpt = None) -> None:
    """Undo a merge."""
    with opened(db, store) as s:
        e = s.unmerge_entity(drop)
    err.print(f"restored {e.id} ({e.name})", highlight=False)


@cli.command()
def duplicates(
    entity: Annotated[str | None, typer.Argument(help="only this entity's candidates (name or id)")] = None,
    min_score: Annotated[float, typer.Option("--min-score", min=0.0, max=1.0)] = 0.5,
    limit: LimitOpt = 100,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    store: StoreOpt = None,
) -> None:
    """Near-duplicates resolution did not merge, with reasons and a score."""
    from graph.duplicates import all_duplicates, candidates_for
    from queries.common import find_entity

    with opened(db, store) as s:
        if entity is not None:
            e = find_entity(s, entity)
            rows: list[dict[str, Any]] = [
                {"a": {"id": e.id, "name": e.name}, "b": {"id": c.id, "name": c.name}, "type": c.type,
                 "score": c.score, "reasons": c.reasons} for c in candidates_for(s, e.id, limit=limit)]
        else:
            rows = [{"a": {"id": p.a.id, "name": p.a.name}, "b": {"id": p.b.id, "name": p.b.name},
                     "type": p.a.type, "score": p.score, "reasons": p.reasons}
                    for p in all_duplicates(s, min_score=min_score)[:limit]]
    emit(rows, as_json, render.duplicates_table)


# --- moving and serving ------------------------------------------------------


@cli.command()
def compact(db: DbOpt = None) -> None:
    """Rewrite the embedded store's file so each table and index is
    contiguous: the first queries after a restart read fewer scattered
    pages. Worth it after a large ingest; writes wait while it runs."""
    from graph.sqlite_store import SqliteStore

    with opened(db) as s:
        if not isinstance(s, SqliteStore):
            fail("compact rewrites an embedded SQLite store; give --db")
        try:
            compact_store(s)
        except StoreError as e:
            fail(str(e), code=1)


def compact_store(s: SqliteStore) -> None:
    before, started = s.size_bytes(), time.monotonic()
    s.compact()
    err.print(f"compacted {s.path}: {before / 2**20:,.1f} -> {s.size_bytes() / 2**20:,.1f} MiB"
              f" in {time.monotonic() - started:.0f} s", highlight=False)


def compact_if_due(s: Store) -> None:
    """After an ingest: compact an embedded store grown enough since it last was
    (``SqliteStore.compaction_due``), so the first queries after a restart stay
    quick without anyone having to remember ``tradekg compact``."""
    from graph.sqlite_store import SqliteStore

    if not isinstance(s, SqliteStore) or not s.compaction_due():
        return
    err.print(f"compacting {s.path} (it has grown since it was last compacted; --no-compact skips this)",
              highlight=False)
    try:
        compact_store(s)
    except StoreError as e:
        # The graph is whole and usable: only the cold reads stay slower.
        err.print(f"not compacted: {e}; run tradekg compact when there is room", highlight=False, markup=False)


@cli.command()
def sync(
    source: Annotated[str, typer.Option("--from", help="SQLite file (or store URL) to copy from")],
    target: Annotated[str, typer.Option("--to", help="store URL to copy into (bolt://, falkordb://, ...)")],
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="rows per write")] = 2000,
) -> None:
    """Copy a whole graph from one store into another. Idempotent: run it
    again after an interruption and it completes, duplicating nothing."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from graph.sync import sync_stores

    with opened(source) as src, opened(target) as dst, Progress(
        TextColumn("[bold]{task.description:<9}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True,
    ) as progress:
        totals = src.stats()
        tasks = {kind: progress.add_task(kind, total=total) for kind, total in (
            ("entities", totals.entities), ("relations", totals.relations), ("documents", totals.documents))}

        def on_progress(kind: str, count: int) -> None:
            progress.update(tasks[kind], completed=count)

        report = sync_stores(src, dst, batch_size=batch_size, on_progress=on_progress)
    summary = Table(title=f"Synced into {redact(target)}", show_header=False)
    for label, value in (("documents", report.documents), ("entities", report.entities),
                         ("relations", report.relations), ("evidence", report.evidence),
                         ("seconds", f"{report.seconds:.1f}"),
                         ("relations/s, whole sync", f"{report.relations_per_second:,.0f}"),
                         ("target was empty", "yes" if report.into_empty else "no")):
        summary.add_row(label, str(value))
    err.print(summary)


@cli.command()
def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    db: DbOpt = None,
    store: StoreOpt = None,
) -> None:
    """Serve the HTTP API and the explorer page."""
    import uvicorn

    from api.app import create_app

    uvicorn.run(create_app(store or db), host=host, port=port)


# The curation commands register themselves on ``cli``.
from api import cli_corrections  # noqa: E402, F401


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
