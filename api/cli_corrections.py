"""The CLI's curation commands: ``tradekg correct ...``, ``corrections``,
``undo``, ``reextract`` and ``export-annotations``. Registered on
``api.cli.cli`` (imported at the end of that module)."""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli import DbOpt, JsonOpt, StoreOpt, cli, err, fail, load_extractor, opened, out
from graph import corrections
from graph.model import Correction
from graph.reextract import reextract, select_documents

correct_cli = typer.Typer(help="Correct the graph: each correction records who, when and why.",
                          no_args_is_help=True)
cli.add_typer(correct_cli, name="correct")

ByOpt = Annotated[str | None, typer.Option("--by", help="who corrects (default $TRADEKG_USER or the login name)")]
WhyOpt = Annotated[str, typer.Option("--why", help="why: a free-text note kept with the correction")]
RelType = Annotated[str, typer.Argument(help="relation type (MET_WITH, VISITED, ...)")]
Source = Annotated[str, typer.Argument(help="source entity id")]
Target = Annotated[str, typer.Argument(help="target entity id")]


def who(by: str | None) -> str:
    return by or os.environ.get("TRADEKG_USER") or getpass.getuser()


def _done(c: Correction) -> None:
    err.print(f"{c.id}: {c.kind} by {c.by}", highlight=False)


@correct_cli.command("accept")
def accept_cmd(rtype: RelType, source: Source, target: Target, by: ByOpt = None, why: WhyOpt = "",
               db: DbOpt = None, store: StoreOpt = None) -> None:
    """Confirm a relation: it stays even when a later extractor misses it."""
    with opened(db, store) as s:
        _done(corrections.accept_relation(s, rtype, source, target, by=who(by), why=why))


@correct_cli.command("reject")
def reject_cmd(rtype: RelType, source: Source, target: Target, by: ByOpt = None, why: WhyOpt = "",
               db: DbOpt = None, store: StoreOpt = None) -> None:
    """Declare a relation wrong: it leaves the graph and stays out."""
    with opened(db, store) as s:
        _done(corrections.reject_relation(s, rtype, source, target, by=who(by), why=why))


@correct_cli.command("add")
def add_cmd(
    rtype: RelType, source: Source, target: Target, by: ByOpt = None, why: WhyOpt = "",
    document: Annotated[str | None, typer.Option("--document", help="id of the document that states it")] = None,
    start: Annotated[int | None, typer.Option("--start", help="first character of the sentence")] = None,
    end: Annotated[int | None, typer.Option("--end", help="character after the sentence")] = None,
    db: DbOpt = None, store: StoreOpt = None,
) -> None:
    """Add a relation the extractor missed, on a sentence of a document or on your word."""
    with opened(db, store) as s:
        _done(corrections.add_relation(s, rtype, source, target, by=who(by), why=why,
                                       doc_id=document, start=start, end=end))


@correct_cli.command("entity")
def entity_cmd(
    entity_id: Annotated[str, typer.Argument(help="entity id")],
    name: Annotated[str | None, typer.Option("--name")] = None,
    type: Annotated[str | None, typer.Option("--type")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="a kind, or 'none'")] = None,
    country: Annotated[str | None, typer.Option("--country", help="ISO alpha-2, or 'none'")] = None,
    add_alias: Annotated[list[str] | None, typer.Option("--add-alias")] = None,
    remove_alias: Annotated[list[str] | None, typer.Option("--remove-alias")] = None,
    by: ByOpt = None, why: WhyOpt = "", db: DbOpt = None, store: StoreOpt = None,
) -> None:
    """Change an entity's name, type, kind, country or aliases."""
    changes: dict[str, Any] = {}
    for key, value in (("name", name), ("type", type), ("kind", kind), ("country", country)):
        if value is not None:
            changes[key] = None if value.lower() == "none" and key in ("kind", "country") else value
    if add_alias:
        changes["aliases_add"] = add_alias
    if remove_alias:
        changes["aliases_remove"] = remove_alias
    with opened(db, store) as s:
        _done(corrections.correct_entity(s, entity_id, changes, by=who(by), why=why))


@correct_cli.command("merge")
def merge_cmd(keep: Annotated[str, typer.Argument(help="id of the entity that stays")],
              drop: Annotated[str, typer.Argument(help="id of the entity folded into it")],
              by: ByOpt = None, why: WhyOpt = "", db: DbOpt = None, store: StoreOpt = None) -> None:
    """Two entities are one."""
    with opened(db, store) as s:
        _done(corrections.merge(s, keep, drop, by=who(by), why=why))


@correct_cli.command("split")
def split_cmd(drop: Annotated[str, typer.Argument(help="id of the entity merged earlier")],
              by: ByOpt = None, why: WhyOpt = "", db: DbOpt = None, store: StoreOpt = None) -> None:
    """Undo an earlier merge: the entity stands on its own again."""
    with opened(db, store) as s:
        _done(corrections.split(s, drop, by=who(by), why=why))


@cli.command("corrections")
def corrections_cmd(
    undone: Annotated[bool, typer.Option("--undone/--active", help="include undone corrections")] = True,
    as_json: JsonOpt = False, db: DbOpt = None, store: StoreOpt = None,
) -> None:
    """The audit log: every correction, newest first."""
    with opened(db, store) as s:
        log = corrections.audit_log(s, include_undone=undone)
    if as_json:
        out.print_json(json.dumps([c.to_dict() for c in log]))
        return
    for c in log:
        what = (f"{c.relation_type} {c.source} -> {c.target}" if c.relation_type
                else f"{c.entity_id} {c.changes or ''} {c.other_id or ''}".strip())
        state = f"  (undone by {c.undone_by})" if c.undone_at else ""
        out.print(f"{c.id}  {c.at[:19]}  {c.by}  {c.kind}  {what}  {c.why}{state}", highlight=False, markup=False)


@cli.command("undo")
def undo_cmd(correction_id: Annotated[str, typer.Argument(help="correction id (c-...)")],
             by: ByOpt = None, db: DbOpt = None, store: StoreOpt = None) -> None:
    """Take a correction back (it stays in the log, marked undone)."""
    with opened(db, store) as s:
        c = corrections.undo(s, correction_id, by=who(by))
    err.print(f"undid {c.id} ({c.kind})", highlight=False)


@cli.command("reextract")
def reextract_cmd(
    everything: Annotated[bool, typer.Option("--all", help="every stored document")] = False,
    document: Annotated[list[str] | None, typer.Option("--document", help="a document id (repeatable)")] = None,
    older_than: Annotated[str | None, typer.Option("--older-than", help="extractor version, e.g. 0.3")] = None,
    as_json: JsonOpt = False, db: DbOpt = None, store: StoreOpt = None,
) -> None:
    """Run the current extractor again on stored documents, keeping every
    correction. Without options: documents made by another extractor version."""
    if sum(bool(x) for x in (everything, document, older_than)) > 1:
        fail("give at most one of --all, --document, --older-than")
    extractor = load_extractor()
    with opened(db, store) as s:
        todo = select_documents(s, current_version=extractor.version, everything=everything,
                                doc_ids=document or (), older_than=older_than)
        report = reextract(s, extractor, todo,
                           on_progress=lambda source, status: err.print(f"{status}: {source}", highlight=False))
    if as_json:
        out.print_json(json.dumps({"documents": [vars(d) for d in report.documents], "errors": report.errors}))
    for d in report.documents:
        for c in d.conflicts:
            err.print(f"{d.source}: {c}", highlight=False, markup=False)
    err.print(f"{len(report.documents)} documents re-extracted: {report.added} facts added, "
              f"{report.removed} removed, {report.conflicts} conflicting with a correction", highlight=False)
    for e in report.errors:
        err.print(f"[red]error:[/red] {e}", highlight=False)
    if report.errors:
        raise typer.Exit(1)


@cli.command("export-annotations")
def export_annotations_cmd(
    out_dir: Annotated[Path, typer.Option("--out", help="directory for NAME.ann.json and NAME.txt")],
    db: DbOpt = None, store: StoreOpt = None,
) -> None:
    """Write corrected documents as training annotations (ingest/learn format)."""
    from ingest.export_annotations import export_annotations

    with opened(db, store) as s:
        report = export_annotations(s, out_dir)
    for skipped in report.skipped:
        err.print(f"skipped {skipped}", highlight=False, markup=False)
    err.print(f"{len(report.written)} annotations written to {out_dir}", highlight=False)
