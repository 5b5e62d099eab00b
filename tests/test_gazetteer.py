from __future__ import annotations

from pathlib import Path

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


def test_the_city_table_is_built_once_and_read_back_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEKG_CACHE_DIR", str(tmp_path))
    path = gazetteer.city_cache_path()
    assert path.parent == tmp_path and not path.exists()
    built = gazetteer._build_city_candidates()
    gazetteer._write_city_cache(path, built)
    assert gazetteer._read_city_cache(path) == built
    peking = built["peking"][0]
    assert (peking.name, peking.country, peking.alternate) == ("Beijing", "CN", True)


def test_a_broken_city_cache_is_built_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEKG_CACHE_DIR", str(tmp_path))
    path = gazetteer.city_cache_path()
    path.write_bytes(b"half a pickle")
    assert gazetteer._read_city_cache(path) is None
    # A cache directory that cannot be made (here: under a file) is no error.
    (tmp_path / "a-file").write_text("")
    unwritable = tmp_path / "a-file" / "cache" / path.name
    gazetteer._write_city_cache(unwritable, {})
    assert not unwritable.exists()
