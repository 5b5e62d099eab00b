"""Two entity models over the same features (``features.entity_features``;
the type model also reads spaCy's vectors over each entity, ``features.entity_vectors``):

- **type**: is a candidate really an Organization, Person, Place, Event,
  Mission, Program or Agreement — or nothing at all (a sum of money, a
  product, a job title the rules took for a name)?
- **kind**: which of ONTOLOGY.md's organisation kinds an Organization is.

Examples come from candidates lined up with annotations (``align``); the
models are applied in ``refine``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields

import numpy as np

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
from ingest.learn.features import (
    ENTITY_VECTOR_PARTS,
    VECTOR_WIDTH,
    Features,
    Report,
    entity_features,
    entity_vectors,
)
from ingest.learn.linear import LinearModel, train
from ingest.mentions import Entity

TYPED = (ORGANIZATION, PERSON, PLACE, EVENT, MISSION, PROGRAM, AGREEMENT)
TYPE_LABELS = [*TYPED, NONE]


@dataclass
class Examples:
    """One report's training examples for both models: features and labels,
    and for the type model each entity's dense row (``features.entity_vectors``;
    the kind model read them no better: fold 0 kinds 0.926 either way)."""

    type_features: list[Features] = field(default_factory=list)
    type_labels: list[str] = field(default_factory=list)
    type_vectors: list[np.ndarray] = field(default_factory=list)
    kind_features: list[Features] = field(default_factory=list)
    kind_labels: list[str] = field(default_factory=list)

    def extend(self, other: Examples) -> None:
        for column in fields(self):
            getattr(self, column.name).extend(getattr(other, column.name))


def examples(rep: Report, align: Alignment) -> Examples:
    """The candidates of one report that line up with its annotation, as examples for both models."""
    out = Examples()
    labelled: list[tuple[Entity, str]] = []
    for e in rep.entities:
        if e.type not in TYPED:
            continue
        label = align.entity_type(e.index)
        if label is not None:
            labelled.append((e, label))
    vectors = entity_vectors(rep, [e for e, _ in labelled], VECTOR_WIDTH)
    for (e, label), vector in zip(labelled, vectors, strict=True):
        f = entity_features(rep, e)
        out.type_features.append(f)
        out.type_labels.append(label if label in TYPE_LABELS else NONE)
        out.type_vectors.append(vector)
        kind = align.org_kind(e.index)
        if kind in ORG_KINDS:
            out.kind_features.append(f)
            out.kind_labels.append(kind)
    return out


def train_type(ex: Examples) -> LinearModel:
    vectors = np.vstack(ex.type_vectors) if ex.type_vectors else np.zeros((0, ENTITY_VECTOR_PARTS * VECTOR_WIDTH))
    return train("entity_type", ex.type_features, ex.type_labels, labels=TYPE_LABELS, multilabel=False, C=0.5,
                 min_count=2, vectors=vectors)


def train_kind(ex: Examples) -> LinearModel:
    return train("org_kind", ex.kind_features, ex.kind_labels, labels=list(ORG_KINDS), multilabel=False, C=1.0,
                 min_count=1)


def type_vectors(model: LinearModel, rep: Report, entities: Sequence[Entity]) -> np.ndarray | None:
    """The dense rows the type model reads for these entities (None: it reads none)."""
    return entity_vectors(rep, entities, model.dense_width // ENTITY_VECTOR_PARTS) if model.dense else None


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
