"""Entity hygiene (graph.hygiene): each case is a defect seen in the example
reports, written as the sentence that produced it."""

from __future__ import annotations

import pytest

from graph.hygiene import clean_extraction, is_amount, is_product
from graph.model import Extraction
from graph.sqlite_store import SqliteStore
from tests.builders import report


def names(x: Extraction) -> dict[str, str]:
    return {e.name: e.type for e in x.entities}


@pytest.mark.parametrize("name", ["Eur 480,000", "EUR 850,000", "USD 2.3 million", "$1.6m", "480 000 euros",
                                  "1.5 million"])
def test_sums_of_money_are_amounts(name: str) -> None:
    assert is_amount(name)


@pytest.mark.parametrize("name", ["Eurasian Bank", "KTZ Express", "Gomel 2024 Forum", "Messe Frankfurt"])
def test_names_with_numbers_or_currency_letters_are_not_amounts(name: str) -> None:
    assert not is_amount(name)


def test_a_sum_of_money_typed_organization_is_dropped_with_its_relations() -> None:
    x = report("Aksu Dairy LLP signed a contract worth Eur 480,000 with Minsk Dairy Plant.",
               entities={"a": ("Organization", "Aksu Dairy LLP"), "m": ("Organization", "Eur 480,000"),
                         "b": ("Organization", "Minsk Dairy Plant")},
               relations=[("SIGNED_WITH", "a", "b"), ("SIGNED_WITH", "a", "m")])
    clean = clean_extraction(x)
    assert "Eur 480,000" not in names(clean)
    assert [(r.source, r.target) for r in clean.relations] == [("a", "b")]


def test_a_product_typed_person_is_dropped() -> None:
    x = report("The delegation tasted Kazakh honey, flour and beef at a promotion stand.",
               entities={"d": ("Mission", "delegation"), "h": ("Person", "Kazakh honey")})
    assert is_product("Kazakh honey")
    assert names(clean_extraction(x)) == {"delegation": "Mission"}


def test_an_organisation_named_after_its_product_and_more_is_kept() -> None:
    assert not is_product("Kazakh Grain Export LLP")
    assert not is_product("Kazakh Railways")


def test_a_fair_organiser_typed_person_becomes_an_organization() -> None:
    x = report("Messe Frankfurt, the organiser of Heimtextil, held a briefing for the exhibitors.",
               entities={"m": ("Person", "Messe Frankfurt", {"title": "organiser"})})
    clean = clean_extraction(x)
    assert names(clean) == {"Messe Frankfurt": "Organization"}
    assert "title" not in clean.entities[0].attrs


@pytest.mark.parametrize(("text", "name"), [
    ("Rift Valley Avocado Growers signed for forty containers of Hass avocados.", "Hass"),
    ("On 16 January the group visited the Hohenstein textile testing institute in Boennigheim.", "Hohenstein"),
])
def test_a_one_word_person_that_modifies_a_noun_is_a_brand_not_a_person(text: str, name: str) -> None:
    x = report(text, entities={"p": ("Person", name)})
    assert names(clean_extraction(x)) == {}


def test_a_one_word_person_who_speaks_is_kept() -> None:
    x = report("Nazarbayev said the corridor would open.", entities={"p": ("Person", "Nazarbayev")})
    assert names(clean_extraction(x)) == {"Nazarbayev": "Person"}


def test_coordinated_names_are_split_into_the_bodies_they_name() -> None:
    text = ("On 21 February the delegation met with Dubai Chambers. "
            "The Kenya Export Promotion and Branding Agency (KEPROBA) led the delegation. "
            "Dubai Chambers and KEPROBA signed a memorandum of understanding.")
    x = report(text, entities={
        "k": ("Organization", "Kenya Export Promotion and Branding Agency", {"aliases": ["KEPROBA"]}),
        "d": ("Mission", "delegation"),
        "c": ("Organization", "Dubai Chambers and KEPROBA", {"aliases": ["Dubai Chambers"]}),
    }, relations=[("LED", "k", "d"), ("MET_WITH", "d", "c")])
    clean = clean_extraction(x)
    by_name = {e.name: e for e in clean.entities}
    assert "Dubai Chambers and KEPROBA" not in by_name
    assert "Kenya Export Promotion and Branding Agency" in by_name
    chambers = by_name["Dubai Chambers"]
    assert all(m.text == "Dubai Chambers" for m in chambers.mentions)
    # The meeting's sentence names only Dubai Chambers: KEPROBA did not meet its own delegation.
    assert {(r.type, r.source, r.target) for r in clean.relations} == {
        ("LED", "k", "d"), ("MET_WITH", "d", chambers.id)}


def test_a_part_named_by_another_coordinated_name_follows_it_to_its_own_part(sqlite_store: SqliteStore) -> None:
    # "Teklin" is a part of the first coordinated name and an alias of the
    # second: once both are split, the signing names Teklin Trade OJSC, and
    # the store takes the report (it had failed on the removed entity).
    text = ("Minutes of the meeting between the Union of Truck Exporters and Teklin Trade OJSC. "
            "Linriter Warehousing Tbk and Teklin signed a letter of intent.")
    x = report(text, entities={
        "u": ("Organization", "Union of Truck Exporters and Teklin Trade OJSC",
              {"aliases": ["Union of Truck Exporters", "Teklin Trade OJSC", "Teklin"]}),
        "l": ("Organization", "Linriter Warehousing Tbk and Teklin", {"aliases": ["Linriter Warehousing Tbk"]}),
    }, relations=[("SIGNED_WITH", "l", "u")])
    clean = clean_extraction(x)
    by_id = {e.id: e.name for e in clean.entities}
    assert all(r.source in by_id and r.target in by_id for r in clean.relations)
    assert ("Linriter Warehousing Tbk", "Teklin Trade OJSC") in {
        (by_id[r.source], by_id[r.target]) for r in clean.relations}
    assert sqlite_store.upsert_extraction(x).added


@pytest.mark.parametrize("name", ["Ministry of Trade and Integration", "Belt and Road",
                                  "German Fashion and Textile Association"])
def test_one_name_with_and_inside_stays_whole(name: str) -> None:
    x = report(f"The delegation met the {name}.", entities={"o": ("Organization", name)})
    assert names(clean_extraction(x)) == {name: "Organization"}


def test_the_store_never_holds_what_hygiene_drops(sqlite_store: SqliteStore) -> None:
    x = report("The delegation tasted Kazakh honey. Aksu Dairy LLP sold Eur 480,000 of milk.",
               entities={"h": ("Person", "Kazakh honey"), "m": ("Organization", "Eur 480,000"),
                         "a": ("Organization", "Aksu Dairy LLP")})
    sqlite_store.upsert_extraction(x)
    stored = {e.name for e in sqlite_store.search_entities(None, limit=100)}
    assert stored == {"Aksu Dairy LLP"}
