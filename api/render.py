"""Rich tables for the CLI: one function per kind of result."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.table import Table

from graph.model import Entity, Evidence, Stats

SENTENCE_CHARS = 160


def sentence(evidence: Sequence[Evidence]) -> str:
    """The first supporting sentence, shortened for a table cell."""
    if not evidence:
        return ""
    text = " ".join(evidence[0].text.split())
    return text if len(text) <= SENTENCE_CHARS else text[: SENTENCE_CHARS - 1] + "…"


def _name(ref: Any) -> str:
    return str(getattr(ref, "name", ref))


def _dates(first: str | None, last: str | None) -> str:
    if first and last and first != last:
        return f"{first} – {last}"
    return last or first or ""


def _table(title: str, *columns: str, lines: bool = False) -> Table:
    """A result table whose columns wrap rather than cut (sentences, names)."""
    t = Table(title=title, show_lines=lines)
    for col in columns:
        t.add_column(col, overflow="fold")
    return t


def meetings_table(rows: Iterable[Any]) -> Table:
    t = _table("Who met whom", "who", "met", "when", "where", "evidence", lines=True)
    for m in rows:
        met = _name(m.b)
        if m.via:
            met += f"\n(via {', '.join(_name(v) for v in m.via)})"
        t.add_row(_name(m.a), met, _dates(m.first_date, m.last_date), ", ".join(m.places), sentence(m.evidence))
    return t


def partners_table(rows: Iterable[Any]) -> Table:
    t = _table("Partner candidates", "#", "organisation", "kind", "country", "score", "reasons", "evidence", lines=True)
    for i, p in enumerate(rows, 1):
        o = p.organization
        t.add_row(str(i), o.name, o.kind or "", o.country or "", f"{p.score:.2f}", "\n".join(p.reasons),
                  sentence(p.evidence))
    return t


def connections_table(rows: Iterable[Any]) -> Table:
    t = _table("Connections", "#", "path", "score", "evidence", lines=True)
    for i, path in enumerate(rows, 1):
        steps = [path.nodes[0].name] if path.nodes else []
        for hop in path.hops:
            steps.append(f"-[{hop.type}]- {hop.target.name}")
        ev = "\n".join(f"{h.date or ''} {sentence(h.evidence)}".strip() for h in path.hops)
        t.add_row(str(i), "\n".join(steps), f"{path.score:.2f}", ev)
    return t


def recommendations_table(rows: Iterable[Any]) -> Table:
    t = _table("Contacts for the mission", "#", "contact", "kind", "country", "score", "reasons", "warm introductions", lines=True)
    for i, r in enumerate(rows, 1):
        c = r.entity
        warm = " → ".join([r.warm_path[0].source.name, *(h.target.name for h in r.warm_path)]) if r.warm_path else ""
        t.add_row(str(i), c.name, c.kind or c.type, c.country or "", f"{r.score:.2f}", "\n".join(r.reasons), warm)
    return t


def timeline_table(rows: Iterable[Any]) -> Table:
    t = _table("Timeline", "date", "who", "what", "whom", "evidence", lines=True)
    for e in rows:
        who = _name(e.subject) + (f"\n(via {_name(e.via)})" if e.via else "")
        t.add_row(e.date or "", who, e.type, _name(e.object), sentence(e.evidence))
    return t


def entities_table(rows: Iterable[Entity]) -> Table:
    t = _table("Entities", "id", "name", "type", "kind", "country", "aliases")
    for e in rows:
        t.add_row(e.id, e.name, e.type, e.kind or "", e.country or "", ", ".join(e.aliases))
    return t


def documents_table(rows: Iterable[Any]) -> Table:
    t = _table("Documents", "id", "date", "title", "source", "ingested")
    for d in rows:
        t.add_row(d.id, d.date or "", d.title or "", d.source, d.ingested_at or "")
    return t


def stats_table(s: Stats) -> Table:
    t = Table(title="Graph")
    t.add_column("what")
    t.add_column("count", justify="right")
    for label, n in (("documents", s.documents), ("entities", s.entities), ("relations", s.relations),
                     ("evidence", s.evidence)):
        t.add_row(label, str(n))
    for group, counts in (("entities", s.entities_by_type), ("relations", s.relations_by_type),
                          ("organisations", s.organizations_by_kind)):
        for k, n in sorted(counts.items()):
            t.add_row(f"  {group}: {k}", str(n))
    return t


def duplicates_table(rows: Iterable[dict[str, Any]]) -> Table:
    t = _table("Near-duplicates (not merged)", "entity", "may be", "type", "score", "why")
    for r in rows:
        t.add_row(f"{r['a']['name']} ({r['a']['id']})", f"{r['b']['name']} ({r['b']['id']})", r["type"],
                  f"{r['score']:.2f}", "; ".join(r["reasons"]))
    return t
