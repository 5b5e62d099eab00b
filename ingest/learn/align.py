"""Labels for the models: the rules' candidates lined up with an annotation.

A candidate entity stands for the annotated entity whose mentions its own
mentions overlap most (character offsets), else the one whose name or alias
it spells (as the scorer matches). One that covers too little of the
mention it overlaps (a name cut short, or one that swallowed its
neighbours) is "not an entity" to the type and kind models, since the
scorer would not take it for that name; its relations still count as the
entity's. A candidate pair carries the relation
types the annotation states between those two entities *in that sentence*
(its evidence overlaps the sentence); for annotations without evidence
offsets (the older test sets), any sentence naming both counts.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from graph.ontology import MISSION, SECTOR, SYMMETRIC_RELATIONS
from ingest.learn.annotations import Annotation, parties
from ingest.learn.features import PairCandidate, Report

NONE = "none"
# How much of an annotated mention (shared / joint length) a candidate's best
# mention must cover to stand for that entity as a name (chosen by cross-validation).
MIN_NAME_FIT = 0.65


def norm(name: str) -> str:
    """The scorer's name normalisation (../shared/eval/score.py)."""
    s = unicodedata.normalize("NFKC", name or "").lower()
    s = re.sub(r"[\"'“”‘’«»„`]", "", s)
    s = re.sub(r"[^\w]+", " ", s).strip()
    return re.sub(r"^the ", "", s)


class Alignment:
    def __init__(self, rep: Report, ann: Annotation) -> None:
        self.rep = rep
        self.ann = ann
        self.gold: dict[int, dict[str, Any] | None] = {}
        self.ignored: set[int] = set()
        self.misfit: set[int] = set()  # overlaps an annotated name, but too little of it to be it
        # The older test sets name no evidence sentences.
        self.has_evidence = any(r.get("evidence") for r in ann.relations)
        # (source name, target name) -> the relations stating that pair, a
        # symmetric one both ways: looked up for every candidate pair.
        self._relations_between: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in ann.relations:
            ends = {(a, b) for a in parties(r["source"]) for b in parties(r["target"])}
            if r["type"] in SYMMETRIC_RELATIONS:
                ends |= {(b, a) for a, b in ends}
            for end in ends:
                self._relations_between.setdefault(end, []).append(r)
        forms: dict[str, dict[str, Any]] = {}
        for g in ann.entities:
            for form in [g["name"], *g.get("aliases", [])]:
                forms.setdefault(norm(form), g)
        ignore = {norm(x) for x in ann.ignore}
        for e in rep.entities:
            if e.type == SECTOR:  # sectors match by ISIC division, as the scorer matches them
                code = str(e.attrs.get("code", ""))[:2]
                self.gold[e.index] = next((g for g in ann.entities if g["type"] == SECTOR
                                           and str(g.get("code", ""))[:2] == code), None)
                continue
            # Each overlap votes by how well the spans agree (shared / joint
            # length): "Washington" is the place, not the "G-7 meeting in
            # Washington" that contains it, and "Oman Chamber of Commerce"
            # the chamber, not the "Oman" inside it.
            votes: dict[str, float] = {}
            best_fit: dict[str, float] = {}
            for m in e.mentions:
                for g in ann.entities:
                    for s, t in g.get("mentions", []):
                        if m.start < t and s < m.end:
                            fit = (min(t, m.end) - max(s, m.start)) / (max(t, m.end) - min(s, m.start))
                            votes[g["name"]] = votes.get(g["name"], 0.0) + fit
                            best_fit[g["name"]] = max(best_fit.get(g["name"], 0.0), fit)
            match = None
            if votes:
                winner = max(votes, key=lambda name: votes[name])
                match = ann.entity(winner)
                # "Ministry of Trade" cut from "Ministry of Trade, Co-operatives
                # and ...", or "Saudi Arabia" inside "Royal Embassy of Saudi
                # Arabia": not a name the scorer will take, so not an entity of
                # its own (the relations it takes part in are still labelled).
                # A delegation is the exception: the scorer takes a report's
                # one delegation by any name.
                if (best_fit[winner] < MIN_NAME_FIT and match is not None and match["type"] != MISSION
                        and not any(norm(f) in forms for f in [e.name, *e.aliases])):
                    self.misfit.add(e.index)
            else:
                for form in [e.name, *e.aliases]:
                    match = forms.get(norm(form))
                    if match is not None:
                        break
            self.gold[e.index] = match
            if match is None and any(norm(f) in ignore for f in [e.name, *e.aliases]):
                self.ignored.add(e.index)

    def entity_type(self, index: int) -> str | None:
        """The annotated type of a candidate, "none" for a non-entity, None when unknown (ignored)."""
        if index in self.ignored:
            return None
        g = self.gold.get(index)
        return g["type"] if g is not None and index not in self.misfit else NONE

    def org_kind(self, index: int) -> str | None:
        g = self.gold.get(index)
        if g is None or g["type"] != "Organization" or index in self.misfit:
            return None
        return g.get("kind")

    def pair_labels(self, cand: PairCandidate) -> tuple[set[str], set[str]]:
        """The relation types the annotation states for this pair in this
        sentence: (required ones, those it states only as optional)."""
        ga, gb = self.gold.get(cand.source), self.gold.get(cand.target)
        if ga is None or gb is None or ga is gb:
            return set(), set()
        s0, s1 = cand.sentence
        required: set[str] = set()
        optional: set[str] = set()
        for r in self._relations_between.get((ga["name"], gb["name"]), ()):
            evidence = r.get("evidence")
            if evidence and not any(s < s1 and s0 < t for s, t in evidence):
                continue
            (optional if r.get("optional") else required).add(r["type"])
        return required, optional - required

    def pair_types(self, cand: PairCandidate, *, optional: bool = True) -> set[str]:
        """The relation types the annotation states for this pair in this
        sentence; with ``optional=False``, only those it does not mark optional."""
        required, maybe = self.pair_labels(cand)
        return required | maybe if optional else required
