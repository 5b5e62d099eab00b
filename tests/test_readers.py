"""Reading report files: every format, encodings, dates, and one clear error per bad file."""

from __future__ import annotations

import os
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from graph.model import document_id
from ingest.readers import (
    SUPPORTED_SUFFIXES,
    ReadError,
    iter_report_paths,
    parse_date,
    read_bytes,
    read_document,
)

REPORT = (
    "The Chongqing business delegation met with the Ministry of Economy of Belarus. "
    "Liang Wenbo, deputy director of the Chongqing Municipal Commission of Commerce, "
    "signed a memorandum of understanding with the Belarusian Chamber of Commerce and Industry."
)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def make_pdf(tmp_path: Path, lines: list[str], *, title: str | None = None) -> Path:
    pdf = FPDF()
    pdf.add_page()
    if title:
        pdf.set_title(title)
    pdf.set_font("helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "report.pdf"
    path.write_bytes(bytes(pdf.output()))
    return path


def assert_read_error(path: Path | str, reason_part: str) -> ReadError:
    with pytest.raises(ReadError) as info:
        read_document(path)
    err = info.value
    assert err.path == str(path)
    assert reason_part in err.reason
    assert str(err) == f"{path}: {err.reason}"
    assert "\n" not in str(err)
    return err


# --- formats --------------------------------------------------------------------


def test_plain_text_report_keeps_its_sentences_and_title(tmp_path: Path) -> None:
    path = write(tmp_path, "mission.txt", f"Mission to Minsk\n\n3 July 2023\n\n{REPORT}\n")
    doc = read_document(path)
    assert doc.source == str(path)
    assert doc.title == "Mission to Minsk"
    assert doc.date == "2023-07-03"
    assert REPORT in doc.text
    assert doc.id == document_id(doc.text)


def test_markdown_markup_is_removed_and_offsets_point_into_the_returned_text(tmp_path: Path) -> None:
    md = (
        "---\ntitle: Front matter title\ndate: 2022-05-18\n---\n"
        "# The **Kazakh** delegation in Chongqing\n\n"
        "The delegation met with the [National “Atameken” Chamber of Entrepreneurs](https://atameken.kz).\n\n"
        "- Kazakh Grain Export LLP\n- *Aksu Dairy LLP*\n\n"
        "| company | value |\n|---|---|\n| Kazakh Grain Export LLP | USD 9.8 million |\n"
    )
    doc = read_document(write(tmp_path, "m.md", md))
    assert doc.title == "Front matter title"
    assert doc.date == "2022-05-18"
    for marker in ("**", "](", "https://", "# ", "---", "|---"):
        assert marker not in doc.text
    sentence = "The delegation met with the National “Atameken” Chamber of Entrepreneurs."
    start = doc.text.index(sentence)
    assert doc.text[start:start + len(sentence)] == sentence
    assert "Aksu Dairy LLP" in doc.text.split("\n")
    assert "Kazakh Grain Export LLP | USD 9.8 million" in doc.text


def test_markdown_title_falls_back_to_the_first_heading(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "m.md", "# Belarusian machine builders in Tashkent\n\nText, 27 April 2023.\n"))
    assert doc.title == "Belarusian machine builders in Tashkent"
    assert doc.date == "2023-04-27"


HTML_PAGE = """<!doctype html><html><head><title>Site title | Agency</title>
<meta property="article:published_time" content="2023-02-24T09:30:00+03:00">
<script>var tracking = "SCRIPT TEXT";</script><style>.x{color:red}</style></head>
<body><header><a href="/">AGENCY LOGO</a><nav><a>NAV ABOUT US</a><a>NAV CONTACT</a></nav></header>
<aside>SIDEBAR RELATED NEWS</aside>
<main><article><header><h1>Kenyan exporters at Gulfood</h1></header>
<p>The delegation met with <b>Dubai Chambers</b>.<br>It visited the Jebel Ali Free Zone.</p>
<ul><li>Kericho Highlands Tea Ltd</li><li>Rift Valley Avocado Growers</li></ul>
<form>FORM SEARCH BOX</form><footer>ARTICLE SHARE LINKS</footer></article></main>
<footer>SITE COPYRIGHT</footer></body></html>"""


def test_html_keeps_the_article_and_drops_navigation(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "page.html", HTML_PAGE))
    assert doc.title == "Kenyan exporters at Gulfood"
    assert doc.date == "2023-02-24"
    assert "The delegation met with Dubai Chambers." in doc.text
    lines = doc.text.split("\n")
    assert "It visited the Jebel Ali Free Zone." in lines
    assert "Kericho Highlands Tea Ltd" in lines and "Rift Valley Avocado Growers" in lines
    for furniture in ("SCRIPT", "color:red", "LOGO", "NAV", "SIDEBAR", "FORM", "SHARE", "COPYRIGHT"):
        assert furniture not in doc.text


def test_html_without_article_uses_body_title_tag_and_time_element(tmp_path: Path) -> None:
    page = ("<html><head><title>Delegation news</title></head><body><nav>MENU</nav>"
            "<div><p>Posted <time datetime='2021-06-15'>last Tuesday</time></p><p>The delegation met Kazakh Invest.</p></div>"
            "</body></html>")
    doc = read_document(write(tmp_path, "page.htm", page))
    assert doc.title == "Delegation news"
    assert doc.date == "2021-06-15"
    assert "The delegation met Kazakh Invest." in doc.text
    assert "MENU" not in doc.text


def test_pdf_text_and_metadata_title_are_read(tmp_path: Path) -> None:
    path = make_pdf(tmp_path, ["Mission report, 12 March 2024", REPORT], title="Brazil mission to Egypt")
    doc = read_document(path)
    assert doc.title == "Brazil mission to Egypt"
    assert doc.date == "2024-03-12"
    assert "Ministry of Economy of Belarus" in doc.text
    assert "memorandum of understanding" in " ".join(doc.text.split())


def test_docx_paragraphs_and_tables_are_read_in_order(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_heading("Vietnamese textile mission to Frankfurt", level=1)
    d.add_paragraph("Hanoi, 22 January 2025")
    d.add_paragraph(REPORT)
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Company", "Contract"
    table.cell(1, 0).text, table.cell(1, 1).text = "Nam Dinh Weaving Co., Ltd.", "EUR 3.4 million"
    d.add_paragraph("Closing paragraph after the table.")
    path = tmp_path / "report.docx"
    d.save(str(path))

    doc = read_document(path)
    assert doc.title == "Vietnamese textile mission to Frankfurt"
    assert doc.date == "2025-01-22"
    assert REPORT in doc.text
    assert "Nam Dinh Weaving Co., Ltd. | EUR 3.4 million" in doc.text
    assert doc.text.index(REPORT) < doc.text.index("Nam Dinh") < doc.text.index("Closing paragraph")


def test_upload_bytes_read_like_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "page.html", HTML_PAGE)
    from_file = read_document(path)
    uploaded = read_bytes("page.html", path.read_bytes())
    assert uploaded.source == "page.html"
    assert (uploaded.id, uploaded.text, uploaded.title, uploaded.date) == (
        from_file.id, from_file.text, from_file.title, from_file.date)


# --- encodings ------------------------------------------------------------------

CYRILLIC = ("Делегация Чунцина встретилась с Министерством экономики Беларуси. "
            "Стороны подписали меморандум о сотрудничестве в индустриальном парке «Великий камень».")
FRENCH = "Délégation à Genève : réunion très intéressante avec la Chambre de commerce, reçue par M. Müller."


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (CYRILLIC, "cp1251"),
        (FRENCH, "latin-1"),
        (FRENCH, "cp1252"),
        (CYRILLIC, "utf-16"),  # Python writes the byte-order mark
        (CYRILLIC, "utf-8-sig"),
        (FRENCH, "utf-8-sig"),
    ],
)
def test_encodings_are_detected_not_assumed(tmp_path: Path, text: str, encoding: str) -> None:
    doc = read_document(write(tmp_path, "r.txt", text.encode(encoding)))
    assert doc.text == text
    assert doc.id == document_id(text)


def test_same_text_gives_same_document_id_whatever_the_file(tmp_path: Path) -> None:
    a = read_document(write(tmp_path, "a.txt", REPORT.encode("utf-8")))
    b = read_document(write(tmp_path, "b.txt", ("\ufeff" + REPORT.replace(". ", ".  \r\n") + "\r\n").encode("utf-8")))
    c = read_document(write(tmp_path, "c.txt", REPORT.encode("utf-16")))
    other = read_document(write(tmp_path, "d.txt", REPORT.replace("Belarus", "Kazakhstan")))
    assert a.id == c.id
    assert a.id != other.id
    assert b.id == read_document(tmp_path / "b.txt").id


# --- bad input ------------------------------------------------------------------


def test_unsupported_suffix_is_named(tmp_path: Path) -> None:
    assert_read_error(write(tmp_path, "figures.xlsx", b"PK\x03\x04xx"), "not a supported report type (.xlsx)")


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    assert_read_error(write(tmp_path, "empty.txt", b""), "empty file")


def test_white_space_only_file_is_an_error(tmp_path: Path) -> None:
    assert_read_error(write(tmp_path, "blank.md", "\n   \n\t\n"), "no text")


@pytest.mark.parametrize(
    "data",
    [b"\x00\x01\x02ELF binary\x00" * 10, b"\x89PNG\r\n\x1a\n" + bytes(range(256)), b"%PDF-1.4 saved as text"],
)
def test_binary_data_in_a_text_file_is_refused(tmp_path: Path, data: bytes) -> None:
    assert_read_error(write(tmp_path, "notes.txt", data), "binary file, not text")


def test_undecodable_bytes_are_an_error(tmp_path: Path) -> None:
    assert_read_error(write(tmp_path, "garbled.txt", bytes(range(0x80, 0x100)) * 4), "cannot decode text (tried utf-8")


def test_file_over_the_size_limit_is_refused_with_both_sizes(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", REPORT * 100)
    with pytest.raises(ReadError) as info:
        read_document(path, max_bytes=10_000)
    assert "larger than" in info.value.reason and "MB" in info.value.reason
    assert read_document(path).text  # the default limit is 20 MB


def test_size_limit_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "big.txt", "x" * 3_000_000)
    monkeypatch.setenv("TRADEKG_MAX_BYTES", str(2 * 1024 * 1024))
    err = assert_read_error(path, "larger than 2 MB (2.9 MB)")
    assert err.reason == "larger than 2 MB (2.9 MB)"


def test_pdf_without_text_is_reported_as_scanned(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")  # a drawing, no text: what a scan looks like to pypdf
    path = tmp_path / "scan.pdf"
    path.write_bytes(bytes(pdf.output()))
    assert_read_error(path, "PDF has no extractable text (scanned?)")


def test_corrupt_pdf_is_an_error(tmp_path: Path) -> None:
    assert_read_error(write(tmp_path, "broken.pdf", b"%PDF-1.7\nthis is not really a pdf"), "PDF")


def test_corrupt_docx_is_an_error(tmp_path: Path) -> None:
    assert_read_error(write(tmp_path, "broken.docx", b"PK\x03\x04 truncated zip"), "corrupt DOCX")


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    assert_read_error(tmp_path / "nowhere.txt", "no such file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.txt", REPORT)
    path.chmod(0)
    assert_read_error(path, "permission denied")


def test_upload_with_unsupported_name_is_an_error() -> None:
    with pytest.raises(ReadError) as info:
        read_bytes("report.exe", b"MZ")
    assert str(info.value).startswith("report.exe: not a supported report type (.exe)")


# --- finding files --------------------------------------------------------------


def test_directories_are_walked_sorted_keeping_reports_and_skipping_hidden(tmp_path: Path) -> None:
    for rel in ["b.txt", "a.md", "sub/c.html", "sub/deeper/d.pdf", "sub/e.docx", "f.xlsx",
                ".hidden.txt", ".git/config.txt", "sub/.cache/g.txt", "h.HTM"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_report_paths([tmp_path])]
    assert found == ["a.md", "b.txt", "h.HTM", "sub/c.html", "sub/deeper/d.pdf", "sub/e.docx"]


def test_files_are_kept_as_given_even_when_missing(tmp_path: Path) -> None:
    given = [tmp_path / "missing.txt", str(tmp_path / "notes.xlsx")]
    assert [str(p) for p in iter_report_paths(given)] == [str(g) for g in given]


def test_supported_suffixes_cover_the_documented_formats() -> None:
    assert set(SUPPORTED_SUFFIXES) >= {".txt", ".md", ".html", ".htm", ".pdf", ".docx"}


# --- dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2023-07-03 14:58:59", "2023-07-03"),
        ("Published July 3, 2023 in Minsk", "2023-07-03"),
        ("Astana, 3 July 2023 -", "2023-07-03"),
        ("Sept. 12th, 2024", "2024-09-12"),
        ("on the 12th of March 2022", "2022-03-12"),
        ("Minsk, 03.07.2023", "2023-07-03"),
        ("2024/01/09", "2024-01-09"),
        ("2023-02-30 was a typo; 2023-03-01 was meant", "2023-03-01"),
    ],
)
def test_dates_are_parsed_to_iso(text: str, iso: str) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize("text", ["PEKING, March 31 -", "version 1.2.2023.5", "USD 10 million in 2023", ""])
def test_text_without_a_full_date_has_none(text: str) -> None:
    assert parse_date(text) is None


def test_report_date_is_the_first_date_near_the_top(tmp_path: Path) -> None:
    body = "Delegation news\n\nMinsk, 14 March 2024\n\n" + REPORT + "\nThe next mission is planned for 1 October 2024.\n"
    assert read_document(write(tmp_path, "r.txt", body)).date == "2024-03-14"
    late = "Delegation news\n\n" + (REPORT + "\n") * 10 + "Signed on 1 October 2024.\n"
    assert read_document(write(tmp_path, "late.txt", late)).date is None


def test_example_reports_all_read_with_title_and_date(examples_dir: Path) -> None:
    paths = list(iter_report_paths([examples_dir]))
    assert len(paths) >= 8
    docs = [read_document(p) for p in paths]
    assert all(d.title and d.date for d in docs)
    assert len({d.id for d in docs}) == len(docs)
    assert {p.suffix for p in paths} >= {".txt", ".md", ".html"}
