"""Sector facts (IN_SECTOR) from descriptions, names, delegations and groups."""

from __future__ import annotations

from typing import Any

import pytest

from ingest.extract import Extractor
from tests.builders import extract_contract as _out


@pytest.fixture(scope="module")
def extractor(rule_extractor: Extractor) -> Extractor:
    # These tests pin the rules, which now propose candidates and features to
    # the learned models (ingest/learn); the product is tested in
    # test_extract_gold.py and test_learned_extractor.py.
    return rule_extractor


def _sectors(out: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    """Division code -> the IN_SECTOR relation of the entity called ``name``."""
    ents = {e["id"]: e for e in out["entities"]}
    return {ents[r["target"]]["code"]: r for r in out["relations"]
            if r["type"] == "IN_SECTOR" and ents[r["source"]]["name"] == name}


def test_an_apposition_says_what_a_company_trades(extractor: Extractor) -> None:
    text = ("Orda Gearworks Ltd signed a supply contract with Karaganda Motors LLP, a Karaganda parts "
            "distributor, last week. The chamber then met Brest Field Works OJSC, a Brest-based maker of "
            "tractors.")
    out = _out(extractor, text)
    rel = _sectors(out, "Karaganda Motors LLP")["45"]
    assert rel["evidence"][0]["text"].startswith("Orda Gearworks Ltd signed")
    assert "28" in _sectors(out, "Brest Field Works OJSC")


def test_a_description_before_the_name_counts(extractor: Extractor) -> None:
    out = _out(extractor, "Volga Cable OJSC signed a contract with the Kyrgyz power grid company "
                          "Bishkek Regional Electric Networks.")
    assert "35" in _sectors(out, "Bishkek Regional Electric Networks")


def test_a_company_name_with_an_industry_term_gives_a_weaker_fact(extractor: Extractor) -> None:
    out = _out(extractor, "Danube Dairy Systems Ltd and Tashkent Agro Machinery JSC joined the mission.")
    assert _sectors(out, "Tashkent Agro Machinery JSC")["28"]["confidence"] == 0.6
    # A product before "Systems" is the machinery for it, not the product.
    assert set(_sectors(out, "Danube Dairy Systems Ltd")) == {"28"}


def test_governing_bodies_get_a_sector_only_for_a_single_industry_portfolio(extractor: Extractor) -> None:
    out = _out(extractor, "The delegation met the Ministry of Agriculture of Ruritania, the Ministry of "
                          "Trade, Industry and Energy of Ruritania and the Ruritania Chamber of Commerce.")
    assert "01" in _sectors(out, "Ministry of Agriculture of Ruritania")
    assert _sectors(out, "Ministry of Trade, Industry and Energy of Ruritania") == {}
    assert _sectors(out, "Ruritania Chamber of Commerce") == {}


def test_a_delegation_of_firms_working_in_industries(extractor: Extractor) -> None:
    out = _out(extractor, "Deputy Mayor Chen Hua led a Tianjin business delegation of twenty-six enterprises "
                          "working in auto parts, pharmaceuticals and logistics to Almaty.")
    assert {"45", "21", "52"} <= set(_sectors(out, "Tianjin business delegation"))


def test_a_delegation_named_by_its_industry(extractor: Extractor) -> None:
    out = _out(extractor, "A Moldovan wine and food-machinery delegation arrived in Riga on Monday.")
    (mission,) = [e["name"] for e in out["entities"] if e["type"] == "Mission"]
    assert {"11", "28"} <= set(_sectors(out, mission))


def test_a_group_that_brings_companies_from_industries(extractor: Extractor) -> None:
    out = _out(extractor, "The Wuhan trade mission was headed by Li Ming and brought together eleven companies "
                          "from the automotive, motorcycle and machinery industries.")
    assert {"29", "30", "28"} <= set(_sectors(out, "Wuhan trade mission"))


def test_a_planned_mission_does_not_describe_this_one(extractor: Extractor) -> None:
    out = _out(extractor, "The Lodz trade mission visited Hanoi. The chamber plans a mission of furniture "
                          "makers to Hanoi next year.")
    assert "31" not in _sectors(out, "Lodz trade mission")


def test_an_event_named_or_described_by_its_industry(extractor: Extractor) -> None:
    out = _out(extractor, "The delegation exhibited at Agrofood 2024, the dairy and beverage exhibition held "
                          "in Tbilisi, and visited the Caspian Textile Fair.")
    assert {"10", "11"} <= set(_sectors(out, "Agrofood 2024"))
    assert "13" in _sectors(out, "Caspian Textile Fair")


def test_a_listed_member_with_its_industry_in_parentheses(extractor: Extractor) -> None:
    text = ("The mission included:\n\n- Danube Poultry Kft. (poultry processing);\n"
            "- Sopron Vet Zrt. (veterinary vaccines).\n")
    out = _out(extractor, text)
    # The stated industry wins over the name's guess (poultry farming).
    assert set(_sectors(out, "Danube Poultry Kft.")) == {"10"}
    assert set(_sectors(out, "Sopron Vet Zrt.")) == {"21"}


def test_a_delegation_that_heads_its_own_sentence_keeps_its_industries(extractor: Extractor) -> None:
    # Without a verb the parser makes "delegation" the root of the sentence.
    out = _out(extractor, "A delegation of nine Latvian companies specialising in dairy processing and furniture.")
    (mission,) = [e["name"] for e in out["entities"] if e["type"] == "Mission"]
    assert {"10", "31"} <= set(_sectors(out, mission))


def test_what_a_delegation_came_to_explore_is_its_industry(extractor: Extractor) -> None:
    out = _out(extractor, "The Latvian business delegation arrived in Oslo on Monday. The visitors came to explore "
                          "cooperation in timber processing, cold-chain logistics and furniture.")
    assert {"52", "31"} <= set(_sectors(out, "Latvian business delegation"))


def test_the_priority_sectors_of_the_trip_are_the_delegation_industries(extractor: Extractor) -> None:
    out = _out(extractor, "The Latvian business delegation met the minister. The priority sectors – "
                          "pharmaceuticals and furniture – were presented to him.")
    assert {"21", "31"} <= set(_sectors(out, "Latvian business delegation"))
