"""Training annotations: the format, its checker, and the step that adds offsets.

An annotator writes a *draft* (``NAME.draft.json``) in the vocabulary of
ONTOLOGY.md and the conventions of ``annotations/GUIDE.md``: entities by
name with their aliases, relations by entity name, and for each relation the
words of the text that state it (``evidence``: one or more exact quotes;
white space need not match). ``build`` checks the draft against its text and
writes the stored annotation (``NAME.ann.json``): every mention of every
entity and every evidence as character offsets into the text, and a hash of
the text, never the text's sentences. The texts of ``../shared/train`` stay
there; only offsets, names and labels are kept here.

    python -m ingest.learn.annotations build DRAFT --text TEXT --out ANN
    python -m ingest.learn.annotations check annotations/

A stored annotation is also a gold file for ``../shared/eval/score.py``
(``gold_view``), so every annotated text can be scored like the test sets.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.model import place_in_own_name
from graph.ontology import (
    ENTITY_TYPES,
    LOCATED_IN,
    ORG_KINDS,
    PLACE_KINDS,
    RELATION_TYPES,
    SECTOR,
)

ROOT = Path(__file__).resolve().parents[2]
ANNOTATIONS = ROOT / "annotations"
# Annotations checked like the rest but left out of training (their README says why).
HELD = "held"
# The folders of first annotations (second ones, for agreement, live in second/).
FIRST = ("reuters", "reports", HELD)
# Where the texts of annotations named "reuters-*" live (never needed at run time).
SHARED_TRAIN = ROOT.parent / "shared" / "train" / "reuters-21578"

ENTITY_KEYS = {"name", "type", "kind", "country", "title", "code", "aliases", "optional", "mentions",
               "start", "end", "date", "value", "currency"}
RELATION_KEYS = {"type", "source", "target", "optional", "evidence", "title", "agreement", "event", "date"}


class AnnotationError(ValueError):
    """A draft or stored annotation that does not fit its text or the ontology."""


@dataclass
class Annotation:
    doc: str
    text: str
    entities: list[dict[str, Any]]
    relations: list[dict[str, Any]]
    ignore: list[str] = field(default_factory=list)
    path: Path | None = None

    def entity(self, name: str) -> dict[str, Any] | None:
        for e in self.entities:
            if e["name"] == name:
                return e
        return None


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def parties(x: str | list[str]) -> list[str]:
    """The names a relation's side lists: one name, or a list of acceptable ones."""
    return list(x) if isinstance(x, list) else [x]


def _form_pattern(form: str) -> re.Pattern[str]:
    """A form as written, word-bounded; any run of white space matches any other."""
    parts = [re.escape(p) for p in form.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)")


def find_mentions(text: str, entities: list[dict[str, Any]]) -> list[list[tuple[int, int]]]:
    """Each entity's mentions: every occurrence of its name or an alias.

    Longer forms win where forms of one entity overlap ("Fujitsu Ltd" over
    "Fujitsu"); another entity's name may sit inside a mention ("Japan" in
    "Bank of Japan", "Tokyo" in "Tokyo economic summit"), but not at the
    start of a longer name of the same type: there the short form is part of
    it ("Merrill Lynch" in "Merrill Lynch Capital Markets").
    """
    candidates: list[tuple[int, int, int]] = []  # (start, end, entity index)
    for i, e in enumerate(entities):
        for form in {e["name"], *e.get("aliases", [])}:
            if not form.strip():
                continue
            for m in _form_pattern(form).finditer(text):
                candidates.append((m.start(), m.end(), i))
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0], c[2]))
    taken: list[tuple[int, int, int]] = []
    out: list[list[tuple[int, int]]] = [[] for _ in entities]
    for s, t, i in candidates:
        # A name inside another entity's name is a mention too ("Venice" in
        # "G-7 meeting in Venice"); a shorter form inside a longer form of
        # the same entity, a form that begins a longer name of its type, or a span
        # crossing another, is not.
        if any((s < b and a < t) and (j == i or (s == a and entities[j]["type"] == entities[i]["type"])
                                      or not (a <= s and t <= b)) for a, b, j in taken):
            continue
        taken.append((s, t, i))
        out[i].append((s, t))
    return [sorted(spans) for spans in out]


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    parts = [re.escape(p) for p in quote.split()]
    if not parts:
        return None
    m = re.search(r"\s+".join(parts), text)
    return (m.start(), m.end()) if m else None


def _check_entity(e: dict[str, Any], where: str) -> None:
    extra = set(e) - ENTITY_KEYS
    if extra:
        raise AnnotationError(f"{where}: unknown keys {sorted(extra)}")
    if not isinstance(e.get("name"), str) or not e["name"].strip():
        raise AnnotationError(f"{where}: an entity needs a name")
    if e.get("type") not in ENTITY_TYPES:
        raise AnnotationError(f"{where}: type {e.get('type')!r} is not one of {ENTITY_TYPES}")
    if e["type"] == "Organization" and e.get("kind") not in ORG_KINDS:
        raise AnnotationError(f"{where}: kind {e.get('kind')!r} is not one of {ORG_KINDS}")
    if e["type"] == "Place" and e.get("kind") not in PLACE_KINDS:
        raise AnnotationError(f"{where}: place kind {e.get('kind')!r} is not one of {PLACE_KINDS}")
    if e["type"] == SECTOR and not re.fullmatch(r"\d{2}", str(e.get("code", ""))):
        raise AnnotationError(f"{where}: a Sector needs a two-digit ISIC division as code")
    country = e.get("country")
    if country is not None and not re.fullmatch(r"[A-Z]{2}", str(country)):
        raise AnnotationError(f"{where}: country {country!r} is not an ISO 3166-1 alpha-2 code")
    if not isinstance(e.get("aliases", []), list):
        raise AnnotationError(f"{where}: aliases must be a list")


def _located_by_own_name(source: dict[str, Any], target: dict[str, Any]) -> bool:
    return place_in_own_name(source["type"], source["name"], target["type"],
                             [target["name"], *target.get("aliases", [])])


def _check_relation(r: dict[str, Any], entities: dict[str, dict[str, Any]], where: str) -> None:
    extra = set(r) - RELATION_KEYS
    if extra:
        raise AnnotationError(f"{where}: unknown keys {sorted(extra)}")
    rel = RELATION_TYPES.get(r.get("type", ""))
    if rel is None:
        raise AnnotationError(f"{where}: relation type {r.get('type')!r} is not in the ontology")
    for side in ("source", "target"):
        for n in parties(r.get(side, [])):
            if n not in entities:
                raise AnnotationError(f"{where}: {side} {n!r} is not the name of an entity")
        if not parties(r.get(side, [])):
            raise AnnotationError(f"{where}: no {side}")
    for ref in ("agreement", "event"):
        if ref in r and r[ref] not in entities:
            raise AnnotationError(f"{where}: {ref} {r[ref]!r} is not the name of an entity")
    for a in parties(r["source"]):
        for b in parties(r["target"]):
            ta, tb = entities[a]["type"], entities[b]["type"]
            if not rel.allows(ta, tb):
                raise AnnotationError(f"{where}: {rel.name} cannot go from a {ta} ({a!r}) "
                                      f"to a {tb} ({b!r}); see ONTOLOGY.md")
    if rel.name == LOCATED_IN and not r.get("optional") and all(
            _located_by_own_name(entities[a], entities[b]) for a in parties(r["source"]) for b in parties(r["target"])):
        raise AnnotationError(f"{where}: the place is named inside the name itself: mark it optional "
                              f"(GUIDE.md, \"A place inside a name\")")


def build(draft: dict[str, Any], text: str, doc: str) -> dict[str, Any]:
    """The stored annotation of a draft: offsets in place of quotes, checked against the text."""
    entities = [dict(e) for e in draft.get("entities", [])]
    names: dict[str, dict[str, Any]] = {}
    for n, e in enumerate(entities):
        _check_entity(e, f"entity {n + 1} ({e.get('name')!r})")
        if e["name"] in names:
            raise AnnotationError(f"entity {e['name']!r} is listed twice: one entry per real thing")
        names[e["name"]] = e
    mentions = find_mentions(text, entities)
    for e, found in zip(entities, mentions, strict=True):
        if not found and e["type"] != SECTOR:
            raise AnnotationError(f"entity {e['name']!r}: neither its name nor an alias occurs in the text")
        e["mentions"] = [list(s) for s in found]
    relations = []
    for n, r in enumerate(draft.get("relations", [])):
        where = f"relation {n + 1} ({r.get('type')} {r.get('source')!r} -> {r.get('target')!r})"
        _check_relation(r, names, where)
        quotes = r.get("evidence") or []
        if isinstance(quotes, str):
            quotes = [quotes]
        spans: list[list[int]] = []
        for q in quotes:
            if not isinstance(q, str):
                raise AnnotationError(f"{where}: evidence must be quotes from the text")
            span = find_quote(text, q)
            if span is None:
                raise AnnotationError(f"{where}: evidence not found in the text: {q[:80]!r}")
            spans.append(list(span))
        if not spans and not r.get("optional"):
            raise AnnotationError(f"{where}: a relation needs evidence (the words that state it)")
        rel = {k: v for k, v in r.items() if k != "evidence"}
        rel["evidence"] = spans
        relations.append(rel)
    return {"doc": doc, "text_sha256": text_hash(text), "entities": entities,
            "relations": relations, "ignore": list(draft.get("ignore", []))}


def dumps(stored: dict[str, Any]) -> str:
    """One entity or relation a line: readable in a diff, offsets kept compact."""
    def rows(items: list[dict[str, Any]]) -> str:
        return ",\n".join("  " + json.dumps(i, ensure_ascii=False) for i in items)
    head = {k: v for k, v in stored.items() if k not in ("entities", "relations", "ignore")}
    out = json.dumps(head, ensure_ascii=False)[:-1]
    out += f',\n "entities": [\n{rows(stored["entities"])}\n ],'
    out += f'\n "relations": [\n{rows(stored["relations"])}\n ],'
    out += f'\n "ignore": {json.dumps(stored["ignore"], ensure_ascii=False)}}}\n'
    return out


def text_of(doc: str, ann_path: Path) -> str:
    """An annotation's text: a report written here, or a story in ../shared/train."""
    # Beside it, or beside its first annotation (a second annotation lives in second/).
    for written in (ann_path.with_name(f"{doc}.txt"), *(ANNOTATIONS / folder / f"{doc}.txt" for folder in FIRST)):
        if written.exists():
            return written.read_text(encoding="utf-8")
    shared = SHARED_TRAIN / f"{doc}.txt"
    if shared.exists():
        return shared.read_text(encoding="utf-8")
    raise AnnotationError(f"{ann_path}: the text {doc}.txt is neither beside it nor in {SHARED_TRAIN}")


def load(path: Path) -> Annotation:
    """A stored annotation with its text, checked: the text is the one annotated, offsets fit."""
    data = json.loads(path.read_text(encoding="utf-8"))
    text = text_of(data["doc"], path)
    if data.get("text_sha256") != text_hash(text):
        raise AnnotationError(f"{path}: the text has changed since it was annotated")
    names = {}
    for n, e in enumerate(data["entities"]):
        _check_entity(e, f"{path} entity {n + 1}")
        names[e["name"]] = e
        for s, t in e.get("mentions", []):
            if not (0 <= s < t <= len(text)):
                raise AnnotationError(f"{path}: mention {s}-{t} of {e['name']!r} is outside the text")
    for n, r in enumerate(data["relations"]):
        _check_relation(r, names, f"{path} relation {n + 1}")
        for s, t in r.get("evidence", []):
            if not (0 <= s < t <= len(text)):
                raise AnnotationError(f"{path}: evidence {s}-{t} is outside the text")
    entities, relations = one_sector_per_division(data["entities"], data["relations"])
    return Annotation(data["doc"], text, entities, relations, data.get("ignore", []), path)


def one_sector_per_division(entities: list[dict[str, Any]], relations: list[dict[str, Any]]
                            ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The annotation with one Sector per ISIC division, as the scorer reads
    sectors: it matches a Sector by its code, to the first annotated Sector
    of that division, so a second one ("dairy products" beside "meat
    processing", both 10) could never be matched, and a pair that states it
    would be taught as stating nothing. The first keeps its name; the
    others' names become its aliases, their mentions its mentions, and the
    relations that name them name it (one relation per pair, required if
    any of those it stands for is)."""
    first: dict[str, dict[str, Any]] = {}
    renamed: dict[str, str] = {}
    out_entities: list[dict[str, Any]] = []
    for e in entities:
        if e["type"] != SECTOR:
            out_entities.append(e)
            continue
        code = str(e["code"])[:2]
        keep = first.get(code)
        if keep is None:
            first[code] = keep = dict(e)
            out_entities.append(keep)
            continue
        renamed[e["name"]] = keep["name"]
        aliases = [*keep.get("aliases", []), e["name"], *e.get("aliases", [])]
        keep["aliases"] = [a for n, a in enumerate(aliases) if a != keep["name"] and a not in aliases[:n]]
        if "mentions" in keep or "mentions" in e:
            keep["mentions"] = sorted(map(list, {tuple(m) for m in [*keep.get("mentions", []), *e.get("mentions", [])]}))
        if not e.get("optional"):
            keep.pop("optional", None)
    if not renamed:
        return entities, relations

    def side(x: str | list[str]) -> str | list[str]:
        names = list(dict.fromkeys(renamed.get(n, n) for n in parties(x)))
        return names[0] if len(names) == 1 else names

    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in relations:
        r = {**r, "source": side(r["source"]), "target": side(r["target"])}
        key = (r["type"], tuple(parties(r["source"])), tuple(parties(r["target"])))
        same = merged.get(key)
        if same is None:
            merged[key] = r
            continue
        if "evidence" in same or "evidence" in r:
            same["evidence"] = [*same.get("evidence", []), *(s for s in r.get("evidence", [])
                                                           if s not in same.get("evidence", []))]
        if not r.get("optional"):
            same.pop("optional", None)
    return out_entities, list(merged.values())


def load_all(root: Path = ANNOTATIONS, *, include_second: bool = False) -> list[Annotation]:
    """Every stored annotation under root to train on (second annotations,
    for agreement, and held ones left out)."""
    paths = sorted(p for p in root.rglob("*.ann.json") if HELD not in p.parts)
    if not include_second:
        paths = [p for p in paths if "second" not in p.parts]
    return [load(p) for p in paths]


def gold_view(ann: Annotation) -> dict[str, Any]:
    """The annotation as a gold file for ../shared/eval/score.py."""
    ents = [{k: v for k, v in e.items() if k != "mentions"} for e in ann.entities]
    rels = [{k: v for k, v in r.items() if k != "evidence"} for r in ann.relations]
    return {"entities": ents, "relations": rels, "ignore": ann.ignore}


def _cmd_build(args: argparse.Namespace) -> int:
    draft = json.loads(Path(args.draft).read_text(encoding="utf-8"))
    text = Path(args.text).read_text(encoding="utf-8")
    doc = args.doc or Path(args.text).name.removesuffix(".txt")
    try:
        stored = build(draft, text, doc)
    except AnnotationError as exc:
        print(f"{args.draft}: {exc}", file=sys.stderr)
        return 1
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(dumps(stored), encoding="utf-8")
    n_m = sum(len(e["mentions"]) for e in stored["entities"])
    print(f"{args.out}: {len(stored['entities'])} entities ({n_m} mentions), "
          f"{len(stored['relations'])} relations")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    bad = 0
    paths = [p for d in args.paths for p in (sorted(Path(d).rglob("*.ann.json")) if Path(d).is_dir() else [Path(d)])]
    for p in paths:
        try:
            load(p)
        except (AnnotationError, KeyError, json.JSONDecodeError) as exc:
            bad += 1
            print(f"{p}: {exc}", file=sys.stderr)
    print(f"{len(paths) - bad} of {len(paths)} annotations are valid")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingest.learn.annotations")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="check a draft against its text and write the stored annotation")
    b.add_argument("draft")
    b.add_argument("--text", required=True)
    b.add_argument("--out", required=True)
    b.add_argument("--doc", help="the document's name (default: the text's file name)")
    c = sub.add_parser("check", help="check stored annotations against their texts")
    c.add_argument("paths", nargs="+")
    args = ap.parse_args(argv)
    return _cmd_build(args) if args.cmd == "build" else _cmd_check(args)


if __name__ == "__main__":
    raise SystemExit(main())
