"""Property-based checks of the whole HTTP API against its own OpenAPI
document: generated requests (valid and invalid) never get a 5xx, and
answers match what /openapi.json promises."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from api.app import create_app
from api.cli import load_extractor
from api.config import Settings
from graph.store import open_store
from ingest.pipeline import ingest_paths

KEY = "fuzz-key"

# The schema is loaded when the module is collected; the app opens its store
# only on the first request, so the file is filled by the fixture below first.
_DIR = Path(tempfile.mkdtemp(prefix="tradekg-fuzz-"))
_DB = _DIR / "graph.db"
# A short SPARQL time limit keeps a generated pathological query from holding
# the run; it then answers 504, which is documented.
app = create_app(str(_DB), settings=Settings(api_key=KEY, sparql_timeout_s=5), extractor=None)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schemathesis.serializer("application/sparql-query")
def _sparql_body(ctx: object, value: object) -> bytes:
    # The SPARQL protocol's POST body is the query text itself.
    return str(value).encode("utf-8")


@pytest.fixture(scope="module", autouse=True)
def example_graph(examples_dir: Path) -> Iterator[None]:
    store = open_store(_DB)
    try:
        ingest_paths(store, [examples_dir], extractor=load_extractor())
    finally:
        store.close()
    app.state.tradekg._extractor = load_extractor()  # the one already loaded, not a second spaCy
    yield
    app.state.tradekg.close()
    shutil.rmtree(_DIR, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_never_answers_5xx_and_keeps_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(
        headers={"X-API-Key": KEY},
        checks=[
            checks.not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance,
        ],
    )
