"""Where sentences begin: the relation candidates are pairs named in one sentence."""

from __future__ import annotations

import pytest
from spacy.language import Language

from ingest.nlp import load_model, prepare_text


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_model()[0]


def sentences(nlp: Language, text: str) -> list[str]:
    return [s.text.strip() for s in nlp(prepare_text(text)).sents if s.text.strip()]


def test_each_row_of_a_text_table_is_one_sentence(nlp: Language) -> None:
    text = ("Six firms took part in the mission to Santiago and San Juan, with the embassy's help.\n\n"
            "Company | City | Sector | Representative\n"
            "Kalgoorlie Ventilation Systems Pty Ltd | Kalgoorlie | mine ventilation | Rachel Boyd\n"
            "Ballarat Geo Software Pty Ltd | Ballarat | geological modelling | Hannah Pritchard\n"
            "Firm\tCity\tContact\n"
            "Hunter Valley Conveyors Pty Ltd\tNewcastle\tLiam O'Connell\n")
    found = sentences(nlp, text)
    assert "Kalgoorlie Ventilation Systems Pty Ltd | Kalgoorlie | mine ventilation | Rachel Boyd" in found
    assert "Ballarat Geo Software Pty Ltd | Ballarat | geological modelling | Hannah Pritchard" in found
    assert "Hunter Valley Conveyors Pty Ltd\tNewcastle\tLiam O'Connell" in found


def test_prose_with_one_bar_is_left_to_the_parser(nlp: Language) -> None:
    text = "Results\n\nThe delegation met the chamber. It signed two agreements | one on logistics.\n"
    found = sentences(nlp, text)
    assert found == ["Results", "The delegation met the chamber.", "It signed two agreements | one on logistics."]
