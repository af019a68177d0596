"""PDF attachments: real Jiangsu report PDFs and LibreOffice exports of the seeds become clean grids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govreports.parsing.models import Document, Grid, Paragraph
from govreports.parsing.pdf import clean_cell_text, is_page_marker, pdf_to_document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REAL = FIXTURES / "real-reports"
ATTACHMENTS = FIXTURES / "attachments"


def grids(document: Document) -> list[Grid]:
    return [block for block in document.blocks if isinstance(block, Grid)]


def paragraphs(document: Document) -> list[str]:
    return [block.text for block in document.blocks if isinstance(block, Paragraph)]


def row_starting(grid: Grid, *labels: str) -> tuple[str, ...]:
    for row in grid.rows:
        if all(label in row for label in labels):
            return row
    raise AssertionError(f"no row with {labels} in grid starting {grid.rows[0][:3]}")


@pytest.fixture(scope="module")
def huaian() -> Document:
    return pdf_to_document((REAL / "huaian-2024.pdf").read_bytes())


@pytest.fixture(scope="module")
def hongze_2024() -> Document:
    return pdf_to_document((REAL / "hongze-2024.pdf").read_bytes())


@pytest.fixture(scope="module")
def hongze_2023() -> Document:
    return pdf_to_document((REAL / "hongze-2023.pdf").read_bytes())


def test_real_report_pdf_yields_its_three_tables_in_reading_order(huaian: Document) -> None:
    assert huaian.warnings == ()
    assert huaian.meta["pages"] == "6"
    kinds = [type(block).__name__ for block in huaian.blocks]
    texts = paragraphs(huaian)
    assert len(grids(huaian)) == 3
    # the section heading before each table comes right before it
    for heading in ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"):
        index = [block.text if isinstance(block, Paragraph) else None for block in huaian.blocks].index(heading)
        assert kinds[index + 1] == "Grid", heading
    assert texts[0] == "淮安市人民政府2024年政府信息公开工作年度报告"  # the two centred title lines, one title


def test_table_split_across_pages_is_joined_and_the_cut_label_repaired(huaian: Document) -> None:
    applications = grids(huaian)[1]
    assert len(applications.rows) == 3 + 2 + 22 + 1  # header, 一/二, 22 result lines of 2021, 四
    # '（四）无' on page 4 and '法提供' on page 5 are one label again, on all three of its rows
    for item in ("1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"):
        row = row_starting(applications, item)
        assert row[:2] == ("三、本年度办理结果", "（四）无法提供")
    assert row_starting(applications, "2.没有现成信息需要另行制作")[3:] == ("11", "0", "0", "0", "0", "0", "11")
    assert row_starting(applications, "四、结转下年度继续办理")[-1] == "103"


def test_stacked_and_wrapped_cell_text_is_rejoined(huaian: Document, hongze_2024: Document) -> None:
    for document in (huaian, hongze_2024):
        applications = grids(document)[1]
        assert "三、本年度办理结果" in applications.rows[10]
        assert applications.rows[2][4:9] == ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
        assert "（二）部分公开（区分处理的，只计这一情形，不计其他情形）" in applications.rows[6]
    review = grids(hongze_2024)[2]
    assert review.rows[2][:5] == ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    assert review.rows[-1] == ("1", "1", "0", "0", "2", "1", "0", "0", "0", "1", "2", "0", "1", "0", "3")


def test_merged_cells_repeat_their_text_so_every_grid_is_rectangular(hongze_2023: Document) -> None:
    for grid in grids(hongze_2023):
        assert len({len(row) for row in grid.rows}) == 1
        assert all(cell is not None for row in grid.rows for cell in row)
    active = grids(hongze_2023)[0]
    assert active.rows[0] == ("第二十条第（一）项",) * 4
    assert row_starting(active, "行政规范性文件") == ("行政规范性文件", "0", "5", "5")


def test_table_one_continued_on_the_next_page_keeps_its_caption_and_lost_header(hongze_2023: Document) -> None:
    active = grids(hongze_2023)[0]
    labels = [row[0] for row in active.rows]
    # page 2 ends with the caption of (六); page 3 starts with its header, whose first cell has no cell border
    index = labels.index("第二十条第（六）项")
    assert labels[index + 1 : index + 4] == ["信息内容", "行政处罚", "行政强制"]
    assert row_starting(active, "行政处罚")[1] == "4119"


def test_framed_prose_is_text_not_a_table(hongze_2024: Document) -> None:
    """hongze's exporter draws a frame around whole pages of prose; those lines stay paragraphs."""
    texts = paragraphs(hongze_2024)
    assert any(text.startswith("（三）政府信息管理情况。") for text in texts)
    assert "二、主动公开政府信息情况" in texts
    for grid in grids(hongze_2024):
        assert not any("政府信息管理情况" in cell for row in grid.rows for cell in row)


def test_wrapped_body_lines_become_whole_paragraphs_and_page_numbers_go(hongze_2024: Document) -> None:
    texts = paragraphs(hongze_2024)
    assert "（二）依申请公开情况。" in texts[5] and texts[5].endswith("均已在法定期限内予以答复。")
    assert "2024年，区政府办代表区政府受理政府信息公开申请17件" in texts[5]
    assert not any(is_page_marker(text) for text in texts)
    assert not any("- 3 -" in text for text in texts)


def test_typo_in_real_label_is_kept_as_printed(hongze_2023: Document) -> None:
    """'2.其他法律行政止公开' is what the PDF says; fuzzy matching is the mapper's job, not ours."""
    assert row_starting(grids(hongze_2023)[1], "2.其他法律行政止公开")[3] == "0"


@pytest.mark.parametrize("name", ["huaian-2024.pdf", "hongze-2024.pdf", "hongze-2023.pdf"])
def test_expected_numbers_of_the_manifest_are_in_the_grids(name: str) -> None:
    manifest = json.loads((REAL / "manifest.json").read_text(encoding="utf-8"))
    expected = next(entry for entry in manifest["files"] if entry["file"] == name)["expected"]
    document = pdf_to_document((REAL / name).read_bytes())
    active, applications, review = grids(document)
    assert row_starting(applications, "一、本年新收政府信息公开申请数量")[-1] == str(
        expected["tables.applications.new_received.total"]
    )
    assert row_starting(applications, "（七）总计")[-1] == str(expected["tables.applications.results_total.total"])
    assert review.rows[-1][4] == str(expected["tables.review_litigation.review.total"])
    assert review.rows[-1][9] == str(expected["tables.review_litigation.litigation_direct.total"])
    assert row_starting(active, "行政许可")[1] == str(expected["tables.active_disclosure.licensing.decisions"])
    assert row_starting(active, "行政处罚")[1] == str(expected["tables.active_disclosure.punishment.decisions"])


def test_libreoffice_export_of_seed_004_has_three_tables_and_its_lost_header() -> None:
    document = pdf_to_document((ATTACHMENTS / "004_7d9c962fed462d95.pdf").read_bytes())
    assert document.warnings == ()
    active, applications, review = grids(document)
    assert row_starting(active, "规范性文件") == ("规范性文件", "33", "33", "253")
    assert row_starting(applications, "(七)总计")[-1] == "104"
    assert review.rows[-1] == ("1", "1", "1", "0", "3", "1", "0", "0", "1", "2", "0", "0", "0", "0", "0")
    assert paragraphs(document)[0] == "重庆市九龙坡区人民政府2020年政府信息公开工作年度报告"


def test_two_different_tables_on_consecutive_pages_stay_apart() -> None:
    """Seed 003 (Traditional): Table 2 ends page 3, Table 3 starts page 4 with nothing between."""
    document = pdf_to_document((ATTACHMENTS / "003_d58dcb8ff1b8f53b.pdf").read_bytes())
    widths = [len(grid.rows[0]) for grid in grids(document)]
    assert widths == [4, 10, 15]


def test_scanned_pdf_without_text_layer_is_a_warning_not_an_error() -> None:
    document = pdf_to_document((ATTACHMENTS / "scanned.pdf").read_bytes())
    assert document.blocks == ()
    assert document.warnings == ("scanned: no text layer (2 pages)",)


def test_corrupt_pdf_is_a_warning_not_an_error() -> None:
    document = pdf_to_document((ATTACHMENTS / "corrupt.pdf").read_bytes())
    assert document.blocks == ()
    assert len(document.warnings) == 1 and document.warnings[0].startswith("pdf unreadable")


@pytest.mark.parametrize("fraction", [0.01, 0.5, 0.95])
def test_truncated_download_is_a_warning_not_an_error(fraction: float) -> None:
    data = (REAL / "hongze-2024.pdf").read_bytes()
    document = pdf_to_document(data[: int(len(data) * fraction)])
    assert document.blocks == ()
    assert any("pdf unreadable" in warning for warning in document.warnings)


def test_non_pdf_bytes_and_empty_input_are_warnings() -> None:
    assert pdf_to_document(b"").warnings == ("pdf unreadable: empty file",)
    document = pdf_to_document(b"<html><body>404 Not Found</body></html>")
    assert document.warnings[0] == "pdf header missing: not a PDF file (trying anyway)"
    assert document.blocks == ()


def test_page_limit_bounds_the_work_and_says_so() -> None:
    document = pdf_to_document((REAL / "huaian-2024.pdf").read_bytes(), max_pages=2)
    assert document.warnings == ("pdf truncated: only the first 2 of 6 pages read",)
    assert not grids(document)  # the tables start on page 3
    assert paragraphs(document)[0] == "淮安市人民政府2024年政府信息公开工作年度报告"


def test_time_limit_bounds_the_work_and_says_so() -> None:
    document = pdf_to_document((REAL / "huaian-2024.pdf").read_bytes(), max_seconds=0.0)
    assert document.warnings[0].startswith("pdf truncated: time limit")


@pytest.mark.parametrize(
    ("printed", "rejoined"),
    [
        ("商业企\n业", "商业企业"),
        ("三、\n本\n年\n度\n办\n理\n结\n果", "三、本年度办理结果"),
        ("结 果\n维持", "结果维持"),
        ("总 计", "总计"),
        ("（二）部分公开（区分处理的，只计这一情 形，不\n计其他情形）", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
        ("96171.6", "96171.6"),
        ("hazwgkc@163.com 2024 12", "hazwgkc@163.com 2024 12"),
    ],
)
def test_cell_text_printed_over_lines_is_rejoined(printed: str, rejoined: str) -> None:
    assert clean_cell_text(printed) == rejoined


@pytest.mark.parametrize("marker", ["- 4 -", "— 12 —", "第 4 页 共 6 页", "第4页/共6页", "4/6", "共6页 第4页"])
def test_page_markers_are_recognised(marker: str) -> None:
    assert is_page_marker(marker)


@pytest.mark.parametrize("text", ["一、总体情况", "2024年", "行政许可 447228", "- 4 - 页眉"])
def test_report_text_is_not_a_page_marker(text: str) -> None:
    assert not is_page_marker(text)
