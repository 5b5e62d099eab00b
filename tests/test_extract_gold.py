"""Regression floors: the scorer's own matching over the dev gold sets
(tests/gold, tests/gold2, tests/gold3 and tests/gold4, written for this
project) and the shared corpus.

The floors sit below what the extractor reaches (see docs/extraction.md) by
a margin, so they catch a mechanism breaking, not a single relation moving.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from graph.model import Document, document_id
from ingest.dates import document_date
from ingest.extract import Extractor

ROOT = Path(__file__).resolve().parent.parent
DEV_GOLD = ROOT / "tests" / "gold"
# Eight reports in registers the first dev set lacks (export-agency fair note,
# ministry statement on a joint commission, Nordic chamber newsletter, press
# release with a dashed member list, roadshow report, 1980s newswire, Gulf
# chamber, mission diary), annotated before the extractor was run on them.
DEV_GOLD2 = ROOT / "tests" / "gold2"
# Six reports rich in fairs, forums, organisers and head-office locations
# (chamber bulletin, forum news item, newswire, association newsletter,
# ministry press release, mission diary), annotated before the extractor ran
# on them (then: entities 0.913, relations 0.538).
DEV_GOLD3 = ROOT / "tests" / "gold3"
# Six reports written and annotated blind (the former tests/gold-blind: press
# release, chamber newsletter, joint-commission statement, fair report,
# newswire, mission report), scored once blind (entities 0.890, relations
# 0.561), then used for the fourth round of rules.
DEV_GOLD4 = ROOT / "tests" / "gold4"
SCORER = ROOT.parent / "shared" / "eval" / "score.py"


@pytest.fixture(scope="module")
def scorer() -> ModuleType:
    if not SCORER.is_file():
        pytest.skip(f"scorer not found at {SCORER}")
    spec = importlib.util.spec_from_file_location("tradekg_score", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _score(scorer: ModuleType, extractor: Extractor, folder: Path) -> dict[str, Any]:
    golds = sorted(folder.glob("*.gold.json"))
    assert golds, f"no gold files in {folder}"
    ents, rels = scorer.Tally(), scorer.Tally()
    for gpath in golds:
        text = gpath.with_name(gpath.name.replace(".gold.json", ".txt")).read_text(encoding="utf-8")
        doc = Document(id=document_id(text), source=gpath.name, text=text, date=document_date(text))
        out = extractor.extract(doc).to_contract()
        e, r, _kinds = scorer.score_report(scorer.Gold(json.loads(gpath.read_text())), out, [])
        ents.add(e)
        rels.add(r)
    return {"entities": ents.prf(), "relations": rels.prf()}


def test_dev_gold_set_stays_above_its_floors(scorer: ModuleType, extractor: Extractor) -> None:
    result = _score(scorer, extractor, DEV_GOLD)
    assert result["entities"]["f1"] >= 0.9, result
    assert result["relations"]["f1"] >= 0.8, result
    assert result["relations"]["precision"] >= 0.85, result


def test_shared_corpus_stays_above_its_floors(scorer: ModuleType, extractor: Extractor,
                                             corpus_dir: Path) -> None:
    result = _score(scorer, extractor, corpus_dir)
    assert result["entities"]["f1"] >= 0.9, result
    assert result["relations"]["f1"] >= 0.8, result


def test_second_dev_gold_set_stays_above_its_floors(scorer: ModuleType, extractor: Extractor) -> None:
    # Reached: entities 0.976, relations 0.965 (precision 0.982).
    result = _score(scorer, extractor, DEV_GOLD2)
    assert result["entities"]["f1"] >= 0.92, result
    assert result["relations"]["f1"] >= 0.87, result
    assert result["relations"]["precision"] >= 0.9, result


def test_third_dev_gold_set_stays_above_its_floors(scorer: ModuleType, extractor: Extractor) -> None:
    # Reached: entities 0.987, relations 0.963 (precision 0.963).
    result = _score(scorer, extractor, DEV_GOLD3)
    assert result["entities"]["f1"] >= 0.93, result
    assert result["relations"]["f1"] >= 0.88, result
    assert result["relations"]["precision"] >= 0.9, result


def test_fourth_dev_gold_set_stays_above_its_floors(scorer: ModuleType, extractor: Extractor) -> None:
    # Reached: entities 0.947, relations 0.896 (precision 0.963).
    result = _score(scorer, extractor, DEV_GOLD4)
    assert result["entities"]["f1"] >= 0.92, result
    assert result["relations"]["f1"] >= 0.85, result
    assert result["relations"]["precision"] >= 0.9, result
