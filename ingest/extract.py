"""The extractor: one report's text in, typed entities and relations out.

One spaCy pass per document (sentences, dependency parse; NER only where
the models were trained with it, ``Models.spacy_left_out``) on a
same-length copy of the text (``nlp.prepare_text``), then cheap Python:
mentions by shape and pattern (``mentions``), grouping them into entities,
and relations from the parse (``relations``). Output ids are ``e1``, ``e2``...
in order of first mention, so the same text always gives the same result.

Dev entry point: ``python -m ingest.extract [--format jsonl] PATH...`` prints
one contract line (ONTOLOGY.md) per file, in input order.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import sys
from collections import deque
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from graph.gazetteer import load as load_gazetteer
from graph.model import (
    Document,
    ExtractedEntity,
    ExtractedRelation,
    Extraction,
    Span,
    document_id,
    normalise_name,
)
from graph.ontology import MISSION, SYMMETRIC_RELATIONS
from graph.resolve import ENTITY_REF_ATTRS
from ingest.agreements import find_agreements
from ingest.dates import document_date, parse_date
from ingest.learn import span_model
from ingest.learn.candidates import add_candidates, merge_short_forms
from ingest.learn.features import Report
from ingest.learn.refine import Models
from ingest.locations import find_countries, find_final_countries, find_places
from ingest.mentions import Entity, Mention, cluster, collect
from ingest.nlp import load_model, prepare_text
from ingest.relations import Context, Found
from ingest.sector_facts import find_sector_facts
from ingest.sentence_rules import find_sentence_relations
from ingest.text_rules import find_text_relations, people_that_are_bodies
from ingest.tokens import Tokens

EXTRACTOR_VERSION = "tradekg-extract/0.2"


class Extractor:
    version: str

    def __init__(self, model: str | None = None, *, learned: bool = True,
                 spacy_left_out: Collection[str] | None = None) -> None:
        """``spacy_left_out``: spaCy components not to run; by default those
        the models were trained without (none for the rules alone)."""
        self.models = Models.load() if learned else None
        if spacy_left_out is None:
            spacy_left_out = self.models.spacy_left_out if self.models is not None else ()
        self.nlp, model_label = load_model(model, left_out=spacy_left_out)
        self.version = f"{EXTRACTOR_VERSION}+{model_label}"
        if self.models is not None:
            self.version += f"+{self.models.label}"
        # Build the gazetteer tables now, not inside the first report.
        load_gazetteer()

    def extract(self, doc: Document) -> Extraction:
        prepared = prepare_text(doc.text)
        return self._extract(doc, prepared, self.nlp(prepared))

    def extract_many(self, docs: Iterable[Document], *, n_process: int = 1,
                     batch_size: int = 32) -> Iterator[Extraction]:
        """One ``nlp.pipe`` pass over all documents; results in input order.
        With ``n_process`` > 1, worker processes each extract whole batches."""
        if n_process > 1:
            yield from self._extract_in_workers(docs, n_process, batch_size)
            return
        # The prepared text rides along: spaCy's doc.text is rebuilt from every token on each read.
        pairs = ((text, (text, d)) for text, d in ((prepare_text(d.text), d) for d in docs))
        for parsed, (prepared, d) in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            yield self._extract(d, prepared, parsed)

    def _extract_in_workers(self, docs: Iterable[Document], n_process: int, batch_size: int
                            ) -> Iterator[Extraction]:
        """Batches extracted in forked worker processes, spaCy and the models
        both, so that only the extractions come back. (spaCy's own
        ``n_process`` parses in workers but leaves the rest of extraction,
        about as much work again, to this process, one report after
        another, and sends every parsed Doc back.) At most two batches per
        worker are taken from ``docs`` ahead of the results, so memory stays
        bounded; a batch that fails raises here, in order, like the
        one-process pass."""
        _WORKER_EXTRACTOR[:] = [self]  # inherited by the forked workers, never sent
        source = iter(docs)
        in_flight: deque[Future[list[Extraction]]] = deque()
        pool = ProcessPoolExecutor(n_process, mp_context=multiprocessing.get_context("fork"))
        try:
            while True:
                while len(in_flight) < 2 * n_process and (batch := list(islice(source, batch_size))):
                    in_flight.append(pool.submit(_extract_batch, batch))
                if not in_flight:
                    return
                yield from in_flight.popleft().result()
        finally:  # batches not started are dropped; those running finish first
            pool.shutdown(wait=True, cancel_futures=True)

    def _extract(self, document: Document, prepared: str, parsed: Doc) -> Extraction:
        tokens = Tokens(parsed)  # the token attributes, read once for the rules, the tagger and the features
        doc_date, info, entities, found = self.rules(document, prepared, parsed, tokens)
        if self.models is not None:
            tagged = span_model.predict(self.models.tagger, parsed, prepared, tokens) if self.models.tagger else {}
            entities = add_candidates(parsed, prepared, entities, self.models.sector_terms, tagged=tagged,
                                      keep_rules=False, event_names=self.models.event_names)
            found = merge_short_forms(entities, found, prepared)
            entities, found = self.models.refine(Report(parsed, prepared, entities, found, tagged=tagged,
                                                        token_table=tokens, given_names=self.models.given_names,
                                                        event_names=self.models.event_names))
            find_final_countries(parsed, prepared, entities, found, tokens, _dateline_country(info))
        return _assemble(document, entities, found, doc_date, info, self.version)

    def rules(self, document: Document, prepared: str, parsed: Doc, tokens: Tokens | None = None
              ) -> tuple[str | None, dict[str, Any], list[Entity], list[Found]]:
        """The rule stage: candidate entities and the relations the rules find
        (``tokens``: the parse's token lists, where the caller has them).

        The learned models (``ingest.learn``) take it from here; training runs
        this stage alone on annotated texts."""
        doc_date = document.date or document_date(document.text)
        mentions, info = collect(prepared, parsed, doc_date)
        entities = cluster(mentions, prepared)

        def new_entity(etype: str, name: str, start: int, end: int, attrs: dict[str, Any]) -> Entity:
            m = Mention(start, end, prepared[start:end], etype, attrs=dict(attrs), entity=len(entities))
            ent = Entity(len(entities), etype, [m], name=name, attrs=dict(attrs))
            entities.append(ent)
            return ent

        ctx = Context(parsed, prepared, entities, mentions, new_entity, tokens)
        # A one-word "person" the text shows to be a company is retyped
        # before the sentence rules read the types.
        people_that_are_bodies(ctx)
        find_sentence_relations(ctx)
        find_text_relations(ctx)
        found = ctx.found
        find_sector_facts(ctx)
        find_agreements(ctx)
        find_places(ctx)
        find_countries(ctx, _dateline_country(info))
        return doc_date, info, entities, found


# The extractor the worker processes of ``Extractor.extract_many`` use: set
# just before they are forked, so each has the loaded models without a copy
# being sent.
_WORKER_EXTRACTOR: list[Extractor] = []


def _extract_batch(docs: list[Document]) -> list[Extraction]:
    return list(_WORKER_EXTRACTOR[0].extract_many(docs, batch_size=len(docs)))


def _dateline_country(info: dict[str, Any]) -> str | None:
    """The country of the place a story was filed from ("city:KZ:Almaty")."""
    key = info.get("dateline_place")
    parts = key.split(":") if isinstance(key, str) else []
    return parts[1] if len(parts) == 3 else None


# "a"/"an" just before a name: how a report introduces a delegation.
_INDEFINITE_BEFORE = re.compile(r"(?:^|(?<=\W))(an?)[ \t]+$", re.IGNORECASE)


def article_forms(text: str, spans: list[tuple[int, int]], forms: list[str]) -> list[str]:
    """A delegation's names as the report introduces them, article and all
    ("a visiting Ghanaian delegation", "A fintech mission to Singapore"):
    the shared corpus names a delegation so, and a reader searching the
    report's words finds it. ``spans``: its mentions that name it ("a
    delegation" names nothing); only forms not already there (normalised)."""
    seen = {normalise_name(f) for f in forms}
    out = []
    for s, t in spans:
        before = _INDEFINITE_BEFORE.search(text, max(0, s - 4), s)
        if before is None:
            continue
        form = text[before.start(1):t]
        key = normalise_name(form)
        if key not in seen:
            seen.add(key)
            out.append(form)
    return out


def _assemble(document: Document, entities: list[Entity], found: list[Found], doc_date: str | None,
              info: dict[str, Any], version: str) -> Extraction:
    text = document.text
    order = sorted(range(len(entities)), key=lambda i: (entities[i].first, i))
    local = {old: f"e{n + 1}" for n, old in enumerate(order)}
    out_entities: list[ExtractedEntity] = []
    for old in order:
        e = entities[old]
        attrs = {k: v for k, v in e.attrs.items() if k in ("title", "code", "start", "end", "value",
                                                           "currency", "date", "origin", "country_reason")}
        spans = sorted({(m.start, m.end) for m in e.mentions})
        aliases = list(e.aliases)
        if e.type == MISSION:
            named = sorted({(m.start, m.end) for m in e.mentions if not m.generic})
            aliases += article_forms(text, named, [e.name, *aliases])
        out_entities.append(ExtractedEntity(
            id=local[old], type=e.type, name=e.name, aliases=aliases, kind=e.kind,
            country=e.country, attrs=attrs, mentions=[Span(s, t, text[s:t]) for s, t in spans],
        ))
    dateline = parse_date(info["dateline_date"], doc_date) if info.get("dateline_date") else None
    merged: dict[tuple[str, str, str], ExtractedRelation] = {}
    # Relations stated in one sentence share its date: each sentence is read once.
    sentence_dates: dict[tuple[int, int], str | None] = {}
    for f in found:
        src, tgt = local[f.source], local[f.target]
        if f.type in SYMMETRIC_RELATIONS and tgt < src:
            src, tgt = tgt, src
        s, t = f.sentence
        while s < t and text[s].isspace():
            s += 1
        while t > s and text[t - 1].isspace():
            t -= 1
        span = Span(s, t, text[s:t])
        if (s, t) not in sentence_dates:
            sentence_dates[(s, t)] = parse_date(text[s:t], doc_date)
        when = sentence_dates[(s, t)] or dateline
        key = (f.type, src, tgt)
        rel = merged.get(key)
        attrs = dict(f.attrs)
        # Attributes naming entities hold an entity index until now.
        for ref in ENTITY_REF_ATTRS:
            if isinstance(attrs.get(ref), int):
                attrs[ref] = local[attrs[ref]]
        if rel is None:
            merged[key] = ExtractedRelation(type=f.type, source=src, target=tgt, confidence=f.confidence,
                                            evidence=[span], date=when, attrs=attrs)
        else:
            rel.confidence = max(rel.confidence, f.confidence)
            if all(ev.start != span.start for ev in rel.evidence):
                rel.evidence.append(span)
            rel.date = rel.date or when
            for k, v in attrs.items():
                rel.attrs.setdefault(k, v)
    relations = sorted(merged.values(), key=lambda r: (r.evidence[0].start, r.type, r.source, r.target))
    # An agreement is dated by the signing that names it.
    by_id = {e.id: e for e in out_entities}
    for r in relations:
        agreement = by_id.get(r.attrs.get("agreement", ""))
        if agreement is not None and r.date:
            agreement.attrs.setdefault("date", r.date)
    return Extraction(document=document, entities=out_entities, relations=relations, extractor=version)


def _read(path: str) -> Document:
    text = Path(path).read_text(encoding="utf-8")
    title = next((ln.strip() for ln in text.splitlines() if ln.strip()), None)
    return Document(id=document_id(text), source=path, text=text, title=title, date=document_date(text))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingest.extract", description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--format", choices=["jsonl"], default="jsonl")
    ap.add_argument("--model", default=None)
    ap.add_argument("--rules-only", action="store_true", help="the rule stage alone, without the trained models")
    args = ap.parse_args(argv)
    extractor = Extractor(args.model, learned=not args.rules_only)
    docs = [_read(p) for p in args.paths]
    for ex in extractor.extract_many(docs):
        sys.stdout.write(json.dumps(ex.to_contract(), ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
