"""Applying the trained models to one report's rule output.

The rules propose; the models decide: which candidates are entities and of
what type, each organisation's kind, and which relations the text states
(with the model's probability as the relation's confidence), and last
which of the entities kept are one ("SEC" and the full name). The model
files live in ``ingest/models/`` and are rebuilt by ``make train``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

from graph.model import normalise_name
from graph.ontology import IN_SECTOR, ORGANIZATION, PERSON, PLACE
from graph.resolve import ENTITY_REF_ATTRS
from ingest.learn import (
    alias_model,
    entity_models,
    event_names,
    given_names,
    industry_model,
    relation_model,
    span_model,
)
from ingest.learn.features import Report, entity_features
from ingest.learn.linear import LinearModel, file_digest
from ingest.learn.sector_terms import FILE as SECTOR_TERMS_FILE
from ingest.learn.sector_terms import Table as TermTable
from ingest.learn.sector_terms import load as load_terms
from ingest.mentions import Entity
from ingest.organisations import short_company_name
from ingest.relations import Found
from ingest.titles import titled, without_title

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
FILES = {"type": "entity_type.json.gz", "kind": "org_kind.json.gz", "relations": "relations.json.gz",
         "tagger": "span_tagger.crf.gz", "aliases": "aliases.json.gz", "industries": industry_model.FILE,
         "given_names": given_names.FILE, "event_names": event_names.FILE, "pipeline": "pipeline.json"}
# Models added after the first retrain: a directory without them still loads.
OPTIONAL = frozenset({"industries", "given_names", "event_names", "pipeline"})


@dataclasses.dataclass
class Models:
    type: LinearModel | None
    kind: LinearModel | None
    relations: LinearModel | None
    label: str = "rules"
    # The industry terms learned with them (``sector_terms``): candidates, and the industry model's features.
    sector_terms: TermTable | None = None
    # Used before the others, on the parse (``span_model``): its names are candidates.
    tagger: span_model.SpanTagger | None = None
    # Used last: which of the kept entities are one (``alias_model``), then
    # the industry of each organisation (``industry_model``).
    aliases: LinearModel | None = None
    industries: LinearModel | None = None
    # The type model's given-name lexicon (``given_names``), learned with it.
    given_names: frozenset[str] = frozenset()
    # The learned names of fairs and forums (``event_names``): candidates, and a feature of the type model.
    event_names: event_names.Lexicon = event_names.EMPTY
    # spaCy's components the models were trained without, so left out when
    # they run (``pipeline.json``; its features must be the training's).
    spacy_left_out: tuple[str, ...] = ()

    @classmethod
    def load(cls, directory: Path = MODELS_DIR) -> Models | None:
        """The committed models, or None where none have been trained (rules alone)."""
        paths = {k: directory / f for k, f in FILES.items()}
        if not all(p.exists() for k, p in paths.items() if k not in OPTIONAL):
            return None
        digest = file_digest(*(p for p in paths.values() if p.exists()))
        return cls(LinearModel.load(paths["type"]), LinearModel.load(paths["kind"]),
                   LinearModel.load(paths["relations"]), label=f"models-{digest}",
                   sector_terms=load_terms(directory / SECTOR_TERMS_FILE), tagger=span_model.SpanTagger.load(paths["tagger"]),
                   aliases=LinearModel.load(paths["aliases"]),
                   industries=LinearModel.load(paths["industries"]) if paths["industries"].exists() else None,
                   given_names=given_names.load(paths["given_names"]),
                   event_names=event_names.load(paths["event_names"]),
                   spacy_left_out=load_pipeline(paths["pipeline"]))

    def refine(self, rep: Report) -> tuple[list[Entity], list[Found]]:
        """Entities kept (re-indexed from 0) and the relations between them.

        The rule output in ``rep`` is left as it was: training evaluates many
        models on the same parse."""
        features = {e.index: entity_features(rep, e) for e in rep.entities
                    if e.mentions and e.type in entity_models.TYPED}
        # Each model scores all of a report's entities at once (one numpy gather).
        type_best: dict[int, tuple[str, float]] = {}
        if self.type is not None:
            vectors = entity_models.type_vectors(self.type, rep, [rep.entities[i] for i in features])
            scores = self.type.scores_many(list(features.values()), vectors).tolist()
            type_best = {index: self.type.best_of(s) for index, s in zip(features, scores, strict=True)}
        place_names = {normalise_name(e.name) for e in rep.entities if e.type == PLACE and e.mentions}
        short_names = short_company_names(rep.entities)
        entities: list[Entity] = []
        organisations: list[Entity] = []  # kept as organisations: the kind model gives their kind
        for e in rep.entities:
            if not e.mentions:
                continue  # folded into another entity (candidates.merge_short_forms)
            new = dataclasses.replace(e)
            if e.type in entity_models.TYPED:
                if self.type is not None:
                    etype = PERSON if e.type == PERSON and titled(rep.text, e) else \
                        entity_models.decide_type(self.type, e.type, type_best[e.index])
                    if etype is None:
                        continue
                    if etype == PLACE != e.type and normalise_name(e.name) in place_names:
                        continue  # a town taken for a body, and found as the place it is too
                    if etype == PERSON and normalise_name(e.name) in short_names and not titled(rep.text, e):
                        etype = ORGANIZATION  # "Tkalnia Widzew's owner": the company, short of its legal form
                    new.type = etype
                if new.type == ORGANIZATION and self.kind is not None:
                    organisations.append(new)
                elif new.type == PLACE != e.type:
                    new.kind = "region"  # a place the gazetteer does not list, as the tagger's are
                elif new.type != e.type and e.type in (ORGANIZATION, PLACE):
                    new.kind = None
            entities.append(new)
        if self.kind is not None and organisations:
            kinds = self.kind.scores_many([features[e.index] for e in organisations]).tolist()
            for e, scores in zip(organisations, kinds, strict=True):
                e.kind = self.kind.best_of(scores)[0]
        kept = {e.index for e in entities}
        by_index = {e.index: e for e in entities}
        typed = rep.with_entities([by_index.get(e.index, e) for e in rep.entities])
        if self.relations is not None:
            found = relation_model.predict(self.relations, typed, allowed=kept)
        else:
            found = [fd for fd in rep.found if fd.source in kept and fd.target in kept]
        if self.aliases is not None:
            entities, found = alias_model.merge(self.aliases, typed, entities, found)
        if self.industries is not None and self.sector_terms is not None:
            # The relation model's IN_SECTOR threshold decides for both (make train chose it so).
            threshold = (self.relations.thresholds.get(IN_SECTOR, relation_model.DEFAULT_THRESHOLD)
                         if self.relations is not None else relation_model.DEFAULT_THRESHOLD)
            entities, found = industry_model.add_industries(self.industries, rep.text, entities, found,
                                                            self.sector_terms, threshold, rep.sentence_at)
        if self.relations is not None and self.relations.margins:
            # Last, when every relation is in: the industries' sectors compete with the model's.
            found = relation_model.near_best(found, self.relations.margins, relation_model.found_fields)
        for e in entities:
            if e.type == PERSON and (bare := without_title(e.name)) != e.name:
                e.name, e.aliases = bare, [e.name, *e.aliases]  # "Ms Anita Rao" is "Anita Rao"
        return _reindex(entities, found)


def save_pipeline(spacy_left_out: Sequence[str], directory: Path) -> None:
    """Which of spaCy's components the models are trained without."""
    path = directory / FILES["pipeline"]
    path.write_text(json.dumps({"spacy_left_out": list(spacy_left_out)}) + "\n", encoding="utf-8")


def load_pipeline(path: Path) -> tuple[str, ...]:
    # No file: models trained on the whole pipeline.
    return tuple(json.loads(path.read_text(encoding="utf-8"))["spacy_left_out"]) if path.exists() else ()


def short_company_names(entities: list[Entity]) -> set[str]:
    """The report's companies' names without their legal forms ("Tkalnia
    Widzew" for "Tkalnia Widzew Sp. z o.o."), normalised: a person never
    bears one, and the alias model joins it to its company."""
    return {bare for e in entities if e.type == ORGANIZATION and e.mentions
            for form in [e.name, *e.aliases] if (bare := short_company_name(form)) is not None}


def _reindex(entities: list[Entity], found: list[Found]) -> tuple[list[Entity], list[Found]]:
    new_index = {e.index: n for n, e in enumerate(entities)}
    out_entities = []
    for n, e in enumerate(entities):
        ne = dataclasses.replace(e, index=n)
        out_entities.append(ne)
    out_found = []
    for fd in found:
        if fd.source in new_index and fd.target in new_index:
            out_found.append(dataclasses.replace(fd, source=new_index[fd.source], target=new_index[fd.target]))
    for fd in out_found:
        for ref in ENTITY_REF_ATTRS:
            old = fd.attrs.get(ref)
            if isinstance(old, int):
                if old in new_index:
                    fd.attrs = {**fd.attrs, ref: new_index[old]}
                else:
                    fd.attrs = {k: v for k, v in fd.attrs.items() if k != ref}
    return out_entities, out_found
