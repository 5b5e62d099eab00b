"""Countries of organisations on hard cases: homonyms of obscure places,
parks named after two countries, companies named after regions.

``tests/data/country_cases.tsv`` holds one case a line: the expected ISO
code, the organisation's name and a short report text that states (or
implies) where it is. Accuracy over the set is in docs/resolution.md.
"""

from __future__ import annotations

from pathlib import Path

from graph.model import normalise_name
from ingest.extract import Extractor
from tests.builders import extract_contract

CASES = Path(__file__).parent / "data" / "country_cases.tsv"
# docs/resolution.md states the accuracy this floor guards.
MIN_ACCURACY = 0.97


def load_cases() -> list[tuple[str, str, str]]:
    cases = []
    for line in CASES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            code, name, text = line.split("\t")
            cases.append((code, name, text))
    return cases


def assigned_country(extractor: Extractor, name: str, text: str) -> str | None:
    out = extract_contract(extractor, text)
    wanted = normalise_name(name)
    for e in out["entities"]:
        if e["type"] == "Organization" and wanted in {normalise_name(n) for n in [e["name"], *e["aliases"]]}:
            return e.get("country")
    return "(not extracted)"


def country_accuracy(extractor: Extractor) -> tuple[float, list[str]]:
    cases = load_cases()
    misses = []
    for code, name, text in cases:
        got = assigned_country(extractor, name, text)
        if got != code:
            misses.append(f"{name}: expected {code}, got {got}")
    return 1 - len(misses) / len(cases), misses


def test_the_hard_case_set_has_at_least_a_hundred_cases() -> None:
    assert len(load_cases()) >= 100


def test_countries_of_hard_cases_are_right_at_the_stated_accuracy(extractor: Extractor) -> None:
    accuracy, misses = country_accuracy(extractor)
    assert accuracy >= MIN_ACCURACY, "\n".join(misses)
