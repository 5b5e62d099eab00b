"""Hostile and careless input to the readers and the batch pipeline (issue 9).

Every bad input is generated here, never committed. Each test reproduces one
defect from the issue and checks the clear error and that nothing else is
lost. The regex check is the one timed assertion the issue asks for (1 MB of
adversarial text per reader regex in at most 1 s of CPU); a quadratic
pattern takes minutes there, so the margin is wide.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import cli
from graph.model import Document, ExtractedEntity, ExtractedRelation, Extraction, Span
from ingest import readers
from ingest.pipeline import extract_document, text_pieces
from ingest.read_worker import ReadWorker
from ingest.readers import ReadError, iter_report_paths, read_bytes

MB = 1_000_000

# For each reader regex, the inputs that would make a backtracking pattern
# rescan the rest of the text from every position. A new reader regex must
# be listed here (the first test fails until it is).
ATTACKS: dict[str, tuple[str, ...]] = {
    "_CONTROL": ("\x01", "a"),
    "_WORD": ("_a", "é"),
    "_CASE_FLIP": ("aA", "аБ"),
    "_MD_FRONT_MATTER": ("---\n", "\n---   x"),
    "_MD_FENCE": (" ", "\t`"),
    "_MD_HEADING": ("# ", " #"),
    "_MD_CLOSING_HASHES": (" #", "#\t"),
    "_MD_SETEXT": ("=", "- "),
    "_MD_RULE": ("- ", "*", "_ "),
    "_MD_QUOTE": (" ", ">"),
    "_MD_BULLET": (" ", "1."),
    "_MD_TABLE_CELL": (":-", "---:"),
    "_MD_LINK_DEF": ("[", " [a"),
    "_MD_IMAGE": ("![", "![a](", "(("),
    "_MD_LINK": ("[", "[a](", "[a][", "]("),
    "_MD_AUTOLINK": ("<http:", "<mailto:a"),
    "_MD_TAG": ("<a", "</a "),
    "_MD_CODE": ("`", "`a"),
    "_HTML_CHARSET": ("<meta charset", "<meta "),
    "_HTML_TAG": ("<a", "<a/", "</a "),
    "_SPACES": (" \u00a0", "\u3000"),
    "_DATE": ("1 ", "12 of ", "jul 1 ", "2023-", "1.1."),
}


def _reader_patterns() -> dict[str, re.Pattern[str] | re.Pattern[bytes]]:
    return {name: p for name, p in vars(readers).items() if isinstance(p, re.Pattern)}


def _adversarial(fragment: str) -> str:
    return (fragment * (MB // len(fragment) + 1))[:MB] + "\x00"


def test_every_reader_regex_is_listed_with_its_attacks() -> None:
    assert sorted(_reader_patterns()) == sorted(ATTACKS)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_reader_regex_finishes_a_megabyte_of_adversarial_text_within_a_second(name: str) -> None:
    pattern = _reader_patterns()[name]
    for fragment in ATTACKS[name]:
        text = _adversarial(fragment)
        subject: str | bytes = text.encode() if isinstance(pattern.pattern, bytes) else text
        started = time.process_time()
        for _ in pattern.finditer(subject):  # type: ignore[arg-type]
            pass
        pattern.match(subject)  # type: ignore[arg-type]
        assert time.process_time() - started <= 1.0, (name, fragment)


@pytest.mark.timeout(120)
def test_markdown_with_unpaired_emphasis_on_one_long_line_is_read() -> None:
    # A 60 KB line like this took 24.6 s with the lazy emphasis regex.
    line = "**a *b _c __d [e ![f <g `h " * 40_000
    doc = read_bytes("long.md", f"# Title\n\n{line}\n\nThe **bold** and *soft* words.".encode())
    assert doc.text.endswith("The bold and soft words.")
    assert doc.title == "Title"


def test_markdown_emphasis_is_still_removed() -> None:
    doc = read_bytes("e.md", b"Met **the Chamber** and *the Ministry* and _ICEX_ in snake_case_name, a * b.")
    assert doc.text == "Met the Chamber and the Ministry and ICEX in snake_case_name, a * b."


def test_deeply_nested_html_is_refused_at_once() -> None:
    # 10 MB of nested divs ran for most of an hour.
    n = 1_000_000
    html = ("<html><body>" + "<div>" * n + "x" + "</div>" * n + "</body></html>").encode()
    with pytest.raises(ReadError, match="nests elements more than"):
        read_bytes("deep.html", html)


def test_html_with_unclosed_paragraphs_and_void_elements_is_read() -> None:
    body = "<p>Line<br><img src=x>" * 2000
    doc = read_bytes("sloppy.html", f"<html><body>{body}</body></html>".encode())
    assert doc.text.count("Line") == 2000


def _docx_bytes(extra: dict[str, bytes] | None = None, paragraphs: int = 1) -> bytes:
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                paras = b"<w:p><w:r><w:t>A paragraph.</w:t></w:r></w:p>" * paragraphs
                data = data.replace(b"<w:body>", b"<w:body>" + paras, 1)
            dst.writestr(item, data)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


def test_docx_zip_bomb_is_refused_before_it_is_inflated() -> None:
    bomb = _docx_bytes({"word/media/bomb.xml": b"\0" * (readers.DOCX_MAX_EXPANDED_BYTES + 1)})
    assert len(bomb) < 1_000_000  # small on disk
    with pytest.raises(ReadError, match="zip bomb"):
        read_bytes("bomb.docx", bomb)


def test_docx_with_thousands_of_parts_is_refused() -> None:
    many = _docx_bytes({f"bloat/part{i}.xml": b"<a/>" for i in range(readers.DOCX_MAX_ENTRIES + 1)})
    with pytest.raises(ReadError, match="parts"):
        read_bytes("many.docx", many)


@pytest.mark.timeout(120)
def test_docx_with_many_paragraphs_is_read_or_refused_quickly() -> None:
    # 33k paragraphs in a 41 KB file took 104 s (a style lookup per paragraph).
    doc = read_bytes("long.docx", _docx_bytes(paragraphs=10_000))
    assert doc.text.count("A paragraph.") == 10_000
    with pytest.raises(ReadError, match="paragraphs and tables"):
        read_bytes("longer.docx", _docx_bytes(paragraphs=readers.DOCX_MAX_BLOCKS + 1))


def test_pdf_with_more_pages_than_the_budget_is_refused() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(readers.PDF_MAX_PAGES + 1):
        writer.add_blank_page(width=72, height=72)
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(ReadError, match="more than 2,000 pages"):
        read_bytes("pages.pdf", buf.getvalue())


@pytest.mark.timeout(120)
def test_a_file_over_its_reading_budget_fails_alone_and_the_next_is_read(tmp_path: Path) -> None:
    # Legacy-encoded text makes the reader guess the code page word by word:
    # seconds for a few megabytes, so a budget of 0.3 s stops it.
    slow = tmp_path / "slow.txt"
    slow.write_bytes("Café Zürich déjà vu à Málaga. ".encode("cp1252") * 150_000)
    good = tmp_path / "good.txt"
    good.write_text("The Polish chamber met the Vietnamese ministry in Hanoi.")
    with ReadWorker(0.3) as worker:
        worker.read_path(good)  # the worker is up before the clock starts
        with pytest.raises(ReadError, match=r"reading took longer than 0.3 s") as err:
            worker.read_path(slow)
        assert str(err.value).startswith(str(slow))
        assert "Hanoi" in worker.read_path(good).text


def test_a_symlink_loop_is_walked_once_and_reported(tmp_path: Path) -> None:
    (tmp_path / "reports" / "inner").mkdir(parents=True)
    (tmp_path / "reports" / "inner" / "a.txt").write_text("A report.")
    (tmp_path / "reports" / "inner" / "loop").symlink_to(tmp_path / "reports")
    (tmp_path / "reports" / "self").symlink_to("self")
    (tmp_path / "reports" / "figures.xlsx").write_bytes(b"PK")
    skipped: list[ReadError] = []
    found = list(iter_report_paths([tmp_path / "reports"], skipped))
    assert found == [tmp_path / "reports" / "inner" / "a.txt"]
    reasons = {Path(e.path).name: e.reason for e in skipped}
    assert "already walked" in reasons["loop"]
    assert "not a supported report type (.xlsx)" in reasons["figures.xlsx"]


def test_a_db_that_is_not_sqlite_gets_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("these are my notes, not a database\n" * 100)
    result = CliRunner().invoke(cli, ["stats", "--db", str(bad)])
    assert result.exit_code == 2
    message = " ".join(result.output.split())  # rich wraps the one line at the terminal width
    assert message.startswith("error: cannot use") and message.endswith("file is not a database")
    assert "Traceback" not in result.output


# --- texts longer than the NLP model takes -----------------------------------------------


@dataclass
class _Nlp:
    max_length: int


class _NameFinder:
    """An extractor that finds "Atameken" and "Ministry" mentions, and refuses
    (like spaCy's E088) any text longer than its model's limit."""

    version = "test"

    def __init__(self, max_length: int):
        self.nlp = _Nlp(max_length)

    def extract(self, doc: Document) -> Extraction:
        if len(doc.text) > self.nlp.max_length:
            raise ValueError("[E088] Text of length exceeds maximum")
        entities = []
        for n, name in enumerate(("Atameken", "Ministry")):
            spans = [Span(m.start(), m.end(), name) for m in re.finditer(name, doc.text)]
            if spans:
                entities.append(ExtractedEntity(id=f"e{n}", type="Organization", name=name, mentions=spans))
        relations = []
        if len(entities) == 2:
            first = entities[0].mentions[0]
            relations.append(ExtractedRelation(type="MET_WITH", source="e0", target="e1", confidence=1.0,
                                               evidence=[first]))
        return Extraction(document=doc, entities=entities, relations=relations, extractor=self.version)

    def extract_many(self, docs: object, *, n_process: int = 1, batch_size: int = 32) -> object:
        return (self.extract(d) for d in docs)  # type: ignore[attr-defined]


def test_a_text_longer_than_the_model_limit_is_extracted_in_pieces() -> None:
    text = ("Atameken met the Ministry.\n\n" + "Filler words here. " * 30 + "\n") * 20
    doc = Document(id="d", source="long.txt", text=text)
    x = extract_document(_NameFinder(max_length=500), doc)
    names = {e.name: e for e in x.entities}
    assert set(names) == {"Atameken", "Ministry"}  # one entity per name across the pieces
    assert len(names["Atameken"].mentions) == 20
    for entity in x.entities:
        for span in entity.mentions:
            assert text[span.start:span.end] == span.text == entity.name
    for relation in x.relations:
        for span in relation.evidence:
            assert text[span.start:span.end] == span.text


def test_text_pieces_cover_the_text_and_respect_the_limit() -> None:
    text = "word " * 1000 + "x" * 700
    pieces = text_pieces(text, 300)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(end - start <= 300 for start, end in pieces)
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:], strict=False))
