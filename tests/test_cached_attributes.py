"""The cached attribute ruler and lemmatizer annotate exactly as spaCy's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler

from ingest import cached_attributes
from ingest.nlp import load_model, prepare_text

ROOT = Path(__file__).resolve().parent.parent
ATTRS = [TAG, POS, MORPH, LEMMA, DEP, HEAD]
# Every kind of pattern the stock ruler has: contractions and two-token
# exceptions, pronoun case by dependency, "there is", white-space tokens
# (one that opens a text is the parser's ROOT, which the ruler relabels).
EXCEPTIONS = (
    "\n\nHe ain't gonna come, y'all.  Let's go!\n\n  There is a park and there were two.\n"
    "I gave it to you and you gave it to me. Gotta c'mon, nothin' left. Do you have it? "
    "They did have it, but it is what it is; we're not done and I'm sure it's theirs."
)


@pytest.fixture(scope="module")
def pipelines() -> tuple[Language, Language]:
    stock, _ = load_model(cached_attributes=False)
    cached, _ = load_model()
    return stock, cached


def texts() -> list[str]:
    paths = sorted((ROOT / "examples" / "reports").glob("*.txt"))
    for gold in ("gold", "gold2", "gold3", "gold4"):
        paths += sorted((ROOT / "tests" / gold).glob("*.txt"))
    return [prepare_text(p.read_text(encoding="utf-8")) for p in paths] + [EXCEPTIONS, "\n Talks ended.\n\n"]


def annotated(nlp: Language, batch: list[str]) -> list[tuple[Any, list[str]]]:
    return [(doc.to_array(ATTRS).tolist(), [str(t.morph) for t in doc]) for doc in nlp.pipe(batch)]


def test_extractor_pipeline_uses_the_cached_component(pipelines: tuple[Language, Language]) -> None:
    stock, cached = pipelines
    assert cached_attributes.NAME in cached.pipe_names
    assert "attribute_ruler" not in cached.pipe_names and "lemmatizer" not in cached.pipe_names
    assert {"attribute_ruler", "lemmatizer"} <= set(stock.pipe_names)


def test_annotations_equal_stock_on_first_sight_and_from_the_table(pipelines: tuple[Language, Language]) -> None:
    stock, cached = pipelines
    batch = texts()
    component: Any = cached.get_pipe(cached_attributes.NAME)
    expected = annotated(stock, batch)
    assert annotated(cached, batch) == expected  # tokens not seen before: the stock ruler fills the table
    runs = component.stock_runs
    assert annotated(cached, batch) == expected  # every class known now: answered from the table
    assert component.stock_runs == runs


def ruler(nlp: Language) -> AttributeRuler:
    component = nlp.get_pipe("attribute_ruler")
    assert isinstance(component, AttributeRuler)
    return component


def test_patterns_it_cannot_cache_keep_the_stock_components() -> None:
    nlp, _ = load_model(cached_attributes=False)
    ruler(nlp).add([[{"LOWER": "a"}, {"LOWER": "b"}, {"LOWER": "c"}]], {"POS": "X"})
    assert not cached_attributes.install(nlp)
    assert "attribute_ruler" in nlp.pipe_names and cached_attributes.NAME not in nlp.pipe_names

    nlp, _ = load_model(cached_attributes=False)
    ruler(nlp).add([[{"ORTH": "Park"}]], {"POS": "PROPN"})
    assert not cached_attributes.install(nlp)
