"""Scanned reports read by the real OCR engine (RapidOCR), as a user meets them (issue 16).

- `scrapy extract` on an image-only PDF and on a table image with a red seal;
- a crawl where the scanned PDF is the report page's only attachment;
- a crawl where the report page's body is its page images.
The scans are renditions of the real hongze-2024 report (tests/fixtures/scans/make_fixtures.py):
Tables 2 and 3 at 150 dpi, tilted, blurred and speckled. One OCR cache is shared by the tests,
so a page is read once whichever test comes first (which is itself what the cache promises).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("rapidocr")

pytestmark = pytest.mark.ocr

ROOT = Path(__file__).resolve().parents[2]
SCANS = ROOT / "tests" / "fixtures" / "scans"
SCAN_PDF = SCANS / "hongze-2024-p3-4-scan150.pdf"
# Tables 2 and 3 of hongze-2024 as printed (tests/fixtures/real-reports/manifest.json)
EXPECTED = {
    ("applications", "new_received", "total"): 95,
    ("applications", "carried_over", "total"): 0,
    ("applications", "results_total", "total"): 95,
    ("applications", "carried_forward", "total"): 0,
    ("applications", "granted", "total"): 50,
    ("applications", "partially_granted", "natural_person"): 9,
    ("applications", "unable_not_held", "total"): 31,
    ("review_litigation", "review", "total"): 2,
    ("review_litigation", "litigation_direct", "total"): 1,
    ("review_litigation", "litigation_after_review", "total"): 3,
}


@pytest.fixture(scope="module")
def ocr_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ocr-cache")


def extract(paths: list[Path], cache: Path, *settings: str) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    command = [sys.executable, "-m", "scrapy", "extract", *map(str, paths),
               "-s", f"GOVREPORTS_OCR_CACHE_DIR={cache}", *settings]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    return done, [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def wrong_values(item: dict[str, Any]) -> list[str]:
    wrong = []
    for (table, row, column), want in EXPECTED.items():
        got = item["tables"].get(table, {}).get(row, {}).get(column)
        if got != want:
            wrong.append(f"{table}.{row}.{column}: {got!r} (printed {want})")
    return wrong


def test_extract_reads_the_tables_of_an_image_only_pdf(ocr_cache: Path) -> None:
    done, [item] = extract([SCAN_PDF], ocr_cache)
    assert done.returncode == 0, done.stderr[-2000:]
    assert wrong_values(item) == []
    assert item["format"] == "2021"
    ocr = item["source"]["ocr"]
    assert ocr["engine"] == "rapidocr" and ocr["pages"] == [1, 2] and ocr["dpi"] == 150
    assert ocr["mean_confidence"] > 0.9
    assert ocr["tables"] == ["active_disclosure", "applications", "review_litigation"]  # page 3 opens with the end of Table 1
    assert not any(check["rule"].startswith("applications.") and not check["ok"] for check in item["checks"])
    # the rerun reads nothing again: every page comes from the cache
    again, [item_again] = extract([SCAN_PDF], ocr_cache)
    assert item_again["source"]["ocr"]["cached_pages"] == 2
    assert item_again["tables"] == item["tables"]


def test_ocr_never_leaves_a_scan_unread_with_a_warning(ocr_cache: Path) -> None:
    done, [item] = extract([SCAN_PDF], ocr_cache, "-s", "GOVREPORTS_OCR=never")
    assert item["tables"] == {} and "ocr" not in item["source"]
    assert any(warning.startswith("scanned: no text layer") for warning in item["warnings"])


def test_a_sealed_table_image_is_read_through_the_seal(ocr_cache: Path) -> None:
    done, [item] = extract([SCANS / "hongze-2024-table3-seal.png"], ocr_cache)
    assert done.returncode == 0, done.stderr[-2000:]
    review = item["tables"]["review_litigation"]
    assert review["review"] == {"upheld": 1, "corrected": 1, "other": 0, "pending": 0, "total": 2}
    assert review["litigation_direct"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1}
    assert review["litigation_after_review"] == {"upheld": 2, "corrected": 0, "other": 1, "pending": 0, "total": 3}


# --- crawls ---------------------------------------------------------------------------------------

TITLE = "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"


def page_images() -> list[bytes]:
    """The scan's pages as the JPEG files a portal would show one under the other."""
    import pypdfium2 as pdfium

    out = []
    pdf = pdfium.PdfDocument(SCAN_PDF.read_bytes())
    for index in range(len(pdf)):
        buffer = io.BytesIO()
        pdf[index].render(scale=150 / 72).to_pil().convert("RGB").save(buffer, format="JPEG", quality=80)
        out.append(buffer.getvalue())
    pdf.close()
    return out


def portal() -> dict[str, tuple[str, bytes]]:
    """A county portal's 年报 column with two reports: one a PDF scan, one a page of page images."""
    shell = ("<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
             "<div class='header'><img src='/images/logo.png' width='300' height='60'></div>"
             "<div class='article'><h1>{title}</h1><div class='TRS_Editor'>{body}</div></div>"
             "<div class='footer'>版权所有 洪泽区人民政府</div></body></html>")
    column = ("<html><head><meta charset='utf-8'><title>政府信息公开年报</title></head><body>"
              "<div class='list'><ul>"
              f"<li><a href='/art/2025/1/20/art_1.html'>{TITLE}</a><span>2025-01-20</span></li>"
              f"<li><a href='/art/2025/1/21/art_2.html'>洪泽区2024年政府信息公开工作年度报告（图片版）</a>"
              "<span>2025-01-21</span></li></ul></div></body></html>")
    images = page_images()
    image_tags = "".join(f"<p><img src='/upload/2025/scan-{n}.jpg' width='800' height='1131'></p>"
                         for n in range(1, len(images) + 1))
    pages = {
        "/col/nb/index.html": ("text/html; charset=utf-8", column.encode()),
        "/art/2025/1/20/art_1.html": ("text/html; charset=utf-8", shell.format(
            title=TITLE, body="<p>附件：<a href='/upload/2025/nb2024.pdf'>洪泽区2024年年报.pdf</a></p>").encode()),
        "/art/2025/1/21/art_2.html": ("text/html; charset=utf-8", shell.format(
            title="洪泽区2024年政府信息公开工作年度报告（图片版）", body=image_tags).encode()),
        "/upload/2025/nb2024.pdf": ("application/pdf", SCAN_PDF.read_bytes()),
        "/images/logo.png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    }
    for number, data in enumerate(images, start=1):
        pages[f"/upload/2025/scan-{number}.jpg"] = ("image/jpeg", data)
    return pages


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    pages = portal()
    fetched: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            fetched.append(self.path)
            found = pages.get(self.path.split("?")[0])
            if found is None:
                self.send_error(404)
                return
            kind, body = found
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


def test_a_crawl_reads_a_scanned_attachment_and_a_page_of_page_images(server: str, ocr_cache: Path,
                                                                        tmp_path: Path) -> None:
    output = tmp_path / "items.jsonl"
    command = [sys.executable, "-m", "scrapy", "crawl", "annual_reports", "-a", f"url={server}/col/nb/index.html",
               "-s", f"GOVREPORTS_DB={tmp_path / 'state.sqlite3'}", "-s", f"GOVREPORTS_OCR_CACHE_DIR={ocr_cache}",
               "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
               "-s", "LOG_LEVEL=INFO", "-O", str(output)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    items = {item["url"].rsplit("/", 1)[-1]: item for item in map(json.loads, output.read_text().splitlines())}
    assert set(items) == {"art_1.html", "art_2.html"}, done.stderr[-3000:]
    attached, imaged = items["art_1.html"], items["art_2.html"]
    assert wrong_values(attached) == []
    assert attached["title"] == TITLE and attached["report_year"] == 2024
    assert any("report body taken from" in warning for warning in attached["warnings"])
    assert wrong_values(imaged) == []
    assert imaged["source"]["ocr"]["pages"] == [1, 2]
    assert [a["url"].rsplit("/", 1)[-1] for a in imaged["attachments"]] == ["scan-1.jpg", "scan-2.jpg"]
    assert "govreports/ocr/documents" in done.stderr
