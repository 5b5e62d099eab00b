"""Exports of the graph, or of a part of it, for visualisation and for other
graph databases. Every writer streams: it reads entities and relations from
the store in batches and writes each batch before reading the next, so a
whole-graph export never holds the graph in memory.

| name | what | read back with |
|---|---|---|
| graphml | GraphML, node and edge attributes declared as keys | Gephi, yEd, ``networkx.read_graphml`` |
| gexf | GEXF 1.2 | Gephi, ``networkx.read_gexf`` |
| cytoscape | Cytoscape.js ``{"elements": {"nodes", "edges"}}`` | ``cy.add(json.elements)`` |
| nodelink | node-link JSON (``nodes``, ``links``) | d3-force, ``networkx.node_link_graph(d, edges="links")`` |
| neo4j-csv | zip: nodes.csv, relationships.csv, README.txt in ``neo4j-admin database import`` headers | ``neo4j-admin database import full`` |
| turtle | RDF: W3C ORG, schema.org, PROV-O (each fact ``prov:wasDerivedFrom`` its report, with the span) | rdflib, any triple store |
| jsonld | the same RDF as JSON-LD | rdflib, JSON-LD tools |

Node attributes everywhere: label (name), type, kind, country, sectors (ISIC
divisions, ``;``-joined), aliases. Edge attributes: type, weight (pieces of
evidence), confidence, first_date, last_date, documents, evidence (the first
sentence that states it), symmetric.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from graph.model import Entity, Relation
from graph.ontology import SYMMETRIC_RELATIONS
from graph.store import Store
from queries.common import (
    IN_SECTOR,
    country_filter,
    documents_of,
    entities_in,
    evidence_in,
    find_entity,
    sector_filter,
)

Batches = Callable[[], Iterator[list[Any]]]


@dataclass
class ExportScope:
    """Which part of the graph to export; all None = the whole graph.
    ``entity``: its neighbourhood of ``hops``; ``country``/``sector``: the
    relations touching entities in that country or division;
    ``since``/``until``: relations stated for a date in that range."""

    entity: str | None = None
    hops: int = 1
    country: str | None = None
    sector: str | None = None
    since: str | None = None
    until: str | None = None
    max_relations: int = 100_000

    def is_whole_graph(self) -> bool:
        return not (self.entity or self.country or self.sector or self.since or self.until)


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    extension: str
    writer: Callable[[Store, Batches, Batches, BinaryIO], None]


# --- what to export -------------------------------------------------------------


def _chunks(items: list[Any], size: int = 1000) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _select(store: Store, scope: ExportScope | None) -> tuple[Batches, Batches]:
    """Entity batches and relation batches (each a fresh iterator per call)."""
    if scope is None or scope.is_whole_graph():
        return (lambda: store.iter_entities()), (lambda: store.iter_relations())
    cc = country_filter(scope.country)
    code = sector_filter(scope.sector)
    since, until = scope.since, scope.until

    def dated(r: Relation) -> bool:
        return not (since or until) or bool(evidence_in(r, since, until))

    if scope.entity is None and cc is None and code is None:
        # Dates only: two streamed passes, the first collecting endpoint ids.
        ids: set[str] = set()
        for batch in store.iter_relations():
            for r in batch:
                if dated(r):
                    ids.update((r.source, r.target))
        ordered = sorted(ids)

        def ents_dates() -> Iterator[list[Entity]]:
            for chunk in _chunks(ordered):
                found = store.get_entities(chunk)
                yield [found[i] for i in chunk if i in found]

        def rels_dates() -> Iterator[list[Relation]]:
            for batch in store.iter_relations():
                yield [r for r in batch if dated(r)]

        return ents_dates, rels_dates

    if scope.entity is not None:
        seed = find_entity(store, scope.entity)
        sub = store.neighbourhood([seed.id], hops=max(1, scope.hops), max_relations=scope.max_relations)
        rels = [r for r in sub.relations if dated(r)]
        inside = entities_in(store, cc, code)
        if inside is not None:
            keep = set(inside)
            rels = [r for r in rels if r.source in keep or r.target in keep]
        ids = {seed.id} | {x for r in rels for x in (r.source, r.target)}
        missing = ids - set(sub.entities)
        entities = dict(sub.entities)
        entities.update(store.get_entities(missing) if missing else {})
        ents = [entities[i] for i in sorted(ids) if i in entities]
    else:
        anchors = entities_in(store, cc, code) or []
        rels = [r for r in store.relations(entity_ids=anchors, since=since, until=until,
                                           limit=scope.max_relations) if dated(r)]
        ids = {x for r in rels for x in (r.source, r.target)}
        found = store.get_entities(ids)
        ents = [found[i] for i in sorted(ids) if i in found]
    return (lambda: _chunks(ents)), (lambda: _chunks(rels))


def _sectors(store: Store, batch: list[Entity]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    if batch:
        for r in store.relations(types=[IN_SECTOR], entity_ids=[e.id for e in batch], direction="out",
                                 with_evidence=False):
            out[r.source].append(r.target.removeprefix("sector-"))
    return out


def _node_attrs(e: Entity, sectors: list[str]) -> dict[str, str]:
    attrs = {
        "label": e.name, "type": e.type, "kind": e.kind or "", "country": e.country or "",
        "sectors": ";".join(sorted(sectors)), "aliases": ";".join(a.replace(";", ",") for a in e.aliases),
    }
    if e.attrs.get("code"):
        attrs["sectors"] = str(e.attrs["code"])
    return attrs


def _edge_attrs(r: Relation) -> dict[str, Any]:
    dates = r.dates
    return {
        "type": r.type, "weight": float(len(r.evidence) or 1), "confidence": float(r.confidence),
        "first_date": dates[0] if dates else "", "last_date": dates[-1] if dates else "",
        "documents": ";".join(documents_of(r.evidence)),
        "evidence": r.evidence[0].text if r.evidence else "",
        "symmetric": r.type in SYMMETRIC_RELATIONS,
    }


NODE_KEYS = ("label", "type", "kind", "country", "sectors", "aliases")
EDGE_KEYS: tuple[tuple[str, str], ...] = (
    ("type", "string"), ("weight", "double"), ("confidence", "double"), ("first_date", "string"),
    ("last_date", "string"), ("documents", "string"), ("evidence", "string"), ("symmetric", "boolean"),
)

_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(value: Any) -> str:
    """An XML attribute value, quotes included; characters XML forbids dropped."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return quoteattr(_BAD_XML.sub("", str(value)))


def _xt(value: Any) -> str:
    if isinstance(value, bool):
        value = "true" if value else "false"
    return escape(_BAD_XML.sub("", str(value)))


# --- GraphML --------------------------------------------------------------------


def write_graphml(store: Store, ents: Batches, rels: Batches, out: BinaryIO) -> None:
    w = out.write
    head = ['<?xml version="1.0" encoding="UTF-8"?>\n',
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n']
    head += [f'  <key id="n_{k}" for="node" attr.name="{k}" attr.type="string"/>\n' for k in NODE_KEYS]
    head += [f'  <key id="e_{k}" for="edge" attr.name="{k}" attr.type="{t}"/>\n' for k, t in EDGE_KEYS]
    head.append('  <graph id="tradekg" edgedefault="directed">\n')
    w("".join(head).encode())
    for batch in ents():
        sec = _sectors(store, batch)
        parts = []
        for e in batch:
            data = "".join(f'<data key="n_{k}">{_xt(v)}</data>' for k, v in _node_attrs(e, sec[e.id]).items() if v)
            parts.append(f"    <node id={_x(e.id)}>{data}</node>\n")
        w("".join(parts).encode())
    for rbatch in rels():
        parts = []
        for r in rbatch:
            data = "".join(f'<data key="e_{k}">{_xt(v)}</data>' for k, v in _edge_attrs(r).items() if v != "")
            parts.append(f"    <edge id={_x(r.id)} source={_x(r.source)} target={_x(r.target)}>{data}</edge>\n")
        w("".join(parts).encode())
    w(b"  </graph>\n</graphml>\n")


# --- GEXF -------------------------------------------------------------------------


def write_gexf(store: Store, ents: Batches, rels: Batches, out: BinaryIO) -> None:
    w = out.write
    node_keys = [k for k in NODE_KEYS if k != "label"]
    edge_keys = [(k, t) for k, t in EDGE_KEYS if k != "weight"]
    head = ['<?xml version="1.0" encoding="UTF-8"?>\n',
            '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n',
            "  <meta><creator>tradekg</creator><description>trade relationships</description></meta>\n",
            '  <graph defaultedgetype="directed" mode="static">\n',
            '    <attributes class="node">\n']
    head += [f'      <attribute id="{k}" title="{k}" type="string"/>\n' for k in node_keys]
    head += ["    </attributes>\n", '    <attributes class="edge">\n']
    head += [f'      <attribute id="{k}" title="{k}" type="{t}"/>\n' for k, t in edge_keys]
    head += ["    </attributes>\n", "    <nodes>\n"]
    w("".join(head).encode())
    for batch in ents():
        sec = _sectors(store, batch)
        parts = []
        for e in batch:
            a = _node_attrs(e, sec[e.id])
            vals = "".join(f"<attvalue for=\"{k}\" value={_x(a[k])}/>" for k in node_keys if a[k])
            parts.append(f"      <node id={_x(e.id)} label={_x(e.name)}><attvalues>{vals}</attvalues></node>\n")
        w("".join(parts).encode())
    w(b"    </nodes>\n    <edges>\n")
    for rbatch in rels():
        parts = []
        for r in rbatch:
            a = _edge_attrs(r)
            vals = "".join(f"<attvalue for=\"{k}\" value={_x(a[k])}/>" for k, _t in edge_keys if a[k] != "")
            parts.append(f"      <edge id={_x(r.id)} source={_x(r.source)} target={_x(r.target)} "
                         f"label={_x(r.type)} weight=\"{a['weight']}\"><attvalues>{vals}</attvalues></edge>\n")
        w("".join(parts).encode())
    w(b"    </edges>\n  </graph>\n</gexf>\n")


# --- JSON: Cytoscape.js and node-link ------------------------------------------------


def _json_list(w: Callable[[bytes], Any], items: Iterable[list[dict[str, Any]]]) -> None:
    first = True
    for batch in items:
        if not batch:
            continue
        text = ",\n".join(json.dumps(x, ensure_ascii=False) for x in batch)
        w(((",\n" if not first else "\n") + text).encode())
        first = False


def write_cytoscape(store: Store, ents: Batches, rels: Batches, out: BinaryIO) -> None:
    def nodes() -> Iterator[list[dict[str, Any]]]:
        for batch in ents():
            sec = _sectors(store, batch)
            yield [{"data": {"id": e.id, **_node_attrs(e, sec[e.id])}} for e in batch]

    def edges() -> Iterator[list[dict[str, Any]]]:
        for batch in rels():
            yield [{"data": {"id": r.id, "source": r.source, "target": r.target, "label": r.type,
                             **_edge_attrs(r)}} for r in batch]

    out.write(b'{"elements": {"nodes": [')
    _json_list(out.write, nodes())
    out.write(b'],\n"edges": [')
    _json_list(out.write, edges())
    out.write(b"]}}\n")


def write_nodelink(store: Store, ents: Batches, rels: Batches, out: BinaryIO) -> None:
    def nodes() -> Iterator[list[dict[str, Any]]]:
        for batch in ents():
            sec = _sectors(store, batch)
            yield [{"id": e.id, **_node_attrs(e, sec[e.id])} for e in batch]

    def links() -> Iterator[list[dict[str, Any]]]:
        for batch in rels():
            yield [{"source": r.source, "target": r.target, "key": r.id, **_edge_attrs(r)} for r in batch]

    out.write(b'{"directed": true, "multigraph": true, "graph": {"name": "tradekg"},\n"nodes": [')
    _json_list(out.write, nodes())
    out.write(b'],\n"links": [')
    _json_list(out.write, links())
    out.write(b"]}\n")


# --- neo4j-admin import CSV bundle -----------------------------------------------------

NEO4J_README = """tradekg export for neo4j-admin database import

Files:
  nodes.csv          one row per entity; :LABEL is Entity plus its type (Organization, Person, ...)
  relationships.csv  one row per relation; :TYPE is the relation type (MET_WITH, ...)
Arrays (aliases, sectors, documents) are ';'-separated.

Import into an empty database (Neo4j 5):
  neo4j-admin database import full --nodes=nodes.csv --relationships=relationships.csv \\
      --array-delimiter=';' neo4j
"""

NEO4J_NODE_HEADER = ["id:ID", "name", ":LABEL", "kind", "country", "aliases:string[]", "sectors:string[]",
                     "title", "start", "end"]
NEO4J_REL_HEADER = [":START_ID", ":END_ID", ":TYPE", "id", "confidence:float", "weight:int",
                    "first_date:date", "last_date:date", "documents:string[]", "evidence"]
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def write_neo4j_csv(store: Store, ents: Batches, rels: Batches, out: BinaryIO) -> None:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("README.txt", NEO4J_README)
        with zf.open("nodes.csv", "w") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as f:
            cw = csv.writer(f)
            cw.writerow(NEO4J_NODE_HEADER)
            for batch in ents():
                sec = _sectors(store, batch)
                for e in batch:
                    a = _node_attrs(e, sec[e.id])
                    cw.writerow([e.id, e.name, f"Entity;{e.type}", e.kind or "", e.country or "", a["aliases"],
                                 a["sectors"], e.attrs.get("title") or "", e.attrs.get("start") or "",
                                 e.attrs.get("end") or ""])
        with zf.open("relationships.csv", "w") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as f:
            cw = csv.writer(f)
            cw.writerow(NEO4J_REL_HEADER)
            for rbatch in rels():
                for r in rbatch:
                    a = _edge_attrs(r)
                    first = a["first_date"][:10] if _FULL_DATE.match(a["first_date"][:10]) else ""
                    last = a["last_date"][:10] if _FULL_DATE.match(a["last_date"][:10]) else ""
                    cw.writerow([r.source, r.target, r.type, r.id, a["confidence"], int(a["weight"]), first,
                                 last, a["documents"], a["evidence"]])


# --- RDF: W3C ORG, schema.org, PROV-O ------------------------------------------------------

TK = Namespace("https://tradekg.org/id/")
TKV = Namespace("https://tradekg.org/vocab#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
PREFIXES: dict[str, str] = {
    "tk": str(TK), "tkv": str(TKV), "org": str(ORG), "schema": str(SCHEMA), "oa": str(OA),
    "prov": "http://www.w3.org/ns/prov#", "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#", "foaf": "http://xmlns.com/foaf/0.1/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "xsd": "http://www.w3.org/2001/XMLSchema#",
}

_TYPES: dict[str, list[URIRef]] = {
    "Organization": [ORG.Organization, SCHEMA.Organization],
    "Person": [SCHEMA.Person, FOAF.Person],
    "Place": [SCHEMA.Place],
    "Event": [SCHEMA.Event],
    "Mission": [TKV.Mission, SCHEMA.Event],
    "Sector": [TKV.Sector, SKOS.Concept],
    "Agreement": [TKV.Agreement, SCHEMA.CreativeWork],
    "Program": [TKV.Program],
}
_PLACE_TYPES = {"country": SCHEMA.Country, "city": SCHEMA.City, "region": SCHEMA.AdministrativeArea}
Triple = tuple[Node, Node, Node]


def _iri(entity_id: str) -> URIRef:
    return TK[entity_id]


def _doc(doc_id: str) -> URIRef:
    return TK[f"doc/{doc_id}"]


def entity_triples(e: Entity, sectors: list[str]) -> Iterator[Triple]:
    s = _iri(e.id)
    for t in _TYPES.get(e.type, [TKV.Entity]):
        yield s, RDF.type, t
    if e.type == "Place" and e.kind in _PLACE_TYPES:
        yield s, RDF.type, _PLACE_TYPES[e.kind]
    yield s, RDFS.label, Literal(e.name)
    yield s, SCHEMA.name, Literal(e.name)
    for a in e.aliases:
        yield s, SKOS.altLabel, Literal(a)
    if e.kind:
        yield s, TKV.kind, Literal(e.kind)
        if e.type == "Organization":
            yield s, ORG.classification, TKV[f"kind/{e.kind}"]
    if e.country:
        yield s, SCHEMA.addressCountry, Literal(e.country)
    for key, prop in (("title", SCHEMA.jobTitle), ("start", SCHEMA.startDate), ("end", SCHEMA.endDate),
                      ("code", SCHEMA.identifier), ("value", SCHEMA.value), ("currency", SCHEMA.currency)):
        if e.attrs.get(key) is not None:
            yield s, prop, Literal(str(e.attrs[key]))


def relation_triples(r: Relation) -> Iterator[Triple]:
    s, o = _iri(r.source), _iri(r.target)
    yield s, TKV[r.type], o
    # The standard vocabularies' reading of the same fact.
    if r.type == "PART_OF":
        yield s, ORG.subOrganizationOf, o
    elif r.type == "LOCATED_IN":
        site = TK[f"site/{r.id}"]
        yield s, SCHEMA.location, o
        yield s, ORG.hasSite, site
        yield site, RDF.type, ORG.Site
        yield site, SCHEMA.containedInPlace, o
    elif r.type in ("WORKS_FOR", "MEMBER_OF"):
        m = TK[f"membership/{r.id}"]
        yield m, RDF.type, ORG.Membership
        yield m, ORG.member, s
        yield m, ORG.organization, o
        title = r.attrs.get("title")
        if r.type == "WORKS_FOR" and title:
            post = TK[f"post/{r.id}"]
            yield post, RDF.type, ORG.Post
            yield post, ORG.postIn, o
            yield post, RDFS.label, Literal(str(title))
            yield s, ORG.holds, post
    elif r.type == "ORGANIZED":
        yield o, SCHEMA.organizer, s
    elif r.type == "PARTICIPATED_IN":
        yield o, SCHEMA.attendee, s
    # The fact itself, with its provenance.
    f = TK[f"fact/{r.id}"]
    yield f, RDF.type, RDF.Statement
    yield f, RDF.type, PROV.Entity
    yield f, RDF.subject, s
    yield f, RDF.predicate, TKV[r.type]
    yield f, RDF.object, o
    yield f, TKV.confidence, Literal(float(r.confidence))
    if r.date:
        yield f, DCTERMS.date, Literal(r.date)
    for d in documents_of(r.evidence):
        yield f, PROV.wasDerivedFrom, _doc(d)
    for i, ev in enumerate(r.evidence):
        q = TK[f"fact/{r.id}/evidence/{i}"]
        yield f, PROV.qualifiedDerivation, q
        yield q, RDF.type, PROV.Derivation
        yield q, PROV.entity, _doc(ev.doc_id)
        yield q, OA.start, Literal(ev.start)
        yield q, OA.end, Literal(ev.end)
        yield q, OA.exact, Literal(_BAD_XML.sub("", ev.text))
        if ev.date:
            yield q, DCTERMS.date, Literal(ev.date)


def document_triples(doc_id: str, title: str | None, date: str | None, source: str | None) -> Iterator[Triple]:
    d = _doc(doc_id)
    yield d, RDF.type, PROV.Entity
    yield d, RDF.type, SCHEMA.Report
    if title:
        yield d, DCTERMS.title, Literal(title)
    if date:
        yield d, DCTERMS.date, Literal(date)
    if source:
        yield d, DCTERMS.source, Literal(source)


def _rdf_batches(store: Store, ents: Batches, rels: Batches) -> Iterator[list[Triple]]:
    for batch in ents():
        sec = _sectors(store, batch)
        yield [t for e in batch for t in entity_triples(e, sec[e.id])]
    docs: set[str] = set()
    for rbatch in rels():
        docs.update(d for r in rbatch for d in documents_of(r.evidence))
        yield [t for r in rbatch for t in relation_triples(r)]
    for chunk in _chunks(sorted(docs), 200):
        triples = []
        for d in chunk:
            doc = store.get_document(d)
            if doc is not None:
                triples += list(document_triples(doc.id, doc.title, doc.date, doc.source))
        yield triples


# Longest namespace first, so a prefix never swallows a longer one's IRIs.
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
# A conservative subset of Turtle's PN_LOCAL: anything else is written as <IRI>.
_PLAIN_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


@functools.lru_cache(maxsize=1024)
def _namespace_of(head: str) -> tuple[str, str] | None:
    """(prefix, namespace) of the longest known namespace that starts
    ``head`` (an IRI up to its last "/" or "#"), if any; IRIs share a few
    heads, so this runs a few times per export, not once per term."""
    for prefix, ns in _BY_LENGTH:
        if head.startswith(ns):
            return prefix, ns
    return None


def _turtle_term(t: Node) -> str:
    """A term in Turtle. Our own prefixing: rdflib's namespace manager
    rebuilds a trie per IRI and made a 100k-relation export take minutes."""
    if isinstance(t, URIRef):
        iri = str(t)
        # Every namespace ends in "/" or "#", so the one that prefixes an IRI
        # also prefixes its head up to the last separator.
        found = _namespace_of(iri[:max(iri.rfind("/"), iri.rfind("#")) + 1])
        if found is not None:
            prefix, ns = found
            local = iri[len(ns):]
            if _PLAIN_LOCAL.match(local):
                return f"{prefix}:{local}"
        return f"<{iri}>"
    return str(t.n3())


def write_turtle(store: Store, ents: Batches, rels: Batches, out: BinaryIO) -> None:
    out.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()).encode() + b"\n")
    for triples in _rdf_batches(store, ents, rels):
        lines = [f"{_turtle_term(s)} {_turtle_term(p)} {_turtle_term(o)} .\n" for s, p, o in triples]
        out.write("".join(lines).encode())


def _jsonld_value(o: Node) -> dict[str, Any]:
    if isinstance(o, Literal):
        v: dict[str, Any] = {"@value": str(o)}
        if o.datatype is not None:
            v["@type"] = str(o.datatype)
        if o.language:
            v["@language"] = o.language
        return v
    if isinstance(o, BNode):
        return {"@id": f"_:{o}"}
    return {"@id": str(o)}


def write_jsonld(store: Store, ents: Batches, rels: Batches, out: BinaryIO) -> None:
    context = dict(PREFIXES)

    def nodes() -> Iterator[list[dict[str, Any]]]:
        for triples in _rdf_batches(store, ents, rels):
            by_subject: dict[Node, dict[str, Any]] = {}
            for s, p, o in triples:
                node = by_subject.setdefault(s, {"@id": str(s)})
                if p == RDF.type:
                    node.setdefault("@type", []).append(str(o))
                else:
                    node.setdefault(str(p), []).append(_jsonld_value(o))
            yield list(by_subject.values())

    out.write(b'{"@context": ' + json.dumps(context).encode() + b',\n"@graph": [')
    _json_list(out.write, nodes())
    out.write(b"]}\n")


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("graphml", "application/graphml+xml", "graphml", write_graphml),
        ExportFormat("gexf", "application/gexf+xml", "gexf", write_gexf),
        ExportFormat("cytoscape", "application/json", "cyjs", write_cytoscape),
        ExportFormat("nodelink", "application/json", "json", write_nodelink),
        ExportFormat("neo4j-csv", "application/zip", "zip", write_neo4j_csv),
        ExportFormat("turtle", "text/turtle", "ttl", write_turtle),
        ExportFormat("jsonld", "application/ld+json", "jsonld", write_jsonld),
    )
}


def export_graph(store: Store, fmt: str, out: BinaryIO, *, scope: ExportScope | None = None) -> None:
    """Write the graph (or ``scope`` of it) to ``out`` in format ``fmt``
    (a key of ``FORMATS``), batch by batch."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    ents, rels = _select(store, scope)
    FORMATS[fmt].writer(store, ents, rels, out)
