"""/docs: Swagger UI from the checkout's node_modules, no CDN (the page
rendering offline is checked in Chromium by tests/test_browser.py)."""

from __future__ import annotations

import re
from pathlib import Path

from api.app import _NODE_MODULES
from tests.test_api import client_for, write_example_graph


def test_docs_page_loads_swagger_ui_only_from_this_server(tmp_path: Path) -> None:
    assert (_NODE_MODULES / "swagger-ui-dist" / "swagger-ui-bundle.js").is_file(), "run `npm ci`"
    db = tmp_path / "graph.db"
    write_example_graph(db)
    with client_for(db) as c:
        page = c.get("/docs")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert sources and all(s.startswith("/") for s in sources), sources
        assert "<script>" not in page.text  # no inline script: the CSP refuses them
        for path in sources:
            assert c.get(path).status_code == 200, path
        assert "SwaggerUIBundle" in c.get("/vendor/swagger-ui/swagger-ui-bundle.js").text[:200_000]
        assert c.get("/vendor/swagger-ui/package.json").status_code == 404
        assert c.get("/openapi.json").json()["paths"]["/corrections"]
