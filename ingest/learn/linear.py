"""A linear model over named features, stored as plain JSON.

Every learned component of the extractor is a logistic regression over
sparse, named features ("w=ministry", "path=nsubj<sign>prep:with"). Training
uses scikit-learn; the trained weights are written as JSON (gzip), one weight
per feature that the training data saw, so that:

- applying a model needs no scikit-learn, no pickle and no network, and is a
  handful of dictionary look-ups per candidate;
- the files are small, diffable after unzipping, and identical for identical
  training data (sorted keys, rounded weights, fixed seeds).

A model may also read a dense vector beside the named features (the
relation model: spaCy's contextual vectors around a pair); its weights are
a list of rows, one per position of the vector (``dense``).

Two shapes: ``multiclass`` (one label of several: an organisation's kind) and
``multilabel`` (independent yes/no per label: a pair of entities may both
meet and sign).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

Features = dict[str, float]


@dataclass
class LinearModel:
    name: str
    labels: list[str]
    multilabel: bool
    bias: list[float]
    weights: dict[str, list[float]]
    # Per label: the probability from which a multilabel model says yes (the
    # entity-type model: from which its "none" drops a candidate).
    thresholds: dict[str, float] = field(default_factory=dict)
    # (probability, how often right) points measured by cross-validation: a
    # probability read through them is a calibrated confidence.
    calibration: list[tuple[float, float]] = field(default_factory=list)
    # Labels for which the rules' own finding is kept, with the precision the
    # rules reached on texts they were not written from.
    keep_rules: dict[str, float] = field(default_factory=dict)
    # Weights of the dense input vector, one row per position (empty: the model reads none).
    dense: list[list[float]] = field(default_factory=list)
    # The relation model's: per end and label, how far below that end's best
    # relation of the label a relation may be (``relation_model.near_best``).
    margins: dict[str, dict[str, float]] = field(default_factory=dict)
    _matrix: np.ndarray | None = field(default=None, repr=False, compare=False)
    _row: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    _logit: list[float] | None = field(default=None, repr=False, compare=False)
    _logit_of: dict[str, float] | None = field(default=None, repr=False, compare=False)
    _padded: np.ndarray | None = field(default=None, repr=False, compare=False)  # the matrix and a row of zeros
    _dense_matrix: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def dense_width(self) -> int:
        """How long the dense vector this model reads is (0: none)."""
        return len(self.dense)

    def _add_dense(self, total: np.ndarray, vectors: np.ndarray | None) -> np.ndarray:
        if not self.dense:
            return total
        if vectors is None or vectors.shape != (total.shape[0], len(self.dense)):
            raise ValueError(f"model {self.name} reads a dense vector of {len(self.dense)} per example")
        if self._dense_matrix is None:
            self._dense_matrix = np.array(self.dense, dtype=np.float64)
        # Not ``@``: for a product this small BLAS starts threads that then
        # wait spinning, and took a core's worth of CPU from everything
        # else (extraction's CPU 0.83 -> 0.62 of stock spaCy's).
        return total + np.einsum("ij,jk->ik", vectors, self._dense_matrix)

    def calibrated(self, p: float) -> float:
        points = self.calibration
        if not points:
            return p
        if p <= points[0][0]:
            return points[0][1]
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            if p <= x1:
                return y0 + (y1 - y0) * (p - x0) / (x1 - x0)
        return points[-1][1]

    def _weight_matrix(self) -> np.ndarray:
        """All weights as one matrix, row 0 the bias; ``_row`` maps a feature to its row."""
        if self._matrix is None:
            self._row = {f: n for n, f in enumerate(self.weights, start=1)}
            self._matrix = np.array([self.bias, *self.weights.values()], dtype=np.float64)
        return self._matrix

    def scores(self, feats: Features, vector: np.ndarray | None = None) -> list[float]:
        # This runs for every candidate pair: the rows of the features present
        # summed in order in numpy.
        matrix = self._weight_matrix()
        rows = [0, *filter(None, map(self._row.get, feats))]  # feature rows start at 1
        picked = matrix[rows]
        if len(rows) > 1 and set(feats.values()) != {1.0}:
            picked[1:] *= np.array([v for f, v in feats.items() if f in self._row])[:, None]
        total = picked.sum(axis=0)
        if self.dense:
            total = self._add_dense(total[None, :], None if vector is None else vector[None, :])[0]
        return total.tolist()

    def scores_many(self, examples: Sequence[Features], vectors: np.ndarray | None = None) -> np.ndarray:
        """``_scores_many`` plus, for a model that reads one, each example's
        dense vector (``vectors``: one row per example) times its weights."""
        return self._add_dense(self._scores_many(examples), vectors)

    def _scores_many(self, examples: Sequence[Features]) -> np.ndarray:
        """``scores`` of many examples at once (one row each). The rows are
        added one feature position at a time, in the order ``scores`` adds
        them (shorter examples are padded with a row of zeros), so each sum
        is the same to the last bit and no decision near a threshold can
        change. Each position's rows are gathered as they are added: the
        examples' weight rows are never all copied out at once."""
        matrix = self._weight_matrix()
        if not examples:
            return np.zeros((0, len(self.labels)))
        if self._padded is None:
            self._padded = np.vstack([matrix, np.zeros((1, matrix.shape[1]))])
        zero_row = len(self._padded) - 1
        rows = [[0, *filter(None, map(self._row.get, feats))] for feats in examples]  # feature rows start at 1
        width = max(map(len, rows))
        # position x example
        by_position = np.array([r + [zero_row] * (width - len(r)) for r in rows], dtype=np.int64).T
        # Weighted features are rare (every extractor feature is 1.0): all values in one C-level pass.
        if set(chain.from_iterable(map(dict.values, examples))) - {1.0}:
            values = [[1.0, *(v for f, v in feats.items() if f in self._row)] for feats in examples]
            weights = np.array([v + [0.0] * (width - len(v)) for v in values]).T[:, :, None]
            total = self._padded[by_position[0]] * weights[0]
            for k in range(1, width):
                total += self._padded[by_position[k]] * weights[k]
            return total
        total = self._padded[by_position[0]]  # a copy (fancy indexing)
        for k in range(1, width):
            total += self._padded[by_position[k]]
        return total

    def proba(self, feats: Features, vector: np.ndarray | None = None) -> dict[str, float]:
        return self.proba_of(self.scores(feats, vector))

    def proba_of(self, s: Sequence[float]) -> dict[str, float]:
        """``proba`` from an example's scores (``scores_many``)."""
        if self.multilabel:
            return {lab: _sigmoid(x) for lab, x in zip(self.labels, s, strict=True)}
        top = max(s)
        exp = [math.exp(x - top) for x in s]
        total = sum(exp)
        return {lab: e / total for lab, e in zip(self.labels, exp, strict=True)}

    def _log_odds_cuts(self, default: float) -> list[float]:
        if self._logit is None or self._logit_of is not self.thresholds:  # thresholds may be replaced
            self._logit_of = self.thresholds
            self._logit = [_log_odds(self.thresholds.get(lab, default)) for lab in self.labels]
        return self._logit

    def above_thresholds(self, scores: Sequence[float], default: float) -> list[tuple[str, float]]:
        """(label, probability) for each label at or above its threshold
        (multilabel), given an example's ``scores``: they are compared with
        the thresholds' log-odds so that only the labels kept pay for a
        probability."""
        return [(lab, _sigmoid(x)) for lab, x, cut in zip(self.labels, scores, self._log_odds_cuts(default), strict=True)
                if x >= cut and _sigmoid(x) >= self.thresholds.get(lab, default)]

    def best(self, feats: Features) -> tuple[str, float]:
        return self.best_of(self.scores(feats))

    def best_of(self, scores: Sequence[float]) -> tuple[str, float]:
        """``best`` from an example's scores (``scores_many``)."""
        p = self.proba_of(scores)
        label = max(p, key=lambda k: p[k])
        return label, p[label]

    # --- files ---------------------------------------------------------------

    def to_json(self) -> dict:
        return {"name": self.name, "labels": self.labels, "multilabel": self.multilabel,
                "bias": [round(b, 5) for b in self.bias],
                "weights": {f: [round(x, 5) for x in w] for f, w in sorted(self.weights.items())},
                "thresholds": {k: round(v, 4) for k, v in sorted(self.thresholds.items())},
                "calibration": [[round(x, 4), round(y, 4)] for x, y in self.calibration],
                "keep_rules": {k: round(v, 3) for k, v in sorted(self.keep_rules.items())},
                **({"dense": [[round(x, 5) for x in row] for row in self.dense]} if self.dense else {}),
                **({"margins": self.margins} if self.margins else {})}

    def save(self, path: Path) -> None:
        write_gzip(path, json.dumps(self.to_json(), sort_keys=True, separators=(",", ":")).encode("utf-8"))

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        with gzip.open(path, "rb") as gz:
            d = json.loads(gz.read().decode("utf-8"))
        return cls(d["name"], d["labels"], d["multilabel"], d["bias"], d["weights"], d.get("thresholds", {}),
                   [(x, y) for x, y in d.get("calibration", [])], d.get("keep_rules", {}), d.get("dense", []),
                   d.get("margins", {}))


def write_gzip(path: Path, data: bytes) -> None:
    """A model file, gzipped with no name and mtime 0: the same model gives the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh, gzip.GzipFile(filename="", fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write(data)


def file_digest(*paths: Path) -> str:
    """A short digest of model files, for the extractor version string."""
    h = hashlib.sha256()
    for path in paths:
        h.update(path.read_bytes())
    return h.hexdigest()[:8]


def _int32_indices(M: Any) -> Any:
    """``M`` with 32-bit sparse indices, the only ones liblinear takes."""
    M.indices = M.indices.astype(np.int32)
    M.indptr = M.indptr.astype(np.int32)
    return M


def _log_odds(p: float) -> float:
    # A hair below the exact value: the probability test after it decides ties.
    return math.log(p / (1.0 - p)) - 1e-9 if 0.0 < p < 1.0 else (-math.inf if p <= 0.0 else math.inf)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def train(name: str, X: Sequence[Features], y: Sequence[str] | Sequence[set[str]], *,
          labels: Sequence[str], multilabel: bool, C: float = 1.0,
          class_weight: str | None = None, min_count: int = 1,
          sample_weight: Sequence[float] | None = None, vectors: np.ndarray | None = None,
          unknown: Sequence[set[str]] | None = None) -> LinearModel:
    """Fit a logistic regression (deterministic: liblinear, fixed seed).

    Features seen fewer than ``min_count`` times in training are dropped:
    they cannot be learned and only make the file larger. ``sample_weight``
    weighs examples (a sampled example stands for several); ``vectors`` (one
    row per example) is a dense input read beside the named features.
    ``unknown`` (multilabel only; one set per example) names the labels an
    example neither has nor lacks: it is left out of those labels' fits.
    """
    from collections import Counter

    import scipy.sparse
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    counts: Counter[str] = Counter(f for x in X for f in x)
    keep = {f for f, c in counts.items() if c >= min_count}
    X = [{f: v for f, v in x.items() if f in keep} for x in X]
    vec = DictVectorizer(sort=True)
    M = vec.fit_transform(X).tocsr()
    n_named = M.shape[1]
    if vectors is not None:
        M = scipy.sparse.hstack([M, scipy.sparse.csr_matrix(np.asarray(vectors, dtype=np.float64))]).tocsr()
    M = _int32_indices(M)
    names = list(vec.get_feature_names_out())
    labels = list(labels)
    weights = np.zeros((M.shape[1], len(labels)))
    bias = np.zeros(len(labels))
    if multilabel:
        weight_array = None if sample_weight is None else np.asarray(sample_weight)

        def fit_one(lab: str) -> tuple[np.ndarray, float] | None:
            target = np.array([1 if lab in set(yy) else 0 for yy in y])
            rows, row_weights = M, weight_array
            if unknown is not None and any(lab in u for u in unknown):
                known = np.array([lab not in u for u in unknown])
                rows, target = _int32_indices(M[known]), target[known]
                row_weights = None if weight_array is None else weight_array[known]
            if target.sum() == 0:
                return None
            # The dual problem (liblinear's coordinate descent, at its own default
            # tolerance 0.1) fits these sparse models 3x faster than the primal at
            # tol 1e-2 and as well: on two held-out folds of a third of the
            # annotations, 88 s against 257 s, tuned relation F1 0.5286 / 0.5325
            # against 0.5285 / 0.5334.
            clf = LogisticRegression(C=C, solver="liblinear", dual=True, class_weight=class_weight,
                                     random_state=0, max_iter=2000, tol=0.1)
            clf.fit(rows, target, sample_weight=row_weights)
            return clf.coef_[0], float(clf.intercept_[0])

        # One label after another: the dual solver draws from liblinear's one
        # random state, which fits in threads would share (the weights then
        # depended on timing); training runs its folds in processes instead.
        for j, lab in enumerate(labels):
            fitted = fit_one(lab)
            if fitted is None:
                bias[j] = -10.0
            else:
                weights[:, j], bias[j] = fitted
    else:
        present = sorted({str(v) for v in y})
        clf = LogisticRegression(C=C, solver="lbfgs", class_weight=class_weight, random_state=0,
                                 max_iter=3000)
        clf.fit(M, [str(v) for v in y])
        classes = list(clf.classes_)
        coef = clf.coef_
        if len(classes) == 2:  # sklearn keeps one row for two classes
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            icpt = np.array([-clf.intercept_[0] / 2, clf.intercept_[0] / 2])
        else:
            icpt = clf.intercept_
        for j, lab in enumerate(labels):
            if lab in present:
                k = classes.index(lab)
                weights[:, j] = coef[k]
                bias[j] = icpt[k]
            else:
                bias[j] = -20.0
    w = {f: [float(x) for x in weights[i]] for i, f in enumerate(names)
         if np.abs(weights[i]).max() >= 1e-4}
    dense = [[float(x) for x in row] for row in weights[n_named:]]
    return LinearModel(name, labels, multilabel, [float(b) for b in bias], w, dense=dense)
