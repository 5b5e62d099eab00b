"""The HTTP API and the explorer page.

``create_app(store_url)`` builds the application; the module-level ``app``
(for ``uvicorn api.app:app``) opens ``$TRADEKG_STORE`` / ``$TRADEKG_DB`` /
``data/tradekg.db``. Routes live in ``api/routes_*.py``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from api import docs_page, routes_documents, routes_entities, routes_export, routes_queries, routes_sparql
from api.config import Settings
from api.guards import BodyGuard, SecurityHeaders
from api.problems import ProblemError, install_problem_handlers
from api.routes_corrections import router as corrections_router
from api.routes_resolution import install as install_resolution_routes
from api.schemas import Health
from api.state import AppState
from ingest.pipeline import ExtractorLike

STATIC_DIR = Path(__file__).resolve().parent / "static"
# Cytoscape.js comes from npm (`npm ci` in `make setup`), never from a CDN:
# the checkout's node_modules, or where $TRADEKG_NODE_MODULES says (an
# installed package has no checkout beside it; the Docker image sets it).
_NODE_MODULES = Path(os.environ.get("TRADEKG_NODE_MODULES") or Path(__file__).resolve().parent.parent / "node_modules")
CYTOSCAPE_JS = _NODE_MODULES / "cytoscape" / "dist" / "cytoscape.min.js"


def _version() -> str:
    try:
        return version("tradekg")
    except PackageNotFoundError:
        return "0"


def create_app(
    store_url: str | None = None, *, settings: Settings | None = None, extractor: ExtractorLike | None = None
) -> FastAPI:
    """The API over the store at ``store_url`` (default: from the environment).
    ``settings`` replaces the environment's; ``extractor`` an already loaded one."""
    settings = settings or Settings.from_env()
    if store_url is not None:
        settings = replace(settings, store_url=store_url)
    state = AppState(settings, extractor=extractor)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        state.start_prewarm()
        yield
        state.close()

    app = FastAPI(
        title="tradekg",
        version=_version(),
        description="A knowledge graph of trade relationships built from trade-mission reports: "
        "who met whom, partner candidates, contacts for the next mission, exports, SPARQL.",
        lifespan=lifespan,
        docs_url=None,  # api.docs_page serves it from npm, not a CDN
    )
    app.state.tradekg = state
    install_problem_handlers(app)
    # Added last is outermost: security headers wrap everything, CORS answers
    # preflights, and bodies are guarded before any route reads them.
    app.add_middleware(BodyGuard, settings=settings)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    app.add_middleware(SecurityHeaders)

    @app.get("/health", response_model=Health, tags=["meta"])
    def health() -> Health:
        """Liveness: answers without touching the store."""
        return Health(version=_version())

    for module in (routes_documents, routes_entities, routes_queries, routes_export, routes_sparql):
        app.include_router(module.router)
    app.include_router(corrections_router)
    docs_page.install(app, _NODE_MODULES)
    install_resolution_routes(app)  # X-Matched-Entity, 409 on an ambiguous name, near-duplicates

    @app.get("/", include_in_schema=False)
    def explorer() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    @app.get("/vendor/cytoscape.min.js", include_in_schema=False)
    def cytoscape_js() -> FileResponse:
        if not CYTOSCAPE_JS.is_file():
            raise ProblemError(404, "cytoscape is not installed: run `npm ci` (or `make setup`) in the checkout")
        return FileResponse(CYTOSCAPE_JS, media_type="text/javascript")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


app = create_app()
