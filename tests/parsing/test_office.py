"""Word attachments: DOCX read in body order with merged cells expanded; DOC/WPS via LibreOffice."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from govreports.parsing.models import Document, Grid, Paragraph
from govreports.parsing.office import docx_to_document, legacy_office_to_document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ATTACHMENTS = FIXTURES / "attachments"
TEMPLATE = FIXTURES / "real-reports" / "template-2021-blank.docx"
needs_libreoffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")


def grids(document: Document) -> list[Grid]:
    return [block for block in document.blocks if isinstance(block, Grid)]


def kinds(document: Document) -> list[str]:
    return ["grid" if isinstance(block, Grid) else block.text for block in document.blocks]


def test_national_template_docx_keeps_headings_and_tables_in_body_order() -> None:
    document = docx_to_document(TEMPLATE.read_bytes())
    assert document.warnings == ()
    order = kinds(document)
    assert order.index("二、主动公开政府信息情况") + 1 == order.index("grid")
    assert order[order.index("三、收到和处理政府信息公开申请情况") + 1] == "grid"
    assert order[order.index("四、政府信息公开行政复议、行政诉讼情况") + 1] == "grid"
    assert len(grids(document)) == 3


def test_template_merged_cells_are_expanded_to_a_rectangle() -> None:
    active, applications, review = grids(docx_to_document(TEMPLATE.read_bytes()))
    for grid in (active, applications, review):
        assert len({len(row) for row in grid.rows}) == 1
    # vMerge: 三、本年度办理结果 runs down the first column of every result line
    results = [row for row in applications.rows if row[0] == "三、本年度办理结果"]
    assert len(results) == 22
    # gridSpan: the 7 applicant columns after 3 label columns
    assert len(applications.rows[0]) == 10
    assert applications.rows[2][4:9] == ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
    # cell paragraphs "结果" / "纠正" join without a space
    assert review.rows[2][:5] == ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    assert review.rows[0][5:] == ("行政诉讼",) * 10


def test_seed_docx_carries_its_values_and_truncated_headers() -> None:
    document = docx_to_document((ATTACHMENTS / "002_936b004d97e1931c.docx").read_bytes())
    active, applications, review = grids(document)
    assert active.rows[1] == ("信息内容", "本年新", "本年新", "对外公开总数量")
    assert [row[-1] for row in applications.rows if "1.本机关不掌握相关政府信息" in row] == ["1"]
    assert [row[1] for row in applications.rows if "1.本机关不掌握相关政府信息" in row] == ["(四)无法提供"]
    assert review.rows[-1][:5] == ("1", "0", "0", "0", "1")
    assert isinstance(document.blocks[0], Paragraph)
    assert document.blocks[0].text == "张家口市宣化区政府信息公开工作年度报告(2019年)"


def test_truncated_docx_warns_and_keeps_what_survived() -> None:
    document = docx_to_document((ATTACHMENTS / "truncated.docx").read_bytes())
    assert document.warnings and document.warnings[0].startswith("docx truncated")
    assert document.blocks[0] == Paragraph("张家口市宣化区政府信息公开工作年度报告(2019年)")


def test_docx_cut_before_its_document_part_is_unreadable_with_a_warning() -> None:
    data = (ATTACHMENTS / "002_936b004d97e1931c.docx").read_bytes()
    document = docx_to_document(data[:200])
    assert document.blocks == ()
    assert document.warnings[0].startswith("docx unreadable")


def test_docx_cut_inside_its_document_part_gives_partial_text_and_a_warning() -> None:
    data = (ATTACHMENTS / "004_7d9c962fed462d95.docx").read_bytes()
    start = data.find(b"word/document.xml")
    document = docx_to_document(data[: start + 1500])
    assert any(warning.startswith("docx") for warning in document.warnings)


def test_zip_bomb_document_part_is_refused_before_inflating() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document>" + b" " * 3_000_000 + b"</w:document>")
    data = buffer.getvalue()
    assert len(data) < 20_000
    document = docx_to_document(data, max_xml_bytes=1_000_000)
    assert document.blocks == ()
    assert "zip bomb" in document.warnings[0]


def test_zip_without_word_part_is_not_a_word_document() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    document = docx_to_document(buffer.getvalue())
    assert document.warnings == ("docx unreadable: no word/document.xml in the archive (not a Word document)",)


@needs_libreoffice
def test_word_97_doc_is_converted_by_libreoffice_and_read_like_docx() -> None:
    document = legacy_office_to_document((ATTACHMENTS / "004_7d9c962fed462d95.doc").read_bytes(), ".doc")
    assert document.warnings == ()
    assert document.meta["converted_from"] == "doc"
    assert document.blocks[0] == Paragraph("重庆市九龙坡区人民政府2020年政府信息公开工作年度报告")
    active, applications, review = grids(document)
    assert ("规范性文件", "33", "33", "253") in active.rows
    assert review.rows[-1][:5] == ("1", "1", "1", "0", "3")


@needs_libreoffice
def test_kingsoft_wps_file_is_read_as_the_word_file_it_is() -> None:
    document = legacy_office_to_document((ATTACHMENTS / "004_7d9c962fed462d95.doc").read_bytes(), "wps")
    assert document.meta["converted_from"] == "wps"
    assert len(grids(document)) == 3


@needs_libreoffice
def test_garbage_doc_gives_a_conversion_warning_not_an_exception() -> None:
    garbage = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8
    document = legacy_office_to_document(garbage, ".doc", timeout=60)
    assert document.blocks == () or all(isinstance(block, Paragraph) for block in document.blocks)
    if document.blocks == ():
        assert document.warnings and document.warnings[0].startswith("doc conversion failed")


def test_missing_libreoffice_is_a_clear_warning(tmp_path: Path) -> None:
    document = legacy_office_to_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".doc",
                                         soffice=str(tmp_path / "no-soffice-here"))
    assert document.warnings == ("doc conversion unavailable: LibreOffice not installed",)


def test_docx_served_under_a_doc_name_is_read_directly() -> None:
    document = legacy_office_to_document((ATTACHMENTS / "002_936b004d97e1931c.docx").read_bytes(), ".doc")
    assert document.warnings[0] == "doc file is really DOCX"
    assert len(grids(document)) == 3


def test_a_hanging_conversion_is_stopped_by_the_timeout(tmp_path: Path) -> None:
    slow = tmp_path / "slow-soffice"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    document = legacy_office_to_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".doc", timeout=1, soffice=str(slow))
    assert document.warnings == ("doc conversion failed: LibreOffice timed out after 1s",)
