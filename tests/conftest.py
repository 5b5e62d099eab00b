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
