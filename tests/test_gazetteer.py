from __future__ import annotations

import pytest

from graph import gazetteer
from graph.gazetteer import country_code, country_name, demonym_country, find_place


@pytest.mark.parametrize(("name", "code"), [
    ("Russia", "RU"), ("Russian Federation", "RU"), ("South Korea", "KR"), ("Iran", "IR"),
    ("Soviet Union", "RU"), ("USSR", "RU"), ("West Germany", "DE"), ("Yugoslavia", "RS"),
    ("KAZAKHSTAN", "KZ"), ("KZ", "KZ"), ("BLR", "BY"), ("the Netherlands", "NL"),
])
def test_country_names_codes_and_historical_forms(name: str, code: str) -> None:
    assert country_code(name) == code


def test_non_countries_have_no_code() -> None:
    assert country_code("Minsk") is None
    assert country_code("Chamber") is None


def test_country_name_is_the_short_common_name() -> None:
    assert country_name("KR") == "South Korea"
    assert country_name("by") == "Belarus"


@pytest.mark.parametrize(("word", "code"), [
    ("Belarusian", "BY"), ("Kazakh", "KZ"), ("Chinese", "CN"), ("Ghanaian", "GH"),
    ("Iranian", "IR"), ("French", "FR"), ("Kenyan", "KE"), ("Yugoslavian", "RS"),
])
def test_demonyms_name_their_country(word: str, code: str) -> None:
    assert demonym_country(word) == code


def test_cities_carry_their_country_and_old_spellings_resolve() -> None:
    peking = find_place("Peking")
    assert peking is not None and (peking.name, peking.kind, peking.country) == ("Beijing", "city", "CN")
    for name, cc in [("Astana", "KZ"), ("Minsk", "BY"), ("Tehran", "IR"), ("Bonn", "DE")]:
        place = find_place(name)
        assert place is not None and place.kind == "city" and place.country == cc


def test_regions_with_or_without_their_type_word() -> None:
    for name in ("Fujian Province", "Fujian", "FUJIAN PROVINCE"):
        place = find_place(name)
        assert place is not None and place.kind == "region" and place.country == "CN"


def test_countries_win_over_cities_of_the_same_name() -> None:
    place = find_place("Georgia")
    assert place is not None and place.kind == "country" and place.country == "GE"


def test_unknown_names_are_not_places() -> None:
    assert find_place("Minsk National Airport") is None
    assert find_place("") is None


def test_a_country_whose_code_iso_leaves_to_users_is_still_a_place():
    # Kosovo's XK is not in ISO 3166-1 proper; a report naming it must not fail.
    assert gazetteer.country_code("Kosovo") == "XK"
    assert [(p.name, p.country) for p in gazetteer.place_candidates("Kosovo")] == [("Kosovo", "XK")]
