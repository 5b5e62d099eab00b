"""Agreements: an entity per signed deal, with value, currency and date."""

from __future__ import annotations

from typing import Any

import pytest

from ingest.agreements import parse_money
from ingest.extract import Extractor
from tests.builders import extract_contract as _out


@pytest.fixture(scope="module")
def extractor(rule_extractor: Extractor) -> Extractor:
    # These tests pin the rules, which now propose candidates and features to
    # the learned models (ingest/learn); the product is tested in
    # test_extract_gold.py and test_learned_extractor.py.
    return rule_extractor


def _agreements(out: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in out["entities"] if e["type"] == "Agreement"]


@pytest.mark.parametrize(("text", "money"), [
    ("worth USD 4.5 million over three years", (4_500_000, "USD")),
    ("valued at EUR 850,000", (850_000, "EUR")),
    ("an agreement worth 10 mln yuan", (10_000_000, "CNY")),
    ("a US$2.3bn loan", (2_300_000_000, "USD")),
    ("for 600 tonnes of cocoa", None),
])
def test_amounts_of_money_and_their_iso_currency(text: str, money: tuple[float, str] | None) -> None:
    assert parse_money(text) == money


def test_a_signed_contract_is_an_agreement_named_by_its_parties(extractor: Extractor) -> None:
    text = ("Orda Gearworks Ltd signed a supply contract with Karaganda Motors LLP on 3 May 2024, "
            "worth USD 4.5 million. Karaganda Motors LLP also signed a memorandum of understanding with "
            "Pavlodar Rail Freight LLC on joint warehousing.")
    out = _out(extractor, text, "2024-05-06")
    first, second = _agreements(out)
    assert first["name"] == "supply contract between Orda Gearworks Ltd and Karaganda Motors LLP"
    assert (first["value"], first["currency"], first["date"]) == (4_500_000, "USD", "2024-05-03")
    assert second["name"].startswith("memorandum of understanding between")
    assert "value" not in second  # the amount of the other deal is not this one's
    signed = {r["agreement"] for r in out["relations"] if r["type"] == "SIGNED_WITH"}
    assert signed == {first["id"], second["id"]}


def test_the_accord_refers_back_to_the_agreement_just_named(extractor: Extractor) -> None:
    text = ("Ruritania and Freedonia signed a trade agreement on Monday. Ruritanian minister Anton Weber and "
            "Freedonian minister Rufus Firefly signed the accord in the capital.")
    out = _out(extractor, text)
    assert len(_agreements(out)) == 1


def test_an_amount_without_a_deal_makes_no_agreement(extractor: Extractor) -> None:
    out = _out(extractor, "Kenyan firms concluded deals worth about USD 9 million at the fair.")
    assert _agreements(out) == []
