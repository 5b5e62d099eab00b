"""Shared fixtures. Each block below belongs to one area; keep blocks separate."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "reports"
# The annotated corpus sits beside the checkout; tests that need it skip without it.
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"annotated corpus not found at {CORPUS}")
    return CORPUS


# --- stores: the contract suite runs on every backend listed here ----------------
# A backend adds itself with a factory taking (request, tmp_path) and returning an
# open store on an empty graph; it may pytest.skip() when its server is absent.

from collections.abc import Callable, Iterator  # noqa: E402

from graph.sqlite_store import SqliteStore  # noqa: E402
from graph.store import Store  # noqa: E402

StoreFactory = Callable[[pytest.FixtureRequest, Path], Store]


def _sqlite_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return SqliteStore(tmp_path / "tradekg.db")


STORE_FACTORIES: dict[str, StoreFactory] = {"sqlite": _sqlite_store}


@pytest.fixture(params=list(STORE_FACTORIES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = STORE_FACTORIES[request.param](request, tmp_path)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "tradekg.db")
    try:
        yield s
    finally:
        s.close()


# --- extraction (ingest/extract.py) --------------------------------------------
# One spaCy model per test session: loading it is the slow part.


@pytest.fixture(scope="session")
def extractor() -> object:
    from ingest.extract import Extractor

    return Extractor()
