from __future__ import annotations

import pytest

from graph.sectors import (
    DIVISIONS,
    SECTIONS,
    division_title,
    find_sectors,
    normalise_sector,
    same_section,
    section_of,
)


def test_every_division_belongs_to_exactly_one_section() -> None:
    for code in DIVISIONS:
        owners = [s for s, (_t, a, b) in SECTIONS.items() if a <= int(code) <= b]
        assert len(owners) == 1, code
    assert len(SECTIONS) == 21
    assert len(DIVISIONS) == 88


@pytest.mark.parametrize(("text", "code"), [
    ("auto parts", "45"), ("automotive", "29"), ("Automobile", "29"), ("motorcycle", "30"),
    ("biomedicine", "21"), ("pharmaceuticals", "21"), ("industrial machinery", "28"),
    ("chemical products", "20"), ("software", "62"), ("telecommunications", "61"),
    ("crude oil", "06"), ("oil refining", "19"), ("steel", "24"), ("coal", "05"),
    ("textiles", "13"), ("construction", "41"), ("logistics", "52"),
    ("cargo distribution", "52"), ("agriculture", "01"), ("food processing", "10"),
    ("renewable energy", "35"), ("tourism", "79"), ("banking", "64"), ("education", "85"),
    ("healthcare", "86"),
])
def test_everyday_industry_words_map_to_their_isic_division(text: str, code: str) -> None:
    assert normalise_sector(text) == code


def test_codes_and_phrases_are_accepted() -> None:
    assert normalise_sector("29") == "29"
    assert normalise_sector("C2910") == "29"
    assert normalise_sector("the iron and steel industry") == "24"
    assert normalise_sector("knitting circles") is None
    assert normalise_sector("99999") is None


def test_titles_and_sections() -> None:
    assert division_title("61") == "Telecommunications"
    assert section_of("29") == "C"
    assert section_of("45") == "G"
    assert same_section("29", "30")
    assert not same_section("29", "45")
    with pytest.raises(KeyError):
        division_title("04")


def test_find_sectors_prefers_the_longest_term_and_gives_spans() -> None:
    text = "engaged in automobile, motorcycle & spare parts, and chemical products"
    found = find_sectors(text)
    assert [(text[s:e], c) for s, e, c in found] == [
        ("automobile", "29"), ("motorcycle & spare parts", "30"), ("chemical products", "20"),
    ]


def test_weak_terms_can_be_left_out() -> None:
    assert find_sectors("they had the power to decide", weak=False) == []
    assert find_sectors("it was late") == []  # "IT" counts only in capitals


@pytest.mark.parametrize(("text", "code"), [
    ("an Almaty parts distributor", "45"), ("spare parts", "45"), ("car dealer", "45"),
    ("a motorcycle dealer network", "45"), ("importers of used cars", "45"),
    ("a Minsk-based maker of tractors", "28"), ("combine harvesters", "28"),
    ("distribution transformers", "27"), ("a German rail operator", "49"),
    ("the country's largest dairy producer", "10"), ("sugar refining", "10"),
])
def test_trade_report_phrasing_for_who_sells_or_makes_what(text: str, code: str) -> None:
    assert normalise_sector(text) == code


def test_the_head_of_a_hyphenated_compound_names_the_industry() -> None:
    assert [c for _s, _e, c in find_sectors("a food-machinery mission")] == ["28"]
    assert [c for _s, _e, c in find_sectors("a home-textile brand")] == ["13"]
    # The modifier before a hyphen is no industry of its own: "Minsk-based".
    assert find_sectors("a Minsk-based trader") == []
