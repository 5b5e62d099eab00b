"""Regression floors: the scorer's own matching over the dev gold sets
(tests/gold, tests/gold2, tests/gold3 and tests/gold4, written for this
project) and the shared corpus.

The floors sit below what the extractor reaches (see docs/extraction.md) by
a margin, so they catch a mechanism breaking, not a single relation moving.
Since tradekg-extract/0.2 the dev sets are also training data for the models
(annotations/ holds the rest): these floors guard the pipeline, while the
blind sets (tests/gold-blind*) and cross-validation measure it.
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
    # Reached (learned, per-type thresholds, 1,705 training texts): entities 0.995, relations 0.918 (precision 0.869).
    result = _score(scorer, extractor, DEV_GOLD)
    assert result["entities"]["f1"] >= 0.95, result
    assert result["relations"]["f1"] >= 0.85, result
    assert result["relations"]["precision"] >= 0.8, result


def test_shared_corpus_stays_above_its_floors(scorer: ModuleType, extractor: Extractor,
                                             corpus_dir: Path) -> None:
    # Reached (learned): entities 1.000, relations 0.812 (the rules, tuned on it, 0.957).
    result = _score(scorer, extractor, corpus_dir)
    assert result["entities"]["f1"] >= 0.95, result
    assert result["relations"]["f1"] >= 0.68, result


def test_second_dev_gold_set_stays_above_its_floors(scorer: ModuleType, extractor: Extractor) -> None:
    # Reached (learned): entities 0.972, relations 0.908 (precision 0.879).
    result = _score(scorer, extractor, DEV_GOLD2)
    assert result["entities"]["f1"] >= 0.93, result
    assert result["relations"]["f1"] >= 0.8, result
    assert result["relations"]["precision"] >= 0.75, result


def test_third_dev_gold_set_stays_above_its_floors(scorer: ModuleType, extractor: Extractor) -> None:
    # Reached (learned): entities 0.987, relations 0.907 (precision 0.857; 0.895 before the
    # per-type thresholds traded some precision for recall on unseen text).
    result = _score(scorer, extractor, DEV_GOLD3)
    assert result["entities"]["f1"] >= 0.94, result
    assert result["relations"]["f1"] >= 0.87, result
    assert result["relations"]["precision"] >= 0.8, result


def test_fourth_dev_gold_set_stays_above_its_floors(scorer: ModuleType, extractor: Extractor) -> None:
    # Reached (learned): entities 0.931, relations 0.869 (precision 0.852). Twentieth round:
    # 0.924 / 0.785 (precision 0.732): pairing fair reports' main event with what a sentence
    # names finds more PARTICIPATED_IN (cross-validated F1 0.266 -> 0.315, precision kept) and
    # here adds four a joint commission's session is not annotated with.
    result = _score(scorer, extractor, DEV_GOLD4)
    assert result["entities"]["f1"] >= 0.89, result
    assert result["relations"]["f1"] >= 0.77, result
    assert result["relations"]["precision"] >= 0.72, result


# The facts of the Chongqing report that every answer about it rests on
# (issue 13): who led the delegation, who was in it, whom it met, where its
# exhibition was, where the city plans to go next.
CHONGQING_KEY_FACTS = [
    ("LED", "Chongqing Municipal Commission of Commerce", "Chongqing business delegation"),
    ("MEMBER_OF", "Changan Auto", "Chongqing business delegation"),
    ("MEMBER_OF", "TAIJI Group", "Chongqing business delegation"),
    ("MET_WITH", "Chongqing business delegation", "National “Atameken” Chamber of Entrepreneurs"),
    ("MET_WITH", "Chongqing business delegation", "Ministry of Economy of Belarus"),
    ("LOCATED_IN", "China and Belarus Exhibition of Goods and Services", "['China-Belarus industrial park', 'Minsk']"),
    ("PLANS_VISIT", "['Chongqing', 'Chongqing Municipal Commission of Commerce']", "France"),
    ("PLANS_VISIT", "['Chongqing', 'Chongqing Municipal Commission of Commerce']", "Italy"),
    ("PLANS_VISIT", "['Chongqing', 'Chongqing Municipal Commission of Commerce']", "Mexico"),
    ("PLANS_VISIT", "['Chongqing', 'Chongqing Municipal Commission of Commerce']", "Colombia"),
]


# Lost with the fifth-round models (span tagger, 1,800 texts): the relation
# model gives this LED 0.34 against the threshold cross-validation chose for
# LED (0.6), and the rules' LED findings did not raise cross-validated F1, so
# they are not kept. Still 0.34 with the sixth round's models; neither a
# lower threshold for pairs the rules also relate nor training each type
# only on pairs whose types it allows brought it back (cross-validated F1
# unchanged either way). Seventh round (unnamed-delegation pairs): 0.24
# against 0.55; ninth round (1,904 texts): 0.22 against 0.5; tenth round
# 0.25 against 0.45 (2,006 texts), 0.23 against 0.5 (2,077 texts, the
# committed models). Twelfth round: found again (0.25 is LED's threshold now
# that thresholds are chosen for the F1 of all types together). A key fact a
# later model loses goes here, as a strict xfail with the reason.
# Twenty-fifth round: lost again, by a hair (0.48 against 0.5). Twenty-sixth
# round: found again (probability 0.62 against LED's threshold 0.4; the
# models changed with the round's features, and thresholds are now chosen
# the way that scores best on resampled documents).
#
# Twenty-sixth round: three of the four PLANS_VISIT facts are lost. The model
# gives "Chongqing will plan trips to France, Italy, Mexico, and Colombia"
# France 0.42 (found) but Italy, Mexico and Colombia 0.25, 0.21 and 0.09:
# the rules found all four, and their PLANS_VISIT findings had been kept
# beside the model's since the nineteenth round because they raised
# cross-validated F1. At this round's lower PLANS_VISIT threshold (0.35) they
# no longer did, so cross-validation dropped them. Giving a list's later
# items the path of its first was tried and did not raise them (0.11-0.17).
#
# Thirtieth round: France is lost too. The retrained PLANS_VISIT model gives
# the sentence's four countries under 0.1 against its threshold (0.4; the
# twenty-ninth round's models gave France 0.42 against 0.35), with the same
# sentence and candidates (the round's new code on the old models still
# finds France): the weights moved with the round's candidates.
#
# Thirty-first round: France, Italy and Mexico found again (0.88, 0.73 and
# 0.66 against 0.4), with 24 new training reports in which a city or
# province plans trips (the training data had 10 planned trips with a
# place as the planner, none a city). Colombia, the list's last item after
# "and", is still under the threshold.
#
# Thirty-second round (60 more training reports, PLANS_VISIT cut at 0.35):
# Colombia 0.28, still under (0.28 again with the 60 reports after them).
# Thirty-third round (the Mission and Event named last as topics): Colombia
# 0.287 against 0.3 (models Y), then 0.277 against 0.35 (Y2, the same code
# with titles like "Eng." kept in their sentence).
# Thirty-fourth round (90 more reports, merging and place rules): 0.249
# against 0.35 (models B), 0.247 (C, the same without "Messe" names).
# Thirty-fifth round (90 more reports, learned fair names): 0.241 against
# 0.4 (France, Italy, Mexico 0.92, 0.85, 0.73).
# Thirty-seventh round (the span tagger by passive-aggressive updates):
# 0.230 against 0.35 (France, Italy, Mexico 0.92, 0.85, 0.74).
# Thirty-eighth round (the tagger reads the gazetteer; models V): 0.336
# against 0.35 (France, Italy, Mexico 0.93, 0.88, 0.80).
# Fortieth round (models N, trained and run without spaCy's NER): found,
# 0.55 against 0.35 (France, Italy, Mexico 0.84, 0.81, 0.76).
LOST_KEY_FACTS: dict[tuple[str, str, str], str] = {}


@pytest.mark.parametrize("fact", [
    pytest.param(fact, marks=pytest.mark.xfail(strict=True, reason=LOST_KEY_FACTS[fact]))
    if fact in LOST_KEY_FACTS else fact for fact in CHONGQING_KEY_FACTS], ids=lambda f: f"{f[0]}-{f[2][:24]}")
def test_the_chongqing_reports_key_facts_are_extracted(scorer: ModuleType, extractor: Extractor,
                                                       corpus_dir: Path, fact: tuple[str, str, str]) -> None:
    rtype, source, target = fact
    gpath = corpus_dir / "chongqing-kazakhstan-belarus-2023.gold.json"
    text = gpath.with_name("chongqing-kazakhstan-belarus-2023.txt").read_text(encoding="utf-8")
    out = extractor.extract(Document(id=document_id(text), source=gpath.name, text=text,
                                     date=document_date(text))).to_contract()
    notes: list[str] = []
    scorer.score_report(scorer.Gold(json.loads(gpath.read_text())), out, notes)
    missed = [n for n in notes if n.strip().startswith("- missed")]
    source_text = source if source.startswith("[") else repr(source)
    target_text = target if target.startswith("[") else repr(target)
    assert f"- missed {rtype}: {source_text} -> {target_text}" not in "\n".join(missed), missed
