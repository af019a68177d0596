"""Attachments in the formats of issue 17 (shape 6): OFD, XLSX, XLS, RTF and ZIP.

Every fixture is written by the test itself from a real report: the three statistics tables of
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
from xml.sax.saxutils import escape

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


def grids_of(document: Document) -> list[Grid]:
    return [block for block in document.blocks if isinstance(block, Grid)]


# --- writers -------------------------------------------------------------------------------------
def xlsx_bytes(grids: list[Grid], *, title: str = "") -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for number, grid in enumerate(grids, 1):
        sheet = book.create_sheet(f"表{number}")
        for row in grid.rows:
            sheet.append([int(cell) if cell.isdigit() else cell for cell in row])
    if title:
        book.properties.title = title
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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


NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def _text(x: float, y: float, text: str, size: float = 3.0) -> str:
    width = max(len(text), 1) * size
    return (f'<ofd:TextObject ID="0" Boundary="{x:.2f} {y:.2f} {width:.2f} {size + 1:.2f}" Font="1" Size="{size}">'
            f'<ofd:TextCode X="0" Y="{size:.2f}" DeltaX="g {max(len(text) - 1, 0)} {size}">{escape(text)}</ofd:TextCode>'
            "</ofd:TextObject>")


def _rule(x0: float, y0: float, x1: float, y1: float) -> str:
    left, top = min(x0, x1), min(y0, y1)
    return (f'<ofd:PathObject ID="0" Boundary="{left:.2f} {top:.2f} {abs(x1 - x0) + 0.2:.2f} {abs(y1 - y0) + 0.2:.2f}" '
            f'LineWidth="0.2"><ofd:AbbreviatedData>M {x0 - left:.2f} {y0 - top:.2f} L {x1 - left:.2f} {y1 - top:.2f}'
            "</ofd:AbbreviatedData></ofd:PathObject>")


def ofd_table(grid: Grid, top: float, left: float = 10.0, width: float = 190.0, height: float = 9.0) -> tuple[str, float]:
    """A ruled table; a label repeated right or down is one merged box with the text written once
    (numbers never merge: equal counts side by side are separate cells)."""
    rows, columns = len(grid.rows), len(grid.rows[0])
    step = width / columns
    xs = [left + c * step for c in range(columns + 1)]
    ys = [top + r * height for r in range(rows + 1)]
    cells = tuple(tuple(cell if not cell.isdigit() else f"{cell}\0{r}.{c}" for c, cell in enumerate(row))
                  for r, row in enumerate(grid.rows))
    parts: list[str] = []
    for r in range(rows + 1):  # horizontal rules, broken where a merged cell continues downwards
        for c in range(columns):
            if 0 < r < rows and cells[r][c] == cells[r - 1][c] and cells[r][c]:
                continue
            parts.append(_rule(xs[c], ys[r], xs[c + 1], ys[r]))
    for c in range(columns + 1):  # vertical rules, broken where a merged cell continues rightwards
        for r in range(rows):
            if 0 < c < columns and cells[r][c] == cells[r][c - 1] and cells[r][c]:
                continue
            parts.append(_rule(xs[c], ys[r], xs[c], ys[r + 1]))
    for r in range(rows):
        for c in range(columns):
            text = cells[r][c]
            continued = (c > 0 and cells[r][c - 1] == text) or (r > 0 and cells[r - 1][c] == text)
            if text and not continued:
                parts.append(_text(xs[c] + 0.8, ys[r] + 1.5, text.split("\0")[0], size=2.5))
    return "".join(parts), ys[-1]


def ofd_bytes(document: Document, title: str = "") -> bytes:
    """One page per table, with the paragraphs before it; GB/T 33190 layout, written by hand."""
    pages: list[str] = []
    body: list[str] = []
    y = 15.0
    for block in document.blocks:
        if isinstance(block, Paragraph):
            body.append(_text(15.0, y, block.text[:70]))
            y += 6.0
        else:
            table, y = ofd_table(block, y + 2.0)
            body.append(table)
            pages.append("".join(body))
            body, y = [], 15.0
    if body:
        pages.append("".join(body))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {NS} Version="1.1" DocType="OFD">'
                                    f"<ofd:DocBody><ofd:DocInfo><ofd:DocID>0</ofd:DocID><ofd:Title>{escape(title)}</ofd:Title>"
                                    "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
        page_list = "".join(f'<ofd:Page ID="{n + 10}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(pages)))
        archive.writestr("Doc_0/Document.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {NS}>'
                                               "<ofd:CommonData><ofd:MaxUnitID>99</ofd:MaxUnitID><ofd:PageArea>"
                                               "<ofd:PhysicalBox>0 0 210 400</ofd:PhysicalBox></ofd:PageArea>"
                                               f"</ofd:CommonData><ofd:Pages>{page_list}</ofd:Pages></ofd:Document>")
        for number, content in enumerate(pages):
            archive.writestr(f"Doc_0/Pages/Page_{number}/Content.xml",
                             f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {NS}><ofd:Content>'
                             f'<ofd:Layer ID="1">{content}</ofd:Layer></ofd:Content></ofd:Page>')
    return buffer.getvalue()


def rtf_escape(text: str) -> str:
    return "".join(ch if ord(ch) < 128 and ch not in "\\{}" else f"\\u{ord(ch) if ord(ch) < 32768 else ord(ch) - 65536}?"
                   for ch in text)


def rtf_bytes(document: Document) -> bytes:
    parts = ["{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 SimSun;}}\n"]
    for block in document.blocks:
        if isinstance(block, Paragraph):
            parts.append(f"\\pard {rtf_escape(block.text)}\\par\n")
        else:
            for row in block.rows:
                cells = "".join(f"\\cellx{1000 * (n + 1)}" for n in range(len(row)))
                parts.append(f"\\trowd{cells}\n\\intbl " + "".join(f"{rtf_escape(cell)}\\cell " for cell in row) + "\\row\n")
            parts.append("\\pard\\par\n")
    parts.append("}")
    return "".join(parts).encode("ascii")


class GbkName(zipfile.ZipInfo):
    """A member name stored as GBK bytes without the UTF-8 flag (zipfile would store UTF-8)."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A zip as Chinese Windows tools write it: GBK names without the UTF-8 flag."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = GbkName(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    raw = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(raw)) as check:  # Python reads such names as cp437
        assert all(not info.flag_bits & 0x800 for info in check.infolist())
    return raw


# --- the formats give the page's tables --------------------------------------------------------
def test_an_xlsx_of_the_tables_maps_like_the_page(page: tuple[Document, dict[str, object]]) -> None:
    document, tables = page
    data = xlsx_bytes(grids_of(document))
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
    data = ofd_bytes(document, title="平潭综合实验区2024年政府信息公开工作年度报告")
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
    data = ofd_bytes(Document(blocks=(Paragraph("表二"), grid)))
    rows = grids_of(ofd_to_document(data))[0].rows
    assert rows == grid.rows
    assert table.count("项目") == 1 and table.count("收到申请") == 1  # written once, read back twice


def test_an_rtf_report_keeps_its_tables_and_chinese_text(page: tuple[Document, dict[str, object]]) -> None:
    document, tables = page
    data = rtf_bytes(document)
    assert sniff_media_type(data, None, URL + ".rtf") == RTF
    parsed = parse_report(data, url=URL + ".rtf")
    assert parsed.tables == tables
    assert "平潭综合实验区" in parsed.text


def test_a_zip_holding_the_report_is_read_through_its_gbk_named_member(page: tuple[Document, dict[str, object]]) -> None:
    document, tables = page
    data = zip_bytes({"说明.txt": "附件说明".encode("gbk"),
                      "平潭综合实验区2024年政府信息公开工作年度报告.xlsx": xlsx_bytes(grids_of(document))})
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
