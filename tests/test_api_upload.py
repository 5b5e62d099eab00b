"""``POST /documents``: multi-file upload through the real extractor."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import load_extractor
from api.config import Settings

KEY = "upload-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
REPORT = "2022-05-atameken-delegation-to-chongqing.md"


def client(db: Path, **settings: object) -> TestClient:
    app = create_app(str(db), settings=Settings(api_key=KEY, **settings),  # type: ignore[arg-type]
                     extractor=load_extractor())
    return TestClient(app)


@pytest.fixture
def report(examples_dir: Path) -> tuple[str, bytes]:
    path = examples_dir / REPORT
    if not path.is_file():
        pytest.skip("example reports missing")
    return path.name, path.read_bytes()


def test_upload_ingests_good_files_and_explains_bad_ones(tmp_path: Path, report: tuple[str, bytes]) -> None:
    name, data = report
    files = [
        ("files", (name, data, "text/markdown")),
        ("files", ("broken.pdf", b"not a pdf at all", "application/pdf")),
        ("files", ("notes.txt", b"The Polish chamber met the Vietnamese ministry in Hanoi.", "text/plain")),
    ]
    with client(tmp_path / "g.db") as c:
        r = c.post("/documents", files=files, headers=AUTH)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["ok"] is False
        assert body["documents_added"] == 2
        by_name = {f["name"]: f for f in body["files"]}
        assert by_name[name]["ok"] and by_name[name]["added"] and by_name[name]["relations_added"] > 0
        assert by_name["broken.pdf"]["ok"] is False and by_name["broken.pdf"]["error"]
        assert c.get("/stats").json()["documents"] == 2
        # The same report again changes nothing.
        again = c.post("/documents", files=[("files", (name, data, "text/markdown"))], headers=AUTH).json()
        assert again["ok"] and again["documents_unchanged"] == 1 and again["files"][0]["added"] is False
        # What was uploaded can be found and read back.
        atameken = c.get("/entities", params={"q": "Atameken"}).json()["items"]
        assert atameken
        doc = c.get(f"/documents/{by_name[name]['doc_id']}").json()
        assert "Atameken" in doc["text"]


def test_upload_needs_the_write_key(tmp_path: Path, report: tuple[str, bytes]) -> None:
    with client(tmp_path / "g.db") as c:
        r = c.post("/documents", files=[("files", report)])
        assert r.status_code == 401
        assert r.headers["content-type"].startswith("application/problem+json")
        assert c.get("/stats").json()["documents"] == 0


def test_upload_over_the_size_limit_is_refused_per_file(tmp_path: Path, report: tuple[str, bytes]) -> None:
    with client(tmp_path / "g.db", max_upload_bytes=1000) as c:
        body = c.post("/documents", files=[("files", ("big.txt", b"x" * 5000, "text/plain")),
                                           ("files", ("small.txt", b"Kazakh delegation met Minsk.", "text/plain"))],
                      headers=AUTH).json()
        big, small = body["files"]
        assert big["ok"] is False and "upload limit" in big["error"]
        assert small["ok"] is True


def test_upload_without_files_is_a_422_problem(tmp_path: Path) -> None:
    with client(tmp_path / "g.db") as c:
        r = c.post("/documents", headers=AUTH)
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("application/problem+json")
