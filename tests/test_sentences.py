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


# A report wrapped at 90 columns, with a heading, a "field: value" line and a
# short closing line of a paragraph.
WRAPPED_AT_90 = (
    "Mission note: Izmir textile buyers in Tashkent\n"
    "Date: 14 October 2025\n"
    "\n"
    "From 9 to 12 September 2025 fourteen member companies of the Aegean Garment Exporters'\n"
    "Association travelled to Tashkent, where they met the Uzbek Textile Industry Association\n"
    "and visited two spinning mills in the Chirchiq district near the capital city.\n"
    "It rained.\n"
    "Conclusion\n"
    "The association will send a second group of buyers to Namangan and Fergana in the spring,\n"
    "together with the Uzbek chamber's regional branch and two logistics firms from Izmir.\n"
)


def test_a_text_wrapped_at_90_columns_is_read_as_paragraphs(nlp: Language) -> None:
    prepared = prepare_text(WRAPPED_AT_90)
    assert len(prepared) == len(WRAPPED_AT_90)
    # The wrapped breaks are gone: a name wrapped over two lines is one name again.
    assert "Exporters' Association travelled" in prepared
    # A full line goes on; a short one ends its paragraph, a heading stands alone.
    assert "capital city. It rained.\nConclusion\nThe association" in prepared
    found = sentences(nlp, WRAPPED_AT_90)
    assert "Date: 14 October 2025" in found
    assert "Conclusion" in found
    assert any(s.startswith("From 9 to 12 September") and s.endswith("capital city.") for s in found)


def test_newswire_speech_and_dashes_still_wrap(nlp: Language) -> None:
    text = ("    TOKYO, March 8 - The chairman of the Electronic Industries\n"
            "Association of Japan (EIAJ), Shoichi Saba, said the group would\n"
            "resist any new quotas on its members' exports to the United States,\n"
            "the European Community and other markets in the coming months\n"
            "-- including chips -- and Saba said: \"We will talk to them.\"\n")
    prepared = prepare_text(text)
    assert "\n" not in prepared.strip()


def test_a_title_abbreviated_before_a_name_does_not_end_the_sentence(nlp: Language) -> None:
    text = ("The delegation will be led by the council's vice-chairman, Eng. Sherif Abdel-Meguid. "
            "He will be joined by Hon. Abena Owusu and Lic. Tomás Berardi.")
    assert sentences(nlp, text) == [
        "The delegation will be led by the council's vice-chairman, Eng. Sherif Abdel-Meguid.",
        "He will be joined by Hon. Abena Owusu and Lic. Tomás Berardi."]
    assert len(sentences(nlp, "The mayor, Cllr. Ann Hughes, met Mme. Diallo. They signed.")) == 2
