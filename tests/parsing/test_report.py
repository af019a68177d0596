"""parse_report: one entry point for every kind of body, never raising, deciding the format."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import pytest

from govreports.parsing.report import ParsedReport, format_for_year, parse_report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TITLE = "某某区人民政府2019年政府信息公开工作年度报告"
HTML = (f"<html><head><meta charset='gb2312'><meta name='ArticleTitle' content='{TITLE}'></head><body>"
        "<div id='zoom'><p>一、总体情况</p><p>2019年，全区主动公开政府信息共计120条。</p></div></body></html>")


@pytest.mark.parametrize(("year", "expected"), [(2008, "pre2019"), (2018, "pre2019"), (2019, "2019"),
                                                (2020, "2019"), (2021, "2021"), (2024, "2021"), (None, "unknown")])
def test_format_follows_the_report_year_when_tables_say_nothing(year: int | None, expected: str) -> None:
    assert format_for_year(year) == expected


def test_gbk_html_bytes_are_decoded_and_parsed() -> None:
    report = parse_report(HTML.encode("gbk"), url="http://x.gov.cn/t.html", media_type="text/html")
    assert (report.title, report.report_year, report.format) == (TITLE, 2019, "2019")
    assert report.media_type == "text/html" and report.encoding == "gb18030"
    assert report.figures == {"active_total": 120}


def test_html_given_as_str_needs_no_decoding() -> None:
    report = parse_report(HTML, url="http://x.gov.cn/t.html")
    assert report.title == TITLE and report.encoding is None


def test_text_file_is_read_as_plain_text_even_when_it_holds_angle_brackets() -> None:
    body = f"{TITLE}\n一、总体情况\n《条例》<第十条>要求主动公开政府信息共计120条。\n".encode()
    report = parse_report(body, url="file:///tmp/report.txt", media_type="text/plain")
    assert report.media_type == "text/plain" and report.title == TITLE
    assert "<第十条>" in report.text


def test_declared_encoding_from_http_header_is_used_and_checked() -> None:
    body = f"{TITLE}\n正文。".encode("gbk")
    report = parse_report(body, url="file:///tmp/r.txt", media_type="text/plain", declared_encoding="utf-8")
    assert report.title == TITLE and report.encoding == "gb18030"
    assert any(warning.startswith("decode:") for warning in report.warnings)


def test_an_image_not_read_by_ocr_is_a_warning_not_a_crash() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    report = parse_report(png, url="http://x.gov.cn/scan.png")  # no OCR result handed in
    assert report.media_type == "image/png" and report.text == "" and report.format == "unknown"
    assert any("image: a scanned page; OCR is off or found nothing to read" in warning for warning in report.warnings)


def test_empty_body_gives_an_empty_report() -> None:
    report = parse_report(b"", url="http://x.gov.cn/empty.html", media_type="text/html")
    assert report.title == "" and report.text == "" and report.warnings


def test_result_is_frozen_and_carries_every_item_field() -> None:
    report = parse_report(HTML, url="http://x.gov.cn/t.html")
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.title = "x"  # type: ignore[misc]
    names = {field.name for field in dataclasses.fields(ParsedReport)}
    assert {"title", "agency", "report_year", "publish_date", "index_no", "publisher", "doc_no", "topic", "format",
            "script", "text", "sections", "tables", "figures", "warnings", "media_type", "encoding"} <= names


def test_table_labels_decide_the_format_over_the_year() -> None:
    pytest.importorskip("govreports.parsing.tables", reason="table mapper (TABLES) not merged yet")
    table = ("<table><tr><td colspan='4'>第二十条第（一）项</td></tr><tr><td>信息内容</td><td>本年制发件数</td>"
             "<td>本年废止件数</td><td>现行有效件数</td></tr><tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>"
             "<tr><td>行政规范性文件</td><td>8</td><td>26</td><td>66</td></tr></table>")
    html = ("<html><head><meta name='ArticleTitle' content='某区2020年政府信息公开工作年度报告'></head><body>"
            f"<div id='zoom'><p>二、主动公开政府信息情况</p>{table}</div></body></html>")
    report = parse_report(html, url="http://x.gov.cn/t.html")
    assert report.report_year == 2020 and report.format == "2021"
    assert any("suggests 2019" in warning for warning in report.warnings)


def test_real_pdf_goes_through_the_pdf_converter() -> None:
    pytest.importorskip("govreports.parsing.pdf", reason="PDF converter (ATTACHMENTS) not merged yet")
    body = (FIXTURES / "real-reports" / "hongze-2024.pdf").read_bytes()
    report = parse_report(body, url="http://x.gov.cn/download/hzq2024.pdf", media_type="application/octet-stream")
    assert report.media_type == "application/pdf"
    assert report.title == "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
    assert report.report_year == 2024 and report.format == "2021"


def test_real_docx_template_goes_through_the_docx_converter() -> None:
    pytest.importorskip("govreports.parsing.office", reason="DOCX converter (ATTACHMENTS) not merged yet")
    body = (FIXTURES / "real-reports" / "template-2021-blank.docx").read_bytes()
    report = parse_report(body, url="http://x.gov.cn/download/template.docx")
    assert report.media_type.endswith("wordprocessingml.document")
    assert report.grid_count >= 3


def test_broken_docx_is_reported_not_raised() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document><w:body><w:p>")
    report = parse_report(buffer.getvalue()[:60], url="http://x.gov.cn/a.docx")
    assert isinstance(report, ParsedReport) and report.warnings


@pytest.mark.parametrize(
    ("body", "media_type", "url"),
    [
        ("\ud800" + TITLE + "\n一、总体情况", "text/plain", "http://127.0.0.1/report/a.txt"),
        (HTML.replace("一、总体情况", "一、\udfff总体情况\ud800"), None, "http://127.0.0.1/report/a.html"),
    ],
)
def test_lone_surrogates_in_a_str_body_become_replacement_characters_with_a_warning(
    body: str, media_type: str | None, url: str
) -> None:
    """A JSON "\\ud800" escape decodes to a str no encoder accepts (OpenCC, lxml): replaced at the entry."""
    parsed = parse_report(body, url=url, media_type=media_type)
    assert parsed.report_year == 2019
    assert "\ufffd" in parsed.text or "\ufffd" in parsed.title
    assert not any("\ud800" <= ch <= "\udfff" for ch in parsed.text + parsed.title)
    assert any("lone surrogate" in warning for warning in parsed.warnings)
