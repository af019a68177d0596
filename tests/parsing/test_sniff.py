"""What a downloaded attachment really is: the bytes decide, names and headers only break ties."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from govreports.parsing.sniff import DOC, DOCX, HTML, OFD, PDF, TEXT, WPS, XLSX, ZIP, sniff_media_type

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ATTACHMENTS = FIXTURES / "attachments"
HANWEB_URL = "http://www.example.gov.cn/module/download/downfile.jsp?classid=0&filename=8f2c1d9a.pdf"


def zip_with(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def test_pdf_served_as_octet_stream_from_a_jsp_url_is_a_pdf() -> None:
    data = (FIXTURES / "real-reports" / "hongze-2024.pdf").read_bytes()
    assert sniff_media_type(data, "application/octet-stream", HANWEB_URL) == PDF


def test_pdf_with_junk_before_its_header_is_still_a_pdf() -> None:
    assert sniff_media_type(b"\r\n\x00junk%PDF-1.7\n%...") == PDF


def test_docx_is_known_by_its_word_document_part_whatever_it_is_called() -> None:
    data = (ATTACHMENTS / "004_7d9c962fed462d95.docx").read_bytes()
    assert sniff_media_type(data, "application/msword", "http://x.gov.cn/nb.doc") == DOCX


def test_truncated_docx_is_still_recognised_from_its_local_headers() -> None:
    assert sniff_media_type((ATTACHMENTS / "truncated.docx").read_bytes()) == DOCX


def test_word_97_doc_is_msword() -> None:
    data = (ATTACHMENTS / "004_7d9c962fed462d95.doc").read_bytes()
    assert sniff_media_type(data, None, "http://x.gov.cn/P020210205.doc") == DOC


def test_ole2_file_named_wps_is_kingsoft_wps() -> None:
    data = (ATTACHMENTS / "004_7d9c962fed462d95.doc").read_bytes()
    assert sniff_media_type(data, "application/octet-stream", "http://x.gov.cn/files/nb2023.wps") == WPS
    assert sniff_media_type(data, "application/kswps", None) == WPS


def test_a_zip_that_is_not_docx_keeps_its_own_type() -> None:
    assert sniff_media_type(zip_with("xl/workbook.xml", "[Content_Types].xml")) == XLSX
    assert sniff_media_type(zip_with("OFD.xml", "Doc_0/Document.xml")) == OFD
    assert sniff_media_type(zip_with("readme.txt"), None, "http://x.gov.cn/nb.docx") == ZIP


def test_an_error_page_served_for_a_pdf_link_is_html() -> None:
    page = "<!DOCTYPE html><html><head><title>404</title></head><body>页面不存在</body></html>".encode()
    assert sniff_media_type(page, "application/pdf", "http://x.gov.cn/nb.pdf") == HTML


def test_plain_text_is_text_and_empty_bytes_do_not_crash() -> None:
    assert sniff_media_type("一、总体情况\n本年新收 3 件".encode()) == TEXT
    assert sniff_media_type(b"") == TEXT


@pytest.mark.parametrize("declared", [None, "text/html", "application/pdf"])
def test_magic_bytes_beat_the_declared_type(declared: str | None) -> None:
    assert sniff_media_type(b"%PDF-1.4\n1 0 obj", declared, "http://x.gov.cn/a.html") == PDF
