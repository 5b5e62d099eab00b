"""The sector normaliser's coverage: several ISIC divisions per term, ranked
by how specific the match is, and enough product and industry terms for
what trade reports name."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.sectors import _LEXICON, ALSO, DIVISIONS, PRODUCTS, normalise_sector, sector_codes
from graph.sqlite_store import SqliteStore
from ingest.pipeline import ingest_paths
from queries.common import sector_filters
from queries.recommend import recommend_contacts

TERMS = sorted({t for terms in _LEXICON.values() for t in terms} | set(PRODUCTS))


def test_the_lexicon_has_at_least_500_product_and_industry_terms() -> None:
    assert len(TERMS) >= 500


@pytest.mark.parametrize("term", TERMS)
def test_every_term_names_a_division(term: str) -> None:
    code = normalise_sector(term)
    assert code in DIVISIONS, term
    assert all(c in DIVISIONS for c in sector_codes(term))


def test_every_second_division_is_a_real_one() -> None:
    assert all(c in DIVISIONS for codes in ALSO.values() for c in codes)


@pytest.mark.parametrize(("term", "codes"), [
    ("auto parts", {"29", "45"}),
    ("vehicle parts", {"29", "45"}),
    ("gearboxes", {"29", "28"}),
    ("dairy", {"10", "01"}),
    ("logistics", {"52", "49"}),
])
def test_a_term_maps_to_every_division_it_belongs_to(term: str, codes: set[str]) -> None:
    assert codes <= set(sector_codes(term))


def test_the_most_specific_term_ranks_first() -> None:
    # "dairy equipment" is machinery before it is dairy.
    assert sector_codes("dairy equipment")[0] == "28"
    assert sector_codes("Belarusian makers of auto parts")[:2] == ["45", "29"]
    assert sector_codes("unheard-of things") == []


def test_queries_read_every_division_of_a_term_but_one_for_a_code() -> None:
    assert set(sector_filters("auto parts")) == {"45", "29"}
    assert sector_filters("29") == ["29"]
    assert sector_filters("sector-45") == ["45"]


def test_recommend_offers_the_china_belarus_park_to_the_chongqing_commission(
        examples_dir: Path, extractor: object, tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "examples.db")
    try:
        ingest_paths(store, sorted(examples_dir.glob("*")), extractor=extractor)  # type: ignore[arg-type]
        found = recommend_contacts(store, "Chongqing Municipal Commission of Commerce", ["Belarus"], ["machinery"])
        names = [r.entity.name for r in found]
    finally:
        store.close()
    assert any("China-Belarus Industrial Park" in n for n in names), names
