"""Where organisations are and where meetings and signings took place."""

from __future__ import annotations

from typing import Any

import pytest

from graph.gazetteer import find_place
from ingest.extract import Extractor
from ingest.locations import CountryClues, choose_country, country_and_reason
from tests.builders import extract_contract as _out


@pytest.fixture(scope="module")
def extractor(rule_extractor: Extractor) -> Extractor:
    # These tests pin the rules, which now propose candidates and features to
    # the learned models (ingest/learn); the product is tested in
    # test_extract_gold.py and test_learned_extractor.py.
    return rule_extractor


def _country(out: dict[str, Any], name: str) -> str | None:
    return next(e.get("country") for e in out["entities"] if e["name"] == name)


def _place_of(out: dict[str, Any], rtype: str, party: str) -> str | None:
    """The place name on the ``rtype`` relation that has ``party`` on one side."""
    names = {e["id"]: e["name"] for e in out["entities"]}
    for r in out["relations"]:
        if r["type"] == rtype and party in (names[r["source"]], names[r["target"]]):
            return names.get(r.get("place", ""))
    raise AssertionError(f"no {rtype} with {party}")


# --- the order of trust, as a function ------------------------------------------


def test_the_own_name_beats_every_other_clue() -> None:
    clues = CountryClues(name="BY", described=["KZ"], located=["KZ"], met_in=["KZ"], report="KZ")
    assert choose_country(clues) == "BY"


def test_a_description_beats_a_stated_location_and_the_meeting_place() -> None:
    assert choose_country(CountryClues(described=["GE"], located=["AM"], met_in=["AM"])) == "GE"


def test_the_meeting_place_beats_the_report_fallback() -> None:
    assert choose_country(CountryClues(met_in=["UZ"], report="KZ")) == "UZ"


def test_a_name_naming_two_countries_takes_the_one_the_report_places_it_in() -> None:
    # "the China-Belarus industrial park in Minsk"
    assert country_and_reason(CountryClues(named=["CN", "BY"], near=["BY"])) == ("BY", "name+near")
    # "On 11 June the delegation flew to Minsk. ... visited the China-Belarus Industrial Park"
    assert country_and_reason(CountryClues(named=["CN", "BY"], itinerary=["BY"], report=None)) == (
        "BY", "name+itinerary")


def test_a_stated_location_beats_a_city_in_the_name() -> None:
    clues = CountryClues(name_places=["US"], located=["KZ"])
    assert country_and_reason(clues) == ("KZ", "located")


def test_a_legal_form_is_the_last_resort() -> None:
    assert country_and_reason(CountryClues(legal_form="PL")) == ("PL", "legal_form")
    assert country_and_reason(CountryClues(report="KZ", legal_form="PL")) == ("KZ", "report")


def test_obscure_homonyms_are_read_only_in_their_countrys_reports() -> None:
    assert find_place("Gulf") is None and find_place("Eastern") is None and find_place("Vistula") is None
    delta = find_place("Delta", {"NG"})
    assert delta is not None and delta.country == "NG"
    nile = find_place("Nile Delta")
    assert nile is not None and nile.country == "EG"


def test_a_name_in_capitals_reads_country_names_not_words_that_are_codes() -> None:
    from ingest.organisations import name_countries

    # "AND" is Andorra's code, "CAN" Canada's, "IN" India's.
    assert name_countries("LAGOS CHAMBER OF COMMERCE AND INDUSTRY") == []
    assert name_countries("THE CAN MAKERS ASSOCIATION IN LAGOS") == []
    assert name_countries("US-CHINA BUSINESS COUNCIL") == ["US", "CN"]
    assert name_countries("UAE MINISTRY OF ECONOMY") == ["AE"]
    # Written in mixed case, a code in capitals is one.
    assert name_countries("Embassy of RUS") == ["RU"]


def test_a_country_abbreviated_with_full_stops_is_read_and_other_initials_are_not() -> None:
    from ingest.organisations import name_countries

    assert name_countries("U.S. Commerce Department") == ["US"]
    assert name_countries("Office of the U.S. Trade Representative") == ["US"]
    assert name_countries("U.K. Department for Business and Trade") == ["GB"]
    assert name_countries("J.P. Morgan Chase") == []  # a person's initials, not Japan


def test_clues_that_disagree_give_no_answer_at_their_level() -> None:
    assert choose_country(CountryClues(described=["KZ", "BY"], report="UZ")) == "UZ"
    assert choose_country(CountryClues()) is None


# --- each rule on text ---------------------------------------------------------


def test_a_city_in_an_apposition_places_a_company(extractor: Extractor) -> None:
    out = _out(extractor, "Orion Trading LLP signed a contract with Talas Parts LLP, a Tashkent gearbox dealer, "
                          "on Monday.")
    assert _country(out, "Talas Parts LLP") == "UZ"


def test_a_based_adjective_and_a_nationality_word_place_companies(extractor: Extractor) -> None:
    out = _out(extractor, "Norda Tools Ltd, a Minsk-based maker of lathes, and the Georgian carrier Mtkvari "
                          "Logistics LLC signed a memorandum.")
    assert _country(out, "Norda Tools Ltd") == "BY"
    assert _country(out, "Mtkvari Logistics LLC") == "GE"


def test_a_place_right_after_the_name_places_it(extractor: Extractor) -> None:
    out = _out(extractor, "Sevan Packaging CJSC of Yerevan signed a supply contract with Rioni Foods LLC.")
    assert _country(out, "Sevan Packaging CJSC") == "AM"


def test_the_host_of_a_placed_meeting_is_in_that_country(extractor: Extractor) -> None:
    out = _out(extractor, "A Polish trade delegation arrived in Central Asia. In Tashkent the delegation met "
                          "with the Silk Road Exporters Union.")
    assert _country(out, "Silk Road Exporters Union") == "UZ"
    assert _country(out, "Polish trade delegation") is None  # the visitor is not where it met


def test_a_placed_meeting_does_not_override_a_nationality(extractor: Extractor) -> None:
    out = _out(extractor, "In Almaty the Hungarian delegation met with the Uzbek Textile Association.")
    assert _country(out, "Uzbek Textile Association") == "UZ"


def test_bodies_met_on_a_trip_to_one_country_are_in_it(extractor: Extractor) -> None:
    text = ("A Latvian business delegation visited Almaty and Shymkent from 3 to 7 May. "
            "The delegation met with the Steppe Grain Union. "
            "Riga Mills Ltd signed a contract with Dala Feed LLP.")
    out = _out(extractor, text)
    assert _country(out, "Steppe Grain Union") == "KZ"


def test_no_fallback_when_the_trip_spans_two_countries(extractor: Extractor) -> None:
    text = ("A Latvian business delegation visited Almaty and Minsk from 3 to 9 May. "
            "The delegation met with the Steppe Grain Union.")
    out = _out(extractor, text)
    assert _country(out, "Steppe Grain Union") is None


# --- where it happened ------------------------------------------------------------


def test_a_fronted_place_is_where_the_meeting_happened(extractor: Extractor) -> None:
    out = _out(extractor, "In Bishkek, the Turkish delegation met with the Chamber of Commerce of Kyrgyzstan.")
    assert _place_of(out, "MET_WITH", "Chamber of Commerce of Kyrgyzstan") == "Bishkek"


def test_a_ceremony_place_is_where_the_signing_happened(extractor: Extractor) -> None:
    out = _out(extractor, "Arda Cables Ltd and Bora Steel Ltd signed a supply contract at a ceremony in "
                          "Ankara on Friday.")
    assert _place_of(out, "SIGNED_WITH", "Arda Cables Ltd") == "Ankara"


def test_a_where_clause_places_what_the_delegation_did_there(extractor: Extractor) -> None:
    out = _out(extractor, "The Kazakh delegation travelled to Chengdu, where it met with the Sichuan "
                          "Commerce Bureau.")
    assert _place_of(out, "MET_WITH", "Sichuan Commerce Bureau") == "Chengdu"


def test_no_place_when_the_sentence_states_none(extractor: Extractor) -> None:
    out = _out(extractor, "The delegation arrived in Astana. On the first day the delegation met with the "
                          "Steppe Grain Union.")
    assert _place_of(out, "MET_WITH", "Steppe Grain Union") is None


def test_a_region_named_after_its_city_is_the_region_not_the_city(extractor: Extractor) -> None:
    out = _out(extractor, "The delegation toured farms in the Almaty region and the Kostanay Region, met the "
                          "Kostanay Region Akimat, and ended the week in Almaty. It then visited the Ministry "
                          "of Mining of San Juan Province.")
    places = {e["name"]: e["kind"] for e in out["entities"] if e["type"] == "Place"}
    assert places["Almaty region"] == places["Kostanay Region"] == places["San Juan Province"] == "region"
    assert places["Almaty"] == "city"
    # A region's word that goes on as a body's name is the body's.
    assert "Kostanay Region Akimat" in {e["name"] for e in out["entities"] if e["type"] == "Organization"}
