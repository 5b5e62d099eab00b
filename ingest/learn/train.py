"""``make train``: rebuild every model from the annotations, and measure it.

    python -m ingest.learn.train [--quick] [--no-dev-sets] [--report docs/learned-metrics.json]
    python -m ingest.learn.train --compare-learners --report docs/learned-metrics.json

1. Every annotated text (``annotations/`` and, unless ``--no-dev-sets``, the
   development sets ``tests/gold``–``gold4``) is parsed once and run through
   the rules; the span tagger's names for each text come from a tagger
   trained on the other folds (``tag_out_of_fold``); the candidates are
   lined up with the annotation (``align``).
2. Cross-validation by document (5 folds, fixed): models trained on four
   folds extract the fifth, and ``../shared/eval/score.py``'s own scoring
   compares the output with the annotation. Each relation type's threshold
   is the one that gives its best cross-validated F1, and the type model's
   drop threshold the one with the best entity plus relation F1.
3. A learning curve (relation F1 against the number of training documents)
   on the same folds (its largest point is cross-validation's fold 0), and a
   reliability table of the relation confidences.
4. The final models, trained on everything (the span tagger beside the
   out-of-fold ones in step 1, the others beside the folds in step 2), are
   written to ``ingest/models/`` with the thresholds chosen; the
   measurements to ``--report``.

Deterministic: sorted inputs, fixed folds, fixed solvers and seeds.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import multiprocessing
import os
import sys
import time
import traceback
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as connection_wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import numpy as np
from spacy.tokens import Doc
from threadpoolctl import threadpool_limits

from graph.model import Document, document_id
from ingest.dates import document_date
from ingest.extract import Extractor, _assemble
from ingest.learn import (
    alias_model,
    entity_models,
    event_names,
    given_names,
    industry_model,
    relation_model,
    sector_terms,
    span_model,
)
from ingest.learn.align import NONE, Alignment
from ingest.learn.annotations import (
    HELD,
    ROOT,
    Annotation,
    find_mentions,
    gold_view,
    load,
    load_all,
    one_sector_per_division,
)
from ingest.learn.candidates import add_candidates, merge_short_forms
from ingest.learn.features import Features, Report
from ingest.learn.refine import FILES, MODELS_DIR, Models, save_pipeline
from ingest.mentions import Entity
from ingest.nlp import prepare_text
from ingest.relations import Found
from ingest.tokens import Tokens

DEV_SETS = ("gold", "gold2", "gold3", "gold4")
DEV_GROUP = "dev sets"  # the texts the rules were written from
SCORER = ROOT.parent / "shared" / "eval" / "score.py"
FOLDS = 5
# spaCy's NER is half of spaCy's time (it has an encoder of its own), and
# what it adds the span tagger and the relation model learn from the
# annotations: the models are trained, and run, without it.
SPACY_LEFT_OUT = ("ner",)
T = TypeVar("T")


@dataclass
class Parsed:
    """One annotated text after spaCy and the rules; the candidates are added
    per training run, since the learned industry terms depend on its documents."""

    ann: Annotation
    document: Document
    doc: Doc
    entities: list[Entity]
    found: list[Found]
    doc_date: str | None
    info: dict[str, Any]
    # The parse's token lists, read once and shared by the rules, the tagger and the features.
    tokens: Tokens
    # The span tagger's names, from a tagger that never saw this text (``tag_out_of_fold``).
    tagged: span_model.Names = field(default_factory=dict)
    rep: Report = field(init=False)
    align: Alignment = field(init=False)

    def prepare(self, terms: sector_terms.Table | None, names: frozenset[str] = frozenset(),
                events: event_names.Lexicon = event_names.EMPTY) -> None:
        entities = add_candidates(self.doc, self.doc.text, self.entities, terms, tagged=self.tagged,
                                  event_names=events)
        found = merge_short_forms(entities, self.found, self.doc.text)
        self.rep = Report(self.doc, self.doc.text, entities, found, tagged=self.tagged, token_table=self.tokens,
                          given_names=names, event_names=events)
        self.align = Alignment(self.rep, self.ann)


def dev_set_annotations(root: Path = ROOT / "tests") -> list[Annotation]:
    """The development gold sets as annotations: mentions found by name, no evidence offsets."""
    out = []
    for name in DEV_SETS:
        for gpath in sorted((root / name).glob("*.gold.json")):
            text = gpath.with_name(gpath.name.replace(".gold.json", ".txt")).read_text(encoding="utf-8")
            gold = json.loads(gpath.read_text(encoding="utf-8"))
            ents = [dict(e) for e in gold["entities"]]
            for e, spans in zip(ents, find_mentions(text, ents), strict=True):
                e["mentions"] = [list(s) for s in spans]
            # Read as every annotation is (``annotations.load``): one Sector per division.
            ents, relations = one_sector_per_division(ents, gold["relations"])
            out.append(Annotation(f"{name}/{gpath.stem}", text, ents, relations, gold.get("ignore", []), gpath))
    return out


def training_extractor() -> Extractor:
    """The rules on the pipeline the models are trained on: their proposals are the models' input."""
    return Extractor(learned=False, spacy_left_out=SPACY_LEFT_OUT)


def parse(anns: list[Annotation], extractor: Extractor) -> list[Parsed]:
    docs = [Document(id=document_id(a.text), source=a.doc, text=a.text,
                     title=a.text.strip().splitlines()[0] if a.text.strip() else None,
                     date=document_date(a.text)) for a in anns]
    out = []
    pairs = ((prepare_text(d.text), (a, d)) for a, d in zip(anns, docs, strict=True))
    # spaCy in a second process while this one runs the rules (the same parse: checked on 400 texts).
    n_process = 2 if len(anns) >= 100 and (os.cpu_count() or 1) >= 2 else 1
    for parsed, (a, d) in extractor.nlp.pipe(pairs, as_tuples=True, batch_size=32, n_process=n_process):
        tokens = Tokens(parsed)
        doc_date, info, entities, found = extractor.rules(d, parsed.text, parsed, tokens)
        out.append(Parsed(a, d, parsed, entities, found, doc_date, info, tokens))
    return out


def train_tagger(items: list[Parsed]) -> span_model.SpanTagger | None:
    """The span tagger trained on ``items``; None when they name nothing (a test's tiny slice)."""
    X, y = span_model.examples([(p.doc, p.ann) for p in items], [p.tokens for p in items])
    return span_model.train_tagger(X, y) if len({label for labels in y for label in labels}) >= 2 else None


def tag_out_of_fold(items: list[Parsed]) -> span_model.SpanTagger | None:
    """Each text's names as found by a tagger trained on the other folds;
    returns the final tagger, trained on every text.

    The other models learn from these (not from a tagger that saw the text
    and would tag it nearly perfectly), so at training time they see
    candidates as good as they will be on new text; cross-validation then
    measures the whole chain on unseen text. The final tagger is fitted in
    the same pool: five folds on two cores leave one idle for the last."""
    def fold_names(k: int) -> list[tuple[int, span_model.Names]]:
        tagger = train_tagger([p for p in items if fold_of(p) != k])
        if tagger is None:
            return []  # no names to learn from: none proposed
        names = [(i, span_model.predict(tagger, p.doc, p.doc.text, p.tokens))
                 for i, p in enumerate(items) if fold_of(p) == k]
        print(f"  span tagger {k + 1} of {FOLDS} trained", file=sys.stderr)
        return names

    def job(k: int) -> list[tuple[int, span_model.Names]] | span_model.SpanTagger | None:
        return train_tagger(items) if k == FOLDS else fold_names(k)

    *folds, final = in_processes(job, range(FOLDS + 1))
    for names in folds:
        assert isinstance(names, list)
        for i, tagged in names:
            items[i].tagged = tagged
    assert not isinstance(final, list)
    return final


# The job ``in_processes`` runs; a global so that forked workers inherit it
# (with the items it reads) instead of receiving a copy through a pipe.
_JOB: Callable[[int], Any] | None = None


def _run_job(k: int, send: Connection) -> None:
    """In a forked worker: job k's result, or the error it raised, sent back."""
    assert _JOB is not None
    try:
        send.send((True, _JOB(k)))
    except BaseException:  # noqa: BLE001 - whatever it was, the parent reports it
        send.send((False, traceback.format_exc()))
    finally:
        send.close()


def in_processes(job: Callable[[int], T], ks: Sequence[int]) -> list[T]:
    """``[job(k) for k in ks]``, one process per core where the platform can
    fork (the workers share the parsed texts instead of copying them); the
    folds are independent fits, so the results are the same either way.

    Each job gets a process of its own, forked for it, so no worker carries
    one fit's memory into the next (a worker reached 11 GB in a run that ran
    out of memory); a worker that dies (killed for memory) stops training
    with an error naming its job, where a pool would wait for it forever."""
    global _JOB
    workers = min(len(ks), os.cpu_count() or 1)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [job(k) for k in ks]
    context = multiprocessing.get_context("fork")
    _JOB = job
    results: dict[int, T] = {}
    running: dict[int, tuple[BaseProcess, Connection]] = {}
    waiting = list(range(len(ks)))
    try:
        while waiting or running:
            while waiting and len(running) < workers:
                n = waiting.pop(0)
                receive, send = context.Pipe(duplex=False)
                started: BaseProcess = context.Process(target=_run_job, args=(ks[n], send), daemon=True)
                started.start()
                send.close()
                running[n] = (started, receive)
            ready = connection_wait([receive for _, receive in running.values()])
            for n, (process, receive) in list(running.items()):
                if receive not in ready:
                    continue
                try:
                    ok, value = receive.recv()
                except EOFError:
                    process.join()
                    raise RuntimeError(f"training job {ks[n]} died (exit code {process.exitcode};"
                                       " -9 is usually the system killing it for memory)") from None
                process.join()
                del running[n]
                if not ok:
                    raise RuntimeError(f"training job {ks[n]} failed:\n{value}")
                results[n] = value
    finally:
        _JOB = None
        for process, _ in running.values():
            process.kill()
    return [results[n] for n in range(len(ks))]


@dataclass(frozen=True)
class Lexicons:
    """What is learned from the annotations' words alone, before any model."""

    terms: sector_terms.Table
    given_names: frozenset[str]
    event_names: event_names.Lexicon


def prepare(items: list[Parsed], train_items: list[Parsed]) -> Lexicons:
    """Candidates and features for every item, with industry terms and given
    names learned from ``train_items`` only; the lexicons, for the models
    trained on those items (``fit``)."""
    anns = [p.ann for p in train_items]
    events = event_names.learn(anns)
    learned = Lexicons(sector_terms.table(sector_terms.learn(anns)), given_names.learn(anns),
                       event_names.Lexicon(events.forms))
    training = {id(p) for p in train_items}
    for p in items:
        # A training text's own fair names are hidden from it (``event_names.own_names``).
        own = event_names.own_names(events, p.ann) if id(p) in training else set()
        p.prepare(learned.terms, learned.given_names, learned.event_names.without(own))
    return learned


def fit(items: list[Parsed], lexicons: Lexicons, thresholds: dict[str, float] | None = None,
        drop_at: float = entity_models.DEFAULT_DROP_AT) -> Models:
    entity_examples = entity_models.Examples()
    rx: list[Features] = []
    ry: list[set[str]] = []
    ru: list[set[str]] = []
    rv: list[np.ndarray] = []
    ax: list[Features] = []
    ay: list[str] = []
    for p in items:
        entity_examples.extend(entity_models.examples(p.rep, p.align))
        x, y, u, v = relation_model.examples(p.rep, p.align, sampled=True)
        rx += x
        ry += y
        ru += u
        rv.append(v)
        x2, y2 = alias_model.examples(p.rep, p.align)
        ax += x2
        ay += y2
    models = Models(entity_models.train_type(entity_examples), entity_models.train_kind(entity_examples),
                    relation_model.train_relations(rx, ry, np.concatenate(rv), unsure=ru), label="training",
                    aliases=alias_model.train_aliases(ax, ay),
                    sector_terms=lexicons.terms, given_names=lexicons.given_names,
                    event_names=lexicons.event_names,
                    industries=industry_model.train_industries([p.ann for p in items], lexicons.terms))
    set_thresholds(models, thresholds, drop_at)
    return models


def set_thresholds(models: Models, thresholds: dict[str, float] | None, drop_at: float) -> None:
    """Where the type model drops a candidate and each relation type's model
    states it: decisions on top of the fitted weights, which they leave as they are."""
    assert models.type is not None and models.relations is not None
    models.type.thresholds = {NONE: drop_at}
    models.relations.thresholds = {label: (thresholds or {}).get(label, relation_model.DEFAULT_THRESHOLD)
                                   for label in relation_model.RELATION_LABELS}


def extract(models: Models | None, p: Parsed) -> dict[str, Any]:
    if models is None:  # the rules alone
        entities, found = p.entities, p.found
    else:
        entities, found = models.refine(p.rep)
    return _assemble(p.document, entities, found, p.doc_date, p.info, "training").to_contract()


def load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tradekg_scorer", SCORER)
    if spec is None or spec.loader is None:
        raise SystemExit(f"the scorer is not at {SCORER}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # Choosing thresholds scores every text some thirty times, and most of
    # that is the scorer normalising the same names with regular
    # expressions: its ``norm`` (a function of one string) is cached, in
    # this copy of the module only; the scores are the same, ~3.5x sooner.
    module.norm = functools.lru_cache(maxsize=1 << 20)(module.norm)  # type: ignore[attr-defined]
    return module


def score(scorer: ModuleType, items: Sequence[Parsed | Annotation], outputs: list[dict[str, Any]],
          per_document: list[dict[str, tuple[int, int, int]]] | None = None) -> dict[str, Any]:
    """The scorer's figures over ``items`` (parsed or only annotated texts);
    with ``per_document``, each document's relation (tp, fp, fn) by type is
    appended to it."""
    ents, rels = scorer.Tally(), scorer.Tally()
    kinds: Counter[str] = Counter()
    for p, out in zip(items, outputs, strict=True):
        ann = p.ann if isinstance(p, Parsed) else p
        e, r, k = scorer.score_report(scorer.Gold(gold_view(ann)), out, [])
        if per_document is not None:
            per_document.append({t: (r.tp[t], r.fp[t], r.fn[t]) for t in set(r.tp) | set(r.fp) | set(r.fn)})
        ents.add(e)
        rels.add(r)
        kinds.update(k)
    total = kinds["right"] + kinds["wrong"]
    by_type = {t: rels.prf(t) for t in sorted(set(rels.tp) | set(rels.fp) | set(rels.fn))}
    return {"documents": len(items), "entities": ents.prf(), "relations": rels.prf(),
            "org_kind_accuracy": round(kinds["right"] / total, 3) if total else 0.0,
            "relations_by_type": by_type,
            "entities_by_type": {t: ents.prf(t) for t in sorted(set(ents.tp) | set(ents.fn))}}


def score_held(models: Models, extractor: Extractor, held: list[Annotation], scorer: ModuleType) -> dict[str, Any]:
    """The final models' scores on the held reports (``annotations/held``:
    annotated and checked, never trained on), extracted as a user's reports are."""
    extractor.models = models
    outputs = [extractor.extract(Document(id=document_id(a.text), source=a.doc, text=a.text)).to_contract()
               for a in held]
    return score(scorer, held, outputs)


def fold_of(p: Parsed) -> int:
    return zlib.crc32(p.ann.doc.encode("utf-8")) % FOLDS


@dataclass
class HeldOut:
    """Every document extracted by models that never saw it, at one entity drop threshold."""

    drop_at: float
    # relation threshold -> one output per document
    outputs: dict[float, list[dict[str, Any]]]
    # per document, naming the same entities: the relations the rules found
    # in it (what keeping the rules' findings would add)
    rule_findings: list[list[dict[str, Any]]]


def cross_validated_outputs(items: list[Parsed], *,
                            thresholds: tuple[float, ...] = (relation_model.DEFAULT_THRESHOLD,),
                            drops: tuple[float, ...] = (entity_models.DEFAULT_DROP_AT,),
                            final: bool = False) -> tuple[list[HeldOut], Models | None]:
    """Each document extracted by models that never saw it (its fold left
    out), for each entity drop threshold and each relation threshold; with
    ``final``, also the models fitted on every document (at the default
    thresholds: ``set_thresholds`` gives them the chosen ones), in the same
    pool, as five folds on two cores leave one idle for the last."""
    held = [HeldOut(d, {t: [{}] * len(items) for t in thresholds}, [[] for _ in items]) for d in drops]

    def fold_outputs(k: int) -> list[tuple[int, list[tuple[dict[str, Any], list[dict[str, Any]]]]]]:
        """Fold k's texts extracted by models trained on the others: for each
        drop threshold, the output at the lowest relation threshold and the
        rules' findings alone."""
        started = time.monotonic()
        train_items = [p for p in items if fold_of(p) != k]
        models = fit(train_items, prepare(items, train_items))
        started = _took(f"  fold {k + 1} of {FOLDS} trained", started)
        rel, etype = models.relations, models.type
        assert rel is not None and etype is not None
        done = []
        for i, p in enumerate(items):
            if fold_of(p) != k:
                continue
            per_drop = []
            for drop_at in drops:
                etype.thresholds = {NONE: drop_at}
                # Once at the lowest threshold (a higher one keeps the surer part) ...
                rel.thresholds, rel.keep_rules = dict.fromkeys(rel.labels, min(thresholds)), {}
                out = extract(models, p)
                # ... and once with the rules' findings alone (no model relation passes 1.01),
                # named as the first run names its entities (it may have more: the industries' sectors).
                rel.thresholds, rel.keep_rules = dict.fromkeys(rel.labels, 1.01), dict.fromkeys(rel.labels, 1.0)
                per_drop.append((out, renamed(extract(models, p), out)))
            done.append((i, per_drop))
        _took(f"  fold {k + 1} of {FOLDS} extracted", started)
        return done

    def job(k: int) -> list[tuple[int, list[tuple[dict[str, Any], list[dict[str, Any]]]]]] | Models:
        if k < FOLDS:
            return fold_outputs(k)
        started = time.monotonic()
        models = fit(items, prepare(items, items))
        _took("  the final models fitted", started)
        return models

    results = in_processes(job, range(FOLDS + 1 if final else FOLDS))
    fitted = results.pop() if final else None
    assert fitted is None or isinstance(fitted, Models)
    for done in results:
        assert isinstance(done, list)
        for i, per_drop in done:
            for h, (out, rule_findings) in zip(held, per_drop, strict=True):
                for t in thresholds:
                    h.outputs[t][i] = {**out, "relations": [r for r in out["relations"] if r["confidence"] >= t]}
                h.rule_findings[i] = rule_findings
    return held, fitted


def renamed(source: dict[str, Any], target: dict[str, Any]) -> list[dict[str, Any]]:
    """``source``'s relations with its entity ids replaced by ``target``'s ids
    for the same entities (type and name): two extractions of one text number
    their entities alike only if they keep the same ones."""
    def keyed(entities: list[dict[str, Any]]) -> dict[tuple[str, str, int], str]:
        # Both list their entities in order of first mention: the n-th of a name is the same entity.
        seen: Counter[tuple[str, str]] = Counter()
        out = {}
        for e in entities:
            seen[(e["type"], e["name"])] += 1
            out[(e["type"], e["name"], seen[(e["type"], e["name"])])] = e["id"]
        return out

    ids = keyed(target["entities"])
    new = {i: ids.get(key) for key, i in keyed(source["entities"]).items()}
    return [{**r, "source": new[r["source"]], "target": new[r["target"]]} for r in source["relations"]
            if new.get(r["source"]) and new.get(r["target"])]


def with_rule_findings(outs: list[dict[str, Any]], findings: list[list[dict[str, Any]]],
                       types: Collection[str]) -> list[dict[str, Any]]:
    """The outputs with the rules' findings of ``types`` added (where the model
    did not already state the same relation), as the extractor keeps them."""
    merged = []
    for out, found in zip(outs, findings, strict=True):
        have = {(r["type"], r["source"], r["target"]) for r in out["relations"]}
        extra = [r for r in found if r["type"] in types and (r["type"], r["source"], r["target"]) not in have]
        merged.append({**out, "relations": out["relations"] + extra})
    return merged


def learning_curve(items: list[Parsed], scorer: ModuleType, thresholds: dict[str, float],
                   drop_at: float, held_out: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Relation F1 on fold 0 against the number of training documents (drawn
    from the other folds, the same order every time). The largest point
    trains on all of them, as cross-validation's fold 0 did, in the same
    order, so it is read from ``held_out`` (the cross-validated outputs, one
    per item: the model's relations alone, at ``thresholds``) instead of
    being fitted again."""
    test = [p for p in items if fold_of(p) == 0]
    pool = sorted((p for p in items if fold_of(p) != 0), key=lambda p: zlib.crc32(p.ann.doc.encode()))
    sizes = [n for n in (50, 100, 200, 400, 800) if n < len(pool)]
    position = {id(p): i for i, p in enumerate(items)}

    def measured(train_size: int, outputs: list[dict[str, Any]]) -> dict[str, Any]:
        s = score(scorer, test, outputs)
        out = {"training_documents": train_size, "relation_f1": s["relations"]["f1"],
               "entity_f1": s["entities"]["f1"], "org_kind_accuracy": s["org_kind_accuracy"]}
        print(f"  {train_size} documents: {out}", file=sys.stderr)
        return out

    def point(k: int) -> dict[str, Any]:
        # In the items' order, as every other fit here trains.
        train_items = sorted(pool[:sizes[k]], key=lambda p: position[id(p)])
        # Only the texts this point trains on and tests on are prepared (not the other folds').
        models = fit(train_items, prepare(train_items + test, train_items), thresholds, drop_at)
        return measured(len(train_items), [extract(models, p) for p in test])

    largest = measured(len(pool), [held_out[position[id(p)]] for p in test])
    # The larger first, so that the small ones fill the other core meanwhile.
    larger_first = sorted(range(len(sizes)), key=lambda k: -sizes[k])
    points = in_processes(point, larger_first) + [largest]
    return sorted(points, key=lambda point: point["training_documents"])


def compare_learners(items: list[Parsed]) -> dict[str, Any]:
    """The relation decision by two learners on one split (fold 0 held out):
    the logistic regression we keep, and gradient-boosted trees (LightGBM).
    Pair-level micro F1 over relation types at each learner's best threshold."""
    from sklearn.feature_extraction import DictVectorizer

    train_items = [p for p in items if fold_of(p) != 0]
    test_items = [p for p in items if fold_of(p) == 0]
    prepare(items, train_items)
    xs: dict[str, list[Features]] = {"train": [], "test": []}
    ys: dict[str, list[set[str]]] = {"train": [], "test": []}
    us: dict[str, list[set[str]]] = {"train": [], "test": []}
    vs: dict[str, list[np.ndarray]] = {"train": [], "test": []}
    for part, group in (("train", train_items), ("test", test_items)):
        for p in group:
            x, y, u, v = relation_model.examples(p.rep, p.align)
            xs[part] += x
            ys[part] += y
            us[part] += u
            vs[part].append(v)
    vectors = {part: np.concatenate(v) for part, v in vs.items()}
    labels = relation_model.RELATION_LABELS
    truth = np.array([[lab in y for lab in labels] for y in ys["test"]])
    probs: dict[str, Any] = {}
    started = time.monotonic()
    lr = relation_model.train_relations(xs["train"], ys["train"], vectors["train"], unsure=us["train"])
    probs["logistic regression"] = np.array([[lr.proba(f, v)[lab] for lab in labels]
                                            for f, v in zip(xs["test"], vectors["test"], strict=True)])
    seconds = {"logistic regression": time.monotonic() - started}
    if importlib.util.find_spec("lightgbm") is not None:
        import lightgbm
        started = time.monotonic()
        # Trees need no rare features; the binned data set is built once and
        # only its labels change from one relation type to the next.
        counts = Counter(f for x in xs["train"] for f in x)
        vec = DictVectorizer()
        vec.fit([{f: 1.0 for f in counts if counts[f] >= 5}])
        train_m = vec.transform(xs["train"]).astype(np.float32)
        test_m = vec.transform(xs["test"]).astype(np.float32)
        params = {"objective": "binary", "learning_rate": 0.1, "num_leaves": 31, "min_data_in_leaf": 5,
                  "deterministic": True, "seed": 0, "num_threads": 1, "verbose": -1,
                  "feature_pre_filter": False}
        data = lightgbm.Dataset(train_m, label=np.zeros(train_m.shape[0]), free_raw_data=False, params=params)
        data.construct()
        cols = []
        for lab in labels:
            target = np.array([lab in y for y in ys["train"]], dtype=float)
            if target.sum() < 2:
                cols.append(np.zeros(test_m.shape[0]))
                continue
            data.set_label(target)
            booster = lightgbm.train(params, data, num_boost_round=100)
            cols.append(np.asarray(booster.predict(test_m)))
        probs["gradient-boosted trees (LightGBM)"] = np.stack(cols, axis=1)
        seconds["gradient-boosted trees (LightGBM)"] = time.monotonic() - started
    out: dict[str, Any] = {"train_pairs": len(xs["train"]), "test_pairs": len(xs["test"])}
    for name, pr in probs.items():
        best = (0.0, 0.5)
        for t in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
            pred = pr >= t
            tp = float((pred & truth).sum())
            p_ = tp / max(pred.sum(), 1)
            r_ = tp / max(truth.sum(), 1)
            f1 = 2 * p_ * r_ / (p_ + r_) if p_ + r_ else 0.0
            best = max(best, (f1, t))
        out[name] = {"pair_f1": round(best[0], 3), "threshold": best[1], "train_seconds": round(seconds[name], 1)}
    return out


def by_source(items: list[Parsed]) -> dict[str, list[int]]:
    """Document indices by where the annotation comes from (reuters, reports, a dev set)."""
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(items):
        if p.ann.path is not None and p.ann.path.name.endswith(".gold.json"):
            g = DEV_GROUP
        else:
            g = "reuters" if p.ann.doc.startswith("reuters-") else "reports"
        groups.setdefault(g, []).append(i)
    return groups


def reliability(items: list[Parsed], outputs: list[dict[str, Any]], scorer: ModuleType) -> list[dict[str, Any]]:
    """How often relations at each confidence are right (cross-validated)."""
    bins = [(0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)]
    right: Counter[int] = Counter()
    total: Counter[int] = Counter()
    for p, out in zip(items, outputs, strict=True):
        gold = scorer.Gold(gold_view(p.ann))
        for rel in out["relations"]:
            one = {**out, "relations": [rel]}
            _, r, _ = scorer.score_report(gold, one, [])
            ok = sum(r.fp.values()) == 0
            b = next(i for i, (lo, hi) in enumerate(bins) if lo <= rel["confidence"] < hi)
            total[b] += 1
            right[b] += ok
    return [{"confidence": f"{lo:.1f}-{min(hi, 1.0):.1f}", "relations": total[i],
             "right": round(right[i] / total[i], 3) if total[i] else None}
            for i, (lo, hi) in enumerate(bins)]


RELATION_SWEEP = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)
# 0.6 kept the most wrong entities in every retrain that swept it (entity F1
# 0.866 against 0.870-0.871 in the last): three drop thresholds, a quarter less work.
DROP_SWEEP = (0.3, 0.4, 0.5)


@dataclass
class Chosen:
    """What cross-validation chose at one entity drop threshold, and what it scored."""

    drop_at: float
    relation_thresholds: dict[str, float]
    keep_rules: dict[str, float]
    sweep: dict[str, Any]  # relation threshold -> relation scores
    stability: dict[str, Any]  # how each way of choosing thresholds moves and scores on resampled documents
    model_outputs: list[dict[str, Any]]  # the model's relations at their thresholds
    outputs: list[dict[str, Any]]  # and the rules' findings kept beside them
    scores: dict[str, Any]


def choose_thresholds(held: HeldOut, items: list[Parsed], scorer: ModuleType,
                      rules_on_unseen: dict[str, dict]) -> Chosen:
    """Each relation type's threshold, and whether the rules' findings of the
    type are kept beside the model's (an override, not a cascade), chosen
    together where the cross-validated F1 of all types is best, steadied by
    resampling the documents."""
    per_document: relation_model.PerDocument = {t: [] for t in held.outputs}
    scores = {t: score(scorer, items, o, per_document[t]) for t, o in held.outputs.items()}
    keepable = [t for t, s in rules_on_unseen.items() if s["tp"] >= relation_model.KEEP_RULES_MIN]
    # The same with the rules' findings added: rescored only where a document has some.
    some = [i for i, found in enumerate(held.rule_findings) if any(r["type"] in keepable for r in found)]
    with_rules: relation_model.PerDocument = {}
    for t, outs in held.outputs.items():
        added: list[dict[str, tuple[int, int, int]]] = []
        score(scorer, [items[i] for i in some],
              with_rule_findings([outs[i] for i in some], [held.rule_findings[i] for i in some], keepable), added)
        with_rules[t] = list(per_document[t])
        for i, counts in zip(some, added, strict=True):
            with_rules[t][i] = counts
    # The way of choosing that scores best on documents it did not see (and how far each moves).
    stability = relation_model.threshold_stability(per_document, with_rules)
    options = relation_model.chosen_options(per_document, stability["chosen"], with_rules)
    thresholds = {label: t for label, (t, _) in options.items()}
    keep_rules = {label: rules_on_unseen[label]["precision"] for label, (_, kept) in sorted(options.items()) if kept}
    model_outs = [{**o, "relations": [r for r in o["relations"] if r["confidence"] >= thresholds[r["type"]]]}
                  for o in held.outputs[min(held.outputs)]]
    outs = with_rule_findings(model_outs, held.rule_findings, keep_rules)
    print(f"  entities dropped at {held.drop_at}: relation thresholds {thresholds}, rules kept for {keep_rules}",
          file=sys.stderr)
    return Chosen(held.drop_at, thresholds, keep_rules, {str(t): s["relations"] for t, s in scores.items()},
                  stability, model_outs, outs, score(scorer, items, outs))


MARGIN_GAIN = 0.002  # a margin is kept where it adds this much to its type's cross-validated F1
MARGIN_TIE = 0.001  # and of the margins this close to the best, the widest (the least dropped)


def contract_fields(r: dict[str, Any]) -> tuple[str, Hashable, Hashable, float]:
    """What ``relation_model.near_best`` reads of an extraction's relation."""
    return r["type"], r["source"], r["target"], r["confidence"]


def choose_margins(items: list[Parsed], outputs: list[dict[str, Any]], scorer: ModuleType
                   ) -> tuple[relation_model.Margins, list[dict[str, Any]]]:
    """Per relation type and end, the margin below that end's best relation
    of the type under which a relation is dropped (``relation_model.near_best``),
    where it raises the type's cross-validated F1 by ``MARGIN_GAIN``: the
    source side first, then the target side on what it left. Each type is
    scored on its own, so one pass per margin tries it for every type. The
    margins, and the outputs with them."""
    margins: relation_model.Margins = {}
    outs = outputs

    def pruned(os: list[dict[str, Any]], side_margins: relation_model.Margins) -> list[dict[str, Any]]:
        return [{**o, "relations": relation_model.near_best(o["relations"], side_margins, contract_fields)}
                for o in os]

    def f1(counts: dict[str, Any]) -> float:
        return 2 * counts["tp"] / max(2 * counts["tp"] + counts["fp"] + counts["fn"], 1)

    for side in relation_model.SIDES:
        unpruned = score(scorer, items, outs)["relations_by_type"]
        by_type = {m: score(scorer, items, pruned(outs, {side: dict.fromkeys(relation_model.RELATION_LABELS, m)}))
                   ["relations_by_type"] for m in relation_model.MARGINS}
        chosen: dict[str, float] = {}
        for label, counts in unpruned.items():
            f = {m: f1(by_type[m][label]) for m in by_type if label in by_type[m]}
            top = max(f.values(), default=0.0)
            if top >= f1(counts) + MARGIN_GAIN:
                chosen[label] = max(m for m in relation_model.MARGINS if f.get(m, 0.0) >= top - MARGIN_TIE)
        if chosen:
            margins[side] = chosen
            outs = pruned(outs, {side: chosen})
    return margins, outs


def _took(what: str, since: float) -> float:
    """Print how long a step of training took (the log shows where the time goes); the time now."""
    now = time.monotonic()
    print(f"{what} in {now - since:.0f} s", file=sys.stderr)
    return now


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingest.learn.train", description=__doc__.splitlines()[0])
    ap.add_argument("--annotations", type=Path, default=ROOT / "annotations")
    ap.add_argument("--no-dev-sets", action="store_true", help="train on annotations/ alone")
    ap.add_argument("--quick", action="store_true", help="no cross-validation or learning curve")
    ap.add_argument("--limit", type=int, help="use only the first N annotated documents")
    ap.add_argument("--out", type=Path, default=MODELS_DIR)
    ap.add_argument("--report", type=Path, help="write the measurements here (JSON)")
    ap.add_argument("--compare-learners", action="store_true",
                    help="only compare logistic regression with LightGBM on one split (20+ minutes), "
                         "adding the result to --report")
    args = ap.parse_args(argv)
    started = time.monotonic()
    # One thread per process for BLAS and OpenMP: sums then add up in one
    # order on any machine, so the models do not depend on its core count
    # (they did), and the folds' processes do not fight over the cores.
    threadpool_limits(limits=1)

    anns = load_all(args.annotations)
    if not args.no_dev_sets:
        anns += dev_set_annotations()
    anns.sort(key=lambda a: a.doc)
    if args.limit:
        anns = anns[: args.limit]
    extractor = training_extractor()
    items = parse(anns, extractor)
    step = _took(f"{len(items)} annotated documents parsed", started)
    tagger = tag_out_of_fold(items)
    if tagger is None:
        raise SystemExit("the annotations name nothing: no span tagger to train")
    step = _took("span taggers (out of fold, and the final one)", step)
    previous = json.loads(args.report.read_text(encoding="utf-8")) if args.report and args.report.exists() else {}
    if args.compare_learners:
        # Descriptive and slow (LightGBM): its own step (make compare-learners), kept in the report.
        previous["learner_comparison"] = compare_learners(items)
        print(f"learners: {previous['learner_comparison']}", file=sys.stderr)
        if args.report:
            args.report.write_text(json.dumps(previous, indent=1) + "\n", encoding="utf-8")
        return 0
    report: dict[str, Any] = {"documents": len(items), "dev_sets_in_training": not args.no_dev_sets}
    thresholds = dict.fromkeys(relation_model.RELATION_LABELS, relation_model.DEFAULT_THRESHOLD)
    drop_at = entity_models.DEFAULT_DROP_AT
    models: Models | None = None
    if not args.quick:
        scorer = load_scorer()
        # The rules' own output, once: the baseline everywhere below.
        rule_outs = [extract(None, p) for p in items]
        groups = by_source(items)
        unseen = [i for g, idx in groups.items() if g != DEV_GROUP for i in idx]
        report["rules_alone"] = score(scorer, items, rule_outs)
        report["rules_on_unseen_text"] = score(scorer, [items[i] for i in unseen],
                                               [rule_outs[i] for i in unseen])["relations_by_type"]
        step = _took("the rules' baseline scored", step)
        held, models = cross_validated_outputs(items, thresholds=RELATION_SWEEP, drops=DROP_SWEEP, final=True)
        step = _took("cross-validated extraction (and the final models fitted)", step)
        chosen = in_processes(lambda k: choose_thresholds(held[k], items, scorer, report["rules_on_unseen_text"]),
                              range(len(held)))
        step = _took("thresholds chosen", step)
        report["entity_drop_sweep"] = {str(c.drop_at): {"entities": c.scores["entities"], "relations": c.scores["relations"]}
                                       for c in chosen}
        # The drop threshold with the best entity and relation F1 together: both are what users get.
        best = max(chosen, key=lambda c: (c.scores["entities"]["f1"] + c.scores["relations"]["f1"], c.drop_at))
        thresholds, drop_at = best.relation_thresholds, best.drop_at
        outs, model_outs = best.outputs, best.model_outputs
        margins, outs = choose_margins(items, outs, scorer)
        step = _took(f"margins chosen: {margins}", step)
        report["relation_margins"] = margins
        report["cross_validated_without_margins"] = best.scores["relations"]
        report["entity_drop_at"] = drop_at
        report["rules_kept_for"] = best.keep_rules
        report["threshold_sweep"] = best.sweep
        report["relation_thresholds"] = thresholds
        report["threshold_stability"] = best.stability
        report["cross_validated"] = score(scorer, items, outs)
        report["cross_validated_by_source"] = {
            g: {"rules_alone": score(scorer, [items[i] for i in idx], [rule_outs[i] for i in idx]),
                "learned": score(scorer, [items[i] for i in idx], [outs[i] for i in idx])}
            for g, idx in groups.items()}
        # How often the model's confidences are right (the rules' findings have their own).
        report["reliability"] = reliability(items, model_outs, scorer)
        step = _took("cross-validated scores", step)
        print(f"cross-validated at thresholds {thresholds}: {report['cross_validated']['relations']}",
              file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    if models is None:  # --quick: not fitted beside cross-validation
        models = fit(items, prepare(items, items))
    set_thresholds(models, thresholds, drop_at)
    assert models.type and models.kind and models.relations and models.aliases and models.industries
    assert models.sector_terms is not None
    sector_terms.save(models.sector_terms[0], args.out)
    given_names.save(models.given_names, args.out)
    event_names.save(models.event_names, args.out)
    save_pipeline(SPACY_LEFT_OUT, args.out)
    tagger.save(args.out / FILES["tagger"])
    if "reliability" in report:
        models.relations.calibration = relation_model.calibration_points(report["reliability"])
        models.relations.keep_rules = report["rules_kept_for"]
        models.relations.margins = report["relation_margins"]
    models.type.save(args.out / FILES["type"])
    models.kind.save(args.out / FILES["kind"])
    models.relations.save(args.out / FILES["relations"])
    models.aliases.save(args.out / FILES["aliases"])
    models.industries.save(args.out / FILES["industries"])
    report["seconds"] = round(time.monotonic() - started, 1)
    step = _took(f"models written to {args.out} ({report['seconds']} s in all)", step)
    if args.report:
        args.report.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    if not args.quick:
        # Slower and only descriptive: after the models and main scores are safe.
        held_reports = [load(path) for path in sorted((args.annotations / HELD).glob("*.ann.json"))]
        if held_reports:
            models.tagger = tagger
            report["held_reports"] = score_held(models, extractor, held_reports, scorer)
            step = _took(f"{len(held_reports)} held reports scored", step)
        report["learning_curve"] = curve = learning_curve(items, scorer, thresholds, drop_at, model_outs)
        print(f"learning curve: {curve}", file=sys.stderr)
        if "learner_comparison" in previous:  # measured by --compare-learners, kept
            report["learner_comparison"] = previous["learner_comparison"]
        cv = report["cross_validated"]
        print(f"cross-validated: entities F1 {cv['entities']['f1']}, relations F1 {cv['relations']['f1']}"
              f" (P {cv['relations']['precision']} R {cv['relations']['recall']}),"
              f" org kind {cv['org_kind_accuracy']}; rules alone: relations F1"
              f" {report['rules_alone']['relations']['f1']}, org kind {report['rules_alone']['org_kind_accuracy']}",
              file=sys.stderr)
        report["seconds_with_curve"] = round(time.monotonic() - started, 1)
        if args.report:
            args.report.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
