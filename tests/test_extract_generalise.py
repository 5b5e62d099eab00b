"""Mechanisms that keep the extractor honest on reports it was not built on."""

from __future__ import annotations

from typing import Any

import pytest

from graph.gazetteer import find_place
from ingest.extract import Extractor
from ingest.organisations import find_names, name_country, org_kind
from tests.builders import entities_by_name as _names
from tests.builders import extract_contract as _out
from tests.builders import has_relation


@pytest.fixture(scope="module")
def extractor(rule_extractor: Extractor) -> Extractor:
    # These tests pin the rules, which now propose candidates and features to
    # the learned models (ingest/learn); the product is tested in
    # test_extract_gold.py and test_learned_extractor.py.
    return rule_extractor


def _rel(out: dict[str, Any], rtype: str, source: str, target: str) -> bool:
    return has_relation(out, rtype, source, target, directed=False)


def test_organisation_names_stop_at_the_end_of_a_sentence() -> None:
    text = "They met the National Chamber of Entrepreneurs. Aigerim Sadykova spoke."
    assert [n.text for n in find_names(text)] == ["National Chamber of Entrepreneurs"]


def test_company_names_keep_their_legal_form_after_a_comma() -> None:
    text = "The group included Yuxin Precision Gearbox Co., Ltd., TAIJI Group and Yuxinou Logistics Co., Ltd. Chen Xiaoyu joined."
    assert [n.text for n in find_names(text)] == [
        "Yuxin Precision Gearbox Co., Ltd.", "TAIJI Group", "Yuxinou Logistics Co., Ltd."]


def test_a_byline_after_a_dash_is_not_part_of_the_name() -> None:
    names = [n.text for n in find_names("Chongqing Municipal Commission of Commerce - Trade Promotion News\n")]
    assert names[0] == "Chongqing Municipal Commission of Commerce"


def test_portfolio_commas_stay_inside_a_ministry_name() -> None:
    text = "They held talks with the Ministry of Trade, Industry and Energy of the Republic of Korea."
    assert [n.text for n in find_names(text)] == ["Ministry of Trade, Industry and Energy of the Republic of Korea"]


def test_common_words_and_demonyms_are_not_cities() -> None:
    assert find_place("Republic") is None
    assert find_place("Kazakh") is None


def test_the_country_named_in_an_organisation_name_comes_first() -> None:
    assert name_country("Ministry of Economy of the Republic of Belarus") == "BY"
    assert name_country("Eurasian Economic Union") is None


def test_plants_works_and_legal_forms_are_enterprises() -> None:
    for name in ("Minsk Automobile Plant", "Minsk Tractor Works", "Baltic Dairy Systems UAB", "Ararat Cargo CJSC"):
        assert org_kind(name) == "enterprise", name


def test_an_acronym_in_parentheses_is_an_alias(extractor: Extractor) -> None:
    out = _out(extractor, "The delegation visited the Minsk Automobile Plant (MAZ). MAZ makes trucks.")
    plant = _names(out)["Minsk Automobile Plant"]
    assert "MAZ" in plant["aliases"] and plant["kind"] == "enterprise"
    assert "MAZ" not in _names(out)


def test_a_month_or_a_town_in_brackets_after_a_name_is_no_acronym() -> None:
    names = find_names("The Tashkent International Investment Forum (June) hosted Outback Drone Works "
                       "(Wagga Wagga) and the Vietnam Trade Promotion Agency (Vietrade).")
    assert [(n.text, n.acronym) for n in names] == [
        ("Tashkent International Investment Forum", None), ("Outback Drone Works", None),
        ("Vietnam Trade Promotion Agency", "Vietrade")]


def test_a_small_town_needs_its_country_in_the_report(extractor: Extractor) -> None:
    out = _out(extractor, "The delegation toured a market on the right bank of the Ishim river in Astana.")
    assert "Ishim" not in _names(out)


def test_passive_reception_is_a_meeting(extractor: Extractor) -> None:
    out = _out(extractor, "In Hamburg the Ghanaian delegation was received by the Hamburg Chamber of Commerce.")
    assert _rel(out, "MET_WITH", "Ghanaian delegation", "Hamburg Chamber of Commerce")


def test_apposition_gives_title_and_employer(extractor: Extractor) -> None:
    out = _out(extractor, "Aigerim Sadykova, deputy chairwoman of the board of the Eurasian Chamber of Trade, "
                          "hosted a round table.")
    person = _names(out)["Aigerim Sadykova"]
    assert person["title"] == "deputy chairwoman of the board"
    assert _rel(out, "WORKS_FOR", "Aigerim Sadykova", "Eurasian Chamber of Trade")


def test_the_visitors_are_the_delegation_not_their_country(extractor: Extractor) -> None:
    out = _out(extractor, "A Kazakh business delegation arrived in Minsk. "
                          "The Kazakh guests visited the Minsk Tractor Works.")
    assert _rel(out, "VISITED", "Kazakh business delegation", "Minsk Tractor Works")
    assert not _rel(out, "VISITED", "Kazakhstan", "Minsk Tractor Works")


def test_a_date_before_a_company_stays_out_of_its_name_and_keeps_the_signing(extractor: Extractor) -> None:
    out = _out(extractor, "On 9 March 2025 Tarim Gearboxes Ltd signed a supply contract with Naryn Motors LLC.")
    assert "Tarim Gearboxes Ltd" in _names(out)
    assert _rel(out, "SIGNED_WITH", "Tarim Gearboxes Ltd", "Naryn Motors LLC")


def test_a_conjoined_passive_after_a_pronoun_gives_the_leader(extractor: Extractor) -> None:
    text = ("A trade mission of Estonian timber firms was received in Riga by the Latvian Wood Association. "
            "It had been organised by the Estonian Trade Agency and was led by Kadri Tamm, director of the agency.")
    assert _rel(_out(extractor, text), "LED", "Kadri Tamm", "trade mission")


def test_the_two_sides_are_the_pair_that_just_met(extractor: Extractor) -> None:
    text = ("Ruslan Abenov, deputy minister of energy of Kazakhstan, received Mr. Novak at the ministry. "
            "The two sides signed a memorandum of understanding on grid links.")
    assert _rel(_out(extractor, text), "SIGNED_WITH", "Ruslan Abenov", "Novak")


def test_talks_with_a_second_party_after_a_topic_are_a_meeting_too(extractor: Extractor) -> None:
    text = ("The delegation held talks with the Ministry of Transport on rail tariffs and with the "
            "Caspian Ports Association on ferry slots.")
    out = _out(extractor, text)
    assert _rel(out, "MET_WITH", "delegation", "Ministry of Transport")
    assert _rel(out, "MET_WITH", "delegation", "Caspian Ports Association")


def test_a_post_of_state_before_a_name_of_a_ministry_is_a_person_of_it(extractor: Extractor) -> None:
    out = _out(extractor, "The Latvian side was led by Undersecretary of State Ilze Berzina-Ozola of the Ministry "
                          "of Economics of Latvia, and the talks were chaired by Principal Secretary for Trade Dr "
                          "Peter Mwangi.")
    names = _names(out)
    assert "Ilze Berzina-Ozola" in names and "Ministry of Economics of Latvia" in names
    assert names["Peter Mwangi"]["type"] == "Person"
    assert not {"State", "Trade"} & set(names)
    assert _rel(out, "WORKS_FOR", "Ilze Berzina-Ozola", "Ministry of Economics of Latvia")


def test_a_post_at_a_state_owned_body_and_at_its_short_name(extractor: Extractor) -> None:
    out = _out(extractor, "The mission was organised by the Latvian Investment Agency LIAA. It was led by Janis "
                          "Ozols, a director of state-owned Citadele Banka. \"Demand is strong,\" said Liga Kalnina, "
                          "Director General of LIAA.")
    assert _rel(out, "WORKS_FOR", "Janis Ozols", "Citadele Banka")
    assert _rel(out, "WORKS_FOR", "Liga Kalnina", "Latvian Investment Agency LIAA")


def test_one_word_names_shown_to_be_companies_are_not_people(extractor: Extractor) -> None:
    out = _out(extractor, "Among the firms in the group were Vilhelmsen, the shipping line, and Baltika.\n\n"
                          "2. An MoU between Grindeks and the Kenya Medical Supplies Authority (KEMSA) on the "
                          "supply of generic medicines.")
    names = _names(out)
    assert names["Vilhelmsen"]["type"] == "Organization" and names["Vilhelmsen"]["kind"] == "enterprise"
    assert names["Grindeks"]["type"] == "Organization"


def test_a_relative_clause_industry_stops_at_the_next_listed_company(extractor: Extractor) -> None:
    out = _out(extractor, "The delegation included Vetrolux AS, which builds glass furnaces, Tallink AS, the "
                          "shipping line, and Baltika AS.")
    ents = {e["id"]: e for e in out["entities"]}
    vetrolux = {ents[r["target"]].get("code") for r in out["relations"]
                if r["type"] == "IN_SECTOR" and ents[r["source"]]["name"] == "Vetrolux AS"}
    shipping = {ents[r["target"]].get("code") for r in out["relations"]
                if r["type"] == "IN_SECTOR" and ents[r["source"]]["name"] == "Tallink AS"}
    assert "50" not in vetrolux and "50" in shipping


def test_the_arm_of_a_company_is_a_body_and_part_of_it(extractor: Extractor) -> None:
    out = _out(extractor, "Petrovia will supply the oil, while Tradelink, the trading arm of the state oil company "
                          "Petrovia, will handle the exports.")
    assert _names(out)["Tradelink"]["type"] == "Organization"
    assert has_relation(out, "PART_OF", "Tradelink", "Petrovia")
    assert not any(r["type"] == "IN_SECTOR" and r["source"] == _names(out)["Tradelink"]["id"]
                   for r in out["relations"])


def test_an_agreement_signed_by_two_bodies_is_signed_between_them(extractor: Extractor) -> None:
    out = _out(extractor, "A cooperation agreement was signed there by the Latvian Investment and Development Agency "
                          "and the Tartu Chamber of Commerce, which provides for joint fairs.")
    assert _rel(out, "SIGNED_WITH", "Latvian Investment and Development Agency", "Tartu Chamber of Commerce")


def test_a_post_comma_name_with_accents_and_a_middle_initial_is_a_person_of_its_body(extractor: Extractor) -> None:
    out = _out(extractor, "The group, organised by Business Latvia, the country's export body, was headed by its "
                          "managing director, Ēriks J. Ózoliņš, and included Ambassador Ilze Kalniņa of the "
                          "Embassy of Latvia in Oslo.")
    names = _names(out)
    assert names["Ēriks J. Ózoliņš"]["type"] == "Person"
    assert _rel(out, "WORKS_FOR", "Ēriks J. Ózoliņš", "Business Latvia")
    assert not _rel(out, "WORKS_FOR", "Ēriks J. Ózoliņš", "Embassy of Latvia in Oslo")


def test_a_person_described_by_the_group_they_chair_stays_a_person(extractor: Extractor) -> None:
    out = _out(extractor, "The deal was announced by Kowalski, the group's chairman, and by Vilhelmsen, the "
                          "shipping line.")
    names = _names(out)
    assert names["Kowalski"]["type"] == "Person"
    assert names["Vilhelmsen"]["type"] == "Organization"
