"""The relation model: which ONTOLOGY.md relations a sentence states between
two entities it names.

Candidates are ordered pairs (``features.pair_candidates``): every two
entities one sentence names together (or a list line and its heading),
the report's delegation and its main event each with every
entity of a sentence that leaves it out ("Visit to the Tema Free Zone",
"Exhibitors included ..."), and every pair the rules related.
Each is described by the dependency path between them, the words between,
the sentence's verbs and tense, the entities' types and kinds and what the
rules concluded (``features.pair_features``), and by spaCy's contextual
vectors at both ends and between them (``features.pair_vectors``); one yes/no logistic
regression per relation type decides (a pair may both meet and sign). A
pair's confidence is the highest probability over the sentences that name
it; its evidence is those sentences. Last, of the relations of one type at
one end (a person's employers), those far below the surest are dropped
(``near_best``, with margins ``make train`` chose).
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

import numpy as np

from graph.ontology import RELATION_TYPES, SYMMETRIC_RELATIONS
from ingest.learn.align import Alignment
from ingest.learn.features import (
    VECTOR_PARTS,
    VECTOR_WIDTH,
    Features,
    PairCandidate,
    Report,
    pair_candidates,
    pair_features,
    pair_vectors,
)
from ingest.learn.linear import LinearModel, train
from ingest.relations import Found

RELATION_LABELS = sorted(RELATION_TYPES)
DEFAULT_THRESHOLD = 0.5
# The margins training tries for ``near_best``: of a source's (or target's)
# relations of one type, those this far below the best are dropped.
MARGINS = (0.45, 0.3, 0.2, 0.15, 0.1)
SIDES = ("source", "target")
NEGATIVE_SHARE = 40  # per cent of the pairs that state nothing kept for training


def rule_index(rep: Report) -> tuple[dict[tuple[int, int], set[str]], dict[tuple[int, int, int], set[str]]]:
    """The rules' relations by pair, and by pair and sentence."""
    by_pair: dict[tuple[int, int], set[str]] = defaultdict(set)
    by_sent: dict[tuple[int, int, int], set[str]] = defaultdict(set)
    for fd in rep.found:
        by_pair[(fd.source, fd.target)].add(fd.type)
        by_sent[(fd.source, fd.target, fd.sentence[0])].add(fd.type)
        if fd.type in SYMMETRIC_RELATIONS:
            by_pair[(fd.target, fd.source)].add(fd.type)
            by_sent[(fd.target, fd.source, fd.sentence[0])].add(fd.type)
    return by_pair, by_sent


def candidates(rep: Report, allowed: set[int] | None = None) -> list[tuple[PairCandidate, Features]]:
    """Each candidate pair and its features; with ``allowed``, only pairs
    between those entities (the others were dropped: no features built)."""
    by_pair, by_sent = rule_index(rep)
    return [(c, pair_features(rep, c, by_pair, by_sent)) for c in pair_candidates(rep, allowed)
            if allowed is None or (c.source in allowed and c.target in allowed)]


def examples(rep: Report, align: Alignment, *, sampled: bool = False
             ) -> tuple[list[Features], list[set[str]], list[set[str]], np.ndarray]:
    """The pairs to learn from: their features, the relation types they
    state, the types they state only as optional, and their vectors
    (``pair_vectors``). ``sampled`` keeps only the pairs a fit reads
    (``in_sample``), before their vectors are built: the others would be
    held for every report until the fit (most of a training worker's memory).

    An optional fact (a city in its country, a plan) is one the scorer
    neither asks for nor counts wrong: for its type the pair is neither a
    yes nor a no and is left out of that type's fit; for every other type it
    is an example like any other."""
    X, Y, unsure, cands = [], [], [], []
    for cand, f in candidates(rep):
        if cand.source in align.ignored:  # a string the annotation says to ignore: no label either way
            continue
        if cand.unnamed and not align.has_evidence:
            continue  # without evidence offsets, which sentence states it is unknown
        required, only_optional = align.pair_labels(cand)
        if sampled and not in_sample(f, required):
            continue
        X.append(f)
        Y.append(required)
        unsure.append(only_optional)
        cands.append(cand)
    return X, Y, unsure, pair_vectors(rep, cands, VECTOR_WIDTH)


def _sample_key(x: Features) -> int:
    """A pair's stable draw for the negative sample: from what it looks like,
    not its position, so adding or removing other pairs draws the same ones."""
    return zlib.crc32("\x00".join(sorted(x)).encode("utf-8"))


def in_sample(x: Features, y: set[str]) -> bool:
    """Whether training learns from a pair: every pair that states something,
    and a fixed share (``NEGATIVE_SHARE``) of those that state nothing."""
    return bool(y) or _sample_key(x) % 100 < NEGATIVE_SHARE


def train_relations(X: Sequence[Features], Y: Sequence[set[str]], vectors: np.ndarray,
                    unsure: Sequence[set[str]] | None = None) -> LinearModel:
    """One yes/no model per relation type. Most candidate pairs state nothing:
    a fixed share of those is kept, each weighted to stand for the rest, which
    makes training several times faster at the same decision boundary.
    ``unsure`` (per pair, as ``examples`` gives it) names the types a pair is
    left out of."""
    keep, keep_x, keep_y, keep_unsure, weights = [], [], [], [], []
    for n, (x, y, u) in enumerate(zip(X, Y, unsure or [set()] * len(X), strict=True)):
        if not in_sample(x, y):
            continue
        weights.append(1.0 if y else 100 / NEGATIVE_SHARE)
        keep.append(n)
        keep_x.append(x)
        keep_y.append(y)
        keep_unsure.append(u)
    model = train("relations", keep_x, keep_y, labels=RELATION_LABELS, multilabel=True, C=0.5, min_count=2,
                  sample_weight=weights, vectors=np.asarray(vectors)[keep], unknown=keep_unsure)
    model.thresholds = dict.fromkeys(RELATION_LABELS, DEFAULT_THRESHOLD)  # training chooses each type's
    return model


def predict(model: LinearModel, rep: Report, allowed: set[int] | None = None) -> list[Found]:
    """The relations the model states in a report, one Found per pair and sentence;
    the confidence is the model's probability read through its calibration."""
    rules = {(fd.type, fd.source, fd.target): fd for fd in rep.found}
    out: list[Found] = []
    # Above 1 no probability passes (training's "the rules' findings alone"): then no pair is worth features.
    can_pass = any(model.thresholds.get(label, DEFAULT_THRESHOLD) <= 1 for label in model.labels)
    pairs = candidates(rep, allowed) if can_pass else []
    vectors = pair_vectors(rep, [c for c, _ in pairs], model.dense_width // VECTOR_PARTS) if model.dense else None
    # All the report's pairs scored at once (one numpy gather, not one per pair).
    scores = model.scores_many([f for _, f in pairs], vectors).tolist()
    for (cand, _), pair_scores in zip(pairs, scores, strict=True):
        a, b = rep.entities[cand.source], rep.entities[cand.target]
        for label, p in model.above_thresholds(pair_scores, DEFAULT_THRESHOLD):
            rel = RELATION_TYPES[label]
            if not (a.type in rel.sources and b.type in rel.targets):
                continue
            if label in SYMMETRIC_RELATIONS and cand.source > cand.target and rel.allows(b.type, a.type):
                continue  # the other order says the same
            rule = rules.get((label, cand.source, cand.target)) or rules.get((label, cand.target, cand.source))
            attrs = dict(rule.attrs) if rule is not None else {}
            out.append(Found(label, cand.source, cand.target, round(model.calibrated(p), 3), cand.sentence, attrs))
    # Where the rules are precise on unseen text, their finding stands (as a
    # high-precision override, with the precision they reached as confidence).
    for fd in rep.found:
        if fd.type in model.keep_rules and (allowed is None or (fd.source in allowed and fd.target in allowed)):
            a, b = rep.entities[fd.source], rep.entities[fd.target]
            if RELATION_TYPES[fd.type].allows(a.type, b.type):
                out.append(Found(fd.type, fd.source, fd.target, model.keep_rules[fd.type], fd.sentence,
                                 dict(fd.attrs)))
    return out


Option = tuple[float, bool]  # a relation type's threshold, and whether the rules' findings of it are kept


def best_options(by_option: dict[Option, dict[str, dict]]) -> dict[str, Option]:
    """Each relation type's threshold, and whether the rules' findings of the
    type are kept beside the model's (``by_option``: option -> relation type
    -> scores), chosen for the best cross-validated F1 of all types together,
    as the scorer counts them (micro-averaged).

    Types differ: a LOCATED_IN candidate is cheap to propose and needs a
    surer model than a PLANS_VISIT one. Each type's own best F1 is the
    start; then, type by type until nothing changes, the option that
    raises the F1 of the whole. A type the model finds hard (its own F1
    0.25) is cut higher than its own best: the relations its lowest
    thresholds add cost the whole more precision than they bring recall.
    The rules' findings and the threshold are chosen together: the rules
    add most where the threshold leaves out what they find. On a tie the
    model alone, and the threshold nearest the default, win."""
    def own_f1(label: str, o: Option) -> float:
        return float(by_option[o].get(label, {}).get("f1", 0.0))

    options = sorted(by_option, key=lambda o: (o[1], o[0]))
    out = {}
    for label in RELATION_LABELS:
        def own(o: Option, label: str = label) -> tuple[float, bool, float]:
            return own_f1(label, o), not o[1], -abs(o[0] - DEFAULT_THRESHOLD)
        out[label] = max(options, key=own)

    def counts(label: str, o: Option) -> tuple[int, int, int]:
        s = by_option[o].get(label, {})
        return int(s.get("tp", 0)), int(s.get("fp", 0)), int(s.get("fn", 0))

    def micro_f1(choice: dict[str, Option]) -> float:
        tp = fp = fn = 0
        for label, o in choice.items():
            a, b, c = counts(label, o)
            tp, fp, fn = tp + a, fp + b, fn + c
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    for _ in range(10):  # coordinate ascent; settles in two or three passes
        changed = False
        for label in RELATION_LABELS:
            def whole(o: Option, label: str = label) -> tuple[float, bool, bool, float]:
                return (round(micro_f1({**out, label: o}), 6), o == out[label], not o[1],
                        -abs(o[0] - DEFAULT_THRESHOLD))
            best = max(options, key=whole)
            if best != out[label]:
                out[label], changed = best, True
        if not changed:
            break
    return out


def _scores(tp: float, fp: float, fn: float) -> dict[str, float]:
    return {"tp": tp, "fp": fp, "fn": fn, "f1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0}


PerDocument = dict[float, list[dict[str, tuple[int, int, int]]]]  # threshold -> each document's counts by type


def _count_array(per_document: PerDocument, with_rules: PerDocument | None) -> tuple[list[Option], np.ndarray]:
    """The options (the sweep's thresholds, the model alone and, with
    ``with_rules``, with the rules' findings kept) and their counts as one
    array: option, document, relation type, (tp, fp, fn)."""
    thresholds = sorted(per_document)
    arms = [(False, per_document)] + ([(True, with_rules)] if with_rules is not None else [])
    options = [(t, kept) for kept, _ in arms for t in thresholds]
    counts = np.array([[[doc.get(label, (0, 0, 0)) for label in RELATION_LABELS] for doc in arm[t]]
                       for _, arm in arms for t in thresholds], dtype=float)
    return options, counts


def _best_of(options: list[Option], summed: np.ndarray) -> dict[str, Option]:
    """``best_options`` on counts summed over documents (option, type, (tp, fp, fn))."""
    return best_options({o: {label: _scores(*summed[i, j]) for j, label in enumerate(RELATION_LABELS)}
                         for i, o in enumerate(options)})


def _single_best(options: list[Option], counts: np.ndarray, weights: np.ndarray,
                 rng: np.random.Generator) -> dict[str, Option]:
    """The best F1 on the documents weighted by ``weights``."""
    return _best_of(options, np.einsum("d,tdlk->tlk", weights, counts))


def _smoothed(options: list[Option], counts: np.ndarray, weights: np.ndarray,
              rng: np.random.Generator) -> dict[str, Option]:
    """The best F1 with each threshold's counts averaged with its neighbours'
    in the sweep (with the rules' findings kept or not, as it): a narrow
    peak that a few documents make counts less than a broad one."""
    summed = np.einsum("d,tdlk->tlk", weights, counts)
    near = [[j for j in (i - 1, i, i + 1) if 0 <= j < len(options) and options[j][1] == o[1]]
            for i, o in enumerate(options)]
    return _best_of(options, np.array([summed[js].mean(axis=0) for js in near]))


def _bagged(options: list[Option], counts: np.ndarray, weights: np.ndarray,
            rng: np.random.Generator, resamples: int = 25) -> dict[str, Option]:
    """Each type's median choice over the best made on documents drawn with
    replacement from those ``weights`` holds: the rules' findings kept if
    most draws kept them, and the lower median threshold of those draws."""
    docs = np.repeat(np.arange(len(weights)), weights.astype(int))
    choices = [_single_best(options, counts, np.bincount(rng.choice(docs, len(docs)), minlength=len(weights)),
                            rng) for _ in range(resamples)]
    out = {}
    for label in RELATION_LABELS:
        kept = 2 * sum(c[label][1] for c in choices) > resamples
        ts = sorted(c[label][0] for c in choices if c[label][1] == kept)
        out[label] = (ts[(len(ts) - 1) // 2], kept)
    return out


# Ways to choose every type's threshold from the cross-validated sweep.
# Training keeps the one that scores best on documents it did not see
# (``threshold_stability``); a type that few documents decide (LED: one
# leader a report) has a flat F1 around its best, where the single best
# moved by 0.1-0.2 between retrains.
THRESHOLD_CHOICES = {"best": _single_best, "smoothed": _smoothed, "bagged": _bagged}


def chosen_options(per_document: PerDocument, how: str = "best", with_rules: PerDocument | None = None,
                   seed: int = 0) -> dict[str, Option]:
    """Each relation type's threshold, and whether the rules' findings of it
    are kept, chosen ``how`` (``THRESHOLD_CHOICES``) on every document's
    counts at each threshold of the sweep, the model's alone
    (``per_document``) and with the rules' findings (``with_rules``)."""
    options, counts = _count_array(per_document, with_rules)
    return THRESHOLD_CHOICES[how](options, counts, np.ones(counts.shape[1]), np.random.default_rng(seed))


def threshold_stability(per_document: PerDocument, with_rules: PerDocument | None = None,
                        resamples: int = 40, seed: int = 0) -> dict:
    """How far each way of choosing thresholds moves when the documents
    change, and what it scores on documents it did not see: the choice
    remade on documents drawn with replacement, each scored on the
    documents left out of its draw. ``chosen`` is the way that scores best."""
    options, counts = _count_array(per_document, with_rules)
    rng = np.random.default_rng(seed)
    chosen: dict[str, list[dict[str, Option]]] = {how: [] for how in THRESHOLD_CHOICES}
    held_out: dict[str, list[float]] = {how: [] for how in THRESHOLD_CHOICES}
    for _ in range(resamples):
        weights = np.bincount(rng.integers(0, counts.shape[1], counts.shape[1]), minlength=counts.shape[1])
        left = np.einsum("d,tdlk->tlk", (weights == 0).astype(float), counts)
        for how, choose in THRESHOLD_CHOICES.items():
            choice = choose(options, counts, weights, rng)
            tp, fp, fn = (sum(left[options.index(choice[label]), j, k] for j, label in enumerate(RELATION_LABELS))
                          for k in range(3))
            chosen[how].append(choice)
            held_out[how].append(_scores(tp, fp, fn)["f1"])
    out: dict = {"resamples": resamples}
    for how in THRESHOLD_CHOICES:
        spread = {label: round(float(np.std([c[label][0] for c in chosen[how]])), 3) for label in RELATION_LABELS}
        kept = {label: share for label in RELATION_LABELS
                if (share := round(sum(c[label][1] for c in chosen[how]) / resamples, 3))}
        out[how] = {"threshold_sd_mean": round(float(np.mean(list(spread.values()))), 3),
                    "threshold_sd_by_type": spread,
                    "rules_kept_share": kept,
                    "held_out_relation_f1": round(float(np.mean(held_out[how])), 4)}
    # Ties go to the simplest way (the order of THRESHOLD_CHOICES).
    out["chosen"] = max(THRESHOLD_CHOICES, key=lambda how: (out[how]["held_out_relation_f1"],
                                                           -list(THRESHOLD_CHOICES).index(how)))
    return out


def calibration_points(reliability: list[dict]) -> list[tuple[float, float]]:
    """Calibration from a cross-validated reliability table: each bin's middle
    and how often its relations were right, made non-decreasing."""
    points: list[tuple[float, float]] = []
    best = 0.0
    for row in reliability:
        if not row["relations"] or row["right"] is None:
            continue
        lo, hi = (float(x) for x in row["confidence"].split("-"))
        best = max(best, row["right"])
        points.append(((lo + hi) / 2, best))
    return points


# The rules' findings of a type are a choice only where they were right at
# least this often on texts they were not written from.
KEEP_RULES_MIN = 5


R = TypeVar("R")
Margins = dict[str, dict[str, float]]  # side ("source" or "target") -> relation type -> margin


def near_best(relations: Sequence[R], margins: Margins,
              read: Callable[[R], tuple[str, Hashable, Hashable, float]]) -> list[R]:
    """The relations within their type's margin of the best relation of that
    type at the same end: a person works for one employer, a company is
    located in one place, a delegation has one leader, and of the rivals for
    such a place the model is surest of the right one. The source side first,
    then the target side, as training chose them (``choose_margins`` in
    ``train``). ``read`` gives a relation's (type, source, target,
    confidence); a pair found in several sentences is as sure as its surest
    (all its sentences stay its evidence)."""
    out = list(relations)
    for side in SIDES:
        per_type = margins.get(side, {})
        if not per_type:
            continue
        fields = [read(r) for r in out]
        pair_best: dict[tuple[str, Hashable, Hashable], float] = {}
        for label, source, target, confidence in fields:
            pair_best[(label, source, target)] = max(pair_best.get((label, source, target), 0.0), confidence)
        end_best: dict[tuple[str, Hashable], float] = {}
        for (label, source, target), confidence in pair_best.items():
            end = (label, source if side == "source" else target)
            end_best[end] = max(end_best.get(end, 0.0), confidence)
        kept = []
        for r, (label, source, target, _) in zip(out, fields, strict=True):
            end = (label, source if side == "source" else target)
            if label not in per_type or end_best[end] - pair_best[(label, source, target)] < per_type[label]:
                kept.append(r)
        out = kept
    return out


def found_fields(fd: Found) -> tuple[str, Hashable, Hashable, float]:
    """What ``near_best`` reads of a relation the extractor found."""
    return fd.type, fd.source, fd.target, fd.confidence
