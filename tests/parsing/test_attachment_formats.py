"""Attachments in the formats of issue 17 (shape 6): OFD, XLSX, XLS, RTF and ZIP.

Every fixture is written by the test itself (writers in govreports_farm/attachment_files.py, which
the farm's `attachments` portal also serves) from a real report: the three statistics tables of
平潭综合实验区's 2024 report (tests/fixtures/real-reports/pingtan-2024.html, source in its
manifest.json) are laid out as each format would carry them —
- XLSX with openpyxl, XLS with xlwt: one sheet per table;
- OFD by hand following GB/T 33190 (OFD.xml → Doc_0/Document.xml → Pages/Page_N/Content.xml):
  text as `TextObject`/`TextCode`, tables as ruled `PathObject` lines, merged cells drawn as one
  box (no rule between repeated texts) with the text written once;
- RTF with `\\trowd … \\cell … \\row` tables and `\\uN?` Chinese;
- ZIP holding the XLSX under a GBK-encoded name, as Chinese Windows tools write it.
Each must give the same mapped tables as the HTML page itself.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt

from govreports.parsing.decode import decode_body
from govreports.parsing.html import html_to_document
from govreports.parsing.models import Document, Grid, Paragraph
from govreports.parsing.ofd import ofd_to_document
from govreports.parsing.report import parse_report
from govreports.parsing.sniff import OFD, RTF, XLS, XLSX, ZIP, sniff_media_type
from govreports.parsing.spreadsheet import xlsx_to_document
from govreports_farm.attachment_files import (
    grids_of,
    ofd_file,
    ofd_table,
    rtf_file,
    xlsx_file,
    zip_file,
)

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real-reports" / "pingtan-2024.html"
URL = "http://www.pingtan.gov.cn/zwgk/gknb/202401/P020240115000001"


@pytest.fixture(scope="module")
def page() -> tuple[Document, dict[str, object]]:
    body = REAL.read_bytes()
    document = html_to_document(decode_body(body, None).text, "http://www.pingtan.gov.cn/")
    tables = parse_report(body, url="http://www.pingtan.gov.cn/a.html").tables
    assert set(tables) == {"active_disclosure", "applications", "review_litigation"}
    return document, tables


def squeezed(grid: Grid) -> tuple[tuple[str, ...], ...]:
    """Cell texts without layout spaces ('三、本 年度办 理结果' in the HTML is one label)."""
    return tuple(tuple("".join(cell.split()) for cell in row) for row in grid.rows)


# --- writers (the others live in govreports_farm/attachment_files.py, shared with the farm) ---------
def xls_bytes(grids: list[Grid]) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    for number, grid in enumerate(grids, 1):
        sheet = book.add_sheet(f"表{number}")
        for r, row in enumerate(grid.rows):
            for c, cell in enumerate(row):
                sheet.write(r, c, float(cell) if cell.isdigit() else cell)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    raw = zip_file(members)
    with zipfile.ZipFile(io.BytesIO(raw)) as check:  # no UTF-8 flag: Python reads such names as cp437
        assert all(not info.flag_bits & 0x800 for info in check.infolist())
    return raw


# --- the formats give the page's tables --------------------------------------------------------
def test_an_xlsx_of_the_tables_maps_like_the_page(page: tuple[Document, dict[str, object]]) -> None:
    document, tables = page
    data = xlsx_file(grids_of(document))
    assert sniff_media_type(data, "application/octet-stream", URL + ".xlsx") == XLSX
    parsed = parse_report(data, url=URL + ".xlsx")
    assert parsed.tables == tables and parsed.media_type == XLSX


def test_a_legacy_xls_without_an_extension_is_recognised_and_maps_like_the_page(page: tuple[Document, dict[str, object]]) -> None:
    document, tables = page
    data = xls_bytes(grids_of(document))
    url = "http://www.pingtan.gov.cn/module/download/downfile.jsp?classid=0&filename=0c1f2e"
    assert sniff_media_type(data, "application/octet-stream", url) == XLS
    assert parse_report(data, url=url).tables == tables


def test_an_ofd_text_layer_and_ruled_tables_map_like_the_page(page: tuple[Document, dict[str, object]]) -> None:
    document, tables = page
    data = ofd_file(document, title="平潭综合实验区2024年政府信息公开工作年度报告")
    assert sniff_media_type(data, None, URL + ".ofd") == OFD
    ofd = ofd_to_document(data)
    assert [squeezed(grid) for grid in grids_of(ofd)] == [squeezed(grid) for grid in grids_of(document)]
    assert all(grid.source == "ofd" for grid in grids_of(ofd))
    parsed = parse_report(data, url=URL + ".ofd")
    assert parsed.tables == tables
    assert "平潭综合实验区" in parsed.text


def test_an_ofd_merged_cell_repeats_its_text_over_the_cells_it_covers() -> None:
    grid = Grid((("项目", "项目", "数量"), ("收到申请", "自然人", "3"), ("收到申请", "法人", "4")))
    table, _bottom = ofd_table(grid, 20.0)
    data = ofd_file(Document(blocks=(Paragraph("表二"), grid)))
    rows = grids_of(ofd_to_document(data))[0].rows
    assert rows == grid.rows
    assert table.count("项目") == 1 and table.count("收到申请") == 1  # written once, read back twice


def test_an_rtf_report_keeps_its_tables_and_chinese_text(page: tuple[Document, dict[str, object]]) -> None:
    document, tables = page
    data = rtf_file(document)
    assert sniff_media_type(data, None, URL + ".rtf") == RTF
    parsed = parse_report(data, url=URL + ".rtf")
    assert parsed.tables == tables
    assert "平潭综合实验区" in parsed.text


def test_a_zip_holding_the_report_is_read_through_its_gbk_named_member(page: tuple[Document, dict[str, object]]) -> None:
    document, tables = page
    data = zip_bytes({"说明.txt": "附件说明".encode("gbk"),
                      "平潭综合实验区2024年政府信息公开工作年度报告.xlsx": xlsx_file(grids_of(document))})
    assert sniff_media_type(data, None, URL + ".zip") == ZIP
    parsed = parse_report(data, url=URL + ".zip")
    assert parsed.tables == tables
    assert any("平潭综合实验区2024年政府信息公开工作年度报告.xlsx" in warning for warning in parsed.warnings)


def test_a_zip_bomb_is_refused_with_a_warning() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("年度报告.pdf", b"\0" * (80 * 1024 * 1024))
    parsed = parse_report(buffer.getvalue(), url=URL + ".zip")
    assert parsed.tables == {} and any("zip bomb" in warning for warning in parsed.warnings)


def test_a_zip_holding_only_another_zip_is_not_opened() -> None:
    inner = zip_bytes({"年报.rtf": b"{\\rtf1 x}"})
    parsed = parse_report(zip_bytes({"年报.zip": inner}), url=URL + ".zip")
    assert any("no readable report file inside (年报.zip)" in warning for warning in parsed.warnings)


def test_a_spreadsheet_merged_range_repeats_its_text() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["（一）收到申请", None, 5.0])
    sheet.append([None, None, 7])
    sheet.merge_cells("A1:B2")
    buffer = io.BytesIO()
    book.save(buffer)
    grid = grids_of(xlsx_to_document(buffer.getvalue()))[0]
    assert grid.rows == (("（一）收到申请", "（一）收到申请", "5"), ("（一）收到申请", "（一）收到申请", "7"))


@pytest.mark.parametrize("data, suffix", [(b"PK\x03\x04broken", ".ofd"), (b"PK\x03\x04broken", ".xlsx"),
                                          (b"{\\rtf1 {{{{", ".rtf"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls")])
def test_a_damaged_file_is_a_warning_not_a_crash(data: bytes, suffix: str) -> None:
    parsed = parse_report(data, url=URL + suffix)
    assert parsed.tables == {}
    assert parsed.warnings


def test_ofd_objects_scaled_by_their_ctm_land_in_the_right_cells() -> None:
    """Converters from PDF write points and scale each object by its CTM (0.3528 mm per point)."""
    scale = 25.4 / 72
    rule = ('<ofd:PathObject ID="0" Boundary="{x} {y} {w} {h}" CTM="{s} 0 0 {s} 0 0"><ofd:AbbreviatedData>'
            "M 0 0 L {dx} {dy}</ofd:AbbreviatedData></ofd:PathObject>")
    parts = []
    for y in (20.0, 30.0, 40.0):  # three horizontal rules, 100 mm long
        parts.append(rule.format(x=10, y=y, w=100.2, h=0.2, s=scale, dx=100 / scale, dy=0))
    for x in (10.0, 60.0, 110.0):  # three vertical rules, 20 mm long
        parts.append(rule.format(x=x, y=20, w=0.2, h=20.2, s=scale, dx=0, dy=20 / scale))
    for (x, y), text in zip(((11, 21), (61, 21), (11, 31), (61, 31)), ("项目", "数量", "行政许可", "12")):
        parts.append(f'<ofd:TextObject ID="0" Boundary="{x} {y} 40 8" CTM="{scale} 0 0 {scale} 0 0" Size="9">'
                     f'<ofd:TextCode X="0" Y="9">{text}</ofd:TextCode></ofd:TextObject>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody>'
                                    "<ofd:DocRoot>/Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
        archive.writestr("Doc_0/Document.xml", '<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Pages>'
                                               '<ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>'
                                               "</ofd:Document>")
        archive.writestr("Doc_0/Pages/Page_0/Content.xml", '<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016">'
                         f'<ofd:Content><ofd:Layer ID="2"><ofd:PageBlock>{"".join(parts)}</ofd:PageBlock>'
                         "</ofd:Layer></ofd:Content></ofd:Page>")
    grids = grids_of(ofd_to_document(buffer.getvalue()))
    assert [grid.rows for grid in grids] == [(("项目", "数量"), ("行政许可", "12"))]


def test_rtf_text_in_the_declared_gbk_code_page_is_read() -> None:
    data = (b"{\\rtf1\\ansi\\ansicpg936{\\fonttbl{\\f0\\fcharset134 SimSun;}}\\pard "
            b"\\'c6\\'bd\\'cc\\'b6 2023\\'c4\\'ea\\'b6\\'c8\\'b1\\'a8\\'b8\\'e6\\par}")
    assert "平潭2023年度报告" in parse_report(data, url=URL + ".rtf").text.replace(" ", "")
