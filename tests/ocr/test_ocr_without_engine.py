"""OCR's own logic, without running the engine: triggers, limits, table grids, honesty, the cache.

The table image is a scanned rendition of a real report page (tests/fixtures/scans/README.md);
the OCR boxes handed to the layout here are what an engine returns, so the grid, the merged
cells and the low-confidence rule are checked on real ruling lines without the model.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from govreports.parsing.ocr import cache
from govreports.parsing.ocr.document import layout_pages
from govreports.parsing.ocr.images import (
    ImageRefused,
    image_frames,
    is_garbage_text,
    pdf_pages_needing_ocr,
    sniff_image,
)
from govreports.parsing.ocr.layout import (
    binarize,
    clean_gray,
    find_tables,
    ruling_masks,
)
from govreports.parsing.ocr.models import OcrBox, OcrPage, OcrResult, OcrTable
from govreports.parsing.ocr.page_images import report_images
from govreports.parsing.ocr.run import OcrConfig, OcrPool, plan_body, plan_report
from govreports.parsing.report import parse_report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCANS = FIXTURES / "scans"


def test_a_text_pdf_needs_no_ocr_and_a_scanned_one_does() -> None:
    text_pdf = (FIXTURES / "real-reports" / "hongze-2024.pdf").read_bytes()
    assert pdf_pages_needing_ocr(text_pdf, 40) == ([], 5)
    scanned = (SCANS / "hongze-2024-p3-4-scan150.pdf").read_bytes()
    assert pdf_pages_needing_ocr(scanned, 40) == ([1, 2], 2)
    assert pdf_pages_needing_ocr(scanned, 1) == ([1], 2)  # the page cap


def test_garbage_text_layers_are_told_from_chinese_text() -> None:
    assert is_garbage_text("\ue001\ue002\ue003\ue004 \ue005\ue006")  # private-use glyphs
    assert is_garbage_text("(cid:12)(cid:345)(cid:67)(cid:8)")
    assert is_garbage_text("æ\x94¿åº\x9cä¿¡æ\x81¯å\x85¬å¼\x80")  # UTF-8 read as Latin-1
    assert not is_garbage_text("淮安市洪泽区人民政府2024年政府信息公开工作年度报告")
    assert not is_garbage_text("Page 3 of 6")


def test_ocr_never_plans_nothing_and_always_reads_text_pages_too() -> None:
    text_pdf = (FIXTURES / "real-reports" / "hongze-2024.pdf").read_bytes()
    scanned = (SCANS / "hongze-2024-p3-4-scan150.pdf").read_bytes()
    assert plan_body(scanned, OcrConfig(mode="never"), "v") is None
    assert plan_body(text_pdf, OcrConfig(mode="auto"), "v") is None
    assert plan_body(text_pdf, OcrConfig(mode="always"), "v") is None  # no page image in a Word export
    job = plan_body(scanned, OcrConfig(mode="auto", dpi=150), "v")
    assert job is not None and sorted(job.tasks) == [1, 2] and job.tasks[1].kind == "pdf"


def test_image_attachments_are_read_together_in_page_order() -> None:
    png = _png(Image.new("RGB", (800, 1100), "white"))
    attachments = [{"url": "http://x.gov.cn/p1.png", "body": png}, {"url": "http://x.gov.cn/form.pdf", "body": b""},
                   {"url": "http://x.gov.cn/p2.png", "body": png}]
    jobs = plan_report(b"<html></html>", attachments, OcrConfig(), "v")
    assert list(jobs) == ["page-images"]
    assert sorted(jobs["page-images"].tasks) == [1, 2]


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    bomb = _png(Image.new("1", (20_000, 20_000)))  # a few kB on disk, 400 megapixels decoded
    assert len(bomb) < 200_000
    with pytest.raises(ImageRefused, match="exceeds the cap"):
        next(image_frames(bomb, max_pixels=40_000_000, max_frames=5))
    assert sniff_image(bomb) == "image/png"


def test_ruling_lines_give_the_grid_with_merged_cells() -> None:
    """The real Table 3 of hongze-2024 (行政复议/行政诉讼): 15 columns, merged group headers."""
    image = np.array(Image.open(SCANS / "hongze-2024-table3-seal.png").convert("RGB"))
    tables = find_tables(*ruling_masks(binarize(clean_gray(image))))
    assert len(tables) == 1
    table = tables[0]
    assert len(table.xs) - 1 == 15  # 5 review + 5 direct litigation + 5 after review
    assert len(table.ys) - 1 == 4  # group header, sub-group header, column header, values
    top, middle, header = table.slot_cell[:3]
    assert len(set(top[:5])) == 1 and len(set(top[8:])) == 1  # 行政复议 | (blank) | 行政诉讼, as printed
    assert len(set(middle[5:10])) == 1 and len(set(middle[10:])) == 1  # 未经复议直接起诉 | 复议后起诉
    assert [middle[c] == header[c] for c in range(15)] == [True] * 5 + [False] * 10  # 结果维持… span two rows
    assert len(set(table.slot_cell[3])) == 15  # the values: one cell each


def test_a_red_seal_over_the_cells_is_dropped_from_the_gray_image() -> None:
    image = np.array(Image.open(SCANS / "hongze-2024-table3-seal.png").convert("RGB"))
    red = (image[:, :, 0] > 150) & (image[:, :, 1] < 120)
    assert red.sum() > 1000  # the seal is there
    assert clean_gray(image)[red].min() > 140  # and reads as paper


def _page(rows: tuple[tuple[str, ...], ...], confidences: tuple[tuple[float, ...], ...]) -> OcrPage:
    ids = tuple(tuple(range(r * 10, r * 10 + len(row))) for r, row in enumerate(rows))
    return OcrPage(width=1240, height=1754, dpi=150,
                   lines=(OcrBox("某县2024年政府信息公开工作年度报告", 0.99, 300, 100, 900, 140),),
                   tables=(OcrTable(200.0, 600.0, rows, confidences, ids),), mean_confidence=0.9)


def test_a_low_confidence_digit_becomes_an_empty_cell_with_a_warning() -> None:
    rows = (("信息内容", "本年处理决定数量"), ("行政许可", "9487"), ("行政处罚", "2776"))
    confidences = ((0.99, 0.99), (0.99, 0.41), (0.99, 0.97))
    result = OcrResult(engine="rapidocr", version="v", pages={1: _page(rows, confidences)}, min_confidence=0.8)
    pages, warnings = layout_pages(result)
    grid = pages[1].grids[0]
    assert grid.source == "ocr"
    assert grid.rows[1] == ["行政许可", ""] and grid.rows[2] == ["行政处罚", "2776"]
    assert any("'9487' with confidence 0.41" in warning and "left empty" in warning for warning in warnings)


def test_an_image_body_becomes_paragraphs_and_an_ocr_grid_and_says_so() -> None:
    rows = (("信息内容", "本年处理决定数量"), ("行政许可", "9487"), ("行政处罚", "2776"))
    result = OcrResult(engine="rapidocr", version="v", pages={1: _page(rows, ((0.99, 0.99),) * 3)})
    png = _png(Image.new("RGB", (100, 100), "white"))
    report = parse_report(png, url="file:///scan.png", ocr=result)
    assert report.title.startswith("某县2024年政府信息公开工作年度报告")
    assert report.report_year == 2024
    assert report.ocr is not None and report.ocr["engine"] == "rapidocr" and report.ocr["pages"] == [1]
    assert report.ocr["dpi"] == 150


def test_a_missing_engine_is_a_warning_on_each_scan_not_a_crash(caplog: pytest.LogCaptureFixture) -> None:
    scanned = (SCANS / "hongze-2024-p3-4-scan150.pdf").read_bytes()
    pool = OcrPool(OcrConfig(engine="no-such-engine"))
    results = pool.read_now_report(scanned, [])
    pool.close()
    [result] = results.values()
    assert not result.pages
    assert result.warnings and "engine unavailable" in result.warnings[0]
    report = parse_report(scanned, url="file:///scan.pdf", ocr=result)
    assert any("engine unavailable" in warning for warning in report.warnings)


def test_the_cache_returns_a_page_by_image_hash_and_engine_version(tmp_path: Path) -> None:
    image = np.zeros((20, 30, 3), dtype=np.uint8)
    key = cache.image_key(image, 150, "layout-x")
    assert key != cache.image_key(image, 200, "layout-x")
    page = _page((("a", "1"), ("b", "2")), ((0.9, 0.9), (0.9, 0.9)))
    cache.store(str(tmp_path), "engine-1", key, page)
    assert cache.load(str(tmp_path), "engine-1", key) == page
    assert cache.load(str(tmp_path), "engine-2", key) is None


PAGE_OF_IMAGES = """
<html><body><div class="header"><img src="/images/logo.png" width="400" height="80"></div>
<div class="TRS_Editor">
 <p>某县2024年政府信息公开工作年度报告</p>
 <p><img src="/upload/2025/p1.jpg" width="800" height="1131"></p>
 <p><img src="/upload/2025/p2.jpg"></p>
 <p><img src="/upload/2025/qr.png" width="200" height="200"></p>
 <p><img src="/upload/2025/ewm_site.jpg"></p>
 <p><a href="/upload/2025/p3.tif">第3页</a></p>
</div>
<div class="footer"><img src="/images/conac.png"></div></body></html>
"""


def test_page_images_are_picked_when_the_page_text_is_too_short() -> None:
    import lxml.html

    root = lxml.html.fromstring(PAGE_OF_IMAGES)
    content = root.xpath('//div[@class="TRS_Editor"]')
    picked = report_images(content, "http://x.gov.cn/art/2025/1/1/art_1.html", max_images=30)
    assert [link.url for link in picked] == [
        "http://x.gov.cn/upload/2025/p1.jpg", "http://x.gov.cn/upload/2025/p2.jpg",
        "http://x.gov.cn/upload/2025/p3.tif"]
    assert report_images([root], "http://x.gov.cn/a.html", max_images=2)[-1].url.endswith("p2.jpg")  # logo skipped
    assert report_images(content, "http://x.gov.cn/a.html", max_images=0) == []


def test_a_page_with_its_own_report_text_fetches_no_images() -> None:
    import lxml.html

    text = "<p>" + "本机关2024年主动公开政府信息情况如下。" * 40 + "</p>"
    root = lxml.html.fromstring(f"<div>{text}<img src='/p1.jpg' width='800' height='1100'></div>")
    assert report_images([root], "http://x.gov.cn/a.html", max_images=30) == []


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_check_failing_on_an_ocr_table_names_its_least_certain_cells() -> None:
    from govreports.build import apply_checks
    from govreports.items import ReportItem

    row = {"natural_person": 95, "commercial_enterprise": 0, "research_institution": 0, "public_welfare_org": 0,
           "legal_service_org": 0, "other_org": 0, "total": 96}  # 96: a 5 misread as 6
    item = ReportItem(format="2021", tables={"applications": {"new_received": row}})
    item.source = {"ocr": {"tables": ["applications"], "cells": [
        [0.62, "96", "page 3 table 2 row '一、本年新收政府信息公开申请数量' column 10"],
        [0.91, "95", "page 3 table 2 row '一、本年新收政府信息公开申请数量' column 4"],
        [0.97, "31", "page 3 table 2 row '1.本机关不掌握相关政府信息' column 4"],
    ]}}
    apply_checks(item)
    assert any(not check["ok"] and check["rule"] == "applications.row_sum.new_received" for check in item.checks)
    [warning] = [w for w in item.warnings if w.startswith("check applications.row_sum.new_received failed")]
    assert warning.index("'96' (0.62)") < warning.index("'95' (0.91)")  # least certain first
    assert "'31'" not in warning  # not a number this check adds up


def test_a_phone_photo_of_a_page_is_flattened_before_its_table_is_found() -> None:
    from govreports.parsing.ocr.layout import flatten_page
    from govreports_farm import scans

    [photo] = scans.rendition(FIXTURES / "real-reports" / "hongze-2024.pdf", 150, "photo", (3, 3))
    [scan] = scans.rendition(FIXTURES / "real-reports" / "hongze-2024.pdf", 150, "clean", (3, 3))
    assert flatten_page(np.array(scan))[1] is False  # a scan is the page: left alone
    flat, flattened = flatten_page(np.array(photo))
    assert flattened
    tables = find_tables(*ruling_masks(binarize(clean_gray(flat))))
    applications = max(tables, key=lambda table: len(table.ys))
    assert len(applications.xs) - 1 == 10  # 3 label columns + 7 applicant columns, as printed
