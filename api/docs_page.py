"""``/docs``: Swagger UI from npm (``swagger-ui-dist``, like Cytoscape.js),
never from a CDN, so the API's documentation renders offline and under a
Content-Security-Policy without inline scripts."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse

from api.problems import ProblemError

STATIC_DIR = Path(__file__).resolve().parent / "static"
# The only files of the package the page needs, with their media types.
SWAGGER_FILES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


def install(app: FastAPI, node_modules: Path) -> None:
    """Serve ``/docs`` on ``app`` (created with ``docs_url=None``)."""
    swagger_dir = node_modules / "swagger-ui-dist"

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(STATIC_DIR / "docs.html", media_type="text/html")

    @app.get("/vendor/swagger-ui/{name}", include_in_schema=False)
    def swagger_file(name: str) -> FileResponse:
        media_type = SWAGGER_FILES.get(name)
        if media_type is None:
            raise ProblemError(404, f"no file {name!r}")
        path = swagger_dir / name
        if not path.is_file():
            raise ProblemError(404, "swagger-ui-dist is not installed: run `npm ci` (or `make setup`) in the checkout")
        return FileResponse(path, media_type=media_type)
