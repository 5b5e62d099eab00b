"""Two entity models over the same features (``features.entity_features``):

- **type**: is a candidate really an Organization, Person, Place, Event,
  Mission, Program or Agreement — or nothing at all (a sum of money, a
  product, a job title the rules took for a name)?
- **kind**: which of ONTOLOGY.md's organisation kinds an Organization is.

Examples come from candidates lined up with annotations (``align``); the
models are applied in ``refine``.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.ontology import (
    AGREEMENT,
    EVENT,
    MISSION,
    ORG_KINDS,
    ORGANIZATION,
    PERSON,
    PLACE,
    PROGRAM,
)
from ingest.learn.align import NONE, Alignment
from ingest.learn.features import Features, Report, entity_features
from ingest.learn.linear import LinearModel, train

TYPED = (ORGANIZATION, PERSON, PLACE, EVENT, MISSION, PROGRAM, AGREEMENT)
TYPE_LABELS = [*TYPED, NONE]


def examples(rep: Report, align: Alignment) -> tuple[list[Features], list[str], list[Features], list[str]]:
    """(type features, type labels, kind features, kind labels) of one report."""
    tx, ty, kx, ky = [], [], [], []
    for e in rep.entities:
        if e.type not in TYPED:
            continue
        label = align.entity_type(e.index)
        if label is None:
            continue
        f = entity_features(rep, e)
        tx.append(f)
        ty.append(label if label in TYPE_LABELS else NONE)
        kind = align.org_kind(e.index)
        if kind in ORG_KINDS:
            kx.append(f)
            ky.append(kind)
    return tx, ty, kx, ky


def train_type(X: Sequence[Features], y: Sequence[str]) -> LinearModel:
    return train("entity_type", X, y, labels=TYPE_LABELS, multilabel=False, C=0.5, min_count=2)


def train_kind(X: Sequence[Features], y: Sequence[str]) -> LinearModel:
    return train("org_kind", X, y, labels=list(ORG_KINDS), multilabel=False, C=1.0, min_count=1)


# A candidate is dropped when the model says "none" with at least this
# probability; ``make train`` chooses it by cross-validation and stores it
# in the model file (``thresholds["none"]``).
DEFAULT_DROP_AT = 0.6


def decide_type(model: LinearModel, current: str, best: tuple[str, float], retype_at: float = 0.5) -> str | None:
    """The type to keep (None: not an entity), given the type model's
    ``best`` label and its probability. Dropped where "none" wins with the
    model's stored certainty; retyped where the model gives another type at
    least ``retype_at`` (0.5: cross-validated against 0.7 in the eleventh
    round, docs/extraction.md). Places too, both ways: a town the gazetteer
    does not list ("Silao", "Te Puke") taken for a body or a person, a
    company that shares a town's name ("Codelco", "Xinhua")."""
    label, p = best
    if label == NONE:
        return None if p >= model.thresholds.get(NONE, DEFAULT_DROP_AT) else current
    if label != current and current in TYPED and label in TYPED and p >= retype_at:
        return label
    return current
